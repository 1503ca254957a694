"""Where a difference comes from: Shapley contributions of parameter groups, the
decompose command and the report's section.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scrm_sim.analysis import decomposition
from scrm_sim.analysis.decomposition import (
    LABEL_FIELDS,
    PARAMETER_GROUPS,
    Decomposition,
    check_metrics,
    contribution_table,
    decompose,
    even_permutations,
    explicit_shift,
    load_decomposition,
    plan_runs,
    sampled_orders,
)
from scrm_sim.cli import EXIT_USER_ERROR, main
from scrm_sim.errors import ScenarioError
from scrm_sim.experiment.runs import run_scenario
from scrm_sim.scenario import Ownership, Scenario, deep_merge

from .conftest import SCENARIOS, SMALL, small_scenario

TINY = {"customers": {"count": 300, "prospects": 150}, "duration_days": 2}
METRICS = ("share_within_sla", "satisfaction_final", "cost")
# B differs from A (service_led) in three groups: opening hours, acknowledgement, listening
B_CHANGES = {"acknowledge_handoffs": False, "front_line_shift": "business",
             "listening": {"coverage": 0.95}}


def tiny(ownership: str = "service_led", changes: dict | None = None) -> Scenario:
    return small_scenario(ownership, changes, **TINY)


def run(a: Ownership, b: Ownership, **options: object) -> Decomposition:
    options = {"metrics": METRICS, "replications": 2, "workers": 1, "progress": False,
               **options}
    return decompose(tiny(), a, b, **options)


def group_sums(result: Decomposition) -> pd.DataFrame:
    """Per seed and metric: the sum of the groups' contributions, the total, from and to."""
    wide = result.replications.pivot_table(index=["seed", "metric"], columns="group",
                                           values="value")
    return pd.DataFrame({"groups": wide[list(PARAMETER_GROUPS)].sum(axis=1),
                         "total": wide["total"], "from": wide["from"], "to": wide["to"]})


@pytest.fixture(scope="module")
def a() -> Ownership:
    return tiny().ownership


@pytest.fixture(scope="module")
def b() -> Ownership:
    return tiny(changes=B_CHANGES).ownership


@pytest.fixture(scope="module")
def exact(a, b) -> Decomposition:
    return run(a, b)


@pytest.fixture(scope="module")
def sampled(a, b) -> Decomposition:
    return run(a, b, exact_up_to=0, permutations=2)


# --------------------------------------------------------------------------- the groups


def test_every_ownership_field_is_in_exactly_one_group_or_the_labels():
    listed = [f for fields in PARAMETER_GROUPS.values() for f in fields] + list(LABEL_FIELDS)

    assert sorted(listed) == sorted(Ownership.model_fields)


def test_a_null_front_line_shift_is_written_out_as_the_front_line_departments_shift():
    scenario = tiny("marketing_led")

    assert scenario.ownership.front_line_shift is None
    assert explicit_shift(scenario.ownership, scenario.company).front_line_shift == "business"


def test_a_front_line_from_departments_on_different_shifts_keeps_a_null_shift():
    scenario = tiny("ceo_led")  # service (extended) and marketing (business)

    assert explicit_shift(scenario.ownership, scenario.company).front_line_shift is None


def test_writing_out_the_front_line_shift_does_not_change_a_run():
    scenario = tiny("marketing_led")
    written = scenario.model_copy(
        update={"ownership": explicit_shift(scenario.ownership, scenario.company)})

    assert pd.Series(run_scenario(written, 3).summary).equals(
        pd.Series(run_scenario(scenario, 3).summary))


# --------------------------------------------------------------------------- Shapley values


def test_the_groups_that_differ_are_the_players(exact):
    assert exact.players == ["opening_hours", "acknowledgement", "listening"]
    assert exact.method == "exact"


def test_contributions_add_up_to_each_seeds_paired_difference(exact, a, b):
    sums = group_sums(exact)
    seed = exact.seeds[0]
    with_a = run_scenario(tiny().model_copy(update={"ownership": a}), seed).summary
    with_b = run_scenario(tiny().model_copy(update={"ownership": b}), seed).summary

    assert np.allclose(sums["groups"], sums["total"], rtol=1e-12, atol=1e-9)
    assert np.allclose(sums["total"], sums["to"] - sums["from"], rtol=1e-12, atol=1e-9)
    for metric in METRICS:  # the ends are plain runs of A and B on that seed
        assert sums.loc[(seed, metric), "from"] == pytest.approx(with_a[metric], rel=1e-12)
        assert sums.loc[(seed, metric), "to"] == pytest.approx(with_b[metric], rel=1e-12)


