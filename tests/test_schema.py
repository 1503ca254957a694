"""The scenario schema: defaults that run, and every default documented."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import scrm_sim.scenario.schema as schema
from scrm_sim.scenario.consistency import check_consistency
from scrm_sim.scenario.schema import Scenario, Shift

SCHEMA_MODELS = [
    cls for _, cls in inspect.getmembers(schema, inspect.isclass)
    if issubclass(cls, BaseModel) and cls.__module__ == schema.__name__
]


def test_an_empty_scenario_is_valid_and_consistent():
    scenario = Scenario()
    assert scenario.customers.count == 10_000
    assert check_consistency(scenario) == []


@pytest.mark.parametrize("model", SCHEMA_MODELS, ids=lambda m: m.__name__)
def test_every_field_is_documented(model):
    for name, info in model.model_fields.items():
        documented_block = inspect.isclass(info.annotation) and issubclass(info.annotation, BaseModel)
        assert info.description or documented_block, f"{model.__name__}.{name} has no description"


def test_calibration_defaults_name_their_published_source():
    fields = schema.Customers.model_fields
    assert "Edison" in fields["expect_reply_within_hour"].description
    assert "Lithium" in fields["complainers_expect_reply_within_hour"].description


def test_unknown_keys_are_rejected_everywhere():
    with pytest.raises(ValidationError):
        Scenario.model_validate({"customers": {"count": 5, "cout": 5}})


@given(st.floats(min_value=-10, max_value=10, allow_nan=False))
@settings(max_examples=50, deadline=None)
def test_probabilities_outside_zero_to_one_are_rejected(value):
    if 0.0 <= value <= 1.0:
        assert Scenario.model_validate({"company": {"culture": value}}).company.culture == value
    else:
        with pytest.raises(ValidationError):
            Scenario.model_validate({"company": {"culture": value}})


@given(st.integers(min_value=0, max_value=167))
def test_an_always_shift_covers_every_hour_of_the_week(hour):
    assert Shift(start_hour=0, end_hour=24, days="all").is_on(hour)


def test_a_night_shift_wraps_past_midnight():
    night = Shift(start_hour=22, end_hour=6, days="all")
    assert night.is_on(23) and night.is_on(3) and not night.is_on(12)


def test_business_hours_exclude_the_weekend():
    business = Shift()
    assert business.is_on(10) and not business.is_on(5 * 24 + 10)


def test_overriding_one_department_keeps_the_others_and_their_defaults():
    company = Scenario.model_validate({"company": {"departments": {"service": {"staff": 3}}}}).company
    assert company.departments["service"].staff == 3
    assert company.departments["service"].skills == Scenario().company.departments["service"].skills
    assert set(company.departments) == set(Scenario().company.departments)
