"""Mesa agents: customers (views onto the population arrays) and staff (rich, few)."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from scrm_sim.model.customers import CUSTOMER_STAGES, Stage
from scrm_sim.model.engines import (
    churn_probability, conversion_probability, drifted, poisson_count, post_rates,
)
from scrm_sim.scenario.schema import POST_TYPES, Shift

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel


class Customer(mesa.Agent):
    """One customer or prospect. Its state lives in ``model.population`` arrays at ``row``.

    The vectorised engine never calls per-customer methods; these agents exist for
    inspection, visualisation, agent-level records and the per-agent reference engine
    (``engine: agents``), which calls :meth:`post` and :meth:`end_of_day`.
    """

    def __init__(self, model: SCRMModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def satisfaction(self) -> float:
        """Satisfaction in [0, 1]."""
        return float(self.model.population.satisfaction[self.row])

    @property
    def stage(self) -> Stage:
        """Lifecycle stage."""
        return Stage(int(self.model.population.stage[self.row]))

    @property
    def influence(self) -> int:
        """Number of contacts in the customer graph."""
        adjacency = self.model.adjacency
        return int(adjacency.indptr[self.row + 1] - adjacency.indptr[self.row])

    def post(self, hour: int) -> None:
        """Reference engine: decide this hour's posts (a Poisson count, types by rate)."""
        engine = self.model.customer_engine
        rates = post_rates(self, engine.hour_rates, self.model.config.demand)
        total = sum(rates)
        if total <= 0:
            return
        rnd = self.model.random
        for _ in range(poisson_count(total, rnd.random())):
            pick = rnd.random() * total
            chosen = POST_TYPES[-1]
            for post_type, rate in zip(POST_TYPES, rates, strict=True):
                pick -= rate
                if pick < 0:
                    chosen = post_type
                    break
            engine.posts.append((self.row, chosen, hour + rnd.random()))

    def end_of_day(self) -> None:
        """Reference engine: drift, stage moves, churn or external acquisition for this person."""
        model, row = self.model, self.row
        pop, scenario, day, rnd = model.population, model.config, model.day, model.random
        churn = scenario.churn
        s = float(drifted(pop.satisfaction[row], scenario.outcomes))
        pop.satisfaction[row] = s
        stage = self.stage
        if stage in (Stage.ONBOARDING, Stage.WON_BACK) and (
                day - pop.stage_since_day[row] >= churn.onboarding_days):
            stage = self._move(Stage.ACTIVE)
        if stage == Stage.ACTIVE and s < churn.at_risk_below:
            stage = self._move(Stage.AT_RISK)
        elif stage == Stage.AT_RISK and s >= churn.at_risk_below + churn.at_risk_recovery_margin:
            stage = self._move(Stage.ACTIVE)
        if stage in CUSTOMER_STAGES:
            if rnd.random() < churn_probability(s, stage, churn):
                self._move(Stage.CHURNED)
                model.counters["churned"] += 1
        elif stage == Stage.PROSPECT and rnd.random() < conversion_probability(
                model.customer_engine.day_reach, s, scenario):
            self._move(Stage.ONBOARDING)
            model.counters["acquired_external"] += 1

    def _move(self, to: Stage) -> Stage:
        self.model.population.move(np.array([self.row]), to, self.model.day)
        return to


def on_rota(hour: int, share: float) -> bool:
    """Whether a rota that covers ``share`` of the hours covers this one: the hours are
    spread evenly (exactly floor(n·share) of any n consecutive hours, give or take one)."""
    return bool(on_rota_mask(np.array([hour]), share)[0])


def on_rota_mask(hours: np.ndarray, share: float | np.ndarray) -> np.ndarray:
    """:func:`on_rota` for many hours (non-negative) at once; ``hours`` and ``share``
    broadcast together (a share per row of hours, say)."""
    share = np.asarray(share, dtype=np.float64)
    return (share >= 1.0) | (np.floor((hours + 1) * share) > np.floor(hours * share))


class Role(IntEnum):
    """A staff member's social role, set by the ownership model."""

    NONE = 0
    FRONT_LINE = 1  # works the hub full-time on shift
    RESOLVER = 2  # takes handed-off posts for the department
    APPROVER = 3  # reviews public answers
    ROGUE = 4  # answers on its department's own initiative, outside the agreed model


class StaffMember(mesa.Agent):
    """A person in a department, who may hold a social role or join the social team."""

    def __init__(
        self,
        model: SCRMModel,
        department: str,
        capacity_per_hour: float,
        skills: frozenset[int],
        shift: Shift,
        enthusiasm: float,
        hourly_cost: float,
        slack: float,
    ) -> None:
        super().__init__(model)
        self.department = department
        self.capacity_per_hour = capacity_per_hour
        self.skills = skills
        self.shift = shift
        self.role_shift = shift
        self.enthusiasm = enthusiasm
        self.hourly_cost = hourly_cost
        self.slack = slack
        self.role = Role.NONE
        # share of the role's shift hours this person's seat is manned: 1 for a whole seat,
        # less for the fractional seat of a scaled role (see scrm_sim.scenario.staffing)
        self.duty_share = 1.0
        self.rota_cover = False  # covers a role's rota on hours the seat holder is off
        self.in_team = False
        self.busy_until = 0.0
        self.busy_hours_today = 0.0
        self.duty_hours_today = 0.0
        self.overloaded_days = 0
        self.utilisation_yesterday = 0.0
        self.worked_yesterday = False  # had social duty hours on the last closed day
        self.posts_handled = 0  # social posts handled so far: experience (learning curve)
        # place on the team's rota: the person's index among staff, not the Mesa unique_id,
        # which shifts with the number of customer agents created before staff
        self.rota_offset = 0

    def duty_terms(self, team_duty_share: float) -> tuple[Shift, float] | None:
        """The shift and the rota share of this person's social duty, or None without any.

        A seat is manned whenever its shift is open (a fractional seat that share of the
        hours); a team member works the hub for ``team_duty_share`` of their shift's hours.
        """
        if self.role != Role.NONE:
            return self.role_shift, self.duty_share
        if self.in_team:
            return self.shift, team_duty_share
        return None

    def on_duty(self, hour: int, team_duty_share: float) -> bool:
        """Whether this person works social posts in this hour (see :meth:`duty_terms`;
        :mod:`scrm_sim.model.roster` applies the same terms to a whole day at once)."""
        terms = self.duty_terms(team_duty_share)
        return terms is not None and terms[0].is_on(hour) and on_rota(hour + self.rota_offset,
                                                                      terms[1])

    def close_day(self) -> None:
        """Record the day's utilisation on social work and reset the counters."""
        self.worked_yesterday = self.duty_hours_today > 0
        if self.duty_hours_today > 0:
            self.utilisation_yesterday = min(1.0, self.busy_hours_today / self.duty_hours_today)
        else:
            self.utilisation_yesterday = 0.0
        self.busy_hours_today = 0.0
        self.duty_hours_today = 0.0

    def review_team_membership(self) -> None:
        """Daily: join or leave the social team (strategy in ``model.social_team``)."""
        self.model.social_team.review(self)
