"""Validation: the model's parts against results computed independently.

Erlang C for the response queue, Little's law on every queue, bond percolation for
word-of-mouth cascades, the Bass curve for adoption, hand-off friction, and metamorphic
properties of every ownership preset. The suite's verdict holds the family-wise error
at 1% (Holm). Run it with ``scrm-sim validate-model`` (fast) or ``make validate`` (full).
"""

from scrm_sim.validation.checks import Check
from scrm_sim.validation.family import FamilyVerdict, family_verdict
from scrm_sim.validation.suite import format_table, run_checks, table

__all__ = ["Check", "FamilyVerdict", "family_verdict", "format_table", "run_checks", "table"]
