"""Comparison plots of ownership models: every replication shown, with 95% intervals.

Colours are Okabe–Ito (colour-blind safe) and fixed per ownership model, so a
model has the same colour in every figure. Names, units and display scales come from the
catalogue (``scrm_sim.analysis.labels``): satisfaction is drawn on 0–100, shares in
percent, cost in currency units. Intervals are clipped to what a quantity can be, and an
axis that does not start at zero says so.

Figures are made with ``matplotlib.figure.Figure``, not ``pyplot``: nothing is registered
with pyplot, so no figure stays open after it has been saved, however many are drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from scrm_sim.analysis.labels import metric
from scrm_sim.analysis.labels import model_label as pretty
from scrm_sim.analysis.statistics import mean_ci
from scrm_sim.scenario.horizon import ScenarioEvent

OKABE_ITO = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MODEL_COLOURS = {
    "marketing_led": "#E69F00",
    "service_led": "#0072B2",
    "ceo_led": "#CC79A7",
    "hybrid": "#009E73",
}
EVENT_COLOURS = {"campaign": "#56B4E9", "incident": "#D55E00"}

HEADLINE_METRICS: list[str] = [
    "share_within_sla", "first_response_p50_hours", "satisfaction_final", "churn_rate",
    "negative_wom_reach", "cost",
]
"""The panels of the comparison figure (summary columns; names and units: ``labels``)."""

ZOOMED = frozenset({"satisfaction_final", "satisfaction_mean", "nps_final", "nps"})
"""Metrics whose axis may start above zero (models differ by points on a 0–100 scale,
invisible from zero); every other bounded-below axis starts at its bound."""


def colour_of(model: str, order: Sequence[str]) -> str:
    """The model's fixed colour (core models), else a palette colour by position."""
    if model in MODEL_COLOURS:
        return MODEL_COLOURS[model]
    extra = [c for c in OKABE_ITO if c not in MODEL_COLOURS.values()]
    return extra[list(order).index(model) % len(extra)]


def axis_label(column: str, period: str = "") -> str:
    """"label (unit)" of a column, with the period for totals ("cost … over 90 days")."""
    shown = metric(column)
    name = f"{shown.label} {period}".strip() if period and column in TOTALS else shown.label
    return f"{name} ({shown.unit})" if shown.unit else name


TOTALS = frozenset({"cost", "staff_hours", "cost_total", "rogue_cost", "rogue_staff_hours"})
"""Columns that add up over the run: their labels carry its period."""


def honest_axis(ax: Axes, column: str) -> None:
    """Start the y axis at the quantity's lower bound; where a zoomed axis is kept
    (:data:`ZOOMED`), say on the axis that it does not start there."""
    shown = metric(column)
    if shown.lower is None:
        return
    bound = shown.lower * shown.scale
    low, high = ax.get_ylim()
    if column in ZOOMED:
        if low > bound:
            ax.text(0.01, 0.01, f"axis starts at {low:.1f}, not {bound:g}",
                    transform=ax.transAxes, fontsize=7, color="#555", va="bottom")
        return
    ax.set_ylim(bottom=bound, top=max(high, bound + 1e-9))
    if high >= 10_000:
        ax.yaxis.set_major_formatter(THOUSANDS)


THOUSANDS = StrMethodFormatter("{x:,.0f}")
"""Tick labels of large quantities (cost): 15,000 rather than 15000."""


def clipped_error(column: str, mean: float, low: float, high: float,
                  scale: float | None = None) -> list[list[float]]:
    """Errorbar lengths [[below], [above]] of an interval clipped to the quantity's bounds
    (values in units of ``scale``; default the catalogue's display scale)."""
    shown = metric(column)
    scale = shown.scale if scale is None else scale
    if shown.lower is not None:
        low = max(low, shown.lower * scale)
    if shown.upper is not None:
        high = min(high, shown.upper * scale)
    return [[max(mean - low, 0.0)], [max(high - mean, 0.0)]]


def runs_with_ci(ax: Axes, summary: pd.DataFrame, column: str, models: Sequence[str],
                 scale: float = 1.0) -> None:
    """One column per model: its runs as jittered dots, beside them the mean with a 95% CI
    (clipped to the quantity's bounds). Values are multiplied by ``scale``: pass
    ``labels.metric(column).scale`` for display units."""
    for x, model in enumerate(models):
        values = summary.loc[summary["ownership"] == model, column].to_numpy(float) * scale
        colour = colour_of(model, models)
        jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(1)
        ax.scatter(x + jitter, values, s=14, color=colour, alpha=0.5, linewidths=0)
        mean, low, high = mean_ci(values)
        if np.isnan(mean):
            continue
        ax.errorbar(x + 0.28, mean, yerr=clipped_error(column, mean, low, high, scale),
                    fmt="o", color=colour, capsize=4, markersize=6)


def comparison_figure(summary: pd.DataFrame, models: Sequence[str], title: str,
                      period: str = "") -> Figure:
    """Headline metrics per ownership model: replications as dots, mean ± 95% CI as a bar.

    ``period`` ("over 90 days") is added to the labels of totals such as cost.
    """
    fig = Figure(figsize=(13, 7.5), layout="constrained")
    axes = fig.subplots(2, 3)
    for ax, column in zip(axes.flat, HEADLINE_METRICS, strict=True):
        if column not in summary:
            ax.set_visible(False)
            continue
        runs_with_ci(ax, summary, column, models, metric(column).scale)
        ax.set_xticks(range(len(models)), [pretty(m) for m in models], rotation=15)
        shown = metric(column)
        name = axis_label(column, period).split(" (")[0]
        ax.set_title(name[:1].upper() + name[1:], fontsize=11)
        ax.set_ylabel(shown.unit)
        ax.grid(axis="y", alpha=0.3)
        honest_axis(ax, column)
    n_reps = summary.groupby("ownership").size().min()
    fig.suptitle(f"{title}: ownership models compared ({n_reps} paired replications each; "
                 "dots = replications, marker and bar = mean with 95% CI)", fontsize=12)
    return fig


