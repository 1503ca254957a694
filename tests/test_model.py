"""The model as a whole: determinism, conservation, allowed moves, sanity of responses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scrm_sim.model import (
    ALLOWED_TRANSITIONS, Customer, PostStatus, SCRMModel, StaffMember, Stage,
)
from scrm_sim.model.customers import CustomerPopulation
from scrm_sim.model.posts import DropReason
from scrm_sim.model.response import RoutingPlan
from scrm_sim.scenario.schema import POST_TYPES

from .conftest import CORE_MODELS, small_scenario


def run(scenario, seed=None) -> SCRMModel:
    model = SCRMModel(scenario, seed=seed)
    model.run()
    return model


def test_same_scenario_and_seed_give_identical_results(small):
    first, second = run(small, seed=11), run(small, seed=11)
    pd.testing.assert_frame_equal(first.datacollector.get_model_vars_dataframe(),
                                  second.datacollector.get_model_vars_dataframe())
    assert first.summary() == pytest.approx(second.summary(), nan_ok=True)
    np.testing.assert_array_equal(first.population.satisfaction, second.population.satisfaction)


def test_different_seeds_give_different_results(small):
    assert run(small, seed=1).summary()["posts"] != run(small, seed=2).summary()["posts"]


@pytest.mark.parametrize("ownership", CORE_MODELS)
def test_every_post_is_pending_answered_resolved_or_dropped(ownership):
    model = run(small_scenario(ownership))
    posts = model.posts
    counts = posts.status_counts()
    assert sum(counts.values()) == len(posts) > 0
    answered = ~np.isnan(posts.time_first_response)
    resolved = ~np.isnan(posts.time_resolved)
    status = posts.status
    assert not answered[status == PostStatus.PENDING].any()
    assert answered[status == PostStatus.ANSWERED].all()
    assert not resolved[status == PostStatus.ANSWERED].any()
    assert resolved[status == PostStatus.RESOLVED].all()
    assert (posts.drop_reason[status == PostStatus.DROPPED] != DropReason.NONE).all()
    assert (posts.drop_reason[status != PostStatus.DROPPED] == DropReason.NONE).all()


@pytest.mark.parametrize("ownership", CORE_MODELS)
def test_replies_never_come_before_the_post(ownership):
    posts = run(small_scenario(ownership)).posts
    answered = ~np.isnan(posts.time_first_response)
    assert (posts.time_first_response[answered] >= posts.time_posted[answered]).all()
    handled = ~np.isnan(posts.time_first_handled)
    assert (posts.time_first_handled[handled] >= posts.time_heard[handled]).all()


def test_customers_only_move_between_allowed_stages(small, monkeypatch):
    seen: set[tuple[Stage, Stage]] = set()
    original = CustomerPopulation.move

    def recording_move(self, people, to, day):
        for before in np.unique(self.stage[people]):
            seen.add((Stage(int(before)), Stage(to)))
        original(self, people, to, day)

    monkeypatch.setattr(CustomerPopulation, "move", recording_move)
    run(small_scenario("hybrid", duration_days=20,
                       churn={"daily_base_hazard": 0.01, "onboarding_days": 3}))
    moves = {(a, b) for a, b in seen if a != b}
    assert moves, "the run should move some customers"
    assert moves <= ALLOWED_TRANSITIONS, moves - ALLOWED_TRANSITIONS


def test_more_front_line_staff_never_raise_mean_wait_over_paired_seeds():
    def mean_wait(front_line: int) -> float:
        waits = []
        for seed in range(5):
            scenario = small_scenario("service_led", {"front_line": {"service": front_line}})
            posts = run(scenario, seed=seed).posts
            wait = posts.time_first_handled - posts.time_heard
            waits.append(np.nanmean(wait))
        return float(np.mean(waits))

    few, many = mean_wait(1), mean_wait(4)
    assert many <= few


def test_staff_are_mesa_agents_and_customers_are_array_backed(small):
    model = SCRMModel(small)
    staff = model.agents_by_type[StaffMember]
    assert len(staff) == sum(d.staff for d in small.company.departments.values())
    assert model.population.satisfaction.shape == (small.customers.count + small.customers.prospects,)


def test_agent_records_are_kept_only_on_request(small):
    assert run(small).agent_records == []
    with_records = small.model_copy(update={"output": small.output.model_copy(
        update={"agent_records": True})})
    records = run(with_records).agent_records
    assert {"day", "department", "role", "in_team", "utilisation"} <= set(records[0])


def test_a_staged_model_switches_ownership_when_its_trigger_fires():
    scenario = small_scenario("service_led", {
        "stages": [{"ownership": "hybrid", "when": {"after_day": 2}}]})
    model = run(scenario)
    assert model.stage_index == 1
    assert model.ownership.name == "hybrid"
    steps = model.datacollector.get_model_vars_dataframe()
    assert steps["ownership_stage"].iloc[0] == 0 and steps["ownership_stage"].iloc[-1] == 1


def test_a_self_organising_team_grows_under_sponsorship():
    scenario = small_scenario("service_led", {
        "executive_sponsorship": 1.0, "social_team": {"join_probability": 0.2}}, duration_days=20)
    steps = run(scenario).datacollector.get_model_vars_dataframe()
    assert steps["social_team_size"].iloc[-1] > steps["social_team_size"].iloc[0]


def test_silence_on_complaints_starts_word_of_mouth_cascades():
    deaf = small_scenario("service_led", {"listening": {"coverage": 0.0}})
    model = run(deaf)
    assert model.counters["grievances"] > 0
    assert model.cascades.total_reach > 0
    assert np.isnan(model.posts.time_first_response).all()


def test_the_total_reach_of_cascades_is_the_sum_of_their_reaches():
    model = run(small_scenario("service_led", {"listening": {"coverage": 0.0}}))
    assert len(model.cascades.reach) > 1
    assert model.cascades.total_reach == sum(model.cascades.reach)


def test_customer_agents_are_made_on_demand_above_the_limit():
    model = SCRMModel(small_scenario(customers={"max_agent_objects": 0}))
    assert not any(isinstance(a, Customer) for a in model.agents)
    agent = model.customer_agent(5)
    assert agent.satisfaction == model.population.satisfaction[5]
    assert model.customer_agent(5) is agent


def test_a_department_agenda_orders_the_posts_handed_to_it():
    scenario = small_scenario(company={"departments": {"service": {"agenda": {"complaint": 9}}}})
    plan = RoutingPlan(scenario.ownership, scenario.company.departments)
    complaint, question = POST_TYPES.index("complaint"), POST_TYPES.index("question")
    assert plan.department_priority["service"][complaint] == 9
    assert plan.department_priority["service"][question] == 0  # not on its agenda
    assert plan.department_priority["sales"] is plan.priority  # no agenda: the owner's


def test_answers_waiting_for_approval_go_out_when_a_stage_drops_the_approver():
    scenario = small_scenario("marketing_led", {
        "stages": [{"ownership": "service_led", "when": {"after_day": 3}}]})
    model = run(scenario)
    assert model.ownership.name == "service_led"
    assert model.response.approval.entries() == []


def test_a_department_asked_for_more_than_it_has_keeps_someone_in_every_role():
    from scrm_sim.scenario.staffing import role_seats

    scenario = small_scenario("pr_led", {"staffing_scale": 10.0})
    pr = [r for r in role_seats(scenario.ownership, scenario.company) if r.department == "pr"]
    assert {r.role for r in pr} == {"front_line", "approver"}
    assert all(r.seats > 0 for r in pr)
    people = scenario.company.head_count("pr")
    assert sum(r.people(scenario.company) for r in pr) == people  # every person, no more
    assert sum(r.fte(scenario.company) for r in pr) <= people


def test_doubling_staff_does_not_leave_the_approver_department_without_an_approver():
    scenario = small_scenario("pr_led", {"staffing_scale": 2.0})
    model = SCRMModel(scenario, seed=1)
    approvers = [s for s in model.staff_list if s.role.name == "APPROVER"]
    assert approvers
