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
    """All grievance cascades of a run, advanced together with array operations.

    One entry per cascade in ``transmission``, ``started_hour`` and ``reach`` (numpy arrays
    indexed by cascade id). They live in buffers that double when full, so that starting a
    cascade is a cheap write and the hourly step gathers from them without converting lists.
    """

    def __init__(self, adj: sp.csr_array, max_hours: int,
                 influence: np.ndarray | None = None) -> None:
        self.adj = adj
        # each person's factor on the transmission of what they pass on (None: all alike)
        self.influence = influence
        self.n = adj.shape[0]
        self.max_hours = max_hours
        self._count = 0  # cascades started; the buffers below hold at least this many
        self._transmission = np.empty(64)
        self._started_hour = np.empty(64, dtype=np.int64)
        self._reach = np.zeros(64, dtype=np.int64)
        self._total_reach = 0  # sum(reach), kept as it grows (reported every hour)
        self._reached: set[int] = set()  # cascade * n + node
        # who heard a grievance last hour (with their cascade), and the authors of grievances
        # started since: the next step spreads from both, in that order
        self._frontier_nodes = np.empty(0, dtype=np.int64)
        self._frontier_cascades = np.empty(0, dtype=np.int64)
        self._frontier_active = 0  # distinct cascades in the frontier
        self._started_authors: list[int] = []
        self._started_cascades: list[int] = []

    @property
    def transmission(self) -> np.ndarray:
        """Each cascade's current transmission probability (by cascade id)."""
        return self._transmission[: self._count]

    @property
    def started_hour(self) -> np.ndarray:
        """The hour each cascade started (by cascade id)."""
        return self._started_hour[: self._count]

    @property
    def reach(self) -> np.ndarray:
        """People each cascade has reached so far, its author not counted (by cascade id)."""
        return self._reach[: self._count]

    def start(self, author: int, transmission: float, hour: int) -> int:
        """Start a cascade from an author's grievance; returns its id."""
        cascade = self._count
        if cascade == len(self._transmission):
            self._transmission, self._started_hour, self._reach = (
                _doubled(a) for a in (self._transmission, self._started_hour, self._reach))
        self._transmission[cascade] = min(1.0, transmission)
        self._started_hour[cascade] = hour
        self._reach[cascade] = 0
        self._count += 1
        self._reached.add(cascade * self.n + author)
        self._started_authors.append(author)
        self._started_cascades.append(cascade)
        return cascade

    @property
    def spreading(self) -> np.ndarray:
        """People who may pass a grievance on at the next step (the live front).

        Those who heard it last hour, followed by the authors of grievances started since.
        """
        return self._front()[0]

    def damp(self, cascade: int, factor: float) -> None:
        """The company answered publicly: the grievance spreads less from now on."""
        self._transmission[cascade] *= factor

    @property
    def active(self) -> int:
        """Cascades with a non-empty frontier (each started one has its author)."""
        return self._frontier_active + len(self._started_cascades)

    def step(self, hour: int, rng: np.random.Generator) -> np.ndarray:
        """Advance every cascade one generation; returns the newly exposed people."""
        front_nodes, front_cascades = self._front()
        if len(front_nodes) == 0:
            return front_nodes
        self._started_authors, self._started_cascades = [], []
        alive = (hour - self._started_hour[front_cascades]) < self.max_hours
        nodes, cascades = front_nodes[alive], front_cascades[alive]
        source, targets = neighbours_of(self.adj, nodes)
        target_cascades = cascades[source]
        transmission = self._transmission[target_cascades]
        if self.influence is not None:
            transmission = transmission * self.influence[nodes[source]]
        passes = rng.random(len(targets)) < transmission
        keys = np.unique(target_cascades[passes] * self.n + targets[passes])
        new = np.fromiter((k for k in keys.tolist() if k not in self._reached), dtype=np.int64)
        self._reached.update(new.tolist())
        new_cascades, new_nodes = np.divmod(new, self.n)
        # keys are sorted, so each cascade's new people are one run of new_cascades
        reached, counts = np.unique(new_cascades, return_counts=True)
        self._reach[reached] += counts
        self._total_reach += len(new)
        self._frontier_nodes, self._frontier_cascades = new_nodes, new_cascades
        self._frontier_active = len(reached)
        return new_nodes

    def _front(self) -> tuple[np.ndarray, np.ndarray]:
        """Nodes the next step spreads from, and their cascades.

        Last hour's newly reached, then the authors of grievances started since: the order
        of the step's draws.
        """
        if not self._started_authors:
            return self._frontier_nodes, self._frontier_cascades
        return (np.concatenate((self._frontier_nodes,
                                np.array(self._started_authors, dtype=np.int64))),
                np.concatenate((self._frontier_cascades,
                                np.array(self._started_cascades, dtype=np.int64))))

    @property
    def total_reach(self) -> int:
        """Exposures over all cascades (a person reached by two cascades counts twice)."""
        return self._total_reach

    @property
    def largest(self) -> int:
        """Reach of the largest cascade."""
        return int(self.reach.max()) if self._count else 0


def _doubled(array: np.ndarray) -> np.ndarray:
    """``array`` copied into a buffer twice as long (the tail uninitialised)."""
    grown = np.empty(2 * len(array), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def contacts_of(adj: sp.csr_array, person: int) -> np.ndarray:
    """The person's contacts in the customer graph."""
    return adj.indices[adj.indptr[person] : adj.indptr[person + 1]]
