"""Statistics on synthetic data with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from scrm_sim.analysis.statistics import (
    mean_ci, paired_differences, proportion_ci, rank_first_probability,
)


def synthetic(n: int = 40, shift: float = 2.0, noise: float = 0.5, seed: int = 0) -> pd.DataFrame:
    """Model 'a' = shared seed effect + shift + noise; model 'b' = shared seed effect."""
    rng = np.random.default_rng(seed)
    common = rng.normal(100, 20, n)  # large between-seed spread, removed by pairing
    rows = [{"ownership": "a", "seed": s, "m": common[s] + shift + rng.normal(0, noise)}
            for s in range(n)]
    rows += [{"ownership": "b", "seed": s, "m": common[s]} for s in range(n)]
    return pd.DataFrame(rows)


def test_a_paired_difference_recovers_a_known_mean_and_variance():
    frame = synthetic()
    row = paired_differences(frame, "m").iloc[0]
    assert (row["a"], row["b"]) == ("a", "b")
    diffs = (frame[frame.ownership == "a"]["m"].to_numpy() - frame[frame.ownership == "b"]["m"].to_numpy())
    half = stats.t.ppf(0.975, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    assert row["difference"] == pytest.approx(diffs.mean())
    assert row["high"] - row["difference"] == pytest.approx(half)
    assert row["low"] < 2.0 < row["high"]
    assert row["high"] - row["low"] < 1.0  # the 20-unit seed spread is paired away


def test_clearly_separated_models_rank_first_with_certainty():
    ranks = rank_first_probability(synthetic(shift=50, noise=1), "m", direction=1)
    assert ranks.set_index("ownership").loc["a", "p_first"] == 1.0
    assert ranks.set_index("ownership").loc["b", "p_first"] == 0.0


def test_lower_is_better_metrics_rank_the_smallest_first():
    ranks = rank_first_probability(synthetic(shift=50, noise=1), "m", direction=-1)
    assert ranks.set_index("ownership").loc["b", "p_first"] == 1.0


def test_equal_models_split_the_first_place():
    frame = synthetic(shift=0.0, noise=1.0, n=400)
    p = rank_first_probability(frame, "m", direction=1).set_index("ownership")["p_first"]
    assert p["a"] == pytest.approx(0.5, abs=0.08)


def test_intervals_cover_their_estimate():
    assert mean_ci(np.array([1.0, 2.0, 3.0]))[1] < 2.0 < mean_ci(np.array([1.0, 2.0, 3.0]))[2]
    share, low, high = proportion_ci(30, 100)
    assert share == 0.3 and low < 0.3 < high
