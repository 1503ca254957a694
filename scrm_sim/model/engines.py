"""Customer engines: how the crowd's posting and daily dynamics are advanced.

Two interchangeable strategies, chosen by ``scenario.engine``:

* :class:`VectorisedEngine` (default) advances every customer at once with numpy.
* :class:`AgentEngine` is the reference: one ``Customer.post()`` and one
  ``Customer.end_of_day()`` per Mesa agent, in random order, readable by anyone who
  knows Mesa. It is slow on purpose, and exists to keep the fast engine honest
  (``tests/test_engines.py`` compares their distributions) and to measure the speed-up.

Both use the formulas below, so they differ only in how the population is traversed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import numpy as np
from mesa.agentset import AgentSet

from scrm_sim.model.customers import CUSTOMER_STAGES, NEW_CUSTOMER_STAGES, Stage, in_stages
from scrm_sim.model.demand import PROSPECT_TYPES, DemandProcess, NewPosts
from scrm_sim.scenario.schema import POST_TYPES, Churn, Demand, Outcomes, PostType, Scenario

if TYPE_CHECKING:
    from scrm_sim.model.agents import Customer
    from scrm_sim.model.model import SCRMModel

# ---------------------------------------------------------------------- shared formulas


def posting_driver(post_type: PostType, satisfaction, b2b, demand: Demand):  # noqa: ANN001, ANN201
    """Relative posting rate of a customer for a post type (floats or arrays).

    1 for a typical customer: complaints × (1 + a(1 − s)) / (1 + 0.3a), praise ×
    (1 + a·s) / (1 + 0.7a), B2B customers ask ``b2b_question_multiplier`` times more.
    """
    if post_type == PostType.COMPLAINT:
        a = demand.complaint_dissatisfaction_slope
        return (1 + a * (1 - satisfaction)) / (1 + a * 0.3)
    if post_type == PostType.PRAISE:
        a = demand.praise_satisfaction_slope
        return (1 + a * satisfaction) / (1 + a * 0.7)
    if post_type == PostType.QUESTION:
        return np.where(b2b, demand.b2b_question_multiplier, 1.0)
    return 1.0


def drifted(satisfaction, outcomes: Outcomes):  # noqa: ANN001, ANN201
    """Satisfaction after one day's drift toward what the product itself earns."""
    return satisfaction + outcomes.drift_per_day * (outcomes.drift_target - satisfaction)


def churn_probability(satisfaction, stage, churn: Churn):  # noqa: ANN001, ANN201
    """Daily churn probability 1 − exp(−h), h = h0·m_stage·exp(b·(s_ref − s)), where m_stage
    is the onboarding multiple for new and won-back customers, the at-risk multiple for
    customers at risk, and 1 otherwise."""
    multiple = np.where(
        in_stages(stage, NEW_CUSTOMER_STAGES), churn.onboarding_hazard_multiplier,
        np.where(stage == Stage.AT_RISK, churn.at_risk_hazard_multiplier, 1.0))
    hazard = churn.daily_base_hazard * multiple * np.exp(
        churn.sensitivity * (churn.reference_satisfaction - satisfaction))
    return -np.expm1(-hazard)


def conversion_probability(chance: float, attitude, scenario: Scenario):  # noqa: ANN001, ANN201
    """A prospect's chance to convert, × exp(k·(s − s_ref)) for its attitude s to the brand:
    grievances it has seen put it off (OUTCOMES.md F7). Capped at 1."""
    wom, churn = scenario.word_of_mouth, scenario.churn
    factor = np.exp(wom.prospect_attitude_sensitivity * (attitude - churn.reference_satisfaction))
    return np.minimum(1.0, chance * factor)


def external_reach(scenario: Scenario, day: float) -> float:
    """Daily chance a prospect converts through marketing reach, raised by campaigns."""
    reach = scenario.word_of_mouth.external_acquisition_per_day
    for campaign in scenario.demand.campaigns:
        if campaign.start_day <= day - 1 < campaign.start_day + campaign.duration_days:
            reach *= campaign.acquisition_multiplier
    return reach


# exp and expm1 are not promised monotone to the last bit: a margin far above their rounding
BOUND_MARGIN = 1.0 + 1e-9


