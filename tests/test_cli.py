"""End to end through ``scrm_sim.cli.main``: run, compare, validate and the user's mistakes.

Every test uses a small scenario (300 customers, 3 days) so a run takes well under a second.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

import scrm_sim
from scrm_sim.cli import EXIT_USER_ERROR, main
from scrm_sim.scenario import load_scenario
from scrm_sim.scenario.removed_fields import REMOVED_FIELDS, RemovedField
from scrm_sim.validation.checks import Check

from .conftest import SCENARIOS

SMALL = """\
name: small
seed: 7
duration_days: 3
ownership: service_led
customers:
  count: 300
  prospects: 100
"""
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def small_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small scenario; the working directory is tmp_path so nothing lands in the repo."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def assert_user_error(
    code: int, capsys: pytest.CaptureFixture[str], out: Path, *expected: str
) -> str:
    """Exit status 2, a message naming each of ``expected``, no traceback, no output folder."""
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert err.startswith("error: ")
    for text in expected:
        assert text in err
    assert "Traceback" not in err
    assert not out.exists()
    return err


# --------------------------------------------------------------------------- run


def test_run_writes_summary_and_steps_as_csv_and_parquet(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    assert main(["run", str(small_file), "--out", str(out), "--quiet"]) == 0

    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 1
    assert summary.loc[0, "ownership"] == "service_led"
    assert summary.loc[0, "seed"] == 7
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"), summary,
                                  check_dtype=False)
    steps = pd.read_csv(out / "steps.csv")
    assert len(steps) == 3 * 24  # one row per hourly step
    assert len(pd.read_parquet(out / "steps.parquet")) == len(steps)


def test_run_writes_agent_records_only_when_asked(small_file: Path, tmp_path: Path) -> None:
    plain, detailed = tmp_path / "plain", tmp_path / "detailed"
    with_records = tmp_path / "records.yaml"
    with_records.write_text(SMALL + "output: {agent_records: true}\n", encoding="utf-8")

    assert main(["run", str(small_file), "--out", str(plain), "--quiet"]) == 0
    assert main(["run", str(with_records), "--out", str(detailed), "--quiet"]) == 0

    assert not (plain / "customer_records.csv").exists()
    customers = pd.read_csv(detailed / "customer_records.csv")
    assert len(customers) == 400  # 300 customers + 100 prospects
    staff = pd.read_csv(detailed / "staff_records.csv")
    assert set(staff["day"]) == {1, 2, 3}


def test_run_manifest_records_seed_version_and_resolved_scenario(
    small_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    assert main(["run", str(small_file), "--out", str(out), "--seed", "5", "--quiet"]) == 0

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 5
    assert manifest["scrm_sim_version"] == scrm_sim.__version__
    assert manifest["scenario"]["name"] == "small"
    assert manifest["scenario"]["customers"]["count"] == 300
    assert manifest["scenario"]["ownership"]["name"] == "service_led"


def test_same_seed_gives_identical_summary_except_wall_seconds(
    small_file: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"

    assert main(["run", str(small_file), "--out", str(first), "--quiet"]) == 0
    assert main(["run", str(small_file), "--out", str(second), "--quiet"]) == 0

    a = pd.read_csv(first / "summary.csv").drop(columns="wall_seconds")
    b = pd.read_csv(second / "summary.csv").drop(columns="wall_seconds")
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_different_seed_changes_the_summary(small_file: Path, tmp_path: Path) -> None:
    # guards the reproducibility test above: the summary does depend on the seed
    first, second = tmp_path / "first", tmp_path / "second"

    assert main(["run", str(small_file), "--out", str(first), "--seed", "1", "--quiet"]) == 0
    assert main(["run", str(small_file), "--out", str(second), "--seed", "2", "--quiet"]) == 0

    a = pd.read_csv(first / "summary.csv").drop(columns=["wall_seconds", "seed"])
    b = pd.read_csv(second / "summary.csv").drop(columns=["wall_seconds", "seed"])
    assert not a.equals(b)


# --------------------------------------------------------------------------- compare


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small paired comparison, shared by the compare tests."""
    folder = tmp_path_factory.mktemp("compare")
    path = folder / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    out = folder / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["compare", str(path), "--models", "marketing_led,service_led", "--reps",
                     "2", "--workers", "1", "--quiet", "--out", str(out)])
    assert code == 0
    (folder / "stdout.txt").write_text(printed.getvalue(), encoding="utf-8")
    return out


