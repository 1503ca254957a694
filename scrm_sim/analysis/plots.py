"""Comparison plots of ownership models: every replication shown, with 95% intervals.

Colours are Okabe–Ito (colour-blind safe) and fixed per ownership model, so a
model has the same colour in every figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scrm_sim.analysis.labels import model_label as pretty
from scrm_sim.analysis.statistics import mean_ci

OKABE_ITO = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MODEL_COLOURS = {
    "marketing_led": "#E69F00",
    "service_led": "#0072B2",
    "ceo_led": "#CC79A7",
    "hybrid": "#009E73",
}

# (column, title, unit label, scale)
HEADLINE_METRICS: list[tuple[str, str, str, float]] = [
    ("share_within_sla", "Answered within the SLA", "% of posts", 100.0),
    ("first_response_p50_hours", "Median first response", "hours", 1.0),
    ("satisfaction_final", "Customer satisfaction at the end", "mean, 0–1", 1.0),
    ("churn_rate", "Churn over the run", "% of starting customers", 100.0),
    ("negative_wom_reach", "Negative word-of-mouth reach", "exposures", 1.0),
    ("cost", "Cost of social staff", "currency units", 1.0),
]


def colour_of(model: str, order: Sequence[str]) -> str:
    """The model's fixed colour (core models), else a palette colour by position."""
    if model in MODEL_COLOURS:
        return MODEL_COLOURS[model]
    extra = [c for c in OKABE_ITO if c not in MODEL_COLOURS.values()]
    return extra[list(order).index(model) % len(extra)]


def runs_with_ci(ax: plt.Axes, summary: pd.DataFrame, column: str, models: Sequence[str],
                 scale: float = 1.0) -> None:
    """One column per model: its runs as jittered dots, beside them the mean with a 95% CI."""
    for x, model in enumerate(models):
        values = summary.loc[summary["ownership"] == model, column].to_numpy(float) * scale
        colour = colour_of(model, models)
        jitter = np.linspace(-0.12, 0.12, len(values)) if len(values) > 1 else np.zeros(1)
        ax.scatter(x + jitter, values, s=14, color=colour, alpha=0.5, linewidths=0)
        mean, low, high = mean_ci(values)
        ax.errorbar(x + 0.28, mean, yerr=[[mean - low], [high - mean]], fmt="o", color=colour,
                    capsize=4, markersize=6)


def comparison_figure(summary: pd.DataFrame, models: Sequence[str], title: str) -> Figure:
    """Headline metrics per ownership model: replications as dots, mean ± 95% CI as a bar."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5), layout="constrained")
    for ax, (column, name, unit, scale) in zip(axes.flat, HEADLINE_METRICS, strict=True):
        runs_with_ci(ax, summary, column, models, scale)
        ax.set_xticks(range(len(models)), [m.replace("_", "-") for m in models], rotation=15)
        ax.set_title(name, fontsize=11)
        ax.set_ylabel(unit)
        ax.grid(axis="y", alpha=0.3)
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


def mark_stage_changes(ax: plt.Axes, steps: pd.DataFrame, models: Sequence[str],
                       run: str = "seed") -> None:
    """Dashed vertical lines, in the model's colour, where a staged model changes stage."""
    for model in models:
        for day, stage in stage_change_days(steps, model, run):
            ax.axvline(day, color=colour_of(model, models), ls="--", lw=1, alpha=0.8)
            ax.annotate(f"stage {stage + 1}", (day, 1), xycoords=("data", "axes fraction"),
                        xytext=(2, -2), textcoords="offset points", va="top", fontsize=7,
                        color=colour_of(model, models), rotation=90)


# (column, label) of each over-time panel, in order; a panel whose series is missing is left out
OVER_TIME_PANELS: list[tuple[str, str]] = [
    ("satisfaction_mean", "satisfaction (mean, 0–1)"),
    ("backlog", "posts waiting"),
    ("first_response_hours_24h", "first response (hours, last 24 h)"),
    ("social_team_size", "social-team size (staff)"),
]


def over_time_figure(steps: pd.DataFrame, models: Sequence[str],
                     title: str | None = None) -> Figure | None:
    """Each model day by day: mean over runs, 10th–90th percentile band, stage changes.

    Dashed lines mark where a staged model changes stage. Reads the daily series of a
    results folder (one row per run and day) as well as hourly steps (averaged per day).
    Returns None when there are no steps.
    """
    panels = [(c, label) for c, label in OVER_TIME_PANELS if c in steps]
    if steps.empty or not panels:
        return None
    frame = steps if "day" in steps else steps.assign(day=steps["hour"] // 24)
    run = "key" if "key" in frame else "seed"
    daily = frame.groupby(["ownership", run, "day"], as_index=False)[[c for c, _ in panels]].mean()
    fig, axes = plt.subplots(2, (len(panels) + 1) // 2, figsize=(12, 7), layout="constrained",
                             squeeze=False, sharex=True)
    for ax, (column, label) in zip(axes.flat, panels, strict=False):
        for model in models:
            wide = daily[daily["ownership"] == model].pivot_table(index="day", columns=run,
                                                                  values=column)
            colour = colour_of(model, models)
            ax.plot(wide.index, wide.mean(axis=1), color=colour, label=pretty(model), lw=1.8)
            if wide.shape[1] > 1:
                ax.fill_between(wide.index, wide.quantile(0.1, axis=1),
                                wide.quantile(0.9, axis=1), color=colour, alpha=0.15, lw=0)
        mark_stage_changes(ax, frame, models, run)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("day")
    axes[0][0].legend(frameon=False, fontsize=8)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(f"{title}: ownership models over time (line = mean over replications, "
                     "band = 10th–90th percentile; dashed = stage changes)", fontsize=12)
    return fig

