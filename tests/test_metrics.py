"""The hourly reporters give exactly what the plain computation gives."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model import SCRMModel
from scrm_sim.model.metrics import customer_statistics, least_satisfaction_scoring
from scrm_sim.scenario import load_scenario

from .conftest import SCENARIOS, small_scenario


def test_comparing_with_the_edge_classifies_as_rounding_the_score_does_halves_included():
    rng = np.random.default_rng(0)
    # satisfaction with every exact half of the score (where rounding goes to even) and the
    # doubles on either side of every score's edge
    satisfaction = np.concatenate([rng.random(5000), np.arange(0.0, 1.05, 0.05),
                                   np.array([0.85, 0.65, 0.95, 0.25])])
    edges = [least_satisfaction_scoring(score) for score in range(12)]
    satisfaction = np.concatenate([satisfaction, edges, np.nextafter(edges, -np.inf)])
    rounded = np.rint(10 * satisfaction)
    for score, edge in enumerate(edges):
        assert np.array_equal(satisfaction >= edge, rounded >= score), score


def plain_statistics(model: SCRMModel) -> dict[str, float]:
    """Satisfaction mean, NPS and customers as written plainly (round, then count)."""
    s = model.population.satisfaction[model.population.customer_rows()]
    score = np.rint(10 * s)
    output = model.config.output
    return {"satisfaction_mean": float(s.mean()),
            "nps": float(100 * (np.count_nonzero(score >= output.nps_promoter_min)
                                - np.count_nonzero(score <= output.nps_detractor_max)) / len(s)),
            "customers": len(s)}


def test_customer_statistics_are_bit_for_bit_the_plain_computation_every_hour():
    model = SCRMModel(small_scenario("hybrid", duration_days=2), seed=8)
    while model.running:
        model.step()
        assert customer_statistics(model) == plain_statistics(model)


@pytest.mark.parametrize("ownership", ["cross_functional", "hub_and_spoke"])
def test_the_silo_mean_follows_the_strengths_every_hour_as_they_drift(ownership):
    scenario = load_scenario(SCENARIOS / "contested.yaml", {
        "ownership": ownership, "duration_days": 4,
        "customers": {"count": 800, "prospects": 400}})
    model = SCRMModel(scenario, seed=2)
    means = []
    n = len(model.silos.names)
    while model.running:
        model.step()
        strength = model.silos.strength
        means.append(float((strength.sum() - np.trace(strength)) / (n * (n - 1))))
        assert model.silos.mean_strength() == means[-1]
        assert model.datacollector.model_vars["silo_strength_mean"][-1] == means[-1]
    assert len(set(means)) > 1  # the strengths did drift: the mean had to follow them


def test_the_24_hour_first_response_mean_is_the_plain_mean_of_the_last_24_hours_every_hour():
    model = SCRMModel(small_scenario("hybrid", duration_days=3), seed=8)
    means = []
    while model.running:
        model.step()
        posts = model.posts
        answered = posts.time_first_response
        recent = np.flatnonzero(answered >= model.hour - 24.0)
        recent = recent[np.argsort(answered[recent], kind="stable")]  # in the order given
        waits = (answered - posts.time_posted)[recent]
        # summed left to right, one after another
        plain = float(np.add.accumulate(waits)[-1]) / len(waits) if len(waits) else float("nan")
        means.append(model.datacollector.model_vars["first_response_hours_24h"][-1])
        assert means[-1] == plain or (np.isnan(means[-1]) and np.isnan(plain)), model.hour
    assert len(set(means)) > 24  # it moved with the responses
