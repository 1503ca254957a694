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

from dataclasses import dataclass

from scrm_sim.errors import Problem
from scrm_sim.scenario.schema import Scenario


@dataclass(frozen=True)
class ScenarioEvent:
    """A campaign or an incident as a span of days of the run."""

    kind: str
    """"campaign" or "incident"."""
    start_day: float
    end_day: float
    label: str
    """What a person reads on a plot: "campaign (posts ×2, reach ×3)"."""
    field: str = ""
    """Where the scenario sets it: "demand.campaigns.0"."""

    def outside(self, horizon_days: float) -> bool:
        """Whether the event starts at or after the end of a run of ``horizon_days``."""
        return self.start_day >= horizon_days

    def cut_short(self, horizon_days: float) -> bool:
        """Whether the event starts within the run but would end after it."""
        return self.start_day < horizon_days < self.end_day


def scenario_events(scenario: Scenario) -> list[ScenarioEvent]:
    """The scenario's campaigns and incidents, in the order they start."""
    events = [ScenarioEvent("campaign", c.start_day, c.start_day + c.duration_days,
                            f"campaign (posts ×{c.multiplier:g}, reach "
                            f"×{c.acquisition_multiplier:g})", f"demand.campaigns.{i}")
              for i, c in enumerate(scenario.demand.campaigns)]
    events += [ScenarioEvent("incident", e.start_day, e.start_day + e.duration_hours / 24.0,
                             f"incident (complaints ×{e.complaint_multiplier:g})",
                             f"demand.incidents.{i}")
               for i, e in enumerate(scenario.demand.incidents)]
    return sorted(events, key=lambda e: (e.start_day, e.kind))


def events_outside_horizon(scenario: Scenario, horizon_set_by: str = "duration_days"
                           ) -> list[Problem]:
    """Each event of ``scenario`` that starts at or after the end of the run (it never
    happens) or runs past it (only part of it is simulated), by field path.

    ``horizon_set_by`` names what set the run's length, for the message (an option such
    as ``--days 30``)."""
    end = scenario.duration_days
    horizon = f"the run ends on day {_day(end)} ({horizon_set_by})"
    problems = []
    for event in sorted(scenario_events(scenario), key=lambda e: (e.kind, e.field)):
        if event.outside(end):
            problems.append(Problem(event.field, f"starts on day {_day(event.start_day)}, but "
                                    f"{horizon}: it never happens"))
        elif event.cut_short(end) and event.kind == "campaign":
            problems.append(Problem(event.field, (
                f"runs to day {_day(event.end_day)}, but {horizon}: only "
                f"{_day(end - event.start_day)} of its "
                f"{_day(event.end_day - event.start_day)} days are simulated")))
        elif event.cut_short(end):  # an incident is set in hours
            problems.append(Problem(event.field, (
                f"lasts until day {_day(event.end_day)}, but {horizon}: only "
                f"{_day((end - event.start_day) * 24)} of its "
                f"{_day((event.end_day - event.start_day) * 24)} hours are simulated")))
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
