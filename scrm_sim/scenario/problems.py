"""Pydantic's validation errors as problems a person can act on: the field as written, in words.

pydantic reports one error per union member it tried, names its internal types
(``Shift``, ``constrained-float``, ``literal['all']``) and words every message as "Input
should be …". A user wrote neither the member nor the type, so each error is turned into
a :class:`~scrm_sim.errors.Problem` here, in one place, for scenario, ownership and
experiment files alike:

* the field path is the keys and list indexes of the input, without pydantic's tags;
* the errors of one union are read together: when the value has the type of one member
  (a mapping for ``shift``, a number for ``listening.coverage``), only that member's
  errors are reported; when it fits none, one problem lists every form it may take
  (``must be 'business', 'extended', 'always' or a mapping with keys days, end_hour,
  start_hour``);
* every message is written here from the error's type and its limits, never copied from
  pydantic (no "Input should be", no "Value error,", no class names).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from scrm_sim.errors import Problem
from scrm_sim.scenario.removed_fields import RemovedField, removed_field

# Errors that say "the value is not of this type" at the member itself: a union member
# that reports only these did not accept the value's type at all.
_TYPE_MISMATCH = frozenset({
    "model_type", "model_attributes_type", "dict_type", "list_type", "tuple_type", "set_type",
    "float_type", "float_parsing", "int_type", "int_parsing", "bool_type", "bool_parsing",
    "string_type", "literal_error", "enum", "none_required", "is_instance_of",
})
_TYPE_NAMES = {"float": "a number", "int": "a whole number", "str": "text",
               "bool": "true or false", "none": "null"}


def validation_problems(model: type[BaseModel], error: ValidationError,
                        data: Any) -> list[Problem]:
    """Every problem of ``error`` (from validating ``data`` against ``model``), in words."""
    return errors_as_problems(model, error.errors(), data)


def errors_as_problems(model: type[BaseModel], errors: Iterable[Any], data: Any,
                       start: int = 0) -> list[Problem]:
    """Problems of pydantic error dicts, union members read together (see the module);
    unions named before ``start`` in an error's location are already read."""
    problems: list[Problem] = []
    unions: dict[tuple[Any, ...], dict[str, list[Any]]] = {}
    for err in errors:
        at = _union_tag_index(err["loc"], data, start)
        if at is None:
            problems.append(error_as_problem(model, err, data))
        else:
            members = unions.setdefault(tuple(err["loc"][:at]), {})
            members.setdefault(str(err["loc"][at]), []).append(err)
    for where, members in unions.items():
        problems += _union_problems(model, where, members, data)
    return _unique(problems)


def error_as_problem(model: type[BaseModel], err: Any, data: Any) -> Problem:
    """One pydantic error dict as a problem (its field as written, its message in words)."""
    loc = field_path(err["loc"], data)
    field = ".".join(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        removed = _removed(model, loc)
        if removed is not None:
            return Problem(field, removed.message())
        allowed = allowed_keys(model, loc[:-1])
        hint = did_you_mean(loc[-1], allowed) if loc else ""
        return Problem(field, f"unknown key{hint}; allowed: {', '.join(allowed)}")
    if kind == "missing":
        return Problem(field, "required field is missing")
    given = err.get("input")
    message = _message(model, err, loc)
    if isinstance(given, (dict, list)) or kind in ("value_error", "assertion_error"):
        return Problem(field, message)
    hint = did_you_mean(given, _expected(err)) if isinstance(given, str) else ""
    return Problem(field, f"{message} (got {_shown(given)}{_also(hint)})")


def removed_field_problems(model: type[BaseModel], data: Any) -> list[Problem]:
    """Keys of ``data`` that ``model`` no longer has and that the removed-fields table lists,
    each with its replacement; every other problem of ``data`` is ignored.

    For partial data, such as an experiment's overrides or a factor's path.
    """
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [
            error_as_problem(model, err, data) for err in exc.errors()
            if err["type"] == "extra_forbidden"
            and _removed(model, field_path(err["loc"], data)) is not None
        ]
    return []


def field_path(loc: tuple[Any, ...], data: Any) -> list[str]:
    """The error location as the user wrote it: keys and indexes of the input, no union tags."""
    path, current = [], data
    for part in loc:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif _is_union_tag(part):
            continue  # pydantic names the union member it tried; the user never wrote it
        else:
            current = None
        path.append(str(part))
    return path


def allowed_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    """Field names of the schema block at ``loc`` (skipping dict keys and list indexes)."""
    block = model_at(model, loc)
    return sorted(block.model_fields) if block is not None else []


def model_at(model: type[BaseModel], loc: list[str]) -> type[BaseModel] | None:
    """The schema class of the block at ``loc`` (skipping dict keys and list indexes)."""
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part)
        if info is None:
            continue  # a dict key or list index
        current = inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def inner_model(annotation: Any) -> Any:
    """The BaseModel inside an annotation such as ``dict[str, Spec]`` or ``list[Spec] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, dict) or args:
        for arg in reversed(args):
            found = inner_model(arg)
            if found is not None:
                return found
    return None


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or nothing."""
    close = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------- internals


