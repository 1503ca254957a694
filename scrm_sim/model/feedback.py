"""Feedback loops between results and the organisation (issue 16): demonstrated ROI moves budget
and sponsorship, and ideas taken up lower later complaints.

**ROI reviews** (``economics.roi_feedback``). Seed 003, @guy1067: "we are far more driven by a
need to prove ROI/business case before the buy-in to it is complete. Up until this point it is
a leap of faith"; seed 001, Anthony Nemelka: CEOs ask "'What's the justification?' 'How much
does is cost?' 'When and how will we see the benefit?'". Every ``review_days`` the programme's
ROI so far, R = value gained / cost (``roi_proxy``, :func:`scrm_sim.model.metrics.net_value`),
gives a signal g = clip((R − target_roi) / roi_span, −1, 1); ``lag_days`` later

    sponsorship ← clip(sponsorship + sponsorship_sensitivity · g, 0, 1)
    F ← clip(F · (1 + staffing_sensitivity · g), min_staffing_factor, max_staffing_factor)

where F multiplies the model's own ``staffing_scale`` (and ``budget_fte`` when set); when F
changes, roles are reassigned (``SCRMModel.assign_roles``). The adjustments ride on whichever
ownership model is current: after a stage change they are laid on the new stage's model at
the next end of day.

**Ideas taken up** (``outcomes.idea_uptake``). Seed 001: tools "bring their voice into the
organization to add value by improving processes, products"; "facilitate (Co-) Development of
Better Products". The ideas co-created by day d − ``delay_days`` (K, from the counter
``ideas_co_created``) lower every customer's complaint rate by the scalar

    m = max(1 − max_cut, (1 − complaint_cut_per_idea)^K)

(:attr:`scrm_sim.model.demand.DemandProcess.complaint_improvement`), so demand stays vectorised.

Both loops are deterministic (no draws) and off by default.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from scrm_sim.model.metrics import net_value

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel
    from scrm_sim.scenario.schema import Ownership


def roi_signal(roi: float, target: float, span: float) -> float:
    """A review's signal in [−1, 1]: how far the ROI is above (+) or below (−) target, in
    spans."""
    return min(1.0, max(-1.0, (roi - target) / span))


def complaint_improvement(ideas: float, cut_per_idea: float, max_cut: float) -> float:
    """Multiplier on complaint rates after ``ideas`` co-created ideas were taken up."""
    return max(1.0 - max_cut, (1.0 - cut_per_idea) ** ideas)


class FeedbackLoops:
    """The daily ROI review and the product-improvement stock of one run."""

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        self.roi_spec = model.config.economics.roi_feedback
        self.ideas_spec = model.config.outcomes.idea_uptake
        roi = self.roi_spec
        self.roi_on = roi.sponsorship_sensitivity > 0 or roi.staffing_sensitivity > 0
        self.ideas_on = self.ideas_spec.complaint_cut_per_idea > 0
        self.decisions: deque[tuple[int, float]] = deque()  # (day it takes effect, signal)
        self.reviews: list[tuple[int, float, float]] = []  # (day, ROI so far, signal)
        self.sponsorship_shift = 0.0
        self.staffing_factor = 1.0
        self._base: Ownership = model.ownership  # the model's own, before any adjustment
        self._applied: Ownership = model.ownership
        self._ideas_by_day: deque[float] = deque()

    def end_of_day(self) -> None:
        """Today's review, the decisions due today, and the improvement stock."""
        if self.roi_on:
            self._review()
        if self.ideas_on:
            self._improve_product()

    # ------------------------------------------------------------------ ROI

    def roi_so_far(self) -> float | None:
        """Value gained so far over the programme's cost so far (None before any cost)."""
        model = self.model
        cost = model.counters["cost"]
        if cost <= 0:
            return None
        return net_value(model, len(model.population.customer_rows())) / cost

    def _review(self) -> None:
        model, spec = self.model, self.roi_spec
        day = model.hour // 24
        if model.ownership is not self._applied:  # a new stage: its model is the new base
            self._base = model.ownership
            self._apply(staffing_changed=self.staffing_factor != 1.0)
        if day % spec.review_days == 0:
            roi = self.roi_so_far()
            if roi is not None:
                signal = roi_signal(roi, spec.target_roi, spec.roi_span)
                self.reviews.append((day, roi, signal))
                self.decisions.append((day + spec.lag_days, signal))
        changed = False
        while self.decisions and self.decisions[0][0] <= day:
            _, signal = self.decisions.popleft()
            changed |= self._decide(signal)
        if changed:
            self._apply(staffing_changed=True)

    def _decide(self, signal: float) -> bool:
        """Move sponsorship and staffing by one decision; whether staffing changed."""
        spec, base = self.roi_spec, self._base
        # the shift stays within what keeps sponsorship in [0, 1], so it cannot wind up
        shift = self.sponsorship_shift + spec.sponsorship_sensitivity * signal
        self.sponsorship_shift = min(1.0 - base.executive_sponsorship,
                                     max(-base.executive_sponsorship, shift))
        factor = self.staffing_factor * (1.0 + spec.staffing_sensitivity * signal)
        factor = min(spec.max_staffing_factor, max(spec.min_staffing_factor, factor))
        changed = factor != self.staffing_factor
        self.staffing_factor = factor
        if not changed:
            self._apply(staffing_changed=False)
        return changed

    def _apply(self, *, staffing_changed: bool) -> None:
        """Lay the adjustments on the base ownership model; reassign roles if staffing moved."""
        model, base = self.model, self._base
        update = {
            "executive_sponsorship": min(1.0, max(0.0, base.executive_sponsorship
                                                  + self.sponsorship_shift)),
            "staffing_scale": base.staffing_scale * self.staffing_factor,
        }
        if base.budget_fte is not None:
            update["budget_fte"] = base.budget_fte * self.staffing_factor
        model.ownership = base.model_copy(update=update)
        self._applied = model.ownership
        if staffing_changed:
            # roles follow the new seats; the team may take members up to its new limit (a
            # smaller limit only stops new joiners: nobody is sent away)
            model.seat_staff()

    # ------------------------------------------------------------------ ideas

    def _improve_product(self) -> None:
        model, spec = self.model, self.ideas_spec
        self._ideas_by_day.append(model.counters["ideas_co_created"])
        if len(self._ideas_by_day) > spec.delay_days:  # ideas co-created delay_days ago
            taken_up = self._ideas_by_day.popleft()
        else:
            taken_up = 0.0
        model.customer_engine.demand.complaint_improvement = complaint_improvement(
            taken_up, spec.complaint_cut_per_idea, spec.max_cut)
