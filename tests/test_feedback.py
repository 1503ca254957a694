"""Feedback loops: demonstrated ROI moves sponsorship and staffing with a lag; ideas taken up
lower later complaints; replies off the brand voice cost the trust of those who see them."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model.feedback import complaint_improvement, roi_signal
from scrm_sim.model.model import SCRMModel
from scrm_sim.model.posts import TYPE_CODE
from scrm_sim.model.word_of_mouth import contacts_of

from .conftest import small_scenario


def review_model(seed: int = 1, days: float = 6, **roi: float) -> SCRMModel:
    """A small service-led company with ROI reviews as told."""
    return SCRMModel(small_scenario(economics={"roi_feedback": roi}, duration_days=days),
                     seed=seed)


def close_days(model: SCRMModel, days: int) -> None:
    """Advance the feedback's clock day by day (only the feedback update runs)."""
    for _ in range(days):
        model.hour += 24
        model.feedback.end_of_day()


# ---------------------------------------------------------------------- the rules


def test_the_roi_signal_is_the_distance_from_target_in_spans_clipped_to_one():
    assert roi_signal(1.5, 1.0, 1.0) == pytest.approx(0.5)
    assert roi_signal(-3.0, 1.0, 2.0) == -1.0
    assert roi_signal(9.0, 1.0, 2.0) == 1.0


def test_the_complaint_multiplier_falls_with_ideas_taken_up_down_to_its_bound():
    assert complaint_improvement(0, 0.01, 0.3) == 1.0
    assert complaint_improvement(10, 0.01, 0.3) == pytest.approx(0.99**10)
    assert complaint_improvement(1000, 0.01, 0.3) == pytest.approx(0.7)


def test_a_review_moves_sponsorship_and_staffing_only_after_the_lag():
    model = review_model(review_days=2, lag_days=3, target_roi=0.0, roi_span=1.0,
                         sponsorship_sensitivity=0.1, staffing_sensitivity=0.5)
    model.feedback.roi_so_far = lambda: 0.5  # half a span above target
    sponsorship, scale = model.ownership.executive_sponsorship, model.ownership.staffing_scale
    close_days(model, 2)  # the review on day 2
    assert model.feedback.reviews == [(2, 0.5, 0.5)]
    close_days(model, 2)  # day 4: the lag is not over
    assert model.ownership.executive_sponsorship == sponsorship
    close_days(model, 1)  # day 5 = 2 + 3
    assert model.ownership.executive_sponsorship == pytest.approx(sponsorship + 0.05)
    assert model.ownership.staffing_scale == pytest.approx(scale * 1.25)


def test_more_staffing_after_a_review_reassigns_roles():
    model = review_model(review_days=1, lag_days=0, target_roi=0.0,
                         staffing_sensitivity=1.0, max_staffing_factor=2.0)
    model.feedback.roi_so_far = lambda: 5.0
    fte = model.roles_fte
    close_days(model, 1)
    assert model.ownership.staffing_scale == pytest.approx(2.0)
    assert model.roles_fte > fte


def test_staffing_and_sponsorship_stay_within_their_bounds():
    model = review_model(review_days=1, lag_days=0, target_roi=0.0, sponsorship_sensitivity=1.0,
                         staffing_sensitivity=0.5, min_staffing_factor=0.5)
    model.feedback.roi_so_far = lambda: -5.0
    close_days(model, 4)
    assert model.ownership.executive_sponsorship == 0.0
    assert model.feedback.staffing_factor == 0.5
    model.feedback.roi_so_far = lambda: 5.0  # no wind-up below 0: one good review lifts it
    close_days(model, 1)
    assert model.ownership.executive_sponsorship == pytest.approx(1.0)


def test_ideas_co_created_lower_complaint_rates_after_the_delay():
    model = SCRMModel(small_scenario(outcomes={"idea_uptake": {
        "complaint_cut_per_idea": 0.01, "delay_days": 2, "max_cut": 0.5}}), seed=1)
    demand = model.customer_engine.demand
    model.counters["ideas_co_created"] = 10
    close_days(model, 2)
    assert demand.complaint_improvement == 1.0  # not yet released
    model.counters["ideas_co_created"] = 30
    close_days(model, 1)  # the 10 of two days ago are in the product
    assert demand.complaint_improvement == pytest.approx(0.99**10)


def test_an_off_voice_reply_lowers_every_contact_of_the_author_by_the_penalty():
    model = SCRMModel(small_scenario(outcomes={"voice_trust": {"observer_penalty": 0.02}}), seed=1)
    author = int(np.argmax(np.diff(model.adjacency.indptr)))
    contacts = contacts_of(model.adjacency, author)
    satisfaction = model.population.satisfaction
    satisfaction[contacts] = 0.5
    model.outcomes.expose_off_voice(author)
    assert satisfaction[contacts] == pytest.approx(0.48)
    assert model.counters["off_voice_exposures"] == len(contacts)


# ---------------------------------------------------------------------- paired seeds


def test_an_roi_below_target_shrinks_the_programme_and_its_cost():
    off = review_model(seed=3).run()
    on = review_model(seed=3, review_days=1, lag_days=1, target_roi=1000.0,
                      staffing_sensitivity=0.3).run()
    assert on["cost"] < off["cost"]


def test_an_roi_below_target_lowers_sponsorship_and_culture():
    off = review_model(seed=3)
    off.run()
    on = review_model(seed=3, review_days=1, lag_days=1, target_roi=1000.0,
                      sponsorship_sensitivity=0.1)
    on.run()
    assert on.ownership.executive_sponsorship < off.ownership.executive_sponsorship
    assert on.culture < off.culture


def test_ideas_taken_up_mean_fewer_complaints():
    def complaints(cut: float) -> int:
        model = SCRMModel(small_scenario(outcomes={"idea_uptake": {
            "complaint_cut_per_idea": cut, "delay_days": 1, "max_cut": 0.5}}), seed=4)
        model.run()
        return int(np.count_nonzero(model.posts.post_type == TYPE_CODE["complaint"]))

    assert complaints(0.02) < complaints(0.0)


def test_off_voice_replies_seen_by_contacts_lower_satisfaction():
    def satisfaction(penalty: float) -> float:
        return SCRMModel(small_scenario(
            "service_led", {"brand_voice_training": 0.1},
            outcomes={"voice_trust": {"observer_penalty": penalty}}), seed=5).run()[
                "satisfaction_final"]

    assert satisfaction(0.005) < satisfaction(0.0) - 0.01
