"""Read scenario and ownership YAML files safely, resolve ``extends:`` and presets, validate.

This is the only module that reads YAML. Everything a user can get wrong in a
file ends here as a :class:`~scrm_sim.errors.ScenarioError` naming the file,
the field path and what is allowed.

``extends:`` (in a scenario file, an ownership file, or an inline ``ownership:``) starts
from another file and changes it (:mod:`scrm_sim.scenario.merge`):

* mappings merge key by key, at every depth: ``company: {culture: 0.6}`` changes the
  culture and keeps every other company field of the file it extends;
* lists and values replace the inherited ones whole: ``demand: {incidents: [...]}`` is the
  complete list of incidents, and the parent's are gone (``incidents: []`` removes them);
* ``{append: [...]}`` in place of a list keeps the inherited list and adds the items:
  ``demand: {incidents: {append: [{start_day: 20}]}}``;
* ``ownership: NAME`` replaces the ownership model with a preset; ``ownership: {extends:
  NAME, ...}`` starts from the preset and changes the fields given;
* ``company.departments`` always merges over the default company's departments.

An experiment's ``overrides:`` and the command line's options (``--days``) are merged over
the resolved file by the same rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from scrm_sim.errors import Problem, ScenarioError
from scrm_sim.scenario.consistency import check_consistency
from scrm_sim.scenario.limits import (
    MAX_YAML_BYTES,
    LimitedSafeLoader,
    capped,
    check_yaml_node,
    memory_problems,
)
from scrm_sim.scenario.merge import deep_merge, is_append, resolve_appends
from scrm_sim.scenario.problems import did_you_mean, removed_field_problems, validation_problems
from scrm_sim.scenario.schema import Ownership, Scenario

__all__ = [
    "BUNDLED_SCENARIO_DIRS", "available_models", "deep_merge", "extends_chain", "item_origins",
    "load_scenario", "read_scenario", "read_validated", "read_yaml", "removed_field_problems",
    "resolve_ownership", "set_in", "validate_scenario",
]

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# A source checkout keeps ready scenarios at the top level; a wheel carries a copy.
BUNDLED_SCENARIO_DIRS: tuple[Path, ...] = tuple(
    d for d in (PACKAGE_DIR.parent / "scenarios", PACKAGE_DIR / "_bundled_scenarios") if d.is_dir()
)


def load_scenario(source: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Load, resolve and validate a scenario.

    Args:
        source: a YAML file path, or the name of a bundled scenario (``baseline``).
        overrides: values merged over the file's, e.g. ``{"ownership": "service_led"}``.
            An ``ownership`` mapping without ``extends:`` changes the file's ownership
            model (a preset name included), field by field; with ``extends:`` it starts
            from that preset instead; a name replaces the model.

    Raises:
        ScenarioError: the file is missing, not YAML, not a valid scenario, or a run
            that would not fit the machine's memory (see :mod:`scrm_sim.scenario.limits`).
    """
    data, path = read_scenario(source)
    if overrides:
        own = overrides.get("ownership")
        if isinstance(own, dict) and "extends" not in own and isinstance(data.get("ownership"), str):
            # an override keeps the file's preset unless it names another (issue 14)
            overrides = {**overrides, "ownership": {"extends": data["ownership"], **own}}
        data = deep_merge(data, overrides)
    data["ownership"] = resolve_ownership(data.get("ownership", {}), path)
    return validate_scenario(data, path)


def read_scenario(source: str | Path) -> tuple[dict[str, Any], Path]:
    """The scenario's data with ``extends:`` resolved (not yet validated), and its path."""
    path = _find_file(source, BUNDLED_SCENARIO_DIRS, what="scenario")
    return _read_with_extends(path, chain=()), path


def validate_scenario(data: dict[str, Any], path: Path) -> Scenario:
    """Validate resolved scenario data (ownership already a mapping) against the schema
    and the consistency checks, and refuse a run that cannot fit in memory; errors name
    ``path``."""
    scenario = _validate(Scenario, data, path)
    problems = check_consistency(scenario) or memory_problems(scenario)
    if problems:
        raise ScenarioError(path, capped(problems))
    return scenario


