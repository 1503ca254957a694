"""The params file of a calibration: which scenario fields to fit, their priors, ABC settings.

A params file (``calib.yaml``) looks like::

    parameters:
      demand.volume_multiplier: {prior: log_uniform, low: 0.25, high: 4}
      handling.cv: {prior: uniform, low: 0.2, high: 2}
    abc:                      # every setting is optional; the defaults are below
      population_size: 100
      max_generations: 8
      statistics: [posts_per_day, reply_rate, first_response_hours]

Everything is checked here, before any simulation: each path names a numeric (float) field
of the scenario, each prior lies inside that field's allowed range, the scenario loads at
the lowest and at the highest values of all priors together, and each statistic is one the
observed file has. A problem is a :class:`~scrm_sim.errors.CalibrationError` naming the
params file and the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, model_validator

from scrm_sim.calibration.figures import ObservedFigures
from scrm_sim.errors import CalibrationError, Problem, ScenarioError
from scrm_sim.scenario.limits import MAX_SEED, capped
from scrm_sim.scenario.loading import deep_merge, load_scenario, read_validated
from scrm_sim.scenario.problems import did_you_mean
from scrm_sim.scenario.schema import StrictModel

# settings that only say when to stop (or how many predictive draws to make): a stored run
# may be continued with other values; every other input must be the same to resume
STOPPING_SETTINGS = frozenset({"max_generations", "min_epsilon", "max_simulations",
                               "min_acceptance_rate", "predictive_draws"})


class Prior(StrictModel):
    """The prior of one parameter: uniform, or uniform in its logarithm, on [low, high]."""

    prior: Literal["uniform", "log_uniform"] = Field(
        "uniform", description="uniform on [low, high], or log_uniform: uniform in the "
        "logarithm (for a scale such as a multiplier, where 0.5 is as far from 1 as 2 is).")
    low: float = Field(description="Lowest value.")
    high: float = Field(description="Highest value (above low).")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.low < self.high:
            raise ValueError(f"low {self.low:g} must be below high {self.high:g}")
        if self.prior == "log_uniform" and self.low <= 0:
            raise ValueError(f"a log_uniform prior needs low above 0, got {self.low:g}")
        return self

    @property
    def log_scale(self) -> bool:
        """Whether the ABC samples (and perturbs) this parameter's logarithm."""
        return self.prior == "log_uniform"

    def sampled_bounds(self) -> tuple[float, float]:
        """The bounds in the space the ABC samples: the value, or its log10."""
        if self.log_scale:
            return math.log10(self.low), math.log10(self.high)
        return self.low, self.high

    def value(self, sampled: float) -> float:
        """A field value from a sampled one (inverse of the log for log_uniform)."""
        return float(10.0 ** sampled) if self.log_scale else float(sampled)


class AbcSettings(StrictModel):
    """How the ABC-SMC runs and when it stops (documented defaults)."""

    population_size: int = Field(100, ge=10, le=100_000,
                                 description="Accepted particles per generation.")
    max_generations: int = Field(8, ge=1, le=1000, description="Stop after this many "
                                 "generations (a rerun may raise it to continue).")
    min_epsilon: float = Field(0.0, ge=0.0, description="Stop once the acceptance threshold "
                               "(a weighted distance) is at or below this; 0 = never.")
    max_simulations: int = Field(20_000, ge=1, description="Stop after the generation in "
                                 "which the total number of simulations reaches this.")
    min_acceptance_rate: Annotated[float, Field(ge=0.0, le=1.0)] = Field(
        0.01, description="Give up a generation (and stop) once its acceptance rate would "
        "fall below this: more simulations would hardly sharpen the posterior.")
    statistics: list[str] | None = Field(
        None, description="Summary statistics to fit, by name (e.g. posts_per_day, "
        "reply_rate) or group (hour_of_day_profile, volume_per_day, survey); default: "
        "every figure of the observed file.")
    days: Annotated[float, Field(gt=0.0)] | None = Field(
        None, description="Days each simulation runs; default: the observed period.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Master seed (--seed overrides).")
    predictive_draws: int = Field(50, ge=2, le=10_000, description="Posterior draws "
                                  "simulated for the posterior predictive check.")


class CalibrationSpec(StrictModel):
    """Everything in a params file."""

    parameters: dict[str, Prior] = Field(min_length=1, description="Dotted scenario path → "
                                         "its prior.")
    abc: AbcSettings = Field(default_factory=AbcSettings)


@dataclass(frozen=True)
class Calibration:
    """A checked params file with what it resolves to against the scenario and figures."""

    spec: CalibrationSpec
    path: Path
    statistics: list[str]   # names of the observed statistics fitted, in the file's order
    observed: dict[str, float]  # those statistics' observed values
    days: float
    seed: int

    @property
    def parameters(self) -> dict[str, Prior]:
        """Dotted path → prior."""
        return self.spec.parameters

    def overrides(self, values: dict[str, float]) -> dict[str, Any]:
        """Scenario overrides that set each parameter and the simulated days."""
        return merged_overrides(values, self.days)


