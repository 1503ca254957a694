"""JSON Schemas of the files a user writes, from the pydantic schema, for editors.

An editor with the YAML language server (VS Code's YAML extension, and others) reads a
JSON Schema to complete keys, show each field's description and unit on hover, and mark
unknown keys and out-of-range values as you type. ``scrm-sim schema`` writes four:

* ``scenario.schema.json``: a scenario file (``scenarios/*.yaml``);
* ``ownership.schema.json``: an ownership model file (``scenarios/ownership/*.yaml``, and
  an experiment's neutral operating choices);
* ``experiment.schema.json``: an experiment file (``experiments/*.yaml``);
* ``robustness.schema.json``: a robustness block shared through ``robustness: {extends:}``.

They are pydantic's ``model_json_schema`` of :class:`~scrm_sim.scenario.schema.Scenario`,
:class:`~scrm_sim.scenario.schema.Ownership` and
:class:`~scrm_sim.experiment.spec.Experiment`, changed only where a file is written
differently from the validated object:

* ``extends:`` (a file path or preset name) is allowed at the top of a scenario or
  ownership file, in an inline ``ownership:`` and in a ``robustness:`` block;
* ``ownership:`` (and a stage's) is a preset name or file path, or a mapping;
* wherever a list is allowed, so is ``{append: [...]}`` (:mod:`scrm_sim.scenario.merge`);
* an experiment's ``overrides:`` are scenario fields, checked as a scenario file is;
* each description ends with the field's unit.

A file that ``extends:`` another is partial, and needs no separate schema: every field of
a scenario has a default, and the only required fields (a campaign's ``start_day``, a
stage's ``when``) sit inside list items, which an extending file writes whole (lists
replace; ``{append:}`` adds whole items). So one schema checks complete and partial files
alike; what only the merged result shows (a department the ownership model names but the
company lacks) is left to ``scrm-sim validate``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from scrm_sim.scenario.merge import APPEND
from scrm_sim.scenario.schema import Scenario

DIALECT = "http://json-schema.org/draft-07/schema#"
"""Draft 7: the newest dialect the YAML language server supports (its JSON service is held at
draft 7), so references point into ``definitions`` and a pair is ``items: [a, b]``."""
SCHEMA_FILES = {
    "scenario": "scenario.schema.json",
    "ownership": "ownership.schema.json",
    "experiment": "experiment.schema.json",
    "robustness": "robustness.schema.json",
}
"""Each kind of file and the name of its schema."""

_EXTENDS = {
    "type": "string",
    "description": "Start from this file (a path relative to this file, or a bundled name) "
    "and change it: mappings merge key by key, lists and values replace, {append: [...]} "
    "adds to a list.",
}


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file."""
    schema = _schema(Scenario)
    _allow_extends(schema)
    _ownership_by_name(schema)
    schema["title"] = "scrm-sim scenario"
    return _finish(schema)


def ownership_schema() -> dict[str, Any]:
    """The JSON Schema of an ownership model file (a preset)."""
    scenario = _schema(Scenario)
    _ownership_by_name(scenario)
    defs = scenario["definitions"]
    schema = {**copy.deepcopy(defs["Ownership"]), "definitions": defs}
    schema["properties"]["extends"] = _EXTENDS
    schema["title"] = "scrm-sim ownership model"
    return _finish(schema)


def experiment_schema() -> dict[str, Any]:
    """The JSON Schema of an experiment file; its overrides are checked as scenario fields."""
    from scrm_sim.experiment.spec import Experiment  # the experiment layer builds on this one

    schema = _schema(Experiment)
    scenario = _schema(Scenario)
    _ownership_by_name(scenario)
    defs = schema["definitions"]
    clashes = set(defs) & set(scenario["definitions"])
    if clashes:
        raise ValueError(f"experiment and scenario schemas both define {sorted(clashes)}")
    defs.update(scenario["definitions"])
    overrides = {k: v for k, v in scenario.items() if k not in ("definitions", "title")}
    overrides["description"] = "Scenario fields, merged over the scenario file's."
    defs["ScenarioOverrides"] = overrides
    ref = {"$ref": "#/definitions/ScenarioOverrides"}
    for block in (schema, defs["Robustness"], defs["RobustnessScale"]):
        described = block["properties"]["overrides"].get("description", "")
        block["properties"]["overrides"] = {**ref, "description": described}
    defs["Robustness"]["properties"]["extends"] = {
        "type": "string", "description": "A YAML file of this block (relative to this file) "
        "whose values are merged under these."}
    schema["title"] = "scrm-sim experiment"
    return _finish(schema)


def robustness_schema() -> dict[str, Any]:
    """The JSON Schema of a robustness block kept in its own file (``robustness: {extends:}``)."""
    experiment = experiment_schema()
    defs = experiment["definitions"]
    schema = {**copy.deepcopy(defs["Robustness"]), "definitions": defs}
    schema["properties"].pop("extends", None)
    schema["title"] = "scrm-sim robustness block"
    return _finish(schema)


