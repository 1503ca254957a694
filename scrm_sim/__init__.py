"""scrm_sim: an agent-based simulation of who should own Social CRM inside a company."""

__version__ = "0.1.0"

from scrm_sim.experiment.store import load_results  # noqa: E402
from scrm_sim.model import SCRMModel  # noqa: E402
from scrm_sim.scenario import Scenario, load_scenario  # noqa: E402

__all__ = ["SCRMModel", "Scenario", "__version__", "load_results", "load_scenario"]
