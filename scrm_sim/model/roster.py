"""The duty roster: which social staff work which queue in each hour of the day.

Whether a person is on duty (:meth:`StaffMember.on_duty`) depends on the hour, their shift,
their role or team membership and their rota, and on nothing random. Roles and team
membership change only between days (the daily review, a new ownership stage) and always
come with a new ``model.social_staff`` list, so a day's 24 rosters can be worked out once,
with one array test over the social staff, instead of asking every person every hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from scrm_sim.model.agents import Role, StaffMember, on_rota_mask
from scrm_sim.scenario.schema import Shift

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel

HOURS_PER_DAY = 24
HOURS_PER_WEEK = 168


class HourRoster(NamedTuple):
    """The social staff on duty in one hour."""

    people: list[StaffMember]  # everyone on duty, in ``model.social_staff`` order
    servers: dict[str, list[StaffMember]]  # queue name → its servers, in that same order


def queue_name(person: StaffMember) -> str:
    """The queue a person on duty serves: the hub (front line and team members), their
    department's resolver queue, approvals, or their department's rogue queue."""
    if person.role in (Role.FRONT_LINE, Role.NONE):  # NONE on duty = team member
        return "hub"
    if person.role == Role.RESOLVER:
        return person.department
    if person.role == Role.ROGUE:
        return f"rogue {person.department}"
    return "approval"


class DutyRoster:
    """Each hour's :class:`HourRoster`, worked out a day at a time.

    The day's rosters are recomputed when the day, the social staff list or the social team
    changes; anything that changes a role, a shift or team membership in the middle of a
    day must call ``model.refresh_social_staff()`` (as every such change in the model does).
    """

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        self._day = -1
        self._staff: list[StaffMember] | None = None  # held, so its id cannot be reused
        self._team: object = None
        self._hours: list[HourRoster] = []
        self._weeks: dict[tuple[int, int, str], np.ndarray] = {}  # shift → its 168 hours

    def at(self, hour: int) -> HourRoster:
        """Who is on duty in ``hour`` and which queue each serves."""
        day = hour // HOURS_PER_DAY
        model = self.model
        if day != self._day or model.social_staff is not self._staff or (
                model.social_team is not self._team):
            self._plan_day(day)
        return self._hours[hour - day * HOURS_PER_DAY]

    def _plan_day(self, day: int) -> None:
        """The 24 rosters of ``day``: the same test as :meth:`StaffMember.on_duty`, for every
        person and hour at once (a person × hour array)."""
        model = self.model
        staff, team = model.social_staff, model.social_team
        self._day, self._staff, self._team = day, staff, team
        weeks = np.zeros((len(staff), HOURS_PER_WEEK), dtype=bool)  # off unless on social duty
        shares = np.ones(len(staff))
        offsets = np.zeros(len(staff), dtype=np.int64)
        for i, person in enumerate(staff):
            terms = person.duty_terms(team.duty_share(person))
            if terms is not None:
                weeks[i], shares[i] = self._week(terms[0]), terms[1]
            offsets[i] = person.rota_offset
        hours = np.arange(day * HOURS_PER_DAY, (day + 1) * HOURS_PER_DAY)
        on = weeks[:, hours % HOURS_PER_WEEK] & on_rota_mask(hours + offsets[:, None],
                                                              shares[:, None])
        names = [queue_name(person) for person in staff]
        self._hours = []
        for column in on.T.tolist():
            people, servers = [], {}
            for person, name, works in zip(staff, names, column, strict=True):
                if works:
                    people.append(person)
                    servers.setdefault(name, []).append(person)
            self._hours.append(HourRoster(people, servers))

    def _week(self, shift: Shift) -> np.ndarray:
        """The hours of the week a shift covers, from :meth:`Shift.is_on` itself."""
        key = (shift.start_hour, shift.end_hour, shift.days)
        if key not in self._weeks:
            self._weeks[key] = np.array([shift.is_on(h) for h in range(HOURS_PER_WEEK)])
        return self._weeks[key]
