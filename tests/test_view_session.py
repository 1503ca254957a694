"""What the browser view runs: the scenario as written unless a knob changes it, and knobs
that multiply each preset's own values (no browser needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scrm_sim import SCRMModel, load_scenario
from scrm_sim.experiment.runs import load_models
from scrm_sim.view.session import NONE, Knobs, SideBySide

COMPARED = ("satisfaction_mean", "within_sla_total", "posts_total", "backlog",
            "churned_total", "cost_total")
HOURS = 30


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A small scenario with its own seed, campaign and incident, run by hybrid."""
    path = tmp_path / "client.yaml"
    path.write_text(yaml.safe_dump({
        "extends": "baseline", "name": "client", "seed": 777, "duration_days": 4,
        "customers": {"count": 600, "prospects": 300},
        "demand": {"volume_multiplier": 20.0,
                   "campaigns": [{"start_day": 1, "duration_days": 1, "multiplier": 2.0}],
                   "incidents": [{"start_day": 0.5, "duration_hours": 12,
                                  "complaint_multiplier": 6.0}]},
        "ownership": "hybrid"}), encoding="utf-8")
    return path


def steps(run: SCRMModel) -> dict[str, list]:
    return {column: run.datacollector.model_vars[column] for column in COMPARED}


def test_view_at_default_knobs_runs_exactly_the_scenario_and_its_seed(scenario):
    view = SideBySide(source=str(scenario))
    view.advance(HOURS)
    left, right = view.names
    assert left == "hybrid"  # the scenario's own model on the left
    by_hand = {left: SCRMModel(load_scenario(scenario)),
               right: SCRMModel(load_models(scenario, [right])[right])}
    for run in by_hand.values():
        for _ in range(HOURS):
            run.step()
    for name in view.names:
        assert steps(view.runs[name]) == steps(by_hand[name])
        assert sum(steps(view.runs[name])["posts_total"]) > 0  # something happened


def test_view_keeps_the_scenarios_events_and_seed(scenario):
    view = SideBySide(source=str(scenario))
    written = load_scenario(scenario)
    assert view.seed == 777
    for run in view.runs.values():
        assert run.config.demand.incidents == written.demand.incidents
        assert run.config.demand.campaigns == written.demand.campaigns
        assert run.config.ownership.listening == load_models(
            scenario, [run.config.ownership.name])[run.config.ownership.name].ownership.listening


def test_knobs_multiply_each_presets_own_values(scenario):
    knobs = Knobs(left="ceo_led", right="hybrid", staffing=2.0, listening=0.5,
                  handoff_friction=1.5, demand=0.5)
    view = SideBySide(knobs, source=str(scenario))
    for name, run in view.runs.items():
        preset = load_models(scenario, [name])[name]
        own, was = run.config.ownership, preset.ownership
        assert own.staffing_scale == pytest.approx(2.0 * was.staffing_scale)
        assert own.listening.coverage == pytest.approx(0.5 * was.listening.coverage)
        assert own.handoff.silo_delay_hours == pytest.approx(1.5 * was.handoff.silo_delay_hours)
        assert own.handoff.silo_loss == pytest.approx(1.5 * was.handoff.silo_loss)
        assert run.config.demand.volume_multiplier == pytest.approx(
            0.5 * preset.demand.volume_multiplier)
    # the presets differ, so the same multiplier gives each its own value
    coverages = {run.config.ownership.listening.coverage for run in view.runs.values()}
    assert len(coverages) == 2


def test_listening_multiplier_stops_at_full_coverage(scenario):
    view = SideBySide(Knobs(listening=1.25), source=str(scenario))
    assert all(run.config.ownership.listening.coverage <= 1.0 for run in view.runs.values())
    assert max(run.config.ownership.listening.coverage for run in view.runs.values()) == 1.0


def test_knobs_reach_the_later_stages_of_a_staged_model(scenario):
    view = SideBySide(Knobs(left="evolution_support_first", right=NONE, staffing=2.0),
                      source=str(scenario))
    preset = load_models(scenario, ["evolution_support_first"])["evolution_support_first"]
    stages = view.runs["evolution_support_first"].config.ownership.stages
    assert stages and [s.ownership.staffing_scale for s in stages] == pytest.approx(
        [2.0 * s.ownership.staffing_scale for s in preset.ownership.stages])


def test_staffing_multiplies_the_budget_when_the_scenario_sets_one(tmp_path):
    path = tmp_path / "budget.yaml"
    path.write_text(yaml.safe_dump({"extends": "minimal", "staffing_budget_fte": 8.0,
                                    "customers": {"count": 500, "prospects": 100}}),
                    encoding="utf-8")
    view = SideBySide(Knobs(staffing=1.5), source=str(path))
    assert {run.config.staffing_budget_fte for run in view.runs.values()} == {12.0}


def test_an_added_incident_joins_the_scenarios_own(scenario):
    view = SideBySide(Knobs(added_incident_day=2), source=str(scenario))
    for run in view.runs.values():
        days = [i.start_day for i in run.config.demand.incidents]
        assert days == [0.5, 2.0]


def test_a_typed_seed_replaces_the_scenarios_for_both_models(scenario):
    view = SideBySide(Knobs(seed=5), source=str(scenario))
    assert view.seed == 5
    assert all(run.config.seed == 777 for run in view.runs.values())  # the file is untouched
    view.advance(HOURS)
    other = SideBySide(source=str(scenario))
    other.advance(HOURS)
    assert steps(view.runs[view.names[0]]) != steps(other.runs[other.names[0]])


def test_one_model_alone_when_nothing_to_compare_with(scenario):
    assert SideBySide(Knobs(right=NONE), source=str(scenario)).names == ["hybrid"]


def test_a_negative_seed_is_a_message_not_a_traceback(scenario):
    view = SideBySide(Knobs(seed=-1), source=str(scenario))
    assert view.runs == {} and "seed" in view.error and "non-negative" in view.error


def test_a_bad_scenario_is_the_command_lines_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nduration_days: -3\n", encoding="utf-8")
    view = SideBySide(source=str(bad))
    assert view.runs == {} and "duration_days" in view.error and str(bad) in view.error


def test_run_to_stops_at_the_hour_and_at_the_end(scenario):
    view = SideBySide(source=str(scenario))
    view.run_to(48)
    assert view.hour == 48
    view.run_to(10_000)
    assert view.hour == view.horizon_hours == 96 and not view.running
