"""Across the plausible versions of a client: how often one ownership model beats another.

``scrm-sim compare --posterior DIR`` runs every model on K draws from a calibration's
posterior; draw i is one plausible version of the client (its parameter values) and one
seed, shared by every model. Here each pair of models (A, B) and each headline metric gets:

* per draw, the paired difference A − B in display units (``labels``), averaged over the
  draw's replications when there are several;
* a **win** for A when A is better in the metric's better direction by at least the
  metric's negligible difference (``labels.Metric.negligible``; relative thresholds
  against the better model's value, as everywhere in the report), a **loss** when B is,
  a **tie** otherwise;
* the share of draws that A wins, with a **Wilson 90% interval** (the draws are a random
  sample of the posterior, so the share estimates the posterior probability that A beats
  B on that metric); and the shares of ties and losses.

The share mixes two uncertainties: the client's parameters (which plausible version) and
run-to-run noise (each draw's own seed), so even a client known exactly would not give
100% unless one model is better on every seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scrm_sim.analysis.differences import is_negligible
from scrm_sim.analysis.labels import label, metric, model_label
from scrm_sim.analysis.statistics import proportion_ci

POSTERIOR_METRICS = ("share_within_sla", "satisfaction_final", "churn_rate", "cost")
"""The headline metrics compared draw by draw (the balanced priorities' four)."""
LEVEL = 0.90
"""Confidence level of the interval of a win share."""
MIXED_UNCERTAINTY = (
    "Each plausible version of your client also runs on its own random numbers (its "
    "seed, shared by every model), so a share mixes what remains uncertain about your "
    "client with run-to-run noise.")


def draw_column(summary: pd.DataFrame) -> str:
    """The column naming a run's draw: ``draw`` in a comparison's tables, ``point`` in its
    results store."""
    return "draw" if "draw" in summary else "point"


def win_shares(summary: pd.DataFrame, metrics: Sequence[str] = POSTERIOR_METRICS,
               level: float = LEVEL) -> pd.DataFrame:
    """For each pair of models (A before B in the results' order) and each metric: the
    draws A wins, ties and loses (see the module), the share of wins with its Wilson
    interval at ``level``, and the median and 5th–95th percentiles of the paired
    difference A − B over draws, in display units."""
    models = list(dict.fromkeys(summary["ownership"]))
    key = draw_column(summary)
    rows = []
    for column in metrics:
        shown = metric(column)
        if column not in summary or not shown.direction:
            continue
        # a draw's value: the mean of its replications, in display units
        wide = summary.pivot_table(index=key, columns="ownership", values=column,
                                   aggfunc="mean").reindex(columns=models) * shown.scale
        for i, a in enumerate(models):
            for b in models[i + 1:]:
                pairs = wide[[a, b]].dropna()
                rows.append(_pair_row(column, a, b, pairs[a].to_numpy(float),
                                      pairs[b].to_numpy(float), level))
    return pd.DataFrame(rows)


def _pair_row(column: str, a: str, b: str, a_values: np.ndarray, b_values: np.ndarray,
              level: float) -> dict[str, object]:
    shown = metric(column)
    difference = a_values - b_values
    outcome = np.array([0 if is_negligible(column, d, x, y) else int(np.sign(d * shown.direction))
                        for d, x, y in zip(difference, a_values, b_values, strict=True)])
    n = len(outcome)
    wins, ties, losses = (int(np.sum(outcome == v)) for v in (1, 0, -1))
    share, low, high = proportion_ci(wins, n, level)
    quantiles = np.quantile(difference, [0.05, 0.5, 0.95]) if n else [np.nan] * 3
    return {"metric": column, "a": a, "b": b, "draws": n, "wins": wins, "ties": ties,
            "losses": losses, "share_wins": share, "wins_low": low, "wins_high": high,
            "share_ties": ties / n if n else np.nan,
            "share_losses": losses / n if n else np.nan,
            "difference_median": quantiles[1], "difference_p05": quantiles[0],
            "difference_p95": quantiles[2], "level": level, "interval": "Wilson"}


def oriented(table: pd.DataFrame, column: str, a: str, b: str) -> pd.Series:
    """The row of ``table`` for ``a`` against ``b`` on ``column``, from ``a``'s side
    (wins and losses swapped, the difference negated, when the table holds b against a)."""
    row = table[(table["metric"] == column) & (table["a"] == a) & (table["b"] == b)]
    if len(row):
        return row.iloc[0]
    row = table[(table["metric"] == column) & (table["a"] == b) & (table["b"] == a)].iloc[0]
    n = row["draws"]
    share, low, high = proportion_ci(int(row["losses"]), int(n), float(row["level"]))
    flipped = row.copy()
    flipped.update(pd.Series({
        "a": a, "b": b, "wins": row["losses"], "losses": row["wins"], "share_wins": share,
        "wins_low": low, "wins_high": high, "share_losses": row["share_wins"],
        "difference_median": -row["difference_median"],
        "difference_p05": -row["difference_p95"], "difference_p95": -row["difference_p05"]}))
    return flipped


def best_pairs(summary: pd.DataFrame, table: pd.DataFrame) -> list[pd.Series]:
    """Per metric of ``table``, the best model (best mean over draws in the metric's better
    direction) against the runner-up, from the best model's side."""
    rows = []
    for column in dict.fromkeys(table["metric"]):
        shown = metric(column)
        means = (summary.groupby("ownership", sort=False)[column].mean() * shown.direction)
        means = means.dropna().sort_values(ascending=False, kind="stable")
        if len(means) < 2:
            continue
        rows.append(oriented(table, column, str(means.index[0]), str(means.index[1])))
    return rows


# a metric's name where the sentence needs a noun ("beats X on posts answered within the SLA")
NOUNS = {"share_within_sla": "posts answered within the SLA",
         "complaints_within_sla": "complaints answered within the SLA"}


def sentence(row: pd.Series) -> str:
    """One pair on one metric in plain words: "Hybrid beats Service-led on customer
    satisfaction at the end in 87% of the 40 plausible versions of your client (90% interval
    78–93%); they are practically tied in 5% and Service-led is better in 8%."."""
    a, b = model_label(row["a"]), model_label(row["b"])
    n = int(row["draws"])
    what = NOUNS.get(str(row["metric"])) or label(str(row["metric"]))
    versions = f"{n} plausible version{'s' if n != 1 else ''} of your client"
    if n == 0:
        return f"{a} and {b} have no draw in common on {what}."
    if row["ties"] == n:
        return (f"{a} and {b} are practically tied on {what} in all {versions} (their "
                "difference stays below the threshold that matters).")
    text = (f"{a} beats {b} on {what} in {_percent(row['share_wins'])} of the {versions} "
            f"({100 * row['level']:.0f}% interval {_percent(row['wins_low'], False)}–"
            f"{_percent(row['wins_high'])})")
    rest = []
    if row["ties"]:
        rest.append(f"they are practically tied in {_percent(row['share_ties'])}")
    if row["losses"]:
        rest.append(f"{b} is better in {_percent(row['share_losses'])}")
    return text + ("; " + " and ".join(rest) if rest else "") + "."


def sentences(summary: pd.DataFrame, table: pd.DataFrame) -> list[str]:
    """The best model against the runner-up on each metric, in plain words."""
    return [sentence(row) for row in best_pairs(summary, table)]


def _percent(share: float, sign: bool = True) -> str:
    return f"{100 * share:.0f}{'%' if sign else ''}"


WIN, TIE, LOSS = "#009E73", "#BBBBBB", "#D55E00"


def win_share_figure(summary: pd.DataFrame, table: pd.DataFrame) -> Figure | None:
    """One panel per metric: per pair of models, a bar split into the share of draws the
    first model wins (green), ties (grey) and loses (orange), with the Wilson interval of
    its wins; each pair oriented so that the first model is the one that wins more often."""
    metrics = list(dict.fromkeys(table["metric"])) if len(table) else []
    if not metrics:
        return None
    pairs = list(dict.fromkeys(zip(table["a"], table["b"], strict=True)))
    fig = Figure(figsize=(10, 1.2 + 0.38 * len(pairs) * len(metrics)), layout="constrained")
    axes = fig.subplots(len(metrics), 1, squeeze=False, sharex=True)[:, 0]
    for ax, column in zip(axes, metrics, strict=True):
        rows = []
        for a, b in pairs:
            row = oriented(table, column, a, b)
            if row["losses"] > row["wins"]:
                row = oriented(table, column, b, a)
            rows.append(row)
        y = np.arange(len(rows))[::-1]
        wins = np.array([r["share_wins"] for r in rows], float)
        ties = np.array([r["share_ties"] for r in rows], float)
        losses = np.array([r["share_losses"] for r in rows], float)
        ax.barh(y, wins, color=WIN, label="first model better")
        ax.barh(y, ties, left=wins, color=TIE, label="practically tied")
        ax.barh(y, losses, left=wins + ties, color=LOSS, label="second model better")
        low = np.clip(wins - np.array([r["wins_low"] for r in rows], float), 0, None)
        high = np.clip(np.array([r["wins_high"] for r in rows], float) - wins, 0, None)
        ax.errorbar(wins, y, xerr=[low, high], fmt="none", ecolor="black", capsize=3, lw=1)
        ax.set_yticks(y, [f"{model_label(r['a'])} vs {model_label(r['b'])}" for r in rows])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        ax.set_title(metric(column).label, loc="left", fontsize=10)
    axes[0].legend(loc="lower right", bbox_to_anchor=(1, 1.02), ncol=3, fontsize=8,
                   frameon=False)
    axes[-1].set_xlabel(f"share of the {int(table['draws'].max())} plausible versions of "
                        "the client (whiskers: 90% Wilson interval of the first model's wins)")
    return fig
