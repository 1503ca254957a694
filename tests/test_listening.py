"""Listening as work (issue 16 item 5, ODD §7.22): analysts screen what their capacity allows,
oldest first, within a window; a tool picks up a share at any hour and misses some; both cost;
coverage follows from them."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model.model import SCRMModel

from .conftest import small_scenario

ALWAYS = {"start_hour": 0, "end_hour": 24, "days": "all"}


def desk_of(analysts: dict | None = None, tool: dict | None = None, **changes: object):
    listening = {"analysts": analysts, "tool": tool}
    model = SCRMModel(small_scenario("marketing_led", {"listening": listening, **changes}),
                      seed=1)
    return model, model.response.listening


def test_analysts_screen_at_most_their_capacity_each_hour_and_the_rest_waits():
    model, desk = desk_of({"staff": 1, "posts_per_hour": 10, "shift": ALWAYS,
                           "screening_window_hours": 2})
    times = 100.0 + np.linspace(0.0, 0.9, 25)
    heard, screened_at = desk.hear(times, np.ones(25, bool), 100)
    assert heard.sum() == 20  # ten this hour, ten the next, five past the window
    assert np.array_equal(screened_at[:10], times[:10])  # oldest first, at once
    assert np.all(screened_at[10:20] == 101.0)
    assert not heard[20:].any()


def test_a_nights_posts_wait_for_the_morning_shift():
    shift = {"start_hour": 9, "end_hour": 17, "days": "all"}
    model, desk = desk_of({"staff": 1, "posts_per_hour": 60, "shift": shift,
                           "screening_window_hours": 12})
    heard, screened_at = desk.hear(np.array([2.5]), np.array([True]), 2)  # Monday 02:30
    assert heard[0] and screened_at[0] == 9.0


def test_a_post_not_screened_within_the_window_is_never_heard():
    shift = {"start_hour": 9, "end_hour": 17, "days": "all"}
    model, desk = desk_of({"staff": 1, "posts_per_hour": 60, "shift": shift,
                           "screening_window_hours": 4})
    heard, _ = desk.hear(np.array([2.5]), np.array([True]), 2)
    assert not heard[0]


def test_fractional_capacity_is_met_exactly_on_average():
    model, desk = desk_of({"staff": 0.5, "posts_per_hour": 3, "shift": ALWAYS})
    assert desk.capacity[:100].sum() == pytest.approx(150, abs=1)
    assert set(np.unique(desk.capacity[:100])) == {1.0, 2.0}


def test_posts_outside_a_pilots_scope_take_no_screening_capacity():
    model, desk = desk_of({"staff": 1, "posts_per_hour": 2, "shift": ALWAYS,
                           "screening_window_hours": 1})
    in_scope = np.array([False, False, True, True])
    heard, _ = desk.hear(np.full(4, 50.5), in_scope, 50)
    assert heard.tolist() == [False, False, True, True]


def test_the_tool_picks_up_its_share_at_any_hour_and_misses_some():
    model, desk = desk_of(tool={"automated_share": 0.6, "miss_rate": 0.25})
    n = 20_000
    heard, screened_at = desk.hear(np.full(n, 3.2), np.ones(n, bool), 3)  # 03:00, no analysts
    assert heard.mean() == pytest.approx(0.6 * 0.75, abs=0.015)
    assert np.all(screened_at[heard] == 3.2)


def test_what_the_tool_does_not_pick_up_goes_to_the_analysts():
    model, desk = desk_of({"staff": 10, "posts_per_hour": 100, "shift": ALWAYS},
                          tool={"automated_share": 0.5, "miss_rate": 1.0})
    heard, _ = desk.hear(np.full(2_000, 7.5), np.ones(2_000, bool), 7)
    # the tool dismisses all it picks up (miss 1), the analysts hear the other half
    assert heard.mean() == pytest.approx(0.5, abs=0.03)


def test_analysts_are_paid_every_hour_on_shift_and_the_tool_by_the_day():
    analysts = {"department": "service", "staff": 2, "shift": ALWAYS}
    model, desk = desk_of(analysts, tool={"licence_per_day": 240.0})
    rate = model.config.company.departments["service"].hourly_cost
    for hour in range(24):
        desk.pay(hour)
    assert model.counters["listening_staff_hours"] == 48
    assert model.counters["listening_cost"] == pytest.approx(48 * rate + 240.0)


def test_by_default_listening_is_the_free_coverage_rule():
    model = SCRMModel(small_scenario("marketing_led"), seed=1)
    assert not model.ownership.listening.is_work
    model.run()
    assert model.counters["listening_cost"] == 0 and model.counters["listening_staff_hours"] == 0


# ---------------------------------------------------------------------- paired seeds


def run_with(listening: dict, seed: int = 3) -> dict:
    return SCRMModel(small_scenario("marketing_led", {"listening": listening}), seed=seed).run()


def test_more_analysts_hear_more_posts_and_answer_more():
    few = run_with({"analysts": {"staff": 0.2, "posts_per_hour": 20}})
    many = run_with({"analysts": {"staff": 2, "posts_per_hour": 20}})
    assert many["share_unheard"] < few["share_unheard"]
    assert many["share_answered"] > few["share_answered"]
    assert many["cost"] > few["cost"]


def test_a_tool_costs_and_covers():
    analysts = {"staff": 0.2, "posts_per_hour": 20}
    without = run_with({"analysts": analysts})
    with_tool = run_with({"analysts": analysts, "tool": {"automated_share": 0.6}})
    assert with_tool["share_unheard"] < without["share_unheard"]
    assert with_tool["cost"] > without["cost"]


def test_cutting_analysts_wastes_no_later_free_slot():
    """Slots taken before a cut may exceed an hour's new capacity; the free slots of later
    hours are still used, oldest post first."""
    from scrm_sim.scenario.schema import Listening

    model, desk = desk_of({"staff": 3, "posts_per_hour": 10, "shift": ALWAYS})
    desk.hear(20.0 + np.linspace(0.0, 0.99, 150), np.ones(150, bool), 20)  # hours 20-24 full
    desk.use(Listening(analysts={"staff": 1, "posts_per_hour": 10, "shift": ALWAYS}), 22)
    heard, at = desk.hear(22.0 + np.linspace(0.0, 0.99, 40), np.ones(40, bool), 22)
    assert heard.all()
    assert sorted(set(at.astype(int).tolist())) == [25, 26, 27, 28]
