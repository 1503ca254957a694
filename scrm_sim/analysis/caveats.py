"""Caveats: models whose customer outcomes should not be read at face value, and runs that
cannot show what they are read for.

A model can come out best on satisfaction, churn or word of mouth without serving its
customers: issue 12 shows a report that called a model "best on churn" while it answered
4.9% of posts within the hour and its backlog of 7,800 posts was still growing. The
outcomes measure what customers have felt by the end of the run, and a model that leaves
most posts unanswered, or whose queue is still growing, has not yet been charged in full.

Three checks, each per ownership model over all its runs, read from the results only (the
summary table and the step series):

* ``unanswered``: the mean ``share_answered`` is below ``min_share_answered``;
* ``backlog_growing``: the backlog is still growing when the run ends;
* ``satisfaction_falling``: satisfaction is still falling when the run ends, so churn,
  whose daily hazard rises as satisfaction falls, has not caught up yet.

"Still growing" compares the last stretch of the run with the stretch before it, both
daily means over whole weeks where the run is long enough (see :func:`end_trend`), and
asks two things: that the change holds across the independent replications (a one-sided
t-test at ``alpha``), and that it is large enough to matter.

Three more checks read the resolved scenarios (``manifest.json``) and hold for the run as a
whole, so they are shared notes rather than flags on one model:

* ``horizon_short``: the run ends before most customers have posted even once, so churn
  and acquisition have not had time to respond to the ownership model (the rule and its
  reasons: ``scrm_sim.analysis.horizon``);
* ``no_prospects``: the scenario has no prospects, so no model can win a customer;
* ``event_outside_horizon``: a campaign or an incident starts after the run ends (it never
  happens) or ends after it (it is cut short).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from scrm_sim.analysis.horizon import (
    MIN_SHARE_POSTED,
    days_until_share_posted,
    expected_posts_per_customer,
    share_posted,
)
from scrm_sim.scenario.horizon import scenario_events
from scrm_sim.scenario.schema import Scenario

MIN_SHARE_ANSWERED = 0.5
"""A model answering fewer than half of all posts leaves *most* posts unanswered.

Whatever it scores on satisfaction or churn, it scores without serving most of the
customers who asked; that is the plain-language line "most posts unanswered" of issue 12.
"""

MIN_BACKLOG_GROWTH = 0.10
"""Relative rise of the mean backlog, last stretch over the stretch before, that counts.

A queue overloaded from the start grows roughly linearly from empty, so its last quarter
holds about 40% more posts than the quarter before (more when the overload began later).
A queue in balance does not rise on average. 10% sits well below the first and, once the
daily and weekly rhythms are cancelled, above the wobble of a balanced queue. The rise
must also be at least one post, so that a queue that is nearly always empty is not
flagged.
"""

MIN_SATISFACTION_FALL = 0.005
"""Fall of mean satisfaction (0–1 scale), last stretch against the one before, that counts.

