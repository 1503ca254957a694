"""What the browser view runs: one or two ownership models on the same company and seed.

:class:`SideBySide` holds up to two :class:`~scrm_sim.model.model.SCRMModel` runs that share
the scenario and the seed, so the same customers post the same things under both models
(common random numbers) and what differs on screen is the ownership model.

The view's knobs (:class:`Knobs`) are multipliers of each preset's own values, so a preset
is never silently changed: with every multiplier at 1, no added incident and no seed typed
in, each run is exactly the scenario's (the same scenario and seed as ``scrm-sim run``). A
scenario a user got wrong is kept as the same message the command line prints, for the
page to show, never as a traceback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from scrm_sim.errors import ScenarioError
from scrm_sim.experiment.runs import load_models
from scrm_sim.model.model import SCRMModel
from scrm_sim.scenario import available_models, load_scenario
from scrm_sim.scenario.loading import read_scenario, validate_scenario
from scrm_sim.scenario.schema import Scenario

SCENARIO_ENV = "SCRM_SIM_VIEW_SCENARIO"  # set by `scrm-sim view SCENARIO`
DEFAULT_SCENARIO = "baseline"
NETWORK_SAMPLE = 300  # customers drawn in the network panel; the layout of more is unreadable
NONE = "none"
ADDED_INCIDENT = {"duration_hours": 24.0, "complaint_multiplier": 8.0}  # the "add an incident" knob
FIRST_STEP_HOURS = 24  # hours per step when the page opens


def scenario_source() -> str:
    """The scenario the page shows: $SCRM_SIM_VIEW_SCENARIO, else the bundled baseline."""
    return os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO


def model_names() -> list[str]:
    """Every ownership preset, for the selectors."""
    return [m.name for m in available_models()]


@dataclass(frozen=True)
class Knobs:
    """What the sidebar sets. Every number is a multiplier of the preset's own value.

    Attributes:
        left: the left model (a preset name); ``None``: the scenario's own model, as the
            scenario file sets it (overrides included).
        right: the right model, or ``"none"`` for one model alone; ``None``: a default
            other than the left one.
        staffing: multiplies the model's ``staffing_scale`` (or the scenario's
            ``staffing_budget_fte`` where it sets an equal budget).
        listening: multiplies the listening coverage (each post type's), at most 100%.
        handoff_friction: multiplies the silo part of hand-off delay and loss.
        demand: multiplies ``demand.volume_multiplier``.
        added_incident_day: adds a service incident (24 h, complaints × 8) that day, to the
            scenario's own events; ``None``: none added.
        seed: both runs' seed; ``None``: the scenario's.
    """

    left: str | None = None
    right: str | None = None
    staffing: float = 1.0
    listening: float = 1.0
    handoff_friction: float = 1.0
    demand: float = 1.0
    added_incident_day: int | None = None
    seed: int | None = None

    @property
    def changes_scenario(self) -> bool:
        """Whether any knob moves the runs away from the scenario as written (the choice of
        models and the seed aside)."""
        return (self.staffing, self.listening, self.handoff_friction, self.demand,
                self.added_incident_day) != (1.0, 1.0, 1.0, 1.0, None)


def _scaled_ownership(own: dict[str, Any], knobs: Knobs, budgeted: bool) -> dict[str, Any]:
    """An ownership mapping (``model_dump`` of one) with the knobs' multipliers applied, its
    later stages' too."""
    own = dict(own)
    if not budgeted:
        own["staffing_scale"] = own["staffing_scale"] * knobs.staffing
    coverage = own["listening"]["coverage"]
    if isinstance(coverage, dict):
        coverage = {kind: min(1.0, share * knobs.listening) for kind, share in coverage.items()}
    else:
        coverage = min(1.0, coverage * knobs.listening)
    own["listening"] = {**own["listening"], "coverage": coverage}
    handoff = own["handoff"]
    own["handoff"] = {**handoff,
                      "silo_delay_hours": handoff["silo_delay_hours"] * knobs.handoff_friction,
                      "silo_loss": min(1.0, handoff["silo_loss"] * knobs.handoff_friction)}
    own["stages"] = [{**stage, "ownership": _scaled_ownership(stage["ownership"], knobs, budgeted)}
                     for stage in own["stages"]]
    return own


def with_knobs(config: Scenario, knobs: Knobs, path: Path) -> Scenario:
    """``config`` with the knobs' multipliers applied and validated again (errors name
    ``path``); ``config`` itself when no knob changes it."""
    if not knobs.changes_scenario:
        return config
    data = config.model_dump(mode="python")
    budgeted = data["staffing_budget_fte"] is not None
    if budgeted:
        data["staffing_budget_fte"] = data["staffing_budget_fte"] * knobs.staffing
    data["ownership"] = _scaled_ownership(data["ownership"], knobs, budgeted)
    demand = data["demand"]
    demand["volume_multiplier"] = demand["volume_multiplier"] * knobs.demand
    if knobs.added_incident_day is not None:
        demand["incidents"] = [*demand["incidents"],
                               {"start_day": knobs.added_incident_day, **ADDED_INCIDENT}]
    return validate_scenario(data, path)


def default_right(left: str, names: list[str]) -> str:
    """The model compared with ``left`` when the user has not chosen one."""
    for name in ("service_led", "marketing_led", *names):
        if name != left:
            return name
    return NONE


class SideBySide:
    """One or two ownership models on one company, stepped together.

    Args:
        knobs: the sidebar's choices (default: the scenario as written, against a second
            model).
        source: scenario file or bundled name (default: :func:`scenario_source`).

    ``error`` holds the command line's message when the scenario or a knob cannot be used
    (``runs`` is then empty).
    """

    def __init__(self, knobs: Knobs | None = None, source: str | None = None) -> None:
        self.source = source or scenario_source()
        self.knobs = knobs or Knobs()
        self.error: str | None = None
        self.runs: dict[str, SCRMModel] = {}
        self.scenario: Scenario | None = None  # as written, before any knob
        try:
            self.scenario = load_scenario(self.source)
            self.own_model = self.scenario.ownership.name
            left = self.knobs.left or self.own_model
            right = self.knobs.right or default_right(left, model_names())
            self.knobs = replace(self.knobs, left=left, right=right)
            names = [left] + ([right] if right not in (NONE, left) else [])
            self.seed = self.scenario.seed if self.knobs.seed is None else self.knobs.seed
            _, path = read_scenario(self.source)
            for name in names:
                config = (self.scenario if name == self.own_model
                          else load_models(self.source, [name])[name])
                self.runs[name] = SCRMModel(with_knobs(config, self.knobs, path), seed=self.seed)
        except ScenarioError as exc:
            self.error = exc.report()
            self.runs = {}
        except ValueError as exc:  # a seed the model refuses
            self.error = f"error: {exc}"
            self.runs = {}

    @property
    def names(self) -> list[str]:
        """The runs' ownership models, left first."""
        return list(self.runs)

    @property
    def hour(self) -> int:
        """Simulated hours so far (the same in every run)."""
        return next(iter(self.runs.values())).hour if self.runs else 0

    @property
    def horizon_hours(self) -> int:
        """The scenario's length in hours."""
        return self.scenario.steps if self.scenario is not None else 0

    @property
    def running(self) -> bool:
        """Whether any run has hours left."""
        return any(run.running for run in self.runs.values())

    def position(self, name: str) -> str:
        """The position in the debate that model ``name`` encodes (its preset's one line)."""
        run = self.runs.get(name)
        return run.config.ownership.position if run is not None else ""

    def advance(self, hours: int) -> None:
        """Advance every run by ``hours`` (fewer at the end of the scenario)."""
        for run in self.runs.values():
            for _ in range(hours):
                if not run.running:
                    break
                run.step()

    def run_to(self, hour: int) -> None:
        """Advance to ``hour`` (nothing if already there or past it)."""
        self.advance(max(0, min(hour, self.horizon_hours) - self.hour))


# Layouts by (scenario, seed): the same scenario and seed build the same networks, so a
# restart or a change of ownership model reuses the layout instead of recomputing it.
_CUSTOMER_LAYOUTS: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
_ORGANISATION_LAYOUTS: dict[tuple[str, int], dict] = {}


def network_sample(view: SideBySide, run: SCRMModel) -> tuple[np.ndarray, np.ndarray]:
    """A connected sample of customers (their rows) and their positions (one row each),
    computed once per scenario and seed."""
    key = (view.source, view.seed)
    if key not in _CUSTOMER_LAYOUTS:
        rows = _snowball(run.adjacency, NETWORK_SAMPLE)
        graph = nx.from_scipy_sparse_array(run.adjacency[rows][:, rows])
        layout = nx.spring_layout(graph, seed=1, iterations=60)
        _CUSTOMER_LAYOUTS[key] = rows, np.array([layout[k] for k in range(len(rows))])
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
    key = (view.source, view.seed)
    if key not in _ORGANISATION_LAYOUTS:
        _ORGANISATION_LAYOUTS[key] = nx.spring_layout(run.org_graph, seed=1, iterations=80)
    return _ORGANISATION_LAYOUTS[key]
