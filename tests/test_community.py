"""Community answers from members (issue 16 item 6, ODD §7.23): a share of customers are
members, more often the frequent posters; with member_answer_chance set, a post is answered
with probability 1 − exp(−M·a) after a delay that shrinks as the active members M grow."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model.community import (
    active_members,
    answer_delays,
    answer_probability,
    draw_members,
)
from scrm_sim.model.customers import Stage
from scrm_sim.model.model import SCRMModel

from .conftest import small_scenario


def test_answer_probability_is_one_minus_exp_of_members_times_chance():
    chance = np.array([0.0, 0.001, 0.01])
    assert answer_probability(0.0, chance).tolist() == [0.0, 0.0, 0.0]
    assert answer_probability(200.0, chance) == pytest.approx(
        [0.0, 1 - np.exp(-0.2), 1 - np.exp(-2.0)])


def test_answers_come_within_the_window_and_sooner_with_more_members():
    u = np.random.default_rng(1).random(50_000)
    delays = {}
    for members in (50.0, 5000.0):
        chance = np.full(len(u), 0.002)
        answered = u < answer_probability(members, chance)
        delays[members] = answer_delays(members, chance[answered], 24.0, u[answered])
        assert delays[members].max() < 24.0
    assert delays[5000.0].mean() < delays[50.0].mean() / 3


def test_membership_takes_its_share_and_favours_frequent_posters():
    rng = np.random.default_rng(2)
    w = np.exp(1.5 * rng.standard_normal(20_000))
    w /= w.mean()
    u = rng.random(20_000)
    alike = draw_members(None, 20_000, 0.1, 1.0, u)
    assert alike.mean() == pytest.approx(0.1, abs=0.01)
    favoured = draw_members(w, 20_000, 0.1, 1.0, u)
    assert w[favoured].mean() > 3 * w[~favoured].mean()


def test_only_current_customers_count_and_dissatisfied_members_count_less():
    scenario = small_scenario("service_led", customers={"community_membership": {"share": 0.5}})
    population = SCRMModel(scenario, seed=1).population
    population.community_member[:4] = [True, True, True, False]
    population.satisfaction[:3] = [1.0, 0.5, 1.0]
    population.move(np.array([2]), Stage.CHURNED, 0.0)  # a member who left
    members = population.member_customers()
    assert 0 in members and 1 in members and 2 not in members and 3 not in members
    weighed = active_members(members, population.satisfaction, 1.0)
    expected = np.sum(population.satisfaction[members])  # 1 − (1 − s) = s
    assert weighed == pytest.approx(expected)
    assert active_members(members, population.satisfaction, 0.0) == len(members)


def community(members: float, **extra: object) -> dict:
    return {"enabled": True, "member_answer_chance": {"question": 0.01, "idea": 0.01}, **extra}


def run_with(share: float, seed: int = 3, **extra: object) -> dict:
    scenario = small_scenario("service_led", {"community": community(share, **extra)},
                              customers={"community_membership": {"share": share}})
    return SCRMModel(scenario, seed=seed).run()


def test_without_member_answer_chance_the_fixed_share_rule_holds():
    scenario = small_scenario("service_led", {"community": {"enabled": True}},
                              customers={"community_membership": {"share": 0.5}})
    model = SCRMModel(scenario, seed=1)
    assert not model.ownership.community.from_members
    model.run()
    assert model.counters["community_answers"] > 0


def test_with_no_members_nobody_answers():
    assert run_with(0.0)["community_answers"] == 0


# ---------------------------------------------------------------------- paired seeds


def test_more_members_answer_more_posts():
    few, many = run_with(0.01), run_with(0.1)
    assert many["community_answers"] > 1.5 * few["community_answers"] > 0


def test_dissatisfied_members_answer_less():
    willing = run_with(0.05)
    grudging = run_with(0.05, member_satisfaction_slope=1.0)
    assert grudging["community_answers"] < willing["community_answers"]
