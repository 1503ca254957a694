"""The response process reduces to M/M/c and reproduces Erlang C (VALIDATION.md).

Tolerance: the formula must lie inside the 99% Student-t confidence interval of
the mean over independent replications (one mean per run; waits of the first two
days are dropped as warm-up). Independent replications rather than batches within
a run, so that no correlation between batches can make the interval too narrow.
With eight comparisons the chance of a false alarm is under 8%; the seeds are
fixed, so the outcome is reproducible.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from scrm_sim.model import SCRMModel
from scrm_sim.scenario import load_scenario

from ..conftest import SCENARIOS

WARM_UP_HOURS = 48.0
CONFIDENCE = 0.99


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """P(wait) and mean wait Wq of an M/M/c queue."""
    a, rho = lam / mu, lam / (c * mu)
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


def reduced_scenario(c: int, lam: float, mu: float, days: float):
    per_customer_per_day = lam * 24 / 1000
    return load_scenario(SCENARIOS / "validation" / "erlang_c.yaml", {
        "duration_days": days,
        "demand": {"rates_per_customer_per_day": {"question": per_customer_per_day}},
        "company": {"departments": {"service": {"staff": c, "capacity_per_hour": mu}}},
        "ownership": {"front_line": {"service": c}},
    })


def replication_means(c: int, lam: float, mu: float, days: float, seeds: range):
    """Per-run mean wait and share of posts that waited."""
    mean_waits, shares_waited = [], []
    scenario = reduced_scenario(c, lam, mu, days)
    for seed in seeds:
        model = SCRMModel(scenario, seed=seed)
        model.run()
        posts = model.posts
        keep = (posts.time_heard >= WARM_UP_HOURS) & ~np.isnan(posts.time_first_handled)
        wait = (posts.time_first_handled - posts.time_heard)[keep]
        mean_waits.append(wait.mean())
        shares_waited.append((wait > 1e-12).mean())
    return np.array(mean_waits), np.array(shares_waited)


def inside_ci(values: np.ndarray, expected: float) -> tuple[bool, tuple[float, float]]:
    low, high = stats.t.interval(CONFIDENCE, len(values) - 1, loc=values.mean(),
                                 scale=stats.sem(values))
    return low <= expected <= high, (low, high)


def test_the_worked_case_matches_the_published_figures():
    p_wait, wq = erlang_c(5, 4.0, 1.0)
    assert p_wait == pytest.approx(0.5541, abs=1e-4)
    assert wq * 60 == pytest.approx(33.2, abs=0.1)


@pytest.mark.parametrize(("c", "lam", "mu", "days"), [
    (5, 4.0, 1.0, 60),  # the worked case in VALIDATION.md, rho = 0.8
    (2, 1.0, 1.0, 60),  # rho = 0.5
    (10, 30.0, 4.0, 20),  # many fast servers, rho = 0.75
])
def test_mean_wait_and_probability_of_waiting_match_erlang_c(c, lam, mu, days):
    waits, waited = replication_means(c, lam, mu, days, range(6))
    p_wait, wq = erlang_c(c, lam, mu)
    ok_wait, ci_wait = inside_ci(waits, wq)
    ok_p, ci_p = inside_ci(waited, p_wait)
    assert ok_wait, f"Wq {wq:.4f} h outside {ci_wait}"
    assert ok_p, f"P(wait) {p_wait:.4f} outside {ci_p}"


@pytest.mark.slow
def test_mean_wait_matches_erlang_c_at_high_load():
    c, lam, mu = 3, 2.7, 1.0  # rho = 0.9
    waits, waited = replication_means(c, lam, mu, 180, range(6))
    p_wait, wq = erlang_c(c, lam, mu)
    assert inside_ci(waits, wq)[0], (wq, inside_ci(waits, wq)[1])
    assert inside_ci(waited, p_wait)[0], (p_wait, inside_ci(waited, p_wait)[1])
