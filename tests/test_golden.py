"""A small run's summary, stored: a change to the code that changes any result fails here, so
that speed work (issue 17) cannot change results by accident. Update the file only on purpose,
after checking that the change in results is intended:

    .venv/bin/python -m tests.test_golden        # rewrites tests/golden/small_runs.json

The numbers depend on the numerical libraries too (their random streams and generators), so
they are compared exactly only under the versions they were written with.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
from pathlib import Path

import pytest

from scrm_sim import SCRMModel, load_scenario

from .conftest import REPO

GOLDEN = Path(__file__).parent / "golden" / "small_runs.json"
LIBRARIES = ("numpy", "scipy", "networkx", "mesa", "pandas")
# the baseline company and the contested one, two owners, a week, 2,000 customers
RUNS = [(scenario, ownership) for scenario in ("baseline", "contested")
        for ownership in ("marketing_led", "hybrid")]
SMALL = {"duration_days": 7, "customers": {"count": 2000, "prospects": 1000}}
SEED = 17


def versions() -> dict[str, str]:
    """The versions of the libraries the numbers depend on."""
    return {name: importlib.metadata.version(name) for name in LIBRARIES}


def summaries() -> dict[str, dict[str, float | None]]:
    """Each run's summary, NaN written as null (JSON has no NaN)."""
    result = {}
    for scenario, ownership in RUNS:
        loaded = load_scenario(REPO / "scenarios" / f"{scenario}.yaml",
                               {**SMALL, "ownership": ownership})
        summary = SCRMModel(loaded, seed=SEED).run()
        result[f"{scenario}/{ownership}"] = {
            key: None if isinstance(value, float) and math.isnan(value) else value
            for key, value in summary.items()}
    return result


def test_a_small_run_gives_the_stored_summary():
    stored = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if stored["versions"] != versions():
        pytest.skip(f"written under {stored['versions']}, running under {versions()}: "
                    "regenerate with python -m tests.test_golden after checking the change")
    assert summaries() == stored["summaries"]


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps({"versions": versions(), "seed": SEED, "runs": SMALL,
                                  "summaries": summaries()}, indent=1, sort_keys=True) + "\n",
                      encoding="utf-8")
    print(f"wrote {GOLDEN}")
