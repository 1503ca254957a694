"""The self-organising social team: staff join and leave by themselves.

Graham Hill (seed 004) describes the first stage of social ownership as "a
self-organising group with no formal authority, but a lot of social authority";
Glenn (seed 001) "assembled a group of staff with experience and a passion for
social media". Here enthusiasts with spare time join, more readily under executive
sponsorship, in a strong culture, when the backlog is visible and when colleagues
have joined; members who stay overloaded leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scrm_sim.model.agents import Role, StaffMember
from scrm_sim.scenario.schema import SocialTeamPolicy, scaled_count
from scrm_sim.scenario.staffing import shift_hours_per_week

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel

class SocialTeam:
    """Membership rules for one ownership model's team policy."""

    def __init__(self, model: SCRMModel, policy: SocialTeamPolicy) -> None:
        self.model = model
        self.policy = policy
        company = model.config.company
        # a member gives time_share of their contracted hours, spread over their shift
        self._duty_share = {
            name: min(1.0, policy.time_share * company.contracted_hours_per_week
                      / max(1, shift_hours_per_week(dept.shift)))
            for name, dept in company.departments.items()
        }

    def duty_share(self, person: StaffMember) -> float:
        """Share of the person's shift hours they work the hub as a member."""
        return self._duty_share[person.department]

    def seed_members(self) -> None:
        """Start with the most enthusiastic free staff as members (formal teams, pilots)."""
        if self.policy.policy == "none":
            return
        free = sorted((s for s in self.model.staff_list
                       if s.role == Role.NONE and not s.in_team and not s.rota_cover),
                      key=lambda s: (-s.enthusiasm, s.unique_id))
        wanted = scaled_count(self.policy.initial_members, self.model.ownership.staffing_scale)
        for member in free[: min(wanted, self.capacity_left())]:
            member.in_team = True

    def capacity_left(self) -> int:
        """Places left under max_size and the ownership model's FTE budget."""
        size = sum(1 for s in self.model.staff_list if s.in_team)
        places = scaled_count(self.policy.max_size, self.model.ownership.staffing_scale) - size
        budget = self.model.ownership.budget_fte
        if budget is not None:  # each member is time_share of one FTE
            left = (budget - self.model.roles_fte) / self.policy.time_share
            places = min(places, int(np.floor(left + 1e-9)) - size)
        return max(0, places)

    def review(self, person: StaffMember) -> None:
        """Daily decision of one person (called through ``AgentSet.shuffle_do``)."""
        if self.policy.policy != "self_organising":
            return
        if person.in_team:
            if person.utilisation_yesterday > self.policy.leave_utilisation:
                person.overloaded_days += 1
            else:
                person.overloaded_days = 0
            if person.overloaded_days >= self.policy.leave_after_days:
                person.in_team = False
                person.overloaded_days = 0
                self.model.counters["team_leavers"] += 1
            return
        if (person.role != Role.NONE or person.rota_cover
                or person.enthusiasm < self.policy.enthusiasm_threshold):
            return
        if person.slack < self.policy.min_slack or self.capacity_left() == 0:
            return
        if self.model.random.random() < self.join_probability(person):
            person.in_team = True
            self.model.counters["team_joiners"] += 1

    def join_probability(self, person: StaffMember) -> float:
        """Daily chance that an eligible person joins."""
        model = self.model
        policy = self.policy
        backlog_pull = 1.0 + min(policy.backlog_pull_max,
                                 policy.backlog_pull_per_post * model.last_backlog)
        contacts = list(model.org_graph.neighbors(person.unique_id))
        peer_share = (
            sum(model.staff_by_id[c].in_team for c in contacts) / len(contacts) if contacts else 0.0
        )
        p = (
            self.policy.join_probability
            * (0.5 + model.ownership.executive_sponsorship)
            * (0.5 + model.culture)
            * backlog_pull
            * (1.0 + policy.peer_pull * peer_share)
        )
        return min(1.0, p)
