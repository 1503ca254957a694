"""The live-field check: every leaf field of the scenario schema must change some output.

``tests/test_live_fields.py`` runs it for every leaf; ``python -m tests.live_fields`` prints
the whole table (live or inert, the value tried, the outputs that changed).

How it works:

1. :func:`leaves` walks :class:`~scrm_sim.scenario.Scenario` through ``model_fields``:
   nested blocks, dicts keyed by post type or department (one leaf per key), lists of
   blocks (element ``[0]``), and unions (one leaf for the plain value, plus the fields of a
   block member such as ``Shift`` in ``ShiftSpec``). Nothing is listed by hand, so a field
   added to the schema is checked as soon as it exists.
2. Each leaf is a *case*, run on a small, busy scenario (:data:`BASE`) with the
   :data:`CONDITIONS` that match its path (the settings under which it acts). A few fields
   are also checked in extra situations (a condition with ``situation``; case id
   ``path@situation``).
3. :func:`candidates` derives perturbations from the field's type and constraints: numbers
   doubled or halved but at most three quarters of the way to a bound, booleans flipped,
   another option of a Literal, a post type added to or removed from a list, another member
   of a union; :data:`PERTURBATIONS` gives the few values that cannot be derived.
4. The base and the perturbed scenario run with the same seed; the field is live if the run
   summary, the hourly step series or the agent records differ for one of the first
   :data:`TRIES` valid perturbations. The perturbed run stops at the first hour whose step
   row differs from the base's.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
import sys
import time
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
import pandas as pd
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from scrm_sim.errors import ScenarioError
from scrm_sim.model import SCRMModel
from scrm_sim.scenario import Scenario, load_scenario
from scrm_sim.scenario.loading import validate_scenario
from scrm_sim.scenario.schema import POST_TYPES

REPO = Path(__file__).resolve().parents[1]

# A busy company of 1,200 people for a week: every mechanism acts within seven days, and a
# run takes about 0.3 s. The ownership model is a hub with front line, resolvers, hand-offs
# and a self-organising team; everything that is off by default (community, tools,
# approval, rogue departments, campaigns, incidents, stages) is switched on by CONDITIONS.
BASE: dict[str, Any] = {
    "seed": 11,
    "duration_days": 7,
    "customers": {"count": 800, "prospects": 400},
    "demand": {
        "rates_per_customer_per_day": {
            "question": 0.08, "complaint": 0.05, "praise": 0.03, "idea": 0.01,
            "purchase_intent": 0.02,
        },
        "campaigns": [],
        "incidents": [],
    },
    "ownership": {
        "extends": "hub_and_spoke",
        # a marketing resolver too, so that every post type can also be routed directly
        "resolver_staff": {"service": 1, "sales": 1, "product": 1, "marketing": 1},
        "social_team": {"policy": "self_organising", "initial_members": 2, "max_size": 10},
        # hand-offs follow the company's liaisons (the preset names a liaison in each spoke)
        "handoff": {"named_liaisons": False},
    },
}

TRIES = 2  # valid perturbations tried before a field is called inert (3 for Literals)
SEEDS = (BASE["seed"], BASE["seed"] + 1)  # the base seed, then one more before a field is inert


# ----------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Condition:
    """Settings under which the fields matching ``pattern`` act.

    Attributes:
        pattern: case ids it applies to (one or several); ``*`` matches anything. Patterns
            on ``ownership.`` also match the same field inside a stage's ownership, and then
            set the stage's.
        settings: dotted paths (``ownership.community.enabled``) and the values they take
            in both runs; or a function of the leaf's path giving them.
        states: words of which the field's description must contain one, because the
            condition is another field's value; None when the condition is only that the
            thing the field describes exists (a campaign, a stage, a rogue department).
        why: the reason, in one line.
        situation: None for the field's own case; a name adds a second case
            ``path@name`` that applies only this condition.
    """

    pattern: str | tuple[str, ...]
    settings: dict[str, Any] | Callable[[str], dict[str, Any]]
    states: tuple[str, ...] | None
    why: str
    situation: str | None = None


def _department(path: str) -> str:
    return path.split(".")[2]


def _takes_part(path: str) -> dict[str, Any]:
    """The department answers every post type itself (direct routing, two resolvers)."""
    dept = _department(path)
    return {
        "ownership.routing": "direct",
        "ownership.resolvers": {t: dept for t in POST_TYPES},
        "ownership.resolver_staff": {dept: 2},
        "ownership.front_line": {},
    }


def _receives_handoffs(path: str) -> dict[str, Any]:
    """A front line without skills hands every post to the department."""
    dept = _department(path)
    sender = "executive" if dept == "it" else "it"  # neither has any skill
    return {
        "ownership.routing": "hub",
        "ownership.resolvers": {t: dept for t in POST_TYPES},
        "ownership.resolver_staff": {dept: 2},
        # one seat on the extended shift: a rota of 2.8 people, which the smallest department
        # (executive, 4) can staff
        "ownership.front_line": {sender: 1},
        "ownership.front_line_shift": "extended",
    }


def _sends_handoffs(path: str) -> dict[str, Any]:
    """The department is the front line and hands every post it cannot resolve to another."""
    dept = _department(path)
    receiver = "sales" if dept == "service" else "service"
    return {
        "ownership.routing": "hub",
        "ownership.resolvers": {t: receiver for t in POST_TYPES},
        "ownership.resolver_staff": {receiver: 2},
        "ownership.front_line": {dept: 1},
        "ownership.front_line_shift": "extended",
        f"company.departments.{dept}.skills": [],
    }


def _a_stage(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A stage from day 1: the base ownership model hearing half as much."""
    own = copy.deepcopy(data["ownership"])
    own.update(name="stage", stages=[])
    own["listening"]["coverage"] = 0.4
    return [{"ownership": own, "when": {"after_day": 1.0}}]


def _rolled_out_pilot(path: str) -> dict[str, Any]:
    """A pilot of half the customers with maturity 0.5, rolled out to everyone on day 2; for
    the field of a stage's ownership, the stage is the pilot and a second stage rolls it out."""
    def ownership(data: dict[str, Any]) -> dict[str, Any]:
        own = copy.deepcopy(data["ownership"])
        pilot = {**copy.deepcopy(own), "name": "pilot", "stages": [], "pilot_share": 0.5}
        full = {**copy.deepcopy(own), "name": "roll-out", "stages": [], "pilot_share": 1.0}
        if path.startswith("ownership.stages[0]."):  # the stage is the pilot
            pilot["pilot"] = own["stages"][0]["ownership"]["pilot"]
            return {**own, "stages": [{"ownership": pilot, "when": {"after_day": 1.0}},
                                      {"ownership": full, "when": {"after_day": 3.0}}]}
        return {**pilot, "name": own["name"],
                "stages": [{"ownership": full, "when": {"after_day": 2.0}}]}
    # "ownership" itself is not rewritten to a stage's, so one function serves both views
    return {"company.maturity.initial": 0.5, "ownership": ownership}


