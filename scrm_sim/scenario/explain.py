"""What each scenario field means: its description, unit, default, allowed values, and the
value a scenario resolves to (``scrm-sim explain``, and the comments of ``scrm-sim validate``).

Everything comes from the schema (:mod:`scrm_sim.scenario.schema`, through pydantic's JSON
Schema): the field's description, its unit (``json_schema_extra={"unit": ...}``), its
bounds (``ge``/``gt``/``le``/``lt``) and choices (``Literal``, ``PostType``). Nothing is
listed twice. Defaults are the default scenario's values (so a department's default is the
default company's, not the generic one); a field inside a list item (a campaign's
``multiplier``) has its block's default.

Fields are named by dotted paths as they are written in YAML. A mapping of blocks by name
(``company.departments``, ``ownership.rogue``) and a list of blocks (``demand.campaigns``,
``ownership.stages``) are written with a placeholder: ``company.departments.<department>.staff``,
``demand.campaigns.<n>.start_day``. A path may give the key (``company.departments.service.staff``,
``demand.campaigns.0.start_day``) or leave it out (``company.departments.staff``).
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from scrm_sim.errors import ScenarioError
from scrm_sim.scenario.schema import DEPARTMENTS, POST_TYPES, Scenario

NO_UNIT = "—"
_MISSING: Any = object()


@dataclass
class Node:
    """One field of the schema (or the root): what it is and what it holds.

    ``kind`` is ``block`` (a mapping of named fields), ``blocks`` (a mapping of blocks by
    key, or a list of blocks: one child, the placeholder), or ``leaf`` (a value; a leaf
    whose value may also be a block, such as ``shift``, has that block's fields as
    children too).
    """

    name: str
    schema: dict[str, Any]
    kind: str
    description: str = ""
    children: dict[str, Node] = field(default_factory=dict)
    placeholder: str = ""  # for ``blocks``: "<department>", "<post type>", "<n>"
    keys: tuple[str, ...] = ()  # for ``blocks`` by key: the keys it may take
    default: Any = _MISSING  # the field's own default (its block's), as data
    same_as: str = ""  # a block described elsewhere (a stage's ownership: "ownership")

    @property
    def unit(self) -> str:
        """The field's unit, or "—" (blocks and dimensionless values)."""
        return str(self.schema.get("unit") or NO_UNIT)


@dataclass(frozen=True)
class FieldDoc:
    """What ``scrm-sim explain`` prints about one field."""

    path: str
    description: str
    unit: str
    default: str
    allowed: str
    block: bool
    value: str | None = None
    origin: str | None = None


class UnknownField(ScenarioError):
    """A field path that the scenario schema does not have."""

    heading = "unknown field"

    def report(self) -> str:
        """One line naming the path, the closest paths, and how to list them all."""
        hint = self.problems[0].message if self.problems else ""
        return f"error: unknown field {self.source!r}{hint}"


# --------------------------------------------------------------------------- the tree


@functools.cache
def _json_schema() -> dict[str, Any]:
    return Scenario.model_json_schema()


def _defs() -> dict[str, Any]:
    return _json_schema()["$defs"]


@functools.cache
def tree() -> Node:
    """The scenario schema as a tree of fields (built once)."""
    return _node("", _json_schema(), _defs(), ())


def _node(name: str, prop: dict[str, Any], defs: dict[str, Any], seen: tuple[str, ...]) -> Node:
    """The node of a property; ``seen`` holds the blocks above it (the schema contains
    itself: a stage's ownership model is an ownership model, described once)."""
    description = _first_paragraph(prop.get("description", ""))
    branches = _branches(prop, defs)
    blocks = [b for b in branches if "properties" in b]
    if blocks and len(branches) == 1:  # a block
        block = blocks[0]
        node = Node(name, prop, "block", description or _first_paragraph(
            block.get("description", "")))
        if block["title"] in seen:
            node.same_as = _path_of(block["title"])
            return node
        _add_fields(node, block, defs, seen)
        return node
    for branch in branches:  # a mapping or a list of blocks
        item = _resolve(branch.get("additionalProperties") or branch.get("items") or {}, defs)
        if "properties" in item and branch.get("type") in ("object", "array"):
            keys = _keys(branch, defs)
            placeholder = "<n>" if branch["type"] == "array" else _placeholder(keys)
            node = Node(name, prop, "blocks", description, placeholder=placeholder, keys=keys)
            node.children[placeholder] = _node(placeholder, branch.get("additionalProperties")
                                               or branch["items"], defs, seen)
            return node
    node = Node(name, prop, "leaf", description)
    for block in blocks:  # a value that may also be written as a block (shift)
        _add_fields(node, block, defs, seen)
    return node


