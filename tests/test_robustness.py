"""How robust a claim is: plausible ranges, plausible worlds, claim tests, failure rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scrm_sim.analysis.debate_table import END, START, robustness_table, splice
from scrm_sim.analysis.robustness import (
    claim_holds,
    describe,
    failure_rules,
    holds_by_world,
    neutral_result,
    robustness_markdown,
    run_scale,
)
from scrm_sim.analysis.statistics import mean_ci, proportion_ci
from scrm_sim.cli import EXIT_USER_ERROR, main
from scrm_sim.errors import ScenarioError
from scrm_sim.experiment.designs import sample
from scrm_sim.experiment.executors import LocalExecutor
from scrm_sim.experiment.runner import Planner
from scrm_sim.experiment.spec import ClaimTest, Experiment, load_experiment
from scrm_sim.experiment.worlds import run_robustness, world_factors, worlds_experiment

from .conftest import SCENARIOS

TINY = {
    "name": "tiny_claim",
    "scenario": str(SCENARIOS / "baseline.yaml"),
    "overrides": {"duration_days": 2, "customers": {"count": 300, "prospects": 100}},
    "models": ["service_led", "marketing_led"],
    "replications": 1,
    "seed": 11,
    "claim_test": {"metric": "share_within_sla", "model": "service_led",
                   "beats": ["marketing_led"], "direction": "higher"},
    "robustness": {
        "worlds": 3, "replications": 1, "neutral_replications": 2,
        "ranges": {"demand.volume_multiplier": [0.5, 2.0]},
        "model_ranges": {"service_led": {"listening.coverage": [0.5, 0.6]}},
        "neutral": "neutral.yaml",
    },
}
NEUTRAL = {"front_line_shift": "extended", "acknowledge_handoffs": True,
           "approval": {"required_for": [], "approver": None, "approver_staff": 0},
           "listening": {"coverage": 0.8}}


def write(tmp_path: Path, data: dict, neutral: dict | None = None) -> Path:
    (tmp_path / "neutral.yaml").write_text(yaml.safe_dump(neutral or NEUTRAL), encoding="utf-8")
    path = tmp_path / "claim.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def means(**columns: dict[str, float]) -> pd.DataFrame:
    """One world's means: a column per metric, a row per model."""
    return pd.DataFrame(columns)


# --------------------------------------------------------------------------- claim tests


def test_a_claim_holds_only_when_its_model_beats_every_rival_in_the_stated_direction():
    test = ClaimTest(metric="share_within_sla", model="service_led",
                     beats=["marketing_led", "sales_led"], direction="higher")
    wins = means(share_within_sla={"service_led": 0.6, "marketing_led": 0.3, "sales_led": 0.5})
    loses_one = means(share_within_sla={"service_led": 0.6, "marketing_led": 0.3,
                                        "sales_led": 0.7})
    assert claim_holds(test, wins)
    assert not claim_holds(test, loses_one)
    lower = ClaimTest(metric="churn_rate", model="hybrid", beats=["service_led"],
                      direction="lower")
    assert claim_holds(lower, means(churn_rate={"hybrid": 0.05, "service_led": 0.07}))
    assert not claim_holds(lower, means(churn_rate={"hybrid": 0.08, "service_led": 0.07}))


def test_a_margin_must_be_exceeded_and_a_spread_test_reads_all_models():
    test = ClaimTest(metric="m", model="a", beats=["b"], direction="higher", margin=0.1)
    assert not claim_holds(test, means(m={"a": 0.55, "b": 0.5}))
    assert claim_holds(test, means(m={"a": 0.65, "b": 0.5}))
    spread = ClaimTest(metric="m", spread_below=0.05)
    assert claim_holds(spread, means(m={"a": 0.50, "b": 0.52, "c": 0.54}))
    assert not claim_holds(spread, means(m={"a": 0.50, "b": 0.52, "c": 0.56}))


def test_all_and_any_combine_several_tests():
    sla = {"metric": "sla", "model": "a", "beats": ["b"], "direction": "higher"}
    churn = {"metric": "churn", "model": "a", "beats": ["b"], "direction": "lower"}
    world = means(sla={"a": 0.7, "b": 0.5}, churn={"a": 0.09, "b": 0.06})  # faster, loses more
    assert not claim_holds(ClaimTest.model_validate({"all": [sla, churn]}), world)
    assert claim_holds(ClaimTest.model_validate({"any": [sla, churn]}), world)
    assert describe(ClaimTest.model_validate({"all": [sla, churn]})) == (
        "a has a higher sla than b and a has a lower churn than b")