def stage_change_days(steps: pd.DataFrame, model: str,
                      run: str = "seed") -> list[tuple[float, int]]:
    """(day, stage) of each stage change of a staged model: the median over runs of the
    first day each stage is reached (runs that never reach it do not count)."""
    if "ownership_stage" not in steps:
        return []
    frame = steps[steps["ownership"] == model]
    if frame.empty:
        return []
    day = frame["day"] if "day" in frame else frame["hour"] // 24
    changes = []
    for stage in range(1, int(frame["ownership_stage"].max()) + 1):
        reached = day[frame["ownership_stage"] >= stage].groupby(frame[run]).min()
        if len(reached):
            changes.append((float(reached.median()), stage))
    return changes


def mark_stage_changes(ax: Axes, steps: pd.DataFrame, models: Sequence[str],
                       run: str = "seed") -> None:
    """Dashed vertical lines, in the model's colour, where a staged model changes stage."""
    for model in models:
        for day, stage in stage_change_days(steps, model, run):
            ax.axvline(day, color=colour_of(model, models), ls="--", lw=1, alpha=0.8)
            ax.annotate(f"stage {stage + 1}", (day, 1), xycoords=("data", "axes fraction"),
                        xytext=(2, -2), textcoords="offset points", va="top", fontsize=7,
                        color=colour_of(model, models), rotation=90)


def mark_events(ax: Axes, events: Sequence[ScenarioEvent], horizon: float | None = None) -> None:
    """Shade each campaign and incident of the scenario over the days it lasts (within
    ``horizon`` when given)."""
    for event in events:
        end = event.end_day if horizon is None else min(event.end_day, horizon)
        if horizon is not None and event.start_day >= horizon:
            continue
        ax.axvspan(event.start_day, max(end, event.start_day + 0.25),
                   color=EVENT_COLOURS.get(event.kind, "#999999"), alpha=0.15, lw=0)


def event_legend(events: Sequence[ScenarioEvent], horizon: float | None = None) -> list[Patch]:
    """Legend entries of the events drawn: "campaign, days 28–35 (posts ×2, reach ×3)"."""
    handles = []
    for event in events:
        if horizon is not None and event.start_day >= horizon:
            continue
        what = event.label.split(" (", 1)
        detail = f" ({what[1]}" if len(what) > 1 else ""
        handles.append(Patch(color=EVENT_COLOURS.get(event.kind, "#999999"), alpha=0.3,
                             label=f"{what[0]}, days {event.start_day:g}–{event.end_day:g}"
                                   f"{detail}"))
    return handles


OVER_TIME_PANELS: list[str] = [
    "satisfaction_mean", "backlog", "first_response_hours_24h", "social_team_size",
]
"""The step series drawn over time, in order (names, units, scales: ``labels``); a panel
whose series is missing is left out."""


def over_time_figure(steps: pd.DataFrame, models: Sequence[str], title: str | None = None,
                     events: Sequence[ScenarioEvent] = ()) -> Figure | None:
    """Each model day by day: mean over runs, 10th–90th percentile band, stage changes,
    and the scenario's campaigns and incidents (``events``) as shaded spans.

    Dashed lines mark where a staged model changes stage. Reads the daily series of a
    results folder (one row per run and day) as well as hourly steps (averaged per day).
    Returns None when there are no steps.
    """
    panels = [c for c in OVER_TIME_PANELS if c in steps]
    if steps.empty or not panels:
        return None
    frame = steps if "day" in steps else steps.assign(day=steps["hour"] // 24)
    run = "key" if "key" in frame else "seed"
    daily = frame.groupby(["ownership", run, "day"], as_index=False)[panels].mean()
    horizon = float(frame["day"].max()) + 1
    fig = Figure(figsize=(12, 7), layout="constrained")
    axes = fig.subplots(2, (len(panels) + 1) // 2, squeeze=False, sharex=True)
    for ax, column in zip(axes.flat, panels, strict=False):
        scale = metric(column).scale
        mark_events(ax, events, horizon)
        for model in models:
            wide = daily[daily["ownership"] == model].pivot_table(index="day", columns=run,
                                                                  values=column) * scale
            colour = colour_of(model, models)
            ax.plot(wide.index, wide.mean(axis=1), color=colour, label=pretty(model), lw=1.8)
            if wide.shape[1] > 1:
                ax.fill_between(wide.index, wide.quantile(0.1, axis=1),
                                wide.quantile(0.9, axis=1), color=colour, alpha=0.15, lw=0)
        mark_stage_changes(ax, frame, models, run)
        ax.set_ylabel(axis_label(column))
        ax.grid(alpha=0.3)
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
        honest_axis(ax, column)
    for ax in axes[-1]:
        ax.set_xlabel("day")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles, _ = axes[0][0].get_legend_handles_labels()
    fig.legend(handles=handles + event_legend(events, horizon), loc="outside lower center",
               ncol=min(len(handles) + len(events), 4), frameon=False, fontsize=9)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(f"{title}: ownership models over time (line = mean over replications, "
                     "band = 10th–90th percentile; dashed = stage changes; shaded = campaigns "
                     "and incidents)", fontsize=12)
    return fig
