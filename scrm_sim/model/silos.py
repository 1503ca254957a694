"""Silos between departments: the routes hand-offs take and the friction of each hop.

A hand-off travels along the organisation network (:func:`scrm_sim.model.networks.
organisation_graph`): departments are adjacent when a liaison tie links a person in one
to a person in the other (``company.liaisons``), and a post goes hop by hop along the
shortest chain of them. Under ``all_pairs`` (the default) every department is adjacent to
every other, so every hand-off is one hop, as it always was; under ``through_executive``
work between functions goes through the top (seed 001, Anthony Nemelka: "There's the CEO,
the executive staff (organized by function), people reporting to them, and so on").

Each pair of departments has a silo strength of its own. It starts at its *base*, the mean
of the two departments' ``silo_strength`` (so the friction of a hop counts both the sending
and the receiving side), and drifts once a day (``company.silo_drift``): worn down by
culture, by sponsorship and by the cases the two departments handled together (seed 001,
Wim Rampen: putting specialists together "will tear down silo-boundaries"; seed 003:
service and marketing "talking more and more to each other as a result of social"), and
rebuilt toward its base when nothing wears it down.
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx
import numpy as np

from scrm_sim.scenario.schema import Company


def department_graph(org_graph: nx.Graph, department_of: Mapping[int, str],
                     departments: list[str]) -> nx.Graph:
    """Departments linked where any tie of the staff network crosses between them."""
    graph = nx.Graph()
    graph.add_nodes_from(d for d in departments if d in set(department_of.values()))
    graph.add_edges_from((department_of[u], department_of[v]) for u, v in org_graph.edges
                         if department_of[u] != department_of[v])
    return graph


class Silos:
    """Routes between departments and the silo strength of every pair.

    Args:
        company: the company (departments, their silo strengths, ``silo_drift``).
        graph: the department graph (:func:`department_graph`).
    """

    def __init__(self, company: Company, graph: nx.Graph) -> None:
        self.names = list(company.departments)
        self.index = {name: i for i, name in enumerate(self.names)}
        strength = np.array([company.departments[d].silo_strength for d in self.names])
        # the base of a pair: the mean of its two departments, as (a + b) / 2 always was
        self.base = (strength[:, None] + strength[None, :]) / 2.0
        self.strength = self.base.copy()
        self._strength_rows: list[list[float]] = self.strength.tolist()
        self._mean: float | None = None  # mean_strength, until the strengths next change
        # delivered hops between each pair today (symmetric), for learning by working together
        self.joint_cases_today = np.zeros_like(self.base)
        self.joint_cases_total = np.zeros_like(self.base)
        self.drift = company.silo_drift
        self._routes = {(a, b): path for a, paths in nx.all_pairs_shortest_path(graph)
                        for b, path in paths.items()}

    def route(self, sender: str, receiver: str, *, named_liaison: bool = False) -> list[str]:
        """Departments a hand-off passes through, the sender first and the receiver last
        (the shortest chain of liaisons; straight there when the receiver has a liaison
        named for the programme, ``ownership.handoff.named_liaisons``)."""
        if named_liaison:
            return [sender, receiver] if sender != receiver else [sender]
        return self._routes[sender, receiver]

    def pair_strength(self, a: str, b: str) -> float:
        """Current silo strength between two departments (before culture and authority)."""
        return self._strength_rows[self.index[a]][self.index[b]]

    def record_joint_case(self, a: str, b: str) -> None:
        """A hop delivered from ``a`` to ``b``: the two departments worked a case together."""
        i, j = self.index[a], self.index[b]
        self.joint_cases_today[i, j] += 1.0
        self.joint_cases_today[j, i] += 1.0

    @property
    def drifts(self) -> bool:
        """Whether anything wears silos down (otherwise every pair stays at its base)."""
        d = self.drift
        return d.culture_erosion > 0 or d.sponsorship_erosion > 0 or d.learning_per_joint_case > 0

    def record_team_day(self, members_by_department: Mapping[str, int]) -> None:
        """A day of a cross-functional social team: each pair of members from two different
        departments counts ``team_joint_cases_per_day`` joint cases for their silo."""
        rate = self.drift.team_joint_cases_per_day
        if rate <= 0:
            return
        counts = np.zeros(len(self.names))
        for name, members in members_by_department.items():
            counts[self.index[name]] = members
        pairs = np.outer(counts, counts)
        np.fill_diagonal(pairs, 0.0)
        self.joint_cases_today += rate * pairs

    def end_of_day(self, culture: float, sponsorship: float) -> None:
        """The daily drift of every pair at once::

            S ← S + (B − S) / rebuild_days
            S ← S · (1 − culture_erosion·culture − sponsorship_erosion·sponsorship)
                  · (1 − learning_per_joint_case)^(joint cases today)

        Joint cases today are the hops delivered between the pair plus, for a
        cross-functional team, its member pairs (:meth:`record_team_day`).
        """
        self.joint_cases_total += self.joint_cases_today
        if self.drifts:
            d = self.drift
            self.strength += (self.base - self.strength) / d.rebuild_days
            wear = 1.0 - d.culture_erosion * culture - d.sponsorship_erosion * sponsorship
            self.strength *= wear * (1.0 - d.learning_per_joint_case) ** self.joint_cases_today
            self._strength_rows = self.strength.tolist()
            self._mean = None
        self.joint_cases_today[:] = 0.0

    def mean_strength(self) -> float:
        """Mean silo strength over the pairs of different departments (reported every hour;
        kept until the daily drift changes the strengths)."""
        if self._mean is None:
            n = len(self.names)
            self._mean = 0.0 if n < 2 else float(
                (self.strength.sum() - np.trace(self.strength)) / (n * (n - 1)))
        return self._mean