def resolve_ownership(value: Any, referrer: Path, where: str = "ownership",
                      chain: tuple[Path, ...] = ()) -> Any:
    """Turn an ownership preset name (or a mapping with ``extends:``) into a full mapping.

    A name is looked up, in order, in ``ownership/`` beside the referring file and in
    the bundled ``scenarios/ownership/``; a path ending in ``.yaml`` is taken relative
    to the referring file. Stages are resolved the same way; a stage that leads back to
    a preset being resolved (``chain``) is refused with the chain. Values of a wrong type
    are passed on for the schema to report.
    """
    if isinstance(value, str):
        try:
            path = _find_file(value, _ownership_dirs(referrer), what="ownership model",
                              base=referrer.parent)
        except ScenarioError as exc:
            raise ScenarioError(referrer, [Problem(where, p.message) for p in exc.problems]) from None
        if path in chain:
            cycle = " -> ".join(p.stem for p in (*chain, path))
            raise ScenarioError(referrer, [Problem(where, f"circular stages: {cycle}")])
        chain = (*chain, path)
        data = _read_with_extends(path, chain=(), search=_ownership_dirs(path))
        data.setdefault("name", path.stem)
        _validate(Ownership, {**data, "stages": []}, path)  # errors name the preset's file
        referrer = path
    elif isinstance(value, dict):
        data = value
        if "extends" in data:
            base = resolve_ownership(data["extends"], referrer, f"{where}.extends", chain)
            data = deep_merge(base, {k: v for k, v in data.items() if k != "extends"})
    else:
        return value
    stages = data.get("stages")
    if isinstance(stages, list):
        data["stages"] = [
            {**stage, "ownership": resolve_ownership(
                stage.get("ownership"), referrer, f"{where}.stages.{i}.ownership", chain)}
            if isinstance(stage, dict)
            else stage
            for i, stage in enumerate(stages)
        ]
    return data


def available_models(search_dirs: tuple[Path, ...] | None = None) -> list[Ownership]:
    """Every ownership preset that can be named (the first of a name wins), resolved and
    validated, sorted by name. A broken preset raises ScenarioError naming its file."""
    dirs = search_dirs or tuple(d / "ownership" for d in BUNDLED_SCENARIO_DIRS)
    found: dict[str, Path] = {}
    for directory in dirs:
        for path in sorted(directory.glob("*.y*ml")) if directory.is_dir() else []:
            found.setdefault(path.stem, path)
    models = []
    for name in sorted(found):
        data = resolve_ownership(name, found[name], where="ownership")
        models.append(_validate(Ownership, data, found[name]))
    return models


def extends_chain(source: str | Path) -> list[Path]:
    """The scenario file and every file it extends, the file itself first.

    For saying where an inherited value comes from; the file must have loaded before.
    """
    chain = [_find_file(source, BUNDLED_SCENARIO_DIRS, what="scenario")]
    while True:
        parent = read_yaml(chain[-1]).get("extends")
        if not isinstance(parent, str):
            return chain
        found = _find_file(parent, BUNDLED_SCENARIO_DIRS, what="extends target",
                           base=chain[-1].parent)
        if found in chain:
            return chain
        chain.append(found)


def set_in(chain: list[Path], path: str) -> Path | None:
    """The first file of ``chain`` (see :func:`extends_chain`) that sets the dotted
    ``path``, or None if none does (a default, or an option)."""
    for file in chain:
        if value_at(read_yaml(file), path, _ABSENT) is not _ABSENT:
            return file
    return None


def item_origins(layers: list[tuple[str, dict[str, Any]]], path: str) -> list[str]:
    """Where each item of the list at the dotted ``path`` comes from, through ``extends:``
    (lists replace) and ``{append:}`` (items added): one label per item.

    ``layers`` are (label, data) from the first applied (the file extended last) to the
    last (the file itself, then overrides), e.g. from :func:`extends_chain` reversed.
    """
    origins: list[str] = []
    for label, data in layers:
        value = value_at(data, path, _ABSENT)
        if isinstance(value, list):
            origins = [label] * len(value)
        elif is_append(value) and isinstance(value.get("append"), list):
            origins += [label] * len(value["append"])
    return origins


_ABSENT = object()


def value_at(data: Any, path: str, missing: Any = None) -> Any:
    """The value at the dotted ``path`` of nested mappings, or ``missing`` where the path
    does not lead to one."""
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return missing
        data = data[part]
    return data