TEAM_VOLUNTEERS = {
    "ownership.social_team.policy": "self_organising",
    "ownership.social_team.join_probability": 0.5,
    "ownership.social_team.enthusiasm_threshold": 0.0,
    "ownership.social_team.max_size": 40,
}
SELF_ORGANISING = ("self_organising", "self-organising")
RECRUITING_TEAM = {  # staff join a few a day, and the team has room all week
    "ownership.social_team.policy": "self_organising",
    "ownership.social_team.join_probability": 0.1,
    "ownership.social_team.enthusiasm_threshold": 0.3,
    "ownership.social_team.max_size": 40,
}
OVERLOADED_TEAM = {  # the team alone works a busy hub, some members above 0.9 and some below
    "ownership.social_team.policy": "self_organising",
    "ownership.social_team.initial_members": 9,
    "ownership.front_line": {},
}

MEMBERS_ANSWER = {  # a community platform whose answers come from its members
    "ownership.community.enabled": True,
    "ownership.community.member_answer_chance": {"question": 0.01, "idea": 0.01},
}

CONDITIONS: tuple[Condition, ...] = (
    # first, as later conditions may set fields of the stage it makes
    Condition("ownership.stages[0].*", {"ownership.stages": _a_stage}, None,
              "a stage that starts on day 1"),
    # the scenario
    Condition("engine", {"duration_days": 1}, None,
              "the per-agent engine is slow (12 s a week); one day shows the difference"),
    # the company
    Condition("company.departments.*", _takes_part, None,
              "a department's fields act when it works social posts: it answers every type"),
    Condition("company.departments.*.agenda*",
              lambda path: {**_takes_part(path), "ownership.resolver_staff": {_department(path): 3},
                            f"company.departments.{_department(path)}.shift": "business",
                            "demand.volume_multiplier": 0.25},
              ("handed",), "an order matters in a queue that forms and clears: a night's posts "
              "of every type, answered by morning"),
    Condition("company.departments.*.shift",
              lambda path: {f"company.departments.{_department(path)}.staff": 12}, None,
              "a longer shift needs a longer rota: 12 people staff two seats on any shift"),
    Condition("company.departments.*.silo_strength", _receives_handoffs, ("hand-off",),
              "friction of hand-offs into the department: it must receive hand-offs"),
    Condition("company.departments.*.silo_strength", _sends_handoffs, ("hand-off",),
              "the sending department's silo adds friction too",
              situation="sender"),
    Condition("company.departments.*.social_enthusiasm",
              lambda path: {**TEAM_VOLUNTEERS, "ownership.social_team.enthusiasm_threshold": 0.6,
                            "ownership.social_team.min_slack": 0.0, **_takes_part(path)},
              ("volunteer", "team"), "enthusiasm only gates joining the self-organising team"),
    Condition("company.departments.*.base_workload",
              lambda path: {**TEAM_VOLUNTEERS, **_takes_part(path)}, ("volunteer",),
              "spare time only gates joining the self-organising team"),
    Condition("company.culture_adaptation_days", {"ownership.executive_sponsorship": 0.9},
              ("executive_sponsorship", "sponsorship"),
              "culture drifts toward executive sponsorship above it"),
    Condition("company.culture_adaptation_days", {"ownership.executive_sponsorship": 0.1},
              ("executive_sponsorship", "sponsorship"),
              "culture drifts toward sponsorship below it too",
              situation="sponsorship_below_culture"),
    Condition("company.culture_dynamics.win_sla_share",
              {"company.culture_dynamics.win_gain": 0.1}, ("win_gain",),
              "the wins index acts only through win_gain"),
    Condition("company.culture_dynamics.win_satisfaction_rise",
              {"company.culture_dynamics.win_gain": 0.1, "outcomes.drift_target": 0.9,
               "outcomes.drift_per_day": 0.01},
              ("win_gain",), "the wins index acts only through win_gain, and this part of it "
              "only while satisfaction rises: here slowly, toward a higher product target"),
    Condition("company.culture_dynamics.overload_loss", OVERLOADED_TEAM, None,
              "needs people overloaded: the team alone works a busy hub"),
    Condition("company.culture_dynamics.overload_utilisation",
              {"company.culture_dynamics.overload_loss": 0.1}, ("overload_loss", "team_gain"),
              "the overload threshold acts only through overload_loss or team_gain"),
    Condition("company.culture_dynamics.rogue_loss", {"ownership.rogue.marketing": {}},
              ("rogue",), "needs a rogue department"),
    Condition("word_of_mouth.external_acquisition_per_day", {"customers.prospects": 4000},
              None, "prospects convert at a few in ten thousand a day: enough of them that a "
              "week has conversions between the rates tried"),
    Condition("ownership.priorities.*",
              {"demand.rates_per_customer_per_day": {
                  "question": 0.2, "complaint": 0.12, "praise": 0.1, "idea": 0.08,
                  "purchase_intent": 0.05}}, None,
              "a priority orders posts only while several types wait together: a week busy "
              "enough that the hub's queue holds them (also in a stage that hears less)"),
    Condition("company.culture_dynamics.agenda_pull",
              {"company.departments.service.agenda": {"question": 0.7}},
              ("agenda",), "needs a department with its own agenda, here the one handed "
              "complaints and questions, whose order the pull can turn round: questions first "
              "by its agenda, complaints first by the model's priorities (4 against 3)"),
    Condition("company.silo_drift.rebuild_days",
              {"company.silo_drift.learning_per_joint_case": 0.01},
              ("culture_erosion", "learning_per_joint_case"),
              "a silo rebuilds only once something has worn it down"),
    Condition("company.silo_drift.team_joint_cases_per_day",
              {"company.silo_drift.learning_per_joint_case": 0.01,
               "ownership.social_team.policy": "formal",
               "ownership.social_team.initial_members": 6},
              ("learning_per_joint_case", "social team"),
              "a team's member pairs wear silos down only at a nonzero learning rate, and "
              "only with a team from several departments"),
    Condition("ownership.handoff.named_liaisons", {"company.liaisons": "through_executive"},
              ("liaisons",), "under all_pairs every hand-off is one hop already"),
    Condition("ownership.handoff.max_hops", {"ownership.handoff.named_liaisons": False,
                                             "company.liaisons": [
              ["marketing", "it"], ["it", "service"], ["service", "sales"], ["sales", "pr"],
              ["pr", "product"], ["product", "executive"]]}, ("liaisons",),
              "routes longer than the limit exist only where liaisons are sparse: a chain, on "
              "which marketing's hand-offs to product take five hops"),
    Condition(("company.tools.coverage_gain", "company.tools.handling_speedup",
               "company.tools.handoff_delay_cut"), {"company.tools.level": 1.0}, ("level",),
              "every tool benefit is scaled by level × culture"),
    # customers
    Condition("customers.network.rewire_probability",
              {"customers.network.type": "watts_strogatz"}, ("watts_strogatz",),
              "used by the Watts-Strogatz generator only"),
    Condition("customers.network.triangle_probability",
              {"customers.network.type": "powerlaw_cluster"}, ("powerlaw_cluster",),
              "used by the Holme-Kim generator only"),
    Condition("customers.max_agent_objects", {"customers.max_agent_objects": 1000}, None,
              "a threshold on the population size (1,200 here)"),
    # churn stages act through the hazard: at-risk and onboarding customers must exist and
    # the hazard must be high enough for a week to show it
    Condition("churn.at_risk_hazard_multiplier",
              {"churn.at_risk_below": 0.65, "churn.daily_base_hazard": 0.02}, ("at-risk",),
              "needs customers at risk"),
    Condition(("churn.at_risk_below", "churn.at_risk_recovery_margin"),
              {"churn.at_risk_below": 0.65, "churn.daily_base_hazard": 0.02,
               "churn.at_risk_hazard_multiplier": 3.0}, ("at_risk_hazard_multiplier",),
              "being at risk matters only with a hazard multiple above 1"),
    Condition(("churn.onboarding_days", "churn.onboarding_hazard_multiplier"),
              {"churn.onboarding_days": 2.0, "churn.daily_base_hazard": 0.02,
               "word_of_mouth.external_acquisition_per_day": 0.1}, ("onboarding",),
              "needs new customers onboarding"),
    # demand and handling
    Condition("demand.campaigns[0].*",
              {"demand.campaigns": [{"start_day": 1, "duration_days": 3}]}, None,
              "a campaign within the week"),
    Condition("demand.incidents[0].*",
              {"demand.incidents": [{"start_day": 2, "duration_hours": 12,
                                     "complaint_multiplier": 5}]}, None,
              "an incident within the week"),
    Condition("handling.cv", {"handling.distribution": "lognormal"}, ("lognormal",),
              "the exponential distribution has cv 1"),
    Condition("handling.experience_halving_posts", {"handling.novice_multiplier": 3.0},
              ("novice",), "the learning curve needs novice_multiplier > 1"),
    # word of mouth
    Condition("word_of_mouth.max_cascade_hours",
              {"word_of_mouth.negative_transmission": 0.15, "word_of_mouth.max_cascade_hours": 6},
              None, "a cascade must outlive the limit"),
    Condition("word_of_mouth.answered_damping", {"word_of_mouth.negative_transmission": 0.15},
              None, "a grievance must still spread when the answer comes"),
    Condition("word_of_mouth.win_back", {"churn.daily_base_hazard": 0.05}, None,
              "churned contacts must see praise"),
    # ownership
    Condition("ownership.front_line.*", {"ownership.routing": "hub"}, ("hub",),
              "only the hub has a front line"),
    Condition("ownership.front_line_shift", {"ownership.routing": "hub"}, ("front line",),
              "only the hub has a front line"),
    Condition("ownership.acknowledge_handoffs", {"ownership.routing": "hub"},
              ("front line", "hub"), "only the hub's front line hands off"),
    Condition("ownership.handoff.*", {"ownership.routing": "hub"}, ("hand-off",),
              "only the hub hands off"),
    Condition("ownership.rogue.*", lambda path: {f"ownership.rogue.{path.split('.')[-2]}": {}},
              None, "the department must be listed as rogue"),
    Condition(("ownership.approval.approver", "ownership.approval.approver_staff",
               "ownership.approval.minutes_per_approval"),
              {"ownership.approval.required_for": ["complaint", "question"],
               "ownership.approval.approver": "pr", "ownership.approval.approver_staff": 2},
              ("required_for", "public_responders"),
              "review happens only for required_for types (or non-public responders)"),
    Condition("ownership.approval.required_for",
              {"ownership.approval.approver": "pr", "ownership.approval.approver_staff": 2},
              ("approver",), "review needs an approver with staff"),
    Condition("economics.customer_value", {"word_of_mouth.external_acquisition_per_day": 0.01},
              None, "the base week happens to end with as many customers as it began; more "
              "acquisition makes the number move"),
    Condition("churn.leave_after_silence.purchase_intent",
              {"ownership.priorities.purchase_intent": 0}, ("silence",),
              "purchase intents are rarely left unanswered in the base week; ignored ones are"),
    Condition("ownership.public_responders",
              {"ownership.approval.approver": "pr", "ownership.approval.approver_staff": 2},
              ("approv",), "answers by other departments go through approval"),
    Condition("ownership.social_team.join_probability", {"ownership.social_team.policy":
              "self_organising"}, SELF_ORGANISING, "only a self-organising team recruits"),
    Condition("ownership.social_team.enthusiasm_threshold", {"ownership.social_team.policy":
              "self_organising"}, SELF_ORGANISING, "only a self-organising team recruits"),
    Condition(("ownership.social_team.min_slack", "ownership.social_team.peer_pull",
               "ownership.social_team.backlog_pull_per_post"), RECRUITING_TEAM, SELF_ORGANISING,
              "only a self-organising team recruits, and these act on joins: a week with "
              "room and candidates enough for joins to happen"),
    Condition(("ownership.social_team.leave_utilisation", "ownership.social_team.leave_after_days"),
              OVERLOADED_TEAM, SELF_ORGANISING,
              "only members of a self-organising team leave, when overloaded"),
    Condition("ownership.social_team.backlog_pull_max",
              {"ownership.social_team.policy": "self_organising",
               "ownership.social_team.backlog_pull_per_post": 1.0}, ("backlog_pull_per_post",),
              "the cap binds only when the backlog's pull would exceed it"),
    Condition("ownership.community.answer_share.*", {"ownership.community.enabled": True},
              ("enabled",), "customers answer only on an enabled platform"),
    Condition("ownership.community.mean_delay_hours", {"ownership.community.enabled": True},
              ("enabled",), "customers answer only on an enabled platform"),
    # B2B accounts and the feedback loops (issue 16, items 7-8)
    Condition(("customers.accounts.purchase_exchanges", "customers.accounts.lead_decay_multiple"),
              {"customers.accounts.contacts_per_account": 3.0, "outcomes.lead_conversion": 1.0,
               "outcomes.lead_decay_hours": 2.0},
              ("contacts_per_account",), "only accounts' purchase conversations take several "
              "exchanges and cool slowly; every lead converts unless it cooled, so the decay shows"),
    Condition(("customers.accounts.leave_share", "economics.account_value_multiple"),
              {"customers.accounts.contacts_per_account": 3.0, "churn.daily_base_hazard": 0.02},
              ("contacts_per_account",), "accounts must exist, and lose contacts within the week"),
    Condition("ownership.key_accounts.proximity",
              {"customers.accounts.contacts_per_account": 3.0,
               "ownership.key_accounts.department": "service"}, ("contacts_per_account",),
              "account managers hear accounts' posts: accounts and a staffed department"),
    Condition(("ownership.key_accounts.department", "ownership.key_accounts.delay_hours"),
              {"customers.accounts.contacts_per_account": 3.0,
               "ownership.key_accounts.department": "service",
               "ownership.key_accounts.proximity": 0.8}, ("proximity",),
              "the managers act only at a proximity above 0"),
    Condition(("economics.roi_feedback.review_days", "economics.roi_feedback.lag_days",
               "economics.roi_feedback.min_staffing_factor"),
              {"economics.roi_feedback.review_days": 1, "economics.roi_feedback.lag_days": 1,
               "economics.roi_feedback.target_roi": 1000.0,
               "economics.roi_feedback.sponsorship_sensitivity": 0.1,
               "economics.roi_feedback.staffing_sensitivity": 0.3},
              ("sponsorship_sensitivity", "staffing_sensitivity"),
              "reviews act only with a sensitivity; daily reviews, far below target, so that "
              "staffing reaches its floor within the week"),
    Condition(("economics.roi_feedback.sponsorship_sensitivity",
               "economics.roi_feedback.staffing_sensitivity"),
              {"economics.roi_feedback.review_days": 1, "economics.roi_feedback.lag_days": 1},
              None, "daily reviews, so that a decision takes effect within the week"),
    Condition("economics.roi_feedback.max_staffing_factor",
              {"economics.roi_feedback.review_days": 1, "economics.roi_feedback.lag_days": 0,
               "economics.roi_feedback.target_roi": -1000.0,
               "economics.roi_feedback.staffing_sensitivity": 0.5}, ("staffing_sensitivity",),
              "the ceiling binds only when reviews far above target keep adding staff"),
    Condition("economics.roi_feedback.target_roi",
              {"economics.roi_feedback.review_days": 1, "economics.roi_feedback.lag_days": 1,
               "economics.roi_feedback.roi_span": 100.0,
               "economics.roi_feedback.sponsorship_sensitivity": 0.5},
              ("sponsorship_sensitivity",), "a wide span, so that the signal is not clipped"),
    Condition("economics.roi_feedback.roi_span",
              {"economics.roi_feedback.review_days": 1, "economics.roi_feedback.lag_days": 1,
               "economics.roi_feedback.target_roi": 0.0,
               "economics.roi_feedback.sponsorship_sensitivity": 0.5},
              ("sponsorship_sensitivity",), "a target near the week's ROI, so that the span "
              "decides how strong the signal is"),
    Condition(("outcomes.idea_uptake.delay_days", "outcomes.idea_uptake.max_cut"),
              {"outcomes.idea_uptake.complaint_cut_per_idea": 0.05,
               "outcomes.idea_uptake.delay_days": 1}, ("complaint_cut_per_idea",),
              "ideas improve the product only with a cut per idea; released the next day"),
    Condition("outcomes.idea_uptake.complaint_cut_per_idea",
              {"outcomes.idea_uptake.delay_days": 1}, None,
              "ideas released the next day, so that the week shows the cut"),
    # listening as work and customers as individuals (issue 16 items 5-6)
    Condition("ownership.listening.analysts.*", {"ownership.listening.analysts": {"staff": 0.1}},
              None, "analysts' fields act when there are analysts; a tenth of one (6 posts an "
              "hour) so that the capacity binds"),
    Condition("ownership.listening.tool.*", {"ownership.listening.tool": {}}, None,
              "a tool's fields act when there is a tool"),
    Condition("customers.propensity.influence_elasticity",
              {"customers.propensity.spread": 1.5}, ("spread",),
              "influence follows propensity, which needs a spread"),
    Condition("customers.community_membership.share", MEMBERS_ANSWER, ("member_answer_chance",),
              "members answer only on an enabled platform with member_answer_chance"),
    Condition("customers.community_membership.propensity_elasticity",
              {**MEMBERS_ANSWER, "customers.community_membership.share": 0.1,
               "customers.propensity.spread": 1.5}, ("spread",),
              "membership follows propensity, which needs a spread; and members who answer"),
    Condition(("ownership.community.member_answer_chance*",
               "ownership.community.answer_window_hours",
               "ownership.community.member_satisfaction_slope"),
              {**MEMBERS_ANSWER, "customers.community_membership.share": 0.1}, ("enabled",),
              "members answer only on an enabled platform, and there must be members"),
    Condition("ownership.stages[0].when.metric", {"ownership.stages[0].when": {
              "after_day": None, "metric": "satisfaction_mean", "above": 5.0}}, ("after_day",),
              "a metric trigger is read only when after_day is null"),
    Condition("ownership.stages[0].when.above", {"ownership.stages[0].when": {
              "after_day": None, "metric": "satisfaction_mean", "above": 0.5}}, ("after_day",),
              "a metric trigger is read only when after_day is null"),
    Condition("ownership.stages[0].when.below", {"ownership.stages[0].when": {
              "after_day": None, "metric": "satisfaction_mean", "below": 0.9}}, ("after_day",),
              "a metric trigger is read only when after_day is null"),
    # maturity, pilots and roll-outs (issue 16)
    Condition(("company.maturity.decay_per_day", "company.maturity.handling_speedup",
               "company.maturity.handoff_loss_cut", "company.maturity.handoff_delay_cut"),
              {"company.maturity.initial": 0.5}, ("initial", "growth_per_answer"),
              "maturity acts only when it is above 0"),
    Condition("company.maturity.tool_adoption",
              {"company.maturity.initial": 0.5, "company.tools.level": 1.0}, ("initial",),
              "maturity raises tool use only when it is above 0 and there are tools"),
    Condition("company.maturity.loss_at_stage_change",
              {"company.maturity.initial": 0.5, "ownership.stages": _a_stage}, ("stages",),
              "a stage change must happen, with some maturity to lose"),
    Condition("company.rollout.handling_multiplier", {"company.rollout.overload_days": 3},
              ("overload_days",), "the overload lasts overload_days after the launch"),
    Condition("ownership.pilot.evaluation_day",
              {"ownership.pilot_share": 0.5, "ownership.pilot.failure_base": 1.0},
              ("pilot_share",), "only a pilot (pilot_share < 1) is judged, and it must fail"),
    Condition("ownership.pilot.failure_base",
              {"ownership.pilot_share": 0.5, "ownership.pilot.evaluation_day": 3.0},
              ("pilot_share",), "only a pilot (pilot_share < 1) is judged; on day 3 here"),
    Condition("ownership.pilot.failure_per_sla_miss",
              {"ownership.pilot_share": 0.5, "ownership.pilot.evaluation_day": 3.0,
               "ownership.pilot.tolerated_sla_miss": 0.0, "sla_hours": 0.25}, ("pilot_share",),
              "only a pilot is judged; with no tolerance every missed SLA counts, and a "
              "quarter-hour SLA makes most posts miss it (a tenth at 1 h)"),
    Condition("ownership.pilot.tolerated_sla_miss",
              {"ownership.pilot_share": 0.5, "ownership.pilot.evaluation_day": 3.0,
               "ownership.pilot.tolerated_sla_miss": 0.0,
               "ownership.pilot.failure_per_sla_miss": 10.0, "sla_hours": 0.25},
              ("failure_per_sla_miss",), "the tolerance matters only with a failure chance "
              "per missed SLA; a quarter-hour SLA makes most posts miss it"),
    Condition(("ownership.pilot.on_failure", "ownership.pilot.withdrawal_cost",
               "ownership.pilot.culture_setback"),
              {"ownership.pilot_share": 0.5, "ownership.pilot.evaluation_day": 3.0,
               "ownership.pilot.failure_base": 1.0}, ("failure_base",),
              "what a failure leads to shows only when the pilot fails"),
    Condition("ownership.pilot.learning_transfer", _rolled_out_pilot, ("stages",),
              "a pilot must be rolled out (a later stage widens its scope) with some "
              "maturity to pass on"),
)

