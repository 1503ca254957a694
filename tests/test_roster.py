"""The duty roster: a day's on-duty staff worked out at once must be exactly who
``StaffMember.on_duty`` says is on duty, hour by hour, as roles and the team change."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model import SCRMModel
from scrm_sim.model.agents import Role, on_rota, on_rota_mask
from scrm_sim.model.roster import queue_name

from .conftest import small_scenario


def expected_on_duty(model: SCRMModel, hour: int) -> list:
    team = model.social_team
    return [p for p in model.social_staff if p.on_duty(hour, team.duty_share(p))]


@pytest.mark.parametrize(("ownership", "changes"), [
    ("self_organising", None),  # the team changes every day
    ("hybrid", {"staffing_scale": 0.75, "front_line_shift": "always"}),  # fractional seats
    ("evolution_support_first", None),  # ownership stages re-seat the staff mid-run
])
def test_the_roster_is_who_is_on_duty_every_hour(ownership, changes):
    model = SCRMModel(small_scenario(ownership, changes, duration_days=9), seed=2)
    while model.running:
        roster = model.response.roster.at(model.hour)
        assert roster.people == expected_on_duty(model, model.hour)
        model.step()


def test_the_roster_groups_people_by_the_queue_they_serve_in_staff_order():
    model = SCRMModel(small_scenario("hybrid"), seed=1)
    roster = model.response.roster.at(10)  # a weekday's working hour
    assert roster.people
    for name, servers in roster.servers.items():
        assert servers == [p for p in roster.people if queue_name(p) == name]


def test_a_team_change_within_the_day_reaches_the_roster_after_a_refresh():
    model = SCRMModel(small_scenario("service_led"), seed=1)
    hour = 10
    before = model.response.roster.at(hour)
    volunteer = next(p for p in model.staff_list if p.role == Role.NONE and not p.in_team
                     and p.shift.is_on(hour))
    model.social_team._duty_share[volunteer.department] = 1.0  # works every shift hour
    volunteer.in_team = True
    model.refresh_social_staff()
    after = model.response.roster.at(hour)
    assert volunteer not in before.people and volunteer in after.people


@pytest.mark.parametrize("share", [0.1, 0.25, 1 / 3, 0.5, 0.9, 1.0])
def test_the_rota_mask_agrees_with_the_rota_hour_by_hour(share):
    hours = np.arange(5000)
    by_hour = [int((h + 1) * share) > int(h * share) or share >= 1.0 for h in range(5000)]
    assert on_rota_mask(hours, share).tolist() == by_hour
    assert [on_rota(h, share) for h in range(0, 5000, 97)] == by_hour[::97]
