"""The experiment file: a base scenario, ownership models, factors, a design, replications.

An experiment YAML is validated here, in one place; every problem is reported as an
:class:`~scrm_sim.errors.ScenarioError` naming the file, the field and what is allowed,
before any run starts.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from scipy import stats

from scrm_sim.errors import ExperimentError, Problem, ScenarioError
from scrm_sim.scenario.limits import MAX_SEED, capped, max_runs
from scrm_sim.scenario.loading import (
    deep_merge,
    load_scenario,
    read_scenario,
    read_yaml,
    removed_field_problems,
)
from scrm_sim.scenario.problems import validation_problems
from scrm_sim.scenario.schema import Scenario

# The options each SALib design takes from design_options, and their types; nothing else
# is passed on, so anything else is a mistake (or an attack: the mapping used to be free).
DESIGN_OPTIONS: dict[str, dict[str, type]] = {
    "sobol": {"calc_second_order": bool},
    "morris": {"num_levels": int},
}


class StrictModel(BaseModel):
    """Unknown keys are errors; numbers are finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Distribution(StrictModel):
    """A scipy.stats distribution sampled by its inverse CDF (latin_hypercube only)."""

    name: str = Field(description="A scipy.stats continuous distribution, e.g. norm, lognorm.")
    parameters: dict[str, float] = Field(
        default_factory=dict, description="Its keyword arguments, e.g. {loc: 10, scale: 2}."
    )

    @model_validator(mode="after")
    def _known(self) -> Self:
        dist = getattr(stats, self.name, None)
        if not isinstance(dist, stats.rv_continuous):
            raise ValueError(f"unknown scipy.stats continuous distribution {self.name!r}")
        try:
            dist(**self.parameters).ppf(0.5)
        except TypeError as exc:
            raise ValueError(f"bad parameters for {self.name}: {exc}") from None
        return self

    def ppf(self, quantiles: Any) -> Any:
        """Inverse CDF."""
        return getattr(stats, self.name)(**self.parameters).ppf(quantiles)


def check_range(bounds: tuple[float, float]) -> tuple[float, float]:
    """A [low, high] range must not be upside down."""
    if bounds[0] > bounds[1]:
        raise ValueError(f"range low {bounds[0]} is above high {bounds[1]}")
    return bounds


Range = Annotated[tuple[float, float], AfterValidator(check_range)]


class Factor(StrictModel):
    """One scenario field varied by the design, by its dotted path."""

    path: str = Field(description="Dotted path of a scenario field, e.g. company.culture.")
    model: str | None = Field(
        None, description="Set the field only under this ownership model (an ownership.* path): "
        "a model's own uncertain parameter. Its column in the results is path@model.",
    )
    values: list[Any] | None = Field(None, description="Levels (full_factorial).")
    range: tuple[float, float] | None = Field(None, description="[low, high] (sampled designs).")
    distribution: Distribution | None = Field(None, description="latin_hypercube only.")
    integer: bool = Field(False, description="Round sampled values to whole numbers.")
    also: dict[str, list[Any]] = Field(
        default_factory=dict,
        description="Other fields set with this one (full_factorial): level i of each list "
        "goes with level i of values, e.g. company size as customers and head count together.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        given = [k for k in ("values", "range", "distribution") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of values, range or distribution")
        if self.values is not None and not self.values:
            raise ValueError("values must not be empty")
        if self.range is not None:
            check_range(self.range)
        if self.model is not None and not self.path.startswith("ownership."):
            raise ValueError(f"model: {self.model} needs an ownership.* path, not {self.path}")
        if self.also and self.values is None:
            raise ValueError("also: needs values (linked levels are for full_factorial designs)")
        for path, levels in self.also.items():
            if len(levels) != len(self.values or []):
                raise ValueError(f"also.{path} has {len(levels)} levels but values has "
                                 f"{len(self.values or [])}; give one per level")
        return self

    @property
    def key(self) -> str:
        """The factor's name in design points and result columns (path, or path@model)."""
        return self.path if self.model is None else f"{self.path}@{self.model}"

    def levels(self) -> list[dict[str, Any]]:
        """Each level of a values factor as the fields it sets ({key: value, ...also})."""
        return [{self.key: value, **{p: v[i] for p, v in self.also.items()}}
                for i, value in enumerate(self.values or [])]