def _add_fields(node: Node, block: dict[str, Any], defs: dict[str, Any],
                seen: tuple[str, ...]) -> None:
    """The fields of ``block`` as children of ``node``, each with its own default."""
    fields = _schema_classes()[block["title"]].model_fields
    for key, child in block["properties"].items():
        node.children[key] = _node(key, child, defs, (*seen, block["title"]))
        info = fields[key]
        if not info.is_required():
            node.children[key].default = _plain(info.get_default(call_default_factory=True))


@functools.cache
def _schema_classes() -> dict[str, type[BaseModel]]:
    """The schema's classes by name (the JSON Schema's titles)."""
    from scrm_sim.scenario import schema

    return {name: cls for name, cls in vars(schema).items()
            if isinstance(cls, type) and issubclass(cls, BaseModel)}


def _plain(value: Any) -> Any:
    """A default as data (blocks dumped, enum members as their values)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return TypeAdapter(Any).dump_python(value, mode="json")


def _branches(prop: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The forms a property takes (a union's members; null left out), references resolved."""
    forms = prop.get("anyOf", [prop])
    return [_resolve(f, defs) for f in forms if f.get("type") != "null"]


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {**defs[schema["$ref"].rsplit("/", 1)[-1]],
                **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _keys(branch: dict[str, Any], defs: dict[str, Any]) -> tuple[str, ...]:
    names = _resolve(branch.get("propertyNames", {}), defs)
    return tuple(names.get("enum", ()))


def _placeholder(keys: tuple[str, ...]) -> str:
    if set(keys) == set(DEPARTMENTS):
        return "<department>"
    if set(keys) == {str(t) for t in POST_TYPES}:
        return "<post type>"
    return "<key>"


def _path_of(title: str) -> str:
    return {"Ownership": "ownership", "Scenario": "the scenario"}.get(title, title)


def _first_paragraph(text: str) -> str:
    """A docstring's first paragraph as one line, without reStructuredText quoting."""
    first = text.strip().split("\n\n")[0]
    return re.sub(r"``([^`]*)``", r"\1", " ".join(first.split()))


# --------------------------------------------------------------------------- paths


def walk(node: Node | None = None, prefix: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], Node]]:
    """Every field below ``node`` (default: the root), depth first, with its path."""
    node = node or tree()
    for key, child in node.children.items():
        path = (*prefix, key)
        if child.kind != "blocks":
            yield path, child
        yield from walk(child, path)


def leaves() -> list[tuple[str, Node]]:
    """Every leaf field (a value a user sets) by its placeholder path."""
    return [(".".join(path), node) for path, node in walk() if node.kind == "leaf"]


def find(path: str) -> tuple[tuple[str, ...], tuple[str, ...], Node]:
    """The field at a dotted ``path``: its placeholder path, the path as written (keys the
    user gave in place of placeholders), and its node.

    Raises:
        UnknownField: no such field; the message names the closest paths.
    """
    parts = tuple(path.strip().split(".")) if path.strip() else ()
    if "" in parts:  # "demand..annual_growth", "demand.": a mistake, not another field
        raise UnknownField(path, [_suggestion(".".join(p for p in parts if p))])
    found = _match(tree(), parts, (), ())
    if found is None:
        raise UnknownField(path, [_suggestion(path)])
    return found


def _match(node: Node, parts: tuple[str, ...], template: tuple[str, ...],
           written: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], Node] | None:
    if not parts:
        return template, written, node
    head, rest = parts[0], parts[1:]
    if node.same_as in tree().children:  # a stage's ownership model: ownership's fields
        return _match(tree().children[node.same_as], parts, template, written)
    if node.kind == "blocks":
        child = node.children[node.placeholder]
        given = head == node.placeholder or (
            head.isdigit() if node.placeholder == "<n>" else head in node.keys)
        if given:
            return _match(child, rest, (*template, node.placeholder), (*written, head))
        # the key left out: company.departments.staff
        return _match(child, parts, (*template, node.placeholder),
                      (*written, node.placeholder))
    if head in node.children:
        return _match(node.children[head], rest, (*template, head), (*written, head))
    if node.kind == "leaf" and _by_key(node) and not rest:
        keys = _by_key(node)
        if head in keys or head == "<post type>" or head == "<department>":
            return (*template, head), (*written, head), node  # one key of a mapping value
    return None


