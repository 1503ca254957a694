"""The simulator a calibration fits: parameter values → the observed figures of one run.

It holds the client's scenario as resolved data (not a path), so that it can be shipped to
a Dask worker as is, and sets the calibrated fields over it for each run with the same
merge rules as any override (:func:`~scrm_sim.scenario.loading.deep_merge`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scrm_sim.scenario.limits import MAX_SEED


def simulation_seed(master: int, *keys: float | int) -> int:
    """A run's seed derived from the master seed and ``keys`` (e.g. the parameter values,
    or a draw's number): the same keys give the same seed on any machine and worker."""
    entropy = [int(master)]
    for key in keys:  # a float by its exact bits, so that 0.1 and 0.1000001 differ
        entropy.append(int(np.float64(key).view(np.uint64)) if isinstance(key, float)
                       else int(key))
    return int(np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0]) % MAX_SEED


def missing_value(name: str, days: float) -> float:
    """The value a statistic takes when a run cannot compute it (no posts, or no answers):
    its worst, so that such a run is far from any client with that figure.

    A share is 0; a response-time quantile is the whole period (never answered in it).
    """
    if name.startswith("first_response_hours."):
        return 24.0 * days
    if name in ("reply_rate", "share_within_sla", "share_resolved"):
        return 0.0
    return math.nan


@dataclass(frozen=True)
class Simulator:
    """Parameter values and a seed → the chosen statistics of one simulated run."""

    scenario: dict[str, Any]  # the client's scenario, resolved, duration set to the days
    source: str               # where it came from, for messages
    statistics: tuple[str, ...]
    days: float

    @classmethod
    def of(cls, scenario: str | Path, statistics: list[str], days: float) -> Simulator:
        """The simulator of a scenario (path or bundled name) over ``days``."""
        from scrm_sim.scenario import load_scenario

        resolved = load_scenario(scenario, {"duration_days": days})
        return cls(resolved.model_dump(mode="json"), str(scenario), tuple(statistics), days)

    def scenario_with(self, values: dict[str, float]) -> Any:
        """The scenario with each dotted path set to its value."""
        from scrm_sim.calibration.priors import merged_overrides
        from scrm_sim.scenario.loading import deep_merge, validate_scenario

        data = deep_merge(self.scenario, merged_overrides(values, self.days))
        return validate_scenario(data, Path(self.source))

    def figures(self, values: dict[str, float], seed: int) -> Any:
        """The observed figures of one run with these values and seed."""
        from scrm_sim.calibration.figures import figures_from_model
        from scrm_sim.model.model import SCRMModel

        model = SCRMModel(self.scenario_with(values), seed=seed)
        model.run()
        return figures_from_model(model)

    def __call__(self, values: dict[str, float], seed: int) -> dict[str, float]:
        """The chosen statistics of one run (a missing one at :func:`missing_value`)."""
        found = self.figures(values, seed).statistics()
        return {name: found.get(name, missing_value(name, self.days)) for name in self.statistics}
