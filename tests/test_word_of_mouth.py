"""Grievance cascades kept in growing arrays spread exactly as the plain reference does:
one generation per hour, from last hour's newly reached people and then the authors of
grievances started since, in that order (the order of the hour's random draws)."""

from __future__ import annotations

import networkx as nx
import numpy as np

from scrm_sim.model.networks import adjacency, neighbours_of
from scrm_sim.model.word_of_mouth import NegativeCascades


class ListCascades:
    """The reference: Python lists and sets, every person's contacts one by one."""

    def __init__(self, adj, max_hours):  # noqa: ANN001
        self.adj, self.max_hours = adj, max_hours
        self.transmission, self.started, self.reach = [], [], []
        self.reached, self.front = set(), []  # front: (person, cascade)

    def start(self, author, transmission, hour):  # noqa: ANN001
        self.transmission.append(min(1.0, transmission))
        self.started.append(hour)
        self.reach.append(0)
        self.reached.add((len(self.reach) - 1, author))
        self.front.append((author, len(self.reach) - 1))

    def step(self, hour, rng):  # noqa: ANN001
        front = [(p, c) for p, c in self.front if hour - self.started[c] < self.max_hours]
        pairs = [(c, t) for p, c in front for t in neighbours_of(self.adj, np.array([p]))[1]]
        passes = rng.random(len(pairs)) < np.array([self.transmission[c] for c, _ in pairs])
        new = sorted({pair for pair, ok in zip(pairs, passes, strict=True) if ok} - self.reached)
        self.reached.update(new)
        for c, _ in new:
            self.reach[c] += 1
        self.front = [(int(t), c) for c, t in new]
        return [int(t) for _, t in new]


def test_cascades_spread_as_the_list_reference_over_many_cascades_and_hours():
    adj = adjacency(nx.barabasi_albert_graph(400, 3, seed=1))
    fast, reference = NegativeCascades(adj, max_hours=5), ListCascades(adj, max_hours=5)
    rng_fast, rng_reference, script = (np.random.default_rng(2), np.random.default_rng(2),
                                       np.random.default_rng(3))
    for hour in range(60):  # about 150 cascades: the arrays grow past their first size
        for _ in range(script.poisson(2.5)):
            author, transmission = int(script.integers(400)), float(script.random())
            assert fast.start(author, transmission, hour) == len(reference.reach)
            reference.start(author, transmission, hour)
            if script.random() < 0.3:  # answered publicly: damped
                fast.damp(len(reference.reach) - 1, 0.5)
                reference.transmission[-1] *= 0.5
        assert fast.active == len({c for _, c in reference.front})
        exposed = fast.step(hour, rng_fast)
        assert exposed.tolist() == reference.step(hour, rng_reference)
    assert len(reference.reach) > 64 and sum(reference.reach) > 100
    assert fast.transmission.tolist() == reference.transmission
    assert fast.reach.tolist() == reference.reach
    assert fast.total_reach == sum(reference.reach)
    assert fast.largest == max(reference.reach)


def test_a_started_grievance_is_spreading_and_active_before_the_next_step():
    adj = adjacency(nx.path_graph(5))
    cascades = NegativeCascades(adj, max_hours=10)
    cascades.start(2, 1.0, hour=0)
    assert cascades.spreading.tolist() == [2] and cascades.active == 1
    assert sorted(cascades.step(0, np.random.default_rng(0)).tolist()) == [1, 3]
    cascades.start(0, 1.0, hour=1)
    assert cascades.spreading.tolist() == [1, 3, 0] and cascades.active == 2
