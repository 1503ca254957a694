"""Shared fixtures: small scenarios that run in about a second."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from scrm_sim.model.model import SCRMModel
from scrm_sim.model.posts import Draw, hop_slot
from scrm_sim.scenario import Scenario, load_scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
CORE_MODELS = ("marketing_led", "service_led", "ceo_led", "hybrid")

SMALL = {
    "customers": {"count": 800, "prospects": 400},
    # busier than the baseline per customer, so a few days exercise every mechanism
    "demand": {
        "rates_per_customer_per_day": {
            "question": 0.08, "complaint": 0.05, "praise": 0.03, "idea": 0.01,
            "purchase_intent": 0.02,
        },
        "incidents": [{"start_day": 2, "duration_hours": 12, "complaint_multiplier": 5}],
    },
    "duration_days": 6,
}


def small_scenario(
    ownership: str = "service_led", changes: dict | None = None, **overrides: object
) -> Scenario:
    """The baseline company scaled down to 1,200 people and 6 days.

    Args:
        ownership: ownership preset.
        changes: overrides of that ownership model's fields.
        overrides: overrides of scenario fields.
    """
    from scrm_sim.scenario import deep_merge

    own = {"extends": ownership, **changes} if changes else ownership
    return load_scenario(SCENARIOS / "baseline.yaml",
                         deep_merge(SMALL, {"ownership": own, **overrides}))


@pytest.fixture
def small() -> Scenario:
    """A small service-led scenario."""
    return small_scenario()


# the uniform whose exponential draw, −mean·ln(1 − u), is exactly the mean
AT_THE_MEAN = 1.0 - math.exp(-1.0)


def script_hand_off(model: SCRMModel, post: int, losses: Sequence[float]) -> None:
    """Give ``post`` the uniforms ``losses`` for the hops of its hand-off (a hop loses it when
    its uniform is below the hop's chance of loss) and each hop's delay at its mean."""
    for hop, u in enumerate(losses):
        model.posts.draws[post, hop_slot(Draw.HOP_LOSS, hop)] = u
        model.posts.draws[post, hop_slot(Draw.HOP_DELAY, hop)] = AT_THE_MEAN
