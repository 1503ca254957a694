"""The customer population as numpy arrays: one row per person, advanced all at once."""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from scipy.special import ndtri  # the inverse of the standard normal cdf

from scrm_sim.model.community import draw_members
from scrm_sim.model.propensity import lognormal_propensity, relative_power
from scrm_sim.scenario.schema import Customers


class Stage(IntEnum):
    """Lifecycle stage of a person in the customer graph."""

    PROSPECT = 0
    ONBOARDING = 1
    ACTIVE = 2
    AT_RISK = 3
    CHURNED = 4
    WON_BACK = 5


# Moves a person can make; anything else is a bug (tests/test_model.py checks it).
ALLOWED_TRANSITIONS: frozenset[tuple[Stage, Stage]] = frozenset({
    (Stage.PROSPECT, Stage.ONBOARDING),
    (Stage.ONBOARDING, Stage.ACTIVE),
    (Stage.ONBOARDING, Stage.CHURNED),
    (Stage.ACTIVE, Stage.AT_RISK),
    (Stage.ACTIVE, Stage.CHURNED),
    (Stage.AT_RISK, Stage.ACTIVE),
    (Stage.AT_RISK, Stage.CHURNED),
    (Stage.CHURNED, Stage.WON_BACK),
    (Stage.WON_BACK, Stage.ACTIVE),
    (Stage.WON_BACK, Stage.AT_RISK),
    (Stage.WON_BACK, Stage.CHURNED),
})
CUSTOMER_STAGES = np.array([Stage.ONBOARDING, Stage.ACTIVE, Stage.AT_RISK, Stage.WON_BACK])
NEW_CUSTOMER_STAGES = (Stage.ONBOARDING, Stage.WON_BACK)  # settling in: churn more easily


def in_stages(stage, stages):  # noqa: ANN001, ANN201
    """Whether each ``stage`` (an array or one value) is one of ``stages``.

    One comparison per stage: over a whole population this is about a hundred times faster
    than ``np.isin`` (0.3 ms against 30 ms for 1.5 million people).
    """
    mask = stage == stages[0]
    for other in stages[1:]:
        mask = mask | (stage == other)
    return mask


# Up to this many people joining or leaving the customers (or leaving the prospects) between
# two uses of the cached rows update them in place (the customer list re-read from the mask,
# weights and counts changed for those people only); more rebuild every cached row.
INCREMENTAL_MOVES = 256