Half a point of 100: the report shows satisfaction to a tenth of a point, and ownership
models usually differ by a few tenths to 1.5 points (issue 12's table), so a further fall
of this size before the run ends is enough to reorder them.
"""

ALPHA = 0.05
"""One-sided significance level of the trend tests across replications."""

CUSTOMER_OUTCOMES = frozenset({
    "satisfaction_final", "satisfaction_mean", "nps_final", "churn_rate", "churned",
    "churned_at_end", "customers_final", "net_customer_growth", "acquired",
    "acquired_word_of_mouth", "negative_wom_reach", "largest_cascade", "leads_converted",
})
"""Metrics on which a flagged model's ranking carries its warning."""

WEEK = 7


@dataclass(frozen=True)
class Caveat:
    """One check that failed for one model."""

    model: str
    check: str
    phrase: str
    """A predicate for a sentence: "leaves 61% of posts unanswered"."""
    detail: str
    """The same with its numbers, for the warning box."""


@dataclass
class Caveats:
    """The caveats of a comparison, and the numbers behind them."""

    flags: dict[str, list[Caveat]] = field(default_factory=dict)
    shared: list[str] = field(default_factory=list)
    """Run-level warnings: a check that failed for every model, or for the run itself (its
    horizon, its events), says nothing about which model is best but limits what any says."""
    notes: list[str] = field(default_factory=list)
    """Checks that could not be made, and why."""
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)

    def of(self, model: str) -> list[Caveat]:
        """The caveats of one model (empty when it passes every check)."""
        return self.flags.get(model, [])

    def phrase(self, model: str) -> str:
        """The model's caveats as one predicate, or "" when it has none."""
        phrases = [c.phrase for c in self.of(model)]
        if len(phrases) <= 1:
            return "".join(phrases)
        return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def find_caveats(summary: pd.DataFrame, steps: pd.DataFrame, *,
                 scenarios: Mapping[str, Scenario] | None = None,
                 min_share_answered: float = MIN_SHARE_ANSWERED,
                 min_backlog_growth: float = MIN_BACKLOG_GROWTH,
                 min_satisfaction_fall: float = MIN_SATISFACTION_FALL,
                 min_share_posted: float = MIN_SHARE_POSTED,
                 alpha: float = ALPHA) -> Caveats:
    """Run the three checks for every model in ``summary``, and the run's checks on
    ``scenarios`` (the resolved scenario of each model; see
    ``scrm_sim.analysis.horizon.scenarios_of``) when given.

    In an experiment a model's runs span the design points; like the headline table, the
    checks pool them.
    """
    models = list(dict.fromkeys(summary["ownership"]))
    caveats = Caveats(flags={m: [] for m in models})
    rows: list[dict[str, object]] = []

    if "share_answered" in summary:
        answered = summary.groupby("ownership", sort=False)["share_answered"].agg(["mean", "size"])
        for model in models:
            share, runs = answered.loc[model, "mean"], int(answered.loc[model, "size"])
            flagged = bool(share < min_share_answered)
            rows.append({"ownership": model, "check": "unanswered", "flagged": flagged,
                         "value": share, "threshold": min_share_answered, "runs": runs})
            if flagged:
                caveats.flags[model].append(Caveat(
                    model, "unanswered", f"leaves {100 * (1 - share):.0f}% of posts unanswered",
                    f"answers {100 * share:.1f}% of posts (mean of {runs} runs), so "
                    f"{100 * (1 - share):.0f}% get no answer at all"))
    else:
        caveats.notes.append("whether models leave posts unanswered was not checked: the "
                             "results hold no share of posts answered")

    trends = {
        "backlog_growing": ("backlog", +1),
        "satisfaction_falling": ("satisfaction_mean", -1),
    }
    for check, (column, sign) in trends.items():
        if steps.empty or column not in steps:
            caveats.notes.append(f"{check.replace('_', ' ')} was not checked: the results "
                                 f"hold no {'backlog' if column == 'backlog' else 'satisfaction'}"
                                 " series")
            continue
        trend = end_trend(steps, column, sign, alpha)
        if trend.empty:
            caveats.notes.append(f"{check.replace('_', ' ')} was not checked: the runs are "
                                 "shorter than two days")
            continue
        for model in models:
            if model not in trend.index:
                continue
            t = trend.loc[model]
            change = t["later"] - t["earlier"]
            if check == "backlog_growing":
                material = change >= max(min_backlog_growth * t["earlier"], 1.0)
            else:
                material = -change >= min_satisfaction_fall
            flagged = bool(material and t["consistent"])
            rows.append({"ownership": model, "check": check, "flagged": flagged,
                         "value": change, "threshold": (min_backlog_growth
                         if check == "backlog_growing" else min_satisfaction_fall),
                         "earlier": t["earlier"], "later": t["later"], "p_value": t["p_value"],
                         "runs": int(t["runs"]), "window_days": int(t["window_days"])})
            if not flagged:
                continue
            window = _window_words(int(t["window_days"]))
            if check == "backlog_growing":
                caveats.flags[model].append(Caveat(
                    model, check, "has a backlog still growing when the run ends",
                    f"its backlog is still growing when the run ends: {t['later']:,.0f} posts "
                    f"waiting on average over the last {window}, against {t['earlier']:,.0f} "
                    f"over the {window} before"))
            else:
                caveats.flags[model].append(Caveat(
                    model, check, "ends the run with satisfaction still falling, so its "
                    "churn has not caught up yet",
                    f"its customers' satisfaction is still falling when the run ends "
                    f"({100 * t['later']:.1f} points of 100 on average over the last {window}, "
                    f"against {100 * t['earlier']:.1f} over the {window} before), so its churn "
                    "has not caught up yet"))

    if len(models) > 1 and all(
            any(c.check == "satisfaction_falling" for c in caveats.of(m)) for m in models):
        # every model is still settling: a note on the run, not a reason to doubt one model
        for model in models:
            caveats.flags[model] = [c for c in caveats.of(model)
                                    if c.check != "satisfaction_falling"]
        caveats.shared.append(
            "For every model, satisfaction is still falling when the run ends, so churn, NPS "
            "and customer numbers have not caught up yet; a longer run would show more.")
    caveats.flags = {m: c for m, c in caveats.flags.items() if c}
    if scenarios is None:
        pass
    elif not scenarios:
        caveats.notes.append("the horizon and the campaigns and incidents were not checked: the "
                             "results do not hold the resolved scenario")
    else:
        for text, row in run_checks(scenarios, min_share_posted):
            rows.append(row)
            if row["flagged"] and text not in caveats.shared:
                caveats.shared.append(text)
    caveats.checks = pd.DataFrame(rows)
    return caveats


