"""The validation suite: every analytic anchor and metamorphic property, fast or full, and its table.

The suite's verdict is family-wise (:mod:`scrm_sim.validation.family`): Holm at 1% over
every check's p-value and the count of tolerance-check failures. The table shows each
check's own result and its part in that verdict.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pandas as pd

from scrm_sim.scenario import available_models
from scrm_sim.validation.adoption import bass_checks
from scrm_sim.validation.cascades import cascade_checks
from scrm_sim.validation.checks import Check
from scrm_sim.validation.facts import fact_checks
from scrm_sim.validation.family import FamilyVerdict, family_verdict
from scrm_sim.validation.handoffs import handoff_checks
from scrm_sim.validation.metamorphic import CORE_PRESETS, metamorphic_checks
from scrm_sim.validation.queueing import erlang_c_checks, littles_law_checks

# (c, λ per hour, μ per hour, days): a spread of sizes and loads, high load included
FAST_ERLANG_CASES = [(5, 4.0, 1.0, 60.0), (2, 1.0, 1.0, 60.0), (3, 2.7, 1.0, 120.0)]
# the full suite runs four times longer, for intervals half as wide
FULL_ERLANG_CASES = [(5, 4.0, 1.0, 240.0), (2, 1.0, 1.0, 240.0), (3, 2.7, 1.0, 480.0),
                     (10, 30.0, 4.0, 60.0), (1, 0.5, 1.0, 240.0), (8, 7.6, 1.0, 480.0)]
# paired seeds of every metamorphic property: enough for a one-sided t-test to survive
# Holm over a few hundred hypotheses when the effect is consistent across seeds
METAMORPHIC_SEEDS = range(1, 9)


def suite(full: bool = False) -> list[tuple[str, Callable[[], list[Check]]]]:
    """The checks to run, by name; ``full`` uses more replications and cases."""
    if not full:
        return [
            ("Erlang C", lambda: erlang_c_checks(FAST_ERLANG_CASES, seeds=range(6))),
            ("Little's law", lambda: littles_law_checks("marketing_led")
             + littles_law_checks("hybrid")),
            ("Cascades", lambda: cascade_checks(nodes=10_000, cascades=200)),
            ("Bass adoption", lambda: bass_checks(seeds=range(10))),
            ("Hand-offs", lambda: handoff_checks(seeds=(1, 2)) + handoff_checks(
                silo_delays=(8.0,), seeds=(1, 2), liaisons="through_executive")),
            ("Stylised facts F1–F7", fact_checks),
            ("Metamorphic properties (core presets)",
             lambda: metamorphic_checks(CORE_PRESETS, METAMORPHIC_SEEDS)),
        ]
    return [
        ("Erlang C", lambda: erlang_c_checks(FULL_ERLANG_CASES, seeds=range(10))),
        ("Little's law", lambda: [c for model in ("marketing_led", "service_led", "ceo_led",
                                                  "hybrid") for c in littles_law_checks(model)]),
        ("Cascades", lambda: cascade_checks(nodes=30_000, cascades=400)),
        ("Bass adoption", lambda: bass_checks(seeds=range(30))),
        ("Hand-offs", lambda: handoff_checks(silo_delays=(0.0, 2.0, 4.0, 8.0, 16.0),
                                             seeds=(1, 2, 3))
         + handoff_checks(silo_delays=(0.0, 8.0, 16.0), seeds=(1, 2, 3),
                          liaisons="through_executive")),
        ("Stylised facts F1–F7", fact_checks),
        ("Metamorphic properties (every preset)",
         lambda: metamorphic_checks([m.name for m in available_models()], METAMORPHIC_SEEDS)),
    ]


def run_checks(full: bool = False, progress: bool = True) -> list[Check]:
    """Run the suite; progress per group on stderr."""
    checks: list[Check] = []
    for name, run in suite(full):
        if progress:
            print(f"  running {name} …", file=sys.stderr, flush=True)
        checks += run()
    return checks


def table(checks: list[Check]) -> pd.DataFrame:
    """Checks as a DataFrame (one row each), with the Holm-adjusted p-value and the
    family-wise verdict of each."""
    verdict = family_verdict(checks)
    rows = pd.DataFrame([c.as_row() for c in checks])
    rows["holm_p"] = verdict.holm_p
    rows["family_verdict"] = ["FAIL" if f else "pass" for f in verdict.failed]
    return rows


def format_table(checks: list[Check], verdict: FamilyVerdict | None = None) -> str:
    """A plain-text table: expected, measured, interval, p-values, and two verdicts.

    ``alone`` is the check's own verdict at 1%; ``family`` its verdict under the
    family-wise control. A tolerance check has no p-value; its Holm p is that of the
    count of tolerance failures, shown where it failed on its own.
    """
    verdict = verdict or family_verdict(checks)
    lines = [f"{'check':<78} {'expected':>10} {'measured':>10} {'interval':>23} "
             f"{'p':>8} {'Holm p':>8}  alone  family"]
    group = None
    for c, holm_p, failed in zip(checks, verdict.holm_p, verdict.failed, strict=True):
        if c.group != group:
            group = c.group
            rules = dict.fromkeys(x.tolerance for x in checks if x.group == group)
            lines.append(f"-- {group}: {'; '.join(rules)}")
        interval = f"[{c.low:.4g}, {c.high:.4g}]"
        p = "—" if c.p_value is None else f"{c.p_value:.2g}"
        adjusted = "—" if c.p_value is None and c.passed else f"{holm_p:.2g}"
        lines.append(f"{c.name[:78]:<78} {c.expected:>10.4g} {c.measured:>10.4g} {interval:>23} "
                     f"{p:>8} {adjusted:>8}  {'pass' if c.passed else 'fail':<5}  "
                     f"{'FAIL' if failed else 'pass'}")
    passed = sum(c.passed for c in checks)
    lines.append(f"{passed}/{len(checks)} checks pass on their own")
    lines += verdict.describe()
    return "\n".join(lines)
