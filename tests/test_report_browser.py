"""The report in a real headless browser (Debian's chromium): every figure loads.

CI installs chromium (see .ci/run); where it is missing this test is skipped with the
reason shown, so that a developer without it can still run the rest of the suite.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from scrm_sim.cli import main

from .conftest import SCENARIOS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PROBE = """<script>window.addEventListener('load', () => {
  const images = [...document.images];
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).length;
  document.body.insertAdjacentHTML('beforeend',
    `<p id="probe">images=${images.length} broken=${broken}</p>`);
});</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_every_figure_of_the_report_loads_in_a_headless_browser(tmp_path):
    scenario = tmp_path / "client.yaml"
    scenario.write_text(yaml.safe_dump({"extends": str(SCENARIOS / "baseline.yaml"),
                                        "duration_days": 3,
                                        "customers": {"count": 400, "prospects": 200}}))
    out = tmp_path / "out"
    assert main(["compare", str(scenario), "--models", "service_led,hybrid", "--reps", "2",
                 "--workers", "1", "--quiet", "--out", str(out), "--report"]) == 0
    probed = tmp_path / "probed.html"  # a copy with a probe script; the report itself has none
    probed.write_text((out / "report.html").read_text().replace("</body>", PROBE + "</body>"))
    dom = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
         "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120).stdout
    found = re.search(r'id="probe">images=(\d+) broken=(\d+)', dom)
    assert found, dom[-2000:]
    assert int(found.group(1)) >= 3 and int(found.group(2)) == 0
    # the summary as the browser shows it states the numbers in the results table
    summary = pd.read_parquet(out / "summary.parquet")
    rendered = re.search(r'answered within the SLA: ([\d.]+) \(% of posts\)', dom)
    best = re.search(r"<li>(\S+) is best on answered within the SLA", dom).group(1)
    model = best.lower().replace("-", "_")
    expected = 100 * summary.loc[summary["ownership"] == model, "share_within_sla"].mean()
    assert float(rendered.group(1)) == pytest.approx(expected, abs=0.05)