def test_sampled_orders_also_add_up_exactly_for_every_seed(sampled):
    sums = group_sums(sampled)

    assert sampled.method == "sampled permutations"
    assert np.allclose(sums["groups"], sums["total"], rtol=1e-12, atol=1e-9)


def test_a_group_identical_in_a_and_b_contributes_exactly_zero(exact):
    per_rep = exact.replications
    alike = [g for g in PARAMETER_GROUPS if g not in exact.players]

    assert (per_rep[per_rep["group"].isin(alike)]["value"] == 0.0).all()
    table = exact.table.set_index(["metric", "group"])
    assert not table.loc[("cost", "handoffs"), "differs"]
    assert table.loc[("cost", "handoffs"), ["mean", "ci_low", "ci_high"]].tolist() == [0, 0, 0]


def test_swapping_a_and_b_negates_every_contribution(sampled, a, b):
    # sampled orders come in antithetic pairs, so this holds for them too (exact: trivially)
    backward = run(b, a, exact_up_to=0, permutations=2)

    there = sampled.replications.set_index(["seed", "metric", "group"])["value"]
    back = backward.replications.set_index(["seed", "metric", "group"])["value"]
    groups = there.index.get_level_values("group").isin(list(PARAMETER_GROUPS) + ["total"])
    assert np.allclose(back[groups], -there[groups], rtol=1e-12, atol=1e-9)


def per_replication(values: dict[str, list[float]]) -> pd.DataFrame:
    """Replication rows of one metric as decompose writes them: from, every group, total, to."""
    groups = ["from", *PARAMETER_GROUPS, "total", "to"]
    return pd.DataFrame([{"replication": r, "seed": 100 + r, "metric": "m", "group": g,
                          "value": values.get(g, [0.0] * 3)[r]}
                         for r in range(3) for g in groups])


# from + listening + opening_hours = to, seed by seed; replication 1 lost its "to" value
WITH_A_NAN = {"from": [1.0, 2.0, 3.0], "listening": [0.5, 0.7, 0.2],
              "opening_hours": [0.1, 0.4, 0.9], "total": [0.6, 1.1, 1.1],
              "to": [1.6, np.nan, 4.1]}


def test_contributions_still_add_up_to_the_total_when_a_replication_has_a_nan():
    table = contribution_table(per_replication(WITH_A_NAN), "A", "B",
                               ["opening_hours", "listening"]).set_index("group")

    groups = table[table["role"] == "group"]
    assert groups["mean"].sum() == pytest.approx(table.loc["total", "mean"], rel=1e-12)
    assert table.loc["to", "mean"] - table.loc["from", "mean"] == pytest.approx(
        table.loc["total", "mean"], rel=1e-12)
    assert (table["replications"] == 2).all()


def test_the_replications_dropped_for_a_nan_are_recorded_in_the_table_and_manifest():
    table = contribution_table(per_replication(WITH_A_NAN), "A", "B",
                               ["opening_hours", "listening"])
    result = Decomposition(a="A", b="B", players=["opening_hours", "listening"],
                           metrics=["m"], table=table, replications=pd.DataFrame(),
                           method="exact", permutations=None, seeds=[100, 101, 102], runs=12,
                           wall_seconds=0.0)

    assert (table["dropped"] == 1).all()
    assert result.manifest()["replications_dropped"] == {"m": 1}


def test_fewer_than_two_replications_are_refused_before_any_run(monkeypatch, a, b):
    monkeypatch.setattr(decomposition, "_run_all", lambda *_: pytest.fail("a run started"))

    with pytest.raises(ValueError, match="at least 2 replications"):
        run(a, b, replications=1)


def test_an_odd_number_of_permutations_is_rounded_up_to_even():
    assert [even_permutations(p) for p in (1, 2, 3, 8, 9)] == [2, 2, 4, 8, 10]
    assert even_permutations(None) == decomposition.DEFAULT_PERMUTATIONS
    assert len(sampled_orders(7, 8, 3)) == 4
    assert plan_runs(8, 2, 3, exact_up_to=0) == plan_runs(8, 2, 4, exact_up_to=0)


def test_the_runs_are_shown_by_the_shared_progress_display(monkeypatch, capsys):
    # a stand-in run: the display, not the model, is under test
    monkeypatch.setattr(decomposition, "_run_payload", lambda payload: {"m": 1.0})

    decomposition._run_all([(0, 11), (1, 11), (0, 12), (1, 12)], {0: {}, 1: {}}, ["m"],
                           workers=1, progress=True)

    err = capsys.readouterr().err
    assert "replications 2/2" in err and "4/4" in err


