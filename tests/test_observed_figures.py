"""Observed figures: one definition for a client's export and a simulated run."""

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from scrm_sim.calibration.figures import ObservedFigures, figures_from_model, figures_from_posts
from scrm_sim.model.model import SCRMModel
from scrm_sim.scenario import load_scenario

NAN = float("nan")


def four_posts() -> pd.DataFrame:
    """Monday 09:30 question answered in 0.5 h, Monday 10:00 complaint answered in 3 h,
    Tuesday 09:00 praise unanswered, Sunday 23:00 question answered in 1 h exactly."""
    return pd.DataFrame({
        "posted_hour": [9.5, 10.0, 33.0, 6 * 24 + 23.0],
        "post_type": ["question", "complaint", "praise", "question"],
        "first_response_hours": [0.5, 3.0, NAN, 1.0],
        "resolved": [True, False, False, True],
    })


def test_volume_is_posts_per_type_per_day() -> None:
    figures = figures_from_posts(four_posts(), days=7.0, sla_hours=1.0)
    assert figures.volume_per_day["question"] == pytest.approx(2 / 7)
    assert figures.volume_per_day["idea"] == 0.0
    assert figures.posts == 4


def test_reply_rate_counts_missing_responses_as_unanswered() -> None:
    assert figures_from_posts(four_posts(), days=7.0, sla_hours=1.0).reply_rate == 0.75


def test_share_within_sla_counts_a_response_at_the_target_and_is_over_all_posts() -> None:
    assert figures_from_posts(four_posts(), days=7.0, sla_hours=1.0).share_within_sla == 0.5


def test_response_quantiles_are_over_answered_posts_only() -> None:
    figures = figures_from_posts(four_posts(), days=7.0, sla_hours=1.0)
    assert figures.first_response_hours.p50 == 1.0
    assert figures.first_response_hours.p90 == pytest.approx(np.quantile([0.5, 1.0, 3.0], 0.9))


def test_weekday_profile_starts_from_the_start_date_weekday() -> None:
    # the period starts on a Wednesday: two posts fall on it (index 2), one on Thursday and
    # the last, six days on, on Tuesday
    figures = figures_from_posts(four_posts(), days=7.0, sla_hours=1.0,
                                 start=datetime(2026, 1, 7))
    counts = np.array(figures.weekday_profile) * 4 / 7
    assert counts.round(9).tolist() == [0, 1, 2, 1, 0, 0, 0]


def test_hour_profile_has_mean_one() -> None:
    profile = figures_from_posts(four_posts(), days=7.0, sla_hours=1.0).hour_of_day_profile
    assert np.mean(profile) == pytest.approx(1.0)
    assert profile[9] == 2 * 24 / 4


def test_statistics_leave_out_unknown_figures() -> None:
    empty = four_posts().iloc[:0]
    stats = figures_from_posts(empty, days=1.0, sla_hours=1.0).statistics()
    assert "reply_rate" not in stats and stats["posts_per_day"] == 0.0


def test_profiles_need_their_lengths() -> None:
    data = figures_from_posts(four_posts(), days=7.0, sla_hours=1.0).model_dump()
    data["weekday_profile"] = [1.0] * 6
    with pytest.raises(ValidationError, match="weekday_profile"):
        ObservedFigures(**data)


def test_a_simulated_run_gives_the_figures_of_its_summary() -> None:
    model = SCRMModel(load_scenario("scenarios/minimal.yaml", {"duration_days": 3}), seed=5)
    summary = model.run()
    figures = figures_from_model(model)
    assert figures.posts == summary["posts"]
    assert figures.share_within_sla == pytest.approx(summary["share_within_sla"])
    assert figures.reply_rate == pytest.approx(summary["share_answered"])
    assert figures.first_response_hours.p90 == pytest.approx(summary["first_response_p90_hours"])
    assert figures.survey.churn_rate == pytest.approx(summary["churn_rate"])