def _union_problems(model: type[BaseModel], where: tuple[Any, ...],
                    members: dict[str, list[Any]], data: Any) -> list[Problem]:
    """The problems of one union: those of the members that took the value's type, or one
    problem listing every form the value may take."""
    depth = len(where) + 1

    def rejected_type(err: Any) -> bool:
        return len(err["loc"]) == depth and err["type"] in _TYPE_MISMATCH

    took = [errs for errs in members.values() if not all(map(rejected_type, errs))]
    if took:
        return errors_as_problems(model, [e for errs in took for e in errs], data, depth)
    loc = field_path(where, data)
    choices: list[str] = []
    forms: list[str] = []
    for tag, errs in members.items():
        err = errs[0]
        if err["type"] in ("literal_error", "enum"):
            choices += _expected(err)
        else:
            forms.append(_form(model, tag, err, loc))
    given = members[next(iter(members))][0].get("input")
    hint = did_you_mean(given, choices) if isinstance(given, str) else ""
    allowed = _or([repr(c) for c in choices] + forms)
    got = "" if isinstance(given, (dict, list)) else f" (got {_shown(given)}{_also(hint)})"
    return [Problem(".".join(loc), f"must be {allowed}{got}")]


def _form(model: type[BaseModel], tag: str, err: Any, loc: list[str]) -> str:
    """What one union member accepts, in words."""
    kind = err["type"]
    if kind in ("model_type", "model_attributes_type"):
        block = model_at(model, loc)
        return f"a mapping with keys {', '.join(block.model_fields)}" if block else "a mapping"
    if kind == "dict_type":
        return "a mapping by post type" if "PostType" in tag else "a mapping"
    if kind in ("list_type", "tuple_type", "set_type"):
        return "a list"
    base = tag.removeprefix("constrained-")
    return _TYPE_NAMES.get(base, _message(model, err, loc).removeprefix("must be "))


def _message(model: type[BaseModel], err: Any, loc: list[str]) -> str:
    """What the value must be, in words, from the error's type and limits."""
    kind, ctx, given = err["type"], err.get("ctx") or {}, err.get("input")
    limits = {"greater_than": ("greater than", "gt"),
              "greater_than_equal": ("greater than or equal to", "ge"),
              "less_than": ("less than", "lt"),
              "less_than_equal": ("less than or equal to", "le")}
    if kind in limits:
        words, key = limits[kind]
        return f"must be {words} {_number(ctx.get(key))}"
    if kind in ("literal_error", "enum"):
        return f"must be {_or([repr(e) for e in _expected(err)]) or ctx.get('expected', '')}"
    if kind in ("int_type", "int_parsing"):
        return "must be a whole number (an integer)"
    if kind == "int_from_float":
        return "must be a whole number (an integer), not a fraction"
    if kind in ("float_type", "float_parsing"):
        return "must be a number"
    if kind == "finite_number":
        return "must be a finite number (not .inf or .nan)"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind == "string_type":
        return "must be text"
    if kind == "dict_type":
        return "must be a mapping (key: value)"
    if kind in ("list_type", "tuple_type", "set_type"):
        if isinstance(given, dict):
            return ("must be a list (- item, or [a, b]); to add items to an inherited list, "
                    "write {append: [...]}")
        return "must be a list (- item, or [a, b])"
    if kind in ("model_type", "model_attributes_type"):
        block = model_at(model, loc)
        return (f"must be a mapping with keys {', '.join(block.model_fields)}" if block
                else "must be a mapping")
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} item(s)"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error") or err["msg"]).removeprefix("Assertion failed, ")
    # a kind the schema does not use today: pydantic's words, in this module's voice
    message = re.sub(r"^(Value error|Assertion failed), ", "", err["msg"])
    return message.replace("Input should be", "must be").replace("Input", "the value")


def _also(hint: str) -> str:
    """" (did you mean 'x'?)" as a clause after the given value: "; did you mean 'x'?"."""
    return f"; {hint.strip()[1:-1]}" if hint else ""


def _expected(err: Any) -> list[str]:
    """The allowed values of a literal or enum error."""
    expected = (err.get("ctx") or {}).get("expected", "")
    return re.findall(r"'([^']*)'", expected)


def _or(options: list[str]) -> str:
    """'a', 'b' or 'c'."""
    if len(options) <= 1:
        return "".join(options)
    return f"{', '.join(options[:-1])} or {options[-1]}"


def _number(value: Any) -> str:
    """A limit as a person writes it: 0, 1, 0.25, 1,000,000."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _shown(value: Any) -> str:
    """The value the user gave, short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _removed(model: type[BaseModel], loc: list[str]) -> RemovedField | None:
    """The removed-fields entry for an unknown key at ``loc``, or None."""
    block = model_at(model, loc[:-1])
    return removed_field(block, loc[-1]) if block is not None and loc else None


def _union_tag_index(loc: tuple[Any, ...], data: Any, start: int = 0) -> int | None:
    """Where in ``loc``, from ``start`` on, pydantic first names a union member, or None."""
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif _is_union_tag(part):
            if i >= start and part != "[key]":
                return i
        else:
            current = None
    return None


def _is_union_tag(part: Any) -> bool:
    """pydantic's name for a union member or a dict key ('Shift', "literal['all']",
    'constrained-float', 'dict[...]', '[key]'), never a field name a user writes."""
    if not isinstance(part, str):
        return False
    return part[:1].isupper() or any(c in part for c in "[]-'") or part in _TYPE_NAMES


def _unique(problems: list[Problem]) -> list[Problem]:
    """Problems in order, each once."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for problem in problems:
        if (problem.field, problem.message) not in seen:
            seen.add((problem.field, problem.message))
            kept.append(problem)
    return kept
