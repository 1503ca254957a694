"""What the browser view runs: one or two ownership models on the same company and seed.

:class:`SideBySide` is a Mesa model whose keyword arguments are the view's knobs, so that
Mesa's SolaraViz can rebuild it when a knob changes. It holds up to two
:class:`~scrm_sim.model.model.SCRMModel` runs that share the scenario and the seed, so the
same customers post the same things under both models (common random numbers) and what
differs on screen is the ownership model. A scenario a user got wrong is kept as the same
message the command line prints, for the page to show, never as a traceback.
"""

from __future__ import annotations

import os
from typing import Any

import mesa
import networkx as nx
import numpy as np

from scrm_sim.errors import ScenarioError
from scrm_sim.model.model import SCRMModel
from scrm_sim.scenario import available_models, deep_merge, load_scenario

SCENARIO_ENV = "SCRM_SIM_VIEW_SCENARIO"  # set by `scrm-sim view SCENARIO`
DEFAULT_SCENARIO = "baseline"
NETWORK_SAMPLE = 300  # customers drawn in the network panel; the layout of more is unreadable
NONE = "none"


def model_names() -> list[str]:
    """Every ownership preset, for the selectors."""
    return [m.name for m in available_models()]


class SideBySide(mesa.Model):
    """One or two ownership models on one company, stepped together hour by hour.

    Args:
        ownership: the left model (a preset name).
        compare_with: the right model, or ``"none"`` for one model alone.
        staffing_scale: multiplies social role counts (``ownership.staffing_scale``).
        listening_coverage: share of posts heard (``ownership.listening.coverage``).
        handoff_friction: multiplies the silo part of hand-off delay and loss.
        demand: multiplies every posting rate (``demand.volume_multiplier``).
        incident: a service incident on day 2 (24 h, complaints × 8) instead of the
            scenario's own incidents.
        seed: shared by both models.
        source: scenario file or bundled name (default: $SCRM_SIM_VIEW_SCENARIO, else
            baseline).
    """

    def __init__(
        self,
        ownership: str = "service_led",
        compare_with: str = "marketing_led",
        staffing_scale: float = 1.0,
        listening_coverage: float = 0.8,
        handoff_friction: float = 1.0,
        demand: float = 1.0,
        incident: bool = True,
        seed: int | str = 42,
        source: str | None = None,
    ) -> None:
        try:
            self.seed_value = int(seed)
        except ValueError:
            self.seed_value = -1
        super().__init__(rng=max(0, self.seed_value))
        # not `scenario`: Mesa passes its own Scenario object under that name on reset
        self.source = source or os.environ.get(SCENARIO_ENV, DEFAULT_SCENARIO)
        self.error: str | None = None
        self.runs: dict[str, SCRMModel] = {}
        names = [ownership] + ([compare_with] if compare_with not in (NONE, ownership) else [])
        changes: dict[str, Any] = {"demand": {"volume_multiplier": float(demand)}}
        if incident:
            changes["demand"]["incidents"] = [
                {"start_day": 2, "duration_hours": 24, "complaint_multiplier": 8.0}]
        if self.seed_value < 0:
            self.error = f"seed: must be a whole number of 0 or more, got {seed!r}"
            self.running = False
            return
        try:
            for name in names:
                own = {"extends": name, "staffing_scale": float(staffing_scale),
                       "listening": {"coverage": float(listening_coverage)}}
                config = load_scenario(self.source, deep_merge(changes, {"ownership": own}))
                handoff = config.ownership.handoff
                config.ownership.handoff = handoff.model_copy(update={
                    "silo_delay_hours": handoff.silo_delay_hours * handoff_friction,
                    "silo_loss": min(1.0, handoff.silo_loss * handoff_friction),
                })
                self.runs[name] = SCRMModel(config, seed=self.seed_value)
        except ScenarioError as exc:
            self.error = exc.report()
            self.runs = {}
            self.running = False

    @property
    def hour(self) -> int:
        """Simulated hours so far (the same in every run)."""
        return next(iter(self.runs.values())).hour if self.runs else 0

    def step(self) -> None:
        """Advance every run by one hour."""
        for run in self.runs.values():
            if run.running:
                run.step()
        self.running = any(run.running for run in self.runs.values())


# Layouts by (scenario, seed): the same scenario and seed build the same networks, so a reset
# or a change of ownership model reuses the layout instead of recomputing it.
_CUSTOMER_LAYOUTS: dict[tuple[str, int], tuple[np.ndarray, dict]] = {}
_ORGANISATION_LAYOUTS: dict[tuple[str, int], dict] = {}


def network_sample(view: SideBySide, run: SCRMModel) -> tuple[np.ndarray, dict]:
    """A connected sample of customers and its layout, computed once per scenario and seed."""
    key = (view.source, view.seed_value)
    if key not in _CUSTOMER_LAYOUTS:
        rows = _snowball(run.adjacency, NETWORK_SAMPLE)
        graph = nx.from_scipy_sparse_array(run.adjacency[rows][:, rows])
        _CUSTOMER_LAYOUTS[key] = rows, nx.spring_layout(graph, seed=1, iterations=60)
    return _CUSTOMER_LAYOUTS[key]


def _snowball(adjacency: Any, size: int, per_person: int = 4) -> np.ndarray:
    """Breadth first from the first customer, following at most ``per_person`` contacts of
    each person, so that hubs do not turn the sample into one star."""
    draw = np.random.default_rng(0)  # drawing only: not the model's randomness
    seen, queue = {0}, [0]
    for person in queue:
        contacts = adjacency.indices[adjacency.indptr[person]:adjacency.indptr[person + 1]]
        for contact in draw.permutation(contacts)[:per_person].tolist():
            if contact not in seen and len(seen) < size:
                seen.add(contact)
                queue.append(contact)
        if len(seen) >= size:
            break
    return np.array(sorted(seen))


def organisation_layout(view: SideBySide, run: SCRMModel) -> dict:
    """Layout of the organisation graph (staff ids to positions), computed once."""
    key = (view.source, view.seed_value)
    if key not in _ORGANISATION_LAYOUTS:
        _ORGANISATION_LAYOUTS[key] = nx.spring_layout(run.org_graph, seed=1, iterations=80)
    return _ORGANISATION_LAYOUTS[key]
