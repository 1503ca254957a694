"""How a file combines with what it extends (and overrides with a file): mappings merge,
lists and values replace, ``{append: [...]}`` adds to a list.

The rules, for ``extends:`` in scenario and ownership files, for an inline ``ownership:``
with ``extends:``, for an experiment's ``overrides:`` and for ``robustness: {extends:}``:

* a **mapping** merges key by key, at every depth: the child sets only what it changes
  (``company: {culture: 0.6}`` keeps every other company field of the parent);
* a **list** or a **value** replaces the parent's whole: ``incidents: [{start_day: 20}]``
  is the only incident, the parent's are gone; ``incidents: []`` removes them;
* ``{append: [...]}`` in place of a list adds its items after the inherited list's (the
  parent's list, or the schema's default when no parent sets it):
  ``incidents: {append: [{start_day: 20}]}`` keeps the parent's incidents and adds one.

An ``{append:}`` that cannot be done is a mistake in the file, reported by field: on a
field that is not a list, on an inherited value that is not a list (``public_responders:
all``), with other keys beside ``append``, or with items that are not a list.
"""

from __future__ import annotations

import functools
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel

from scrm_sim.errors import Problem

APPEND = "append"


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base`` (see the module): mappings merge, lists and
    values replace, ``{append: [...]}`` adds to the list it lands on."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if is_append(value) and _well_formed(value):
            if isinstance(current, list):
                merged[key] = [*current, *value[APPEND]]
            elif is_append(current) and _well_formed(current):  # both add to one default
                merged[key] = {APPEND: [*current[APPEND], *value[APPEND]]}
            else:  # to the schema's default, or a mistake: resolve_appends decides
                merged[key] = value
        elif isinstance(value, dict) and isinstance(current, dict) and not is_append(current):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def is_append(value: Any) -> bool:
    """Whether ``value`` is an ``{append: ...}`` mapping (well formed or not)."""
    return isinstance(value, dict) and APPEND in value


def resolve_appends(model: type[BaseModel], data: Any) -> tuple[Any, list[Problem]]:
    """``data`` with every ``{append: [...]}`` left after merging turned into the field's
    default list plus the items, and the problems of those that cannot be done."""
    problems: list[Problem] = []
    return _resolve(model, data, _defaults(model), [], problems), problems


# --------------------------------------------------------------------------- internals


def _well_formed(value: dict[str, Any]) -> bool:
    return set(value) == {APPEND} and isinstance(value[APPEND], list)


def _resolve(model: type[BaseModel], data: Any, defaults: Any, path: list[str],
             problems: list[Problem]) -> Any:
    """``data`` of one block of type ``model``; ``defaults`` is what the block holds when the
    file does not set it (the default company's departments, say), as data."""
    if not isinstance(data, dict):
        return data
    defaults = defaults if isinstance(defaults, dict) else {}
    resolved = dict(data)
    for key, value in data.items():
        info = model.model_fields.get(key) if isinstance(key, str) else None
        if info is None:
            continue  # an unknown key: the schema reports it
        where = [*path, key]
        default = defaults[key] if key in defaults else _plain(
            info.get_default(call_default_factory=True))
        if is_append(value):
            resolved[key] = _appended(info.annotation, value, default, where, problems)
        else:
            resolved[key] = _into(info.annotation, value, default, where, problems)
    return resolved


def _into(annotation: Any, value: Any, default: Any, path: list[str],
          problems: list[Problem]) -> Any:
    """Resolve appends inside ``value``, a field's value of type ``annotation``."""
    default = default if isinstance(default, dict) else {}
    for member in _members(annotation):
        origin = typing.get_origin(member)
        args = typing.get_args(member)
        if isinstance(member, type) and issubclass(member, BaseModel) and isinstance(value, dict):
            return _resolve(member, value, default, path, problems)
        if origin is dict and isinstance(value, dict) and args:
            return {k: _into(args[1], v, default.get(str(k)), [*path, str(k)], problems)
                    for k, v in value.items()}
        if origin is list and isinstance(value, list) and args:
            return [_into(args[0], v, None, [*path, str(i)], problems)
                    for i, v in enumerate(value)]
    return value


def _appended(annotation: Any, value: dict[str, Any], default: Any, path: list[str],
              problems: list[Problem]) -> Any:
    field = ".".join(path)
    if not any(typing.get_origin(m) is list for m in _members(annotation)):
        problems.append(Problem(field, "append: adds items to a list, but this field is not "
                                "a list; write its value instead"))
        return value
    if set(value) != {APPEND}:
        extra = ", ".join(sorted(str(k) for k in value if k != APPEND))
        problems.append(Problem(field, f"a mapping with append: takes no other keys (got "
                                f"{extra}); write {{append: [item, ...]}}"))
        return value
    if not isinstance(value[APPEND], list):
        problems.append(Problem(f"{field}.append", "must be a list of the items to add "
                                "(- item, or [a, b])"))
        return value
    if not isinstance(default, list):
        problems.append(Problem(field, f"append: has no list to add to: the inherited value "
                                f"is {default!r}; write the whole list instead"))
        return value
    return [*default, *value[APPEND]]


@functools.cache
def _defaults(model: type[BaseModel]) -> dict[str, Any]:
    """Every field of ``model`` at its default, as data (empty if a field is required)."""
    try:
        return model().model_dump(mode="json")
    except ValueError:  # a required field (an experiment's name): field defaults only
        return {}


def _plain(value: Any) -> Any:
    """A default value as the data it would be written as."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    return value


@functools.cache
def _members(annotation: Any) -> tuple[Any, ...]:
    """The members of a union (``X | None`` included), or the annotation alone; Annotated
    stripped."""
    if typing.get_origin(annotation) is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(m for a in args for m in _members(a))
    return (annotation,)
