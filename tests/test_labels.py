"""The catalogue of metric names and units: every quantity a person reads has one."""

from __future__ import annotations

import math

import pytest

from scrm_sim.analysis.labels import METRICS, label, metric, model_label
from scrm_sim.experiment.spec import summary_metric_names
from scrm_sim.model.metrics import MODEL_REPORTERS

# columns that are bookkeeping, not quantities shown to a person
NOT_SHOWN = {"posts", "ownership_stage_final", "churned_at_end", "hour", "day",
             "ownership_stage", "posts_total", "first_responses_total", "within_sla_total",
             "resolutions_total", "acquired_total", "grievances_total",
             "negative_wom_reach_total", "active_cascades", "staff_in_social_roles",
             "staff_hours_total", "acquired_word_of_mouth", "acquired_leads",
             "acquired_external", "grievances", "silences", "churned_after_silence",
             "team_joiners", "team_leavers"}


def test_every_summary_metric_has_a_plain_name_and_unit():
    missing = [c for c in summary_metric_names() if c not in METRICS and c not in NOT_SHOWN]
    assert missing == []


def test_every_step_series_shown_over_time_has_a_plain_name():
    missing = [c for c in MODEL_REPORTERS if c not in METRICS and c not in NOT_SHOWN]
    assert missing == []


def test_plain_names_carry_no_code_spelling():
    assert [m.label for m in METRICS.values() if "_" in m.label] == []


@pytest.mark.parametrize(("code", "shown"), [
    ("ceo_led", "CEO-led"), ("pr_led", "PR-led"), ("it_led", "IT-led"),
    ("marketing_led", "Marketing-led"), ("service_led", "Service-led"), ("hybrid", "Hybrid"),
    ("joint_marketing_service", "Joint marketing service"),
])
def test_model_names_are_written_as_people_write_them(code, shown):
    assert model_label(code) == shown


def test_satisfaction_is_shown_on_a_scale_of_one_hundred():
    assert metric("satisfaction_final").show(0.6234) == "62.3"
    assert metric("satisfaction_mean").scale == 100.0


def test_an_interval_end_is_clipped_where_the_quantity_cannot_go():
    assert metric("first_response_p50_hours").clip(-65.0) == 0.0
    assert metric("share_within_sla").clip(104.0) == 100.0  # display units: percent
    assert metric("net_customer_growth").clip(-12.0) == -12.0  # can fall: not clipped


def test_a_missing_value_is_shown_as_a_dash():
    assert metric("cost").show(math.nan) == "–"


def test_an_unknown_column_is_shown_in_words():
    assert label("some_new_metric") == "some new metric"


def test_every_metric_with_a_direction_has_a_negligible_difference_or_is_a_count():
    # a better-is-up/down metric the verdict may rank on needs a threshold for "negligible"
    unset = [m.column for m in METRICS.values()
             if m.direction and m.negligible == 0 and m.column not in {
                 "ideas_co_created", "largest_cascade", "handoffs_per_resolved"}]
    assert unset == []


def test_a_difference_is_shown_with_its_sign_unless_it_rounds_to_nothing():
    churn = metric("churn_rate")
    assert (churn.signed(-0.004), churn.signed(0.0123)) == ("−0.40", "+1.23")
    assert churn.signed(-0.00001) == "0.00"
    assert metric("cost").signed(-12345.0) == "−12,345"
