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


@pytest.mark.parametrize("batch", [1, 40])  # caught up in place, and (40 × 10) rebuilt
def test_cached_rows_equal_a_rebuild_when_read_only_after_several_moves(batch):
    """Moves are noted and the rows caught up at their next use; several moves between two
    uses (as in an hour of replies) give the rows a rebuild would."""
    rng = np.random.default_rng(7)
    population = CustomerPopulation(Customers(count=2_000, prospects=1_000, b2b_share=0.3), rng)
    population.customer_rows()
    for step in range(120):
        for source, target in MOVES:
            candidates = np.flatnonzero(population.stage == source)
            people = rng.choice(candidates, size=min(batch, len(candidates)), replace=False)
            population.move(people, target, day=step)
        cached = {key: np.copy(value) for key, value in population._cached_rows().items()}
        assert_same_rows(cached, rebuilt(population))


def test_someone_who_joins_and_leaves_between_two_uses_is_not_listed():
    population = CustomerPopulation(Customers(count=100, prospects=100), np.random.default_rng(0))
    population.customer_rows()
    population.move(np.array([150]), Stage.ONBOARDING, day=1)  # a prospect converts ...
    population.move(np.array([150]), Stage.CHURNED, day=1)  # ... and leaves in the same hour
    assert 150 not in population.customer_rows() and 150 not in population.prospect_rows()
    assert population._cached_rows()["customer_weight"][150] == 0.0


def test_moves_accumulated_past_the_limit_rebuild_the_rows(monkeypatch):
    monkeypatch.setattr(customers_module, "INCREMENTAL_MOVES", 2)
    population = CustomerPopulation(Customers(count=100, prospects=100), np.random.default_rng(0))
    population.customer_rows()
    population.move(np.array([150]), Stage.ONBOARDING, day=1)
    population.move(np.array([151]), Stage.ONBOARDING, day=1)
    assert population._rows is not None  # two noted: caught up in place at the next use
    population.move(np.array([152]), Stage.ONBOARDING, day=1)
    assert population._rows is None
    assert {150, 151, 152} <= set(population.customer_rows().tolist())


def test_in_stages_marks_the_same_people_as_isin():
    from scrm_sim.model.customers import CUSTOMER_STAGES, NEW_CUSTOMER_STAGES, in_stages

    stage = np.random.default_rng(1).integers(0, len(Stage), 1_000).astype(np.int8)
    for stages in (CUSTOMER_STAGES, NEW_CUSTOMER_STAGES, (Stage.PROSPECT,)):
        np.testing.assert_array_equal(in_stages(stage, stages), np.isin(stage, stages))
    assert in_stages(stage[0], NEW_CUSTOMER_STAGES) == (stage[0] in NEW_CUSTOMER_STAGES)
