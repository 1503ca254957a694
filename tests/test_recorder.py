"""StepRecorder: Mesa's DataCollector API for the model's step series, without its copies."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from scrm_sim.model import SCRMModel
from scrm_sim.model.metrics import MODEL_REPORTERS
from scrm_sim.model.recorder import StepRecorder

from .conftest import small_scenario

HOURS = 30  # past a day's end, so the daily reporters change at least once


def stepped_beside_mesa(ownership: str, hours: int = HOURS) -> tuple[SCRMModel, mesa.DataCollector]:
    """A small run whose every step is also collected by Mesa's DataCollector."""
    model = SCRMModel(small_scenario(ownership), seed=5)
    mesa_collector = mesa.DataCollector(model_reporters=MODEL_REPORTERS)
    for _ in range(hours):
        model.step()
        mesa_collector.collect(model)
    return model, mesa_collector


@pytest.mark.parametrize("ownership", ["marketing_led", "hybrid"])
def test_the_step_frame_is_the_one_mesas_datacollector_gives(ownership):
    model, mesa_collector = stepped_beside_mesa(ownership)
    ours = model.datacollector.get_model_vars_dataframe()
    theirs = mesa_collector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    assert list(ours.columns) == list(MODEL_REPORTERS)
    assert list(ours.dtypes) == list(theirs.dtypes)


def test_model_vars_holds_the_values_mesa_holds_with_their_types():
    model, mesa_collector = stepped_beside_mesa("service_led")
    ours, theirs = model.datacollector.model_vars, mesa_collector.model_vars
    assert list(ours) == list(theirs)
    for name in ours:  # NaN (no first response in the last 24 h) equals NaN here
        assert ours[name] == theirs[name] or np.array_equal(ours[name], theirs[name],
                                                            equal_nan=True), name
    assert {name: [type(v) for v in values] for name, values in ours.items()} == {
        name: [type(v) for v in values] for name, values in theirs.items()}


def test_a_series_read_before_more_steps_grows_with_them_past_the_scenario_end():
    model = SCRMModel(small_scenario(duration_days=1), seed=3)
    model.run()
    hours = model.datacollector.model_vars["hour"]
    assert model.datacollector.get_model_vars_dataframe().shape[0] == 24
    for _ in range(3):  # the browser view may step on past the scenario's end
        model.step()
    assert hours == list(range(1, 28))
    assert np.asarray(model.datacollector.model_vars["backlog"]).shape == (27,)
    assert model.datacollector.get_model_vars_dataframe()["hour"].iloc[-1] == 27


def test_changing_a_frame_handed_out_leaves_the_record_as_it_was():
    model = SCRMModel(small_scenario(duration_days=1), seed=3)
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    frame["backlog"] = -1
    frame.loc[0, "hour"] = 999
    again = model.datacollector.get_model_vars_dataframe()
    assert again["backlog"].min() >= 0
    assert again["hour"].iloc[0] == 1


def test_the_frame_has_one_row_per_step_collected_so_far():
    recorder = StepRecorder({"hour": lambda m: m.hour, "half": lambda m: m.hour / 2})
    model = type("Clock", (), {"hour": 0})()
    assert recorder.get_model_vars_dataframe().empty
    for hour in range(1, 4):
        model.hour = hour
        recorder.collect(model)
        frame = recorder.get_model_vars_dataframe()
        assert frame["hour"].tolist() == list(range(1, hour + 1))
    assert frame["half"].tolist() == [0.5, 1.0, 1.5]


def test_a_reporter_returning_a_mutable_value_is_refused():
    recorder = StepRecorder({"hour": lambda m: 1, "queue": lambda m: [1, 2]})
    with pytest.raises(TypeError, match="'queue' returned list"):
        recorder.collect(None)
