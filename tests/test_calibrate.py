"""scrm-sim calibrate: the params file's checks, resuming, reproducibility, the outputs, and
a small parameter recovery (the full one is `make validate`)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scrm_sim.calibration.figures import figures_from_posts
from scrm_sim.calibration.simulator import Simulator
from scrm_sim.cli import main
from scrm_sim.scenario import load_scenario

SCENARIO = str(Path(__file__).resolve().parents[1] / "scenarios" / "validation"
               / "calibration_recovery.yaml")
TRUTH = {"demand.volume_multiplier": 4.0, "handling.time_multiplier.question": 2.0}
FAST_PARAMS = {
    "parameters": {"demand.volume_multiplier": {"prior": "log_uniform", "low": 1, "high": 16},
                   "handling.cv": {"prior": "uniform", "low": 0.3, "high": 1.5}},
    "abc": {"population_size": 10, "max_generations": 2, "predictive_draws": 4, "days": 2,
            "statistics": ["posts_per_day", "share_within_sla"]},
}


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Figures of a simulated run of the small scenario at TRUTH (two days, no survey
    figures, so that survey.* statistics are unknown)."""
    path = tmp_path_factory.mktemp("observed") / "observed.yaml"
    figures = Simulator.of(SCENARIO, [], 2.0).figures(TRUTH, seed=99)
    figures.survey = figures.survey.model_copy(update={"nps": None, "satisfaction": None,
                                                       "churn_rate": None})
    figures.write(path)
    return path


def calibrate(observed: Path, params: Path, out: Path, *extra: str) -> int:
    return main(["calibrate", SCENARIO, "--observed", str(observed), "--params", str(params),
                 "--out", str(out), "--workers", "1", "--quiet", *extra])


# --------------------------------------------------------------------------- bad input


def params_with(**changes: dict) -> dict:
    data = json.loads(json.dumps(FAST_PARAMS))
    for section, values in changes.items():
        data[section] = values if section == "parameters" else {**data[section], **values}
    return data


BAD_PARAMS = {
    "low above high": (params_with(parameters={"handling.cv": {"low": 2, "high": 1}}),
                       ["parameters.handling.cv", "low 2 must be below high 1"]),
    "path that does not exist": (
        params_with(parameters={"demand.no_such_field": {"low": 0, "high": 1}}),
        ["parameters.demand.no_such_field", "not a numeric field"]),
    "path that is not a number": (
        params_with(parameters={"demand.diurnal_profile": {"low": 0, "high": 1}}),
        ["parameters.demand.diurnal_profile", "not a numeric field"]),
    "whole-number field": (params_with(parameters={"customers.count": {"low": 10, "high": 99}}),
                           ["parameters.customers.count", "whole-number"]),
    "prior outside the field's range": (
        params_with(parameters={"churn.daily_base_hazard": {"low": 0.5, "high": 2}}),
        ["parameters.churn.daily_base_hazard", "at most 1"]),
    "log-uniform from zero": (
        params_with(parameters={"handling.cv": {"prior": "log_uniform", "low": 0, "high": 1}}),
        ["parameters.handling.cv", "above 0"]),
    "statistic the observed file lacks": (params_with(abc={"statistics": ["survey.nps"]}),
                                          ["abc.statistics.0", "survey.nps"]),
    "unknown statistic": (params_with(abc={"statistics": ["posts_per_dya"]}),
                          ["abc.statistics.0", "did you mean 'posts_per_day'"]),
    "unknown key": (params_with(abc={"populaton_size": 10}), ["abc.populaton_size",
                                                              "unknown key"]),
    "no parameters": (params_with(parameters={}), ["parameters"]),
    "prior whose low end the scenario refuses": (
        params_with(parameters={"staffing_budget_fte": {"low": 0.01, "high": 20}}),
        ["parameters.staffing_budget_fte", "does not load with this parameter at low",
         "cannot staff"]),
}