def schemas() -> dict[str, dict[str, Any]]:
    """Every file's schema by kind (see :data:`SCHEMA_FILES`)."""
    return {"scenario": scenario_schema(), "ownership": ownership_schema(),
            "experiment": experiment_schema(), "robustness": robustness_schema()}


def write_schemas(out: Path) -> list[Path]:
    """Write every schema into the folder ``out`` (created if missing); the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in schemas().items():
        path = out / SCHEMA_FILES[kind]
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


# --------------------------------------------------------------------------- internals


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    """pydantic's schema in draft 7, each unit in its description, {append:} beside each
    list."""
    schema = _draft7(model.model_json_schema(ref_template="#/definitions/{model}"))
    schema["definitions"] = schema.pop("$defs", {})
    for block in [schema, *schema["definitions"].values()]:
        for name, prop in block.get("properties", {}).items():
            block["properties"][name] = _with_append(_with_unit(prop))
    return schema


def _draft7(schema: Any) -> Any:
    """pydantic's 2020-12 ``prefixItems`` (a pair such as a range) as draft 7's
    ``items: [...]``."""
    if isinstance(schema, list):
        return [_draft7(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {k: _draft7(v) for k, v in schema.items()}
    if "prefixItems" in converted:
        converted["items"] = converted.pop("prefixItems")
    return converted


def _with_unit(prop: dict[str, Any]) -> dict[str, Any]:
    """The field's description ending with its unit (editors show the description only)."""
    unit = prop.get("unit")
    if unit and unit != "—":
        prop["description"] = f"{prop.get('description', '').rstrip()} Unit: {unit}.".strip()
    return prop


def _with_append(prop: dict[str, Any]) -> dict[str, Any]:
    """A list field that also takes {append: [...]}."""
    lists = [p for p in prop.get("anyOf", [prop]) if p.get("type") == "array"]
    if not lists:
        return prop
    append = {
        "type": "object",
        "properties": {APPEND: {**lists[0], "description": "Items added after the inherited "
                                "list's (the file extended, or the default)."}},
        "required": [APPEND],
        "additionalProperties": False,
    }
    if "anyOf" in prop:
        return {**prop, "anyOf": [*prop["anyOf"], append]}
    keep = {k: v for k, v in prop.items() if k in ("title", "description", "unit", "default")}
    alone = {k: v for k, v in prop.items() if k not in keep}
    return {**keep, "anyOf": [alone, append]}


def _allow_extends(schema: dict[str, Any]) -> None:
    schema["properties"] = {"extends": _EXTENDS, **schema["properties"]}


def _ownership_by_name(schema: dict[str, Any]) -> None:
    """``ownership:`` (the scenario's and each stage's) as a name or path, or a mapping
    (which may ``extends:`` a preset)."""
    from scrm_sim.scenario.loading import BUNDLED_SCENARIO_DIRS

    presets = sorted({p.stem for d in BUNDLED_SCENARIO_DIRS
                      for p in (d / "ownership").glob("*.y*ml")})
    defs = schema["definitions"]
    defs["Ownership"]["properties"] = {"extends": {
        **_EXTENDS, "description": "Start from this ownership preset (a name, or a file path) "
        "and change the fields given.", "examples": presets}, **defs["Ownership"]["properties"]}
    by_name = {
        "anyOf": [
            {"type": "string", "description": "An ownership preset's name (see `scrm-sim "
             "models`) or an ownership file's path.", "examples": presets},
            {"$ref": "#/definitions/Ownership"},
        ],
    }
    for block, name in ((schema, "ownership"), (defs["OwnershipStage"], "ownership")):
        described = block["properties"][name].get("description", "")
        block["properties"][name] = {**by_name, "description": described or
                                     "The ownership model: a preset's name, or a mapping."}


def _finish(schema: dict[str, Any]) -> dict[str, Any]:
    """The dialect first, then the rest as built, with only the definitions it uses."""
    body = {k: v for k, v in schema.items() if k not in ("$schema", "definitions")}
    defs = schema.get("definitions", {})
    used: set[str] = set()
    todo = [body]
    while todo:
        for name in _refs(todo.pop()) - used:
            used.add(name)
            todo.append(defs[name])
    return {"$schema": DIALECT, **body,
            "definitions": {name: defs[name] for name in sorted(used)}}


def _refs(schema: Any) -> set[str]:
    """The definitions ``schema`` refers to directly."""
    if isinstance(schema, list):
        return set().union(*map(_refs, schema)) if schema else set()
    if not isinstance(schema, dict):
        return set()
    found = {schema["$ref"].rsplit("/", 1)[-1]} if isinstance(schema.get("$ref"), str) else set()
    return found.union(*map(_refs, schema.values())) if schema else found
