"""One validation check: what theory expects, what the model measured, and the verdict.

A check is one of two kinds:

* a **test**: theory against measurement as a hypothesis test, with a p-value. Its own
  verdict (``passed``) is the test at 1%, the same as "the expected value lies in the 99%
  interval", because the interval is the one the test inverts (Student-t interval and
  t-test, Wilson interval and score test).
* a **tolerance check**: the expected value within an interval widened by a stated
  tolerance (a known approximation, such as daily against continuous time). The widening
  has no sampling distribution, so it carries no p-value (``p_value`` is ``None``).

The suite's verdict over many checks is :mod:`scrm_sim.validation.family`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Check:
    """Expected against measured, with the interval and the rule that decide it.

    ``passed`` is computed by the check from its stated tolerance, never set by hand: it is
    the check's verdict on its own, before the family-wise control of the suite.
    ``p_value`` is the test's p-value, or ``None`` for a tolerance check.
    """

    group: str
    name: str
    expected: float
    measured: float
    low: float
    high: float
    tolerance: str
    passed: bool
    p_value: float | None = None

    def as_row(self) -> dict[str, object]:
        """The check as a table row."""
        return asdict(self)


def inside(expected: float, low: float, high: float) -> bool:
    """Whether the expected value lies in the measured interval."""
    return bool(low <= expected <= high)


def t_test_p_value(values: np.ndarray, expected: float) -> float:
    """Two-sided one-sample t-test that the mean of ``values`` is ``expected``.

    The test that :func:`scrm_sim.analysis.statistics.mean_ci` inverts: at level 1 − α the
    interval contains ``expected`` exactly when this p-value is at least α. NaNs are
    ignored; with fewer than two values or no spread the mean is compared exactly.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) < 2 or np.ptp(values) == 0:
        return 1.0 if len(values) and math.isclose(values.mean(), expected) else 0.0
    return float(stats.ttest_1samp(values, expected).pvalue)


def score_test_p_value(successes: int, trials: int, expected: float) -> float:
    """Two-sided score test that a binomial share is ``expected``.

    The test that the Wilson interval inverts (:func:`scrm_sim.analysis.statistics.
    proportion_ci`): z = (p̂ − p₀) / √(p₀(1 − p₀)/n), p = 2·(1 − Φ(|z|)).
    """
    if trials == 0:
        return 1.0
    share = successes / trials
    if expected in (0.0, 1.0):
        return 1.0 if share == expected else 0.0
    z = (share - expected) / math.sqrt(expected * (1 - expected) / trials)
    return float(2 * stats.norm.sf(abs(z)))
