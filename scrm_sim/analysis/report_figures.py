"""The report's own figures: how sure we are, cost against delivery, and the decision map.

Like ``plots``, every figure is a ``matplotlib.figure.Figure`` made without pyplot (nothing
stays open), uses the catalogue's names, units and display scales (``labels``), clips
intervals to what a quantity can be, and keeps each model's colour and the results' order
of models in its legend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from scrm_sim.analysis.labels import label, metric, model_label
from scrm_sim.analysis.plots import (
    THOUSANDS,
    axis_label,
    clipped_error,
    colour_of,
    honest_axis,
)
from scrm_sim.analysis.statistics import mean_ci, proportion_ci, rank_first_probability
from scrm_sim.analysis.verdict import Scoring, first_counts


def ranking_rows(summary: pd.DataFrame, scorings: Sequence[Scoring],
                 metrics: Sequence[str]) -> pd.DataFrame:
    """The numbers of the "how sure" figure: per row (each priority set's overall score,
    then each metric with a better direction) and model, the share of paired replications
    in which the model ranks first, with its Wilson 95% interval. As in the verdict, a
    replication in which models tie for first counts for none of them."""
    rows = []
    for scoring in scorings:
        name = f"overall, {scoring.priorities.name.lower()} priorities"
        for model in scoring.models:
            wins, share, low, high = scoring.p_first(model)
            rows.append({"row": name, "ownership": model, "p_first": share, "low": low,
                         "high": high})
    models = list(dict.fromkeys(summary["ownership"]))
    keys = [k for k in ("point", "seed") if k in summary] or ["replication"]
    for column in metrics:
        shown = metric(column)
        if column not in summary or not shown.direction:
            continue
        wide = summary.pivot_table(index=keys, columns="ownership", values=column)
        wide = wide.reindex(columns=models).dropna()
        wins = first_counts(wide * shown.direction)
        for model in models:
            share, low, high = proportion_ci(int(wins[model]), len(wide))
            rows.append({"row": label(column), "ownership": model, "p_first": share,
                         "low": low, "high": high})
    return pd.DataFrame(rows)


def ranking_figure(rows: pd.DataFrame, models: Sequence[str]) -> Figure:
    """How sure we are: per row (``ranking_rows``) the probability that each model ranks
    first, as a bar with a marker at its value and its Wilson interval.

    Rows run top to bottom in the order given (as in the report's table) and, within a
    row, models run top to bottom in the legend's order (left to right). A model that
    never ranks first still gets its marker at 0 and its interval.
    """
    names = list(dict.fromkeys(rows["row"]))
    height = 0.8 / len(models)
    fig = Figure(figsize=(10, 0.2 * len(models) * len(names) + 1.4), layout="constrained")
    ax = fig.subplots()
    for j, model in enumerate(models):
        mine = rows[rows["ownership"] == model].set_index("row").reindex(names)
        y = np.arange(len(names)) + j * height
        colour = colour_of(model, models)
        p = mine["p_first"].fillna(0).to_numpy(float)
        ax.barh(y, p, height * 0.9, color=colour, alpha=0.85)
        low = np.clip(p - mine["low"].fillna(0).to_numpy(float), 0, None)
        high = np.clip(mine["high"].fillna(0).to_numpy(float) - p, 0, None)
        ax.errorbar(p, y, xerr=[low, high], fmt="o", color=colour, markeredgecolor="black",
                    markeredgewidth=0.6, markersize=5, capsize=2, lw=1)
    ax.set_yticks(np.arange(len(names)) + height * (len(models) - 1) / 2, names)
    ax.invert_yaxis()  # the first row, and the first model of each row, at the top
    ax.set_xlabel("probability of ranking first (share of paired replications; bar and dot: "
                  "estimate, whiskers: 95% CI)")
    ax.set_xlim(-0.02, 1.02)
    ax.grid(axis="x", alpha=0.3)
    handles = [Line2D([], [], color=colour_of(m, models), marker="s", lw=0, markersize=9,
                      label=model_label(m)) for m in models]
    fig.legend(handles=handles, loc="outside upper center", ncol=len(models), frameon=False)
    return fig


COST_PANELS = ("share_within_sla", "satisfaction_final", "churn_rate")


def cost_figure(summary: pd.DataFrame, period: str = "") -> Figure:
    """Cost of social staff (currency units over ``period``) against what it delivers,
    mean ± 95% CI per model (clipped); staff-hours are in the report's table."""
    models = list(dict.fromkeys(summary["ownership"]))
    panels = [c for c in COST_PANELS if c in summary]
    fig = Figure(figsize=(13, 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, column in zip(axes, panels, strict=True):
        scale = metric(column).scale
        for model in models:
            mine = summary[summary["ownership"] == model]
            x, xl, xh = mean_ci(mine["cost"].to_numpy(float))
            y, yl, yh = mean_ci(mine[column].to_numpy(float) * scale)
            ax.errorbar(x, y, xerr=clipped_error("cost", x, xl, xh),
                        yerr=clipped_error(column, y, yl, yh), fmt="o",
                        color=colour_of(model, models), capsize=3, label=model_label(model))
        ax.set_xlabel(axis_label("cost", period))
        ax.set_ylabel(axis_label(column))
        ax.set_xlim(left=0, right=max(ax.get_xlim()[1], 1))
        ax.xaxis.set_major_formatter(THOUSANDS)
        ax.grid(alpha=0.3)
        honest_axis(ax, column)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center",
               ncol=len(models), frameon=False)
    return fig


def decision_map_figure(summary: pd.DataFrame, factors: list[str],
                        column: str = "share_within_sla") -> Figure | None:
    """Over two factors: each cell coloured by the winning model, shaded by P(first)."""
    if len(factors) < 2 or column not in summary:
        return None
    fx, fy = factors[:2]
    models = list(dict.fromkeys(summary["ownership"]))
    xs, ys = sorted(summary[fx].unique()), sorted(summary[fy].unique())
    if len(xs) > 12 or len(ys) > 12:
        return None  # continuous designs: use the main-effects figure instead
    image = np.ones((len(ys), len(xs), 4))
    texts = {}
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            cell = summary[(summary[fx] == x) & (summary[fy] == y)]
            if cell.empty:
                continue
            ranks = rank_first_probability(cell, column).set_index("ownership")["p_first"]
            winner = ranks.idxmax()
            rgba = to_rgba(colour_of(winner, models))
            image[i, j] = (*rgba[:3], 0.25 + 0.75 * ranks[winner])
            texts[i, j] = f"{model_label(winner)}\n{100 * ranks[winner]:.0f}%"
    fig = Figure(figsize=(1.6 * len(xs) + 2.5, 1.1 * len(ys) + 1.8), layout="constrained")
    ax = fig.subplots()
    ax.imshow(image, origin="lower", aspect="auto")
    for (i, j), text in texts.items():
        ax.text(j, i, text, ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
    ax.set_xlabel(factor_words(fx))
    ax.set_ylabel(factor_words(fy))
    ax.set_title(f"Best model on {label(column)} (shade: share of paired replications it "
                 "wins)", fontsize=10)
    return fig


def factor_words(path: str) -> str:
    """A scenario path in words: "demand.volume_multiplier" → "demand › volume multiplier"."""
    return " › ".join(part.replace("_", " ") for part in str(path).split("."))
