"""Customer and organisation networks."""

from __future__ import annotations

import sys

import networkx as nx
import numpy as np
import pytest

from scrm_sim.model.networks import (
    customer_adjacency, holme_kim_adjacency, neighbours_of, organisation_graph,
)
from scrm_sim.scenario.schema import NetworkSpec


def test_holme_kim_graphs_are_simple_symmetric_with_mean_degree_two_m():
    adj = holme_kim_adjacency(3000, 5, 0.3, seed=1)
    assert (adj != adj.T).nnz == 0
    assert adj.diagonal().sum() == 0
    assert adj.data.max() == 1  # no duplicate edges
    assert np.diff(adj.indptr).mean() == pytest.approx(2 * 5, rel=0.01)


def test_holme_kim_is_reproducible_from_its_seed():
    a, b = holme_kim_adjacency(500, 3, 0.5, seed=7), holme_kim_adjacency(500, 3, 0.5, seed=7)
    assert (a != b).nnz == 0
    assert (a != holme_kim_adjacency(500, 3, 0.5, seed=8)).nnz > 0


def test_triad_formation_raises_clustering():
    def clustering(p: float) -> float:
        return nx.transitivity(nx.from_scipy_sparse_array(holme_kim_adjacency(2000, 4, p, 3)))

    assert clustering(0.9) > 2 * clustering(0.0)


def test_holme_kim_degrees_are_heavy_tailed():
    degrees = np.diff(holme_kim_adjacency(20_000, 5, 0.3, seed=2).indptr)
    assert degrees.max() > 10 * degrees.mean()


@pytest.mark.parametrize("kind", ["powerlaw_cluster", "watts_strogatz", "erdos_renyi",
                                  "barabasi_albert", "complete"])
def test_every_network_type_gives_a_symmetric_adjacency_of_the_population(kind):
    adj = customer_adjacency(NetworkSpec(type=kind, mean_degree=6), 300, seed=4)
    assert adj.shape == (300, 300)
    assert (adj != adj.T).nnz == 0


def test_neighbours_of_lists_every_contact_of_the_given_nodes():
    graph = nx.path_graph(5)
    adj = nx.to_scipy_sparse_array(graph, format="csr")
    source, targets = neighbours_of(adj, np.array([0, 2]))
    assert sorted(zip(source.tolist(), targets.tolist())) == [(0, 1), (1, 1), (1, 3)]


def test_the_organisation_graph_links_every_department():
    graph = organisation_graph({"a": [0, 1, 2], "b": [3, 4], "c": [5]}, seed=1)
    assert nx.is_connected(graph)


@pytest.mark.parametrize(("n", "m", "p", "seed"), [
    (60, 3, 0.5, 1), (2000, 5, 0.9, 2), (6000, 5, 0.3, 3), (400, 2, 1.0, 4), (150, 5, 0.0, 5),
    (12, 11, 0.7, 6)])
def test_the_compiled_holme_kim_loop_gives_the_python_loop_s_graph_edge_for_edge(n, m, p, seed):
    python = holme_kim_adjacency(n, m, p, seed, compiled=False)
    compiled = holme_kim_adjacency(n, m, p, seed, compiled=True)
    assert (python.indptr == compiled.indptr).all() and (python.indices == compiled.indices).all()


def test_the_compiled_holme_kim_loop_says_when_its_uniforms_run_out():
    from scrm_sim.model.holme_kim import grow

    uniforms = np.random.default_rng(0).random(10_000)
    assert grow(1000, 4, 0.5, uniforms)[2]
    assert not grow(1000, 4, 0.5, uniforms[:500])[2]


def test_large_populations_get_the_compiled_loop(monkeypatch):
    import scrm_sim.model.networks as networks

    called = []
    monkeypatch.setattr(networks, "_compiled_holme_kim", lambda *a: called.append(a) or "graph")
    monkeypatch.setattr(networks, "COMPILED_FROM_PEOPLE", 1000)
    monkeypatch.delitem(sys.modules, "scrm_sim.model.holme_kim", raising=False)
    holme_kim_adjacency(999, 3, 0.5, 1)
    assert not called
    assert holme_kim_adjacency(1000, 3, 0.5, 1) == "graph" and len(called) == 1


def test_small_populations_get_the_compiled_loop_once_it_is_loaded(monkeypatch):
    import scrm_sim.model.holme_kim  # noqa: F401 - loaded, as in a pool worker
    import scrm_sim.model.networks as networks

    called = []
    monkeypatch.setattr(networks, "_compiled_holme_kim", lambda *a: called.append(a) or "graph")
    assert holme_kim_adjacency(50, 3, 0.5, 1) == "graph"
