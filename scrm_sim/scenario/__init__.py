"""Scenario schema, loading (YAML, ``extends:``, presets) and consistency checks."""

from scrm_sim.scenario.loading import available_models, deep_merge, load_scenario
from scrm_sim.scenario.schema import POST_TYPES, Ownership, PostType, Scenario

__all__ = [
    "POST_TYPES", "Ownership", "PostType", "Scenario", "available_models", "deep_merge",
    "load_scenario",
]
