"""The report's warnings: each one triggered by results or a scenario built to trigger it.

Per model (``caveats``): most posts unanswered, a backlog still growing at the end. For the
run (``caveats.run_checks`` on the resolved scenarios, see ``horizon``): a horizon too
short for churn and acquisition to respond, no prospects to win, campaigns and incidents
outside the horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scrm_sim.analysis.caveats import find_caveats
from scrm_sim.analysis.horizon import (
    days_until_share_posted,
    expected_posts_per_customer,
    scenarios_of,
    share_posted,
)
from scrm_sim.analysis.metric_table import metric_table
from scrm_sim.analysis.report import Comparison, ReportParts, render_html
from scrm_sim.scenario.horizon import scenario_events
from scrm_sim.analysis.verdict import verdict
from scrm_sim.scenario import load_scenario

from .conftest import SCENARIOS

HOSTILE = "<script>alert('x')</script>"
SEEDS = (11, 12, 13)


def _summary(models: dict[str, dict[str, float]]) -> pd.DataFrame:
    """A compare summary: per model its metrics, three paired seeds with a little spread."""
    return pd.DataFrame([{"ownership": model, "seed": seed,
                          **{k: v * (1 + 0.01 * i) for k, v in metrics.items()}}
                         for model, metrics in models.items() for i, seed in enumerate(SEEDS)])


def _steps(backlog: dict[str, object], days: int = 28) -> pd.DataFrame:
    """Hourly steps as compare writes them, with daily and weekly rhythms in the backlog.

    Hours start at 1 and day = hour // 24, so the first and last days are cut short; the
    backlog level of each model is a function of the hour.
    """
    rng = np.random.default_rng(0)
    hour = np.arange(1, 24 * days + 1)
    rhythm = (1 + 0.5 * np.sin(2 * np.pi * hour / 24)) * np.where(hour // 24 % 7 >= 5, 3, 1)
    return pd.concat([pd.DataFrame({
        "ownership": model, "seed": seed, "hour": hour, "day": hour // 24,
        "backlog": level(hour) * rhythm * rng.uniform(0.8, 1.2, len(hour)),
        "satisfaction_mean": 0.7 + rng.normal(0, 0.002, len(hour))})
        for model, level in backlog.items() for seed in SEEDS], ignore_index=True)


def _flat(hour: np.ndarray) -> np.ndarray:
    return np.full(len(hour), 20.0)


def page(summary: pd.DataFrame, steps: pd.DataFrame, **kwargs: object) -> str:
    """The report page of these results (no figures)."""
    caveats = find_caveats(summary, steps, **kwargs)
    parts = ReportParts(metric_table(summary), verdict(summary), caveats)
    return render_html(Comparison(summary, steps, {}, [], None), parts, {})


def box(text: str) -> str:
    return text.split("<div class='caveats' id='caveats' role='note'>")[1].split("</div>")[0]


# ------------------------------------------------------------------------- per model


def test_a_model_leaving_most_posts_unanswered_is_warned_in_the_box_and_marked_in_the_table():
    summary = _summary({
        "marketing_led": {"share_answered": 0.05, "churn_rate": 0.010, "satisfaction_final": 0.60},
        "hybrid": {"share_answered": 0.90, "churn_rate": 0.015, "satisfaction_final": 0.70}})
    text = page(summary, _steps({"marketing_led": _flat, "hybrid": _flat}))

    assert "<strong>Marketing-led</strong>: answers 5.1% of posts" in box(text)
    assert "Hybrid" not in box(text)
    table = text.split("<table id='metrics'>")[1].split("</table>")[0]
    assert "<th>Marketing-led ⚠</th>" in table and "<th>Hybrid</th>" in table
    churn_row = next(r for r in table.split("<tr>") if r.startswith("<th scope='row'>churn"))
    assert churn_row.count("⚠") == 1  # its churn, best of the two, carries the warning
    assert "Marketing-led leaves 95% of posts unanswered: read its customer outcomes" in text


def test_the_warnings_come_right_after_the_verdict_on_the_first_screen():
    summary = _summary({
        "marketing_led": {"share_answered": 0.05, "churn_rate": 0.010},
        "hybrid": {"share_answered": 0.90, "churn_rate": 0.015}})
    text = page(summary, pd.DataFrame())

    assert text.index("id='verdict'") < text.index("id='caveats'") < text.index("id='metrics'")


def test_a_model_whose_backlog_is_still_growing_is_flagged():
    summary = _summary({"ceo_led": {"share_answered": 0.8, "churn_rate": 0.01},
                        "hybrid": {"share_answered": 0.8, "churn_rate": 0.02}})
    steps = _steps({"ceo_led": lambda hour: 5.0 + hour / 24, "hybrid": _flat})
    caveats = find_caveats(summary, steps)
    assert [c.check for c in caveats.of("ceo_led")] == ["backlog_growing"]
    assert "backlog is still growing when the run ends" in caveats.of("ceo_led")[0].detail
    assert not caveats.of("hybrid")


def test_a_healthy_model_is_not_flagged():
    # answers most posts; its backlog swings with the day and the week without growing. The
    # run ends on a weekend peak: a line fitted to its last quarter would rise steeply.
    summary = _summary({"service_led": {"share_answered": 0.85, "churn_rate": 0.01},
                        "hybrid": {"share_answered": 0.80, "churn_rate": 0.02}})
    steps = _steps({"service_led": _flat, "hybrid": _flat})
    caveats = find_caveats(summary, steps)
    assert caveats.flags == {} and caveats.shared == [] and caveats.notes == []
    text = page(summary, steps)
    assert "id='caveats'" not in text and "⚠" not in text


def test_the_warning_box_escapes_model_names():
    summary = _summary({HOSTILE: {"share_answered": 0.1, "churn_rate": 0.01},
                        "hybrid": {"share_answered": 0.9, "churn_rate": 0.02}})
    text = page(summary, pd.DataFrame())
    assert "<script>" not in text and "id='caveats'" in text


# ------------------------------------------------------------------------- the run


def baseline(**overrides: object):
    return load_scenario(SCENARIOS / "baseline.yaml", overrides)


HEALTHY = _summary({"service_led": {"share_answered": 0.85}, "hybrid": {"share_answered": 0.8}})


def run_warnings(scenario) -> tuple[list[str], pd.DataFrame]:
    caveats = find_caveats(HEALTHY, pd.DataFrame(), scenarios={"service_led": scenario,
                                                               "hybrid": scenario})
    return caveats.shared, caveats.checks


def test_expected_posts_per_customer_adds_the_campaign_and_the_incident_within_the_run():
    # 0.009 posts a day for 90 days; the campaign doubles questions, praise and purchase
    # intents (0.0065 a day) for 7 days; the incident multiplies complaints (0.002) by 8 for a day
    assert expected_posts_per_customer(baseline()) == pytest.approx(
        0.009 * 90 + 7 * 0.0065 + 1 * 7 * 0.002)
    assert share_posted(baseline()) == pytest.approx(1 - np.exp(-0.8695))


def test_the_baseline_horizon_is_long_enough_for_churn_to_respond():
    shared, checks = run_warnings(baseline())

    assert shared == []
    assert not checks[checks["check"] == "horizon_short"]["flagged"].any()


def test_a_30_day_run_is_too_short_for_churn_and_acquisition_to_respond():
    shared, checks = run_warnings(baseline(duration_days=30))

    assert checks[checks["check"] == "horizon_short"]["flagged"].all()
    [warning] = [w for w in shared if "too short for churn and acquisition" in w]
    # 30 days at 0.009 posts a day, plus the campaign's first 2 days at 0.0065 more
    share = 100 * (1 - np.exp(-(0.009 * 30 + 2 * 0.0065)))
    assert f"only about {share:.0f}% of customers have dealt with the company" in warning
    needed = days_until_share_posted(baseline(duration_days=30))
    assert f"run at least {int(np.ceil(needed))} days" in warning and 65 < needed < 75


def test_a_scenario_without_prospects_warns_that_no_model_can_win_a_customer():
    shared, checks = run_warnings(baseline(customers={"prospects": 0}))

    assert any("has no prospects, so no model can win a customer" in w for w in shared)
    assert checks[checks["check"] == "no_prospects"]["flagged"].all()


def test_an_event_after_the_horizon_is_warned_as_never_happening():
    shared, checks = run_warnings(baseline(duration_days=50))  # the incident is on day 60

    assert ("The incident (complaints ×8) set for day 60 never happens: the run ends on day 50."
            in shared)
    events = checks[checks["check"] == "event_outside_horizon"]
    assert events.set_index("event")["flagged"].groupby(level=0).all().to_dict() == {
        "campaign": False, "incident": True}


def test_an_event_running_past_the_horizon_is_warned_as_cut_short():
    shared, _ = run_warnings(baseline(duration_days=31))  # the campaign runs days 28–35

    assert ("The campaign (posts ×2, reach ×3) from day 28 to day 35 is cut short: the run "
            "ends on day 31." in shared)


def test_each_run_warning_is_given_once_for_models_that_share_the_scenario():
    shared, _ = run_warnings(baseline(duration_days=20))

    assert len(shared) == len(set(shared)) == 3  # horizon, campaign and incident


def test_run_warnings_are_shown_in_the_warning_box():
    scenario = baseline(duration_days=20)
    text = page(HEALTHY, pd.DataFrame(), scenarios={"service_led": scenario})

    assert "<ul id='run-warnings'>" in box(text)
    assert "set for day 60 never happens: the run ends on day 20." in box(text)


def test_results_without_a_resolved_scenario_say_the_run_checks_were_not_made():
    caveats = find_caveats(HEALTHY, pd.DataFrame(), scenarios={})

    assert any("horizon and the campaigns and incidents were not checked" in n
               for n in caveats.notes)


def test_the_scenarios_of_a_compare_manifest_are_read_back():
    scenario = baseline(duration_days=12)
    manifest = {"scenarios": {"hybrid": scenario.model_dump(mode="json")}}

    assert scenarios_of(manifest)["hybrid"].duration_days == 12
    assert scenarios_of({"experiment": {"scenario": "/no/such/file.yaml"}}) == {}


def test_the_events_of_a_scenario_are_its_campaigns_and_incidents_as_spans_of_days():
    events = scenario_events(baseline())

    assert [(e.kind, e.start_day, e.end_day) for e in events] == [
        ("campaign", 28.0, 35.0), ("incident", 60.0, 61.0)]
