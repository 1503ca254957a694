"""The interactive view in a real headless browser (Debian's chromium, driven by Playwright).

Skipped, with the reason, where chromium or the viz extra is missing; CI installs both
(.ci/run, `make test`). With SCRM_SIM_UPDATE_SCREENSHOTS=1 the size test also refreshes the
README's screenshots, docs/images/view_1366.png and view_1920.png (docs/screenshot.sh --view).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil

import pytest

from scrm_sim.cli import EXIT_USER_ERROR, main
from scrm_sim.scenario import load_scenario

from .conftest import REPO, SCENARIOS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HAVE_VIZ = all(importlib.util.find_spec(m) for m in ("solara", "playwright"))
no_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
no_viz = pytest.mark.skipif(
    not HAVE_VIZ, reason="the viz extra is not installed (pip install -e '.[viz,dev]')")
ROOMS = [(1366, 768), (1920, 1080)]  # a projector and a large screen
CODE_NAMES = ("marketing_led", "service_led", "satisfaction_mean", "share_within_sla",
              "churned_total", "cost_total")


def served(scenario):
    from scrm_sim.view.server import serving

    return serving(scenario)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def open_page(browser, url: str, size: tuple[int, int] = ROOMS[0]):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_default_timeout(90_000)
    page.goto(url)
    wait_for_hour(page, 0)
    figures(page)  # drawn: the page is ready for clicks
    return page


PIXELS = """() => Array.from(document.images).map(img => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    canvas.getContext("2d").drawImage(img, 0, 0);
    return canvas.toDataURL();
})"""


def figures(page) -> list[str]:
    """The pixels of every figure on the page (as PNG data URLs), in page order: over time,
    organisation, customers, queues. Empty when an image has not loaded."""
    page.wait_for_function("document.images.length >= 4 && "
                           "Array.from(document.images).every(i => i.complete)")
    return [p if len(p) > 1000 else "" for p in page.evaluate(PIXELS)]


def wait_for_hour(page, hour: int) -> None:
    page.locator(".scrm-status", has_text=re.compile(rf"\(hour {hour}\)")).wait_for()


def clock(page) -> str:
    return re.search(r"\(hour \d+\)", page.locator(".scrm-status").inner_text()).group()


def choose(page, field: str, option: str) -> None:
    page.locator(".v-field", has_text=field).click()
    page.locator(".v-overlay-container .v-list-item-title").filter(
        has_text=re.compile(f"^{re.escape(option)}$")).click()


@no_chromium
@no_viz
def test_view_steps_runs_to_a_day_and_restarts_with_another_model(browser):
    with served(SCENARIOS / "minimal.yaml") as url:
        page = open_page(browser, url)
        before = figures(page)
        assert len(before) == 4 and all(before)  # four figures, none broken
        page.get_by_role("button", name="Step 24 h").click()
        wait_for_hour(page, 24)
        after = figures(page)
        assert all(after) and after[0] != before[0]  # the plots over time drew a day
        page.get_by_label("Run to day").fill("3")
        page.get_by_label("Run to day").press("Enter")
        page.get_by_role("button", name="Run to day 3").click()
        wait_for_hour(page, 72)
        page.get_by_role("button", name="Play").click()
        page.wait_for_function("""() => Number(document.querySelector(".scrm-status")
            .textContent.match(/\\(hour (\\d+)\\)/)[1]) > 72""")
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for()
        paused = clock(page)
        page.wait_for_timeout(1500)
        assert clock(page) == paused  # pausing stops the clock
        # another ownership model on the left, then start again
        choose(page, "Ownership model (left)", "Hybrid")
        demand = page.locator(".scrm-knob", has_text="Demand")
        demand.get_by_role("slider").press("ArrowRight")
        demand.locator(".scrm-knob-value", has_text=re.compile(r"^×1\.5$")).wait_for()
        page.get_by_text("Changed: press Restart to apply.").wait_for()
        page.get_by_role("button", name="Restart with these settings").click()
        page.locator(".scrm-status", has_text="Hybrid vs").wait_for()
        wait_for_hour(page, 0)
        # what runs says how it differs from the presets
        assert "Changed from the presets: demand ×1.5" in page.locator(".scrm-events").inner_text()
        assert figures(page)[1] != before[1]  # hybrid's organisation has other social roles
        position = load_scenario(SCENARIOS / "minimal.yaml",
                                 {"ownership": "hybrid"}).ownership.position
        names = page.locator(".scrm-status .scrm-model")
        assert names.first.inner_text() == "Hybrid"
        assert names.first.get_attribute("title") == position  # the position as a tooltip


SIDEBAR_CHECKS = """() => {
    const bar = document.querySelector(".scrm-sidebar");
    const inside = el => { const r = el.getBoundingClientRect();
        return r.left >= 0 && r.right <= window.innerWidth; };
    const shown = el => { const style = getComputedStyle(el);
        return el.getClientRects().length > 0 && style.visibility !== "hidden"
            && style.opacity !== "0"; };
    const covered = Array.from(bar.querySelectorAll("button")).filter(b => {
        const r = b.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return top !== null && !b.contains(top);
    }).map(b => b.textContent.trim());
    return {
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        sliders: Array.from(bar.querySelectorAll(".v-slider")).map(
            s => s.getBoundingClientRect().width),
        clipped: Array.from(bar.querySelectorAll(".scrm-knob-head span, label, button"))
            .filter(shown)
            .filter(el => el.scrollWidth > el.clientWidth + 1 || !inside(el))
            .map(el => el.textContent.trim()),
        values: Array.from(bar.querySelectorAll(".scrm-knob-value")).map(v => v.textContent),
        covered: covered,
    };
}"""

FIGURE_CHECKS = """() => Array.from(document.images).map(img => ({
    natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
    top: img.getBoundingClientRect().top + window.scrollY,
}))"""


@no_chromium
@no_viz
def test_view_fits_a_room_at_1366_and_1920_pixels(browser, tmp_path):
    with served(SCENARIOS / "baseline.yaml") as url:
        for width, height in ROOMS:
            page = open_page(browser, url, (width, height))
            figures(page)
            sidebar = page.evaluate(SIDEBAR_CHECKS)
            assert sidebar["overflow"] <= 0  # no sideways scrolling
            assert len(sidebar["sliders"]) == 4 and min(sidebar["sliders"]) >= 200
            assert sidebar["clipped"] == []  # no label cut off, nothing outside the window
            assert sidebar["values"] == ["×1"] * 4  # every knob's value written out
            assert sidebar["covered"] == []  # nothing lies over a button
            shown = page.evaluate(FIGURE_CHECKS)
            # figures at their own size: 12-point fonts are not scaled down
            assert all(abs(f["natural"] - f["shown"]) <= 1 for f in shown), shown
            assert shown[1]["top"] < 1.5 * height  # the organisation: a short scroll at most
            tiles = page.locator(".scrm-tile")
            assert tiles.count() == 5
            assert "Marketing-led" in tiles.first.inner_text()
            body = page.inner_text("body")
            assert not [name for name in CODE_NAMES if name in body]
            page.get_by_label("Run to day").fill("30")
            page.get_by_label("Run to day").press("Enter")
            page.get_by_role("button", name="Run to day 30").click()
            wait_for_hour(page, 720)
            figures(page)
            shot = tmp_path / f"view_{width}.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            if os.environ.get("SCRM_SIM_UPDATE_SCREENSHOTS") == "1":
                shutil.copy(shot, REPO / "docs" / "images" / shot.name)
            page.close()


@no_chromium
@no_viz
def test_view_with_a_bad_scenario_shows_the_cli_message_not_a_traceback(browser, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nduration_days: -3\n", encoding="utf-8")
    with served(bad) as url:
        page = browser.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        page.get_by_text("This scenario cannot run").wait_for()
        body = page.inner_text("body")
        assert "duration_days" in body and "greater than 0" in body
        assert "Traceback" not in body


def test_view_command_with_a_bad_scenario_exits_2_before_starting(tmp_path, capsys):
    from scrm_sim.view.server import free_port

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nduration_days: -3\n", encoding="utf-8")
    assert main(["view", str(bad), "--port", str(free_port())]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "duration_days" in err and "Traceback" not in err