@pytest.mark.parametrize("bad", [
    {"metric": "m", "model": "a", "beats": ["b"]},                      # no direction
    {"metric": "m", "model": "a", "beats": ["a"], "direction": "higher"},
    {"metric": "m", "spread_below": 0.1, "model": "a"},
    {"all": []},
])
def test_a_claim_test_in_more_than_one_form_or_incomplete_is_refused(bad):
    with pytest.raises(ValueError):
        ClaimTest.model_validate(bad)


def test_each_world_is_judged_on_the_mean_of_its_replications():
    summary = pd.DataFrame([
        # world 0: a wins one replication narrowly and loses the other badly → fails
        {"point": 0, "ownership": "a", "m": 0.51}, {"point": 0, "ownership": "b", "m": 0.50},
        {"point": 0, "ownership": "a", "m": 0.30}, {"point": 0, "ownership": "b", "m": 0.50},
        # world 1: a wins on the mean
        {"point": 1, "ownership": "a", "m": 0.70}, {"point": 1, "ownership": "b", "m": 0.50},
        {"point": 1, "ownership": "a", "m": 0.45}, {"point": 1, "ownership": "b", "m": 0.50},
    ])
    test = ClaimTest(metric="m", model="a", beats=["b"], direction="higher")
    assert holds_by_world(summary, test).to_dict() == {0: False, 1: True}


def test_the_interval_of_the_holds_share_contains_it_and_narrows_with_more_worlds():
    share, low, high = proportion_ci(12, 16)
    assert low < share == 0.75 < high
    _, wide_low, wide_high = proportion_ci(3, 4)
    _, narrow_low, narrow_high = proportion_ci(48, 64)
    assert narrow_high - narrow_low < high - low < wide_high - wide_low


def test_the_failure_rules_name_the_factor_that_separates_holds_from_fails():
    rng = np.random.default_rng(3)
    worlds = pd.DataFrame({"demand.volume_multiplier": rng.uniform(0.5, 2, 40),
                           "company.culture": rng.uniform(0.2, 0.8, 40),
                           "ownership.authority@ceo_led": rng.uniform(0.5, 0.9, 40)})
    holds = pd.Series(worlds["demand.volume_multiplier"] <= 1.4)  # fails under heavy demand
    rules = failure_rules(worlds, holds)
    top = rules[0]
    assert top.conditions == ("demand.volume_multiplier > " + top.conditions[0].split()[-1],)
    assert 1.3 < float(top.conditions[0].split()[-1]) < 1.5
    assert top.failures == (~holds).sum() == top.worlds  # every failure, nothing else
    assert "ownership.authority (ceo_led)" not in str(top)


def test_no_failure_gives_no_rule_and_all_failing_gives_one_for_everywhere():
    worlds = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4]})
    assert failure_rules(worlds, pd.Series([True] * 4)) == []
    (rule,) = failure_rules(worlds, pd.Series([False] * 4))
    assert (rule.worlds, rule.failures) == (4, 4) and "everywhere" in str(rule)


# --------------------------------------------------------------------------- plausible worlds


def test_a_model_s_own_ranges_are_applied_only_to_that_model(tmp_path):
    experiment, source = load_experiment(write(tmp_path, TINY))
    worlds = Experiment.model_validate(worlds_experiment(experiment, source, "quick"))
    points, _, _ = sample(worlds)
    planner = Planner(worlds, source, points)
    for point, values in enumerate(points):
        service = planner.scenario(point, "service_led")
        marketing = planner.scenario(point, "marketing_led")
        coverage = values["ownership.listening.coverage@service_led"]
        assert 0.5 <= coverage <= 0.6
        assert service["ownership"]["listening"]["coverage"] == coverage
        assert marketing["ownership"]["listening"]["coverage"] == 0.85  # its preset's
        # a scenario-level range reaches every model
        volume = values["demand.volume_multiplier"]
        assert service["demand"]["volume_multiplier"] == marketing["demand"]["volume_multiplier"] \
            == volume


