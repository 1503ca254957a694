"""The vectorised engine's daily churn and external acquisition compute each probability only
for people whose draw is below its highest value (``drawn_below``): the same people must
leave and join as when it is computed for everyone."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model import SCRMModel, engines
from scrm_sim.model.engines import drawn_below

from .conftest import small_scenario


def everyone_below(draws, eligible, highest, probability):  # noqa: ANN001, ANN201
    """The reference: the probability computed for every eligible row."""
    rows = np.flatnonzero(eligible)
    return rows[draws[rows] < probability(rows)]


def test_drawn_below_picks_the_rows_whose_draw_is_below_their_probability():
    rng = np.random.default_rng(0)
    draws, chance = rng.random(10_000), rng.random(10_000) * 0.02
    eligible = rng.random(10_000) < 0.7
    picked = drawn_below(draws, eligible, float(chance.max()), lambda rows: chance[rows])
    np.testing.assert_array_equal(picked, everyone_below(draws, eligible, None,
                                                         lambda rows: chance[rows]))
    assert 50 < len(picked) < 200  # about 0.7 × 1% of the rows


@pytest.mark.parametrize("seed", [1, 2])
def test_daily_churn_and_acquisition_equal_computing_every_probability(seed, monkeypatch):
    """Steep hazards and conversions, spread satisfaction: every stage's multiplier and both
    ends of satisfaction matter for the bound."""
    scenario = small_scenario(
        "hybrid", duration_days=4,
        churn={"daily_base_hazard": 0.01, "sensitivity": 9.0, "at_risk_hazard_multiplier": 3.0,
               "onboarding_hazard_multiplier": 4.0, "at_risk_below": 0.45},
        word_of_mouth={"external_acquisition_per_day": 0.02,
                       "prospect_attitude_sensitivity": 6.0},
        customers={"count": 800, "prospects": 400,
                   "initial_satisfaction": {"mean": 0.5, "concentration": 2.0}})
    fast = SCRMModel(scenario, seed=seed)
    fast.run()
    monkeypatch.setattr(engines, "drawn_below", everyone_below)
    reference = SCRMModel(scenario, seed=seed)
    reference.run()
    assert fast.counters["churned"] > 20 and fast.counters["acquired_external"] > 10
    for counter in ("churned", "acquired_external"):
        assert fast.counters[counter] == reference.counters[counter]
    np.testing.assert_array_equal(fast.population.stage, reference.population.stage)
