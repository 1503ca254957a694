"""The customers' social network and the organisation's network (networkx)."""

from __future__ import annotations

import sys

import networkx as nx
import numpy as np
import scipy.sparse as sp

from scrm_sim.scenario.schema import NetworkSpec


# The compiled Holme–Kim loop costs about 0.75 s to import and load; the Python loop about
# 13 µs a person: from this population on, the compiled one is faster.
COMPILED_FROM_PEOPLE = 100_000


def customer_adjacency(spec: NetworkSpec, n: int, seed: int) -> sp.csr_array:
    """The customer graph as CSR adjacency (rows in node order), seeded from the model's rng.

    ``powerlaw_cluster`` (the default) is the Holme–Kim model of
    ``networkx.powerlaw_cluster_graph``, built directly on arrays by
    :func:`holme_kim_adjacency` because it is the one generator every run needs and
    networkx's takes most of a baseline run's set-up time; the other types use networkx.
    """
    if spec.type == "powerlaw_cluster" and n > _attachments(spec, n) + 1:
        return holme_kim_adjacency(n, _attachments(spec, n), spec.triangle_probability, seed)
    return adjacency(customer_graph(spec, n, seed))


def customer_graph(spec: NetworkSpec, n: int, seed: int) -> nx.Graph:
    """Build the customer graph with a networkx generator."""
    k = max(1, min(n - 1, int(round(spec.mean_degree))))
    if n < 3 or spec.type == "complete":
        return nx.complete_graph(n)
    if spec.type == "erdos_renyi":
        return nx.fast_gnp_random_graph(n, spec.mean_degree / (n - 1), seed=seed)
    if spec.type == "watts_strogatz":
        return nx.watts_strogatz_graph(n, max(2, k), spec.rewire_probability, seed=seed)
    if spec.type == "barabasi_albert":
        return nx.barabasi_albert_graph(n, _attachments(spec, n), seed=seed)
    return nx.powerlaw_cluster_graph(n, _attachments(spec, n), spec.triangle_probability, seed=seed)


def _attachments(spec: NetworkSpec, n: int) -> int:
    """Edges each new node brings in the growth models (mean degree ≈ 2m)."""
    return max(1, min(n - 1, int(round(spec.mean_degree / 2))))


def holme_kim_adjacency(n: int, m: int, triangle_probability: float, seed: int,
                        compiled: bool | None = None) -> sp.csr_array:
    """Holme–Kim growth (preferential attachment plus triad formation) as CSR adjacency.

    The algorithm of ``networkx.powerlaw_cluster_graph`` (Holme & Kim 2002, Phys. Rev. E
    65, 026107): each new node links to m existing nodes chosen in proportion to their
    degree; after each such link, with probability ``triangle_probability`` the next link
    goes to a random neighbour of that node instead, closing a triangle. Degrees follow a
    power law with exponent about 3, clustering grows with the triangle probability.

    One difference from networkx: networkx keeps the m preferential picks in a Python
    set and pops them in hash order (smallest node id first), which favours old nodes
    and fattens the degree tail (<k²> about 350 against 250 here at n = 5,000, m = 5);
    here the picks are used in the random order they were drawn, as the model intends. And
    a triad at a node with more than 2m neighbours draws among them until it finds one not
    yet linked (at least half are), rather than listing the free ones: the same uniform
    choice, without a pass over a hub's neighbours for every triad.

    This loop is the readable reference. From ``COMPILED_FROM_PEOPLE`` people on, once the
    compiled loop is loaded (a pool worker has it: :mod:`scrm_sim.experiment.warm`), or with
    ``compiled=True``, the same algorithm runs compiled (:mod:`scrm_sim.model.holme_kim`) on
    the same draws and gives the same graph, edge for edge.
    """
    rng = np.random.default_rng(seed)
    if compiled is None:  # the same graph either way: the faster loop, once it is loaded
        compiled = n >= COMPILED_FROM_PEOPLE or "scrm_sim.model.holme_kim" in sys.modules
    if compiled:
        return _compiled_holme_kim(n, m, triangle_probability, rng)
    uniforms = iter(rng.random(4 * m * n + 64).tolist())  # enough for the expected draws
    neighbours: list[list[int]] = [[] for _ in range(n)]
    repeated: list[int] = list(range(m))  # each node once per link end: degree-weighted pool
    sources: list[int] = []
    targets: list[int] = []

    def uniform() -> float:
        try:
            return next(uniforms)
        except StopIteration:  # rare: top up from the same generator
            return float(rng.random())

    def link(source: int, target: int, linked: set[int]) -> None:
        linked.add(target)
        neighbours[source].append(target)
        neighbours[target].append(source)
        sources.append(source)
        targets.append(target)
        repeated.append(target)

    for source in range(m, n):
        linked: set[int] = set()
        candidates: list[int] = []
        while len(candidates) < m:
            node = repeated[int(uniform() * len(repeated))]
            if node not in candidates:
                candidates.append(node)
        target = candidates.pop()
        link(source, target, linked)
        while len(linked) < m:
            if uniform() < triangle_probability:
                around = neighbours[target]
                if len(around) > 2 * m:  # more than half are free: draw until one is
                    while True:
                        node = around[int(uniform() * len(around))]
                        if node != source and node not in linked:
                            break
                    link(source, node, linked)
                    continue
                options = [v for v in around if v != source and v not in linked]
                if options:
                    link(source, options[int(uniform() * len(options))], linked)
                    continue
            while candidates and candidates[-1] in linked:
                candidates.pop()
            if not candidates:  # all preferential picks were taken by triads: draw another
                node = repeated[int(uniform() * len(repeated))]
                if node not in linked:
                    candidates.append(node)
                continue
            target = candidates.pop()
            link(source, target, linked)
        repeated.extend([source] * m)
    return _symmetric(n, np.array(sources, dtype=np.int64), np.array(targets, dtype=np.int64))