def split_key(key: str) -> tuple[str, str | None]:
    """A design point's key as (dotted path, model it is limited to or None)."""
    path, _, model = key.partition("@")
    return path, model or None


class AutoReplications(StrictModel):
    """Sequential replications: add paired replications until the comparison is precise."""

    metric: str = Field("share_within_sla", description="Summary metric whose differences count.")
    half_width: Annotated[float, Field(gt=0)] = Field(
        description="Target half-width of the CI of every paired model difference."
    )
    confidence: Annotated[float, Field(gt=0, lt=1)] = Field(0.95)
    initial: Annotated[int, Field(ge=2)] = Field(3, description="Replications before checking.")
    batch: Annotated[int, Field(ge=1)] = Field(2, description="Replications added per round.")
    maximum: Annotated[int, Field(ge=2)] = Field(30, description="Cap per design point and model.")


class ClaimTest(StrictModel):
    """A claim as a checkable predicate on one world's means (docs/debate.md, robustness).

    Exactly one form: ``model`` beats every model in ``beats`` on ``metric`` in
    ``direction`` (by more than ``margin``); the models' means all lie within
    ``spread_below`` of each other on ``metric`` (ownership matters little); or ``all`` /
    ``any`` of several such tests.
    """

    metric: str | None = Field(None, description="Summary metric, e.g. share_within_sla.")
    model: str | None = Field(None, description="The model the claim favours.")
    beats: list[str] = Field(default_factory=list, description="Models it must beat.")
    direction: Literal["higher", "lower"] | None = Field(
        None, description="Whether more (higher) or less (lower) of the metric is better."
    )
    margin: Annotated[float, Field(ge=0)] = Field(
        0.0, description="It must beat each by more than this (in the metric's units)."
    )
    spread_below: Annotated[float, Field(gt=0)] | None = Field(
        None, description="Instead of beats: the largest minus the smallest model mean is "
        "below this.",
    )
    all: list[ClaimTest] | None = Field(None, description="Every one of these holds.")
    any: list[ClaimTest] | None = Field(None, description="At least one of these holds.")

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        combined = [k for k in ("all", "any") if getattr(self, k) is not None]
        if combined:
            if len(combined) > 1 or self.metric is not None:
                raise ValueError("give either all, any, or one metric test, not several")
            if not getattr(self, combined[0]):
                raise ValueError(f"{combined[0]} needs at least one test")
            return self
        if self.metric is None:
            raise ValueError("needs a metric (or all/any of several tests)")
        if self.spread_below is not None:
            if self.model or self.beats:
                raise ValueError("spread_below compares all models; drop model and beats")
            return self
        if not self.model or not self.beats or self.direction is None:
            raise ValueError("needs model, beats and direction (higher or lower), or "
                             "spread_below")
        if self.model in self.beats:
            raise ValueError(f"{self.model} cannot beat itself")
        return self

    def models(self) -> set[str]:
        """Every model the test names."""
        parts = (self.all or []) + (self.any or [])
        return {m for t in parts for m in t.models()} | set(self.beats) | (
            {self.model} if self.model else set())

    def metrics(self) -> set[str]:
        """Every metric the test reads."""
        parts = (self.all or []) + (self.any or [])
        return {m for t in parts for m in t.metrics()} | ({self.metric} if self.metric else set())


class RobustnessScale(StrictModel):
    """How many plausible worlds to run, how long, and on how many customers."""

    worlds: Annotated[int, Field(ge=2)] = Field(16, description="Latin-hypercube points.")
    replications: Annotated[int, Field(ge=1)] = Field(
        2, description="Paired replications per world and model (the world's mean is tested)."
    )
    neutral_replications: Annotated[int, Field(ge=2)] = Field(
        6, description="Paired replications of the neutral comparison."
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Scenario fields for these runs, over the experiment's "
        "overrides (e.g. a shorter horizon and fewer customers, to keep them cheap).",
    )


class RelativeRanges(StrictModel):
    """One relative range applied to every model: each listed field ± share of its value."""

    share: Annotated[float, Field(gt=0, lt=1)] = Field(
        description="Each listed field varies over [v·(1 − share), v·(1 + share)], clipped to "
        "the field's bounds; a field at 0 stays there.",
    )
    fields: list[str] = Field(
        min_length=1, description="Ownership fields by dotted path, e.g. listening.coverage."
    )


