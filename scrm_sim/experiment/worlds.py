"""Plausible worlds: an experiment's ``robustness:`` block as two designed experiments.

A claim's verdict rests on one set of preset values. The robustness block declares what
is uncertain and how far: scenario fields with a plausible [low, high] range, each
model's own ownership fields with a range of their own, or one relative range (± share
of each model's value). :func:`worlds_experiment` turns them into a Latin-hypercube
experiment over those ranges (reproducible from the experiment's seed): every sampled
point is a plausible world, every model runs in it on the same paired seeds, and a
model's own ranges are set only under that model (``Factor.model``).

:func:`neutral_experiment` is the other half: the same models with their operating
choices (hours, hand-offs, approval, listening, voice, community, social team) set to
one common value, keeping who is on the front line, who resolves, priorities, authority
and sponsorship, so that the comparison shows what the *owner* does rather than how
well each preset happens to be run.

Both are written as experiment YAML files into the robustness folder and run by the
ordinary runner, so they resume, store and fingerprint like any experiment.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, Literal, NamedTuple

import annotated_types
import numpy as np
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from scrm_sim.errors import Problem, ScenarioError
from scrm_sim.experiment.executors import Executor
from scrm_sim.experiment.spec import (
    Experiment,
    Factor,
    Robustness,
    RobustnessScale,
    factor_problems,
    load_experiment,
)
from scrm_sim.paths import safe_name
from scrm_sim.scenario import deep_merge, load_scenario
from scrm_sim.scenario.loading import read_scenario, read_yaml, resolve_ownership, value_at
from scrm_sim.scenario.schema import Ownership, Scenario
from scrm_sim.scenario.staffing import budgeted_fte, minimum_fte

Scale = Literal["quick", "full"]


def robustness_problems(experiment: Experiment, source: str | Path, path: Path) -> list[Problem]:
    """Everything wrong with an experiment's robustness block, each naming its field."""
    robustness = experiment.robustness
    assert robustness is not None
    problems: list[Problem] = []
    models = robustness.models or experiment.models
    for name in ("quick", "full"):
        scale = robustness.full if name == "full" else robustness
        if scale is None:
            continue
        where = "robustness.full.overrides" if name == "full" else "robustness.overrides"
        for model in models:
            try:
                load_scenario(source, deep_merge(_overrides(experiment, scale),
                                                 {"ownership": {"extends": model}}))
            except ScenarioError as exc:
                problems += [Problem(f"{where} ({model}): {p.field}", p.message)
                             for p in exc.problems]
                break
    if problems:
        return problems
    try:
        world_factors(experiment, source)
    except ScenarioError as exc:
        problems += exc.problems
    if robustness.neutral is not None:
        try:
            choices = neutral_choices(robustness, path)
        except ScenarioError as exc:
            return problems + [Problem(f"robustness.neutral ({exc.source}): {p.field}",
                                       p.message) for p in exc.problems]
        budget = neutral_budget(source, deep_merge(_overrides(experiment, robustness),
                                                   {"ownership": choices}), models)
        for model in models:
            try:
                load_scenario(source, deep_merge(_overrides(experiment, robustness), {
                    "ownership": {"extends": model, **choices}, "staffing_budget_fte": budget}))
            except ScenarioError as exc:
                problems += [Problem(f"robustness.neutral ({model}): {p.field}", p.message)
                             for p in exc.problems]
    return problems


def world_factors(experiment: Experiment, source: str | Path) -> list[Factor]:
    """The ranged factors of the plausible worlds: scenario ranges, then each model's own.

    Raises:
        ScenarioError: a path is unknown, a field is not a number, or a range leaves the
            field's bounds; each problem names the field under ``robustness``.
    """
    robustness = experiment.robustness
    assert robustness is not None
    overrides = _overrides(experiment, robustness)
    models = robustness.models or experiment.models
    problems: list[Problem] = []
    factors: list[Factor] = []

    def add(where: str, path: str, low: float, high: float, model: str | None) -> None:
        leaf = numeric_field(path)
        if isinstance(leaf, str):
            # the loader's message says more about an unknown key (what is allowed)
            found = factor_problems(Factor(path=path, range=(low, high), model=model),
                                    experiment, source, overrides)
            problems.extend(Problem(where, p.message) for p in found or [Problem("", leaf)])
            return
        if low < leaf.lowest or high > leaf.highest:
            problems.append(Problem(where, f"range [{low:g}, {high:g}] leaves the field's "
                                    f"bounds: it must be {leaf.allowed}"))
            return
        factor = Factor(path=path, range=(low, high), model=model, integer=leaf.kind is int)
        found = factor_problems(factor, experiment, source, overrides)
        if found:
            problems.extend(Problem(where, p.message) for p in found)
        elif low < high:  # a range of one value is no uncertainty to sample
            factors.append(factor)

    for path, (low, high) in robustness.ranges.items():
        add(f"robustness.ranges.{path}", path, low, high, None)
    for model, ranges in robustness.model_ranges.items():
        for field, (low, high) in ranges.items():
            add(f"robustness.model_ranges.{model}.{field}", f"ownership.{field}", low, high, model)
    if robustness.relative is not None:
        share = robustness.relative.share
        for model in models:
            preset = load_scenario(source, deep_merge(overrides, {"ownership": {"extends": model}}))
            values = preset.ownership.model_dump(mode="json")
            for field in robustness.relative.fields:
                if field in robustness.model_ranges.get(model, {}):
                    continue  # an explicit range wins
                where = f"robustness.relative.fields ({field}, {model})"
                value = value_at(values, field)
                if isinstance(value, bool) or not isinstance(value, int | float):
                    problems.append(Problem(where, f"is {value!r}, not a number; a relative "
                                            "range needs a numeric field"))
                    continue
                leaf = numeric_field(f"ownership.{field}")
                if isinstance(leaf, str):
                    problems.append(Problem(where, leaf))
                    continue
                low, high = round(value * (1 - share), 6), round(value * (1 + share), 6)
                low, high = max(low, leaf.lowest), min(high, leaf.highest)  # clipped to the schema
                if leaf.kind is int:
                    low, high = float(round(low)), float(round(high))
                add(where, f"ownership.{field}", low, high, model)
    if problems:
        raise ScenarioError("robustness", problems)
    return factors