# Pure labels: they name or describe, and no run may depend on them. Nothing else belongs here.
EXEMPT: dict[str, str] = {
    "name": "label: names output folders and plots",
    "description": "label: one line on the company",
    "ownership.name": "label: names the model in tables and plots",
    "ownership.description": "label: one line on the model",
    "ownership.position": "label: the position in the debate, for the report",
    "ownership.source": "label: where the position is argued",
}

# Performance knobs: they must change no result (the test checks that they do not).
RESULT_NEUTRAL: dict[str, str] = {
    "customers.max_agent_objects": "memory only: above it, Customer agents are made on demand; "
    "state always lives in arrays",
}

# Fields that validation refuses where the walk finds them (the test checks the refusal).
REFUSED: dict[str, str] = {
    "ownership.stages[0].ownership.stages": "a stage cannot have stages of its own",
}

# Values that cannot be derived from the type, with the reason.
PERTURBATIONS: dict[str, tuple[str, list[Any]]] = {
    "customers.accounts.contacts_per_account": (
        "0 means no accounts and 0-1 is refused; accounts of 3 contacts on average", [3.0]),
    "ownership.key_accounts.department": (
        "the department must have social staff: sales has a resolver in the base", ["sales"]),
    "ownership.pilot.evaluation_day": (
        "null means judged at the roll-out (none in the base); a day within the week", [3.0]),
    "ownership.pilot.failure_base": (
        "a certain failure, so that the one draw cannot hide it", [1.0]),
    "ownership.pilot.failure_per_sla_miss": (
        "steep enough that a tenth of posts missing the SLA makes failure certain", [10.0]),
    "ownership.pilot.tolerated_sla_miss": (
        "tolerating every miss: no failure, against a certain one", [1.0]),
    "ownership.budget_fte": (
        "null means no budget; any budget must cover the roles' rotas (13.4 FTE in the base), "
        "and one of 14.4 FTE leaves room for 4 team members at a quarter of their time",
        [14.4]),
    "staffing_budget_fte": (
        "null means the model's own staffing; a budget must cover one seat of each role "
        "(9.6 FTE in the base) and is tried below and above the base's 15.9 FTE",
        [12.0, 24.0]),
}


