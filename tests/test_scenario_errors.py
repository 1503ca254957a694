"""Bad scenario inputs end as a ScenarioError naming the file, the field path and what is allowed.

Every test writes small YAML files into pytest's ``tmp_path`` and loads them with
:func:`scrm_sim.scenario.load_scenario`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scrm_sim.errors import Problem, ScenarioError
from scrm_sim.experiment.spec import load_experiment
from scrm_sim.scenario import load_scenario
from scrm_sim.scenario.removed_fields import REMOVED_FIELDS, RemovedField, removed_field
from scrm_sim.scenario.schema import Company, Customers, Demand, Ownership

from .conftest import SCENARIOS

CORE_MODELS = ("marketing_led", "service_led", "ceo_led", "hybrid")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def empty_dir(path: Path) -> Path:
    path.mkdir(parents=True)
    return path


def load_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def only_problem(error: ScenarioError) -> Problem:
    assert len(error.problems) == 1, error.report()
    return error.problems[0]


# --------------------------------------------------------------------------- the file itself


def test_invalid_yaml_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "broken.yaml",
        "name: broken\nownership: service_led\nseed: 1\n  bad: : x\nduration_days: 3\n",
    )

    error = load_error(path)

    problem = only_problem(error)
    assert Path(error.source) == path.resolve()
    assert problem.field == "line 4, column 6"
    assert "not valid YAML" in problem.message
    report = error.report()
    assert str(path.resolve()) in report
    assert "line 4" in report


def test_top_level_list_is_rejected_as_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "list.yaml", "- name: x\n- ownership: service_led\n")

    error = load_error(path)

    problem = only_problem(error)
    assert Path(error.source) == path.resolve()
    assert problem.field == ""
    assert "expected a mapping" in problem.message
    assert "list" in problem.message


def test_an_impossible_date_is_reported_with_its_line_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path / "date.yaml", "seed: 1\nname: 2026-13-01\n")

    problem = only_problem(load_error(path))

    assert problem.field == "line 2, column 7"
    assert "2026-13-01" in problem.message and "quote it" in problem.message


def test_yaml_python_tags_are_not_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(
        tmp_path / "evil.yaml",
        f'name: !!python/object/apply:os.system ["touch {marker}"]\nownership: service_led\n',
    )

    error = load_error(path)

    problem = only_problem(error)
    assert not marker.exists(), "a YAML tag ran a shell command"
    assert problem.field.startswith("line 1")
    assert "not valid YAML" in problem.message
    assert "python/object/apply" in problem.message


def test_file_that_is_not_utf8_text_is_reported_as_scenario_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00name: x\n")

    error = load_error(path)

    assert Path(error.source) == path.resolve()


# --------------------------------------------------------------------------- unknown keys


def test_unknown_top_level_key_is_reported_with_nearest_valid_key(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "name: x\nownershp: service_led\n")

    problem = only_problem(load_error(path))

    assert problem.field == "ownershp"
    assert "unknown key" in problem.message
    assert "did you mean 'ownership'?" in problem.message
    assert "allowed:" in problem.message and "duration_days" in problem.message


def test_unknown_nested_key_is_reported_with_nearest_valid_key(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "ownership: service_led\ncustomers: {cout: 5}\n")

    problem = only_problem(load_error(path))

    assert problem.field == "customers.cout"
    assert "did you mean 'count'?" in problem.message
    assert "prospects" in problem.message  # lists the keys allowed in that block


def test_unknown_key_inside_a_department_is_reported_with_its_full_path(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "ownership: service_led\ncompany:\n  departments:\n    marketing: {staf: 3}\n",
    )

    problem = only_problem(load_error(path))

    assert problem.field == "company.departments.marketing.staf"
    assert "did you mean 'staff'?" in problem.message
    assert "capacity_per_hour" in problem.message  # DepartmentSpec's keys, not Company's


def test_unknown_department_name_is_reported_at_its_key(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "ownership: service_led\ncompany:\n  departments:\n    Marketing: {staff: 3}\n",
    )

    problem = only_problem(load_error(path))

    assert "Marketing" in problem.field


# --------------------------------------------------------------------------- types and ranges


def test_wrong_type_is_reported_with_field_path_and_value(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "ownership: service_led\ncompany:\n  departments:\n    service: {staff: many}\n",
    )

    problem = only_problem(load_error(path))

    assert problem.field == "company.departments.service.staff"
    assert "integer" in problem.message
    assert "'many'" in problem.message


def test_negative_staff_is_out_of_range(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "ownership: service_led\ncompany:\n  departments:\n    service: {staff: -1}\n",
    )

    problem = only_problem(load_error(path))

    assert problem.field == "company.departments.service.staff"
    assert "greater than or equal to 0" in problem.message
    assert "-1" in problem.message


def test_probability_above_one_is_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "ownership: service_led\ncompany: {culture: 1.5}\n")

    problem = only_problem(load_error(path))

    assert problem.field == "company.culture"
    assert "less than or equal to 1" in problem.message
    assert "1.5" in problem.message


def test_zero_capacity_per_hour_is_rejected(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "ownership: service_led\ncompany:\n  departments:\n    service: {capacity_per_hour: 0}\n",
    )

    problem = only_problem(load_error(path))

    assert problem.field == "company.departments.service.capacity_per_hour"
    assert "greater than 0" in problem.message


# --------------------------------------------------------------------------- consistency


def test_resolver_with_zero_staff_for_demanded_post_type_is_zero_capacity(tmp_path: Path) -> None:
    # service_led sends purchase intents to sales; demand has purchase intents by default
    path = write(
        tmp_path / "s.yaml",
        "ownership:\n  extends: service_led\n  resolver_staff: {sales: 0, product: 1}\n",
    )

    error = load_error(path)

    problem = only_problem(error)
    assert Path(error.source) == path.resolve()
    assert problem.field == "ownership.resolver_staff.sales"
    assert "purchase_intent" in problem.message
    assert "zero capacity with demand" in problem.message


def test_resolver_with_zero_staff_is_allowed_without_demand_for_its_post_type(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "s.yaml",
        "ownership:\n  extends: service_led\n  resolver_staff: {sales: 0, product: 1}\n"
        "demand:\n  rates_per_customer_per_day: {purchase_intent: 0}\n",
    )

    scenario = load_scenario(path)

    assert scenario.ownership.resolver_staff["sales"] == 0


# --------------------------------------------------------------------------- ownership models


def test_unknown_ownership_model_lists_known_models(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "name: x\nownership: sevice_led\n")

    problem = only_problem(load_error(path))

    assert "unknown ownership model 'sevice_led'" in problem.message
    assert "did you mean 'service_led'?" in problem.message
    known = problem.message.split("known:", 1)[1]
    for model in CORE_MODELS:
        assert model in known


def test_unknown_ownership_model_names_scenario_file_and_field(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "name: x\nownership: sevice_led\n")

    error = load_error(path)

    assert Path(error.source) == path.resolve()
    assert only_problem(error).field == "ownership"


def test_inline_ownership_extends_preset_and_overrides_one_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.yaml",
        "name: x\nownership:\n  extends: service_led\n  authority: 0.5\n",
    )

    scenario = load_scenario(path)

    own = scenario.ownership
    assert own.authority == 0.5  # the override
    assert own.name == "service_led"  # inherited from the preset ...
    assert own.front_line == {"service": 4}
    assert own.front_line_shift == "extended"
    assert own.priorities["complaint"] == 5


def test_ownership_file_path_is_resolved_beside_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "project" / "mine.yaml", "name: mine\nauthority: 0.25\n")
    path = write(tmp_path / "project" / "s.yaml", "name: x\nownership: mine.yaml\n")
    monkeypatch.chdir(empty_dir(tmp_path / "elsewhere"))

    scenario = load_scenario(path)

    assert scenario.ownership.name == "mine"
    assert scenario.ownership.authority == 0.25


# --------------------------------------------------------------------------- extends


def test_missing_extends_file_is_reported_on_extends_field(tmp_path: Path) -> None:
    path = write(tmp_path / "child.yaml", "extends: nothere.yaml\nownership: service_led\n")

    error = load_error(path)

    problem = only_problem(error)
    assert Path(error.source) == path.resolve()
    assert problem.field == "extends"
    assert "not found" in problem.message


def test_missing_extends_file_message_names_the_missing_file(tmp_path: Path) -> None:
    path = write(tmp_path / "child.yaml", "extends: nothere.yaml\nownership: service_led\n")

    assert "nothere.yaml" in load_error(path).report()


def test_circular_extends_is_reported_with_the_cycle(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "extends: b.yaml\nownership: service_led\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")

    problem = only_problem(load_error(tmp_path / "a.yaml"))

    assert problem.field == "extends"
    assert "circular extends" in problem.message
    assert "a.yaml -> b.yaml -> a.yaml" in problem.message


def test_extends_is_resolved_relative_to_the_file_that_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # child -> ../../bases/base.yaml -> common.yaml (beside base, not beside child)
    write(tmp_path / "bases" / "common.yaml", "ownership: service_led\nseed: 11\n")
    write(tmp_path / "bases" / "base.yaml", "extends: common.yaml\ncustomers: {count: 321}\n")
    child = write(
        tmp_path / "team" / "deep" / "child.yaml",
        "extends: ../../bases/base.yaml\nname: child\nduration_days: 2\n",
    )
    monkeypatch.chdir(empty_dir(tmp_path / "elsewhere"))

    scenario = load_scenario(child)

    assert scenario.name == "child"
    assert scenario.duration_days == 2
    assert scenario.customers.count == 321
    assert scenario.seed == 11
    assert scenario.ownership.name == "service_led"


def test_extends_does_not_fall_back_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    write(cwd / "base.yaml", "ownership: service_led\n")
    child = write(tmp_path / "project" / "child.yaml", "extends: base.yaml\nname: child\n")
    monkeypatch.chdir(cwd)

    problem = only_problem(load_error(child))

    assert problem.field == "extends"


# --------------------------------------------------------------------------- defaults


def test_three_line_scenario_loads_with_documented_defaults(tmp_path: Path) -> None:
    path = write(tmp_path / "tiny.yaml", "name: tiny\nownership: service_led\nduration_days: 3\n")

    scenario = load_scenario(path)

    assert scenario.name == "tiny"
    assert scenario.duration_days == 3
    assert scenario.steps == 72
    assert scenario.ownership.name == "service_led"
    assert scenario.customers.count == 10_000
    assert scenario.customers.prospects == 5_000
    assert scenario.seed == 42
    assert scenario.sla_hours == 1.0
    assert scenario.company.culture == 0.4
    assert scenario.company.departments["service"].staff == 35
    assert scenario.customers == Customers()
    assert scenario.company == Company()
    assert scenario.demand == Demand()


# --------------------------------------------------------------------------- removed fields
# A key the schema dropped is reported with the removed-fields table's replacement, not as
# an unknown key. The schema still has issue 12's fields in this tree, so these tests put a
# table entry on a field the schema really lacks ("retired"); test_cli.py also runs the real
# entries end to end (expected to fail until issue 12's schema lands).

RETIRED = RemovedField("issue 99", "renamed `ownership.new_home`")


@pytest.fixture
def retired(monkeypatch: pytest.MonkeyPatch) -> RemovedField:
    """Table entries for Ownership.retired and Outcomes.retired, which the schema lacks."""
    for schema_class in ("Ownership", "Outcomes"):
        monkeypatch.setitem(REMOVED_FIELDS, (schema_class, "retired"), RETIRED)
    return RETIRED


def assert_removed(error: ScenarioError, field: str, source: Path) -> None:
    problem = only_problem(error)
    assert Path(error.source) == source.resolve()
    assert problem.field == field
    assert problem.message == RETIRED.message()
    assert "unknown key" not in problem.message
    report = error.report()
    assert str(source.resolve()) in report
    assert f"{field}: removed in issue 99; renamed `ownership.new_home`" in report


def test_removed_field_is_looked_up_by_schema_class_and_field(retired: RemovedField) -> None:
    assert removed_field("Ownership", "retired") is retired
    assert removed_field(Ownership, "retired") is retired  # the class itself will do
    assert removed_field("Scenario", "retired") is None  # keyed by class, not by field alone
    assert removed_field("Ownership", "authority") is None


def test_the_table_names_issue_12s_removals_and_what_replaces_them() -> None:
    entries = {field: removed_field(schema_class, field)
               for schema_class, field in [("Ownership", "owner"), ("Outcomes", "learning_rate"),
                                           ("Outcomes", "acknowledgement_utility")]}

    assert all(e is not None and e.removed_in == "issue 12" for e in entries.values())
    assert "executive_sponsorship" in entries["owner"].message()
    assert "`outcomes.reply_gain`" in entries["learning_rate"].message()
    assert "`outcomes.acknowledgement_share`" in entries["acknowledgement_utility"].message()


def test_removed_key_in_inline_ownership_names_its_replacement(
    tmp_path: Path, retired: RemovedField
) -> None:
    path = write(tmp_path / "old.yaml", "name: old\nownership: {retired: marketing}\n")

    assert_removed(load_error(path), "ownership.retired", path)


def test_removed_key_in_a_stages_inline_ownership_names_its_full_path(
    tmp_path: Path, retired: RemovedField
) -> None:
    path = write(
        tmp_path / "old.yaml",
        "name: old\nownership:\n  stages:\n    - ownership: {retired: marketing}\n"
        "      when: {after_day: 1}\n",
    )

    assert_removed(load_error(path), "ownership.stages.0.ownership.retired", path)


def test_removed_key_in_outcomes_names_its_replacement(
    tmp_path: Path, retired: RemovedField
) -> None:
    path = write(tmp_path / "old.yaml",
                 "name: old\nownership: service_led\noutcomes: {retired: {complaint: 0.5}}\n")

    assert_removed(load_error(path), "outcomes.retired", path)


def test_removed_key_in_an_ownership_preset_names_the_presets_file(
    tmp_path: Path, retired: RemovedField
) -> None:
    preset = write(tmp_path / "ownership" / "old_model.yaml", "authority: 0.5\nretired: sales\n")
    path = write(tmp_path / "s.yaml", "name: x\nownership: old_model\n")

    assert_removed(load_error(path), "retired", preset)


def test_experiment_factor_naming_a_removed_field_names_it_once(
    tmp_path: Path, retired: RemovedField
) -> None:
    path = write(tmp_path / "exp.yaml", yaml.safe_dump({
        "name": "old", "scenario": str(SCENARIOS / "baseline.yaml"),
        "models": list(CORE_MODELS),
        "factors": [{"path": "company.culture", "values": [0.2],
                     "also": {"outcomes.retired": [0.5]}},
                    {"path": "ownership.retired", "values": ["sales"]}],
    }))

    with pytest.raises(ScenarioError) as info:
        load_experiment(path)

    problems = [(p.field, p.message) for p in info.value.problems]
    assert problems == [("factors.0.also (outcomes.retired)", RETIRED.message()),
                        ("factors.1.path (ownership.retired)", RETIRED.message())]
    assert str(path) in info.value.report()


def test_experiment_override_of_a_removed_field_names_it_once_not_per_model(
    tmp_path: Path, retired: RemovedField
) -> None:
    path = write(tmp_path / "exp.yaml", yaml.safe_dump({
        "name": "old", "scenario": str(SCENARIOS / "baseline.yaml"),
        "models": list(CORE_MODELS), "overrides": {"outcomes": {"retired": 0.5}},
    }))

    with pytest.raises(ScenarioError) as info:
        load_experiment(path)

    assert [(p.field, p.message) for p in info.value.problems] == [
        ("overrides.outcomes.retired", RETIRED.message())]


def test_a_table_entry_is_inert_while_the_schema_still_has_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(REMOVED_FIELDS, ("Ownership", "authority"), RETIRED)
    path = write(tmp_path / "s.yaml",
                 "name: x\nownership: {extends: service_led, authority: 0.5}\n")

    assert load_scenario(path).ownership.authority == 0.5


# --------------------------------------------------------------------------- no pydantic text
# Every message is written in scrm_sim's words (scrm_sim/scenario/problems.py): none shows
# pydantic's internals, whatever the field and whatever the wrong value.

RAW_PYDANTIC = ("pydantic", "input_value", "type=", "For further information", "Input should",
                "Value error", "literal[", "constrained-", "[key]", "instance of")
BAD_VALUES = ["nights", -1, 1.5, 10**12, "", [1, "x"], {"z": 1}, True, None, float("nan")]
PLACEHOLDER_KEYS = {"<department>": "service", "<post type>": "complaint", "<n>": "0"}


def _fuzz_base() -> dict:
    """A tiny scenario in which every kind of path exists (a campaign, an incident, a rogue
    department, a stage)."""
    return {"duration_days": 2, "customers": {"count": 50, "prospects": 10},
            "demand": {"campaigns": [{"start_day": 0, "duration_days": 1}],
                       "incidents": [{"start_day": 1}]},
            "ownership": {"rogue": {"service": {}},
                          "stages": [{"ownership": {}, "when": {"after_day": 1}}]}}


def _put(data: dict, parts: list[str], value: object) -> None:
    current: object = data
    for part in parts[:-1]:
        if isinstance(current, list):
            current = current[int(part)]
            continue
        if not isinstance(current.get(part), (dict, list)):  # type: ignore[union-attr]
            current[part] = {}  # type: ignore[index]
        current = current[part]  # type: ignore[index]
    if isinstance(current, list):
        current[int(parts[-1])] = value
    else:
        current[parts[-1]] = value  # type: ignore[index]


def _leaf_paths() -> list[str]:
    from scrm_sim.scenario.explain import leaves

    return [path for path, _ in leaves()]


@pytest.mark.parametrize("path", _leaf_paths())
def test_no_bad_value_of_any_field_shows_pydantic_text(path: str) -> None:
    from scrm_sim.scenario.loading import resolve_ownership, validate_scenario

    parts = [PLACEHOLDER_KEYS.get(p, p) for p in path.split(".")]
    refused = 0
    for value in BAD_VALUES:
        data = _fuzz_base()
        _put(data, parts, value)
        try:
            data["ownership"] = resolve_ownership(data["ownership"], Path("fuzz.yaml"))
            validate_scenario(data, Path("fuzz.yaml"))
        except ScenarioError as exc:
            refused += 1
            report = exc.report()
            leaked = [raw for raw in RAW_PYDANTIC if raw in report]
            assert not leaked, f"{path} = {value!r}:\n{report}"
    assert refused  # each field refuses some of these values


def test_a_bad_shift_is_one_plain_line_listing_every_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scrm_sim.cli import EXIT_USER_ERROR, main

    path = write(tmp_path / "s.yaml", "ownership: service_led\n"
                 "company: {departments: {service: {shift: nights}}}\n")

    code = main(["validate", str(path)])

    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert err.splitlines()[1:] == [
        "  company.departments.service.shift: must be 'business', 'extended', 'always' or a "
        "mapping with keys start_hour, end_hour, days (got 'nights')"]


def test_a_value_of_the_right_type_gets_only_that_forms_problem(tmp_path: Path) -> None:
    # a shift written as a mapping: its own field is wrong, not "must be a preset name"
    path = write(tmp_path / "s.yaml", "ownership: service_led\n"
                 "company: {departments: {service: {shift: {start_hour: 30}}}}\n")

    problem = only_problem(load_error(path))

    assert problem.field == "company.departments.service.shift.start_hour"
    assert problem.message == "must be less than or equal to 23 (got 30)"


def test_a_misspelled_choice_suggests_the_closest(tmp_path: Path) -> None:
    path = write(tmp_path / "s.yaml", "ownership: service_led\nhandling: {distribution: normal}\n")

    problem = only_problem(load_error(path))

    assert problem.message == ("must be 'lognormal' or 'exponential' (got 'normal'; did you "
                               "mean 'lognormal'?)")


@pytest.mark.parametrize("text", [
    "design: fractional", "replications: many", "seed: -3", "factors: [{path: 3, values: x}]",
    "auto: {half_width: wide}", "models: marketing_led",
])
def test_no_bad_experiment_value_shows_pydantic_text(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "exp.yaml", f"name: x\nscenario: {SCENARIOS / 'baseline.yaml'}\n"
                 f"{text}\n")

    with pytest.raises(ScenarioError) as info:
        load_experiment(path)

    report = info.value.report()
    assert not [raw for raw in RAW_PYDANTIC if raw in report], report
