"""Staffing in full-time equivalents (FTE): what an ownership model's social roles cost in
people, and the staffing scale that spends a given budget.

A *seat* is a social role that is manned whenever its shift is open (a front-line seat, a
resolver, an approver). One person works ``company.contracted_hours_per_week`` (40 h), so a
seat open longer is covered by a rota of several people: a seat on the ``extended`` shift
(07–23 every day, 112 h a week) costs 2.8 FTE, a business-hours seat 1 FTE. Seats may be
fractional: 2.5 seats are two full seats and one manned half of its shift's hours, so that
staffing can be scaled continuously (``ownership.staffing_scale``) and budgets met exactly.

A social-team member is a person who gives ``social_team.time_share`` of their contracted
hours to social work: 0.25 FTE at the default share, whatever their department's hours.

Counting heads instead hides the difference between a front line open 40 hours a week and
one open 112 hours (issue 13: 1,425 against 1,729–1,917 staff-hours over 21 days for
"about the same number of staff").
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from scrm_sim.scenario.schema import (
    Company,
    Ownership,
    Scenario,
    Shift,
    ShiftSpec,
    resolve_shift,
    scaled_count,
)

HOURS_PER_WEEK = 168

RoleName = Literal["front_line", "resolver", "approver", "rogue"]


def shift_hours_per_week(shift: ShiftSpec) -> int:
    """Hours a week a shift is open (business 40, extended 112, always 168)."""
    resolved = resolve_shift(shift)
    return _open_hours(resolved.start_hour, resolved.end_hour, resolved.days)


@functools.cache
def _open_hours(start_hour: int, end_hour: int, days: str) -> int:
    # counted once per distinct shift: the budget bisection asks thousands of times
    shift = Shift(start_hour=start_hour, end_hour=end_hour, days=days)
    return sum(shift.is_on(hour) for hour in range(HOURS_PER_WEEK))


def seats(count: int, scale: float) -> float:
    """Seats of a role asked for ``count`` seats under a staffing scale: at least one whole
    seat where the model asks for any (a role is either staffed or absent)."""
    return max(1.0, count * scale) if count > 0 else 0.0


@dataclass(frozen=True)
class RoleSeats:
    """One social role of one department, as staffed."""

    role: RoleName
    department: str
    seats: float
    shift: Shift

    @property
    def hours_per_week(self) -> float:
        """Staff-hours a week the role is manned."""
        return self.seats * shift_hours_per_week(self.shift)

    def fte(self, company: Company) -> float:
        """Full-time equivalents the role needs (its rota)."""
        return self.hours_per_week / company.contracted_hours_per_week

    def duty_shares(self) -> list[float]:
        """Share of the shift each seat holder mans: 1 per whole seat, then the fraction."""
        whole = int(self.seats + 1e-9)
        fraction = self.seats - whole
        return [1.0] * whole + ([fraction] if fraction > 1e-9 else [])

    def people(self, company: Company) -> int:
        """People the role takes: one per seat (a fractional seat too), and at least as
        many as its rota's FTE."""
        return max(len(self.duty_shares()), math.ceil(self.fte(company) - 1e-9))

    def scaled(self, share: float) -> RoleSeats:
        """The same role with ``share`` of its seats."""
        return RoleSeats(self.role, self.department, self.seats * share, self.shift)


def role_seats(own: Ownership, company: Company, scale: float | None = None,
               *, include_rogue: bool = False, fit: bool = True) -> list[RoleSeats]:
    """The roles an ownership model staffs in a company, in seats, after its staffing scale.

    A department asked for more FTE than it has people gives each of its roles the same
    share of what it has (so that no role, say the approver, is left with nobody).
    Rogue departments (outside the agreed model) are left out unless asked for: they are
    not the programme's staff and no budget scales them. ``fit=False`` gives the seats as
    asked, before fitting them to the departments' people.
    """
    scale = own.staffing_scale if scale is None else scale
    front_shift = None if own.front_line_shift is None else resolve_shift(own.front_line_shift)

    def shift_of(dept: str) -> Shift:
        return resolve_shift(company.departments[dept].shift)

    wanted: list[RoleSeats] = [
        RoleSeats("front_line", d, seats(n, scale), front_shift or shift_of(d))
        for d, n in own.front_line.items()
    ]
    wanted += [RoleSeats("resolver", d, seats(n, scale), shift_of(d))
               for d, n in own.resolver_staff.items()]
    if own.approval.approver is not None:
        wanted.append(RoleSeats("approver", own.approval.approver,
                                seats(own.approval.approver_staff, scale),
                                shift_of(own.approval.approver)))
    # rogue staff are as many as the department sends, never scaled; they take people too
    wanted += [RoleSeats("rogue", d, float(r.staff), shift_of(d))
               for d, r in own.rogue.items() if r.share > 0]
    wanted = [w for w in wanted if w.seats > 0 and w.department in company.departments]
    if fit:
        wanted = [seat for dept in dict.fromkeys(w.department for w in wanted)
                  for seat in _fit([w for w in wanted if w.department == dept],
                                   company.head_count(dept), company)]
    return [w for w in wanted if include_rogue or w.role != "rogue"]


def _fit(roles: list[RoleSeats], people: int, company: Company) -> list[RoleSeats]:
    """A department's roles with the same share of their seats each, the largest share
    (at most 1) whose holders and rotas its people can fill."""
    def needed(share: float) -> int:
        return sum(r.scaled(share).people(company) for r in roles)

    if needed(1.0) <= people:
        return roles
    # people needed only grow with the share
    share, _ = _boundary(lambda x: needed(x) <= people, 0.0, 1.0, steps=50)
    return [r.scaled(share) for r in roles]