class CustomerPopulation:
    """Hot state of every customer and prospect.

    Rows ``0 .. count-1`` start as customers, the rest as prospects; the row is the
    node id in the customer graph.
    """

    def __init__(self, spec: Customers, rng: np.random.Generator) -> None:
        n = spec.count + spec.prospects
        self.n = n
        self.stage = np.full(n, Stage.ACTIVE, dtype=np.int8)
        self.stage[spec.count :] = Stage.PROSPECT
        self.stage_since_day = np.zeros(n)
        self._customer_mask = in_stages(self.stage, CUSTOMER_STAGES)
        self._rows: dict[str, np.ndarray] | None = None  # cached row lists, reset on moves
        # people who joined or left the customers, and who left the prospects, since the
        # cached rows were last brought up to date: caught up at their next use
        self._moved: list[np.ndarray] = []
        self._left_prospects: list[np.ndarray] = []
        self._moved_count = 0
        # room for the hourly satisfaction × weight products: no fresh array each hour
        self._product = np.empty(n)
        mean, conc = spec.initial_satisfaction.mean, spec.initial_satisfaction.concentration
        self.satisfaction = rng.beta(mean * conc, (1 - mean) * conc, size=n)
        self.b2b = rng.random(n) < spec.b2b_share
        # A person's impatience is a trait: the same z-score sets their expectation for
        # every post type, so impatient customers are impatient about everything.
        self.impatience_z = rng.standard_normal(n)
        self._log_sd = spec.expectation_spread
        # Experience moves expectations (Pandora's box): a factor on every expected reply
        # time, updated after each reply (scrm_sim.model.outcomes).
        self.expectation_factor = np.ones(n)
        # Medians chosen so that the cited shares expect a reply within one hour:
        # P(E <= 1) = Phi(-ln(median) / sd)  =>  ln(median) = -sd * Phi^-1(share).
        self._log_median_any = -self._log_sd * ndtri(spec.expect_reply_within_hour)
        self._log_median_complaint = -self._log_sd * ndtri(
            spec.complainers_expect_reply_within_hour
        )
        # Individual traits (issue 16 item 6), None while switched off so that the default
        # path draws and computes exactly as before: see assign_traits.
        self.propensity: np.ndarray | None = None
        self.influence: np.ndarray | None = None
        self.community_member: np.ndarray | None = None
        self._weighted: dict[str, np.ndarray | float] | None = None
        self._member_customers: np.ndarray | None = None  # members among customers (cached)

    def assign_traits(self, spec: Customers, rng: np.random.Generator) -> None:
        """Draw each person's posting propensity, influence and community membership
        (:mod:`scrm_sim.model.propensity`, :mod:`scrm_sim.model.community`) from their own
        stream ``rng``; nothing is drawn while all three are off."""
        spread = spec.propensity.spread
        share = spec.community_membership.share
        if spread == 0.0 and share == 0.0:
            return
        z, u = rng.standard_normal(self.n), rng.random(self.n)
        if spread > 0.0:
            # mean 1 among the first customers and among the prospects separately: the
            # volume each group starts with is the one it had without propensities
            self.propensity = np.concatenate((lognormal_propensity(z[: spec.count], spread),
                                              lognormal_propensity(z[spec.count :], spread)))
            if spec.propensity.influence_elasticity > 0.0:
                self.influence = relative_power(self.propensity,
                                                spec.propensity.influence_elasticity)
        if share > 0.0:
            self.community_member = draw_members(
                self.propensity, self.n, share, spec.community_membership.propensity_elasticity, u)

    def is_customer(self) -> np.ndarray:
        """Boolean mask of current customers (not prospects, not churned); do not modify."""
        return self._customer_mask

    def customer_rows(self) -> np.ndarray:
        """Row ids of current customers (cached until someone moves)."""
        return self._cached_rows()["customers"]

    def prospect_rows(self) -> np.ndarray:
        """Row ids of prospects (cached until someone moves)."""
        return self._cached_rows()["prospects"]

    def customer_satisfaction_sum(self) -> float:
        """Sum of current customers' satisfaction (a product with the cached mask).

        Not ``@``: a BLAS dot product starts threads, which in parallel runs (two worker
        processes on two cores) fight for the cores and slow every run down.
        """
        weight = self._cached_rows()["customer_weight"]
        return float(np.multiply(self.satisfaction, weight, out=self._product).sum())

    def b2b_counts(self) -> tuple[int, int]:
        """Business customers among current customers and among prospects."""
        rows = self._cached_rows()
        return int(rows["b2b_customers"]), int(rows["b2b_prospects"])

    def _cached_rows(self) -> dict[str, np.ndarray]:
        if self._rows is None:
            prospect = self.stage == Stage.PROSPECT
            self._rows = {
                "customers": np.flatnonzero(self._customer_mask),
                "prospects": np.flatnonzero(prospect),
                "customer_weight": self._customer_mask.astype(np.float64),
                "b2b_customers": np.count_nonzero(self.b2b & self._customer_mask),
                "b2b_prospects": np.count_nonzero(self.b2b & prospect),
            }
            self._moved, self._left_prospects, self._moved_count = [], [], 0
        elif self._moved_count:
            self._catch_up_rows()
        return self._rows

    def expected_reply_hours(self, people: np.ndarray, complaint: bool) -> np.ndarray:
        """Reply time each person expects for a post (hours)."""
        log_median = self._log_median_complaint if complaint else self._log_median_any
        return np.exp(log_median - self._log_sd * self.impatience_z[people]) * (
            self.expectation_factor[people])

    def move(self, people: np.ndarray, to: Stage, day: float) -> None:
        """Move people to a stage (only along ALLOWED_TRANSITIONS).

        The cached rows change only where someone becomes or stops being a customer, or stops
        being a prospect. Such people are noted and the rows caught up at their next use (at
        most once an hour, however many conversions and silences the hour brings): a few in
        place, many (a day's churn) by a rebuild.
        """
        people = np.asarray(people)
        if len(people) == 0:
            return
        was_customer = self._customer_mask[people]
        was_prospect = self.stage[people] == Stage.PROSPECT
        now_customer = to in CUSTOMER_STAGES
        self.stage[people] = to
        self.stage_since_day[people] = day
        self._customer_mask[people] = now_customer
        joined_or_left = was_customer != now_customer
        left_prospects = was_prospect & (to != Stage.PROSPECT)
        if not (joined_or_left.any() or left_prospects.any()):
            return  # between customer stages: every cached row list still holds
        self._weighted = None
        self._member_customers = None
        if self._rows is None:
            return  # rebuilt at the next use anyway
        self._moved.append(people[joined_or_left])
        self._left_prospects.append(people[left_prospects])
        self._moved_count += np.count_nonzero(joined_or_left | left_prospects)
        if self._moved_count > INCREMENTAL_MOVES:
            self._rows = None  # the next use rebuilds every row list

    def _catch_up_rows(self) -> None:
        """Update the cached rows for the people who moved since they were last used.

        The result is the same arrays a rebuild would give.
        """
        rows = self._rows
        moved = np.unique(np.concatenate(self._moved))
        gone = np.unique(np.concatenate(self._left_prospects))
        self._moved, self._left_prospects, self._moved_count = [], [], 0
        # membership read from the stage now: someone who joined and left again is not listed
        customer = self._customer_mask[moved]
        listed = rows["customer_weight"][moved] == 1.0  # customers at the last catch-up
        joined, left = moved[customer & ~listed], moved[listed & ~customer]
        if len(joined) or len(left):
            # re-read from the mask: a pass over booleans costs less than splicing the sorted
            # list (1.4 ms against 3.4 ms at a million customers, 14 against 69 µs at 10,000)
            rows["customers"] = np.flatnonzero(self._customer_mask)
            rows["customer_weight"][moved] = customer
            rows["b2b_customers"] += (np.count_nonzero(self.b2b[joined])
                                      - np.count_nonzero(self.b2b[left]))
        if len(gone):  # all listed at the last catch-up: nobody becomes a prospect again
            rows["prospects"] = np.delete(rows["prospects"],
                                          np.searchsorted(rows["prospects"], gone))
            rows["b2b_prospects"] -= np.count_nonzero(self.b2b[gone])

    def counts(self) -> dict[str, int]:
        """Number of people in each stage."""
        counts = np.bincount(self.stage, minlength=len(Stage))
        return {s.name.lower(): int(counts[s]) for s in Stage}

    # ------------------------------------------------------------------ posting propensity

    def weighted_rows(self) -> dict[str, np.ndarray | float]:
        """Sums and cumulative sums of posting propensity over customers and prospects
        (cached until someone moves), for drawing authors in proportion to it.

        Keys: ``customer_cum``/``prospect_cum`` (cumulative propensity in row order of
        :meth:`customer_rows`/:meth:`prospect_rows`), ``customers``/``prospects`` (totals),
        ``b2b_customers``/``b2b_prospects`` (totals over business people) and
        ``customer_weight`` (propensity of current customers, 0 elsewhere).
        """
        if self._weighted is None:
            w = self.propensity
            customers, prospects = self.customer_rows(), self.prospect_rows()
            customer_cum, prospect_cum = np.cumsum(w[customers]), np.cumsum(w[prospects])
            self._weighted = {
                "customer_cum": customer_cum,
                "prospect_cum": prospect_cum,
                "customers": float(customer_cum[-1]) if len(customers) else 0.0,
                "prospects": float(prospect_cum[-1]) if len(prospects) else 0.0,
                "b2b_customers": float(np.sum(w[customers][self.b2b[customers]])),
                "b2b_prospects": float(np.sum(w[prospects][self.b2b[prospects]])),
                "customer_weight": w * self._customer_mask,
            }
        return self._weighted

    def weighted_satisfaction_sum(self) -> float:
        """Σ propensity × satisfaction over current customers (no BLAS: see
        :meth:`customer_satisfaction_sum`)."""
        weight = self.weighted_rows()["customer_weight"]
        return float(np.multiply(self.satisfaction, weight, out=self._product).sum())

    def member_customers(self) -> np.ndarray:
        """Rows of community members who are current customers (cached until someone
        moves); empty without members."""
        if self._member_customers is None:
            members = self.community_member
            self._member_customers = (np.flatnonzero(members & self._customer_mask)
                                      if members is not None else np.empty(0, np.int64))
        return self._member_customers