def _compiled_holme_kim(n: int, m: int, triangle_probability: float,
                        rng: np.random.Generator) -> sp.csr_array:
    """Holme–Kim growth by the compiled loop, drawing exactly what the Python loop draws:
    the same block of uniforms first, topped up from the same generator if it runs out."""
    from scrm_sim.model.holme_kim import grow  # numba: imported only where it pays

    uniforms = rng.random(4 * m * n + 64)
    while True:
        sources, targets, enough = grow(n, m, triangle_probability, uniforms)
        if enough:
            return _symmetric(n, sources, targets)
        uniforms = np.concatenate([uniforms, rng.random(len(uniforms))])


def _symmetric(n: int, sources: np.ndarray, targets: np.ndarray) -> sp.csr_array:
    """CSR adjacency of an undirected edge list."""
    row = np.concatenate([sources, targets])
    col = np.concatenate([targets, sources])
    matrix = sp.csr_array((np.ones(len(row), dtype=np.int8), (row, col)), shape=(n, n))
    matrix.sum_duplicates()
    return matrix


def adjacency(graph: nx.Graph) -> sp.csr_array:
    """CSR adjacency with rows in node order 0..n-1 (hot loops use this, not networkx)."""
    return nx.to_scipy_sparse_array(graph, nodelist=range(graph.number_of_nodes()), format="csr")


def neighbours_of(adj: sp.csr_array, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (source position, neighbour) pairs of ``nodes``, vectorised over CSR rows."""
    starts = adj.indptr[nodes]
    lengths = adj.indptr[nodes + 1] - starts
    source = np.repeat(np.arange(len(nodes)), lengths)
    # pair p of the list is entry p - (pairs before its node) of the node's CSR row
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return source, adj.indices[np.arange(len(source)) + shift]


def organisation_graph(departments: dict[str, list[int]], seed: int,
                       liaisons: list[tuple[str, str]] | None = None) -> nx.Graph:
    """Staff network: colleagues within a department, plus one liaison tie per linked pair of
    departments (``liaisons``; None: every pair, in department order).

    Social-team recruitment spreads over it (people join where colleagues already have), and
    hand-offs travel along its ties between departments (:mod:`scrm_sim.model.silos`).
    """
    graph = nx.Graph()
    rng = np.random.default_rng(seed)
    for members in departments.values():
        graph.add_nodes_from(members)
        if len(members) > 1:
            # each person knows ~4 colleagues (small world within the department)
            k = min(len(members) - 1, 4)
            inner = nx.watts_strogatz_graph(len(members), max(2, k) if len(members) > 2 else 1,
                                            0.1, seed=int(rng.integers(2**31)))
            graph.add_edges_from((members[a], members[b]) for a, b in inner.edges)
    if liaisons is None:
        names = [d for d, m in departments.items() if m]
        liaisons = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]
    for a, b in liaisons:
        graph.add_edge(int(rng.choice(departments[a])), int(rng.choice(departments[b])))
    return graph
