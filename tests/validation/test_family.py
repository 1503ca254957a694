"""The suite's verdict holds the family-wise error rate: Holm's procedure and the binomial count."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from scrm_sim.analysis.statistics import mean_ci, proportion_ci
from scrm_sim.validation.checks import (
    Check,
    inside,
    score_test_p_value,
    t_test_p_value,
)
from scrm_sim.validation.family import (
    binomial_tail,
    family_verdict,
    holm_adjusted,
    holm_rejects,
)


def test_holm_on_the_textbook_example():
    # Four hypotheses at α = 0.05 (the example of the Wikipedia article on the method):
    # sorted, 0.005 ≤ 0.05/4 and 0.01 ≤ 0.05/3 are rejected; 0.03 > 0.05/2 stops the procedure,
    # so 0.04 is kept although it is below 0.05.
    p = [0.01, 0.04, 0.03, 0.005]
    assert holm_rejects(p, 0.05).tolist() == [True, False, False, True]
    np.testing.assert_allclose(holm_adjusted(p), [0.03, 0.06, 0.06, 0.02])


def test_holm_is_the_closed_test_of_bonferroni_tests():
    # Holm rejects H_i exactly when every intersection of hypotheses containing H_i is
    # rejected by a Bonferroni test (Holm 1979; Marcus, Peritz & Gabriel 1976).
    rng = np.random.default_rng(12)
    for _ in range(300):
        m = int(rng.integers(1, 6))
        p = 10 ** rng.uniform(-4, 0, m)
        closed = [all(min(p[j] for j in s) <= 0.05 / len(s)
                      for k in range(1, m + 1) for s in combinations(range(m), k) if i in s)
                  for i in range(m)]
        assert holm_rejects(p, 0.05).tolist() == closed, p


def test_holm_rejects_at_least_what_bonferroni_rejects_and_no_more_than_unadjusted_tests():
    rng = np.random.default_rng(3)
    p = 10 ** rng.uniform(-5, 0, 200)
    holm = holm_rejects(p, 0.01)
    assert (holm >= (p * len(p) <= 0.01)).all()
    assert (holm <= (p <= 0.01)).all()


def test_evenly_spread_p_values_are_noise_and_nothing_is_rejected():
    m = 1000
    p = np.arange(1, m + 1) / (m + 1)
    assert not holm_rejects(p, 0.01).any()
    assert (p <= 0.01).sum() == 10  # checked one at a time, ten would fail


def test_a_family_of_pure_noise_checks_fails_about_one_time_in_a_hundred():
    # 2,000 suites of 62 true hypotheses (uniform p-values, fixed seed: deterministic):
    # one at a time at 1%, about half the suites would fail; under Holm at 1%, about 1%.
    rng = np.random.default_rng(2026)
    suites = rng.uniform(size=(2000, 62))
    one_at_a_time = (suites <= 0.01).any(axis=1).mean()
    holm = np.mean([holm_rejects(p, 0.01).any() for p in suites])
    assert one_at_a_time == pytest.approx(1 - 0.99**62, abs=0.03)  # 0.46
    assert holm <= 0.015


def test_the_binomial_tail_says_how_surprising_a_count_of_failures_is():
    assert binomial_tail(0, 30) == 1.0
    assert binomial_tail(1, 62) == pytest.approx(1 - 0.99**62)
    assert binomial_tail(2, 27) == pytest.approx(1 - 0.99**27 - 27 * 0.01 * 0.99**26)
    assert binomial_tail(5, 27) < 1e-4


def a_test(p: float, name: str = "test") -> Check:
    """A test check with p-value ``p`` that passes on its own at 1%."""
    return Check("tests", name, 0.0, 0.0, -1.0, 1.0, "rule", p >= 0.01, p)


def a_tolerance_check(passed: bool, name: str = "tolerance") -> Check:
    """A tolerance check (no p-value)."""
    return Check("tolerances", name, 0.0, 0.0, -1.0, 1.0, "rule", passed)


def test_one_chance_failure_among_sixty_two_checks_passes_the_family():
    # the README's full run: 61 of 62 passed, the one failure a 1% event
    checks = [a_test(0.5, f"t{i}") for i in range(61)] + [a_test(0.004, "M/M/1 tail")]
    verdict = family_verdict(checks)
    assert verdict.passed
    assert verdict.holm_p[-1] == pytest.approx(62 * 0.004)
    assert not checks[-1].passed and not verdict.failed[-1]


def test_a_strong_failure_fails_the_family_and_only_that_check():
    checks = [a_test(0.5, f"t{i}") for i in range(61)] + [a_test(1e-7, "broken")]
    verdict = family_verdict(checks)
    assert not verdict.passed
    assert verdict.failed == (False,) * 61 + (True,)


def test_tolerance_checks_are_judged_by_their_count_of_failures():
    one = [a_tolerance_check(True) for _ in range(26)] + [a_tolerance_check(False)]
    verdict = family_verdict([a_test(0.5)] + one)
    assert verdict.passed
    assert verdict.tolerance_failures == 1
    assert verdict.tolerance_p == pytest.approx(1 - 0.99**27)

    five = [a_tolerance_check(i >= 5) for i in range(27)]
    verdict = family_verdict([a_test(0.5)] + five)
    assert not verdict.passed
    # the failed ones fail the family; the ones that passed on their own do not
    assert verdict.failed == (False,) + (True,) * 5 + (False,) * 22


def test_the_count_of_tolerance_failures_takes_part_in_holm_with_the_tests():
    # p(count) = P(X ≥ 3 of 27) ≈ 0.0025: rejected alone at 1%, not in a family of 10
    checks = [a_tolerance_check(i >= 3) for i in range(27)]
    assert not family_verdict(checks).passed
    assert family_verdict(checks + [a_test(0.5, f"t{i}") for i in range(9)]).passed


@pytest.mark.parametrize("seed", range(20))
def test_a_t_test_p_value_of_at_least_one_percent_means_inside_the_99_percent_interval(seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 1.0, int(rng.integers(3, 30)))
    for expected in (-1.0, -0.5, 0.0, 0.3, 0.8):
        _, low, high = mean_ci(values, 0.99)
        assert inside(expected, low, high) == (t_test_p_value(values, expected) >= 0.01)


@pytest.mark.parametrize("successes, trials", [(3, 40), (30, 300), (120, 1000), (0, 50)])
def test_a_score_test_p_value_of_at_least_one_percent_means_inside_the_wilson_interval(
        successes, trials):
    for expected in np.linspace(0.01, 0.5, 50):
        _, low, high = proportion_ci(successes, trials, 0.99)
        assert inside(expected, low, high) == (score_test_p_value(successes, trials, expected)
                                               >= 0.01)
