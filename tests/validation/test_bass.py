"""Acquisition by word of mouth in a fully mixed population follows the Bass curve."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.validation.adoption import bass_checks, bass_share


def test_the_bass_solution_matches_the_closed_form_from_zero():
    p, q, t = 0.01, 0.3, np.array([1.0, 5.0, 10.0, 20.0])
    closed = (1 - np.exp(-(p + q) * t)) / (1 + q / p * np.exp(-(p + q) * t))
    np.testing.assert_allclose(bass_share(t, p, q, 0.0), closed, atol=1e-6)


@pytest.mark.slow
def test_word_of_mouth_adoption_follows_the_bass_curve():
    failed = [c for c in bass_checks(seeds=range(10)) if not c.passed]
    assert not failed, failed