def drawn_below(draws: np.ndarray, eligible: np.ndarray, highest: float,
                probability: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Rows (ascending) that are ``eligible`` and whose draw is below their ``probability``.

    The probability (an exp per person) is computed only for rows whose draw is below
    ``highest``, its largest value: the same rows as computing it for everyone, for a
    comparison per person and the few exps (at 10⁶ customers most of a day's work).
    """
    maybe = np.flatnonzero(eligible & (draws < highest * BOUND_MARGIN))
    return maybe[draws[maybe] < probability(maybe)]


class CustomerEngine(Protocol):
    """What the model asks of a customer engine."""

    def draw_posts(self, hour: int, responsiveness: float) -> list[NewPosts]:
        """Posts made in hour [hour, hour + 1)."""

    def end_of_day(self) -> None:
        """Daily drift, stage moves, churn and external acquisition."""


# ---------------------------------------------------------------------- vectorised


class VectorisedEngine:
    """All customers at once: numpy arrays, sums and masks."""

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        self.demand = DemandProcess(model.config.demand)

    def draw_posts(self, hour: int, responsiveness: float) -> list[NewPosts]:
        """Posts made in hour [hour, hour + 1) (see :class:`DemandProcess`)."""
        return self.demand.draw(self.model.population, hour, responsiveness,
                                self.model.streams.at("demand", hour))

    def end_of_day(self) -> None:
        """Daily customer dynamics for the whole population."""
        model, pop = self.model, self.model.population
        scenario, day = model.config, model.day
        churn = scenario.churn
        # one uniform per person per day and decision: paired runs share them (CRN)
        daily = model.streams.at("daily", int(day))
        churn_draw, join_draw = daily.random(pop.n), daily.random(pop.n)
        pop.satisfaction[:] = drifted(pop.satisfaction, scenario.outcomes)
        s, stage = pop.satisfaction, pop.stage

        settling = np.flatnonzero(in_stages(stage, NEW_CUSTOMER_STAGES))
        settled = settling[day - pop.stage_since_day[settling] >= churn.onboarding_days]
        pop.move(settled, Stage.ACTIVE, day)
        pop.move(np.flatnonzero((stage == Stage.ACTIVE) & (s < churn.at_risk_below)),
                 Stage.AT_RISK, day)
        recovered = (stage == Stage.AT_RISK) & (
            s >= churn.at_risk_below + churn.at_risk_recovery_margin)
        pop.move(np.flatnonzero(recovered), Stage.ACTIVE, day)

        # Both probabilities are monotone in satisfaction: at its extremes they take their
        # highest values, and only people whose draw is below those can leave or join.
        extremes = np.array([s.min(), s.max()])
        highest = churn_probability(np.tile(extremes, len(CUSTOMER_STAGES)),
                                    np.repeat(CUSTOMER_STAGES, len(extremes)), churn).max()
        leaving = drawn_below(churn_draw, pop.is_customer(), highest,
                              lambda rows: churn_probability(s[rows], stage[rows], churn))
        pop.move(leaving, Stage.CHURNED, day)
        model.counters["churned"] += len(leaving)

        reach = external_reach(scenario, day)
        highest = conversion_probability(reach, extremes, scenario).max()
        joining = drawn_below(join_draw, stage == Stage.PROSPECT, highest,
                              lambda rows: conversion_probability(reach, s[rows], scenario))
        pop.move(joining, Stage.ONBOARDING, day)
        model.counters["acquired_external"] += len(joining)


# ---------------------------------------------------------------------- per agent


class AgentEngine:
    """The reference engine: every customer is a Mesa agent stepped one by one."""

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        self.demand = DemandProcess(model.config.demand)  # for the hour-level factors only
        self.customers = AgentSet([model.customer_agent(row) for row in range(model.population.n)],
                                  random=model.random)
        self.hour_rates: dict[PostType, float] = {}
        self.posts: list[tuple[int, PostType, float]] = []
        self.day_reach = 0.0

    def draw_posts(self, hour: int, responsiveness: float) -> list[NewPosts]:
        """Each customer decides, in random order, what it posts this hour."""
        spec = self.model.config.demand
        common = self.demand.diurnal[hour % 24] * (1.0 + spec.responsiveness_feedback
                                                   * responsiveness)
        self.hour_rates = {t: self.demand.hourly_base[t] * common
                           * self.demand.event_multiplier(t, hour) for t in POST_TYPES}
        self.posts = []
        self.customers.shuffle_do("post", hour)
        batches = []
        for post_type in POST_TYPES:
            mine = sorted((time, author) for author, t, time in self.posts if t == post_type)
            if mine:
                times, authors = zip(*mine, strict=True)
                batches.append(NewPosts(post_type, np.array(authors, dtype=np.int64),
                                        np.array(times)))
        return batches

    def end_of_day(self) -> None:
        """Each customer updates itself, in random order."""
        self.day_reach = external_reach(self.model.config, self.model.day)
        self.customers.shuffle_do("end_of_day")


def post_rates(customer: Customer, rates: dict[PostType, float], demand: Demand) -> list[float]:
    """This customer's posting rate per type this hour."""
    stage = customer.model.population.stage[customer.row]
    if stage in CUSTOMER_STAGES:
        eligibility = dict.fromkeys(POST_TYPES, 1.0)
    elif stage == Stage.PROSPECT:
        eligibility = {t: demand.prospect_activity if t in PROSPECT_TYPES else 0.0
                       for t in POST_TYPES}
    else:
        return [0.0] * len(POST_TYPES)
    s = customer.model.population.satisfaction[customer.row]
    b2b = customer.model.population.b2b[customer.row]
    own_rates = [rates[t] * eligibility[t] * float(posting_driver(t, s, b2b, demand))
                 for t in POST_TYPES]
    propensity = customer.model.population.propensity
    if propensity is not None:  # a frequent poster posts more of everything (ODD §7.23)
        own_rates = [rate * float(propensity[customer.row]) for rate in own_rates]
    return own_rates


def poisson_count(total: float, u: float) -> int:
    """Inverse-CDF draw of a Poisson(total) count from one uniform number."""
    k, p = 0, math.exp(-total)
    cumulative = p
    while u >= cumulative and p > 0:
        k += 1
        p *= total / k
        cumulative += p
    return k