class NumericField(NamedTuple):
    """A numeric scenario field: int or float, its bounds, and those bounds in words."""

    kind: type
    lowest: float
    highest: float
    allowed: str


def numeric_field(path: str) -> NumericField | str:
    """The scenario field at a dotted path with its bounds, or why it cannot be ranged.

    Dict keys (e.g. a post type) are taken on trust here; loading a probe scenario
    checks them.
    """
    found = _numeric_leaf(Scenario, [], path.split("."))
    if found is None:
        return f"{path} is not a numeric field (or not a field); ranges need a number"
    kind, metadata = found
    lowest, highest, words = -np.inf, np.inf, []
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            lowest = max(lowest, float(item.ge))
            words.append(f"at least {item.ge:g}")
        elif isinstance(item, annotated_types.Gt):  # the next number above is still allowed
            lowest = max(lowest, float(np.nextafter(item.gt, np.inf)))
            words.append(f"above {item.gt:g}")
        elif isinstance(item, annotated_types.Le):
            highest = min(highest, float(item.le))
            words.append(f"at most {item.le:g}")
        elif isinstance(item, annotated_types.Lt):
            highest = min(highest, float(np.nextafter(item.lt, -np.inf)))
            words.append(f"below {item.lt:g}")
    return NumericField(kind, lowest, highest, " and ".join(words) or "any number")


def neutral_choices(robustness: Robustness, experiment_path: Path) -> dict[str, Any]:
    """The neutral operating choices (ownership fields) named by the robustness block.

    Raises:
        ScenarioError: the file is missing, not a mapping, or sets a field that decides
            who owns (front line, resolvers, priorities, authority, sponsorship).
    """
    assert robustness.neutral is not None
    path = experiment_path.parent / robustness.neutral
    if not path.is_file():
        raise ScenarioError(path, [Problem("", "neutral operating choices file not found")])
    choices = read_yaml(path)
    kept = sorted(set(choices) & OWNER_DEFINING)
    if kept:
        raise ScenarioError(path, [Problem(k, "decides who owns, so a neutral comparison keeps "
                                           "each model's own; remove it") for k in kept])
    unknown = sorted(set(choices) - set(Ownership.model_fields))
    if unknown:
        raise ScenarioError(path, [Problem(k, "not an ownership field") for k in unknown])
    return choices


# what makes one owner differ from another; the neutral comparison never sets these
OWNER_DEFINING = frozenset({"front_line", "resolvers", "resolver_staff", "priorities",
                            "authority", "executive_sponsorship", "routing", "stages",
                            "pilot_share", "name", "staffing_scale", "budget_fte", "rogue",
                            "key_accounts"})


def neutral_budget(source: str | Path, overrides: dict[str, Any], models: list[str]) -> float:
    """The equal budget of a neutral comparison: staffing level is an operating choice too.

    The mean of the models' own budgeted FTE (their presets as written), or, if that cannot
    staff one seat of each role of some model under the neutral choices, the least that
    can; rounded up to 0.1 FTE.
    """
    plain = {k: v for k, v in overrides.items() if k not in ("staffing_budget_fte", "ownership")}
    path = read_scenario(source)[1]
    own_fte, least = [], []
    for model in models:
        preset = load_scenario(source, deep_merge(plain, {"ownership": model}))
        own_fte.append(budgeted_fte(preset.ownership, preset.company))
        # the neutral model is checked against its budget when loaded; here only its roles
        own = resolve_ownership({"extends": model, **overrides.get("ownership", {})}, path)
        least.append(minimum_fte(Ownership.model_validate(own), preset.company))
    return float(np.ceil(max(float(np.mean(own_fte)), max(least)) * 10 - 1e-9) / 10)


