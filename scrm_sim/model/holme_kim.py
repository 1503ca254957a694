"""Holme–Kim growth compiled with numba: the same algorithm and the same draws as the
readable reference :func:`scrm_sim.model.networks.holme_kim_adjacency`, for populations
where the Python loop dominates a run's set-up (about 8 s at a million people).

The loop is sequential by nature (each node attaches to the graph grown so far), so it
cannot be vectorised; it is compiled instead (``cache=True``: the first run on a machine
compiles it, later runs load it). Neighbour lists are kept as linked lists of half-edges
in insertion order, so a triad picks the same neighbour as the Python lists do.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _in(values: np.ndarray, count: int, node: int) -> bool:  # pragma: no cover - compiled
    for i in range(count):
        if values[i] == node:
            return True
    return False


HALVES, EDGES, POOL, LINKED = range(4)  # the growth's counters, in one array


@njit(cache=True)
def _link(source: int, target: int, counts: np.ndarray, sources: np.ndarray,
          targets: np.ndarray, half_node: np.ndarray, half_next: np.ndarray, head: np.ndarray,
          tail: np.ndarray, repeated: np.ndarray, linked: np.ndarray) -> None:  # pragma: no cover
    linked[counts[LINKED]] = target
    counts[LINKED] += 1
    for a, b in ((source, target), (target, source)):
        half = counts[HALVES]
        half_node[half] = b
        if head[a] < 0:
            head[a] = half
        else:
            half_next[tail[a]] = half
        tail[a] = half
        counts[HALVES] += 1
    sources[counts[EDGES]] = source
    targets[counts[EDGES]] = target
    counts[EDGES] += 1
    repeated[counts[POOL]] = target
    counts[POOL] += 1


@njit(cache=True)
def grow(n: int, m: int, triangle_probability: float, uniforms: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, bool]:  # pragma: no cover - compiled
    """The edges (sources, targets) of Holme–Kim growth driven by ``uniforms``, and whether
    the uniforms sufficed (if not, call again with more: nothing else is drawn)."""
    links = (n - m) * m
    sources = np.empty(links, np.int64)
    targets = np.empty(links, np.int64)
    half_node = np.empty(2 * links, np.int64)  # neighbour lists: half-edges chained in order
    half_next = np.full(2 * links, -1, np.int64)
    head = np.full(n, -1, np.int64)
    tail = np.full(n, -1, np.int64)
    repeated = np.empty(m + 2 * links, np.int64)  # each node once per link end
    repeated[:m] = np.arange(m)
    counts = np.zeros(4, np.int64)
    counts[POOL] = m
    linked = np.empty(m, np.int64)
    candidates = np.empty(m, np.int64)
    used, total = 0, len(uniforms)
    for source in range(m, n):
        counts[LINKED] = 0
        n_candidates = 0
        while n_candidates < m:
            if used == total:
                return sources, targets, False
            node = repeated[int(uniforms[used] * counts[POOL])]
            used += 1
            if not _in(candidates, n_candidates, node):
                candidates[n_candidates] = node
                n_candidates += 1
        n_candidates -= 1
        target = candidates[n_candidates]
        _link(source, target, counts, sources, targets, half_node, half_next, head, tail,
              repeated, linked)
        while counts[LINKED] < m:
            if used == total:
                return sources, targets, False
            u = uniforms[used]
            used += 1
            if u < triangle_probability:  # a triad: a neighbour of the last preferential pick
                options = 0
                h = head[target]
                while h >= 0:
                    v = half_node[h]
                    if v != source and not _in(linked, counts[LINKED], v):
                        options += 1
                    h = half_next[h]
                if options > 0:
                    if used == total:
                        return sources, targets, False
                    pick = int(uniforms[used] * options)
                    used += 1
                    h = head[target]
                    while True:
                        v = half_node[h]
                        if v != source and not _in(linked, counts[LINKED], v):
                            if pick == 0:
                                break
                            pick -= 1
                        h = half_next[h]
                    _link(source, v, counts, sources, targets, half_node, half_next, head,
                          tail, repeated, linked)
                    continue
            while n_candidates > 0 and _in(linked, counts[LINKED], candidates[n_candidates - 1]):
                n_candidates -= 1
            if n_candidates == 0:  # every preferential pick was taken by triads: draw another
                if used == total:
                    return sources, targets, False
                node = repeated[int(uniforms[used] * counts[POOL])]
                used += 1
                if not _in(linked, counts[LINKED], node):
                    candidates[0] = node
                    n_candidates = 1
                continue
            n_candidates -= 1
            target = candidates[n_candidates]
            _link(source, target, counts, sources, targets, half_node, half_next, head, tail,
                  repeated, linked)
        for _ in range(m):
            repeated[counts[POOL]] = source
            counts[POOL] += 1
    return sources, targets, True
