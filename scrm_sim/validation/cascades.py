"""Word-of-mouth cascades against bond percolation (VALIDATION.md).

An independent cascade with transmission probability T on a graph with degree
distribution p_k is bond percolation with occupation probability T (Newman 2002,
"Spread of epidemic disease on networks", Phys. Rev. E 66, 016128). With the
generating functions G0(x) = Σ p_k x^k and G1(x) = G0'(x)/G0'(1):

* threshold T_c = <k> / (<k²> − <k>) = 1 / G1'(1);
* below it the mean cascade size (seed included) is 1 + T·G0'(1) / (1 − T·G1'(1));
* above it a cascade becomes giant with probability S and then reaches a share S of
  the graph, where S = 1 − G0(u) and u = 1 − T + T·G1(u) (smallest root, by iteration).

The cascades run on :class:`scrm_sim.model.word_of_mouth.NegativeCascades`, the
code the model uses, without a time limit.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np

from scrm_sim.analysis.statistics import mean_ci, proportion_ci
from scrm_sim.model.networks import adjacency
from scrm_sim.model.word_of_mouth import NegativeCascades
from scrm_sim.validation.checks import Check, inside, score_test_p_value, t_test_p_value

CONFIDENCE = 0.99


class Percolation:
    """Bond-percolation predictions from a graph's degree sequence."""

    def __init__(self, degrees: np.ndarray) -> None:
        counts = np.bincount(degrees)
        self.p = counts / counts.sum()
        self.k = np.arange(len(self.p))
        self.mean_degree = float((self.k * self.p).sum())
        self.second_moment = float((self.k**2 * self.p).sum())

    @property
    def threshold(self) -> float:
        """T_c = <k> / (<k²> − <k>)."""
        return self.mean_degree / (self.second_moment - self.mean_degree)

    def g0(self, x: float) -> float:
        """Generating function of the degree distribution."""
        return float((self.p * x**self.k).sum())

    def g1(self, x: float) -> float:
        """Generating function of the excess degree distribution."""
        k = self.k[1:]
        return float((k * self.p[1:] * x ** (k - 1)).sum() / self.mean_degree)

    def mean_size_below(self, t: float) -> float:
        """Mean cascade size (seed included) below the threshold."""
        g1_prime = (self.second_moment - self.mean_degree) / self.mean_degree
        return 1.0 + t * self.mean_degree / (1.0 - t * g1_prime)

    def giant_share(self, t: float) -> float:
        """Share of the graph a giant cascade reaches (and the chance one occurs)."""
        v = 0.0
        for _ in range(10_000):
            new = 1.0 - t + t * self.g1(v)
            if abs(new - v) < 1e-13:
                break
            v = new
        return 1.0 - self.g0(v)


def cascade_sizes(graph: nx.Graph, transmission: float, cascades: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Final sizes (seed included) of independent cascades from random seeds."""
    tracker = NegativeCascades(adjacency(graph), max_hours=10**9)
    for seed in rng.choice(graph.number_of_nodes(), cascades, replace=False):
        tracker.start(int(seed), transmission, hour=0)
    hour = 0
    while len(tracker.step(hour, rng)):
        hour += 1
    return np.asarray(tracker.reach) + 1


def cascade_checks(nodes: int, cascades: int, seed: int = 3,
                   graphs: Sequence[str] = ("erdos_renyi", "barabasi_albert")) -> list[Check]:
    """Mean size below the threshold, giant share and its probability above it.

    The first two are tests (t-test, score test); the giant share, widened for the
    graph's finite size, is a tolerance check without a p-value.
    """
    rng = np.random.default_rng(seed)
    checks = []
    for kind in graphs:
        if kind == "erdos_renyi":
            graph = nx.fast_gnp_random_graph(nodes, 10 / (nodes - 1), seed=int(rng.integers(2**31)))
        else:
            graph = nx.barabasi_albert_graph(nodes, 5, seed=int(rng.integers(2**31)))
        theory = Percolation(np.array([d for _, d in graph.degree()]))
        label = f"{kind.replace('_', '-')} n={nodes}, <k>={theory.mean_degree:.1f}, " \
                f"T_c={theory.threshold:.3f}"

        below = 0.5 * theory.threshold
        sizes = cascade_sizes(graph, below, 5 * cascades, rng)  # small: many are cheap
        mean, low, high = mean_ci(sizes, CONFIDENCE)
        expected = theory.mean_size_below(below)
        checks.append(Check("Cascades", f"mean size at T = T_c/2, {label}", expected, mean, low,
                            high, "theory inside the 99% CI of the mean size",
                            inside(expected, low, high), t_test_p_value(sizes, expected)))

        above = 2.5 * theory.threshold
        sizes = cascade_sizes(graph, above, cascades, rng)
        giant = sizes > np.sqrt(nodes) * 3  # small cascades stay O(1); giant ones are O(n)
        share = theory.giant_share(above)
        p, p_low, p_high = proportion_ci(int(giant.sum()), len(sizes), CONFIDENCE)
        checks.append(Check("Cascades", f"P(giant cascade) at T = 2.5 T_c, {label}", share, p,
                            p_low, p_high, "theory inside the 99% Wilson interval",
                            inside(share, p_low, p_high),
                            score_test_p_value(int(giant.sum()), len(sizes), share)))
        mean, low, high = mean_ci(sizes[giant] / nodes, CONFIDENCE)
        # finite graphs: allow the 99% CI or 2% of the graph, whichever is wider
        low, high = min(low, mean - 0.02), max(high, mean + 0.02)
        checks.append(Check("Cascades", f"giant cascade share of graph at T = 2.5 T_c, {label}",
                            share, mean, low, high,
                            "theory inside the 99% CI widened to ±0.02 for finite size",
                            inside(share, low, high)))
    return checks
