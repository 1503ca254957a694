"""The verdict's scoring rule, its trade-offs in plain words, and how sure it says it is."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from scrm_sim.analysis.differences import paired_difference
from scrm_sim.analysis.verdict import (
    PRIORITY_SETS,
    Priorities,
    first_counts,
    priority_set,
    score,
    trade_off_sentence,
    verdict,
)

SEEDS = (11, 12, 13, 14, 15)
# what the models share in each replication: a seed moves every model alike (paired runs)
SEED_EFFECT = {"share_within_sla": 0.10, "satisfaction_final": 0.02, "churn_rate": 0.004,
               "cost": 5_000.0}


def summary(models: dict[str, dict[str, float]], jitter: float = 0.0) -> pd.DataFrame:
    """Paired replications: each model's value + the seed's common effect (large, ±2 units of
    SEED_EFFECT) + an own wobble of ``jitter`` × the effect."""
    rng = np.random.default_rng(1)
    rows = []
    for i, seed in enumerate(SEEDS):
        common = (i - 2) * 1.0  # −2 … 2
        for model, values in models.items():
            row = {"ownership": model, "seed": seed, "replication": i}
            for column, value in values.items():
                effect = SEED_EFFECT.get(column, 0.0)
                row[column] = value + common * effect + jitter * effect * rng.normal()
            rows.append(row)
    return pd.DataFrame(rows)


BALANCED = priority_set("balanced")
EVEN = {"share_within_sla": 0.60, "satisfaction_final": 0.70, "churn_rate": 0.05,
        "cost": 100_000.0}


def test_a_model_best_on_every_weighted_metric_scores_100_and_ranks_first_every_time():
    data = summary({
        "hybrid": {**EVEN, "share_within_sla": 0.70, "satisfaction_final": 0.72,
                   "churn_rate": 0.04, "cost": 90_000.0},
        "service_led": EVEN,
        "ceo_led": {**EVEN, "share_within_sla": 0.50, "satisfaction_final": 0.68,
                    "churn_rate": 0.06, "cost": 110_000.0}})

    scoring = score(data, BALANCED)

    assert scoring.recommended == "hybrid" and scoring.runner_up == "service_led"
    means = scoring.mean()
    assert means["hybrid"] == pytest.approx(100) and means["ceo_led"] == pytest.approx(0)
    assert means["service_led"] == pytest.approx(50)
    assert scoring.p_first("hybrid")[0] == 5
    assert scoring.ranks_first("hybrid") == "ranks first in 5 of 5 paired replications " \
                                            "(95% CI 57–100%)"


def test_scores_are_paired_by_seed_so_a_small_steady_lead_wins_every_replication():
    # between seeds the level moves by ±20 points of SLA; within each seed hybrid is 2 ahead
    data = summary({"hybrid": {**EVEN, "share_within_sla": 0.62}, "service_led": EVEN})
    data.loc[data["ownership"] == "hybrid", "cost"] += 0  # cost alike: only the SLA decides

    scoring = score(data, BALANCED)

    assert scoring.recommended == "hybrid"
    assert scoring.wins().to_dict() == {"hybrid": 5, "service_led": 0}


def test_a_metric_whose_spread_is_practically_negligible_cannot_decide_the_answer():
    # marketing-led is 0.5 points more satisfying (below the 1-point threshold), service-led
    # answers 5 points more within the SLA; satisfaction weighs twice the SLA
    priorities = Priorities("test", "Test", {"satisfaction_final": 2, "share_within_sla": 1})
    data = summary({
        "marketing_led": {**EVEN, "satisfaction_final": 0.705},
        "service_led": {**EVEN, "share_within_sla": 0.65}})

    scoring = score(data, priorities)

    assert "satisfaction_final" in scoring.ignored
    assert "threshold of 1 point" in scoring.ignored["satisfaction_final"]
    assert scoring.recommended == "service_led"


def test_the_same_spread_above_the_threshold_does_decide_it():
    priorities = Priorities("test", "Test", {"satisfaction_final": 2, "share_within_sla": 1})
    data = summary({
        "marketing_led": {**EVEN, "satisfaction_final": 0.72},
        "service_led": {**EVEN, "share_within_sla": 0.65}})

    assert score(data, priorities).recommended == "marketing_led"


def test_models_practically_equal_on_every_weighted_metric_have_no_recommendation():
    data = summary({"hybrid": {**EVEN, "satisfaction_final": 0.702},
                    "service_led": {**EVEN, "cost": 100_500.0}})

    scoring = score(data, BALANCED)

    assert scoring.recommended is None and set(scoring.ignored) == set(BALANCED.weights)


def test_priorities_change_the_answer_when_one_model_is_faster_and_the_other_cheaper():
    data = summary({
        "hybrid": {**EVEN, "share_within_sla": 0.80, "complaints_within_sla": 0.80,
                   "first_response_p50_hours": 0.3, "cost": 120_000.0},
        "service_led": {**EVEN, "share_within_sla": 0.70, "complaints_within_sla": 0.70,
                        "first_response_p50_hours": 0.6, "cost": 100_000.0}})

    assert score(data, priority_set("speed_first")).recommended == "hybrid"
    assert score(data, priority_set("cost_first")).recommended == "service_led"


def test_the_verdict_scores_every_other_priority_set_too():
    data = summary({"hybrid": {**EVEN, "share_within_sla": 0.70}, "service_led": EVEN})

    answer = verdict(data, "cost_first")

    assert answer.main.priorities.key == "cost_first"
    assert [s.priorities.key for s in answer.alternatives] == [
        p.key for p in PRIORITY_SETS if p.key != "cost_first"]


def test_a_weighted_metric_missing_from_the_results_is_left_out_and_said_so():
    data = summary({"hybrid": {"share_within_sla": 0.7, "cost": 90_000.0},
                    "service_led": {"share_within_sla": 0.6, "cost": 100_000.0}})

    scoring = score(data, BALANCED)

    assert scoring.ignored["churn_rate"] == "not in these results"
    assert scoring.recommended == "hybrid"


def test_a_tie_within_a_replication_counts_for_no_model():
    values = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0], "c": [0.0, 0.0, 0.0]})

    assert first_counts(values).to_dict() == {"a": 1, "b": 1, "c": 0}


def test_how_sure_says_three_of_three_is_likely_but_not_certain():
    data = summary({"hybrid": {**EVEN, "share_within_sla": 0.70}, "service_led": EVEN})
    data = data[data["seed"].isin(SEEDS[:3])]

    text = score(data, BALANCED).how_sure("hybrid")

    assert text.startswith("ranks first in 3 of 3 paired replications (95% CI 44–100%)")
    assert "cannot make it certain" in text


# ------------------------------------------------------------------------ trade-offs in words


def test_a_clear_trade_off_reads_better_then_worse_with_intervals():
    data = summary({"hybrid": {**EVEN, "share_within_sla": 0.67, "cost": 111_000.0},
                    "service_led": EVEN}, jitter=0.05)
    differences = [paired_difference(data, m, "hybrid", "service_led") for m in BALANCED.weights]

    sentence = trade_off_sentence("hybrid", "service_led", differences)

    sla = re.search(r"Hybrid answers ([\d.]+) points more posts within the SLA \(95% CI "
                    r"([\d.]+) to ([\d.]+) points\)", sentence)
    wide = data.pivot(index="seed", columns="ownership", values="share_within_sla")
    assert sla and float(sla.group(1)) == pytest.approx(
        100 * (wide["hybrid"] - wide["service_led"]).mean(), abs=0.05)
    assert re.search(r", but costs 1[01]% more \(95% CI \d+ to \d+%\)", sentence)
    assert "Practically the same customer satisfaction at the end" in sentence


def test_a_difference_within_the_noise_reads_as_such():
    data = summary({"hybrid": {**EVEN, "share_within_sla": 0.62}, "service_led": EVEN},
                   jitter=3.0)
    difference = paired_difference(data, "share_within_sla", "hybrid", "service_led")
    assert difference.low < 0 < difference.high  # the premise: the interval includes zero

    assert "within the noise of the replications (95% CI −" in difference.phrase()
    sentence = trade_off_sentence("hybrid", "service_led", [difference])
    assert "is not clearly better or worse" in sentence
    assert "Within the noise of the replications: it answers" in sentence


def test_a_negligible_difference_reads_practically_the_same_and_below_its_threshold():
    data = summary({"hybrid": {**EVEN, "satisfaction_final": 0.7096}, "service_led": EVEN})

    phrase = paired_difference(data, "satisfaction_final", "hybrid", "service_led").phrase()

    assert phrase == ("practically the same customer satisfaction at the end (+0.96 points, "
                      "below the threshold of 1 point)")


@pytest.mark.parametrize("jitter", [0.0, 0.5, 3.0, 10.0])
def test_no_sentence_says_a_difference_is_both_100_percent_and_within_the_noise(jitter):
    data = summary({"hybrid": {**EVEN, "share_within_sla": 0.9, "cost": 200_000.0},
                    "service_led": {**EVEN, "share_within_sla": 0.45}}, jitter=jitter)
    answer = verdict(data)
    sentences = [trade_off_sentence(answer.recommended, other, d)
                 for other, d in answer.trade_offs.items()]
    sentences.append(answer.main.how_sure(answer.recommended))

    for sentence in sentences:
        for clause in re.split(r"(?<=\.) ", sentence):
            assert not ("100%" in clause and "noise" in clause), clause


def test_cost_reads_in_percent_of_the_other_model_and_counts_as_negligible_below_one_percent():
    data = summary({"hybrid": {**EVEN, "cost": 100_500.0}, "service_led": EVEN})
    difference = paired_difference(data, "cost", "hybrid", "service_led")

    assert difference.negligible
    assert difference.phrase().startswith("practically the same cost of social staff (+0.5%")


def test_a_response_time_a_model_never_produced_counts_as_the_worst_of_its_replication():
    data = summary({"hybrid": {"first_response_p50_hours": 0.5, "share_within_sla": 0.6},
                    "marketing_led": {"first_response_p50_hours": 2.0, "share_within_sla": 0.6},
                    "ceo_led": {"first_response_p50_hours": np.nan, "share_within_sla": 0.6}})
    priorities = Priorities("test", "Test", {"first_response_p50_hours": 1})

    scoring = score(data, priorities)

    assert scoring.dropped == 0 and scoring.replications == len(SEEDS)
    assert scoring.mean()["ceo_led"] == pytest.approx(scoring.mean()["marketing_led"])
    assert scoring.recommended == "hybrid"


def test_how_sure_says_five_of_five_is_clear():
    data = summary({"hybrid": {**EVEN, "share_within_sla": 0.70}, "service_led": EVEN})

    assert score(data, BALANCED).how_sure("hybrid").endswith(
        "clearly first, as even the low end of the interval is above one half")


def test_how_sure_says_the_top_place_is_not_settled_when_the_best_mean_wins_a_minority():
    # hybrid is far ahead in two replications and slightly behind in the other three
    data = summary({"hybrid": EVEN, "service_led": EVEN})
    lead = {11: 0.30, 12: 0.30, 13: -0.01, 14: -0.01, 15: -0.01}
    hybrid = data["ownership"] == "hybrid"
    data.loc[hybrid, "share_within_sla"] += data.loc[hybrid, "seed"].map(lead)
    scoring = score(data, BALANCED)

    assert scoring.recommended == "hybrid" and scoring.wins()["hybrid"] == 2
    assert "it is not first in most replications, so the top place is not settled" in \
        scoring.how_sure("hybrid")


def test_a_difference_of_shares_reads_within_one_hundred_points_however_few_replications():
    from scrm_sim.analysis.differences import Difference

    # two replications of a noisy share: the t-interval reaches far past ±100 points
    wide = Difference("share_within_sla", "hybrid", "service_led", 38.5, -238.5, 315.4, 2,
                      60.0, 21.5)

    assert wide.interval() == "95% CI −100.0 to 100.0 points"


def test_design_points_with_seeds_of_their_own_leave_no_replication_out():
    # each design point (or posterior draw) runs on its own seeds: the scores count the
    # point–seed pairs that ran, not every combination of points and seeds
    models = {"hybrid": {"share_within_sla": 0.7}, "service_led": {"share_within_sla": 0.6}}
    data = pd.concat([summary(models).assign(point=0),
                      summary(models).assign(point=1, seed=lambda f: f["seed"] + 100)])

    scoring = score(data, Priorities("test", "Test", {"share_within_sla": 1}))

    assert scoring.dropped == 0
    assert scoring.replications == 2 * len(SEEDS)
