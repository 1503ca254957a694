"""Hostile names and paths (issue 14, classes 2 and 3): results stay inside their folder,
``--out`` is checked before anything runs, no job overwrites another's results, and every
user-caused failure is one message with exit status 2 and nothing left behind, while a
genuine bug shows its traceback and says it is one."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from rich.console import Console

from scrm_sim import cli
from scrm_sim.cli import main
from scrm_sim.experiment.output import write_results
from scrm_sim.experiment.progress import RunProgress
from scrm_sim.paths import safe_name

from .conftest import SCENARIOS

TINY = {"extends": str(SCENARIOS / "baseline.yaml"), "name": "tiny", "seed": 3,
        "duration_days": 2, "customers": {"count": 300, "prospects": 100}}
MODELS = "marketing_led,hybrid"


def scenario_file(folder: Path, name: str = "tiny") -> Path:
    """A two-day scenario of 400 people called ``name``."""
    path = folder / f"scenario-{safe_name(name)}.yaml"
    path.write_text(yaml.safe_dump({**TINY, "name": name}), encoding="utf-8")
    return path


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to show nothing was added or changed."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def read_only_folder(path: Path) -> Path:
    """A folder this process cannot write into; skips the test where that cannot be had."""
    path.mkdir()
    path.chmod(0o555)
    if os.access(path, os.W_OK):  # root ignores permission bits
        path.chmod(0o755)
        pytest.skip("running as root: a read-only folder is still writable")
    return path


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The results folder of a tiny comparison (2 models, 2 replications), made once."""
    folder = tmp_path_factory.mktemp("compared")
    out = folder / "results"
    assert main(["compare", str(scenario_file(folder)), "--models", MODELS, "--reps", "2",
                 "--workers", "1", "--quiet", "--out", str(out)]) == 0
    return out


@pytest.fixture
def results(compared: Path, tmp_path: Path) -> Path:
    """A private copy of the comparison's results folder, to damage."""
    return Path(shutil.copytree(compared, tmp_path / "results"))


# ----------------------------------------------------------------------- names as folders


@pytest.mark.parametrize("name", ["..", "../..", "../../etc", "/etc/passwd", "/", ".hidden",
                                  "\x1b[2J", "", "...", "a/../../b", "-rf", "C:\\Windows"])
def test_a_name_becomes_a_non_empty_slug_that_stays_inside_its_folder(
    name: str, tmp_path: Path
) -> None:
    slug = safe_name(name)

    assert slug and not slug.startswith((".", "-")) and ".." not in slug
    assert "/" not in slug and "\\" not in slug and slug.isprintable()
    assert (tmp_path / slug).resolve().parent == tmp_path.resolve()


def test_a_scenario_named_dot_dot_runs_into_a_folder_under_results_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = scenario_file(tmp_path, "..")
    monkeypatch.chdir(tmp_path)

    assert main(["run", str(scenario), "--quiet"]) == 0

    assert not (tmp_path / "summary.csv").exists()
    assert (tmp_path / "results" / "results" / "summary.csv").is_file()


def test_an_experiment_named_like_a_path_writes_under_results_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    experiment = work / "exp.yaml"
    experiment.write_text(yaml.safe_dump({
        "name": "../../escaped", "scenario": str(scenario_file(tmp_path)),
        "models": ["hybrid"], "replications": 1}), encoding="utf-8")
    monkeypatch.chdir(work)

    assert main(["experiment", str(experiment), "--workers", "1", "--quiet"]) == 0

    assert not (tmp_path / "escaped").exists()
    assert (work / "results" / "escaped" / "manifest.json").is_file()


# ----------------------------------------------------------------- --out checked up front


def hostile_out_commands(scenario: Path, results: Path, out: Path) -> dict[str, list[str]]:
    """Every command that takes --out, with ``out`` as its --out (tiny settings)."""
    experiment = scenario.with_name("exp.yaml")
    experiment.write_text(yaml.safe_dump({"name": "e", "scenario": str(scenario),
                                          "models": ["hybrid"], "replications": 1}))
    return {
        "run": ["run", str(scenario), "--quiet", "--out", str(out)],
        "compare": ["compare", str(scenario), "--models", MODELS, "--reps", "2", "--workers",
                    "1", "--quiet", "--out", str(out)],
        "experiment": ["experiment", str(experiment), "--workers", "1", "--quiet", "--out",
                       str(out)],
        "validate-model": ["validate-model", "--quiet", "--out", str(out)],
        "decompose": ["decompose", str(scenario), "marketing_led", "hybrid", "--reps", "2",
                      "--workers", "1", "--quiet", "--out", str(out)],
        "report": ["report", str(results), "--out", str(out / "report.html")],
    }