def test_an_unknown_metric_is_refused_with_the_allowed_ones():
    with pytest.raises(ScenarioError) as error:
        check_metrics(["share_within_sla", "sla_share"])

    assert "unknown metric 'sla_share'" in str(error.value)
    assert "allowed: " in str(error.value)


def test_a_mix_that_is_no_valid_model_is_reported_before_any_run(monkeypatch):
    def no_runs(*_: object) -> None:
        raise AssertionError("a run started")

    monkeypatch.setattr(decomposition, "_run_all", no_runs)
    a = tiny(changes={"budget_fte": 13.5}).ownership  # roles' rotas: 13.2 FTE
    b = tiny(changes={"budget_fte": 16, "approval": {
        "required_for": ["complaint"], "approver": "pr", "approver_staff": 2}}).ownership

    with pytest.raises(ScenarioError) as error:  # B's approvers on A's budget: 15.2 > 13.5
        run(a, b)

    message = str(error.value)
    assert "budget_fte" in message and "above the budget of 13.5" in message
    assert "the mix of service_led with approval from service_led" in message


# --------------------------------------------------------------------------- command and report


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A tiny scenario with two models beside it that differ in acknowledgement only."""
    root = tmp_path_factory.mktemp("decompose")
    (root / "tiny.yaml").write_text(yaml.safe_dump(
        {"extends": str(SCENARIOS / "baseline.yaml"), "name": "tiny", **deep_merge(SMALL, TINY)}),
        encoding="utf-8")
    (root / "ownership").mkdir()
    for name, changes in (("quiet_service", {"acknowledge_handoffs": False}),
                          ("plain_service", {})):
        (root / "ownership" / f"{name}.yaml").write_text(
            yaml.safe_dump({"extends": "service_led", "name": name, **changes}),
            encoding="utf-8")
    return root


def user_error(code: int, capsys: pytest.CaptureFixture[str], out: Path, *expected: str) -> None:
    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    for text in expected:
        assert text in err
    assert "Traceback" not in err
    assert not out.exists()


def test_decompose_with_an_unknown_model_exits_2_and_writes_nothing(folder, tmp_path, capsys):
    out = tmp_path / "out"

    code = main(["decompose", str(folder / "tiny.yaml"), "plain_service", "no_such_model",
                 "--out", str(out), "--quiet"])

    user_error(code, capsys, out, "B: unknown ownership model 'no_such_model'")


def test_decompose_of_a_model_with_itself_exits_2(folder, tmp_path, capsys):
    out = tmp_path / "out"

    code = main(["decompose", str(folder / "tiny.yaml"), "hybrid", "hybrid", "--out", str(out)])

    user_error(code, capsys, out, "B: is the same model as A")


def test_decompose_with_an_unknown_metric_exits_2(folder, tmp_path, capsys):
    out = tmp_path / "out"

    code = main(["decompose", str(folder / "tiny.yaml"), "hybrid", "service_led",
                 "--metrics", "share_within_sla,churn", "--out", str(out)])

    user_error(code, capsys, out, "--metrics: unknown metric 'churn'")


def test_decompose_with_one_replication_exits_2_naming_reps(folder, tmp_path, capsys):
    out = tmp_path / "out"

    with pytest.raises(SystemExit) as info:  # argparse checks --reps before anything runs
        main(["decompose", str(folder / "tiny.yaml"), "plain_service", "quiet_service",
              "--reps", "1", "--out", str(out)])

    assert info.value.code == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "--reps: must be at least 2" in err and "Traceback" not in err
    assert not out.exists()


def test_compare_decompose_with_one_model_exits_2_before_running(folder, tmp_path, capsys,
                                                                 monkeypatch):
    from scrm_sim.experiment import runs

    monkeypatch.setattr(runs, "compare", lambda *_, **__: pytest.fail("the compare ran"))
    out = tmp_path / "out"

    code = main(["compare", str(folder / "tiny.yaml"), "--models", "plain_service",
                 "--decompose", "--out", str(out)])

    user_error(code, capsys, out, "--decompose: decomposes the gap between the two best",
               "give at least two models")


def test_decompose_writes_the_table_the_waterfall_and_a_manifest(folder, tmp_path):
    out = tmp_path / "out"

    assert main(["decompose", str(folder / "tiny.yaml"), "plain_service", "quiet_service",
                 "--reps", "2", "--workers", "1", "--out", str(out), "--quiet"]) == 0

    table = pd.read_csv(out / "decomposition.csv")
    assert set(table["metric"]) == {"share_within_sla", "satisfaction_final", "churn_rate",
                                    "cost"}
    assert table[table["differs"] & (table["role"] == "group")]["group"].unique().tolist() == [
        "acknowledgement"]
    assert (out / "decomposition.png").stat().st_size > 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["model_a"], manifest["model_b"]) == ("plain_service", "quiet_service")
    assert manifest["method"] == "exact" and manifest["runs"] == 4


def test_decompose_prints_its_table_in_plain_names_and_display_units(folder, tmp_path, capsys):
    assert main(["decompose", str(folder / "tiny.yaml"), "plain_service", "quiet_service",
                 "--reps", "2", "--workers", "1", "--out", str(tmp_path / "out")]) == 0

    printed = capsys.readouterr().out
    table = pd.read_csv(tmp_path / "out" / "decomposition.csv")
    assert "share_within_sla" not in printed and "answered within the SLA (% of posts)" in printed
    rows = {line.split("  ")[0]: line for line in printed.splitlines()}
    assert {"Plain service (A)", "acknowledgement", "total (B − A)",
            "Quiet service (B)"} <= set(rows)
    # levels are shown as values, contributions with their sign, both in percent of posts
    start = table.query("role == 'from' and metric == 'share_within_sla'")["mean"].iloc[0]
    assert rows["Plain service (A)"].split()[3] == f"{100 * start:.1f}"
    assert rows["acknowledgement"].split()[1][0] in "+−0"


@pytest.fixture(scope="module")
def compared(folder) -> Path:
    out = folder / "compared"
    assert main(["compare", str(folder / "tiny.yaml"), "--models", "plain_service,quiet_service",
                 "--reps", "2", "--workers", "1", "--quiet", "--out", str(out), "--decompose",
                 "--report"]) == 0
    return out


def test_the_report_shows_where_the_difference_comes_from(compared):
    text = (compared / "report.html").read_text(encoding="utf-8")

    assert "Where the difference comes from" in text
    section = text.split("id='decomposition-table'")[1].split("</table>")[0]
    assert "acknowledgement" in section and "total (B − A)" in section
    assert (compared / "figures" / "decomposition.png").stat().st_size > 0


def test_a_decomposition_of_another_scenario_is_not_read_as_these_results(compared, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(compared, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    for scenario in manifest["scenarios"].values():
        scenario["seed"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    assert load_decomposition(compared) is not None
    assert load_decomposition(copy) is None


def test_a_decomposition_on_other_seeds_is_not_shown_in_the_report(compared, tmp_path):
    from scrm_sim.analysis.report import build_report

    copy = tmp_path / "copy"
    shutil.copytree(compared, copy)
    path = copy / "decomposition" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["seeds"][0] += 1  # as if made with another --seed: the same scenario
    path.write_text(json.dumps(manifest), encoding="utf-8")

    assert load_decomposition(copy) is None
    assert "Where the difference comes from" not in build_report(copy).read_text("utf-8")


def test_a_decomposition_that_fails_after_the_compare_exits_2_keeping_the_results(
        folder, tmp_path, capsys, monkeypatch):
    def refused(*_: object, **__: object) -> None:
        raise ScenarioError("tiny.yaml", [decomposition.Problem("budget_fte", "too small")])

    monkeypatch.setattr(decomposition, "decompose_top_two", refused)
    out = tmp_path / "out"

    code = main(["compare", str(folder / "tiny.yaml"), "--models", "plain_service,quiet_service",
                 "--reps", "2", "--workers", "1", "--quiet", "--out", str(out), "--decompose",
                 "--report"])

    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR and "Traceback" not in err
    assert "--decompose: budget_fte: too small" in err
    assert "the comparison's results are kept" in err
    assert (out / "summary.csv").is_file()
    assert "Where the difference comes from" not in (out / "report.html").read_text("utf-8")


def test_compare_decomposes_from_the_runner_up_to_the_best_model(compared):
    summary = pd.read_parquet(compared / "summary.parquet")
    means = summary.groupby("ownership")["share_within_sla"].mean().sort_values()
    manifest = json.loads((compared / "decomposition" / "manifest.json").read_text("utf-8"))

    assert (manifest["model_a"], manifest["model_b"]) == tuple(means.index[-2:])
    assert manifest["replications"] == decomposition.COMPARE_REPLICATIONS
    assert manifest["runs"] <= decomposition.COMPARE_RUN_BUDGET