class Robustness(RobustnessScale):
    """Plausible ranges of uncertain parameters; each sampled point is a plausible world.

    Values set in ``extends:`` (a YAML file of the same block, relative to the experiment
    file) are merged under these, so that ranges shared by several experiments live once.
    """

    models: list[str] | None = Field(
        None, description="Models run in every world (default: the experiment's)."
    )
    ranges: dict[str, Range] = Field(
        default_factory=dict, description="Scenario fields by dotted path: [low, high]."
    )
    model_ranges: dict[str, dict[str, Range]] = Field(
        default_factory=dict, description="Per model: its ownership fields (dotted path "
        "without ownership.) and [low, high]; they apply only to that model.",
    )
    relative: RelativeRanges | None = Field(
        None, description="One ± share applied to listed ownership fields of every model "
        "(a field also in model_ranges keeps its explicit range).",
    )
    neutral: str | None = Field(
        None, description="YAML of neutral operating choices (ownership fields set to one "
        "common value for every model), relative to the experiment file; none: no neutral "
        "comparison.",
    )
    full: RobustnessScale | None = Field(
        None, description="A larger run (--robustness full), e.g. for a cluster.",
    )

    def scale(self, name: Literal["quick", "full"]) -> RobustnessScale:
        """The quick scale (this block's own settings) or the full one."""
        if name == "full":
            if self.full is None:
                raise ValueError("this experiment's robustness block has no full: scale")
            return self.full
        return RobustnessScale(worlds=self.worlds, replications=self.replications,
                               neutral_replications=self.neutral_replications,
                               overrides=self.overrides)