def worlds_experiment(experiment: Experiment, source: str | Path, scale: Scale) -> dict[str, Any]:
    """The plausible-worlds experiment as data (an experiment YAML's content)."""
    robustness = experiment.robustness
    assert robustness is not None and experiment.claim_test is not None
    size = robustness.scale(scale)
    factors = world_factors(experiment, source)
    return {
        **_common(experiment, source, robustness, size),
        "name": f"{experiment.name}_worlds",
        "description": f"Plausible worlds of {experiment.name}: every model in each sampled "
                       "world, paired on seeds.",
        "factors": [f.model_dump(mode="json", exclude_defaults=True) for f in factors],
        "design": "latin_hypercube",
        "samples": size.worlds,
        "replications": size.replications,
    }


def neutral_experiment(experiment: Experiment, source: str | Path, experiment_path: Path,
                       scale: Scale) -> dict[str, Any] | None:
    """The neutral comparison as data, or None when the block names no neutral choices."""
    robustness = experiment.robustness
    assert robustness is not None
    if robustness.neutral is None:
        return None
    size = robustness.scale(scale)
    common = _common(experiment, source, robustness, size)
    common["overrides"] = deep_merge(common["overrides"],
                                     {"ownership": neutral_choices(robustness, experiment_path)})
    common["overrides"]["staffing_budget_fte"] = neutral_budget(
        source, common["overrides"], common["models"])
    return {**common, "name": f"{experiment.name}_neutral",
            "description": f"{experiment.name} with every model's operating choices made equal",
            "design": "full_factorial", "replications": size.neutral_replications}


def run_robustness(path: str | Path, *, scale: Scale = "quick", out: Path | None = None,
                   executor: Executor | None = None, progress: bool = True) -> Path:
    """Run (or resume) the plausible worlds and the neutral comparison of an experiment.

    Writes ``worlds.yaml`` and ``neutral.yaml`` (the derived experiments) and their
    results ``worlds/`` and ``neutral/`` into ``out`` (default
    ``results/<name>/robustness``, or ``robustness-full`` for the full scale); returns
    ``out``.
    """
    from scrm_sim.experiment.runner import run_experiment  # the runner imports this package

    path = Path(path)
    experiment, source = load_experiment(path)
    if experiment.robustness is None:
        raise ScenarioError(path, [Problem("robustness", "this experiment has no robustness "
                                           "block (plausible ranges and a claim_test)")])
    if scale == "full" and experiment.robustness.full is None:
        raise ScenarioError(path, [Problem("robustness.full", "--robustness full needs a "
                                           "full: block (worlds, replications, overrides)")])
    suffix = "robustness-full" if scale == "full" else "robustness"
    out = out or Path("results") / safe_name(experiment.name) / suffix
    out.mkdir(parents=True, exist_ok=True)
    derived = {"worlds": worlds_experiment(experiment, source, scale),
               "neutral": neutral_experiment(experiment, source, path, scale)}
    for name, data in derived.items():
        if data is None:
            continue
        file = out / f"{name}.yaml"
        file.write_text(f"# written by scrm-sim from {path.name} (--robustness {scale}); "
                        "do not edit\n" + yaml.safe_dump(data, sort_keys=False),
                        encoding="utf-8")
        run_experiment(file, out=out / name, executor=executor, progress=progress)
    return out


# --------------------------------------------------------------------------- internals


def _overrides(experiment: Experiment, scale: RobustnessScale) -> dict[str, Any]:
    return deep_merge(experiment.overrides, scale.overrides)


def _common(experiment: Experiment, source: str | Path, robustness: Robustness,
            size: RobustnessScale) -> dict[str, Any]:
    assert experiment.claim_test is not None
    return {
        "claim": experiment.claim,
        "source": experiment.source,
        "scenario": str(source),
        "overrides": _overrides(experiment, size),
        "models": list(robustness.models or experiment.models),
        "seed": experiment.seed,
        "metrics": experiment.metrics,
        "figure_metrics": experiment.figure_metrics,
        "step_metrics": experiment.step_metrics,
        "run_timeout_seconds": experiment.run_timeout_seconds,
        "claim_test": experiment.claim_test.model_dump(mode="json", exclude_defaults=True),
    }


def _numeric_leaf(annotation: Any, metadata: list[Any],
                  parts: list[str]) -> tuple[type, list[Any]] | None:
    """Follow ``parts`` through models, dicts, unions and Annotated to an int or float."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        for item in extra:  # Field(ge=…) inside Annotated carries its bounds as metadata
            metadata = metadata + (item.metadata if isinstance(item, FieldInfo) else [item])
        return _numeric_leaf(base, metadata, parts)
    if origin in (typing.Union, types.UnionType):
        for arm in typing.get_args(annotation):
            found = _numeric_leaf(arm, metadata, parts)
            if found is not None:
                return found
        return None
    if not parts:
        return (annotation, metadata) if annotation in (int, float) else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        info = annotation.model_fields.get(parts[0])
        if info is None:
            return None
        return _numeric_leaf(info.annotation, list(info.metadata), parts[1:])
    if origin is dict:
        return _numeric_leaf(typing.get_args(annotation)[1], [], parts[1:])
    return None