@pytest.mark.parametrize("case", list(BAD_PARAMS))
def test_a_bad_params_file_exits_2_naming_the_field_and_writes_nothing(
        case: str, observed: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data, expected = BAD_PARAMS[case]
    params = write_yaml(tmp_path / "calib.yaml", data)
    out = tmp_path / "out"
    assert calibrate(observed, params, out) == 2
    message = capsys.readouterr().err
    assert "error: invalid calibration input" in message and str(params) in message
    for text in expected:
        assert text in message
    assert not out.exists()


def test_a_statistic_group_stands_for_its_members_and_none_means_all(observed: Path,
                                                                      tmp_path: Path) -> None:
    from scrm_sim.calibration.observed_file import load_observed
    from scrm_sim.calibration.priors import load_calibration

    figures = load_observed(observed)
    grouped = write_yaml(tmp_path / "grouped.yaml",
                         params_with(abc={"statistics": ["first_response_hours", "reply_rate"]}))
    chosen = load_calibration(grouped, SCENARIO, figures).statistics
    assert chosen == ["first_response_hours.p50", "first_response_hours.p90", "reply_rate"]
    everything = params_with()
    del everything["abc"]["statistics"]
    every = load_calibration(write_yaml(tmp_path / "all.yaml", everything), SCENARIO, figures)
    assert every.statistics == list(figures.statistics()) and every.days == 2.0


def test_missing_files_exit_2_naming_the_option(observed: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture) -> None:
    params = write_yaml(tmp_path / "calib.yaml", FAST_PARAMS)
    assert calibrate(tmp_path / "none.yaml", params, tmp_path / "out") == 2
    assert "--observed: file not found" in capsys.readouterr().err
    assert calibrate(observed, tmp_path / "none.yaml", tmp_path / "out") == 2
    assert "--params: file not found" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_damaged_observed_file_exits_2_naming_its_field(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture) -> None:
    figures = figures_from_posts(pd.DataFrame({"posted_hour": [1.0], "post_type": ["question"],
                                               "first_response_hours": [0.5],
                                               "resolved": [True]}), days=1, sla_hours=1)
    data = figures.model_dump(mode="json") | {"reply_rate": 1.5}
    observed = write_yaml(tmp_path / "observed.yaml", data)
    params = write_yaml(tmp_path / "calib.yaml", FAST_PARAMS)
    assert calibrate(observed, params, tmp_path / "out") == 2
    assert "reply_rate" in capsys.readouterr().err


# --------------------------------------------------------------------------- runs


@pytest.fixture(scope="module")
def runs(observed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """'resumed': one generation, then the same command with max_generations 2;
    'whole' and 'again': two generations at once, twice."""
    folder = tmp_path_factory.mktemp("runs")
    one = params_with(abc={"max_generations": 1})
    params = write_yaml(folder / "calib.yaml", one)
    assert calibrate(observed, params, folder / "resumed") == 0
    first = _populations(folder / "resumed")
    write_yaml(params, FAST_PARAMS)
    assert calibrate(observed, params, folder / "resumed") == 0
    for name in ("whole", "again"):
        assert calibrate(observed, write_yaml(folder / f"{name}.yaml", FAST_PARAMS),
                         folder / name) == 0
    (folder / "first_generation.json").write_text(json.dumps(first))
    return {"folder": folder, "resumed": folder / "resumed", "whole": folder / "whole",
            "again": folder / "again"}


def _populations(out: Path) -> list[list]:
    with sqlite3.connect(out / "abc.db") as db:
        return [list(row) for row in db.execute(
            "select t, epsilon, nr_samples, population_end_time from populations order by t")]


def test_a_rerun_continues_the_stored_generations_without_recomputing_them(
        runs: dict[str, Path]) -> None:
    first = json.loads((runs["folder"] / "first_generation.json").read_text())
    after = _populations(runs["resumed"])
    assert [row[0] for row in after] == [-1, 0, 1]
    assert after[:2] == first  # generation 0 kept as stored, end time included
    assert json.loads((runs["resumed"] / "manifest.json").read_text())["generations"] == 2


def test_a_resumed_run_equals_one_that_never_stopped(runs: dict[str, Path]) -> None:
    pd.testing.assert_frame_equal(pd.read_parquet(runs["resumed"] / "posterior.parquet"),
                                  pd.read_parquet(runs["whole"] / "posterior.parquet"))


def test_one_worker_is_reproducible(runs: dict[str, Path]) -> None:
    pd.testing.assert_frame_equal(pd.read_parquet(runs["whole"] / "posterior.parquet"),
                                  pd.read_parquet(runs["again"] / "posterior.parquet"))
    pd.testing.assert_frame_equal(pd.read_csv(runs["whole"] / "predictive_check.csv"),
                                  pd.read_csv(runs["again"] / "predictive_check.csv"))


def test_another_seed_gives_another_posterior(observed: Path, runs: dict[str, Path]) -> None:
    out = runs["folder"] / "seed5"
    assert calibrate(observed, runs["folder"] / "whole.yaml", out, "--seed", "5") == 0
    assert not pd.read_parquet(out / "posterior.parquet").equals(
        pd.read_parquet(runs["whole"] / "posterior.parquet"))


def test_the_posterior_has_a_column_per_parameter_and_weights_summing_to_one(
        runs: dict[str, Path]) -> None:
    posterior = pd.read_parquet(runs["whole"] / "posterior.parquet")
    assert list(posterior.columns) == ["demand.volume_multiplier", "handling.cv", "weight"]
    assert len(posterior) == 10
    assert posterior["weight"].sum() == pytest.approx(1.0)
    assert posterior["handling.cv"].between(0.3, 1.5).all()
    assert posterior["demand.volume_multiplier"].between(1, 16).all()


def test_every_output_is_written_and_the_manifest_says_complete(runs: dict[str, Path]) -> None:
    from scrm_sim.calibration.calibrate import OUTPUTS

    out = runs["whole"]
    assert all((out / name).stat().st_size > 0 for name in OUTPUTS)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] and manifest["generations"] == 2
    assert manifest["population_size"] == 10 and manifest["seed"] == 0
    assert manifest["parameters"]["handling.cv"] == {"prior": "uniform", "low": 0.3,
                                                     "high": 1.5}
    check = pd.read_csv(out / "predictive_check.csv")
    assert list(check["statistic"]) == ["posts_per_day", "share_within_sla"]


def test_the_calibrated_scenario_loads_with_the_posterior_medians(
        runs: dict[str, Path]) -> None:
    out = runs["whole"]
    summary = pd.read_csv(out / "posterior_summary.csv").set_index("parameter")
    scenario = load_scenario(out / "calibrated.yaml")
    assert scenario.handling.cv == pytest.approx(summary.loc["handling.cv", "median"], rel=1e-5)
    assert scenario.customers.count == 1000  # the rest is the client's scenario
    assert "# Posterior" in (out / "calibrated.yaml").read_text()


def test_changed_inputs_in_an_existing_folder_are_refused_unless_forced(
        observed: Path, runs: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    changed = params_with(parameters={"handling.cv": {"low": 0.3, "high": 1.4}})
    params = write_yaml(runs["folder"] / "changed.yaml", changed)
    before = (runs["again"] / "abc.db").stat().st_mtime_ns
    assert calibrate(observed, params, runs["again"]) == 2
    assert "changed: parameters" in capsys.readouterr().err
    assert (runs["again"] / "abc.db").stat().st_mtime_ns == before
    assert calibrate(observed, params, runs["again"], "--force") == 0
    manifest = json.loads((runs["again"] / "manifest.json").read_text())
    assert manifest["parameters"]["handling.cv"]["high"] == 1.4


def test_a_complete_run_is_not_redone(observed: Path, runs: dict[str, Path],
                                      capsys: pytest.CaptureFixture) -> None:
    before = _populations(runs["whole"])
    assert main(["calibrate", SCENARIO, "--observed", str(observed), "--params",
                 str(runs["folder"] / "whole.yaml"), "--out", str(runs["whole"]),
                 "--workers", "1"]) == 0
    assert "already complete" in capsys.readouterr().err
    assert _populations(runs["whole"]) == before


# --------------------------------------------------------------------------- recovery


def test_a_small_calibration_recovers_known_values_more_sharply_than_the_prior() -> None:
    """One repetition of the recovery check (scrm_sim/calibration/recovery.py): figures
    simulated at known values are calibrated back; each 90% interval covers the truth and
    spans clearly less than the prior (in log scale)."""
    from scrm_sim.calibration.priors import AbcSettings
    from scrm_sim.calibration.recovery import PRIORS, recover

    priors = {name: PRIORS[name] for name in TRUTH}
    result = recover(TRUTH, priors, AbcSettings(population_size=20, max_generations=4), seed=7,
                     statistics=["posts_per_day", "share_within_sla",
                                 "first_response_hours.p50", "first_response_hours.p90"])
    assert result["covered"].all(), result
    assert (result["interval_share_of_prior"] < 0.6).all(), result
    assert np.isfinite(result["median"]).all()


def test_a_scheduler_without_dask_exits_2(observed: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture) -> None:
    params = write_yaml(tmp_path / "calib.yaml", FAST_PARAMS)
    assert calibrate(observed, params, tmp_path / "out", "--scheduler", "tcp://x:8786") == 2
    assert "--scheduler: only used with --executor dask" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