def test_a_relative_range_spans_each_model_s_own_value_clipped_to_the_schema(tmp_path):
    data = {**TINY, "robustness": {**TINY["robustness"], "model_ranges": {},
                                   "relative": {"share": 0.25,
                                                "fields": ["brand_voice_training", "authority"]}}}
    experiment, source = load_experiment(write(tmp_path, data))
    ranges = {f.key: f.range for f in world_factors(experiment, source)}
    assert ranges["ownership.brand_voice_training@service_led"] == pytest.approx((0.45, 0.75))
    assert ranges["ownership.brand_voice_training@marketing_led"] == pytest.approx((0.675, 1.0))
    assert not any("authority" in key for key in ranges)  # both presets have 0: nothing to vary


def test_sampling_the_worlds_is_reproducible_from_the_experiment_s_seed(tmp_path):
    experiment, source = load_experiment(write(tmp_path, TINY))

    def points(seed: int) -> list[dict]:
        data = worlds_experiment(experiment.model_copy(update={"seed": seed}), source, "quick")
        return sample(Experiment.model_validate(data))[0]

    assert points(11) == points(11)
    assert points(11) != points(12)


@pytest.mark.parametrize(("change", "field", "text"), [
    ({"ranges": {"demand.volume_multiplier": [2.0, 0.5]}},
     "robustness.ranges.demand.volume_multiplier", "range low 2.0 is above high 0.5"),
    ({"ranges": {"demand.volume_multipler": [0.5, 2.0]}},
     "robustness.ranges.demand.volume_multipler", "did you mean 'volume_multiplier'"),
    ({"ranges": {"ownership.acknowledge_handoffs": [0, 1]}},
     "robustness.ranges.ownership.acknowledge_handoffs", "not a numeric field"),
    ({"ranges": {"outcomes.slow_reply_floor": [0.1, 1.5]}},
     "robustness.ranges.outcomes.slow_reply_floor", "must be above 0 and at most 1"),
    ({"model_ranges": {"service_led": {"listening.coverage": [0.9, 0.5]}}},
     "robustness.model_ranges.service_led.listening.coverage", "above high"),
    ({"model_ranges": {"hybrid": {"authority": [0.1, 0.5]}}}, "", "not run in the worlds"),
])
def test_a_bad_range_exits_2_naming_the_field(tmp_path, capsys, change, field, text):
    data = {**TINY, "robustness": {**TINY["robustness"], **change}}
    path = write(tmp_path, data)
    assert main(["experiment", str(path), "--robustness", "--out",
                 str(tmp_path / "out")]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert field in err and text in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_neutral_choices_may_not_change_who_owns(tmp_path):
    with pytest.raises(ScenarioError) as caught:
        load_experiment(write(tmp_path, TINY, neutral={**NEUTRAL, "front_line": {"it": 2}}))
    assert "robustness.neutral" in caught.value.report()
    assert "front_line: decides who owns" in caught.value.report()


def test_a_robustness_run_reports_the_share_of_worlds_and_the_neutral_comparison(tmp_path):
    out = run_robustness(write(tmp_path, TINY), out=tmp_path / "rob",
                         executor=LocalExecutor(2), progress=False)
    assert main(["analyse", str(out)]) == 0
    row = pd.read_csv(out / "robustness.csv").iloc[0]
    assert row["worlds"] == 3 and 0 <= row["holds"] <= 3
    assert row["share_low"] <= row["share"] <= row["share_high"]
    assert row["neutral"].startswith(("holds", "fails"))
    assert "share_within_sla service_led − marketing_led" in row["neutral_detail"]
    neutral = pd.read_parquet(out / "neutral" / "summary")
    assert len(neutral) == 2 * 2  # two models × two paired replications
    report = (out / "robustness.md").read_text(encoding="utf-8")
    assert f"Holds in {row['holds']} of 3 worlds" in report
    assert "`ownership.listening.coverage (service_led)` | 0.5 | 0.6 |" in report


SERVICE_BEATS_MARKETING = ClaimTest.model_validate(TINY["claim_test"])


def neutral_runs(models: list[str]) -> pd.DataFrame:
    """Neutral runs of the models on three paired seeds (share_within_sla only)."""
    values = {"marketing_led": [0.50, 0.62, 0.55], "service_led": [0.71, 0.69, 0.80]}
    return pd.DataFrame([{"ownership": m, "seed": seed, "share_within_sla": values[m][i]}
                         for i, seed in enumerate((5, 6, 7)) for m in models])


def test_a_neutral_run_missing_a_model_of_the_test_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="no runs of marketing_led"):
        neutral_result(neutral_runs(["service_led"]), SERVICE_BEATS_MARKETING)