def _by_key(node: Node) -> tuple[str, ...]:
    """The keys of a leaf whose value is a mapping (rates by post type), else ()."""
    for branch in _branches(node.schema, _defs()):
        if branch.get("type") == "object" and "properties" not in branch:
            return _keys(branch, _defs())
    return ()


def _suggestion(path: str) -> Any:
    from scrm_sim.errors import Problem

    known = [".".join(p) for p, _ in walk()]
    short = {k: ".".join(s for s in k.split(".") if not s.startswith("<")) for k in known}
    by_short = {v: k for k, v in short.items()}
    close = difflib.get_close_matches(path, list(by_short), n=3, cutoff=0.75)
    last = path.rsplit(".", 1)[-1]
    named = [k for k in known if k.rsplit(".", 1)[-1] == last]
    options = list(dict.fromkeys([*named[:3], *(by_short[c] for c in close)]))[:4]
    hint = f" (did you mean {' or '.join(options)}?)" if options else ""
    return Problem("", f"{hint}; `scrm-sim explain` lists every field")


# --------------------------------------------------------------------------- docs


def explain(path: str = "", scenario: Scenario | None = None,
            source: str | Path | None = None) -> list[FieldDoc]:
    """The documentation of the field at ``path`` and of every field under it (all fields
    for ""), with the values of ``scenario`` when given (``source``: its file, to say
    where each value was set)."""
    template, written, node = find(path)
    defaults = Scenario().model_dump(mode="json")
    data = scenario.model_dump(mode="json") if scenario is not None else None
    chain = _chain(source) if source is not None else None
    rows = [(template, written, node)] if template and node.kind != "blocks" else []
    if template and node.kind == "blocks":
        rows.append((template, written, node))
    for sub, child in walk(node):
        shown = (*written, *sub)
        rows.append(((*template, *sub), shown, child))
    return [_doc(t, w, n, defaults, data, chain) for t, w, n in rows]


def _doc(template: tuple[str, ...], written: tuple[str, ...], node: Node,
         defaults: dict[str, Any], data: dict[str, Any] | None,
         chain: list[Path] | None) -> FieldDoc:
    default = _at(defaults, written)
    if default is _MISSING or (default in ({}, []) and _placeholders(written)):
        default = node.default  # a field of list items, or of a mapping the default lacks
    value = origin = None
    if data is not None:
        found = _at(data, written)
        if found is _MISSING:
            value = "(not set)"
        elif found in ({}, []) and _placeholders(written):
            value = "(none)"
        else:
            value = show(found)
            if chain is not None and not _placeholders(written):
                origin = _origin(chain, written, data)
    return FieldDoc(
        path=".".join(written), description=node.description, unit=node.unit,
        default="none (required)" if default is _MISSING else show(default),
        allowed=allowed(node.schema) if node.kind == "leaf" else _block_allowed(node),
        block=node.kind != "leaf", value=value, origin=origin)


def _placeholders(parts: tuple[str, ...]) -> bool:
    return any(p.startswith("<") for p in parts)


def _at(data: Any, parts: tuple[str, ...]) -> Any:
    """The value at ``parts``; a placeholder gathers the values of every key or item."""
    if not parts:
        return data
    head, rest = parts[0], parts[1:]
    if head.startswith("<"):
        if isinstance(data, dict):
            found = {k: _at(v, rest) for k, v in data.items()}
            return {k: v for k, v in found.items() if v is not _MISSING}
        if isinstance(data, list):
            return [v for v in (_at(item, rest) for item in data) if v is not _MISSING]
        return _MISSING
    if isinstance(data, dict) and head in data:
        return _at(data[head], rest)
    if isinstance(data, list) and head.isdigit() and int(head) < len(data):
        return _at(data[int(head)], rest)
    return _MISSING


def _chain(source: str | Path) -> list[Path]:
    from scrm_sim.scenario.loading import extends_chain

    return extends_chain(source)


