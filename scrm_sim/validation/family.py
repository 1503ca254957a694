"""The suite's verdict: the family-wise error rate over every check, held at 1%.

A suite of many checks at 1% each fails by chance far more often than 1% of the time
(62 independent checks: 46%). So one run of the suite is judged as one family of
hypotheses, "the model agrees with this theory", and the suite fails only when the
family-wise error control rejects one of them:

* every **test** check (:mod:`scrm_sim.validation.checks`) is one hypothesis, with its
  p-value;
* the **tolerance** checks together are one more hypothesis, "each fails by chance at
  most 1% of the time" (their intervals are 99% intervals, widened by a tolerance), with
  the p-value of the count of failures against Binomial(n, 1%): P(X ≥ failures). The
  binomial treats them as independent; tolerance checks read from the same runs are
  correlated, so this p-value is approximate;
* Holm's step-down procedure (Holm 1979, "A simple sequentially rejective multiple test
  procedure", Scand. J. Statist. 6, 65–70) runs over these p-values at the family-wise
  level: it rejects no true hypothesis with probability at least 1 − level, whatever the
  dependence between the p-values, and is uniformly more powerful than Bonferroni.

A test check fails the family when Holm rejects it. A tolerance check fails the family
when it failed on its own and Holm rejects the count of tolerance failures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from scrm_sim.validation.checks import Check

FAMILY_WISE_LEVEL = 0.01
# The chance a tolerance check fails when the model is right: its interval is at least as
# wide as a 99% interval.
TOLERANCE_FAILURE_RATE = 0.01


def holm_adjusted(p_values: Sequence[float]) -> np.ndarray:
    """Holm-adjusted p-values, in the order given.

    With the p-values sorted, p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted value of the i-th is
    max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Holm at level α rejects exactly the
    hypotheses whose adjusted p-value is at most α (the step-down: reject while
    p₍ᵢ₎ ≤ α/(m − i + 1), stop at the first that is not).
    """
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def holm_rejects(p_values: Sequence[float], level: float = FAMILY_WISE_LEVEL) -> np.ndarray:
    """Which hypotheses Holm's procedure rejects at family-wise ``level``."""
    return holm_adjusted(p_values) <= level


def binomial_tail(failures: int, checks: int, rate: float = TOLERANCE_FAILURE_RATE) -> float:
    """P(X ≥ failures) for X ~ Binomial(checks, rate): how surprising this many failures is."""
    return float(stats.binom.sf(failures - 1, checks, rate))


@dataclass(frozen=True)
class FamilyVerdict:
    """The family-wise verdict on a list of checks, and each check's part in it."""

    level: float
    holm_p: tuple[float, ...]
    """Per check: its Holm-adjusted p-value; for a tolerance check, that of the count test."""
    failed: tuple[bool, ...]
    """Per check: whether it fails the family (a rejected hypothesis)."""
    tests: int
    tolerance_checks: int
    tolerance_failures: int
    tolerance_p: float
    """P(at least this many tolerance failures by chance); 1 when there are none."""

    @property
    def passed(self) -> bool:
        """Whether the family-wise control rejects nothing."""
        return not any(self.failed)

    def describe(self) -> list[str]:
        """The verdict in two or three lines of plain text."""
        level = f"{self.level:.0%}"
        lines = []
        if self.tolerance_checks and not self.tolerance_failures:
            lines.append(f"tolerance checks: none of {self.tolerance_checks} failed")
        elif self.tolerance_checks:
            lines.append(
                f"tolerance checks: {self.tolerance_failures} of {self.tolerance_checks} failed "
                f"on their own; P(≥ {self.tolerance_failures} of {self.tolerance_checks} by "
                f"chance at {TOLERANCE_FAILURE_RATE:.0%} each) = {self.tolerance_p:.3g}")
        hypotheses = self.tests + (1 if self.tolerance_checks else 0)
        lines.append(
            f"family-wise verdict at {level} (Holm over {self.tests} tests"
            + (" and the count of tolerance failures" if self.tolerance_checks else "")
            + f", {hypotheses} hypotheses): "
            + ("PASS" if self.passed else f"FAIL ({sum(self.failed)} checks rejected)"))
        return lines


def family_verdict(checks: Sequence[Check], level: float = FAMILY_WISE_LEVEL) -> FamilyVerdict:
    """Holm at ``level`` over the tests' p-values and the tolerance checks' failure count."""
    tests = [i for i, c in enumerate(checks) if c.p_value is not None]
    tolerance = [i for i, c in enumerate(checks) if c.p_value is None]
    tolerance_failures = sum(not checks[i].passed for i in tolerance)
    tolerance_p = binomial_tail(tolerance_failures, len(tolerance)) if tolerance else 1.0
    p_values = [float(checks[i].p_value) for i in tests]  # type: ignore[arg-type]
    if tolerance:
        p_values.append(tolerance_p)
    adjusted = holm_adjusted(p_values)
    holm_p = np.ones(len(checks))
    holm_p[tests] = adjusted[: len(tests)]
    if tolerance:
        holm_p[tolerance] = adjusted[-1]
    failed = [
        bool(holm_p[i] <= level) and (c.p_value is not None or not c.passed)
        for i, c in enumerate(checks)
    ]
    return FamilyVerdict(
        level=level, holm_p=tuple(float(p) for p in holm_p), failed=tuple(failed),
        tests=len(tests), tolerance_checks=len(tolerance),
        tolerance_failures=tolerance_failures, tolerance_p=tolerance_p,
    )