# ----------------------------------------------------------------------------- the schema walk


@dataclass(frozen=True)
class Bounds:
    """Numeric constraints of a field (from ge/gt/le/lt)."""

    lo: float | None = None
    lo_strict: bool = False
    hi: float | None = None
    hi_strict: bool = False

    def admits(self, x: float) -> bool:
        """Whether x satisfies the constraints."""
        if self.lo is not None and (x < self.lo or (self.lo_strict and x == self.lo)):
            return False
        return not (self.hi is not None and (x > self.hi or (self.hi_strict and x == self.hi)))


@dataclass(frozen=True)
class Shape:
    """What the base scenario must hold at ``path`` for a leaf below it to exist."""

    path: tuple[str | int, ...]
    kind: Literal["block", "dict"]
    block: type[BaseModel] | None = None
    keys: tuple[str, ...] = ()
    annotation: Any = None  # of a dict


@dataclass(frozen=True)
class Leaf:
    """A field that takes a value: what a scenario file can set."""

    path: tuple[str | int, ...]
    annotation: Any
    bounds: Bounds
    description: str
    schema_field: str  # the schema field the description belongs to: Block.name
    shapes: tuple[Shape, ...] = ()
    recursive: bool = False  # a block that contains itself (a stage's own stages)

    @property
    def id(self) -> str:
        """The dotted path, list elements as [0]."""
        return format_path(self.path)


