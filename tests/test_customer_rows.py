"""The population's cached row lists (customers, prospects, their weights and business
counts) stay what a rebuild would give, whatever moves happen."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model import customers as customers_module
from scrm_sim.model.customers import CustomerPopulation, Stage
from scrm_sim.scenario.schema import Customers


def rebuilt(population: CustomerPopulation) -> dict[str, np.ndarray]:
    population._rows = None
    return population._cached_rows()


def assert_same_rows(cached: dict[str, np.ndarray], fresh: dict[str, np.ndarray]) -> None:
    assert cached.keys() == fresh.keys()
    for key in fresh:
        np.testing.assert_array_equal(cached[key], fresh[key], err_msg=key)


MOVES = [  # (from stage, to stage) as the model makes them
    (Stage.PROSPECT, Stage.ONBOARDING), (Stage.ONBOARDING, Stage.ACTIVE),
    (Stage.ACTIVE, Stage.AT_RISK), (Stage.AT_RISK, Stage.CHURNED),
    (Stage.ACTIVE, Stage.CHURNED), (Stage.CHURNED, Stage.WON_BACK),
]


@pytest.mark.parametrize("batch", [1, 5, 300])  # in place, and (300) rebuilt
def test_cached_rows_equal_a_rebuild_after_any_moves(batch):
    rng = np.random.default_rng(batch)
    population = CustomerPopulation(Customers(count=2_000, prospects=1_000, b2b_share=0.3), rng)
    population.customer_rows()  # cached from the start
    for step in range(200):
        source, target = MOVES[step % len(MOVES)]
        candidates = np.flatnonzero(population.stage == source)
        people = rng.choice(candidates, size=min(batch, len(candidates)), replace=False)
        population.move(np.concatenate([people, people[:1]]), target, day=step)  # a repeat too
        cached = {key: np.copy(value) for key, value in population._cached_rows().items()}
        assert_same_rows(cached, rebuilt(population))


def test_a_few_moves_update_the_cache_in_place_and_many_rebuild_it(monkeypatch):
    population = CustomerPopulation(Customers(count=100, prospects=100), np.random.default_rng(0))
    population.customer_rows()
    population.move(np.array([150]), Stage.ONBOARDING, day=1)
    assert population._rows is not None and 150 in population.customer_rows()
    monkeypatch.setattr(customers_module, "INCREMENTAL_MOVES", 1)
    population.move(np.array([160, 161]), Stage.ONBOARDING, day=1)
    assert population._rows is None


def test_moves_between_customer_stages_keep_the_cache():
    population = CustomerPopulation(Customers(count=100, prospects=100), np.random.default_rng(0))
    rows = population._cached_rows()
    population.move(np.arange(10), Stage.AT_RISK, day=1)
    assert population._cached_rows() is rows
