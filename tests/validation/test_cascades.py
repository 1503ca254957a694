"""Word-of-mouth cascades against bond percolation on ER and BA graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from scrm_sim.validation.cascades import Percolation, cascade_checks


def test_percolation_theory_matches_the_closed_form_for_erdos_renyi():
    # Poisson degrees: T_c = 1/<k>, and the giant share solves S = 1 − exp(−<k>·T·S)
    rng = np.random.default_rng(0)
    theory = Percolation(rng.poisson(10, 200_000))
    assert theory.threshold == pytest.approx(0.1, rel=0.02)
    share = theory.giant_share(0.25)
    assert share == pytest.approx(1 - np.exp(-theory.mean_degree * 0.25 * share), abs=1e-3)


def test_no_giant_cascade_below_the_threshold():
    theory = Percolation(np.array([d for _, d in nx.barabasi_albert_graph(5000, 5, seed=1).degree()]))
    assert theory.giant_share(0.5 * theory.threshold) == pytest.approx(0.0, abs=1e-9)


def test_cascades_match_bond_percolation_on_er_and_ba_graphs():
    failed = [c for c in cascade_checks(nodes=10_000, cascades=200) if not c.passed]
    assert not failed, failed
