"""Metamorphic properties: on every core preset, a change with an obvious direction moves each
metric that way or not at all, and the checker catches a property stated the wrong way round."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.scenario import available_models
from scrm_sim.validation.checks import Check
from scrm_sim.validation.edits import edited, scaled, set_to
from scrm_sim.validation.family import family_verdict
from scrm_sim.validation.metamorphic import (
    CORE_PRESETS,
    NOT_HIGHER,
    NOT_LOWER,
    PROPERTIES,
    Property,
    metamorphic_checks,
    paired_check,
    small_company,
    worse_p_value,
)

# the fast subset: the suite's scenario for two weeks on six paired seeds (under a minute on
# two cores)
SEEDS = range(1, 7)
TWO_WEEKS = {"duration_days": 14}
# Stated the wrong way round: acknowledging before a hand-off is a first response, so it can
# only make more complaints answered within the SLA, never fewer.
REVERSED = Property(
    "hand-offs acknowledged, claimed to slow replies",
    base=(set_to("ownership.acknowledge_handoffs", False),),
    variant=(set_to("ownership.acknowledge_handoffs", True),),
    expectations=(("complaints_within_sla", NOT_HIGHER),),
)


# --------------------------------------------------------------------------- edits


def test_scaling_a_mapping_scales_every_value_and_a_cap_keeps_probabilities_at_most_one():
    scenario = small_company("hybrid")
    penalty = scenario.outcomes.silence_penalty
    doubled = edited(scenario, [scaled("outcomes.silence_penalty", 2, cap=1)]).outcomes
    assert doubled.silence_penalty == {t: min(2 * v, 1.0) for t, v in penalty.items()}
    tenfold = edited(scenario, [scaled("outcomes.silence_penalty", 10, cap=1)]).outcomes
    assert max(tenfold.silence_penalty.values()) == 1.0


def test_a_star_in_the_path_edits_every_department():
    scenario = small_company("hybrid")
    faster = edited(scenario, [scaled("company.departments.*.capacity_per_hour", 1.5)])
    for name, department in scenario.company.departments.items():
        assert faster.company.departments[name].capacity_per_hour == pytest.approx(
            1.5 * department.capacity_per_hour)


def test_an_ownership_edit_reaches_every_stage_of_a_staged_preset():
    scenario = small_company("evolution_support_first")
    assert scenario.ownership.stages
    more = edited(scenario, [set_to("ownership.staffing_scale", 2)])
    assert more.ownership.staffing_scale == 2
    assert all(stage.ownership.staffing_scale == 2 for stage in more.ownership.stages)


def test_an_edit_of_a_field_the_scenario_lacks_names_the_field():
    with pytest.raises(KeyError, match="outcomes.no_such_field"):
        edited(small_company("hybrid"), [set_to("outcomes.no_such_field", 1)])


@pytest.mark.parametrize("preset", sorted(m.name for m in available_models()))
def test_every_property_edits_fields_every_preset_has(preset):
    scenario = small_company(preset)
    for prop in PROPERTIES:
        assert edited(scenario, prop.base) != edited(scenario, prop.variant), prop.name


# --------------------------------------------------------------------------- the paired test


def test_a_variant_identical_on_every_seed_holds_trivially_and_says_so():
    check = paired_check("g", "more staff: share_within_sla not lower", np.zeros(5), NOT_LOWER)
    assert check.passed and check.p_value == 1.0
    assert "holds trivially" in check.name


def test_a_consistent_worsening_fails_and_the_same_change_the_other_way_passes():
    lower = np.array([-0.010, -0.012, -0.009, -0.011, -0.010])
    assert worse_p_value(lower, NOT_LOWER) < 1e-4
    assert worse_p_value(-lower, NOT_LOWER) > 0.99
    assert worse_p_value(lower, NOT_HIGHER) > 0.99
    check = paired_check("g", "m", lower, NOT_LOWER)
    assert not check.passed
    assert check.high < 0 == check.expected  # the one-sided 99% bound excludes "no change"


def test_noise_around_no_change_passes():
    noise = np.array([0.004, -0.003, 0.001, -0.002, 0.0005, -0.001])
    assert paired_check("g", "m", noise, NOT_LOWER).passed
    assert paired_check("g", "m", noise, NOT_HIGHER).passed


def test_seeds_without_a_value_are_left_out_and_counted():
    check = paired_check("g", "m", np.array([0.01, np.nan, 0.02, 0.015]), NOT_LOWER)
    assert check.passed and "3 of 4 seeds" in check.name


def test_one_seed_with_a_value_cannot_fail_the_property():
    check = paired_check("g", "m", np.array([np.nan, -0.5, np.nan]), NOT_LOWER)
    assert check.passed and "1 of 3 seeds" in check.name


def test_the_same_worsening_on_every_seed_fails_although_a_t_test_has_no_spread():
    assert worse_p_value(np.full(4, -1.0), NOT_LOWER) == 0.0
    assert worse_p_value(np.full(4, -1.0), NOT_HIGHER) == 1.0


# --------------------------------------------------------------------------- the core presets


@pytest.fixture(scope="module")
def core_checks() -> list[Check]:
    """Every property, and the reversed one, on the four core presets (runs shared)."""
    return metamorphic_checks(CORE_PRESETS, SEEDS, (*PROPERTIES, REVERSED), TWO_WEEKS)


def from_reversed(check: Check) -> bool:
    """Whether the check comes from the deliberately reversed property."""
    return check.name.startswith(REVERSED.name)


@pytest.mark.slow
def test_no_metamorphic_property_fails_on_the_core_presets(core_checks):
    checks = [c for c in core_checks if not from_reversed(c)]
    assert len(checks) == len(CORE_PRESETS) * sum(len(p.expectations) for p in PROPERTIES)
    verdict = family_verdict(checks)
    failed = [f"{c.group}: {c.name} (mean difference {c.measured:.4g}, p = {c.p_value:.2g}, "
              f"Holm p = {holm:.2g})"
              for c, holm, f in zip(checks, verdict.holm_p, verdict.failed, strict=True) if f]
    assert not failed, "\n".join(failed)


@pytest.mark.slow
def test_the_checker_flags_a_property_stated_the_wrong_way_round(core_checks):
    verdict = family_verdict(core_checks)
    flagged = {c.group.removeprefix("Metamorphic, ")
               for c, f in zip(core_checks, verdict.failed, strict=True) if f and from_reversed(c)}
    # where the front line forwards complaints to service (marketing, the CEO's hub and the
    # hybrid hub), acknowledging first answers them sooner: the reversed claim fails there.
    # On six seeds the checker must catch it on at least two of the three (marketing-led's
    # effect is the smallest: its p-value sits near the Holm threshold, on either side of
    # it depending on the seeds' draws)
    assert len(flagged & {"marketing_led", "ceo_led", "hybrid"}) >= 2
    assert "service_led" not in flagged  # service resolves complaints itself
