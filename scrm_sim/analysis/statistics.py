"""Small statistics shared by plots, validation and reports (scipy does the work)."""

from __future__ import annotations

import numpy as np
from scipy import stats


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
