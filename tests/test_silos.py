"""Silos between departments: routes of hand-offs along the liaisons, the friction of each
hop on both sides, the hop limit, loss per hop, and the daily drift of a pair's silo."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.errors import ScenarioError
from scrm_sim.model.model import SCRMModel
from scrm_sim.model.posts import TYPE_CODE
from scrm_sim.model.response import Event
from scrm_sim.model.silos import Silos
from scrm_sim.scenario.schema import Company

from .conftest import script_hand_off, small_scenario

# a chain: marketing - it - service - sales - pr - product - executive
CHAIN = [["marketing", "it"], ["it", "service"], ["service", "sales"], ["sales", "pr"],
         ["pr", "product"], ["product", "executive"]]
SILOS = {"marketing": {"silo_strength": 0.2}, "it": {"silo_strength": 0.8},
         "service": {"silo_strength": 0.4}}
FRICTION = {"base_delay_hours": 1.0, "silo_delay_hours": 10.0, "base_loss": 0.05,
            "silo_loss": 0.5}


def chain_model(max_hops: int = 3, departments: dict | None = None) -> SCRMModel:
    scenario = small_scenario(
        "marketing_led", {"handoff": {**FRICTION, "max_hops": max_hops}, "authority": 0.0},
        company={"liaisons": CHAIN, "culture": 0.0,
                 "departments": departments if departments is not None else SILOS})
    return SCRMModel(scenario, seed=1)


def a_post(model: SCRMModel, losses: tuple[float, ...] = (0.99, 0.99)) -> int:
    """A complaint whose hand-off hops draw ``losses`` (0.99: no hop loses it), each delay
    at its mean."""
    rows = model.posts.append(np.array([0]), TYPE_CODE["complaint"], np.array([10.0]),
                              np.array([1.0]))
    script_hand_off(model, int(rows[0]), losses)
    return int(rows[0])


def scheduled(model: SCRMModel) -> list[tuple[float, int]]:
    return [(time, kind) for time, _, kind, *_ in sorted(model.response._events)]


def test_every_hand_off_is_one_hop_when_every_pair_has_a_liaison():
    model = SCRMModel(small_scenario("marketing_led"))
    names = [d for d in model.config.company.departments]
    assert all(model.silos.route(a, b) == [a, b] for a in names for b in names if a != b)


def test_through_the_executive_a_hand_off_between_functions_goes_via_the_top():
    model = SCRMModel(small_scenario("marketing_led", company={"liaisons": "through_executive"}))
    assert model.silos.route("marketing", "service") == ["marketing", "executive", "service"]
    assert model.silos.route("executive", "sales") == ["executive", "sales"]


def test_the_organisation_graph_ties_only_the_listed_departments():
    model = SCRMModel(small_scenario("marketing_led", company={"liaisons": CHAIN}))
    department = {s.unique_id: s.department for s in model.staff_list}
    crossing = {frozenset((department[u], department[v])) for u, v in model.org_graph.edges
                if department[u] != department[v]}
    assert crossing == {frozenset(pair) for pair in CHAIN}
    assert model.silos.route("marketing", "service") == ["marketing", "it", "service"]


def test_a_department_no_liaison_reaches_is_a_clear_error():
    with pytest.raises(ScenarioError, match="company.liaisons") as error:
        small_scenario("marketing_led", company={"liaisons": CHAIN[:-1]})
    assert "executive" in str(error.value)


def test_a_liaison_of_a_department_with_itself_is_refused():
    with pytest.raises(ScenarioError, match="company.liaisons"):
        small_scenario("marketing_led", company={"liaisons": [*CHAIN, ["pr", "pr"]]})


def test_each_hop_pays_the_friction_of_its_sender_and_its_receiver():
    model = chain_model()
    post = a_post(model)
    arrival = model.response._hand_off(post, ["marketing", "it", "service"], 10.0)
    # hop 1: ½(0.2 + 0.8) = 0.5; hop 2: ½(0.8 + 0.4) = 0.6; each delay 1 + 10 φ
    assert arrival == pytest.approx(10.0 + (1.0 + 5.0) + (1.0 + 6.0))
    assert model.posts.handoffs[post] == 2 and model.counters["handoffs"] == 2


@pytest.mark.parametrize("side", ["marketing", "service"])
def test_a_closed_department_slows_a_hop_whether_it_sends_or_receives(side):
    closed = {**SILOS, side: {"silo_strength": 1.0}}
    open_ = chain_model()
    shut = chain_model(departments=closed)
    route = ["marketing", "it", "service"]
    assert (shut.response._hand_off(a_post(shut), route, 0.0)
            > open_.response._hand_off(a_post(open_), route, 0.0))


def test_each_hop_may_lose_the_post_with_its_own_chance():
    # P(lost) per hop: 0.05 + 0.5 φ = 0.30 on hop 1, 0.35 on hop 2
    model = chain_model()
    post = a_post(model, (0.31, 0.34))  # hop 1 keeps it, hop 2 loses it
    assert model.response._hand_off(post, ["marketing", "it", "service"], 10.0) is None
    assert scheduled(model) == [(pytest.approx(16.0), Event.DROP)]  # lost as hop 2 starts
    assert model.posts.handoffs[post] == 2


def test_a_chain_longer_than_max_hops_is_lost_where_the_last_allowed_hop_delivers_it():
    model = chain_model(max_hops=1)
    post = a_post(model)
    assert model.response._hand_off(post, ["marketing", "it", "service"], 10.0) is None
    assert scheduled(model) == [(pytest.approx(16.0), Event.DROP)]
    assert model.posts.handoffs[post] == 1 and model.counters["lost_beyond_max_hops"] == 1


def test_a_delivered_hop_is_a_case_the_two_departments_handled_together():
    model = chain_model()
    model.response._hand_off(a_post(model), ["marketing", "it", "service"], 10.0)
    joint = model.silos.joint_cases_today
    i = model.silos.index
    assert joint[i["marketing"], i["it"]] == joint[i["it"], i["service"]] == 1
    assert joint[i["marketing"], i["service"]] == 0


# ----------------------------------------------------------------------------- drift


def silos(**drift: float) -> Silos:
    import networkx as nx

    company = Company(silo_drift=drift)
    return Silos(company, nx.complete_graph(list(company.departments)))


def test_a_pair_starts_at_the_mean_of_its_two_departments_and_stays_there_by_default():
    pairs = silos()
    assert pairs.pair_strength("marketing", "executive") == (0.5 + 0.2) / 2
    pairs.record_joint_case("marketing", "executive")
    for _ in range(30):
        pairs.end_of_day(culture=1.0, sponsorship=1.0)
    np.testing.assert_array_equal(pairs.strength, pairs.base)


@pytest.mark.parametrize("driver", ["culture", "sponsorship"])
def test_culture_and_sponsorship_wear_every_silo_down(driver):
    pairs = silos(culture_erosion=0.01, sponsorship_erosion=0.01)
    weak = silos(culture_erosion=0.01, sponsorship_erosion=0.01)
    levels = {"culture": 0.0, "sponsorship": 0.0}
    for _ in range(10):
        pairs.end_of_day(**{**levels, driver: 0.9})
        weak.end_of_day(**{**levels, driver: 0.3})
    assert (pairs.strength < weak.strength).all() and (weak.strength < weak.base).all()


def test_a_day_of_drift_rebuilds_toward_the_base_then_wears_by_culture_and_sponsorship():
    pairs = silos(culture_erosion=0.02, sponsorship_erosion=0.01, rebuild_days=4.0)
    pairs.strength[:] = 0.5 * pairs.base
    pairs.end_of_day(culture=0.5, sponsorship=0.8)
    rebuilt = 0.5 * pairs.base + (pairs.base - 0.5 * pairs.base) / 4.0
    np.testing.assert_allclose(pairs.strength, rebuilt * (1 - 0.02 * 0.5 - 0.01 * 0.8))


def test_working_cases_together_wears_down_only_that_pair_s_silo():
    pairs = silos(learning_per_joint_case=0.01)
    for _ in range(50):
        pairs.record_joint_case("marketing", "service")
    pairs.end_of_day(culture=0.0, sponsorship=0.0)
    assert pairs.pair_strength("marketing", "service") == pytest.approx(0.5 * 0.99**50)
    assert pairs.pair_strength("service", "marketing") == pairs.pair_strength("marketing",
                                                                              "service")
    assert pairs.pair_strength("marketing", "sales") == 0.5


def test_a_worn_silo_rebuilds_toward_its_base_when_nothing_wears_it():
    pairs = silos(learning_per_joint_case=0.01, rebuild_days=10.0)
    for _ in range(100):
        pairs.record_joint_case("marketing", "service")
    pairs.end_of_day(culture=0.0, sponsorship=0.0)
    worn = pairs.pair_strength("marketing", "service")
    for _ in range(10):
        pairs.end_of_day(culture=0.0, sponsorship=0.0)
    rebuilt = pairs.pair_strength("marketing", "service")
    # the gap to the base shrinks by 1/10 a day
    assert worn < rebuilt < 0.5
    assert 0.5 - rebuilt == pytest.approx((0.5 - worn) * 0.9**10)


# ----------------------------------------------------------------- named liaisons, teams


def test_a_named_liaison_takes_a_hand_off_straight_to_its_department():
    pairs = Silos(Company(liaisons="through_executive"), __import__("networkx").star_graph(
        ["executive", "marketing", "service"]))
    assert pairs.route("marketing", "service") == ["marketing", "executive", "service"]
    assert pairs.route("marketing", "service", named_liaison=True) == ["marketing", "service"]


def test_each_pair_of_team_members_from_two_departments_is_a_joint_case_a_day():
    pairs = silos(learning_per_joint_case=0.01, team_joint_cases_per_day=0.5)
    pairs.record_team_day({"marketing": 2, "service": 3, "sales": 0})
    i = pairs.index
    assert pairs.joint_cases_today[i["marketing"], i["service"]] == 0.5 * 2 * 3
    assert pairs.joint_cases_today[i["service"], i["marketing"]] == 0.5 * 2 * 3
    assert pairs.joint_cases_today[i["marketing"], i["marketing"]] == 0
    assert pairs.joint_cases_today[i["marketing"], i["sales"]] == 0


def test_a_team_of_one_department_wears_no_silo():
    pairs = silos(learning_per_joint_case=0.01, team_joint_cases_per_day=1.0)
    pairs.record_team_day({"service": 5})
    pairs.end_of_day(culture=0.0, sponsorship=0.0)
    np.testing.assert_array_equal(pairs.strength, pairs.base)