@pytest.mark.parametrize("command", ["run", "compare", "experiment", "validate-model",
                                     "decompose", "report"])
def test_an_out_under_a_file_is_refused_naming_out_before_anything_runs(
    command: str, results: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", encoding="utf-8")
    ran = []
    monkeypatch.setattr("scrm_sim.experiment.runs.run_scenario",
                        lambda *a, **k: ran.append(a) or pytest.fail("a run started"))
    argv = hostile_out_commands(scenario_file(tmp_path), results, a_file / "out")[command]
    before = listing(tmp_path)

    code = main(argv)

    err = capsys.readouterr().err
    assert code == 2 and "--out" in err and "notes.txt" in err and "which is a file" in err
    assert "Traceback" not in err and ran == []
    assert listing(tmp_path) == before  # nothing written, the file untouched


@pytest.mark.parametrize("command", ["run", "validate-model"])
def test_the_root_of_the_file_system_is_refused_as_out(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root_before = sorted(p.name for p in Path("/").iterdir())

    code = main(hostile_out_commands(scenario_file(tmp_path), tmp_path, Path("/"))[command])

    err = capsys.readouterr().err
    assert code == 2 and "--out: is the root of the file system" in err
    assert sorted(p.name for p in Path("/").iterdir()) == root_before


def test_a_read_only_out_folder_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = read_only_folder(tmp_path / "locked")

    code = main(["run", str(scenario_file(tmp_path)), "--quiet", "--out", str(locked / "x")])

    err = capsys.readouterr().err
    assert code == 2 and "--out" in err and "not writable" in err
    assert list(locked.iterdir()) == []


# --------------------------------------------------------- another job's folder is its own


def test_a_run_into_another_jobs_results_is_refused_and_changes_nothing(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = listing(results)

    code = main(["run", str(scenario_file(tmp_path)), "--quiet", "--out", str(results)])

    err = capsys.readouterr().err
    assert code == 2 and "--out" in err and "another job (compare of" in err
    assert "--force" in err
    assert listing(results) == before


def test_a_run_into_a_non_empty_folder_without_a_manifest_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "summary.csv").write_text("precious", encoding="utf-8")

    code = main(["run", str(scenario_file(tmp_path)), "--quiet", "--out", str(folder)])

    assert code == 2 and "holds no results of this job" in capsys.readouterr().err
    assert (folder / "summary.csv").read_text(encoding="utf-8") == "precious"


def test_force_replaces_another_jobs_folder_as_a_whole_leaving_no_temporary_folder(
    results: Path, tmp_path: Path
) -> None:
    assert main(["run", str(scenario_file(tmp_path)), "--quiet", "--force", "--out",
                 str(results)]) == 0

    manifest = json.loads((results / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "run"
    assert not (results / "summary").exists() and not (results / "comparison.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "scenario-tiny.yaml"]


def test_a_rerun_of_the_same_run_may_rewrite_its_own_folder(tmp_path: Path) -> None:
    command = ["run", str(scenario_file(tmp_path)), "--quiet", "--out", str(tmp_path / "out")]

    assert main(command) == 0
    assert main(command) == 0


def test_a_compare_into_a_run_folder_is_refused_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario, out = scenario_file(tmp_path), tmp_path / "out"
    assert main(["run", str(scenario), "--quiet", "--out", str(out)]) == 0
    before = listing(out)

    code = main(["compare", str(scenario), "--models", MODELS, "--reps", "2", "--workers", "1",
                 "--quiet", "--out", str(out)])

    assert code == 2 and "another job (run of" in capsys.readouterr().err
    assert listing(out) == before


def test_compare_with_force_replaces_a_run_folder_by_its_own_results_store(
    tmp_path: Path
) -> None:
    scenario, out = scenario_file(tmp_path), tmp_path / "out"
    assert main(["run", str(scenario), "--quiet", "--out", str(out)]) == 0

    assert main(["compare", str(scenario), "--models", MODELS, "--reps", "1", "--workers", "1",
                 "--quiet", "--force", "--out", str(out)]) == 0

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "compare" and manifest["status"] == "complete"
    assert len(pd.read_parquet(out / "summary.parquet")) == 2  # the run's single row is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "scenario-tiny.yaml"]


# ------------------------------------------------------------------- report, damaged results


def damage(results: Path, how: str) -> str:
    """Damage one file of a results folder; returns the name the message must give."""
    part = sorted((results / "summary").glob("*.parquet"))[0]
    if how == "corrupt parquet":
        part.write_bytes(b"PAR1 this is not parquet PAR1")
        return part.name
    if how == "truncated parquet":
        part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
        return part.name
    (results / "manifest.json").write_text('{"command": "compare", "mod', encoding="utf-8")
    return "manifest.json"


@pytest.mark.parametrize("how", ["corrupt parquet", "truncated parquet", "corrupt manifest"])
def test_report_on_damaged_results_names_the_file_as_invalid_results_and_writes_nothing(
    how: str, results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    named = damage(results, how)
    before = listing(results)

    code = main(["report", str(results)])

    err = capsys.readouterr().err
    assert code == 2 and "invalid results" in err and named in err
    assert "invalid scenario" not in err and "Traceback" not in err
    assert listing(results) == before and not (results / "figures").exists()


def test_report_out_naming_an_existing_folder_is_refused_and_leaves_nothing(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target"
    target.mkdir()
    before = listing(results)

    code = main(["report", str(results), "--out", str(target)])

    err = capsys.readouterr().err
    assert code == 2 and "--out" in err and "is a folder" in err
    assert list(target.iterdir()) == [] and not (tmp_path / ".target.tmp").exists()
    assert listing(results) == before and not (results / "figures").exists()


def test_report_on_a_read_only_results_folder_says_invalid_results(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = read_only_folder(tmp_path / "locked")
    locked.chmod(0o755)
    shutil.copytree(results, locked / "r")
    (locked / "r").chmod(0o555)
    try:
        code = main(["report", str(locked / "r")])
    finally:
        (locked / "r").chmod(0o755)

    err = capsys.readouterr().err
    assert code == 2 and "invalid results" in err and "read-only" in err
    assert not (locked / "r" / "figures").exists()


# ------------------------------------------------------------------------ the error boundary


def test_a_genuine_bug_shows_its_traceback_and_says_it_is_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("an internal invariant broke")

    monkeypatch.setattr(cli, "_validate", broken)

    code = main(["validate", str(scenario_file(tmp_path))])

    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" in err and "RuntimeError: an internal invariant broke" in err
    assert "bug in scrm_sim" in err and "maintainers" in err


def test_a_path_that_cannot_be_written_is_the_users_problem_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def denied(args: object) -> int:
        raise PermissionError(13, "Permission denied", "/srv/shared/summary.csv")

    monkeypatch.setattr(cli, "_validate", denied)

    code = main(["validate", str(scenario_file(tmp_path))])

    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip() == "error: cannot use /srv/shared/summary.csv: Permission denied"


# --------------------------------------------------------------- terminals and spreadsheets


def test_terminal_escape_codes_in_a_name_are_printed_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = scenario_file(tmp_path, "evil\x1b[2J\x1b]0;owned\x07")

    assert main(["validate", str(scenario)]) == 0

    captured = capsys.readouterr()
    assert "\x1b" not in captured.err + captured.out and "\x07" not in captured.err
    assert "evil\\x1b[2J" in captured.err


def test_a_failed_run_is_reported_with_the_escape_codes_of_its_model_name_escaped() -> None:
    stream = io.StringIO()
    progress = RunProgress(True, Console(file=stream, force_terminal=False))

    progress.failed(SimpleNamespace(key="k", point=0, model="evil\x1b[2J", seed=1), "boom\x07")

    assert "\x1b" not in stream.getvalue() and "evil\\x1b[2J" in stream.getvalue()


def test_text_that_a_spreadsheet_would_run_is_quoted_in_csv_but_kept_raw_in_parquet(
    tmp_path: Path
) -> None:
    table = pd.DataFrame({"scenario": ["=HYPERLINK(\"x\")", "+1", "-cmd", "@SUM(A1)", "plain"],
                          "churn": [-0.5, 0.1, 0.2, 0.3, 0.4]})

    write_results(tmp_path / "out", {"summary": table}, {}, None)

    csv = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert csv["scenario"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-cmd", "'@SUM(A1)",
                                        "plain"]
    assert csv["churn"].tolist() == table["churn"].tolist()  # numbers are not text
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / "summary.parquet"), table)
