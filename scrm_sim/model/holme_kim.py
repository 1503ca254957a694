"""Holme–Kim growth compiled with numba: the same algorithm and the same draws as the
readable reference :func:`scrm_sim.model.networks.holme_kim_adjacency`, for populations
where the Python loop dominates a run's set-up (about 8 s at a million people).

The loop is sequential by nature (each node attaches to the graph grown so far), so it
cannot be vectorised; it is compiled instead (``cache=True``: the first run on a machine
compiles it, later runs load it). Each node's neighbours are kept in insertion order in a
block of one shared arena, moved to a block twice as large when full (as a Python list
grows), so a triad scans contiguous memory and picks the same neighbour as the Python
lists do.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _in(values: np.ndarray, count: int, node: int) -> bool:  # pragma: no cover - compiled
    for i in range(count):
        if values[i] == node:
            return True
    return False


EDGES, POOL, LINKED, TOP = range(4)  # the growth's counters, in one array
FIRST_BLOCK = 8  # neighbours a node's first block holds


@njit(cache=True, inline="always")
def _add_neighbour(arena: np.ndarray, counts: np.ndarray, start: np.ndarray, size: np.ndarray,
                   capacity: np.ndarray, node: int, neighbour: int) -> np.ndarray:  # pragma: no cover
    """Append ``neighbour`` to ``node``'s block (moved to a larger one when full); returns the
    arena, itself doubled when it has no room for a new block."""
    if size[node] == capacity[node]:
        new_capacity = max(2 * capacity[node], FIRST_BLOCK)
        top = counts[TOP]
        if top + new_capacity > len(arena):
            larger = np.empty(2 * len(arena) + new_capacity, arena.dtype)
            larger[:top] = arena[:top]
            arena = larger
        arena[top:top + size[node]] = arena[start[node]:start[node] + size[node]]
        start[node], capacity[node] = top, new_capacity
        counts[TOP] = top + new_capacity
    arena[start[node] + size[node]] = neighbour
    size[node] += 1
    return arena


@njit(cache=True, inline="always")
def _link(source: int, target: int, counts: np.ndarray, sources: np.ndarray,
          targets: np.ndarray, arena: np.ndarray, start: np.ndarray, size: np.ndarray,
          capacity: np.ndarray, repeated: np.ndarray, linked: np.ndarray
          ) -> np.ndarray:  # pragma: no cover - compiled
    linked[counts[LINKED]] = target
    counts[LINKED] += 1
    arena = _add_neighbour(arena, counts, start, size, capacity, source, target)
    arena = _add_neighbour(arena, counts, start, size, capacity, target, source)
    sources[counts[EDGES]] = source
    targets[counts[EDGES]] = target
    counts[EDGES] += 1
    repeated[counts[POOL]] = target
    counts[POOL] += 1
    return arena


@njit(cache=True, inline="always")
def _valid(arena: np.ndarray, at: int, source: int, linked: np.ndarray, n_linked: int
           ) -> bool:  # pragma: no cover - compiled
    node = arena[at]
    return node != source and not _in(linked, n_linked, node)


@njit(cache=True)
def grow(n: int, m: int, triangle_probability: float, uniforms: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray, bool]:  # pragma: no cover - compiled
    """The edges (sources, targets) of Holme–Kim growth driven by ``uniforms``, and whether
    the uniforms sufficed (if not, call again with more: nothing else is drawn)."""
    links = (n - m) * m
    sources = np.empty(links, np.int64)
    targets = np.empty(links, np.int64)
    arena = np.empty(4 * links + FIRST_BLOCK * n, np.int32)  # grows if it must
    start = np.zeros(n, np.int64)
    size = np.zeros(n, np.int64)
    capacity = np.zeros(n, np.int64)
    repeated = np.empty(m + 2 * links, np.int32)  # each node once per link end
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
        arena = _link(source, target, counts, sources, targets, arena, start, size, capacity,
                      repeated, linked)
        while counts[LINKED] < m:
            if used == total:
                return sources, targets, False
            u = uniforms[used]
            used += 1
            if u < triangle_probability:  # a triad: a neighbour of the last preferential pick
                first, last = start[target], start[target] + size[target]
                if last - first > 2 * m:  # more than half are free: draw until one is
                    while True:
                        if used == total:
                            return sources, targets, False
                        at = first + int(uniforms[used] * (last - first))
                        used += 1
                        if _valid(arena, at, source, linked, counts[LINKED]):
                            break
                    arena = _link(source, arena[at], counts, sources, targets, arena, start,
                                  size, capacity, repeated, linked)
                    continue
                options = 0
                for at in range(first, last):
                    if _valid(arena, at, source, linked, counts[LINKED]):
                        options += 1
                if options > 0:
                    if used == total:
                        return sources, targets, False
                    pick = int(uniforms[used] * options)
                    used += 1
                    at = first
                    while True:
                        if _valid(arena, at, source, linked, counts[LINKED]):
                            if pick == 0:
                                break
                            pick -= 1
                        at += 1
                    arena = _link(source, arena[at], counts, sources, targets, arena, start,
                                  size, capacity, repeated, linked)
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
            arena = _link(source, target, counts, sources, targets, arena, start, size,
                          capacity, repeated, linked)
        for _ in range(m):
            repeated[counts[POOL]] = source
            counts[POOL] += 1
    return sources, targets, True
