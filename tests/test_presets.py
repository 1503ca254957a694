"""Every ownership preset loads, is listed, runs, and keeps the core model's invariants."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.cli import main
from scrm_sim.model.customers import Stage
from scrm_sim.model.model import SCRMModel
from scrm_sim.model.posts import DropReason, PostStatus
from scrm_sim.scenario import available_models

from .conftest import SCENARIOS, small_scenario

PRESETS = sorted(p.stem for p in (SCENARIOS / "ownership").glob("*.yaml"))
DEBATE_MODELS = (
    "sales_led", "pr_led", "it_led", "self_organising", "cross_functional", "coordinator",
    "chief_customer_officer", "hub_and_spoke", "joint_marketing_service", "community_platform",
    "laboratory", "single_champion", "evolution_grassroots", "evolution_support_first",
)


def test_the_debate_s_positions_are_all_shipped_as_presets():
    assert set(DEBATE_MODELS) <= set(PRESETS)


def test_every_preset_states_its_position_and_source():
    models = {m.name: m for m in available_models()}
    assert set(models) == set(PRESETS)  # a preset's name is its file name
    for model in models.values():
        assert model.position and model.source, model.name


def test_models_command_lists_every_preset_with_its_source(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for name in PRESETS:
        assert f"\n{name} " in f"\n{out}"
    assert out.count("source: seed") == len(PRESETS)


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_runs_and_keeps_every_post_and_person_accounted_for(preset):
    scenario = small_scenario(preset)
    model = SCRMModel(scenario)
    summary = model.run()
    posts = model.posts
    assert sum(posts.status_counts().values()) == len(posts) == summary["posts"] > 0
    answered = ~np.isnan(posts.time_first_response)
    assert not answered[posts.status == PostStatus.PENDING].any()
    assert (posts.time_first_response[answered] >= posts.time_posted[answered]).all()
    dropped = posts.status == PostStatus.DROPPED
    assert (posts.drop_reason[dropped] != DropReason.NONE).all()
    assert (posts.drop_reason[~dropped] == DropReason.NONE).all()
    counts = np.bincount(model.population.stage, minlength=len(Stage))
    assert counts.sum() == scenario.customers.count + scenario.customers.prospects
    assert 0.0 <= summary["share_within_sla"] <= 1.0


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_gives_identical_results_for_the_same_seed(preset):
    scenario = small_scenario(preset)
    first, second = SCRMModel(scenario, seed=5).run(), SCRMModel(scenario, seed=5).run()
    assert first == pytest.approx(second, nan_ok=True)
