"""Schema fields that were removed or renamed, and what replaces each.

An old scenario, ownership preset or experiment file that still sets one of these gets
one message naming the field and its replacement, instead of pydantic's generic
"unknown key". Entries are keyed by the schema CLASS name and the field name, so a field
is recognised wherever its class appears: an ``Ownership`` at ``ownership``, inline at
``ownership.stages[i].ownership``, as a preset file of its own, or in an experiment's
overrides and factors.

An entry only speaks when the schema itself rejects the key (``extra="forbid"``); while
the schema still has a field, its entry here has no effect. To retire a field: drop it
from ``schema.py`` and add one line below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RemovedField:
    """One field that the schema no longer has."""

    removed_in: str
    """The version or issue that removed it, e.g. ``issue 12``."""
    replacement: str
    """One line: what replaces it (or why nothing does)."""

    def message(self) -> str:
        """The user's message for a file that still sets the field."""
        return f"removed in {self.removed_in}; {self.replacement}"


REMOVED_FIELDS: dict[tuple[str, str], RemovedField] = {
    ("Ownership", "owner"): RemovedField(
        "issue 12",
        "nothing replaces it: it had no effect on any run (runs were bit-identical); ownership "
        "is expressed by front_line, resolvers, priorities, authority and "
        "executive_sponsorship, so delete the key",
    ),
    ("Outcomes", "learning_rate"): RemovedField(
        "issue 12",
        "replaced by `outcomes.reply_gain` (satisfaction gained by an immediate, on-voice, "
        "resolving reply, per post type); satisfaction now moves by increments whose sign is "
        "fixed by what happened, not toward a utility",
    ),
    ("Outcomes", "acknowledgement_utility"): RemovedField(
        "issue 12",
        "renamed `outcomes.acknowledgement_share` (share of the reply gain that an "
        "acknowledgement gives; the rest comes with the resolution)",
    ),
}


def removed_field(model: type | str, field: str) -> RemovedField | None:
    """The table's entry for ``field`` of the schema class ``model`` (a class or its name)."""
    name = model if isinstance(model, str) else model.__name__
    return REMOVED_FIELDS.get((name, field))