def test_the_neutral_difference_is_the_paired_one_whichever_model_comes_first():
    # the rival first: the shared paired_differences gives rival − model, read negated
    _, lines = neutral_result(neutral_runs(["marketing_led", "service_led"]),
                              SERVICE_BEATS_MARKETING)
    mean, low, high = mean_ci(np.array([0.71 - 0.50, 0.69 - 0.62, 0.80 - 0.55]))

    assert lines == [f"share_within_sla service_led − marketing_led {mean:+.4f} "
                     f"[{low:+.4f}, {high:+.4f}]"]


def test_the_debate_table_is_spliced_between_its_markers(tmp_path):
    doc = tmp_path / "debate.md"
    doc.write_text(f"intro\n{START}\nold table\n{END}\nrest\n", encoding="utf-8")
    row = {"experiment": "service_two_way", "claim": "c", "claim_test": "a beats b",
           "worlds": 16, "holds": 3, "share": 3 / 16, "share_low": 0.07, "share_high": 0.43,
           "replications": 2, "duration_days": 30, "customers": 3000,
           "failure_conditions": "fails when x > 1", "neutral": "fails, within the noise"}
    splice(doc, robustness_table(pd.DataFrame([row])))
    text = doc.read_text(encoding="utf-8")
    assert "old table" not in text and text.startswith("intro\n") and text.endswith("rest\n")
    assert "| 19% [7%, 43%] (3 of 16) | fails when x > 1 |" in text


def worlds_manifest(overrides: dict) -> dict:
    return {"experiment": {"overrides": overrides},
            "scenario_source": str(SCENARIOS / "baseline.yaml")}


def test_the_scale_not_set_by_the_overrides_is_read_from_the_resolved_scenario():
    scale = run_scale(worlds_manifest({"duration_days": 2}), ["demand.volume_multiplier"])

    assert scale == {"duration_days": 2, "customers": 10000}  # baseline: 10,000 customers


def test_a_scale_that_varies_between_worlds_is_left_out():
    scale = run_scale(worlds_manifest({}), ["duration_days", "customers.count@service_led"])

    assert scale == {"duration_days": None, "customers": None}


def test_the_report_leaves_out_an_unknown_scale_instead_of_printing_none():
    row = {"claim": "c", "experiment": "e", "claim_test": "a beats b", "replications": 2,
           "worlds": 4, "holds": 1, "share": 0.25, "share_low": 0.05, "share_high": 0.7,
           "parameters": 1, "duration_days": None, "customers": None,
           "failure_conditions": "it fails in 3 worlds", "neutral": "not run",
           "neutral_detail": ""}

    text = robustness_markdown({"row": row, "ranges": []})

    assert "over 1 uncertain parameters (below)." in text and "None" not in text


def test_the_debate_table_leaves_out_a_scale_its_csv_does_not_record():
    row = {"experiment": "e", "claim": "c", "claim_test": "a beats b", "worlds": 4,
           "holds": 1, "share": 0.25, "share_low": 0.05, "share_high": 0.7,
           "replications": 2, "duration_days": np.nan, "customers": np.nan,
           "failure_conditions": "x", "neutral": "not run"}

    text = robustness_table(pd.DataFrame([row]))

    assert "(runs of 2 paired replications per world)" in text and "nan" not in text


def test_a_robustness_run_whose_runs_fail_exits_1_naming_both_failure_folders(tmp_path, capsys):
    path = write(tmp_path, {**TINY, "run_timeout_seconds": 1e-9})
    out = tmp_path / "out"

    assert main(["experiment", str(path), "--robustness", "--out", str(out),
                 "--workers", "1", "--quiet"]) == 1

    err = capsys.readouterr().err
    assert "6 of 6 runs failed" in err and str(out / "worlds" / "failures") in err
    assert "4 of 4 runs failed" in err and str(out / "neutral" / "failures") in err
