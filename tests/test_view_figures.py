"""The view's figures and number tiles: drawn once then updated, readable (12-point fonts,
legends, days, 0–100 satisfaction, no offset notation), axes that do not jump, sizes that
fit beside the sidebar at 1366 and 1920 pixels (no browser needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from matplotlib.text import Text

from scrm_sim.analysis.labels import metric
from scrm_sim.view.figures import (
    FIGURES,
    PAGE_MARGIN_PX,
    SIDEBAR_PX,
    OverTime,
    figure_sizes,
    grown_limit,
    paired,
)
from scrm_sim.view.session import SideBySide
from scrm_sim.view.tiles import TILES, difference_text, signed, tiles, value_now

WIDTHS = (1366, 1920)


@pytest.fixture
def view(tmp_path: Path) -> SideBySide:
    """Two models on a small, busy scenario (its queues and losses grow within hours)."""
    path = tmp_path / "busy.yaml"
    path.write_text(yaml.safe_dump({
        "extends": "baseline", "name": "busy", "duration_days": 5,
        "customers": {"count": 600, "prospects": 300},
        "demand": {"volume_multiplier": 30.0, "campaigns": [],
                   "incidents": [{"start_day": 1, "duration_hours": 12}]}}), encoding="utf-8")
    return SideBySide(source=str(path))


def built(view: SideBySide, width: int = 1366) -> dict:
    return {key: make(view, *size) for (key, make), size in
            zip(FIGURES.items(), figure_sizes(width).values(), strict=True)}


def pixels(figure) -> np.ndarray:
    return np.asarray(figure.canvas.buffer_rgba()).copy()


def test_a_frame_updated_in_place_equals_the_figure_drawn_afresh(view):
    figures = built(view)
    over_time = figures["over_time"]
    first_limits = dict(over_time.limits)
    for _ in range(6):
        view.advance(12)
        for figure in figures.values():
            figure.render()
    assert over_time.limits != first_limits  # an axis grew on the way (a partial repaint)
    for key, figure in figures.items():
        assert figure.full_draws == 1, key  # only the first frame drew everything
        updated = pixels(figure)
        figure.redraw_all()
        figure.render()
        assert np.array_equal(updated, pixels(figure)), key


def test_a_step_changes_the_figures_and_keeps_their_size(view):
    figures = built(view)
    before = {key: f.render() for key, f in figures.items()}
    view.advance(24)
    after = {key: f.render() for key, f in figures.items()}
    assert after["over_time"] != before["over_time"]
    assert after["customers"] != before["customers"]
    for key, figure in figures.items():
        assert figure.canvas.get_width_height() == tuple(figure_sizes(1366)[key])


def test_a_figure_with_no_change_gives_the_same_image_and_is_not_resent(view):
    figure = built(view)["queues"]
    first = figure.render()
    assert figure.render() is first


@pytest.mark.parametrize("width", WIDTHS)
def test_every_text_is_at_least_12_points(view, width):
    figures = built(view, width)
    view.advance(24)
    for key, figure in figures.items():
        figure.render()
        small = [(t.get_text(), t.get_fontsize()) for t in figure.figure.findobj(Text)
                 if t.get_visible() and t.get_text().strip() and t.get_fontsize() < 12]
        assert not small, (key, small)


def test_no_axis_uses_offset_notation(view):
    figures = built(view)
    view.advance(48)
    for figure in figures.values():
        figure.render()
        for ax in figure.figure.axes:
            assert ax.yaxis.get_offset_text().get_text() == ""
            assert ax.xaxis.get_offset_text().get_text() == ""


def test_every_figure_has_a_legend(view):
    for key, figure in built(view).items():
        assert figure.figure.legends, key


def test_time_is_in_days_over_the_whole_scenario(view):
    figure = built(view)["over_time"]
    figure.render()
    for ax in figure.figure.axes:
        assert ax.get_xlim() == (0, 5)
    assert [ax.get_xlabel() for ax in figure.figure.axes[2:]] == ["day", "day"]


def test_satisfaction_is_drawn_on_0_to_100(view):
    figure = built(view)["over_time"]
    view.advance(24)
    figure.render()
    ax = figure.axes["satisfaction_mean"]
    low, high = ax.get_ylim()
    assert 0 <= low < high <= 100
    for line in ax.get_lines():
        shown = line.get_ydata()
        if len(shown) > 10:
            assert low <= shown.min() and shown.max() <= high and shown.max() > 1


def test_empty_panels_start_at_zero_not_around_it(view):
    figure: OverTime = built(view)["over_time"]
    figure.render()
    for column in ("backlog", "churned_total", "share_within_sla"):
        assert figure.axes[column].get_ylim()[0] == 0


def test_axes_grow_to_round_numbers_and_never_shrink():
    assert grown_limit(7, 10) == 10
    assert grown_limit(11, 10) == 20
    assert grown_limit(230, 20) == 500
    assert grown_limit(501, 500) == 1000
    assert grown_limit(3, 500) == 500


@pytest.mark.parametrize("width", WIDTHS)
def test_figures_fit_beside_the_sidebar(width):
    sizes = figure_sizes(width)
    room = width - SIDEBAR_PX - PAGE_MARGIN_PX
    assert all(w <= room for w, _ in sizes.values())
    if paired(width):
        assert sizes["organisation"][0] + sizes["customers"][0] <= room


def test_network_figures_sit_side_by_side_only_on_wide_screens():
    assert not paired(1366) and paired(1920)


def test_tiles_show_every_headline_quantity_per_model_in_display_units(view):
    view.advance(24)
    shown = tiles(view)
    assert [t.column for t in shown] == [column for column, _ in TILES]
    satisfaction = shown[0]
    assert satisfaction.unit == "0–100"
    for name, run in view.runs.items():
        assert satisfaction.values[name] == metric("satisfaction_mean").show(
            value_now(run, "satisfaction_mean"))
        assert float(satisfaction.values[name]) > 1  # 0–100, not 0–1
    assert shown[1].unit == "% of posts"


def test_the_difference_is_right_minus_left_and_names_the_model_ahead(view):
    view.advance(24)
    left, right = view.names
    waiting = next(t for t in tiles(view) if t.column == "backlog")
    a = value_now(view.runs[left], "backlog")
    b = value_now(view.runs[right], "backlog")
    assert a != b  # the two models differ on this busy scenario
    assert waiting.difference.lstrip("+−") == f"{abs(b - a):,.0f}"
    assert waiting.difference[0] == ("+" if b > a else "−")
    assert waiting.better == (left if a < b else right)  # fewer posts waiting is better
    assert "ahead" in difference_text(waiting, view.names)


def test_a_difference_that_rounds_to_nothing_has_no_sign():
    assert signed(metric("satisfaction_mean"), -0.0001) == "±0.0"
    assert signed(metric("satisfaction_mean"), -0.004) == "−0.4"


def test_a_negligible_difference_reads_about_the_same(view):
    satisfaction = tiles(view)[0]  # hour 0: the same customers under both models
    assert satisfaction.better == ""
    assert "about the same" in difference_text(satisfaction, view.names)
