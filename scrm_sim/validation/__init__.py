"""Analytic validation: the model's parts against results computed independently.

Erlang C for the response queue, Little's law on every queue, bond percolation for
word-of-mouth cascades, the Bass curve for adoption, and hand-off friction. Run it
with ``scrm-sim validate-model`` (fast) or ``make validate`` (full).
"""

from scrm_sim.validation.checks import Check
from scrm_sim.validation.suite import format_table, run_checks, table

__all__ = ["Check", "format_table", "run_checks", "table"]
