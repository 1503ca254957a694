"""Mechanisms the debate relies on: rogue departments, pilots, tools and culture, learning,
demand growth and company size (issue 7)."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.errors import ScenarioError
from scrm_sim.model.agents import Role
from scrm_sim.model.demand import DemandProcess
from scrm_sim.model.model import SCRMModel
from scrm_sim.scenario.schema import Demand, PostType

from .conftest import small_scenario

ROGUE_MARKETING = {"rogue": {"marketing": {"share": 0.5, "voice": 0.0, "staff": 3}}}


def run(scenario, seed: int = 3) -> dict[str, float]:
    return SCRMModel(scenario, seed=seed).run()


def test_a_rogue_department_answers_off_the_brand_voice():
    agreed = run(small_scenario("service_led"))
    rogue = run(small_scenario("service_led", ROGUE_MARKETING))
    assert agreed["rogue_replies"] == 0
    assert rogue["rogue_replies"] > 0
    assert rogue["brand_consistency"] < agreed["brand_consistency"]


def test_the_owner_s_full_authority_stops_rogue_answering():
    reined = run(small_scenario("service_led", {**ROGUE_MARKETING, "authority": 1.0}))
    assert reined["rogue_replies"] == 0


def test_rogue_staff_hold_a_rogue_role_in_their_own_department():
    model = SCRMModel(small_scenario("service_led", ROGUE_MARKETING))
    rogue = [s for s in model.staff_list if s.role == Role.ROGUE]
    assert len(rogue) == 3 and {s.department for s in rogue} == {"marketing"}


def test_authority_pulls_a_department_s_agenda_toward_the_model_s_priorities():
    agenda = {"idea": 9.0, "complaint": 0.0, "question": 0.0, "praise": 0.0,
              "purchase_intent": 0.0}
    changes = {"company": {"departments": {"product": {"agenda": agenda}}}}
    weak = SCRMModel(small_scenario("service_led", {"authority": 0.0}, **changes))
    strong = SCRMModel(small_scenario("service_led", {"authority": 1.0}, **changes))
    idea, complaint = 3, 1  # codes in POST_TYPES order
    assert list(PostType)[idea] == "idea" and list(PostType)[complaint] == "complaint"
    assert weak.response.plan.department_priority["product"][idea] == 9.0
    np.testing.assert_allclose(strong.response.plan.department_priority["product"],
                               strong.response.plan.priority)


def test_a_pilot_hears_only_the_customers_in_its_scope():
    full = run(small_scenario("service_led", {"listening": {"coverage": 1.0}}))
    pilot = run(small_scenario("service_led", {"listening": {"coverage": 1.0},
                                               "pilot_share": 0.25}))
    assert full["share_unheard"] == 0.0
    assert 0.6 < pilot["share_unheard"] < 0.9  # about three in four posts are out of scope


def test_a_pilot_s_scope_does_not_depend_on_the_ownership_model():
    a = SCRMModel(small_scenario("service_led"), seed=9)
    b = SCRMModel(small_scenario("marketing_led", {"pilot_share": 0.3}), seed=9)
    np.testing.assert_array_equal(a.scope_rank, b.scope_rank)


def test_tools_pay_in_proportion_to_culture():
    model = SCRMModel(small_scenario(company={"tools": {"level": 0.8}, "culture": 0.5}))
    assert model.tool_use == pytest.approx(0.4)


def test_tools_hear_more_posts_in_a_strong_culture_than_in_a_weak_one():
    def unheard(culture: float, level: float) -> float:
        return run(small_scenario(company={"culture": culture,
                                           "tools": {"level": level}}))["share_unheard"]

    gain_weak = unheard(0.1, 0.0) - unheard(0.1, 1.0)
    gain_strong = unheard(0.9, 0.0) - unheard(0.9, 1.0)
    assert gain_strong > gain_weak > 0


def test_a_novice_is_slower_than_an_experienced_person():
    model = SCRMModel(small_scenario(handling={"novice_multiplier": 3.0, "distribution":
                                               "exponential", "experience_halving_posts": 10}))
    person = next(s for s in model.staff_list if s.department == "service")
    code = list(PostType).index(PostType.QUESTION)

    def mean_hours(experience: int) -> float:
        draws = []
        for _ in range(4000):
            person.posts_handled = experience
            draws.append(model.response._handling_hours(code, person))
        return float(np.mean(draws))

    base = 1.0 / person.capacity_per_hour
    assert mean_hours(0) == pytest.approx(3.0 * base, rel=0.08)
    assert mean_hours(200) == pytest.approx(base, rel=0.08)


def test_social_demand_grows_by_the_annual_rate():
    process = DemandProcess(Demand(annual_growth=1.0, diurnal_profile="flat"))
    assert process.event_multiplier(PostType.QUESTION, 0) == 1.0
    assert process.event_multiplier(PostType.QUESTION, 365 * 24) == pytest.approx(2.0)


def test_headcount_scale_resizes_every_department():
    model = SCRMModel(small_scenario(company={"headcount_scale": 2.0}))
    baseline = SCRMModel(small_scenario())
    assert len(model.staff_list) == 2 * len(baseline.staff_list)


def test_roles_beyond_a_scaled_down_department_are_a_clear_error():
    with pytest.raises(ScenarioError, match="after company.headcount_scale"):
        small_scenario("service_led", company={"headcount_scale": 0.05})
