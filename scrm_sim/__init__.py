"""scrm_sim: an agent-based simulation of who should own Social CRM inside a company."""

from scrm_sim.model import SCRMModel
from scrm_sim.scenario import Scenario, load_scenario

__version__ = "0.1.0"

__all__ = ["SCRMModel", "Scenario", "__version__", "load_scenario"]