def test_compare_writes_comparison_and_timeseries_figures(compared: Path) -> None:
    for name in ("comparison.png", "timeseries.png"):
        assert (compared / name).read_bytes().startswith(PNG_MAGIC), name


def test_compare_summary_has_one_row_per_model_and_replication(compared: Path) -> None:
    summary = pd.read_csv(compared / "summary.csv")

    assert len(summary) == 4
    assert summary.groupby("ownership").size().to_dict() == {"marketing_led": 2,
                                                             "service_led": 2}
    assert len(pd.read_parquet(compared / "summary.parquet")) == 4


def test_compare_runs_every_model_on_the_same_seeds(compared: Path) -> None:
    summary = pd.read_csv(compared / "summary.csv")

    seeds = {model: sorted(group["seed"]) for model, group in summary.groupby("ownership")}
    assert seeds["marketing_led"] == seeds["service_led"]
    assert len(set(seeds["service_led"])) == 2  # two distinct replications
    by_rep = summary.groupby("replication")["seed"].nunique()
    assert (by_rep == 1).all()  # replication r of each model has the same seed


def test_compare_prints_its_table_in_plain_names_and_units_even_when_quiet(
    compared: Path
) -> None:
    printed = (compared.parent / "stdout.txt").read_text(encoding="utf-8")
    lines = printed.splitlines()
    summary = pd.read_csv(compared / "summary.csv")

    assert lines[0] == "mean of 2 replications per model"
    assert lines[1].split() == ["Marketing-led", "Service-led"]
    satisfaction = next(x for x in lines
                        if x.startswith("customer satisfaction at the end (0–100)"))
    means = summary.groupby("ownership")["satisfaction_final"].mean()
    assert satisfaction.split()[-2:] == [f"{100 * means['marketing_led']:.1f}",
                                         f"{100 * means['service_led']:.1f}"]
    assert "share_within_sla" not in printed and "marketing_led" not in printed


def test_the_results_table_shows_display_units_and_thousands_without_decimals(
    capsys: pytest.CaptureFixture[str]
) -> None:
    from scrm_sim.cli import _print_summary

    _print_summary(pd.DataFrame([{"ownership": "ceo_led", "share_within_sla": 0.253,
                                  "satisfaction_final": 0.7051, "cost": 105460.0}]))

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].strip() == "CEO-led"  # one run: no "mean of" line
    assert lines[1].split("   ")[0] == "answered within the SLA (% of posts)"
    assert lines[1].endswith(" 25.3")
    assert lines[2].endswith(" 70.5")  # satisfaction on 0–100
    assert lines[3].startswith("cost of social staff (currency units)")
    assert lines[3].endswith(" 105,460")


# --------------------------------------------------------------------------- --days