def merged_overrides(values: dict[str, float], days: float) -> dict[str, Any]:
    """The nested overrides setting each dotted path to its value, and ``duration_days``."""
    from scrm_sim.experiment.spec import nested

    merged: dict[str, Any] = {"duration_days": days}
    for path, value in values.items():
        merged = deep_merge(merged, nested(path, value))
    return merged


def load_calibration(params: str | Path, scenario: str | Path, observed: ObservedFigures,
                     seed: int | None = None) -> Calibration:
    """Read and check a params file against the scenario and the observed figures.

    Args:
        params: the params file.
        scenario: the client's scenario (a path or a bundled name); it must load already.
        observed: the client's observed figures.
        seed: the command line's seed, which wins over the file's.

    Raises:
        CalibrationError: anything wrong in the params file, naming its field.
    """
    path = Path(params)
    if not path.is_file():
        raise CalibrationError(path, [Problem("--params", "file not found")])
    spec = read_validated(path, CalibrationSpec, CalibrationError)
    problems = _field_problems(spec)
    statistics, found = _chosen_statistics(spec.abc.statistics, observed)
    problems += found
    if problems:
        raise CalibrationError(path, capped(problems))
    days = spec.abc.days if spec.abc.days is not None else observed.days
    problems = _corner_problems(spec, scenario, days)
    if problems:
        raise CalibrationError(path, capped(problems))
    known = observed.statistics()
    return Calibration(spec=spec, path=path, statistics=statistics,
                       observed={name: known[name] for name in statistics}, days=days,
                       seed=spec.abc.seed if seed is None else seed)


def _field_problems(spec: CalibrationSpec) -> list[Problem]:
    """Each path a continuous numeric field, each prior inside the field's range."""
    from scrm_sim.experiment.worlds import numeric_field

    problems = []
    for name, prior in spec.parameters.items():
        where = f"parameters.{name}"
        leaf = numeric_field(name)
        if isinstance(leaf, str):
            problems.append(Problem(where, f"{leaf} (see scrm-sim explain for the fields)"))
        elif leaf.kind is int:
            problems.append(Problem(where, "is a whole-number field; calibration fits "
                                    "continuous fields only (fix this one in the scenario)"))
        elif prior.low < leaf.lowest or prior.high > leaf.highest:
            problems.append(Problem(where, f"prior [{prior.low:g}, {prior.high:g}] leaves the "
                                    f"field's allowed range: it must be {leaf.allowed}"))
    return problems


def _chosen_statistics(names: list[str] | None,
                       observed: ObservedFigures) -> tuple[list[str], list[Problem]]:
    """The statistics named (a group name stands for all of its members), or all known."""
    known = list(observed.statistics())
    if names is None:
        return known, []
    chosen: list[str] = []
    problems = []
    groups = sorted({k.split(".")[0] for k in known if "." in k})
    for i, name in enumerate(names):
        members = [name] if name in known else [k for k in known if k.startswith(name + ".")]
        if not members:
            hint = did_you_mean(name, known + groups)
            problems.append(Problem(f"abc.statistics.{i}", (
                f"{name!r} is not a figure of the observed file{hint}; known: "
                f"{', '.join(known)} (or a group: {', '.join(groups)})")))
        chosen += [m for m in members if m not in chosen]
    if not names:
        problems.append(Problem("abc.statistics", "is empty; name at least one statistic, "
                                "or leave it out to fit every observed figure"))
    return chosen, problems


def _corner_problems(spec: CalibrationSpec, scenario: str | Path, days: float) -> list[Problem]:
    """Load the scenario with every parameter at its low, then at its high, so that no value
    of the priors can fail mid-calibration; a failure is pinned on the parameter(s) causing
    it where one alone does."""

    def fails(values: dict[str, float]) -> ScenarioError | None:
        try:
            load_scenario(scenario, merged_overrides(values, days))
        except ScenarioError as exc:
            return exc
        return None

    problems: list[Problem] = []
    for corner in ("low", "high"):
        values = {name: getattr(prior, corner) for name, prior in spec.parameters.items()}
        failed = fails(values)
        if failed is None:
            continue
        alone = [name for name, value in values.items() if fails({name: value}) is not None]
        messages = "; ".join(f"{p.field}: {p.message}" for p in failed.problems)
        for name in alone or list(values):
            problems.append(Problem(f"parameters.{name}", (
                f"the scenario does not load with {'this parameter' if alone else 'the priors'}"
                f" at {corner} ({messages})")))
    return problems