def _boundary(below: Callable[[float], bool], low: float, high: float,
              steps: int) -> tuple[float, float]:
    """Bisection of a monotone condition: ``below`` holds at ``low`` and not at ``high``;
    returns the bracket (last x where it holds, first where it does not) after ``steps``."""
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if below(middle) else (low, middle)
    return low, high


def roles_fte(own: Ownership, company: Company, scale: float | None = None) -> float:
    """FTE of the programme's roles (front line, resolvers, approvers)."""
    return sum(r.fte(company) for r in role_seats(own, company, scale))


def people_left(own: Ownership, company: Company, scale: float | None = None) -> int:
    """Staff of the company not taken by the roles (holders and rotas, rogue ones too)."""
    staff = sum(company.head_count(d) for d in company.departments)
    taken = sum(r.people(company) for r in role_seats(own, company, scale, include_rogue=True))
    return max(0, staff - taken)


def team_places(own: Ownership, company: Company, scale: float | None = None) -> int:
    """Most members the social team may have: max_size under the staffing scale, and no
    more people than the company has left after the roles."""
    if own.social_team.policy == "none":
        return 0
    scale = own.staffing_scale if scale is None else scale
    return min(scaled_count(own.social_team.max_size, scale), people_left(own, company, scale))


def team_fte_limit(own: Ownership, company: Company, scale: float | None = None,
                   budget_fte: float | None = None) -> float:
    """FTE the social team may use: its places at time_share each, within what the budget
    leaves after the roles."""
    limit = team_places(own, company, scale) * own.social_team.time_share
    budget = own.budget_fte if budget_fte is None else budget_fte
    if budget is not None:
        limit = min(limit, max(0.0, budget - roles_fte(own, company, scale)))
    return limit


def budgeted_fte(own: Ownership, company: Company) -> float:
    """FTE the ownership model commits to social work: its roles and the most its team
    may use."""
    return roles_fte(own, company) + team_fte_limit(own, company)


class BudgetError(ValueError):
    """A budget an ownership model cannot be staffed at."""


def _continuous_fte(own: Ownership, company: Company, scale: float) -> float:
    # what is solved for: the team counted at its unrounded size (the run then takes whole
    # people within the budget), so that FTE is continuous and increasing in the scale
    seated = role_seats(own, company, scale, include_rogue=True)
    roles = sum(r.fte(company) for r in seated if r.role != "rogue")
    team = 0.0
    if own.social_team.policy != "none":
        # people left counted continuously (not in whole people), so that the sum grows
        # with the scale: when people cap the team, each FTE more for the roles is only
        # time_share less for the team
        staff = sum(company.head_count(d) for d in company.departments)
        rogue = sum(r.fte(company) for r in seated if r.role == "rogue")
        team = max(0.0, min(own.social_team.max_size * scale, staff - roles - rogue))
    return roles + team * own.social_team.time_share


def minimum_fte(own: Ownership, company: Company) -> float:
    """The smallest budget that staffs one seat of each of the model's roles."""
    return roles_fte(own, company, 0.0)


def budget_scale(own: Ownership, company: Company, budget_fte: float) -> float:
    """The staffing scale at which the model's roles and team limit use ``budget_fte``.

    Raises :class:`BudgetError` when the budget cannot staff one seat of each role, or is
    more than the company's departments can give the model.
    """
    low_fte = minimum_fte(own, company)
    if budget_fte < low_fte - 1e-9:
        roles = ", ".join(f"{r.role.replace('_', ' ')} {r.department} "
                          f"{r.fte(company):.2g}" for r in role_seats(own, company, 0.0))
        raise BudgetError(
            f"{budget_fte:g} FTE cannot staff {own.name}: one seat of each of its roles "
            f"needs {low_fte:.3g} FTE ({roles})")
    high, spent = 1.0, _continuous_fte(own, company, 1.0)
    while spent < budget_fte:  # double the scale until the budget is reached
        more = _continuous_fte(own, company, high * 2)
        if high > 1e6 or more <= spent + 1e-12:
            raise BudgetError(
                f"{budget_fte:g} FTE is more than {own.name} can use in this company "
                f"(at most {more:.3g} FTE: its departments have no more people)")
        high, spent = high * 2, more
    # FTE is continuous and non-decreasing in the scale
    _, scale = _boundary(lambda x: _continuous_fte(own, company, x) < budget_fte, 0.0, high,
                         steps=60)
    return scale


def at_budget(own: Ownership, company: Company, budget_fte: float) -> Ownership:
    """The ownership model (and each of its stages) with its staffing scaled to spend
    ``budget_fte``, keeping its structure; the budget also caps the team's growth."""
    stages = [stage.model_copy(update={"ownership": at_budget(stage.ownership, company,
                                                              budget_fte)})
              for stage in own.stages]
    return own.model_copy(update={"staffing_scale": budget_scale(own, company, budget_fte),
                                  "budget_fte": budget_fte, "stages": stages})


def staffing_plan(scenario: Scenario) -> dict[str, float]:
    """A scenario's social staffing at the start, as recorded in manifests and reports:
    FTE of the roles' rotas, the team's limit, their sum, and the staffing scale used
    (after ``staffing_budget_fte``, when set)."""
    own, company = scenario.ownership, scenario.company
    if scenario.staffing_budget_fte is not None:
        own = at_budget(own, company, scenario.staffing_budget_fte)
    roles = roles_fte(own, company)
    team = team_fte_limit(own, company)
    return {"roles_fte": round(roles, 3), "team_fte_limit": round(team, 3),
            "fte_budgeted": round(roles + team, 3), "staffing_scale": round(own.staffing_scale, 4),
            "staffing_budget_fte": scenario.staffing_budget_fte}
