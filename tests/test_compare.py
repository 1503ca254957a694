"""``compare`` is an experiment with one factor, the ownership model: one seed scheme, one
results store, one progress display, whether it is called from the command line or Python."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from scrm_sim import load_results
from scrm_sim.cli import main
from scrm_sim.experiment import runner
from scrm_sim.experiment.runs import compare, load_models

from .conftest import SCENARIOS

MODELS = ["marketing_led", "hybrid"]
TINY = {"extends": str(SCENARIOS / "baseline.yaml"), "name": "tiny", "seed": 3,
        "duration_days": 2, "customers": {"count": 300, "prospects": 100}}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A two-day scenario of 400 people."""
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    return path


def by_run(summary: pd.DataFrame) -> pd.DataFrame:
    """Summary values indexed by (ownership, replication), without timings and run ids."""
    drop = [c for c in ("wall_seconds", "key", "point", "scenario") if c in summary]
    return summary.drop(columns=drop).set_index(["ownership", "replication"]).sort_index()


def test_compare_experiment_and_python_api_run_the_same_replications_for_a_master_seed(
    tiny: Path, tmp_path: Path
) -> None:
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump({"name": "same", "scenario": str(tiny),
                                          "models": MODELS, "replications": 2, "seed": 11}),
                          encoding="utf-8")

    assert main(["compare", str(tiny), "--models", ",".join(MODELS), "--reps", "2",
                 "--seed", "11", "--workers", "1", "--quiet", "--out",
                 str(tmp_path / "cli")]) == 0
    assert main(["experiment", str(experiment), "--workers", "1", "--quiet", "--out",
                 str(tmp_path / "exp")]) == 0
    api, _ = compare(tiny, 2, models=MODELS, master_seed=11, workers=1, progress=False)

    from_cli = by_run(pd.read_parquet(tmp_path / "cli" / "summary.parquet"))
    from_experiment = by_run(load_results(tmp_path / "exp").summary)
    from_api = by_run(api)
    assert len(from_api) == 4
    assert set(api["key"]) == set(load_results(tmp_path / "exp").summary["key"])  # same runs
    assert sorted(from_api["seed"].unique()) == sorted(
        runner.replication_seed(11, 0, r) for r in range(2))
    pd.testing.assert_frame_equal(from_cli, from_api, check_exact=True)
    pd.testing.assert_frame_equal(from_experiment[from_api.columns], from_api, check_exact=True)


def test_rerunning_a_compare_into_the_same_folder_runs_nothing_new(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    command = ["compare", str(tiny), "--models", ",".join(MODELS), "--reps", "2",
               "--workers", "1", "--quiet", "--out", str(out)]
    assert main(command) == 0
    first = pd.read_parquet(out / "summary.parquet")
    executed = []
    original = runner.execute_run
    monkeypatch.setattr(runner, "execute_run", lambda p: executed.append(p) or original(p))

    assert main(command) == 0

    assert executed == []
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), first)


def test_a_compare_folder_is_a_results_store_with_the_compare_settings_in_its_manifest(
    tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    compare(tiny, 2, models=MODELS, workers=1, progress=False, out=out)

    results = load_results(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(results.summary) == 4 and set(results.steps["key"]) == set(results.summary["key"])
    assert manifest["status"] == "complete"
    assert manifest["command"] == "compare" and manifest["models"] == MODELS
    assert manifest["master_seed"] == TINY["seed"]  # the scenario's seed when none is given
    assert manifest["seeds"] == [runner.replication_seed(TINY["seed"], 0, r) for r in range(2)]


def test_compare_overrides_change_every_models_scenario(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _, steps = compare(tiny, 1, models=MODELS, overrides={"duration_days": 1}, workers=1,
                       progress=False, out=out)

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {m: s["duration_days"] for m, s in manifest["scenarios"].items()} == {
        m: 1 for m in MODELS}
    assert manifest["experiment"]["overrides"] == {"duration_days": 1}
    assert steps.groupby("ownership")["day"].max().max() <= 1


def test_overrides_of_loaded_scenarios_match_overrides_of_the_file(tiny: Path) -> None:
    from_file, _ = compare(tiny, 1, models=MODELS, overrides={"company": {"culture": 0.9}},
                           workers=1, progress=False)
    from_loaded, _ = compare(load_models(tiny, MODELS), 1, overrides={"company": {"culture": 0.9}},
                             workers=1, progress=False)

    pd.testing.assert_frame_equal(by_run(from_file), by_run(from_loaded), check_exact=True)


def test_a_bad_override_is_a_scenario_error_naming_the_field(tiny: Path) -> None:
    from scrm_sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match="duration_days"):
        compare(tiny, 1, models=MODELS, overrides={"duration_days": -1}, progress=False)


def test_quiet_compare_writes_nothing_to_stderr(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compare(tiny, 1, models=MODELS, workers=1, progress=False)

    assert capsys.readouterr().err == ""


def test_progress_off_a_terminal_is_the_final_state_only(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compare(tiny, 2, models=MODELS, workers=1, progress=True)  # stderr is captured: no terminal

    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert "4/4 runs" in lines[0] and "\r" not in lines[0]


def test_runs_that_fail_twice_end_compare_with_a_message_and_status_1(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    original = runner.execute_run

    def crash_hybrid(payload: dict) -> dict:
        if payload["scenario"]["ownership"]["name"] == "hybrid":
            raise RuntimeError("boom")
        return original(payload)

    monkeypatch.setattr(runner, "execute_run", crash_hybrid)
    out = tmp_path / "out"

    code = main(["compare", str(tiny), "--models", ",".join(MODELS), "--reps", "2",
                 "--workers", "1", "--quiet", "--out", str(out)])

    err = capsys.readouterr().err
    assert code == 1
    assert "2 of 4 runs failed twice (first: RuntimeError: boom)" in err
    assert "Traceback" not in err
    assert len(load_results(out).summary) == 2  # the finished runs are kept for a rerun