class Experiment(StrictModel):
    """A designed experiment over a base scenario and several ownership models."""

    name: str = Field(description="Name; results go to results/<name>/.")
    description: str = Field("", description="What the experiment asks.")
    claim: str = Field("", description="The claim under test, if any (see docs/debate.md).")
    source: str = Field("", description="Where the claim is made (seed and author).")
    figure_metrics: list[str] | None = Field(
        None, description="Summary metrics shown by `scrm-sim analyse` (default: a standard four)."
    )
    scenario: str = Field(description="Base scenario file (relative to this file) or bundled name.")
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Scenario fields changed for every run."
    )
    models: list[str] = Field(
        default_factory=lambda: ["marketing_led", "service_led", "ceo_led", "hybrid"],
        min_length=1, description="Ownership models compared at every design point.",
    )
    factors: list[Factor] = Field(default_factory=list, description="What the design varies.")
    design: Literal["full_factorial", "latin_hypercube", "sobol", "morris"] = "full_factorial"
    samples: Annotated[int, Field(ge=1)] = Field(
        8, description="latin_hypercube: points; sobol: base samples N (a power of 2); "
        "morris: trajectories.",
    )
    design_options: dict[str, Any] = Field(
        default_factory=dict,
        description="SALib options: sobol calc_second_order; morris num_levels.",
    )
    replications: Annotated[int, Field(ge=1)] | Literal["auto"] = Field(
        3, description="Paired replications per design point and model, or 'auto'."
    )
    auto: AutoReplications | None = Field(None, description="Settings for replications: auto.")
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = Field(
        0, description="Master seed of the whole design (0 to 2**63 − 1).")
    metrics: list[str] | None = Field(None, description="Summary metrics kept (default: all).")
    step_metrics: list[str] = Field(
        default_factory=lambda: ["satisfaction_mean", "backlog", "first_response_hours_24h",
                                 "social_team_size", "ownership_stage"],
        description="Per-step series kept (daily, last value of each day).",
    )
    run_timeout_seconds: Annotated[float, Field(gt=0)] | None = Field(
        None, description="A run slower than this is stopped (then retried once)."
    )
    claim_test: ClaimTest | None = Field(
        None, description="The claim as a predicate on a world's means (robustness)."
    )
    robustness: Robustness | None = Field(
        None, description="Plausible ranges: the claim tested over sampled plausible worlds."
    )

    @model_validator(mode="after")
    def _design_fits(self) -> Self:
        if self.metrics is not None and self.figure_metrics is not None:
            dropped = [m for m in self.figure_metrics if m not in self.metrics]
            if dropped:
                raise ValueError(f"figure_metrics {', '.join(dropped)} are not in metrics; "
                                 "keep them in metrics or drop them from the figure")
        if self.replications == "auto" and self.auto is None:
            raise ValueError("replications: auto needs an auto: block (metric, half_width)")
        if self.replications == "auto" and len(self.models) < 2:
            raise ValueError("replications: auto compares models; list at least two")
        if self.design in ("sobol", "morris"):
            if not self.factors:
                raise ValueError(f"a {self.design} design needs at least one factor")
            ranged = [f.path for f in self.factors if f.range is None]
            if ranged:
                raise ValueError(f"a {self.design} design (SALib) needs a range for every "
                                 f"factor; these have none: {', '.join(ranged)}")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"sobol samples must be a power of 2, got {self.samples}")
        allowed = DESIGN_OPTIONS.get(self.design, {})
        for key, value in self.design_options.items():
            if key not in allowed:
                raise ValueError(f"design_options.{key} is not an option of a {self.design} "
                                 f"design; allowed: {', '.join(allowed) or 'none'}")
            if type(value) is not allowed[key]:  # bool is an int; 'true' is not a bool
                raise ValueError(f"design_options.{key} must be a {allowed[key].__name__}, "
                                 f"got {value!r}")
        if self.design == "morris" and int(self.design_options.get("num_levels", 4)) < 2:
            raise ValueError("morris design_options.num_levels must be at least 2")
        if self.design == "full_factorial":
            missing = [f.path for f in self.factors if f.values is None]
            if missing:
                raise ValueError("a full_factorial design needs values for every factor; "
                                 f"these have none: {', '.join(missing)}")
        if self.design == "latin_hypercube":
            levels = [f.path for f in self.factors if f.values is not None]
            if levels:
                raise ValueError("a latin_hypercube design samples ranges or distributions; "
                                 f"these give values: {', '.join(levels)}")
        repeated = sorted(m for m, n in Counter(self.models).items() if n > 1)
        if repeated:
            raise ValueError(f"models lists {', '.join(repeated)} more than once")
        paths = [f.key for f in self.factors] + [p for f in self.factors for p in f.also]
        repeated = sorted(p for p, n in Counter(paths).items() if n > 1)
        if repeated:
            raise ValueError(f"factors set {', '.join(repeated)} more than once (the last "
                             "would silently win); give each field one factor")
        foreign = sorted({f.model for f in self.factors if f.model} - set(self.models))
        if foreign:
            raise ValueError(f"factors name models not in models: {', '.join(foreign)}")
        if self.robustness is not None:
            if self.claim_test is None:
                raise ValueError("robustness needs a claim_test: the claim it tests in each world")
            run = set(self.robustness.models or self.models)
            unknown = sorted(self.claim_test.models() - run)
            if unknown:
                raise ValueError(f"claim_test names models not run in the worlds: "
                                 f"{', '.join(unknown)}")
            unknown = sorted(set(self.robustness.model_ranges) - run)
            if unknown:
                raise ValueError(f"robustness.model_ranges names models not run in the worlds: "
                                 f"{', '.join(unknown)}")
        return self

    def point_count(self) -> int:
        """Design points the design will build, computed without building them."""
        if not self.factors:
            return 1
        k = len(self.factors)
        if self.design == "full_factorial":
            return math.prod(len(f.values or []) for f in self.factors)
        if self.design == "sobol":
            second = bool(self.design_options.get("calc_second_order", False))
            return self.samples * (2 * k + 2 if second else k + 2)
        if self.design == "morris":
            return self.samples * (k + 1)
        return self.samples

    def run_count(self) -> int:
        """Runs the design asks for at most: points × models × replications (the auto
        maximum for sequential replications)."""
        reps = self.auto.maximum if self.replications == "auto" and self.auto else self.replications
        assert isinstance(reps, int)
        return self.point_count() * len(self.models) * reps


