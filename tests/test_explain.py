"""``scrm-sim explain``: every field's description, unit, default and allowed values, from the
schema, and the value a scenario resolves to; and the commented YAML of ``validate``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scrm_sim.cli import EXIT_USER_ERROR, main
from scrm_sim.scenario import Scenario, load_scenario
from scrm_sim.scenario.explain import (
    NO_UNIT,
    UnknownField,
    commented_yaml,
    explain,
    find,
    format_docs,
    leaves,
)

from .conftest import SCENARIOS

LEAVES = leaves()


def doc(path: str, *args: object):
    [found] = [d for d in explain(path, *args) if d.path == path]
    return found


# --------------------------------------------------------------------------- the schema's data


@pytest.mark.parametrize("path, node", LEAVES, ids=[p for p, _ in LEAVES])
def test_every_leaf_field_has_a_description_and_states_its_unit(path: str, node) -> None:
    assert node.description, f"{path} has no description"
    assert node.schema.get("unit"), f"{path} states no unit (json_schema_extra=unit(...))"


def test_the_walk_reaches_fields_inside_lists_mappings_and_unions() -> None:
    paths = {p for p, _ in LEAVES}

    assert {"demand.annual_growth", "demand.campaigns.<n>.start_day",
            "company.departments.<department>.staff", "ownership.rogue.<department>.voice",
            "company.departments.<department>.shift.start_hour",
            "ownership.stages.<n>.when.after_day"} <= paths


def test_a_leaf_shows_its_description_unit_default_and_bounds() -> None:
    growth = doc("demand.annual_growth")

    assert growth.description.startswith("Growth of social posting per year")
    assert growth.unit == "growth per year (0.1 = +10%)"
    assert growth.default == "0.0"
    assert growth.allowed == "> −1"


def test_a_choice_lists_its_options() -> None:
    assert doc("handling.distribution").allowed == "one of lognormal, exponential"


def test_a_dimensionless_field_shows_a_dash() -> None:
    assert doc("demand.complaint_dissatisfaction_slope").unit == NO_UNIT


def test_a_union_lists_each_form() -> None:
    allowed = doc("company.departments.service.shift").allowed

    assert allowed.startswith("one of business, extended, always; or a mapping with keys "
                              "start_hour, end_hour, days")


def test_a_departments_default_is_the_default_companys_not_the_generic_one() -> None:
    assert doc("company.departments.service.staff").default == "35"  # DepartmentSpec says 10


def test_a_field_of_list_items_has_its_blocks_default() -> None:
    assert doc("demand.campaigns.<n>.multiplier").default == "2.0"
    assert doc("demand.campaigns.<n>.start_day").default == "none (required)"


def test_a_block_lists_every_field_under_it_and_nothing_else() -> None:
    paths = [d.path for d in explain("demand")]

    assert paths[0] == "demand"
    assert "demand.annual_growth" in paths and "demand.incidents.<n>.start_day" in paths
    assert all(p == "demand" or p.startswith("demand.") for p in paths)


def test_a_mapping_key_may_be_given_or_left_out() -> None:
    given, _, node_given = find("company.departments.service.staff")
    left_out, _, node_left_out = find("company.departments.staff")

    assert given == left_out == ("company", "departments", "<department>", "staff")
    assert node_given is node_left_out


def test_an_unknown_field_suggests_the_closest_paths() -> None:
    with pytest.raises(UnknownField) as info:
        find("demand.anual_growth")

    assert "did you mean demand.annual_growth?" in info.value.report()


def test_a_bare_field_name_suggests_its_full_path() -> None:
    with pytest.raises(UnknownField) as info:
        find("annual_growth")

    assert "demand.annual_growth" in info.value.report()


# --------------------------------------------------------------------------- with a scenario


@pytest.fixture
def client(tmp_path: Path) -> Path:
    path = tmp_path / "client.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: client\n"
                    "customers: {count: 40000}\n", encoding="utf-8")
    return path


def test_a_scenario_shows_each_value_and_where_it_was_set(client: Path) -> None:
    scenario = load_scenario(client)

    count = doc("customers.count", scenario, client)
    campaign = doc("demand.campaigns.0.start_day", scenario, client)
    coverage = doc("ownership.listening.coverage", scenario, client)
    culture = doc("company.culture", scenario, client)

    assert (count.value, count.origin) == ("40000", "set in client.yaml")
    assert (campaign.value, campaign.origin) == ("28.0",
                                                 "inherited from baseline.yaml via extends")
    assert coverage.origin == "from the ownership preset marketing_led"
    assert (culture.value, culture.origin) == ("0.4", "default")


# --------------------------------------------------------------------------- command line


def test_explain_prints_a_field_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "ownership.listening.coverage"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("ownership.listening.coverage\n")
    assert "unit     share 0–1" in out and "default  0.8" in out


def test_explain_with_a_scenario_prints_its_value(
    client: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explain", "customers.count", "--scenario", str(client)]) == 0

    assert "value    40000   (set in client.yaml)" in capsys.readouterr().out


def test_explain_of_an_unknown_field_exits_2_with_close_matches(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["explain", "ownership.listening.covrage"])

    captured = capsys.readouterr()
    assert code == EXIT_USER_ERROR
    assert captured.err.startswith("error: unknown field 'ownership.listening.covrage'")
    assert "ownership.listening.coverage" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("path", ["demand..annual_growth", "demand.", ".demand", "."])
def test_a_path_with_an_empty_part_exits_2_instead_of_meaning_another_field(
    path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["explain", path])

    captured = capsys.readouterr()
    assert code == EXIT_USER_ERROR
    assert captured.err.startswith(f"error: unknown field {path!r}")
    assert captured.out == ""


def test_format_docs_gives_one_paragraph_per_field() -> None:
    text = format_docs(explain("ownership.handoff"))

    assert text.count("\n\n") == len(explain("ownership.handoff")) - 1


# --------------------------------------------------------------------------- validate's YAML


def test_the_commented_yaml_loads_as_the_same_scenario(client: Path) -> None:
    scenario = load_scenario(client)

    assert Scenario.model_validate(yaml.safe_load(commented_yaml(scenario))) == scenario


def test_the_commented_yaml_gives_each_value_its_unit_meaning_and_changed_default(
    client: Path
) -> None:
    lines = commented_yaml(load_scenario(client)).splitlines()

    def line(start: str) -> str:
        return next(x for x in lines if x.startswith(start))

    assert "# days · Simulated days" in line("duration_days: 90.0")
    assert line("  count: 40000").endswith("· default 10000")
    assert "· default" not in line("  culture: 0.4")  # at its default: not repeated


def test_a_stages_ownership_fields_are_the_ownership_fields() -> None:
    template, written, node = find("ownership.stages.0.ownership.authority")

    assert node is find("ownership.authority")[2]
    assert written == ("ownership", "stages", "0", "ownership", "authority")
