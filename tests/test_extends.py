"""How a file combines with the file it ``extends:``: mappings merge, lists and values replace,
``{append: [...]}`` adds to a list, and a misuse of ``append`` is a clear error (exit 2).

The lists of a baseline's campaigns and incidents are the case that matters: a client file
that writes its own incident used to drop the baseline's without a word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrm_sim.cli import EXIT_USER_ERROR, main
from scrm_sim.errors import ScenarioError
from scrm_sim.scenario import deep_merge, load_scenario

BASE = """\
name: base
ownership: service_led
duration_days: 90
customers: {count: 300, prospects: 100}
company: {culture: 0.3}
demand:
  campaigns:
    - {start_day: 28, duration_days: 7}
  incidents:
    - {start_day: 60, duration_hours: 24}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write(tmp_path, "base.yaml", BASE)


def child(base: Path, text: str) -> Path:
    return write(base.parent, "client.yaml", f"extends: {base.name}\nname: client\n{text}")


def starts(events: list) -> list[float]:
    return [event.start_day for event in events]


# --------------------------------------------------------------------------- the rules


def test_a_mapping_merges_key_by_key(base: Path) -> None:
    scenario = load_scenario(child(base, "company: {enthusiasm_concentration: 4}\n"))

    assert scenario.company.enthusiasm_concentration == 4
    assert scenario.company.culture == 0.3  # the parent's, kept


def test_a_list_replaces_the_inherited_list_whole(base: Path) -> None:
    scenario = load_scenario(child(base, "demand:\n  incidents: [{start_day: 20}]\n"))

    assert starts(scenario.demand.incidents) == [20]  # the parent's day-60 incident is gone
    assert starts(scenario.demand.campaigns) == [28]  # a list the child does not set is kept


def test_an_empty_list_removes_the_inherited_items(base: Path) -> None:
    scenario = load_scenario(child(base, "demand: {incidents: []}\n"))

    assert scenario.demand.incidents == []


def test_append_adds_after_the_inherited_items(base: Path) -> None:
    scenario = load_scenario(child(base, "demand:\n  incidents:\n    append:\n"
                                   "      - {start_day: 20}\n"))

    assert starts(scenario.demand.incidents) == [60, 20]


def test_appends_at_each_level_of_extends_add_up(base: Path) -> None:
    middle = write(base.parent, "middle.yaml", f"extends: {base.name}\n"
                   "demand: {incidents: {append: [{start_day: 20}]}}\n")
    last = write(base.parent, "last.yaml", f"extends: {middle.name}\n"
                 "demand: {incidents: {append: [{start_day: 40}]}}\n")

    assert starts(load_scenario(last).demand.incidents) == [60, 20, 40]


def test_append_where_no_file_sets_the_list_adds_to_the_default(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "ownership: service_led\n"
                 "demand: {campaigns: {append: [{start_day: 3, duration_days: 2}]}}\n")

    assert starts(load_scenario(path).demand.campaigns) == [3]


def test_append_to_a_department_list_keeps_the_default_companys_items(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "ownership: service_led\n"
                 "company: {departments: {service: {skills: {append: [idea]}}}}\n")

    skills = load_scenario(path).company.departments["service"].skills

    assert skills == ["question", "complaint", "idea"]  # the default service's, then idea


def test_append_in_an_inline_ownership_adds_to_the_presets_list(tmp_path: Path) -> None:
    # marketing_led's approval covers complaints; the client adds ideas
    path = write(tmp_path, "s.yaml", "ownership:\n  extends: marketing_led\n"
                 "  approval: {required_for: {append: [idea]}}\n")

    assert load_scenario(path).ownership.approval.required_for == ["complaint", "idea"]


def test_append_works_in_overrides_as_in_files(base: Path) -> None:
    scenario = load_scenario(base, {"demand": {"incidents": {"append": [{"start_day": 5}]}}})

    assert starts(scenario.demand.incidents) == [60, 5]


def test_deep_merge_states_the_rules_on_plain_data() -> None:
    parent = {"a": {"x": 1, "y": 2}, "items": [1, 2], "value": 1}

    merged = deep_merge(parent, {"a": {"y": 3}, "items": {"append": [3]}, "value": 2})

    assert merged == {"a": {"x": 1, "y": 3}, "items": [1, 2, 3], "value": 2}
    assert deep_merge(parent, {"items": [9]})["items"] == [9]


# --------------------------------------------------------------------------- misuse


@pytest.mark.parametrize("text, field, says", [
    ("demand: {incidents: {append: {start_day: 3}}}\n", "demand.incidents.append",
     "must be a list of the items to add"),
    ("demand: {incidents: {append: [{start_day: 3}], replace: true}}\n", "demand.incidents",
     "takes no other keys (got replace)"),
    ("name: {append: [x]}\n", "name", "this field is not a list"),
    ("ownership: {extends: service_led, public_responders: {append: [pr]}}\n",
     "ownership.public_responders", "the inherited value is 'all'"),
    ("demand: {incidents: {apend: [{start_day: 3}]}}\n", "demand.incidents",
     "write {append: [...]}"),
], ids=["items-not-a-list", "other-keys", "not-a-list-field", "inherited-not-a-list", "typo"])
def test_a_misused_append_exits_2_naming_the_field(
    base: Path, text: str, field: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = child(base, text)

    code = main(["validate", str(path)])

    err = capsys.readouterr().err
    assert code == EXIT_USER_ERROR
    assert f"  {field}: " in err and says in err, err
    assert "Traceback" not in err


def test_a_misused_append_in_an_ownership_preset_names_the_presets_file(tmp_path: Path) -> None:
    (tmp_path / "ownership").mkdir()
    preset = write(tmp_path / "ownership", "mine.yaml", "extends: service_led\n"
                   "resolvers: {append: [x]}\n")
    path = write(tmp_path, "s.yaml", "ownership: mine\n")

    with pytest.raises(ScenarioError) as info:
        load_scenario(path)

    assert Path(info.value.source) == preset.resolve()
    assert [p.field for p in info.value.problems] == ["resolvers"]
