"""Pilot and roll-out: a pilot is judged once and can fail, with a chance that rises with its
missed SLAs; a failed pilot is withdrawn (or stays small), costs and sets culture back; a
rolled-out pilot passes its learning on; every launch overloads handling for a while."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from scrm_sim.model.agents import Role
from scrm_sim.model.model import SCRMModel
from scrm_sim.model.pilot import failure_probability
from scrm_sim.model.posts import TYPE_CODE, DropReason, PostStatus
from scrm_sim.scenario.schema import Pilot

from .conftest import small_scenario

PAIRED_SEEDS = range(1, 7)
ROLL_OUT_DAY_2 = [{"ownership": "hybrid", "when": {"after_day": 2}}]


def pilot_scenario(pilot: dict | None = None, stages: list | None = None,
                   staffing_scale: float = 1.0, **overrides: object):
    """The laboratory (a fifth of the customers in scope), rolled out as hybrid on day 2."""
    # the preset's own judgement (a chance of failure) replaced by the schema's (none)
    changes = {"pilot": {**Pilot().model_dump(), **(pilot or {})}, "stages": ROLL_OUT_DAY_2 if stages is None else stages,
               "staffing_scale": staffing_scale}
    return small_scenario("laboratory", changes, **overrides)


def days(model: SCRMModel, n: int) -> SCRMModel:
    for _ in range(24 * n):
        model.step()
    return model


# ----------------------------------------------------------------------------- the rule


def test_the_failure_chance_rises_with_the_share_of_posts_missing_the_sla():
    spec = Pilot(failure_base=0.1, failure_per_sla_miss=2.0, tolerated_sla_miss=0.2)
    assert failure_probability(spec, 0.1) == pytest.approx(0.1)  # within the tolerance
    assert failure_probability(spec, 0.3) == pytest.approx(0.1 + 2.0 * 0.1)
    assert failure_probability(spec, 0.9) == 1.0  # at most certain


def test_the_pilot_is_judged_on_the_posts_it_heard_once_their_sla_has_passed():
    model = SCRMModel(pilot_scenario(), seed=1)
    model.hour = 48
    times = np.array([10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 47.5])
    in_scope = int(np.flatnonzero(model.scope_rank < 0.2)[0])  # a customer of the pilot
    rows = model.posts.append(np.full(7, in_scope, np.int64), TYPE_CODE["question"], times,
                              np.ones(7))
    c = model.posts.columns
    c["time_heard"][rows] = times
    c["time_first_response"][rows[:2]] = times[:2] + np.array([0.5, 3.0])  # in time; late
    # rows[2]: heard, never answered (a miss)
    c["time_heard"][rows[3]] = np.nan  # not heard: not the pilot's
    c["status"][rows[4]], c["drop_reason"][rows[4]] = PostStatus.DROPPED, DropReason.IGNORED
    c["community_answered"][rows[5]] = True
    # rows[6]: posted half an hour ago, its SLA of 1 h still running
    assert model.pilot.sla_miss_share() == pytest.approx(2 / 3)
    outside = int(np.flatnonzero(model.scope_rank >= 0.2)[0])  # heard by someone else
    model.posts.columns["author"][rows[2]] = outside
    assert model.pilot.sla_miss_share() == pytest.approx(1 / 2)


def test_by_default_a_pilot_never_fails_and_is_rolled_out():
    model = days(SCRMModel(pilot_scenario(), seed=1), 3)
    assert model.stage_index == 1 and model.ownership.pilot_share == 1.0
    assert not model.pilot.failed and model.pilot.failure_chance == 0.0


WITHDRAWN = {"failure_base": 1.0, "withdrawal_cost": 5000.0, "culture_setback": 0.5}


def test_a_failed_pilot_is_withdrawn_at_its_cost_and_sets_culture_back():
    model = days(SCRMModel(pilot_scenario(WITHDRAWN), seed=1), 2)
    assert model.stage_index == 0 and model.pilot.failed
    assert model.ownership.pilot_share == 0.0
    assert not any(s.role in (Role.FRONT_LINE, Role.RESOLVER) or s.in_team
                   for s in model.staff_list)
    assert model.counters["pilot_withdrawal_cost"] == 5000.0
    kept = days(SCRMModel(pilot_scenario(), seed=1), 2)
    assert model.counters["cost"] == pytest.approx(kept.counters["cost"] + 5000.0)
    assert model.culture == pytest.approx(kept.culture * 0.5)


def test_after_a_withdrawal_nobody_is_heard_and_no_stage_comes():
    model = days(SCRMModel(pilot_scenario(WITHDRAWN), seed=1), 2)
    since = len(model.posts)
    days(model, 2)
    assert len(model.posts) > since
    assert np.isnan(model.posts.time_heard[since:]).all()
    assert model.stage_index == 0 and model.summary()["pilot_failed"] == 1.0


def test_a_failed_pilot_may_stay_small_instead():
    model = days(SCRMModel(pilot_scenario({"failure_base": 1.0, "on_failure": "stay_small"}),
                           seed=1), 4)
    assert model.pilot.failed and model.stage_index == 0
    assert model.ownership.pilot_share == 0.2
    assert any(s.role == Role.FRONT_LINE for s in model.staff_list)


def test_a_pilot_with_an_evaluation_day_is_judged_that_day_without_any_stage():
    model = SCRMModel(pilot_scenario({"failure_base": 1.0, "evaluation_day": 1}, stages=[]),
                      seed=1)
    days(model, 1)
    assert model.pilot.failed and model.ownership.pilot_share == 0.0


@pytest.mark.parametrize(("evaluation_day", "withdrawn"), [(1.0, True), (None, False)])
def test_a_big_bang_is_judged_only_when_it_states_an_evaluation_day(evaluation_day, withdrawn):
    model = days(SCRMModel(small_scenario("service_led", {"pilot": {
        "failure_base": 1.0, "evaluation_day": evaluation_day}}), seed=1), 2)
    assert model.pilot.failed is withdrawn
    assert model.ownership.pilot_share == (0.0 if withdrawn else 1.0)


def test_a_pilot_judged_on_its_day_is_not_judged_again_at_roll_out():
    # judged (and passed: no failure chance) on day 1; a later chance does not apply
    model = SCRMModel(pilot_scenario({"evaluation_day": 1}), seed=1)
    days(model, 1)
    assert model.pilot.judged
    model.ownership.pilot.failure_base = 1.0
    days(model, 2)
    assert model.stage_index == 1 and not model.pilot.failed


def test_the_failure_draw_comes_from_the_pilot_stream_shared_by_paired_runs():
    # the draw is the named stream's uniform of the evaluation day: the same for a pilot
    # staffed twice as well (no failure per missed SLA here, so the chance is the same)
    for seed in range(1, 9):
        failed = [days(SCRMModel(pilot_scenario(
            {"failure_base": 0.5}, staffing_scale=scale), seed=seed), 2).pilot.failed
            for scale in (1.0, 2.0)]
        model = SCRMModel(pilot_scenario(), seed=seed)
        draw = model.streams.at("pilot", 2).random()
        assert failed == [draw < 0.5] * 2


def test_a_roll_out_passes_on_the_pilot_s_learning_at_its_share():
    model = days(SCRMModel(pilot_scenario({"learning_transfer": 0.6}, company={"maturity": {
        "initial": 0.5, "loss_at_stage_change": 0.2}}), seed=1), 2)
    assert model.stage_index == 1
    assert model.maturity.level == pytest.approx(0.5 * 0.8 * 0.6)


def test_a_stage_change_that_is_no_roll_out_passes_all_learning_on():
    model = days(SCRMModel(small_scenario("service_led", {
        "pilot": {"learning_transfer": 0.6},
        "stages": [{"ownership": "hybrid", "when": {"after_day": 1}}]},
        company={"maturity": {"initial": 0.5}}), seed=1), 1)
    assert model.stage_index == 1 and model.maturity.level == 0.5


# ----------------------------------------------------------------------------- launch overload


def test_a_launch_overloads_handling_for_its_days():
    model = SCRMModel(small_scenario("service_led", company={
        "rollout": {"overload_days": 2, "handling_multiplier": 1.5}}), seed=1)
    assert model.handling_factor == 1.5
    days(model, 1)
    assert model.handling_factor == 1.5
    days(model, 1)
    assert model.handling_factor == 1.0


def test_a_mature_programme_is_overloaded_less():
    model = SCRMModel(small_scenario("service_led", company={
        "rollout": {"overload_days": 2, "handling_multiplier": 1.5},
        "maturity": {"initial": 0.5, "handling_speedup": 0.0}}), seed=1)
    assert model.handling_factor == pytest.approx(1.25)


def test_a_roll_out_is_a_launch_and_a_stage_change_of_the_same_scope_is_not():
    overload = {"rollout": {"overload_days": 1, "handling_multiplier": 1.5}}
    rolled = days(SCRMModel(pilot_scenario(company=overload), seed=1), 2)
    assert rolled.stage_index == 1 and rolled.handling_factor == 1.5
    same_scope = days(SCRMModel(small_scenario("service_led", {"stages": ROLL_OUT_DAY_2},
                                               company=overload), seed=1), 2)
    assert same_scope.stage_index == 1 and same_scope.handling_factor == 1.0


# ----------------------------------------------------------------------------- paired seeds


def paired(measure, base, variant) -> np.ndarray:
    """Variant − base of ``measure(model)`` on each paired seed."""
    def run(scenario, seed):
        model = SCRMModel(scenario, seed=seed)
        model.run()
        return measure(model)
    return np.array([run(variant, s) - run(base, s) for s in PAIRED_SEEDS])


def summary(name: str):
    return lambda model: model.summary()[name]


def assert_moves(diffs: np.ndarray, direction: str) -> None:
    sign = 1.0 if direction == "up" else -1.0
    if np.ptp(diffs) == 0:  # the same difference on every seed
        assert sign * diffs[0] > 0, diffs
        return
    test = stats.ttest_1samp(sign * diffs, 0.0, alternative="greater")
    assert sign * diffs.mean() > 0 and test.pvalue < 0.05, (diffs, test.pvalue)


def test_an_under_staffed_pilot_is_more_likely_to_fail():
    # the same pilot team for three times the customers (a fifth in scope, then three fifths)
    judged = {"failure_per_sla_miss": 1.0, "tolerated_sla_miss": 0.0}
    staffed = pilot_scenario(judged)
    under = small_scenario("laboratory", {"pilot": judged, "stages": ROLL_OUT_DAY_2,
                                          "pilot_share": 0.6})
    assert_moves(paired(lambda m: m.pilot.failure_chance, staffed, under), "up")


def test_a_withdrawn_pilot_leaves_customers_unanswered_and_culture_lower():
    failed = pilot_scenario({**WITHDRAWN, "culture_setback": 0.3})
    assert_moves(paired(summary("share_answered"), pilot_scenario(), failed), "down")
    assert_moves(paired(lambda m: m.culture, pilot_scenario(), failed), "down")


def test_a_big_bang_s_launch_overload_answers_fewer_posts_in_time():
    overload = {"rollout": {"overload_days": 6, "handling_multiplier": 1.5}}
    base = small_scenario("marketing_led")
    assert_moves(paired(summary("share_within_sla"), base,
                        small_scenario("marketing_led", company=overload)), "down")


def test_a_pilot_s_learning_carried_into_the_roll_out_eases_its_overload():
    company = {"maturity": {"growth_per_answer": 0.01},
               "rollout": {"overload_days": 4, "handling_multiplier": 2.0}}
    kept = pilot_scenario({"learning_transfer": 1.0}, company=company)
    lost = pilot_scenario({"learning_transfer": 0.0}, company=company)
    assert_moves(paired(summary("share_within_sla"), kept, lost), "down")


# ----------------------------------------------------------- withdrawal of everything paid


def test_a_withdrawn_pilot_s_key_account_managers_and_listening_desk_stop_too():
    own = {"extends": "sales_led", "pilot_share": 0.5,
           "pilot": {"evaluation_day": 1, "failure_base": 1.0},
           "listening": {"analysts": {"department": "marketing", "staff": 1},
                         "tool": {"licence_per_day": 100.0}}}
    model = SCRMModel(small_scenario(own, customers={
        "b2b_share": 0.5, "accounts": {"contacts_per_account": 3}}), seed=1)
    days(model, 2)
    assert model.pilot.failed
    since, paid = len(model.posts), model.counters["listening_cost"]
    days(model, 2)
    assert len(model.posts) > since
    assert np.isnan(model.posts.time_heard[since:]).all()
    assert model.counters["listening_cost"] == paid


def test_a_pilot_rolled_out_before_its_evaluation_day_is_judged_at_the_roll_out():
    model = days(SCRMModel(pilot_scenario({"failure_base": 1.0, "evaluation_day": 5}), seed=1), 3)
    assert model.pilot.failed and model.stage_index == 0


def test_a_launch_s_overload_does_not_slow_a_rogue_department():
    rogue = {"rogue": {"pr": {"share": 0.5, "staff": 2}}}
    calm = small_scenario("marketing_led", rogue)
    launch = small_scenario("marketing_led", rogue, company={
        "rollout": {"overload_days": 5, "handling_multiplier": 3.0}})
    took = []
    for scenario in (calm, launch):
        model = SCRMModel(scenario, seed=2)
        model.response._draw_hours = lambda mean, u: mean  # the mean, not a draw
        post = model.posts.append(np.zeros(1, np.int64), TYPE_CODE["question"],
                                  np.array([0.0]), np.ones(1))[0]
        person = next(s for s in model.staff_list if s.role == Role.ROGUE)
        took.append(model.response._serve_rogue(int(post), person, 0.0))
    assert took[0] == took[1] > 0
    assert model.handling_factor > 1.0  # the programme's own work is slowed
