"""The debate's claims as experiments: every file is valid and documented with its figure."""

from __future__ import annotations

import re

import pytest

from scrm_sim.experiment.spec import load_experiment

from .conftest import REPO

DEBATE = sorted((REPO / "experiments" / "debate").glob("*.yaml"))
DOC = REPO / "docs" / "debate.md"


def test_there_is_one_experiment_per_claim_of_the_issue():
    assert len(DEBATE) == 7


@pytest.mark.parametrize("path", DEBATE, ids=lambda p: p.stem)
def test_a_debate_experiment_is_valid_and_names_its_claim_and_source(path):
    experiment, _ = load_experiment(path)
    assert experiment.claim and re.search(r"seed 00[0-4]", experiment.source)
    assert experiment.name == path.stem  # `make debate` finds results by file name


@pytest.mark.parametrize("path", DEBATE, ids=lambda p: p.stem)
def test_docs_show_each_experiment_s_command_and_generated_figure(path):
    text = DOC.read_text(encoding="utf-8")
    assert f"scrm-sim experiment experiments/debate/{path.name} --analyse" in text
    figure = f"images/debate/{path.stem}.png"
    assert f"]({figure})" in text
    assert (REPO / "docs" / figure).stat().st_size > 0


@pytest.mark.parametrize("path", DEBATE, ids=lambda p: p.stem)
def test_each_claim_is_a_checkable_test_with_plausible_ranges(path):
    experiment, _ = load_experiment(path)  # also validates every range against the schema
    assert experiment.claim_test is not None and experiment.robustness is not None
    assert experiment.robustness.ranges and experiment.robustness.full is not None


def test_docs_carry_the_generated_robustness_table_between_its_markers():
    from scrm_sim.analysis.debate_table import END, START

    text = DOC.read_text(encoding="utf-8")
    assert text.index(START) < text.index(END)
