"""Every documented field is live (issue 12).

For every leaf field of the scenario schema, found by walking the pydantic models
(``tests/live_fields.py``), a run in which the field should act is compared with the same
run, same seed, with the field perturbed; some output must change. A field that acts only
under a condition gets that condition from ``CONDITIONS`` and must state it in its
description. Pure labels are ``EXEMPT``; nothing else is. ``python -m tests.live_fields``
prints the whole table.
"""

from __future__ import annotations

import copy

import pytest
from pydantic import Field

from scrm_sim.scenario import Scenario

from . import live_fields as lf

ALL_CASES = lf.cases()
BY_ID = {case.id: case for case in ALL_CASES}


def _ids(cases: list[lf.Case]) -> list[object]:
    return [pytest.param(case, id=case.id) for case in cases]


LIVE_CASES = [c for c in ALL_CASES
              if not (lf.exempt(c) or lf.result_neutral(c) or lf.refused(c))]


@pytest.mark.parametrize("case", _ids(LIVE_CASES))
def test_field_is_live(case: lf.Case) -> None:
    """Perturbing the field changes the run summary, the step series or the agent records."""
    result = lf.check(case)
    assert result.live, result.explain()


@pytest.mark.parametrize("case", _ids([c for c in ALL_CASES if lf.result_neutral(c)]))
def test_performance_knobs_change_no_result(case: lf.Case) -> None:
    """A knob for memory or speed gives the same results whatever its value."""
    result = lf.check(case)
    assert not result.live, f"{case.id} changed {result.changed} at {result.value!r}"
    assert any(why == "no output changed" for _, why in result.tried), result.tried


@pytest.mark.parametrize("case", _ids([c for c in ALL_CASES if lf.refused(c)]))
def test_fields_refused_where_they_cannot_act_are_refused(case: lf.Case) -> None:
    """Validation refuses every value of a field where the model would ignore it."""
    result = lf.check(case)
    assert not result.live and result.tried, result.tried
    assert all(why.startswith(("not valid", "same scenario")) for _, why in result.tried), (
        result.tried)


def test_conditional_fields_state_their_condition() -> None:
    """A field that acts only under another field's value says so in its description."""
    missing = lf.unstated_conditions(ALL_CASES)
    assert not missing, "descriptions that need their condition stated:\n" + "\n".join(
        f"  {name}: {problem}" for name, problems in sorted(missing.items())
        for problem in problems)


def test_the_walk_finds_every_kind_of_leaf() -> None:
    """Nested blocks, dicts by post type and department, lists of blocks, union members."""
    for path in (
        "outcomes.silence_penalty.complaint",  # dict by post type
        "company.departments.service.silo_strength",  # dict of blocks by department
        "company.departments.service.shift",  # a union: a preset name …
        "company.departments.service.shift.start_hour",  # … or a Shift block
        "ownership.listening.coverage",  # one number …
        "ownership.listening.coverage.question",  # … or one per post type
        "ownership.handoff.base_loss",
        "ownership.rogue.pr.voice",
        "demand.campaigns[0].multiplier",  # list of blocks
        "demand.incidents[0].complaint_multiplier",
        "ownership.stages[0].when.after_day",
        "ownership.stages[0].ownership.handoff.base_loss",  # a stage's ownership model
        "ownership.stages[0].ownership.stages",  # where the schema contains itself: one leaf
        "company.culture_adaptation_days@sponsorship_below_culture",  # an extra situation
    ):
        assert path in BY_ID, path
    assert len(BY_ID) == len(ALL_CASES)


def test_tables_name_only_what_exists() -> None:
    """Every CONDITIONS, EXEMPT, RESULT_NEUTRAL, REFUSED and PERTURBATIONS pattern matches a
    case."""
    views = {view + (f"@{c.situation}" if c.situation else "")
             for c in ALL_CASES for view, _ in lf._views(c.leaf.path)}
    patterns = [*lf.EXEMPT, *lf.RESULT_NEUTRAL, *lf.REFUSED, *lf.PERTURBATIONS]
    stale = [p for p in patterns if not any(lf.matches(p, v) for v in views)]
    used = {id(condition) for case in ALL_CASES for condition, _ in lf.conditions(case)}
    stale += [c.pattern for c in lf.CONDITIONS if id(c) not in used]
    assert not stale, f"patterns that match no field: {stale}"


def test_only_labels_are_exempt() -> None:
    """EXEMPT holds text labels only, each with its reason."""
    for case in ALL_CASES:
        if lf.exempt(case):
            assert case.leaf.annotation is str, f"{case.id} is not a text label"
    assert all(reason.startswith("label:") for reason in lf.EXEMPT.values())


def test_the_base_run_is_reproducible() -> None:
    """Same scenario, same seed, same outputs: otherwise every field would look live."""
    scenario = lf.validate(lf.base_data())
    assert lf.differences(lf.run(scenario), lf.run(scenario)) == []


class _ScenarioWithADeadKnob(Scenario):
    """The schema plus a documented field that the model never reads."""

    dead_knob: float = Field(1.0, ge=0.0, le=10.0, description="A knob nothing reads.")


def test_a_new_field_is_checked_and_an_inert_one_is_reported(monkeypatch) -> None:
    """A field added to the schema is enumerated; if nothing reads it, the check says so."""
    cases = {case.id: case for case in lf.cases(_ScenarioWithADeadKnob)}
    assert "dead_knob" in cases and not lf.exempt(cases["dead_knob"])
    monkeypatch.setattr(lf, "_runs", {})
    monkeypatch.setattr(lf, "validate",
                        lambda data: _ScenarioWithADeadKnob.model_validate(copy.deepcopy(data)))
    result = lf.check(cases["dead_knob"])
    assert not result.live
    # two perturbations on each seed before the field is called inert
    assert [why for _, why in result.tried] == ["no output changed"] * 2 * len(lf.SEEDS)
    assert result.explain().startswith("dead_knob is inert")


def test_the_check_catches_a_field_the_model_stops_reading(monkeypatch) -> None:
    """A live field becomes inert when the model ignores it, and the check reports it."""
    case = BY_ID["word_of_mouth.exposure_penalty"]
    assert lf.check(case).live
    model = lf.SCRMModel

    def ignoring_the_field(scenario: Scenario, seed: int | None = None) -> object:
        wom = scenario.word_of_mouth.model_copy(update={"exposure_penalty": 0.02})
        return model(scenario.model_copy(update={"word_of_mouth": wom}), seed)

    monkeypatch.setattr(lf, "_runs", {})
    monkeypatch.setattr(lf, "SCRMModel", ignoring_the_field)
    result = lf.check(case)
    assert not result.live, result
    assert "word_of_mouth.exposure_penalty is inert" in result.explain()
