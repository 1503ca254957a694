"""Design points: full factorial, Latin hypercube (scipy.stats.qmc), Sobol and Morris (SALib).

``sample(experiment)`` gives the design points (each a mapping from a factor's key, its
dotted path or ``path@model`` for a model's own parameter, to its value), and for the
SALib designs the SALib problem and the raw sample matrix that the sensitivity analysis
needs.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy.stats import qmc

from scrm_sim.errors import ScenarioError
from scrm_sim.experiment.spec import Experiment, Factor, size_problems
from scrm_sim.scenario.limits import max_runs

Point = dict[str, Any]


def salib_problem(factors: list[Factor]) -> dict[str, Any]:
    """The SALib problem description of ranged factors."""
    return {"num_vars": len(factors), "names": [f.key for f in factors],
            "bounds": [list(f.range) for f in factors]}


def sample(experiment: Experiment) -> tuple[list[Point], dict[str, Any] | None, np.ndarray | None]:
    """Design points in a fixed order; the SALib problem and sample matrix (Sobol, Morris)."""
    if experiment.run_count() > max_runs():  # before building a point (10**10 would hang)
        raise ScenarioError(experiment.name, size_problems(experiment))
    factors = experiment.factors
    if not factors:
        return [{}], None, None
    seed = experiment.seed
    problem = None
    if experiment.design == "full_factorial":
        rows = itertools.product(*(f.levels() for f in factors))
        points = [{path: value for level in row for path, value in level.items()} for row in rows]
        return points, None, None
    if experiment.design == "latin_hypercube":
        quantiles = qmc.LatinHypercube(d=len(factors), seed=seed).random(experiment.samples)
        matrix = np.column_stack([_from_quantiles(f, quantiles[:, i])
                                  for i, f in enumerate(factors)])
    elif experiment.design == "sobol":
        problem = salib_problem(factors)
        second = bool(experiment.design_options.get("calc_second_order", False))
        matrix = sobol_sample.sample(problem, experiment.samples, calc_second_order=second,
                                     seed=seed)
    else:
        problem = salib_problem(factors)
        levels = int(experiment.design_options.get("num_levels", 4))
        matrix = morris_sample.sample(problem, experiment.samples, num_levels=levels, seed=seed)
    points = []
    for row in matrix:
        points.append({f.key: (int(round(v)) if f.integer else float(v))
                       for f, v in zip(factors, row, strict=True)})
    return points, problem, matrix


def _from_quantiles(factor: Factor, quantiles: np.ndarray) -> np.ndarray:
    if factor.distribution is not None:
        return np.asarray(factor.distribution.ppf(quantiles), dtype=float)
    low, high = factor.range
    return low + quantiles * (high - low)
