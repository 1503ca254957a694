"""Customer posting: Poisson demand for the whole population at once.

Customer i posts type k in hour h at rate base_k × diurnal(h) × driver_k(i) ×
events_k(h) × (1 + f · responsiveness) (MODEL.md), with driver_k the
satisfaction effect (normalised to 1 at s = 0.3 for complaints and s = 0.7 for
praise) or the B2B multiplier for questions.
Drawing the total count per type from a Poisson and spreading it over people in
proportion to their rates is exactly equivalent to independent Poisson counts
per person, at a fraction of the cost.

With individual posting propensities (``customers.propensity.spread`` > 0; ODD §7.23)
every rate of person i is also multiplied by their propensity w_i: the totals become
propensity-weighted sums and authors are proposed in proportion to w (a binary search in
cached cumulative sums), then thinned by the driver as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from scrm_sim.model.customers import CustomerPopulation
from scrm_sim.scenario.schema import POST_TYPES, Demand, PostType

PROSPECT_TYPES = frozenset({PostType.QUESTION, PostType.PURCHASE_INTENT})


@dataclass
class NewPosts:
    """Posts of one type drawn in one hour."""

    post_type: PostType
    authors: np.ndarray
    times: np.ndarray


class DemandProcess:
    """Draws each hour's posts for every customer and prospect."""

    def __init__(self, spec: Demand) -> None:
        self.spec = spec
        profile = np.ones(24) if spec.diurnal_profile == "flat" else np.asarray(spec.diurnal_profile)
        self.diurnal = profile / profile.mean()
        self.hourly_base = {
            t: spec.volume_multiplier * spec.rates_per_customer_per_day.get(t, 0.0) / 24.0
            for t in POST_TYPES
        }
        # product improvement from ideas taken up (model/feedback.py); 1: none
        self.complaint_improvement = 1.0

    def event_multiplier(self, post_type: PostType, hour: int) -> float:
        """Factor from campaigns and incidents running in this hour."""
        day = hour / 24.0
        factor = (1.0 + self.spec.annual_growth) ** (day / 365.0)
        for campaign in self.spec.campaigns:
            if post_type in campaign.post_types and campaign.start_day <= day < (
                campaign.start_day + campaign.duration_days
            ):
                factor *= campaign.multiplier
        if post_type == PostType.COMPLAINT:
            factor *= self.complaint_improvement
            for incident in self.spec.incidents:
                start = incident.start_day * 24.0
                if start <= hour < start + incident.duration_hours:
                    factor *= incident.complaint_multiplier
        return factor

    def draw(
        self,
        population: CustomerPopulation,
        hour: int,
        responsiveness: float,
        rng: np.random.Generator,
    ) -> list[NewPosts]:
        """Posts made in hour [hour, hour + 1), with continuous post times.

        The count of each type is Poisson with the population's total rate, computed from
        sums; authors are then drawn by thinning (propose a person in proportion to their
        eligibility, accept with driver / max driver), so no per-step cumulative sums over
        the whole population are needed.
        """
        if population.propensity is not None:
            return self._draw_weighted(population, hour, responsiveness, rng)
        spec = self.spec
        customers, prospects = population.customer_rows(), population.prospect_rows()
        n_c, n_p = len(customers), len(prospects) * (spec.prospect_activity > 0)
        b2b_c, b2b_p = population.b2b_counts()
        totals = self._totals(n_c, n_p, b2b_c, b2b_p if n_p else 0,
                              population.customer_satisfaction_sum())

        def authors(post_type: PostType, count: int, with_prospects: bool) -> np.ndarray:
            return self._authors(post_type, count, customers,
                                 prospects if with_prospects else prospects[:0], population, rng)

        return self._posts(hour, responsiveness, totals, n_p > 0, authors, rng)

    def _totals(self, customers: float, prospects: float, b2b_customers: float,
                b2b_prospects: float, satisfaction_sum: float) -> dict[PostType, float]:
        """Each type's total rate weight: the population's counts (or sums of propensity)
        through each type's driver, so that no per-person sum is needed each hour."""
        spec = self.spec
        pa, m = spec.prospect_activity, spec.b2b_question_multiplier
        a_c, a_p = spec.complaint_dissatisfaction_slope, spec.praise_satisfaction_slope
        return {
            PostType.QUESTION: customers + (m - 1) * b2b_customers
            + pa * (prospects + (m - 1) * b2b_prospects),
            PostType.COMPLAINT: (customers * (1 + a_c) - a_c * satisfaction_sum) / (1 + a_c * 0.3),
            PostType.PRAISE: (customers + a_p * satisfaction_sum) / (1 + a_p * 0.7),
            PostType.IDEA: float(customers),
            PostType.PURCHASE_INTENT: customers + pa * prospects,
        }

    def _posts(self, hour: int, responsiveness: float, totals: dict[PostType, float],
               has_prospects: bool, authors: Callable[[PostType, int, bool], np.ndarray],
               rng: np.random.Generator) -> list[NewPosts]:
        """Per type: a Poisson count at the total rate, its authors, its times in the hour."""
        spec = self.spec
        common = self.diurnal[hour % 24] * (1.0 + spec.responsiveness_feedback * responsiveness)
        drawn = []
        for post_type in POST_TYPES:
            rate = self.hourly_base[post_type] * common * self.event_multiplier(post_type, hour)
            total = totals[post_type]
            count = rng.poisson(rate * total) if rate > 0 and total > 0 else 0
            if count == 0:
                continue
            found = authors(post_type, count, post_type in PROSPECT_TYPES and has_prospects)
            times = hour + rng.random(count)
            times.sort()
            drawn.append(NewPosts(post_type, found, times))
        return drawn

    def _driver(self, post_type: PostType, people: np.ndarray, population: CustomerPopulation
                ) -> tuple[np.ndarray | float, float]:
        """Relative posting propensity of people for a type, and its upper bound."""
        spec = self.spec
        if post_type == PostType.COMPLAINT:
            a = spec.complaint_dissatisfaction_slope
            return 1 + a * (1 - population.satisfaction[people]), 1 + a
        if post_type == PostType.PRAISE:
            a = spec.praise_satisfaction_slope
            return 1 + a * population.satisfaction[people], 1 + a
        if post_type == PostType.QUESTION:
            m = spec.b2b_question_multiplier
            return np.where(population.b2b[people], m, 1.0), max(m, 1.0)
        return 1.0, 1.0

    def _authors(self, post_type: PostType, count: int, customers: np.ndarray,
                 prospects: np.ndarray, population: CustomerPopulation,
                 rng: np.random.Generator) -> np.ndarray:
        """Draw ``count`` authors with probability proportional to their posting rate.

        Proposals are uniform over the eligible pool (customers weigh 1, prospects
        ``prospect_activity``); a proposal is accepted with driver / bound.
        """
        n_c, n_p = len(customers), len(prospects)
        activity = self.spec.prospect_activity
        pool = n_c + activity * n_p

        def propose(uniforms: np.ndarray) -> np.ndarray:
            u = uniforms * pool
            if n_p == 0:
                return customers[np.minimum(u.astype(np.int64), n_c - 1)]
            from_customers = u < n_c
            c_index = np.minimum(u.astype(np.int64), max(n_c - 1, 0))
            p_index = np.minimum(((u - n_c) / activity).astype(np.int64), n_p - 1)
            return np.where(from_customers, customers[c_index] if n_c else -1,
                            prospects[np.maximum(p_index, 0)])

        return self._thinned(post_type, count, propose, population, rng)

    def _thinned(self, post_type: PostType, count: int,
                 propose: Callable[[np.ndarray], np.ndarray], population: CustomerPopulation,
                 rng: np.random.Generator) -> np.ndarray:
        """``count`` authors by thinning, in batches until there are enough.

        People are proposed from uniform numbers (``propose``), each accepted with
        driver / bound.
        """
        chosen: list[np.ndarray] = []
        needed = count
        while True:
            batch = 2 * needed + 8
            # proposals, then acceptance draws: one call gives the numbers two calls would
            u = rng.random(2 * batch)
            people = propose(u[:batch])
            driver, bound = self._driver(post_type, people, population)
            chosen.append(people[u[batch:] * bound < driver][:needed])
            needed -= len(chosen[-1])
            if needed == 0:  # usually after the first batch
                return chosen[0] if len(chosen) == 1 else np.concatenate(chosen)

    # ------------------------------------------------------------------ with propensities

    def _draw_weighted(self, population: CustomerPopulation, hour: int, responsiveness: float,
                       rng: np.random.Generator) -> list[NewPosts]:
        """:meth:`draw` when each person's rates are multiplied by their posting propensity w:
        the same formulas with every count replaced by a sum of w (ODD §7.23)."""
        weighted = population.weighted_rows()
        w_p = float(weighted["prospects"]) if self.spec.prospect_activity > 0 else 0.0
        b2b_p = float(weighted["b2b_prospects"]) if self.spec.prospect_activity > 0 else 0.0
        totals = self._totals(float(weighted["customers"]), w_p, float(weighted["b2b_customers"]),
                              b2b_p, population.weighted_satisfaction_sum())

        def authors(post_type: PostType, count: int, with_prospects: bool) -> np.ndarray:
            return self._weighted_authors(post_type, count, population, with_prospects, rng)

        return self._posts(hour, responsiveness, totals, w_p > 0, authors, rng)

    def _weighted_authors(self, post_type: PostType, count: int, population: CustomerPopulation,
                          with_prospects: bool, rng: np.random.Generator) -> np.ndarray:
        """Draw ``count`` authors with probability proportional to propensity × driver:
        proposals in proportion to propensity (customers w, prospects ``prospect_activity``·w),
        accepted with driver / bound."""
        weighted = population.weighted_rows()
        customers, prospects = population.customer_rows(), population.prospect_rows()
        customer_cum, prospect_cum = weighted["customer_cum"], weighted["prospect_cum"]
        w_c = float(weighted["customers"])
        activity = self.spec.prospect_activity
        pool = w_c + (activity * float(weighted["prospects"]) if with_prospects else 0.0)

        def propose(uniforms: np.ndarray) -> np.ndarray:
            u = uniforms * pool
            c_index = np.minimum(np.searchsorted(customer_cum, u, side="right"),
                                 max(len(customers) - 1, 0))
            people = customers[c_index] if len(customers) else np.full(len(u), -1)
            if with_prospects:
                p_index = np.minimum(np.searchsorted(prospect_cum, (u - w_c) / activity,
                                                     side="right"), len(prospects) - 1)
                people = np.where(u < w_c, people, prospects[np.maximum(p_index, 0)])
            return people

        return self._thinned(post_type, count, propose, population, rng)