def _origin(chain: list[Path], parts: tuple[str, ...], data: dict[str, Any]) -> str:
    """Where the value at ``parts`` was set: a file of the extends chain, the ownership
    preset, or the schema's default."""
    from scrm_sim.scenario.loading import item_origins, read_yaml, set_in

    listed = next((i for i, part in enumerate(parts) if part.isdigit()), None)
    if listed is not None:  # an item of a list: the file that wrote (or appended) the item
        layers = [(str(file), read_yaml(file)) for file in reversed(chain)]
        origins = item_origins(layers, ".".join(parts[:listed]))
        index = int(parts[listed])
        if index < len(origins):
            found = Path(origins[index])
            return _set_in(found, chain)
    found = set_in(chain, ".".join(parts))
    if found is not None:
        return _set_in(found, chain)
    if parts[0] == "ownership" and len(parts) > 1:
        for file in chain:
            own = read_yaml(file).get("ownership")
            if isinstance(own, str):
                return f"from the ownership preset {own}"
            if isinstance(own, dict) and isinstance(own.get("extends"), str):
                return f"from the ownership preset {own['extends']}"
            if own is not None:
                break
    return "default"


def _set_in(found: Path, chain: list[Path]) -> str:
    return f"set in {found.name}" if found == chain[0] else \
        f"inherited from {found.name} via extends"