def size_problems(experiment: Experiment) -> list[Problem]:
    """The design's run count above :func:`~scrm_sim.scenario.limits.max_runs`, refused
    before any point is built."""
    runs, limit = experiment.run_count(), max_runs()
    if runs <= limit:
        return []
    field = "replications" if experiment.point_count() * len(experiment.models) <= limit else (
        "factors" if experiment.design == "full_factorial" else "samples")
    return [Problem(field, (
        f"the design asks for {runs:,} runs ({experiment.point_count():,} points × "
        f"{len(experiment.models)} models × replications), above the limit of {limit:,}; "
        "make it smaller, or set SCRM_SIM_MAX_RUNS to raise the limit knowingly"))]


@functools.cache
def summary_metric_names() -> tuple[str, ...]:
    """Names of the run summary's metrics, in the summary's order, read from a one-hour run
    of a tiny company (the summary is built by the model; this keeps one list of names, the
    model's)."""
    from scrm_sim.model import SCRMModel
    from scrm_sim.model.metrics import run_summary

    tiny = Scenario.model_validate({"duration_days": 1, "customers": {
        "count": 20, "prospects": 5, "network": {"mean_degree": 2}}})
    model = SCRMModel(tiny, seed=0)
    model.step()
    return tuple(run_summary(model))


def step_metric_names() -> frozenset[str]:
    """Names of the per-step series (the model's reporters)."""
    from scrm_sim.model.metrics import MODEL_REPORTERS

    return frozenset(MODEL_REPORTERS)


def metric_problems(experiment: Experiment) -> list[Problem]:
    """Metric names that no run produces, by the field that names them."""
    named: list[tuple[str, str]] = []  # (field, name) of summary metrics
    for field in ("metrics", "figure_metrics"):
        named += [(field, m) for m in getattr(experiment, field) or []]
    if experiment.replications == "auto" and experiment.auto is not None:
        named.append(("auto.metric", experiment.auto.metric))
    if experiment.claim_test is not None:
        named += [("claim_test", m) for m in sorted(experiment.claim_test.metrics())]
    problems = []
    if named:
        known = summary_metric_names()
        problems += [Problem(field, f"unknown summary metric {name!r}{_hint(name, known)}")
                     for field, name in named if name not in known]
    steps = step_metric_names()
    problems += [Problem("step_metrics", f"unknown step metric {name!r}{_hint(name, steps)}")
                 for name in experiment.step_metrics if name not in steps]
    return problems


