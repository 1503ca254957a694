"""Culture that moves both ways: toward sponsorship, up with visible wins and a healthy team,
down with overload, rogue departments and a failed pilot; and culture's pull on agendas."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model.agents import Role
from scrm_sim.model.model import SCRMModel
from scrm_sim.scenario.schema import POST_TYPES

from .conftest import small_scenario


def culture_model(culture: float = 0.5, sponsorship: float | None = None, days: float = 180.0,
                  **dynamics: float) -> SCRMModel:
    """A small service-led company whose sponsorship equals its culture unless told (no drift
    toward sponsorship), with the given culture dynamics."""
    sponsorship = culture if sponsorship is None else sponsorship
    return SCRMModel(small_scenario(
        "service_led", {"executive_sponsorship": sponsorship,
                        "social_team": {"policy": "self_organising", "max_size": 4}},
        company={"culture": culture, "culture_adaptation_days": days,
                 "culture_dynamics": dynamics}))


def a_day(model: SCRMModel) -> float:
    """One culture update, staff signals first, as at the end of a day."""
    model.culture_process.observe_staff()
    model.culture_process.end_of_day()
    return model.culture


def test_by_default_culture_follows_sponsorship_alone_whatever_happens():
    model = culture_model(culture=0.4, sponsorship=0.9, days=10.0)
    model.day_share_within_sla = 1.0
    model.counters["replies"], model.counters["rogue_replies"] = 10, 10
    for person in model.social_staff:
        person.worked_yesterday, person.utilisation_yesterday = True, 1.0
    assert a_day(model) == pytest.approx(0.4 + (0.9 - 0.4) / 10.0)


def test_culture_drifts_down_toward_a_weak_sponsorship():
    model = culture_model(culture=0.6, sponsorship=0.1, days=10.0)
    assert a_day(model) == pytest.approx(0.6 - 0.5 / 10.0)


def test_a_day_answered_within_the_sla_with_satisfaction_rising_is_a_full_win():
    model = culture_model(win_gain=0.1, win_sla_share=0.5, win_satisfaction_rise=0.02)
    model.day_share_within_sla = 1.0
    customers = model.population.customer_rows()
    model.population.satisfaction[customers] += 0.03  # risen by more than a full win's 0.02
    assert a_day(model) == pytest.approx(0.5 + 0.5 * 0.1)
    assert model.culture_process.drivers["wins"] == 1.0


def test_a_day_below_the_win_share_with_flat_satisfaction_is_no_win():
    model = culture_model(win_gain=0.1, win_sla_share=0.5)
    model.day_share_within_sla = 0.4
    assert a_day(model) == pytest.approx(0.5)
    assert model.culture_process.drivers["wins"] == 0.0


def test_half_the_wins_index_is_the_share_within_the_sla_above_the_win_share():
    model = culture_model(win_gain=0.1, win_sla_share=0.5)
    model.day_share_within_sla = 0.75
    a_day(model)
    assert model.culture_process.drivers["wins"] == pytest.approx(0.5 * 0.5)


def test_a_full_healthy_team_raises_culture_and_overloaded_members_do_not_count():
    model = culture_model(team_gain=0.1, overload_utilisation=0.85)
    free = [s for s in model.staff_list if s.role == Role.NONE and not s.rota_cover]
    for person, load in zip(free[:4], (0.5, 0.5, 0.5, 0.95), strict=True):
        person.in_team, person.worked_yesterday, person.utilisation_yesterday = True, True, load
    model.refresh_social_staff()
    assert a_day(model) == pytest.approx(0.5 + 0.5 * 0.1 * 3 / 4)  # 3 healthy of 4 places


def test_overload_of_the_people_doing_social_work_lowers_culture():
    model = culture_model(overload_loss=0.1, overload_utilisation=0.85)
    workers = [s for s in model.social_staff if s.role != Role.ROGUE]
    for i, person in enumerate(workers):
        person.worked_yesterday = True
        person.utilisation_yesterday = 1.0 if i % 2 == 0 else 0.5
    overloaded = sum(1 for i in range(len(workers)) if i % 2 == 0) / len(workers)
    assert a_day(model) == pytest.approx(0.5 - 0.5 * 0.1 * overloaded)


def test_people_without_duty_yesterday_are_not_counted_as_overloaded_or_not():
    model = culture_model(overload_loss=0.1)
    workers = [s for s in model.social_staff if s.role != Role.ROGUE]
    workers[0].worked_yesterday, workers[0].utilisation_yesterday = True, 1.0
    assert a_day(model) == pytest.approx(0.5 - 0.5 * 0.1)  # the only one who worked


def test_replies_from_rogue_departments_lower_culture():
    model = culture_model(rogue_loss=0.1)
    model.counters["replies"], model.counters["rogue_replies"] = 10, 5
    assert a_day(model) == pytest.approx(0.5 - 0.5 * 0.1 * 0.5)
    model.counters["replies"] += 10  # the next day: ten replies, none rogue
    culture = model.culture
    assert a_day(model) == pytest.approx(culture + (0.5 - culture) / 180.0)  # sponsorship only


def test_a_failed_pilot_sets_culture_back_by_its_share():
    model = culture_model(culture=0.5)
    model.culture_process.setback(0.2)
    assert model.culture == pytest.approx(0.4)
    with pytest.raises(ValueError, match="share"):
        model.culture_process.setback(1.5)


def test_culture_stays_between_0_and_1_under_the_strongest_pushes():
    high = culture_model(culture=1.0, win_gain=0.2, team_gain=0.2)
    high.day_share_within_sla = 1.0
    low = culture_model(culture=0.0, overload_loss=0.2, rogue_loss=0.2)
    low.counters["replies"] = low.counters["rogue_replies"] = 3
    for _ in range(5):
        assert 0.0 <= a_day(high) <= 1.0 and 0.0 <= a_day(low) <= 1.0


def test_culture_pulls_a_department_s_agenda_toward_the_model_s_priorities():
    agenda = {"idea": 9.0, "complaint": 0.0, "question": 0.0, "praise": 0.0,
              "purchase_intent": 0.0}

    def product_priorities(pull: float) -> tuple[np.ndarray, SCRMModel]:
        model = SCRMModel(small_scenario(
            "service_led", {"authority": 0.2, "executive_sponsorship": 0.6},
            company={"culture": 0.6, "culture_dynamics": {"agenda_pull": pull},
                     "departments": {"product": {"agenda": agenda}}}))
        for _ in range(24):  # one day: the pull is renewed with the day's culture
            model.step()
        return model.response.plan.department_priority["product"], model

    alone, _ = product_priorities(0.0)
    pulled, model = product_priorities(1.0)
    own = np.array([agenda[str(t)] for t in POST_TYPES])
    plan = model.response.plan
    np.testing.assert_allclose(alone, 0.8 * own + 0.2 * plan.priority)  # authority only
    pull = 0.2 + 0.8 * 1.0 * model.culture
    np.testing.assert_allclose(pulled, (1 - pull) * own + pull * plan.priority)
    assert pull > 0.2
