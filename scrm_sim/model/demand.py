"""Customer posting: Poisson demand for the whole population at once.

Customer i posts type k in hour h at rate base_k × diurnal(h) × driver_k(i) ×
events_k(h) × (1 + f · responsiveness) (MODEL.md). Drawing the total count per
type from a Poisson and spreading it over people in proportion to their rates
(inverse-CDF on the cumulative rates) is exactly equivalent to independent
Poisson counts per person, at a fraction of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scrm_sim.model.customers import CustomerPopulation, Stage
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
        self.hourly_base = {t: spec.rates_per_customer_per_day.get(t, 0.0) / 24.0 for t in POST_TYPES}

    def event_multiplier(self, post_type: PostType, hour: int) -> float:
        """Factor from campaigns and incidents running in this hour."""
        factor = 1.0
        day = hour / 24.0
        for campaign in self.spec.campaigns:
            if post_type in campaign.post_types and campaign.start_day <= day < (
                campaign.start_day + campaign.duration_days
            ):
                factor *= campaign.multiplier
        if post_type == PostType.COMPLAINT:
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
        """Posts made in hour [hour, hour + 1), with continuous post times."""
        spec = self.spec
        stage = population.stage
        s = population.satisfaction
        is_customer = population.is_customer()
        prospect_weight = (stage == Stage.PROSPECT) * spec.prospect_activity
        common = self.diurnal[hour % 24] * (1.0 + spec.responsiveness_feedback * responsiveness)
        drawn = []
        for post_type in POST_TYPES:
            base = self.hourly_base[post_type] * common * self.event_multiplier(post_type, hour)
            if base <= 0:
                continue
            weight = is_customer.astype(float)
            if post_type in PROSPECT_TYPES:
                weight = weight + prospect_weight
            if post_type == PostType.COMPLAINT:
                a = spec.complaint_dissatisfaction_slope
                weight = weight * (1 + a * (1 - s)) / (1 + a * 0.3)
            elif post_type == PostType.PRAISE:
                a = spec.praise_satisfaction_slope
                weight = weight * (1 + a * s) / (1 + a * 0.7)
            elif post_type == PostType.QUESTION:
                weight = weight * np.where(population.b2b, spec.b2b_question_multiplier, 1.0)
            total = float(weight.sum())
            count = rng.poisson(base * total) if total > 0 else 0
            if count == 0:
                continue
            cumulative = np.cumsum(weight)
            authors = np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right")
            times = np.sort(hour + rng.random(count))
            drawn.append(NewPosts(post_type, np.minimum(authors, population.n - 1), times))
        return drawn
