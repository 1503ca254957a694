"""Events a run never reaches: a campaign, an incident or a stage switch on or after the last
day, or one cut short by it.

Not an error (a short trial run of a long scenario is a fair thing to do), but almost
always a surprise: a client scenario that shortens the baseline's 90 days keeps the
baseline's incident on day 60 through ``extends:``, and the comparison silently runs
without it. The command line prints these as warnings when it loads a scenario
(``validate``, ``run``, ``compare``, ``experiment``).

The model's clock: hour h belongs to day h / 24; a run of ``duration_days`` D has hours
0 … 24·D − 1. A campaign acts on days [start, start + duration), an incident on hours
[24·start, 24·start + duration_hours), and a stage trigger is read at the end of each
day, so a switch on day D or later comes after the last hour.
"""

from __future__ import annotations

from scrm_sim.errors import Problem
from scrm_sim.scenario.schema import Scenario


def events_outside_horizon(scenario: Scenario, horizon_set_by: str = "duration_days"
                           ) -> list[Problem]:
    """Each event of ``scenario`` that starts at or after the end of the run (it never
    happens) or runs past it (only part of it is simulated), by field path.

    ``horizon_set_by`` names what set the run's length, for the message (an option such
    as ``--days 30``)."""
    end = scenario.duration_days
    horizon = f"the run ends on day {_day(end)} ({horizon_set_by})"
    problems = []
    for i, campaign in enumerate(scenario.demand.campaigns):
        where = f"demand.campaigns.{i}"
        if campaign.start_day >= end:
            problems.append(Problem(where, f"starts on day {_day(campaign.start_day)}, but "
                                    f"{horizon}: it never happens"))
        elif campaign.start_day + campaign.duration_days > end:
            problems.append(Problem(where, (
                f"runs to day {_day(campaign.start_day + campaign.duration_days)}, but "
                f"{horizon}: only {_day(end - campaign.start_day)} of its "
                f"{_day(campaign.duration_days)} days are simulated")))
    for i, incident in enumerate(scenario.demand.incidents):
        where = f"demand.incidents.{i}"
        hours_left = (end - incident.start_day) * 24
        if incident.start_day >= end:
            problems.append(Problem(where, f"starts on day {_day(incident.start_day)}, but "
                                    f"{horizon}: it never happens"))
        elif incident.duration_hours > hours_left:
            problems.append(Problem(where, (
                f"lasts until day {_day(incident.start_day + incident.duration_hours / 24)}, "
                f"but {horizon}: only {_day(hours_left)} of its "
                f"{_day(incident.duration_hours)} hours are simulated")))
    for i, stage in enumerate(scenario.ownership.stages):
        where = f"ownership.stages.{i}.when"
        trigger = stage.when
        if trigger.after_day is not None and trigger.after_day >= end:
            problems.append(Problem(f"{where}.after_day", (
                f"switches to stage {i + 1} ({stage.ownership.name}) on day "
                f"{_day(trigger.after_day)}, but {horizon}: the run never reaches it"
                + (" nor the stages after it" if i + 1 < len(scenario.ownership.stages)
                   else ""))))
            break  # later stages cannot come before it
        if trigger.after_day is None and trigger.for_days >= end:
            problems.append(Problem(f"{where}.for_days", (
                f"needs its condition to hold {trigger.for_days} days in a row, but "
                f"{horizon}: the run never reaches stage {i + 1} ({stage.ownership.name})")))
            break
    return problems


def _day(value: float) -> str:
    """A day or hour count as written: 60, 2.5."""
    return f"{value:g}"
