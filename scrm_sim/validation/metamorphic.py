"""Metamorphic properties: a change with an obvious direction moves each metric that way, or not at all.

No theory gives the level of satisfaction or churn under an ownership model, but some
changes have a direction anyone would expect: hearing more posts with enough staff to
answer them, more staff, faster handling, acknowledging hand-offs, a higher cost of
silence, grievances that spread further. Each :class:`Property` is data: a name, the
edits that make the base and the variant scenario (:mod:`scrm_sim.validation.edits`),
and the metrics with the direction the variant must not be worse in.

For every ownership preset, both arms run on the same seeds (common random numbers:
``SCRMModel(scenario, seed=s)`` with the same ``s``), and for each metric the per-seed
differences d = variant − base are tested one-sided against "worse" with a paired
t-test at 1% (:func:`worse_p_value`). Each result is a :class:`~scrm_sim.validation.
checks.Check` with its p-value, so the suite's Holm procedure
(:mod:`scrm_sim.validation.family`) holds the family-wise error over every (preset ×
property × metric). When every difference is 0 the property holds trivially and the
check says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from scrm_sim.experiment.executors import pool_context
from scrm_sim.model import SCRMModel
from scrm_sim.scenario import Scenario, deep_merge, load_scenario
from scrm_sim.validation.checks import Check
from scrm_sim.validation.edits import Edit, edited, scaled, set_to

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
CORE_PRESETS = ("marketing_led", "service_led", "ceo_led", "hybrid")
CONFIDENCE = 0.99
# The company of scenarios/baseline.yaml with a fifth of its customers for three weeks: a
# run takes about half a second. Each customer posts five times as often, so that the staff
# see the baseline's load (with idle staff, staffing and handling would not matter).
SMALL_COMPANY = {"customers": {"count": 2000, "prospects": 1000},
                 "demand": {"volume_multiplier": 5.0}, "duration_days": 21}


class Direction(StrEnum):
    """Which way the variant must not move a metric."""

    NOT_LOWER = "not lower"
    NOT_HIGHER = "not higher"

    @property
    def worse(self) -> str:
        """The alternative hypothesis "the variant is worse", as scipy names it."""
        return "less" if self is Direction.NOT_LOWER else "greater"


NOT_LOWER, NOT_HIGHER = Direction.NOT_LOWER, Direction.NOT_HIGHER


@dataclass(frozen=True)
class Property:
    """A pair of scenarios and the metrics the variant must not make worse.

    ``base`` and ``variant`` are edits of the preset's scenario; ``expectations`` pairs
    each metric of the run summary with its direction.
    """

    name: str
    base: tuple[Edit, ...]
    variant: tuple[Edit, ...]
    expectations: tuple[tuple[str, Direction], ...]


STAFF_TO_ANSWER = set_to("ownership.staffing_scale", 3)

PROPERTIES: tuple[Property, ...] = (
    Property(
        "listening 0.3 → 0.95, staff ×3",
        base=(STAFF_TO_ANSWER, set_to("ownership.listening.coverage", 0.3)),
        variant=(STAFF_TO_ANSWER, set_to("ownership.listening.coverage", 0.95)),
        expectations=(("satisfaction_final", NOT_LOWER), ("churn_rate", NOT_HIGHER),
                      ("share_answered", NOT_LOWER)),
    ),
    Property(
        "social staff ×2",
        base=(set_to("ownership.staffing_scale", 1),),
        variant=(set_to("ownership.staffing_scale", 2),),
        expectations=(("share_within_sla", NOT_LOWER), ("satisfaction_final", NOT_LOWER),
                      ("share_answered", NOT_LOWER), ("backlog_mean", NOT_HIGHER)),
    ),
    Property(
        "handling 1.5× faster",
        base=(),
        variant=(scaled("company.departments.*.capacity_per_hour", 1.5),),
        expectations=(("share_within_sla", NOT_LOWER), ("satisfaction_final", NOT_LOWER),
                      ("churn_rate", NOT_HIGHER), ("backlog_mean", NOT_HIGHER)),
    ),
    Property(
        "silence penalty ×2",
        base=(),
        variant=(scaled("outcomes.silence_penalty", 2, cap=1),),
        expectations=(("satisfaction_final", NOT_HIGHER), ("churn_rate", NOT_LOWER)),
    ),
    Property(
        "negative transmission ×3",
        base=(),
        variant=(scaled("word_of_mouth.negative_transmission", 3, cap=1),),
        expectations=(("satisfaction_final", NOT_HIGHER), ("acquired", NOT_HIGHER),
                      ("negative_wom_reach", NOT_LOWER)),
    ),
    Property(
        "hand-offs acknowledged",
        base=(set_to("ownership.acknowledge_handoffs", False),),
        variant=(set_to("ownership.acknowledge_handoffs", True),),
        expectations=(("complaints_within_sla", NOT_LOWER), ("share_within_sla", NOT_LOWER)),
    ),
)


def small_company(preset: str, changes: dict[str, Any] | None = None) -> Scenario:
    """The baseline company scaled down (:data:`SMALL_COMPANY`, then ``changes``) under a preset."""
    return load_scenario(SCENARIO_DIR / "baseline.yaml",
                         deep_merge(SMALL_COMPANY, {**(changes or {}), "ownership": preset}))


def worse_p_value(differences: np.ndarray, direction: Direction) -> float:
    """One-sided paired t-test of "the variant is worse": the p-value.

    ``differences`` are variant − base per seed (NaNs dropped). Fewer than two cannot be
    tested: p is 1. When all are equal the test has no spread: p is 0 if they are worse,
    else 1 (all zero: the property holds trivially).
    """
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if len(d) < 2:
        return 1.0
    if np.ptp(d) == 0:
        worse = d[0] < 0 if direction is NOT_LOWER else d[0] > 0
        return 0.0 if worse else 1.0
    return float(stats.ttest_1samp(d, 0.0, alternative=direction.worse).pvalue)


def paired_check(group: str, name: str, differences: np.ndarray, direction: Direction) -> Check:
    """The check that the variant is not worse: mean difference and its one-sided 99% bound."""
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    p = worse_p_value(d, direction)
    mean = float(d.mean()) if len(d) else float("nan")
    margin = (float(stats.t.ppf(CONFIDENCE, len(d) - 1) * stats.sem(d))
              if len(d) > 1 and np.ptp(d) > 0 else 0.0)
    low, high = ((-np.inf, mean + margin) if direction is NOT_LOWER else (mean - margin, np.inf))
    if len(d) and not d.any():
        name += " (no change on any seed: holds trivially)"
    elif len(d) < len(differences):
        name += f" ({len(d)} of {len(differences)} seeds have a value)"
    return Check(group, name, 0.0, mean, low, high,
                 f"one-sided paired t-test of variant − base over {len(differences)} seeds, "
                 f"{CONFIDENCE:.0%}", p >= 1 - CONFIDENCE, p)


def metamorphic_checks(presets: Sequence[str], seeds: Sequence[int],
                       properties: Sequence[Property] = PROPERTIES,
                       changes: dict[str, Any] | None = None, workers: int | None = None
                       ) -> list[Check]:
    """Every property on every preset, paired over ``seeds``: one check per metric.

    Args:
        presets: ownership preset names.
        seeds: the seeds both arms of every pair run with.
        properties: the properties to check.
        changes: scenario changes over :data:`SMALL_COMPANY` (e.g. a shorter run).
        workers: processes (default: one per core); identical scenarios run once.
    """
    arms: dict[tuple[str, str], tuple[str, str]] = {}  # (preset, property) → (base, variant)
    for preset in presets:
        scenario = small_company(preset, changes)
        for prop in properties:
            where = f"{preset}, {prop.name}"
            arms[preset, prop.name] = (_as_key(edited(scenario, prop.base, where)),
                                       _as_key(edited(scenario, prop.variant, where)))
    scenarios = sorted({key for pair in arms.values() for key in pair})
    summaries = _run_all([(key, seed) for key in scenarios for seed in seeds], workers)
    checks = []
    for preset in presets:
        for prop in properties:
            base, variant = arms[preset, prop.name]
            for metric, direction in prop.expectations:
                differences = np.array([summaries[variant, s][metric] - summaries[base, s][metric]
                                        for s in seeds], dtype=float)
                checks.append(paired_check(f"Metamorphic, {preset}",
                                           f"{prop.name}: {metric} {direction}",
                                           differences, direction))
    return checks


def _as_key(scenario: Scenario) -> str:
    """The scenario as canonical JSON: equal scenarios run once."""
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True)


def _run_all(runs: list[tuple[str, int]], workers: int | None
             ) -> dict[tuple[str, int], dict[str, float]]:
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        return dict(zip(runs, map(_run_summary, runs), strict=True))
    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
        return dict(zip(runs, pool.map(_run_summary, runs, chunksize=2), strict=True))


def _run_summary(run: tuple[str, int]) -> dict[str, float]:
    """One run's summary (module level, so that worker processes can call it)."""
    key, seed = run
    return SCRMModel(Scenario.model_validate(json.loads(key)), seed=seed).run()