def test_run_with_days_simulates_that_many_days_and_prints_its_table_when_quiet(
    small_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    assert main(["run", str(small_file), "--days", "2", "--out", str(out), "--quiet"]) == 0

    assert len(pd.read_csv(out / "steps.csv")) == 2 * 24
    assert json.loads((out / "manifest.json").read_text())["scenario"]["duration_days"] == 2
    captured = capsys.readouterr()
    assert "answered within the SLA (% of posts)" in captured.out
    assert captured.err == ""  # quiet: no progress, no chatter


def test_compare_with_days_runs_every_model_that_many_days(
    small_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"

    assert main(["compare", str(small_file), "--models", "service_led,hybrid", "--reps", "1",
                 "--days", "1", "--workers", "1", "--quiet", "--out", str(out)]) == 0

    scenarios = json.loads((out / "manifest.json").read_text())["scenarios"]
    assert {m: s["duration_days"] for m, s in scenarios.items()} == {"service_led": 1,
                                                                     "hybrid": 1}


@pytest.mark.parametrize("command", ["run", "compare"])
@pytest.mark.parametrize("days", ["0", "-2", "x", "nan", "4000", "0.01"])
def test_a_bad_days_value_exits_2_naming_the_option(
    command: str, days: str, small_file: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    with pytest.raises(SystemExit) as info:
        main([command, str(small_file), "--days", days, "--out", str(out)])

    err = capsys.readouterr().err
    assert info.value.code == EXIT_USER_ERROR
    assert "argument --days: must be a number of days" in err
    assert "Traceback" not in err and not out.exists()


# --------------------------------------------------------------------------- report --out


def test_report_out_names_the_figures_beside_the_html_it_wrote(
    compared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    import scrm_sim.analysis.report as report

    def build_report(results: Path, out: Path | None = None) -> Path:
        out.write_text("<html></html>", encoding="utf-8")
        return out

    monkeypatch.setattr(report, "build_report", build_report)
    html = tmp_path / "new" / "folder" / "client.html"  # a folder that does not exist yet

    assert main(["report", str(compared), "--out", str(html)]) == 0

    err = capsys.readouterr().err
    assert err.strip() == f"wrote {html} (figures as PNG and SVG in {html.parent / 'figures'})"


def test_report_out_refuses_a_file_that_is_not_a_report_and_leaves_it_alone(
    compared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.html"
    notes.write_text("<html><title>my notes</title></html>", encoding="utf-8")

    code = main(["report", str(compared), "--out", str(notes)])

    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR and "--out: exists and is not a report" in err
    assert notes.read_text(encoding="utf-8") == "<html><title>my notes</title></html>"
    assert not (tmp_path / "figures").exists()


def test_report_out_must_name_an_html_file(
    compared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", str(compared), "--out", str(tmp_path / "report.txt")])

    assert code == EXIT_USER_ERROR and "must end in .html" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_schema_with_an_empty_out_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    with pytest.raises(SystemExit) as info:
        main(["schema", "--out", ""])

    assert info.value.code == EXIT_USER_ERROR
    assert "argument --out: is empty" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- validate


def test_validate_prints_resolved_yaml_that_round_trips(
    small_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(small_file)]) == 0

    printed = capsys.readouterr().out
    data = yaml.safe_load(printed)
    assert "duration_days: 3.0" in printed and "# days · Simulated days" in printed
    assert data["ownership"]["name"] == "service_led"
    assert data["ownership"]["front_line"] == {"service": 4}  # the preset, fully resolved
    assert data["customers"]["count"] == 300
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(printed, encoding="utf-8")
    assert load_scenario(resolved) == load_scenario(small_file)


def _erlang_checks(last_p: float) -> list[Check]:
    """62 test checks: 61 clear passes and one that fails on its own with p-value ``last_p``."""
    passes = [Check("Erlang C", f"case {i}", 1.0, 1.0, 0.9, 1.1, "rule", True, 0.5)
              for i in range(61)]
    return passes + [Check("Erlang C", "unlucky case", 1.0, 1.2, 1.05, 1.3, "rule", False, last_p)]


@pytest.mark.parametrize("last_p, status, verdict", [(0.004, 0, "PASS"), (1e-6, 1, "FAIL")])
def test_validate_model_exits_by_the_family_wise_verdict_not_by_single_checks(
    last_p: float, status: int, verdict: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # one failure in 62 at p = 0.004 is chance (Holm p = 0.25); at p = 1e-6 it is not
    import scrm_sim.validation

    monkeypatch.setattr(scrm_sim.validation, "run_checks",
                        lambda full, progress: _erlang_checks(last_p))
    out = tmp_path / "validation"

    assert main(["validate-model", "--quiet", "--out", str(out)]) == status

    printed = capsys.readouterr().out
    assert "61/62 checks pass on their own" in printed
    assert f"family-wise verdict at 1% (Holm over 62 tests, 62 hypotheses): {verdict}" in printed
    unlucky = next(line for line in printed.splitlines() if line.startswith("unlucky case"))
    assert unlucky.split()[-2:] == ["fail", "pass" if status == 0 else "FAIL"]
    written = pd.read_csv(out / "validation.csv")
    assert written["holm_p"].iloc[-1] == pytest.approx(min(1.0, 62 * last_p))
    assert json.loads((out / "manifest.json").read_text())["passed"] is (status == 0)


# --------------------------------------------------------------------------- user errors


def test_run_with_invalid_yaml_exits_2_naming_file_and_line(
    small_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nownership: [service_led\n", encoding="utf-8")
    out = tmp_path / "out"

    code = main(["run", str(bad), "--out", str(out), "--quiet"])

    assert_user_error(code, capsys, out, "bad.yaml", "line 3", "not valid YAML")


def test_compare_with_unknown_model_exits_2_before_running(
    small_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    code = main(["compare", str(small_file), "--models", "marketing_led,no_such_model",
                 "--reps", "1", "--workers", "1", "--out", str(out)])

    err = assert_user_error(code, capsys, out, "unknown ownership model 'no_such_model'")
    assert "marketing_led" in err.split("known:", 1)[1]
    assert "[1/" not in err  # no replication started


def test_run_with_missing_file_exits_2_naming_the_file(
    small_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    code = main(["run", str(tmp_path / "missing.yaml"), "--out", str(out), "--quiet"])

    assert_user_error(code, capsys, out, "missing.yaml", "not found")


def test_reps_zero_is_rejected_by_argparse_with_status_2(
    small_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    with pytest.raises(SystemExit) as info:
        main(["compare", str(small_file), "--reps", "0", "--out", str(out)])

    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--reps" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_run_with_out_naming_an_existing_file_exits_2(
    small_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "taken"
    out.write_text("not a folder", encoding="utf-8")

    code = main(["run", str(small_file), "--out", str(out), "--quiet"])

    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert "taken" in err
    assert out.read_text(encoding="utf-8") == "not a folder"


# --------------------------------------------------------------------------- removed fields
# An old file that still sets a field the schema dropped gets the removed-fields table's
# message: exit 2, the file, the field path and what replaces it, nothing written. The
# "retired" cases put a table entry on a field the schema really lacks, so they hold today;
# the "issue 12" cases use the real entries and pass once issue 12's schema drops them.

OLD_SCENARIO = "name: old\nduration_days: 1\ncustomers: {count: 200, prospects: 50}\n"
OLD_EXPERIMENT = f"""\
name: old
scenario: {SCENARIOS / "baseline.yaml"}
overrides: {{duration_days: 1, customers: {{count: 200, prospects: 50}}}}
models: [service_led]
replications: 1
factors:
  - path: outcomes.KEY
    values: [VALUE]
"""
# id: (command, schema class, real key, VALUE, file text, field path, real replacement);
# KEY and VALUE in the text and the path stand for the removed field and a value of it
REMOVED_CASES = {
    "inline_ownership": (
        "validate", "Ownership", "owner", "marketing",
        OLD_SCENARIO + "ownership: {KEY: VALUE}\n", "ownership.KEY", "front_line"),
    "stage_ownership": (
        "validate", "Ownership", "owner", "marketing",
        OLD_SCENARIO + "ownership:\n  stages:\n    - ownership: {KEY: VALUE}\n"
        "      when: {after_day: 1}\n",
        "ownership.stages.0.ownership.KEY", "front_line"),
    "outcomes": (
        "run", "Outcomes", "learning_rate", "{complaint: 0.5}",
        OLD_SCENARIO + "ownership: service_led\noutcomes: {KEY: VALUE}\n",
        "outcomes.KEY", "outcomes.reply_gain"),
    "renamed_outcome": (
        "validate", "Outcomes", "acknowledgement_utility", "0.5",
        OLD_SCENARIO + "ownership: service_led\noutcomes: {KEY: VALUE}\n",
        "outcomes.KEY", "outcomes.acknowledgement_share"),
    "experiment_factor": (
        "experiment", "Outcomes", "learning_rate", "{complaint: 0.5}",
        OLD_EXPERIMENT, "factors.0.path (outcomes.KEY)", "outcomes.reply_gain"),
}


def _removed_field_exits_2(
    case: str, key: str, replacement: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command, _, _, value, text, field, _ = REMOVED_CASES[case]
    path = tmp_path / "old.yaml"
    path.write_text(text.replace("KEY", key).replace("VALUE", value), encoding="utf-8")
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out), "--quiet"] if command != "validate" else [])

    code = main(args)

    captured = capsys.readouterr()
    assert code == EXIT_USER_ERROR, captured.err
    assert captured.out == ""  # no partial output
    assert "Traceback" not in captured.err
    assert "old.yaml" in captured.err
    assert f"{field.replace('KEY', key)}: removed in " in captured.err
    assert replacement in captured.err
    assert "unknown key" not in captured.err
    assert not out.exists()


@pytest.mark.parametrize("case", REMOVED_CASES)
def test_a_retired_field_exits_2_naming_file_field_and_replacement(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    schema_class = REMOVED_CASES[case][1]
    monkeypatch.setitem(REMOVED_FIELDS, (schema_class, "retired_field"),
                        RemovedField("issue 99", "renamed `new.home`"))

    _removed_field_exits_2(case, "retired_field", "renamed `new.home`", tmp_path, capsys)


@pytest.mark.parametrize("case", REMOVED_CASES)
def test_an_issue_12_field_exits_2_naming_file_field_and_replacement(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, key, _, _, _, replacement = REMOVED_CASES[case]

    _removed_field_exits_2(case, key, replacement, tmp_path, capsys)
