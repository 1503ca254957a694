"""Small statistics shared by plots, validation and reports (scipy does the work)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from scrm_sim.analysis.labels import METRICS


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval over independent replications.

    NaNs are ignored; with fewer than two values, or no spread, the interval is the mean.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return (np.nan, np.nan, np.nan)
    mean = float(values.mean())
    sem = stats.sem(values) if len(values) > 1 else 0.0
    if sem == 0:
        return (mean, mean, mean)
    low, high = stats.t.interval(level, len(values) - 1, loc=mean, scale=sem)
    return (mean, float(low), float(high))


def proportion_ci(successes: int, trials: int, level: float = 0.95) -> tuple[float, float, float]:
    """Share and its Wilson score interval."""
    if trials == 0:
        return (np.nan, np.nan, np.nan)
    interval = stats.binomtest(successes, trials).proportion_ci(level, method="wilson")
    return (successes / trials, float(interval.low), float(interval.high))


# Direction of each metric: +1 when more is better, −1 when less is better (the catalogue
# in scrm_sim.analysis.labels; metrics that are neither are left out).
METRIC_DIRECTION: dict[str, int] = {
    column: shown.direction for column, shown in METRICS.items() if shown.direction
}


def paired_differences(summary: pd.DataFrame, metric: str, level: float = 0.95) -> pd.DataFrame:
    """Every pair of models: mean paired difference (a − b) over replications, with its CI.

    Rows are paired by ``seed`` (and design ``point`` when present): replication r of
    every model shares its random numbers, so the difference is measured within pairs.
    """
    keys = [k for k in ("point", "seed") if k in summary]
    wide = summary.pivot_table(index=keys, columns="ownership", values=metric)
    models = list(dict.fromkeys(summary["ownership"]))
    rows = []
    for i, a in enumerate(models):
        for b in models[i + 1:]:
            diff = (wide[a] - wide[b]).dropna().to_numpy(float)
            mean, low, high = mean_ci(diff, level)
            rows.append({"metric": metric, "a": a, "b": b, "difference": mean, "low": low,
                         "high": high, "pairs": len(diff)})
    return pd.DataFrame(rows)


def rank_first_probability(summary: pd.DataFrame, metric: str, direction: int | None = None,
                           level: float = 0.95) -> pd.DataFrame:
    """Share of paired replications in which each model is best on the metric, with a
    Wilson interval: how sure we are that it ranks first."""
    direction = METRIC_DIRECTION.get(metric, 1) if direction is None else direction
    keys = [k for k in ("point", "seed") if k in summary]
    wide = summary.pivot_table(index=keys, columns="ownership", values=metric).dropna()
    models = list(dict.fromkeys(summary["ownership"]))
    if wide.empty:
        return pd.DataFrame(columns=["metric", "ownership", "p_first", "low", "high", "pairs"])
    best = (wide[models] * direction).idxmax(axis=1)
    rows = []
    for model in models:
        wins = int((best == model).sum())
        share, low, high = proportion_ci(wins, len(best), level)
        rows.append({"metric": metric, "ownership": model, "p_first": share, "low": low,
                     "high": high, "pairs": len(best)})
    return pd.DataFrame(rows)
