"""The customers' social network and the organisation's network (networkx)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import scipy.sparse as sp

from scrm_sim.scenario.schema import NetworkSpec


def customer_graph(spec: NetworkSpec, n: int, seed: int) -> nx.Graph:
    """Build the customer graph with a networkx generator seeded from the model's rng."""
    k = max(1, min(n - 1, int(round(spec.mean_degree))))
    if n < 3 or spec.type == "complete":
        return nx.complete_graph(n)
    if spec.type == "erdos_renyi":
        return nx.fast_gnp_random_graph(n, spec.mean_degree / (n - 1), seed=seed)
    if spec.type == "watts_strogatz":
        return nx.watts_strogatz_graph(n, max(2, k), spec.rewire_probability, seed=seed)
    m = max(1, min(n - 1, int(round(spec.mean_degree / 2))))
    if spec.type == "barabasi_albert":
        return nx.barabasi_albert_graph(n, m, seed=seed)
    return nx.powerlaw_cluster_graph(n, m, spec.triangle_probability, seed=seed)


def adjacency(graph: nx.Graph) -> sp.csr_array:
    """CSR adjacency with rows in node order 0..n-1 (hot loops use this, not networkx)."""
    return nx.to_scipy_sparse_array(graph, nodelist=range(graph.number_of_nodes()), format="csr")


def neighbours_of(adj: sp.csr_array, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (source position, neighbour) pairs of ``nodes``, vectorised over CSR rows."""
    starts, ends = adj.indptr[nodes], adj.indptr[nodes + 1]
    lengths = ends - starts
    source = np.repeat(np.arange(len(nodes)), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return source, adj.indices[np.repeat(starts, lengths) + offsets]


def organisation_graph(departments: dict[str, list[int]], seed: int) -> nx.Graph:
    """Staff network: colleagues within a department, plus one liaison tie per department pair.

    Social-team recruitment spreads over it (people join where colleagues already have).
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
    names = [d for d, m in departments.items() if m]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            graph.add_edge(int(rng.choice(departments[a])), int(rng.choice(departments[b])))
    return graph
