"""Running scenarios: single runs, paired comparisons of ownership models, and their output."""

from scrm_sim.experiment.runs import RunResult, compare, load_models, run_scenario

__all__ = ["RunResult", "compare", "load_models", "run_scenario"]
