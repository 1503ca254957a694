"""Events the run never reaches, or cuts short: warned about, never refused.

The unit tests read :func:`events_outside_horizon` on validated scenarios; the command-line
tests check that validate, run, compare and experiment print the warning on stderr (even
with --quiet), say where an inherited event comes from, and still succeed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scrm_sim.cli import main
from scrm_sim.scenario import Scenario
from scrm_sim.scenario.horizon import events_outside_horizon

from .conftest import SCENARIOS


def scenario(**fields: object) -> Scenario:
    return Scenario.model_validate(fields)


def fields(problems: list) -> list[str]:
    return [p.field for p in problems]


def test_events_inside_the_run_give_no_warning() -> None:
    inside = scenario(duration_days=30, demand={
        "campaigns": [{"start_day": 5, "duration_days": 25}],
        "incidents": [{"start_day": 29, "duration_hours": 24}]})

    assert events_outside_horizon(inside) == []


def test_an_incident_on_or_after_the_last_day_never_happens() -> None:
    late = scenario(duration_days=30, demand={"incidents": [{"start_day": 30}]})

    [problem] = events_outside_horizon(late)

    assert problem.field == "demand.incidents.0"
    assert "starts on day 30" in problem.message and "never happens" in problem.message


def test_a_campaign_running_past_the_end_is_cut_short() -> None:
    cut = scenario(duration_days=30, demand={"campaigns": [{"start_day": 28,
                                                             "duration_days": 7}]})

    [problem] = events_outside_horizon(cut)

    assert problem.field == "demand.campaigns.0"
    assert "only 2 of its 7 days are simulated" in problem.message


def test_an_incident_lasting_past_the_end_is_cut_short() -> None:
    cut = scenario(duration_days=3, demand={"incidents": [{"start_day": 2,
                                                            "duration_hours": 48}]})

    assert "only 24 of its 48 hours" in events_outside_horizon(cut)[0].message


def test_a_stage_switch_after_the_end_is_never_reached() -> None:
    staged = scenario(duration_days=30, ownership={"stages": [
        {"ownership": {"name": "later"}, "when": {"after_day": 45}}]})

    [problem] = events_outside_horizon(staged)

    assert problem.field == "ownership.stages.0.when.after_day"
    assert "later" in problem.message and "never reaches it" in problem.message


def test_a_metric_trigger_longer_than_the_run_is_never_reached() -> None:
    staged = scenario(duration_days=10, ownership={"stages": [
        {"ownership": {"name": "later"},
         "when": {"metric": "backlog", "above": 5, "for_days": 10}}]})

    assert fields(events_outside_horizon(staged)) == ["ownership.stages.0.when.for_days"]


# --------------------------------------------------------------------------- command line

SHORT_CLIENT = """\
extends: {base}
name: client
duration_days: 3
customers: {{count: 300, prospects: 100}}
demand:
  incidents:
    append:
      - {{start_day: 1, duration_hours: 12}}
"""


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A 3-day client of the baseline: its campaign (day 28) and incident (day 60) fall
    after the end; its own incident is inside."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "client.yaml"
    path.write_text(SHORT_CLIENT.format(base=SCENARIOS / "baseline.yaml"), encoding="utf-8")
    return path


def test_validate_warns_about_inherited_events_and_names_their_file(
    client: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(client)]) == 0

    err = capsys.readouterr().err
    assert err.startswith("warning: scenario client.yaml")
    assert "demand.campaigns.0 (inherited from baseline.yaml via extends): starts on day 28" \
        in err
    assert "demand.incidents.0 (inherited from baseline.yaml via extends)" in err
    assert "demand.incidents.1" not in err  # the client's own incident is inside the run


def test_run_warns_even_when_quiet_and_names_the_days_option(
    client: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", str(client), "--days", "2", "--quiet", "--out", str(tmp_path / "o")])

    err = capsys.readouterr().err
    assert code == 0
    assert "the run ends on day 2 (--days 2)" in err


def test_compare_warns_once_per_event_not_once_per_model(
    client: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["compare", str(client), "--models", "service_led,hybrid", "--reps", "1",
                 "--days", "1", "--workers", "1", "--quiet", "--out", str(tmp_path / "o")])

    err = capsys.readouterr().err
    assert code == 0
    assert err.count("demand.incidents.0") == 1


def test_experiment_warns_about_events_after_its_overrides_horizon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({
        "name": "short", "scenario": str(SCENARIOS / "baseline.yaml"), "models": ["service_led"],
        "replications": 1, "overrides": {"duration_days": 1, "customers": {
            "count": 300, "prospects": 100}}}), encoding="utf-8")

    code = main(["experiment", str(path), "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "o")])

    err = capsys.readouterr().err
    assert code == 0
    assert err.startswith("warning: experiment short (scenario baseline.yaml)")
    assert "demand.incidents.0: starts on day 60, but the run ends on day 1 (duration_days " \
        "of the overrides)" in err
