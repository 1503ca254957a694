"""The JSON Schemas editors read: every shipped YAML file validates against the schema of its
kind, malformed files do not, and the shipped ``schemas/`` are the generated ones."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from scrm_sim.cli import main
from scrm_sim.scenario.json_schema import SCHEMA_FILES, schemas

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = schemas()


def kind_of(path: Path) -> str:
    """Which schema a shipped YAML file is written to (by where it lives)."""
    relative = path.relative_to(REPO).as_posix()
    if relative.startswith("scenarios/ownership/"):
        return "ownership"
    if relative.startswith("scenarios/"):
        return "scenario"
    if relative == "experiments/debate/common/plausible_ranges.yaml":
        return "robustness"  # a robustness block, shared through robustness: {extends:}
    if relative == "experiments/debate/common/neutral_operating_choices.yaml":
        return "ownership"  # ownership fields set alike for every model
    if relative.startswith("experiments/"):
        return "experiment"
    raise AssertionError(f"no schema for {relative}")


SHIPPED = sorted([*(REPO / "scenarios").rglob("*.yaml"), *(REPO / "experiments").rglob("*.yaml")])


def problems(kind: str, data: object) -> list[str]:
    validator = jsonschema.Draft7Validator(SCHEMAS[kind])
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


@pytest.mark.parametrize("kind", SCHEMA_FILES)
def test_each_schema_is_a_valid_draft_7_schema(kind: str) -> None:
    jsonschema.Draft7Validator.check_schema(SCHEMAS[kind])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_shipped_yaml_validates_against_the_schema_of_its_kind(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    assert problems(kind_of(path), data) == []


def test_the_shipped_files_cover_every_kind() -> None:
    assert {kind_of(p) for p in SHIPPED} == set(SCHEMA_FILES)


MALFORMED = {
    "unknown key": ("scenario", {"ownershp": "service_led"}),
    "unknown nested key": ("scenario", {"customers": {"cout": 5}}),
    "probability above 1": ("scenario", {"company": {"culture": 1.5}}),
    "shift not a preset": ("scenario", {"company": {"departments": {"service": {
        "shift": "nights"}}}}),
    "unknown department": ("scenario", {"company": {"departments": {"legal": {"staff": 2}}}}),
    "text for a number": ("scenario", {"duration_days": "ninety"}),
    "campaign without its start": ("scenario", {"demand": {"campaigns": [
        {"duration_days": 3}]}}),
    "append beside another key": ("scenario", {"demand": {"incidents": {
        "append": [{"start_day": 2}], "replace": True}}}),
    "unknown key in an inline ownership": ("scenario", {"ownership": {"extends": "hybrid",
                                                                      "authoritee": 1}}),
    "preset with an unknown key": ("ownership", {"routing": "hub", "rooting": "hub"}),
    "experiment without a scenario": ("experiment", {"name": "x"}),
    "experiment override of an unknown field": ("experiment", {
        "name": "x", "scenario": "baseline", "overrides": {"demand": {"volume": 2}}}),
    "range with three ends": ("robustness", {"ranges": {"company.culture": [0.1, 0.5, 0.9]}}),
}


@pytest.mark.parametrize("kind, data", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_fails_the_schema(kind: str, data: object) -> None:
    assert problems(kind, data) != []


def test_a_partial_file_that_extends_another_validates() -> None:
    client = {"extends": "baseline.yaml", "name": "client", "duration_days": 30,
              "demand": {"incidents": {"append": [{"start_day": 20}]}},
              "ownership": {"extends": "service_led", "listening": {"coverage": 0.9}}}

    assert problems("scenario", client) == []


def test_descriptions_end_with_the_unit_for_the_editors_hover() -> None:
    growth = SCHEMAS["scenario"]["definitions"]["Demand"]["properties"]["annual_growth"]

    assert growth["description"].endswith("Unit: growth per year (0.1 = +10%).")


def test_the_shipped_schemas_are_the_generated_ones() -> None:
    for kind, name in SCHEMA_FILES.items():
        shipped = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
        assert shipped == SCHEMAS[kind], f"schemas/{name} is stale: run `scrm-sim schema`"


def test_scrm_sim_schema_writes_one_file_per_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "schemas"

    assert main(["schema", "--out", str(out)]) == 0

    assert sorted(p.name for p in out.iterdir()) == sorted(SCHEMA_FILES.values())
    assert json.loads((out / "scenario.schema.json").read_text()) == SCHEMAS["scenario"]
    assert capsys.readouterr().err.count("wrote ") == len(SCHEMA_FILES)