def read_yaml(path: Path) -> dict[str, Any]:
    """Read one YAML mapping safely: no object construction from tags, and within the
    limits of :mod:`scrm_sim.scenario.limits` on size, nesting and alias expansion.

    An empty file (or one of comments only) is refused: it is almost always a mistake,
    and running every default in its place would hide it.
    """
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ScenarioError(path, [Problem("", (
                f"file is {size / 1e6:.1f} MB, above the limit of {MAX_YAML_BYTES / 1e6:.1f} MB "
                "for a scenario or experiment; is this the right file?"))])
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(path, [Problem("", f"cannot read file: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(path, [Problem(
            "", f"not UTF-8 text (bad byte at offset {exc.start}); is this a YAML file?")]) from None
    try:
        data = _load_limited(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(path, [Problem(where, f"not valid YAML: {problem}")]) from None
    if data is None:
        raise ScenarioError(path, [Problem("", "empty file: it sets nothing (write at least "
                                               "one key, e.g. name:)")])
    if not isinstance(data, dict):
        raise ScenarioError(
            path, [Problem("", f"expected a mapping of keys to values, got {type(data).__name__}")]
        )
    return data


def read_validated[M: BaseModel](path: Path, model: type[M], error: type[ScenarioError]) -> M:
    """A YAML file (:func:`read_yaml`) validated against ``model``: any problem, the file's
    own or a field's, is raised as ``error`` naming the file and each field in words."""
    try:
        data = read_yaml(path)
    except ScenarioError as exc:
        raise error(exc.source, exc.problems) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(path, capped(validation_problems(model, exc, data))) from None


# --------------------------------------------------------------------------- internals


def _load_limited(text: str) -> Any:
    """``yaml.safe_load`` with the depth and alias-expansion limits checked before the
    data is built."""
    loader = LimitedSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_yaml_node(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _ownership_dirs(referrer: Path) -> tuple[Path, ...]:
    bundled = tuple(d / "ownership" for d in BUNDLED_SCENARIO_DIRS)
    return (referrer.parent / "ownership", *bundled)


def _find_file(
    source: str | Path, search_dirs: tuple[Path, ...], *, what: str, base: Path | None = None
) -> Path:
    """A file path (relative to ``base``, else the working directory), or a preset name.

    A name without a .yaml suffix is looked up as ``<dir>/<name>.yaml`` in ``search_dirs``.
    """
    given = Path(source)
    if base is not None and not given.is_absolute():
        given = base / given
    if given.suffix in (".yaml", ".yml") or given.is_file():
        if given.is_file():
            return given.resolve()
        raise ScenarioError(given, [Problem("", f"{what} file {str(source)!r} not found")])
    for directory in search_dirs:
        for suffix in (".yaml", ".yml"):
            candidate = directory / f"{source}{suffix}"
            if candidate.is_file():
                return candidate.resolve()
    known = sorted({p.stem for d in search_dirs if d.is_dir() for p in d.glob("*.y*ml")})
    hint = did_you_mean(str(source), known)
    raise ScenarioError(
        str(source),
        [Problem("", f"unknown {what} {str(source)!r}{hint}; known: {', '.join(known) or 'none'}")],
    )


def _read_with_extends(
    path: Path, chain: tuple[Path, ...], search: tuple[Path, ...] | None = None
) -> dict[str, Any]:
    """Read a file and, if it ``extends:`` another, merge it over that one (recursively;
    mappings merge, lists and values replace, ``{append:}`` adds: see the module).

    ``extends:`` paths resolve relative to the file that names them; names are looked
    up in ``search`` (default: the bundled scenarios).
    """
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(path, [Problem("extends", f"circular extends: {cycle}")])
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(path, [Problem("extends", "must be a file path or a preset name")])
    try:
        base_path = _find_file(parent, search or BUNDLED_SCENARIO_DIRS, what="extends target",
                               base=path.parent)
    except ScenarioError as exc:
        raise ScenarioError(path, [Problem("extends", p.message) for p in exc.problems]) from None
    base = _read_with_extends(base_path, (*chain, path), search)
    return deep_merge(base, data)


def _validate[M: BaseModel](model: type[M], data: dict[str, Any], path: Path) -> M:
    """Validate ``data`` (``{append:}`` lists resolved first) or raise a ScenarioError
    naming ``path`` and each field in words."""
    data, problems = resolve_appends(model, data)
    if problems:
        raise ScenarioError(path, capped(problems))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(path, capped(validation_problems(model, exc, data))) from None