def format_path(path: tuple[str | int, ...]) -> str:
    """("demand", "campaigns", 0, "multiplier") → "demand.campaigns[0].multiplier"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def parse_path(text: str) -> tuple[str | int, ...]:
    """The inverse of :func:`format_path`."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _unwrap(tp: Any, metadata: tuple = ()) -> tuple[Any, tuple]:
    """Strip Annotated layers, collecting their constraints."""
    while get_origin(tp) is Annotated:
        inner, *extra = get_args(tp)
        for item in extra:
            metadata += tuple(item.metadata) if isinstance(item, FieldInfo) else (item,)
        tp = inner
    return tp, metadata


def _bounds(metadata: tuple) -> Bounds:
    lo = hi = None
    lo_strict = hi_strict = False
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            lo, lo_strict = float(item.ge), False
        elif isinstance(item, annotated_types.Gt):
            lo, lo_strict = float(item.gt), True
        elif isinstance(item, annotated_types.Le):
            hi, hi_strict = float(item.le), False
        elif isinstance(item, annotated_types.Lt):
            hi, hi_strict = float(item.lt), True
    return Bounds(lo, lo_strict, hi, hi_strict)


def _is_block(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (typing.Union, types.UnionType)


def _keys(tp: Any) -> tuple[str, ...]:
    tp, _ = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return tuple(str(m.value) for m in tp)
    if get_origin(tp) is Literal:
        return tuple(str(a) for a in get_args(tp))
    raise TypeError(f"cannot enumerate the keys of {tp!r}: give the dict Enum or Literal keys")


def leaves(root: type[BaseModel] = Scenario) -> list[Leaf]:
    """Every leaf field of the schema, found by introspection."""
    found: list[Leaf] = []
    _walk_block(root, (), (), (), found)
    return found


def _walk_block(block: type[BaseModel], path: tuple, shapes: tuple, ancestors: tuple,
                found: list[Leaf]) -> None:
    for name, info in block.model_fields.items():
        _walk(info.annotation, tuple(info.metadata), path + (name,), info.description or "",
              f"{block.__name__}.{name}", shapes, ancestors + (block,), found)


def _walk(tp: Any, metadata: tuple, path: tuple, description: str, owner: str, shapes: tuple,
          ancestors: tuple, found: list[Leaf]) -> None:
    tp, metadata = _unwrap(tp, metadata)

    def leaf(**extra: Any) -> None:
        found.append(Leaf(path, tp, _bounds(metadata), description, owner, shapes, **extra))

    if _is_block(tp):
        if ancestors.count(tp) >= 2:
            leaf(recursive=True)
        else:
            _walk_block(tp, path, shapes, ancestors, found)
        return
    origin, args = get_origin(tp), get_args(tp)
    if _is_union(tp):
        members = [_unwrap(a)[0] for a in args if a is not type(None)]
        structured = [m for m in members if _is_block(m) or get_origin(m) is dict]
        if len(structured) < len(args):  # a plain member or None: the value itself is a leaf
            leaf()
        for member in structured:
            if _is_block(member):
                _walk(member, (), path, description, owner,
                      shapes + (Shape(path, "block", member),), ancestors, found)
            else:
                _walk(member, (), path, description, owner, shapes, ancestors, found)
        return
    if origin is dict:
        key_type, value_type = args
        keys = _keys(key_type)
        here = shapes + (Shape(path, "dict", keys=keys, annotation=tp),)
        for key in keys:
            value, _ = _unwrap(value_type)
            below = here + ((Shape(path + (key,), "block", value),) if _is_block(value) else ())
            _walk(value_type, (), path + (key,), description, owner, below, ancestors, found)
        return
    if origin is list and _is_block(_unwrap(args[0])[0]):
        element = _unwrap(args[0])[0]
        if element in ancestors:
            leaf(recursive=True)
        else:
            _walk(element, (), path + (0,), description, owner,
                  shapes + (Shape(path + (0,), "block", element),), ancestors, found)
        return
    leaf()


# ----------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Case:
    """A leaf in a situation: what one parametrised test checks."""

    leaf: Leaf
    situation: str | None = None

    @property
    def id(self) -> str:
        """``path`` or ``path@situation``."""
        return self.leaf.id + (f"@{self.situation}" if self.situation else "")


STAGE = ("ownership", "stages", 0, "ownership")


def _views(path: tuple) -> list[tuple[str, Callable[[str], str]]]:
    """Ids a pattern may match, with how to rewrite a setting's path for that view: the path
    itself, and for a field of a stage's ownership the same field of the main ownership."""
    views: list[tuple[str, Callable[[str], str]]] = [(format_path(path), lambda p: p)]
    if path[: len(STAGE)] == STAGE:
        inner = format_path(("ownership",) + path[len(STAGE):])
        views.append((inner, lambda p: p.replace("ownership.", format_path(STAGE) + ".", 1)
                       if p.startswith("ownership.") else p))
    return views


def matches(pattern: str, text: str) -> bool:
    """Whether an id matches a pattern (``*`` matches anything)."""
    return _regex(pattern).fullmatch(text) is not None


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", ".*"))


def _table_hit(table: typing.Iterable[str], case: Case) -> str | None:
    suffix = f"@{case.situation}" if case.situation else ""
    for view, _ in _views(case.leaf.path):
        for pattern in table:
            if matches(pattern, view + suffix):
                return pattern
    return None


def exempt(case: Case) -> str | None:
    """The EXEMPT pattern of a case, if any."""
    return _table_hit(EXEMPT, case)


def result_neutral(case: Case) -> str | None:
    """The RESULT_NEUTRAL pattern of a case, if any."""
    return _table_hit(RESULT_NEUTRAL, case)


def refused(case: Case) -> str | None:
    """The REFUSED pattern of a case, if any."""
    return _table_hit(REFUSED, case)


def conditions(case: Case) -> list[tuple[Condition, Callable[[str], str]]]:
    """The conditions that apply to a case, in table order, with the path rewrite."""
    applied = []
    for condition in CONDITIONS:
        if condition.situation != case.situation:
            continue
        patterns = (condition.pattern,) if isinstance(condition.pattern, str) else condition.pattern
        for view, rewrite in _views(case.leaf.path):
            if any(matches(pattern, view) for pattern in patterns):
                applied.append((condition, rewrite))
                break
    return applied


def cases(root: type[BaseModel] = Scenario) -> list[Case]:
    """Every leaf in its own situation, plus the extra situations of CONDITIONS."""
    found = []
    for leaf in leaves(root):
        found.append(Case(leaf))
        for situation in dict.fromkeys(c.situation for c in CONDITIONS if c.situation):
            case = Case(leaf, situation)
            if conditions(case):
                found.append(case)
    return found


def unstated_conditions(all_cases: list[Case]) -> dict[str, list[str]]:
    """Schema fields whose description misses a condition they act under: field → problems."""
    missing: dict[str, list[str]] = {}
    for case in all_cases:
        for condition, _ in conditions(case):
            if condition.states is None:
                continue
            text = case.leaf.description.lower()
            if not any(word.lower() in text for word in condition.states):
                problem = (f"acts under a condition ({condition.why}) that its description "
                           f"{case.leaf.description!r} does not state; name "
                           f"{' or '.join(repr(w) for w in condition.states)}")
                problems = missing.setdefault(case.leaf.schema_field, [])
                if problem not in problems:
                    problems.append(problem)
    return missing


# ----------------------------------------------------------------------------- scenario data


MISSING = object()


def get_path(data: Any, path: tuple) -> Any:
    """The value at a path, or MISSING."""
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return MISSING
    return data


def set_path(data: Any, path: tuple, value: Any) -> None:
    """Set the value at a path (a list may grow by one element)."""
    for part in path[:-1]:
        data = data[part]
    last = path[-1]
    if isinstance(data, list) and last == len(data):
        data.append(value)
    else:
        data[last] = value


_base_data_cache: dict[str, Any] = {}


def base_data() -> dict[str, Any]:
    """The validated base scenario as plain data."""
    if not _base_data_cache:
        scenario = load_scenario(REPO / "scenarios" / "baseline.yaml", copy.deepcopy(BASE))
        _base_data_cache.update(scenario.model_dump(mode="json"))
    return copy.deepcopy(_base_data_cache)


def case_data(case: Case, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Base data with the case's conditions applied and the shape its leaf needs."""
    data = base_data() if data is None else data
    for condition, rewrite in conditions(case):
        settings = condition.settings
        if callable(settings):
            settings = settings(case.leaf.id)
        for target, value in settings.items():
            set_path(data, parse_path(rewrite(target)), value(data) if callable(value) else value)
    for shape in case.leaf.shapes:
        current = get_path(data, shape.path)
        if shape.kind == "dict" and not isinstance(current, dict):
            # a number for every key becomes a dict of it; null becomes distinct values
            numeric = isinstance(current, int | float) and not isinstance(current, bool)
            default = _representatives(shape.annotation, Bounds())
            set_path(data, shape.path, {k: current for k in shape.keys} if numeric
                     else (default[0] if default else {}))
        elif shape.kind == "block" and not isinstance(current, dict):
            try:
                default = shape.block().model_dump(mode="json")
            except ValidationError:
                raise LookupError(
                    f"{case.id}: {format_path(shape.path)} holds no {shape.block.__name__} in "
                    "the base, and one cannot be made from defaults: add a CONDITIONS entry "
                    "that puts one there") from None
            set_path(data, shape.path, default)
    return validate(data).model_dump(mode="json")  # with every default filled in


def validate(data: dict[str, Any]) -> Scenario:
    """Validate scenario data with the schema and the consistency checks."""
    return validate_scenario(copy.deepcopy(data), Path("<live-field check>"))


# ----------------------------------------------------------------------------- perturbations


def _numbers(x: float, bounds: Bounds, integer: bool) -> list[float]:
    """Doubled and halved (x ± 1 at zero), at most three quarters of the way to a bound."""
    up = x * 2 if x > 0 else x + 1
    down = x / 2 if x > 0 else x - 1
    if bounds.hi is not None:
        up = min(up, x + 0.75 * (bounds.hi - x))
    if bounds.lo is not None:
        down = max(down, x - 0.75 * (x - bounds.lo))
    out = []
    for value, step in ((up, 1), (down, -1)):
        if integer:
            value = round(value)
            if value == x:
                value = x + step
        if value != x and bounds.admits(value) and value not in out:
            out.append(int(value) if integer else float(value))
    return out


def _representatives(tp: Any, bounds: Bounds) -> list[Any]:
    """Values of a type when there is no current value to move from (null or absent)."""
    tp, metadata = _unwrap(tp)
    bounds = _bounds(metadata) if metadata else bounds
    if get_origin(tp) is Literal:
        return list(get_args(tp))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return [m.value for m in tp]
    if tp is bool:
        return [True, False]
    if tp in (int, float):
        if bounds.lo is not None and bounds.hi is not None:
            values = [bounds.lo + 0.5 * (bounds.hi - bounds.lo)]
        else:
            values = [(bounds.lo or 0.0) + 1.0]
        return [int(round(v)) if tp is int else v for v in values if bounds.admits(v)]
    if get_origin(tp) is list:
        options = _representatives(get_args(tp)[0], Bounds())
        return [options[:1]] if options else []
    if get_origin(tp) is dict:
        keys = _keys(get_args(tp)[0])
        value_type, value_meta = _unwrap(get_args(tp)[1])
        if value_type in (int, float):  # distinct values, so that order and weight both change
            return [{k: float(len(keys) - i) for i, k in enumerate(keys)}]
        return []
    if _is_block(tp):
        try:
            return [tp().model_dump(mode="json")]
        except ValidationError:
            return []
    if _is_union(tp):
        out: list[Any] = []
        for member in get_args(tp):
            out += [None] if member is type(None) else _representatives(member, bounds)
        return out
    return []


def _fits(value: Any, tp: Any) -> bool:
    """Whether a current (JSON) value belongs to a union member."""
    tp, _ = _unwrap(tp)
    if tp is type(None):
        return value is None
    if get_origin(tp) is Literal:
        return value in get_args(tp)
    if tp is bool:
        return isinstance(value, bool)
    if tp in (int, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if get_origin(tp) is list:
        return isinstance(value, list)
    if get_origin(tp) is dict or _is_block(tp):
        return isinstance(value, dict)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return value in {m.value for m in tp}
    return isinstance(tp, type) and isinstance(value, tp)


def _moves(tp: Any, bounds: Bounds, current: Any) -> list[Any]:
    """Perturbations of a current value within its own type."""
    tp, metadata = _unwrap(tp)
    bounds = _bounds(metadata) if metadata else bounds
    if current is MISSING:
        return _representatives(tp, bounds)
    if _is_union(tp):
        members = get_args(tp)
        own = [m for m in members if _fits(current, m)][:1]
        out = _moves(own[0], bounds, current) if own else []
        for member in members:  # then the other members: another option, a block, null
            if member in own:
                continue
            if member is type(None):
                out.append(None)
            elif not (get_origin(_unwrap(member)[0]) is dict or _is_block(_unwrap(member)[0])):
                out += _representatives(member, bounds)
            elif current is None:
                out += _representatives(member, bounds)
        return out
    if tp is bool:
        return [not current]
    if tp in (int, float):
        return _numbers(current, bounds, integer=tp is int)
    if get_origin(tp) is Literal or (isinstance(tp, type) and issubclass(tp, Enum)):
        return [o for o in _representatives(tp, bounds) if o != current]
    if get_origin(tp) is list:
        element, _ = _unwrap(get_args(tp)[0])
        if get_origin(element) is Literal or (isinstance(element, type)
                                              and issubclass(element, Enum)):  # a set of options
            options = _representatives(element, Bounds())
            out = []
            absent = [o for o in options if o not in current]
            if absent:
                out.append([*current, absent[0]])
            if current:
                out.append(current[:-1])
            return out
        if current and all(isinstance(v, int | float) for v in current):  # a profile
            half = len(current) // 2
            rotated = current[half:] + current[:half]
            return [rotated] if rotated != current else [[current[0] * 2, *current[1:]]]
        return []
    if tp is str:
        return [f"{current} (changed)"]
    return []


def candidates(case: Case, data: dict[str, Any]) -> list[Any]:
    """Values to try at the case's path, most telling first."""
    leaf = case.leaf
    for pattern, (_, values) in PERTURBATIONS.items():
        if any(matches(pattern, view) for view, _ in _views(leaf.path)):
            return copy.deepcopy(values)
    current = get_path(data, leaf.path)
    if leaf.recursive:  # a block inside itself: give it the outer block's value
        name = leaf.path[-1]
        outer = get_path(data, leaf.path[: leaf.path.index(name) + 1])
        return [copy.deepcopy(outer)] if outer not in (MISSING, [], None) else []
    return _moves(leaf.annotation, leaf.bounds, current)


# ----------------------------------------------------------------------------- runs


@dataclass
class Outputs:
    """What a run produces: the summary, the hourly steps and the agent records."""

    summary: dict[str, float]
    steps: pd.DataFrame
    records: list[dict]


def run(scenario: Scenario) -> Outputs:
    """Run a scenario with its own seed."""
    model = SCRMModel(scenario)
    summary = model.run()
    return Outputs(summary, model.datacollector.get_model_vars_dataframe(), model.agent_records)


def changed_outputs(scenario: Scenario, base: Outputs) -> list[str]:
    """Run a scenario beside a finished base run and name the outputs that differ.

    The run stops at the first hour whose step row differs from the base's: the step series
    already differs then, and a live field costs a fraction of a run.
    """
    model = SCRMModel(scenario)
    series = model.datacollector.model_vars
    expected = {column: base.steps[column].tolist() for column in base.steps.columns}
    hour = 0
    while model.running:
        model.step()
        if hour >= len(base.steps):
            return ["steps (more hours)"]
        changed = [f"steps.{column}" for column, values in expected.items()
                   if column not in series or not _same(series[column][hour], values[hour])]
        if changed:
            return [f"{name} (hour {hour + 1})" for name in changed]
        hour += 1
    if hour < len(base.steps):
        return ["steps (fewer hours)"]
    steps = model.datacollector.get_model_vars_dataframe()
    return differences(base, Outputs(model.summary(), steps, model.agent_records))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def differences(a: Outputs, b: Outputs) -> list[str]:
    """Names of the outputs that differ (summary keys, step columns, agent records)."""
    changed = [f"summary.{k}" for k in sorted(set(a.summary) | set(b.summary))
               if not _same(a.summary.get(k), b.summary.get(k))]
    columns = sorted(set(a.steps.columns) | set(b.steps.columns))
    for column in columns:
        if column not in a.steps or column not in b.steps or len(a.steps) != len(b.steps) \
                or not a.steps[column].equals(b.steps[column]):
            changed.append(f"steps.{column}")
    if a.records != b.records:
        changed.append("agent_records")
    return changed


_runs: dict[str, Outputs] = {}


def run_data(data: dict[str, Any]) -> Outputs:
    """Run validated data, remembering base runs shared by many cases."""
    key = json.dumps(data, sort_keys=True)
    if key not in _runs:
        _runs[key] = run(validate(data))
    return _runs[key]


def _short(value: Any, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Result:
    """Outcome of checking one case."""

    case: Case
    live: bool
    value: Any = None
    changed: list[str] = field(default_factory=list)
    tried: list[tuple[Any, str]] = field(default_factory=list)

    def explain(self) -> str:
        """One paragraph on an inert result."""
        applied = [c.why for c, _ in conditions(self.case)] or ["none"]
        tried = "; ".join(f"{_short(v)}: {why}" for v, why in self.tried) or "no perturbation found"
        return (f"{self.case.id} is inert: no output changed. Conditions: {', '.join(applied)}. "
                f"Tried {tried}. Make it act, remove it, add the condition under which it acts "
                "to CONDITIONS (and to its description), or, for a pure label, add it to EXEMPT "
                "with the reason.")


def _has_literal(tp: Any) -> bool:
    tp, _ = _unwrap(tp)
    if _is_union(tp):
        return any(_has_literal(member) for member in get_args(tp))
    return get_origin(tp) is Literal


def check(case: Case, make_candidates: Callable[[Case, dict], list[Any]] = candidates) -> Result:
    """Whether perturbing the case's field changes any output of the run, on the base seed
    or, when nothing changed there, on each further seed of :data:`SEEDS` (a field whose
    effect one seed's draws happened to hide is still live)."""
    result = Result(case, live=False)
    for seed in SEEDS:
        result = _check_on_seed(case, make_candidates, seed, result)
        if result.live:
            break
    return result


def _check_on_seed(case: Case, make_candidates: Callable[[Case, dict], list[Any]], seed: int,
                   result: Result) -> Result:
    """:func:`check` on one seed, appending what was tried to ``result``."""
    data = {**case_data(case), "seed": seed}
    base = run_data(data)
    base_scenario = validate(data)
    tries = TRIES + (1 if _has_literal(case.leaf.annotation) else 0)
    valid = 0
    for value in make_candidates(case, data):
        changed = copy.deepcopy(data)
        set_path(changed, case.leaf.path, value)
        try:
            scenario = validate(changed)
        except (ScenarioError, ValidationError) as exc:
            result.tried.append((value, f"not valid ({str(exc).splitlines()[-1].strip()})"))
            continue
        if scenario == base_scenario:
            result.tried.append((value, "same scenario after validation"))
            continue
        valid += 1
        diff = changed_outputs(scenario, base)
        if diff:
            result.live, result.value, result.changed = True, value, diff
            return result
        result.tried.append((value, "no output changed"))
        if valid >= tries:
            break
    return result


def main() -> None:
    """Print every case: live (value, outputs changed), inert, exempt or known inert."""
    started = time.perf_counter()
    all_cases = cases()
    print(f"{len(leaves())} leaf fields, {len(all_cases)} cases")
    for case in all_cases:
        if exempt(case):
            print(f"EXEMPT  {case.id}: {EXEMPT[exempt(case)]}")
            continue
        result = check(case)
        tag = "live  " if result.live else ("NEUTRAL" if result_neutral(case)
                                            else "REFUSED" if refused(case) else "INERT ")
        detail = (f"{result.value!r} → {', '.join(result.changed[:4])}"
                  f"{' …' if len(result.changed) > 4 else ''}" if result.live
                  else result.explain())
        print(f"{tag}  {case.id}: {detail}")
        sys.stdout.flush()
    for name, problems in unstated_conditions(all_cases).items():
        for problem in problems:
            print(f"UNSTATED  {name}: {problem}")
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