def _hint(name: str, known: Collection[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else "; see the run summary's columns"


def load_experiment(path: str | Path) -> tuple[Experiment, Path]:
    """Read and validate an experiment file, including every factor against the scenario.

    Returns the experiment and the resolved path of its base scenario.
    """
    path = Path(path)
    if not path.is_file():
        raise ExperimentError(path, [Problem("", "experiment file not found")])
    data = _with_robustness_extends(read_yaml(path), path)
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(path, capped(validation_problems(Experiment, exc, data))) from None
    early = size_problems(experiment) + metric_problems(experiment)
    if early:  # before loading one scenario per model and level
        raise ExperimentError(path, capped(early))
    removed = _removed_fields(experiment)
    if removed:  # once each, before the per-model checks would repeat them
        raise ExperimentError(path, removed)
    scenario_path = path.parent / experiment.scenario
    source: str | Path = scenario_path if scenario_path.is_file() else experiment.scenario
    try:  # once, so that a missing or broken scenario file is not reported once per model
        read_scenario(source)
    except ScenarioError as exc:
        raise ExperimentError(path, [Problem(_join("scenario", p.field), p.message)
                                   for p in exc.problems]) from None
    problems: list[Problem] = []
    for model in experiment.models:
        try:
            load_scenario(source, deep_merge(experiment.overrides,
                                             {"ownership": {"extends": model}}))
        except ScenarioError as exc:
            problems += [Problem(_join(f"models ({model})", p.field), p.message)
                         for p in exc.problems]
    for i, factor in enumerate(experiment.factors):
        problems += [Problem(f"factors.{i}.path ({factor.path})", p.message)
                     for p in factor_problems(factor, experiment, source)]
    if not problems and experiment.robustness is not None:
        # worlds builds on this module's classes, hence the late import
        from scrm_sim.experiment.worlds import robustness_problems

        problems += robustness_problems(experiment, source, path)
    if problems:
        raise ExperimentError(path, capped(problems))
    resolved = scenario_path.resolve() if scenario_path.is_file() else Path(experiment.scenario)
    return experiment, resolved


def _join(where: str, field: str) -> str:
    """``where: field``, or ``where`` alone for a problem with the whole file."""
    return f"{where}: {field}" if field else where


def factor_problems(factor: Factor, experiment: Experiment, source: str | Path,
                    overrides: dict[str, Any] | None = None) -> list[Problem]:
    """What is wrong with setting a factor's levels (or range ends) in the base scenario
    under the experiment's overrides (or ``overrides``): an unknown path, a value the
    schema does not allow. Empty when every probed value loads."""
    for fields in _probe_levels(factor):
        ownership: dict[str, Any] = {"extends": factor.model or experiment.models[0]}
        change: dict[str, Any] = {}
        for key, value in fields.items():
            field, _ = split_key(key)
            if field.startswith("ownership."):
                ownership = deep_merge(ownership, nested(field.removeprefix("ownership."), value))
            else:
                change = deep_merge(change, nested(field, value))
        change["ownership"] = ownership
        try:
            scenario = load_scenario(source, deep_merge(
                experiment.overrides if overrides is None else overrides, change))
        except ScenarioError as exc:
            return exc.problems
        quoted = _coerced_strings(scenario, fields)
        if quoted:
            return quoted
    return []


_MISSING = object()


def _coerced_strings(scenario: Scenario, fields: dict[str, Any]) -> list[Problem]:
    """Levels written as strings that the schema read as numbers or booleans ('2', 'true'):
    accepted by lax validation, they would reach the result tables as text beside numbers."""
    problems = []
    for key, given in fields.items():
        if not isinstance(given, str):
            continue
        value = _value_at(scenario, split_key(key)[0])
        if value is not _MISSING and not isinstance(value, str):
            problems.append(Problem(key, f"level {given!r} is text but the field takes a "
                                    f"{type(value).__name__}; write it without quotes"))
    return problems


def _value_at(scenario: Scenario, path: str) -> Any:
    """The validated value at a dotted path of a scenario (``_MISSING`` if not found)."""
    current: Any = scenario
    for part in path.split("."):
        if isinstance(current, BaseModel) and part in type(current).model_fields:
            current = getattr(current, part)
        elif isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def _with_robustness_extends(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The experiment's data with ``robustness.extends`` merged in (the block's own values
    win), so that plausible ranges shared by several experiments are written once."""
    block = data.get("robustness")
    if not isinstance(block, dict) or "extends" not in block:
        return data
    target = block["extends"]
    if not isinstance(target, str):
        raise ExperimentError(path, [Problem("robustness.extends", "must be a file path")])
    shared = path.parent / target
    if not shared.is_file():
        raise ExperimentError(path, [Problem("robustness.extends",
                                           f"file {target!r} not found beside {path.name}")])
    base = read_yaml(shared)
    return {**data, "robustness": deep_merge(base, {k: v for k, v in block.items()
                                                    if k != "extends"})}


def nested(path: str, value: Any) -> dict[str, Any]:
    """``a.b.c`` and a value as the nested mapping {a: {b: {c: value}}}."""
    result: Any = value
    for part in reversed(path.split(".")):
        result = {part: result}
    return result


def _removed_fields(experiment: Experiment) -> list[Problem]:
    """Overrides and factor paths that set a field the schema has dropped (see
    :mod:`scrm_sim.scenario.removed_fields`), each with what replaces it."""
    problems = [Problem(f"overrides.{p.field}", p.message)
                for p in removed_field_problems(Scenario, experiment.overrides)]
    for i, factor in enumerate(experiment.factors):
        for key, field in [("path", factor.path), *(("also", p) for p in factor.also)]:
            problems += [Problem(f"factors.{i}.{key} ({p.field})", p.message)
                         for p in removed_field_problems(Scenario, nested(field, None))]
    return problems


def _probe_levels(factor: Factor) -> list[dict[str, Any]]:
    if factor.values is not None:
        return factor.levels()
    if factor.range is not None:
        low, high = factor.range
        values = [int(round(low)), int(round(high))] if factor.integer else [low, high]
    else:
        assert factor.distribution is not None
        value = float(factor.distribution.ppf(0.5))
        values = [int(round(value)) if factor.integer else value]
    return [{factor.key: v} for v in values]
