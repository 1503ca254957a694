"""Edits of a scenario by field path: set a field, or scale it, as data.

An :class:`Edit` names a field by its dotted path in the scenario
(``ownership.listening.coverage``); ``*`` stands for every key of a mapping
(``company.departments.*.capacity_per_hour``). Scaling a mapping scales each of its
values (``outcomes.silence_penalty``). An edit under ``ownership.`` applies to the
ownership model and to the models of its later stages, so that a staged preset is
edited the same way in every stage.

The edited scenario is validated again, by the schema and the consistency checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrm_sim.scenario import Scenario
from scrm_sim.scenario.loading import validate_scenario


@dataclass(frozen=True)
class Edit:
    """One change to a scenario: ``path`` set to ``value``, or multiplied by ``factor``.

    With a factor, ``cap`` bounds the result from above (probabilities stay at most 1).
    """

    path: str
    value: Any = None
    factor: float | None = None
    cap: float | None = None

    def describe(self) -> str:
        """Short text: ``ownership.staffing_scale = 2``, ``word_of_mouth.… × 3``."""
        if self.factor is None:
            return f"{self.path} = {self.value}"
        capped = f" (at most {self.cap:g})" if self.cap is not None else ""
        return f"{self.path} × {self.factor:g}{capped}"

    def apply(self, data: dict[str, Any]) -> None:
        """Apply the edit in place to scenario data (a dump of a validated scenario)."""
        keys = self.path.split(".")
        if keys[0] == "ownership":
            for ownership in _ownership_and_stages(data["ownership"]):
                self._apply_at(ownership, keys[1:], "ownership")
        else:
            self._apply_at(data, keys, "")

    def _apply_at(self, node: dict[str, Any], keys: list[str], where: str) -> None:
        """Apply at ``keys`` below ``node``, which sits at path ``where`` in the scenario."""
        key, rest = keys[0], keys[1:]
        for target in (list(node) if key == "*" else [key]):
            path = f"{where}.{target}" if where else target
            if target not in node:
                raise KeyError(f"edit {self.describe()!r}: the scenario has no field {path!r}")
            if rest:
                self._apply_at(node[target], rest, path)
            else:
                node[target] = self._new_value(node[target])

    def _new_value(self, old: Any) -> Any:
        if self.factor is None:
            return self.value
        if isinstance(old, dict):
            return {k: self._scaled(v) for k, v in old.items()}
        return self._scaled(old)

    def _scaled(self, value: float) -> float:
        scaled = value * self.factor  # type: ignore[operator]
        return min(scaled, self.cap) if self.cap is not None else scaled


def set_to(path: str, value: Any) -> Edit:
    """An edit that sets the field at ``path`` to ``value``."""
    return Edit(path, value=value)


def scaled(path: str, factor: float, cap: float | None = None) -> Edit:
    """An edit that multiplies the field (or every value of the mapping) at ``path``."""
    return Edit(path, factor=factor, cap=cap)


def edited(scenario: Scenario, edits: Sequence[Edit], source: Path | str = "edited scenario"
           ) -> Scenario:
    """A copy of ``scenario`` with ``edits`` applied, validated again.

    Raises:
        KeyError: an edit names a field the scenario does not have.
        ScenarioError: the edited scenario is not valid.
    """
    data = scenario.model_dump(mode="json")
    for edit in edits:
        edit.apply(data)
    return validate_scenario(data, Path(source))


def _ownership_and_stages(ownership: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield ownership
    for stage in ownership.get("stages", []):
        yield from _ownership_and_stages(stage["ownership"])
