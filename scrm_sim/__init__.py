"""scrm_sim: an agent-based simulation of who should own Social CRM inside a company."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from scrm_sim.model import SCRMModel  # noqa: E402
from scrm_sim.scenario import Scenario, load_scenario  # noqa: E402

__all__ = ["SCRMModel", "Scenario", "__version__", "load_results", "load_scenario"]


def __getattr__(name: str) -> Any:
    """``load_results`` on first use: the results store brings pandas' and scipy's statistics
    along, which a worker or a single run does not need at start-up (PEP 562)."""
    if name == "load_results":
        from scrm_sim.experiment.store import load_results

        return load_results
    raise AttributeError(f"module 'scrm_sim' has no attribute {name!r}")
