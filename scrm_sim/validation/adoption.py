"""Acquisition by word of mouth against the Bass model (VALIDATION.md).

On a fully mixed population (a complete customer graph) with no churn, no leads and
no replies, adopters post praise at rate r per day; every post is seen by all other
N − 1 people, and a prospect who sees it converts with probability c; marketing
reach converts a prospect with probability p per day. The adopted share F then
follows the Bass equation dF/dt = (p' + q F)(1 − F), with p' = −ln(1 − p) and
q = r·c·N (Bass 1969). The model's daily-discrete external conversion and hourly
posting approximate the continuous equation; the ODE is solved from the same
initial share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from scrm_sim.analysis.statistics import mean_ci
from scrm_sim.model import SCRMModel
from scrm_sim.scenario import Scenario, load_scenario
from scrm_sim.validation.checks import Check, inside

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
CONFIDENCE = 0.99
ABSOLUTE_TOLERANCE = 0.02


def bass_scenario(people: int, initial: int, praise_per_day: float, conversion: float,
                  external: float, days: float) -> Scenario:
    """The fully mixed adoption reduction (scenarios/validation/bass.yaml) at given values."""
    return load_scenario(SCENARIO_DIR / "validation" / "bass.yaml", {
        "duration_days": days,
        "customers": {"count": initial, "prospects": people - initial},
        "demand": {"rates_per_customer_per_day": {"praise": praise_per_day}},
        "word_of_mouth": {"positive_conversion": conversion,
                          "external_acquisition_per_day": external},
    })


def bass_share(days: np.ndarray, p: float, q: float, initial_share: float) -> np.ndarray:
    """Adopted share F(t) from the Bass equation, solved numerically."""
    solution = solve_ivp(lambda _, f: (p + q * f) * (1 - f), (0.0, float(days[-1])),
                         [initial_share], t_eval=days, rtol=1e-9, atol=1e-12)
    return solution.y[0]


def bass_checks(seeds: Sequence[int], people: int = 600, days: float = 40.0) -> list[Check]:
    """Adopted share at several days against the Bass curve.

    Tolerance checks (no p-value): the curve must lie in the 99% interval widened to
    ±0.02, the gap between the model's daily steps and the continuous equation.
    """
    initial, praise, conversion, external = 30, 0.05, 0.01, 0.01
    scenario = bass_scenario(people, initial, praise, conversion, external, days)
    checkpoints = np.array([5.0, 10.0, 15.0, 20.0, 30.0, days])
    shares = []
    for seed in seeds:
        model = SCRMModel(scenario, seed=seed)
        model.run()
        customers = model.datacollector.get_model_vars_dataframe()["customers"].to_numpy()
        shares.append(customers[(checkpoints * 24).astype(int) - 1] / people)
    shares = np.array(shares)
    # posts by the adopters themselves: each reaches N − 1 others
    q = praise * conversion * (people - 1)
    expected = bass_share(checkpoints, -math.log(1 - external), q, initial / people)
    checks = []
    for i, day in enumerate(checkpoints):
        mean, low, high = mean_ci(shares[:, i], CONFIDENCE)
        low, high = min(low, mean - ABSOLUTE_TOLERANCE), max(high, mean + ABSOLUTE_TOLERANCE)
        checks.append(Check(
            "Bass adoption", f"adopted share on day {day:g} (N={people}, p={external}, q={q:.3f})",
            float(expected[i]), mean, low, high,
            "Bass curve inside the 99% CI widened to ±0.02 (daily vs continuous time)",
            inside(float(expected[i]), low, high),
        ))
    return checks
