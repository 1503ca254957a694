"""The interactive view in a real headless browser (Debian's chromium, driven by Playwright).

Skipped, with the reason, where chromium or the viz extra is missing; CI installs both
(.ci/run, `make test`). With SCRM_SIM_UPDATE_SCREENSHOTS=1 the test also refreshes the
README's screenshot, docs/images/view.png.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrm_sim.cli import EXIT_USER_ERROR, main

from .conftest import REPO, SCENARIOS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HAVE_VIZ = all(importlib.util.find_spec(m) for m in ("solara", "playwright"))
no_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
no_viz = pytest.mark.skipif(
    not HAVE_VIZ, reason="the viz extra is not installed (pip install -e '.[viz,dev]')")
APP = REPO / "scrm_sim" / "view" / "app.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(scenario: Path) -> Iterator[str]:
    """Start the view's server on a free port; yield its address; stop it."""
    port = free_port()
    env = {**os.environ, "SCRM_SIM_VIEW_SCENARIO": str(scenario)}
    server = subprocess.Popen(
        [sys.executable, "-m", "solara", "run", str(APP), "--production", "--no-open",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the view's server did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1700, "height": 1250})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


PIXELS = """() => Array.from(document.images).map(img => {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    canvas.getContext("2d").drawImage(img, 0, 0);
    return canvas.toDataURL();
})"""


def figures(page) -> list[str]:
    """The pixels of every figure on the page (as PNG data URLs), in page order: live plots,
    queues, customer network, organisation. Empty when an image has not loaded."""
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    return [p if len(p) > 1000 else "" for p in page.evaluate(PIXELS)]


def wait_for_hour(page, hour: int) -> None:
    page.get_by_text(re.compile(rf"^Hour {hour} \(day")).wait_for()


@no_chromium
@no_viz
def test_view_steps_changes_model_and_redraws(browser_page, tmp_path):
    page = browser_page
    for url in serve(SCENARIOS / "minimal.yaml"):
        page.goto(url)
        wait_for_hour(page, 0)
        before = figures(page)
        assert len(before) == 4 and all(before)  # four figures, none broken
        for hour in (1, 2, 3):
            page.get_by_role("button", name="Step").click()
            wait_for_hour(page, hour)
        after = figures(page)
        assert all(after) and after[0] != before[0]  # the live plots drew three hours
        # choose another ownership model for the left side and start again
        page.locator(".v-field", has_text="Ownership model (left)").click()
        page.locator(".v-overlay-container .v-list-item-title").filter(
            has_text=re.compile("^hybrid$")).click()
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("hybrid vs marketing_led").wait_for()
        wait_for_hour(page, 0)
        assert figures(page)[3] != after[3]  # hybrid's organisation has other social roles
        for hour in range(1, 13):
            page.get_by_role("button", name="Step").click()
            wait_for_hour(page, hour)
        shot = tmp_path / "view.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        if os.environ.get("SCRM_SIM_UPDATE_SCREENSHOTS") == "1":
            shutil.copy(shot, REPO / "docs" / "images" / "view.png")


@no_chromium
@no_viz
def test_view_with_a_bad_scenario_shows_the_cli_message_not_a_traceback(browser_page, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nduration_days: -3\n", encoding="utf-8")
    page = browser_page
    for url in serve(bad):
        page.goto(url)
        page.get_by_text("This scenario cannot run").wait_for()
        body = page.inner_text("body")
        assert "duration_days" in body and "greater than 0" in body
        assert "Traceback" not in body


def test_view_command_with_a_bad_scenario_exits_2_before_starting(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nduration_days: -3\n", encoding="utf-8")
    assert main(["view", str(bad), "--port", str(free_port())]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "duration_days" in err and "Traceback" not in err
