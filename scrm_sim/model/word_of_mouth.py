"""Word of mouth over the customer graph.

Negative: a complaint met with silence becomes a public grievance that spreads as
an independent cascade (Kempe et al. 2003), one generation per hour; each contact
passes it on with probability T, higher when the author is angrier and lower once
the company answers publicly. Above the bond-percolation threshold
T_c = <k> / (<k²> − <k>) a cascade can go viral (VALIDATION.md) — "the source of
most of the viral exposures (a la United, Comcast)" (seed 001).

With individual influence (``customers.propensity.influence_elasticity``; ODD §7.23) each
spreader passes a grievance on with the cascade's transmission × their influence
w^e / mean(w^e), w their posting propensity: frequent posters are heard further.

Positive: praise and good answers are seen by the author's contacts; a prospect
who sees them converts with a per-exposure probability, the network analogue of
Bass imitation, and a churned contact may come back.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from scrm_sim.model.networks import neighbours_of


class NegativeCascades:
    """All grievance cascades of a run, advanced together with array operations."""

    def __init__(self, adj: sp.csr_array, max_hours: int,
                 influence: np.ndarray | None = None) -> None:
        self.adj = adj
        # each person's factor on the transmission of what they pass on (None: all alike)
        self.influence = influence
        self.n = adj.shape[0]
        self.max_hours = max_hours
        self.transmission: list[float] = []
        self.started_hour: list[int] = []
        self.reach: list[int] = []
        self._total_reach = 0  # sum(reach), kept as it grows (reported every hour)
        self._reached: set[int] = set()  # cascade * n + node
        self._frontier_nodes = np.empty(0, dtype=np.int64)
        self._frontier_cascades = np.empty(0, dtype=np.int64)

    def start(self, author: int, transmission: float, hour: int) -> int:
        """Start a cascade from an author's grievance; returns its id."""
        cascade = len(self.transmission)
        self.transmission.append(min(1.0, transmission))
        self.started_hour.append(hour)
        self.reach.append(0)
        self._reached.add(cascade * self.n + author)
        self._frontier_nodes = np.append(self._frontier_nodes, author)
        self._frontier_cascades = np.append(self._frontier_cascades, cascade)
        return cascade

    @property
    def spreading(self) -> np.ndarray:
        """People who heard a grievance last hour and may pass it on now (the live front)."""
        return self._frontier_nodes

    def damp(self, cascade: int, factor: float) -> None:
        """The company answered publicly: the grievance spreads less from now on."""
        self.transmission[cascade] *= factor

    @property
    def active(self) -> int:
        """Cascades with a non-empty frontier."""
        return len(np.unique(self._frontier_cascades))

    def step(self, hour: int, rng: np.random.Generator) -> np.ndarray:
        """Advance every cascade one generation; returns the newly exposed people."""
        if len(self._frontier_nodes) == 0:
            return self._frontier_nodes
        alive = (hour - np.asarray(self.started_hour)[self._frontier_cascades]) < self.max_hours
        nodes, cascades = self._frontier_nodes[alive], self._frontier_cascades[alive]
        source, targets = neighbours_of(self.adj, nodes)
        target_cascades = cascades[source]
        transmission = np.asarray(self.transmission)[target_cascades]
        if self.influence is not None:
            transmission = transmission * self.influence[nodes[source]]
        passes = rng.random(len(targets)) < transmission
        keys = np.unique(target_cascades[passes] * self.n + targets[passes])
        new = np.fromiter((k for k in keys.tolist() if k not in self._reached), dtype=np.int64)
        self._reached.update(new.tolist())
        new_cascades, new_nodes = np.divmod(new, self.n)
        for cascade, count in zip(*np.unique(new_cascades, return_counts=True), strict=True):
            self.reach[cascade] += int(count)
        self._total_reach += len(new)
        self._frontier_nodes, self._frontier_cascades = new_nodes, new_cascades
        return new_nodes

    @property
    def total_reach(self) -> int:
        """Exposures over all cascades (a person reached by two cascades counts twice)."""
        return self._total_reach

    @property
    def largest(self) -> int:
        """Reach of the largest cascade."""
        return max(self.reach, default=0)


def contacts_of(adj: sp.csr_array, person: int) -> np.ndarray:
    """The person's contacts in the customer graph."""
    return adj.indices[adj.indptr[person] : adj.indptr[person + 1]]
