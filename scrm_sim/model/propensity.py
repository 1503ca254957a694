"""Customers as individuals: how much each person posts and how far they are heard
(issue 16 item 6; docs/ODD.md §7.23).

A person's posting propensity w is a trait drawn once: lognormal with mean 1, so that the
population's expected volume is unchanged while a few people write most posts. Pew Research
Center (Wojcik & Hughes 2019, "Sizing Up Twitter Users"): "The most prolific tweeters – those
in the top 10% by number of tweets – are responsible for 80% of all tweets created by U.S.
adults." For a lognormal of log-sd σ the richest fraction p holds the share
Φ(σ − Φ⁻¹(1 − p)) of the total, so σ = Φ⁻¹(1 − p) + Φ⁻¹(share): 2.12 for 80%.

Influence follows propensity: frequent posters' word of mouth reaches further, by the factor
w^e / mean(w^e) (e the stated elasticity), normalised so that the average person's reach is
what it was.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr, ndtri  # the standard normal's cdf and its inverse


def lognormal_propensity(z: np.ndarray, spread: float) -> np.ndarray:
    """Posting propensities from standard normal draws ``z``: lognormal of log-sd ``spread``,
    scaled so that their mean is exactly 1. (Unscaled, a heavy tail moves the total volume
    from seed to seed: at spread 2.12 the sample mean of 15,000 people has a standard
    deviation of 8%.)"""
    w = np.exp(spread * z)
    return w / w.mean() if len(w) else w


def top_share(weights: np.ndarray, fraction: float) -> float:
    """Share of the total held by the largest ``fraction`` of the weights (0.1: the top 10%)."""
    ordered = np.sort(np.asarray(weights, dtype=float))[::-1]
    top = max(1, int(round(fraction * len(ordered))))
    total = ordered.sum()
    return float(ordered[:top].sum() / total) if total > 0 else float("nan")


def expected_top_share(spread: float, fraction: float) -> float:
    """Share of all posts the ``fraction`` most active write, for a lognormal of log-sd
    ``spread`` (in expectation, a large population)."""
    return float(ndtr(spread - ndtri(1.0 - fraction)))


def spread_for_top_share(share: float, fraction: float) -> float:
    """The log-sd at which the ``fraction`` most active write ``share`` of the posts."""
    return float(ndtri(1.0 - fraction) + ndtri(share))


def relative_power(propensity: np.ndarray, elasticity: float) -> np.ndarray:
    """w^e / mean(w^e): a person's weight relative to the average person (1 when e = 0)."""
    powered = propensity**elasticity
    return powered / powered.mean()