def run_checks(scenarios: Mapping[str, Scenario],
               min_share_posted: float = MIN_SHARE_POSTED) -> list[tuple[str, dict[str, object]]]:
    """The run-level checks of each model's scenario: (warning text, row of the checks
    table) for every check made, flagged or not. Models with the same scenario settings
    share one text."""
    found: list[tuple[str, dict[str, object]]] = []
    for model, scenario in scenarios.items():
        days = scenario.duration_days
        posted = share_posted(scenario)
        needed = days_until_share_posted(scenario, min_share_posted)
        found.append((
            f"The run is too short for churn and acquisition to respond: over its {days:g} "
            f"days a customer posts {expected_posts_per_customer(scenario):.2g} times on "
            f"average, so only about {100 * posted:.0f}% of customers have dealt with the "
            "company on social media by the end. The ownership model reaches churn and "
            "acquisition only through those posts, so their differences below are only the "
            "start of what the models would do"
            + (f"; run at least {math.ceil(needed):.0f} days for half of the customers to "
               "have posted." if needed is not None else "."),
            {"ownership": model, "check": "horizon_short", "flagged": posted < min_share_posted,
             "value": posted, "threshold": min_share_posted, "days": days}))
        if scenario.customers.prospects == 0:
            found.append((
                "The scenario has no prospects, so no model can win a customer: acquisition "
                "cannot respond to the ownership model, customers won are zero for every "
                "model and net customer growth shows churn alone.",
                {"ownership": model, "check": "no_prospects", "flagged": True, "value": 0,
                 "threshold": 1}))
        for event in scenario_events(scenario):
            if event.outside(days):
                text = (f"The {event.label} set for day {event.start_day:g} never happens: "
                        f"the run ends on day {days:g}.")
            elif event.cut_short(days):
                text = (f"The {event.label} from day {event.start_day:g} to day "
                        f"{event.end_day:g} is cut short: the run ends on day {days:g}.")
            else:
                text = ""
            found.append((text, {"ownership": model, "check": "event_outside_horizon",
                                 "flagged": bool(text), "value": event.start_day,
                                 "threshold": days, "event": event.kind}))
    return found


def end_trend(steps: pd.DataFrame, column: str, sign: int = 1,
              alpha: float = ALPHA) -> pd.DataFrame:
    """Per model: the mean of ``column`` over the last stretch of each run and the one before.

    Each run's series is first reduced to daily means over complete days (this cancels the
    daily rhythm of posting and shifts; a day the run ended part-way through is dropped).
    The stretch is a quarter of the run rounded down to whole weeks, at least one week, so
    that the weekly rhythm (weekday shifts) cancels too; a run shorter than two weeks uses
    halves of whole days and cannot cancel it.

    A slope over the last quarter would be the obvious measure, but a fitted line over a
    stretch that is not whole weeks leans with the weekly rhythm, and the days within one
    run are far from independent. Comparing two stretches of whole weeks, and testing the
    change across independent replications (one-sided t-test in the direction ``sign``),
    avoids both. With a single run there is nothing to test across, and ``consistent`` is
    true whenever the change has the direction asked for.

    Returns one row per model, indexed by ownership: ``earlier``, ``later`` (means over runs),
    ``p_value``, ``consistent`` (p < ``alpha``), ``runs`` and ``window_days``.
    """
    frame = steps.copy()
    if "day" not in frame:
        frame["day"] = frame["hour"] // 24
    run_keys = ["key"] if "key" in frame else [k for k in ("point", "seed") if k in frame]
    group = ["ownership", *run_keys]
    daily = frame.groupby([*group, "day"])[column].agg(["mean", "size"]).reset_index()
    full = daily["size"] == daily.groupby(group)["size"].transform("max")
    daily = daily[full]
    per_run = []
    for keys, run in daily.groupby(group, sort=False):
        values = run.sort_values("day")["mean"].to_numpy(float)
        window = stretch_days(len(values))
        if window == 0:
            continue
        per_run.append({"ownership": keys[0], "window_days": window,
                        "earlier": values[-2 * window:-window].mean(),
                        "later": values[-window:].mean()})
    if not per_run:
        return pd.DataFrame()
    runs = pd.DataFrame(per_run)
    rows = {}
    for model, mine in runs.groupby("ownership", sort=False):
        change = (mine["later"] - mine["earlier"]).to_numpy(float) * sign
        p_value = _one_sided_p(change)
        consistent = bool(p_value < alpha) if len(change) > 1 else bool(change[0] > 0)
        rows[model] = {"earlier": mine["earlier"].mean(), "later": mine["later"].mean(),
                       "p_value": p_value, "consistent": consistent, "runs": len(mine),
                       "window_days": int(mine["window_days"].min())}
    return pd.DataFrame.from_dict(rows, orient="index")


def stretch_days(days: int) -> int:
    """Length of the compared stretches for a run of ``days`` complete days (0: too short)."""
    if days >= 2 * WEEK:
        return max(WEEK, days // 4 // WEEK * WEEK)
    return days // 2


def _one_sided_p(change: np.ndarray) -> float:
    """P-value of "the mean change is above zero" over replications (NaN for one run)."""
    if len(change) < 2:
        return float("nan")
    if np.ptp(change) == 0:  # no spread: the t-test is undefined, the answer is not
        return 0.0 if change[0] > 0 else 1.0
    return float(stats.ttest_1samp(change, 0.0, alternative="greater").pvalue)


def _window_words(days: int) -> str:
    if days % WEEK == 0:
        weeks = days // WEEK
        return "week" if weeks == 1 else f"{weeks} weeks"
    return "day" if days == 1 else f"{days} days"