def show(value: Any) -> str:
    """A value as YAML writes it in one line (long ones cut)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = f"{value:.1f}"
    elif isinstance(value, (dict, list)):
        text = _flow(value)
    else:
        text = json.dumps(value, ensure_ascii=False) if isinstance(value, str) and (
            not value or value != value.strip() or ":" in value) else (
            "null" if value is None else str(value).lower() if isinstance(value, bool)
            else str(value))
    return text if len(text) <= 120 else text[:117] + "…"


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return show(value)


# --------------------------------------------------------------------------- allowed values


def allowed(schema: dict[str, Any]) -> str:
    """A field's allowed values in words: bounds, choices, the forms of a union (values
    first, mappings and lists last)."""
    defs = _defs()
    branches = sorted(_branches(schema, defs), key=lambda b: b.get("type") in (
        "object", "array") or "properties" in b)
    forms = [_form(b, defs) for b in branches]
    if any(f.get("type") == "null" for f in schema.get("anyOf", [])):
        forms.append("null")
    return "; or ".join(dict.fromkeys(f for f in forms if f))


def _form(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "properties" in schema:
        return f"a mapping with keys {', '.join(schema['properties'])}"
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    kind = schema.get("type")
    if kind == "array":
        items = _resolve(schema.get("items", {}), defs)
        return f"a list, each {_form(items, defs)}"
    if kind == "object":
        keys = _keys(schema, defs)
        values = _resolve(schema.get("additionalProperties", {}), defs)
        by = {"<post type>": "post type", "<department>": "department"}.get(
            _placeholder(keys), "key")
        inner = " or ".join(("a number " if b.get("type") == "number" and _has_bounds(b)
                             else "") + _form(b, defs) for b in _branches(values, defs))
        if any(b.get("type") == "null" for b in values.get("anyOf", [])):
            inner += " or null"
        return f"a mapping by {by} ({', '.join(keys)}) to {inner or 'any value'}"
    if kind == "boolean":
        return "true or false"
    if kind == "string":
        return "text"
    if kind in ("number", "integer"):
        return _bounds(schema)
    return ""


def _bounds(schema: dict[str, Any]) -> str:
    """"0 to 1", "> 0 and ≤ 1,000", "≥ 0", "a whole number, 0 to 23", "any number"."""
    low = [(f"> {_num(schema['exclusiveMinimum'])}", None)] if "exclusiveMinimum" in schema \
        else [(f"≥ {_num(schema['minimum'])}", schema["minimum"])] if "minimum" in schema else []
    high = [(f"< {_num(schema['exclusiveMaximum'])}", None)] if "exclusiveMaximum" in schema \
        else [(f"≤ {_num(schema['maximum'])}", schema["maximum"])] if "maximum" in schema else []
    if low and high and low[0][1] is not None and high[0][1] is not None:
        text = f"{_num(low[0][1])} to {_num(high[0][1])}"
    else:
        text = " and ".join(t for t, _ in low + high)
    if schema.get("type") == "integer":
        return f"a whole number, {text}" if text else "a whole number"
    return text or "any number"


def _has_bounds(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum",
                                     "exclusiveMaximum"))


def _num(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return text.replace("-", "−")


def _block_allowed(node: Node) -> str:
    if node.same_as:
        return f"a preset's name, or a mapping with the fields of {node.same_as}"
    if node.kind == "blocks":
        if node.placeholder == "<n>":
            return "a list of mappings (each with the fields below); or {append: [...]}"
        return f"a mapping by {node.placeholder.strip('<>')} ({', '.join(node.keys)})"
    return f"a mapping with keys {', '.join(node.children)}"


# --------------------------------------------------------------------------- text


def format_docs(docs: list[FieldDoc], width: int = 88) -> str:
    """The docs as ``scrm-sim explain`` prints them: one paragraph per field."""
    blocks = []
    for doc in docs:
        lines = [doc.path or "(the scenario)"]
        if doc.description:
            lines += textwrap.wrap(doc.description, width, initial_indent="    ",
                                   subsequent_indent="    ")
        if doc.block:
            lines.append(f"    {'takes':<8} {doc.allowed}")
        else:
            lines.append(f"    {'unit':<8} {doc.unit}")
            lines.append(f"    {'default':<8} {doc.default}")
            lines.append(f"    {'allowed':<8} {doc.allowed}")
            if doc.value is not None:
                where = f"   ({doc.origin})" if doc.origin else ""
                lines.append(f"    {'value':<8} {doc.value}{where}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def comment_for(parts: tuple[str, ...]) -> str:
    """A one-line comment for a resolved value at ``parts`` (concrete keys and indexes):
    its unit and the first sentence of its description; "" for an unknown path."""
    try:
        _, _, node = find(".".join(parts))
    except UnknownField:
        return ""
    sentence = re.split(r"(?<=\.)\s", node.description, maxsplit=1)[0].rstrip(".")
    if len(sentence) > 70:
        sentence = sentence[:69].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    if sentence.count("(") > sentence.count(")"):  # cut inside a parenthesis
        sentence = sentence[:sentence.rindex("(")].rstrip(",;: ") + " …"
    unit = node.unit if node.kind == "leaf" else ""
    return " · ".join(p for p in (unit if unit != NO_UNIT else "", sentence) if p)


# --------------------------------------------------------------------------- validate


def commented_yaml(scenario: Scenario) -> str:
    """The resolved scenario as YAML, each value with a comment: its unit, the first
    sentence of its description, and the default where the value differs from it.

    The comments are YAML comments, so the text still loads as the same scenario.
    """
    lines = [f"# {scenario.name}, fully resolved: every field, defaults included. Comments: "
             "unit · meaning · the default where the value differs.",
             "# `scrm-sim explain FIELD` tells more about a field (e.g. demand.annual_growth)."]
    _emit_mapping(scenario.model_dump(mode="json"), (), 0, lines,
                  Scenario().model_dump(mode="json"))
    return "\n".join(lines) + "\n"


_COMMENT_COLUMN = 44


def _emit_mapping(data: dict[str, Any], parts: tuple[str, ...], indent: int,
                  lines: list[str], defaults: Any) -> None:
    for key, value in data.items():
        path = (*parts, str(key))
        head = " " * indent + f"{_scalar(key)}:"
        try:
            _, _, node = find(".".join(path))
        except UnknownField:  # a key the schema lacks (not in a resolved scenario)
            node = None
        if node is not None and node.kind == "leaf" or not isinstance(value, (dict, list)) \
                or not value:
            comment = comment_for(path)
            default = _at(defaults, path) if node is not None else _MISSING
            if default is _MISSING and node is not None:
                default = node.default
            if default is not _MISSING and default != value and node is not None \
                    and node.kind == "leaf":
                shown = show(default)
                comment += f" · default {shown}" if len(shown) <= 30 else " · not the default"
            lines.append(_with_comment(f"{head} {_flow_yaml(value)}", comment))
        elif isinstance(value, dict):
            lines.append(_with_comment(head, comment_for(path)))
            _emit_mapping(value, path, indent + 2, lines, defaults)
        else:
            lines.append(_with_comment(head, comment_for(path)))
            for i, item in enumerate(value):
                item_lines: list[str] = []
                if isinstance(item, dict) and item:
                    _emit_mapping(item, (*path, str(i)), indent + 4, item_lines, defaults)
                    item_lines[0] = " " * (indent + 2) + "- " + item_lines[0][indent + 4:]
                else:
                    item_lines.append(" " * (indent + 2) + f"- {_flow_yaml(item)}")
                lines += item_lines


def _with_comment(line: str, comment: str) -> str:
    if not comment:
        return line
    return f"{line.ljust(_COMMENT_COLUMN - 2)}  # {comment}"


def _flow_yaml(value: Any) -> str:
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False,
                          allow_unicode=True, width=10**9)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _scalar(key: Any) -> str:
    return _flow_yaml(key)
