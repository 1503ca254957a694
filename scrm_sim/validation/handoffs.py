"""Hand-off friction: resolution time and loss grow with hand-offs as the parameters say.

In the reduction (scenarios/validation/handoffs.yaml) queues are empty, so a post
resolved at the hub takes its handling time h_hub, and a post handed off takes
triage t + transit d + handling h_dept. A hand-off travels the shortest chain of liaisons
from the hub's department to the resolver's (one hop under ``all_pairs``, two through the
executive under ``through_executive``), and each hop h adds (MODEL.md)

    d_h ~ Exponential(base_delay_hours + silo_delay_hours · s_h),
    P(lost on hop h) = base_loss + silo_loss · s_h,
    s_h = ½ (silo_strength(sender) + silo_strength(receiver))
          · (1 − culture) · (1 − authority),

so d = Σ d_h and P(lost) = 1 − Π (1 − P(lost on hop h)).

The check runs the reduction for several silo delays and compares the measured mean
resolution time with and without a hand-off, and the share lost, with these values.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import numpy as np

from scrm_sim.analysis.statistics import mean_ci, proportion_ci
from scrm_sim.model import SCRMModel
from scrm_sim.model.posts import DropReason
from scrm_sim.scenario import Scenario, load_scenario
from scrm_sim.validation.checks import Check, inside, score_test_p_value, t_test_p_value

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
CONFIDENCE = 0.99


def route(scenario: Scenario, sender: str, receiver: str) -> list[str]:
    """The shortest chain of liaisons from one department to another (from the liaison
    pairs, independently of the model's own routing)."""
    graph = nx.Graph(scenario.company.liaison_pairs())
    return nx.shortest_path(graph, sender, receiver)


def expected_times(scenario: Scenario) -> tuple[float, float, float]:
    """Mean resolution time with no hand-off, with one (along its chain of hops), and the
    probability that a hand-off loses the post."""
    departments, own = scenario.company.departments, scenario.ownership
    hub, target = departments["marketing"], departments["service"]
    multiplier = scenario.handling.time_multiplier
    h_hub = multiplier["question"] / hub.capacity_per_hour
    triage = (scenario.handling.handoff_triage_share * multiplier["complaint"] / hub.capacity_per_hour
              * scenario.handling.unskilled_multiplier)
    transit, kept = 0.0, 1.0
    for sender, receiver in itertools.pairwise(route(scenario, "marketing", "service")):
        # a hop's friction is the mean of its sender's and its receiver's silo strength
        silo = ((departments[sender].silo_strength + departments[receiver].silo_strength) / 2
                * (1 - scenario.company.culture) * (1 - own.authority))
        transit += own.handoff.base_delay_hours + own.handoff.silo_delay_hours * silo
        kept *= 1 - (own.handoff.base_loss + own.handoff.silo_loss * silo)
    h_dept = multiplier["complaint"] / target.capacity_per_hour
    return h_hub, triage + transit + h_dept, 1 - kept


def handoff_checks(silo_delays: Sequence[float] = (0.0, 4.0, 8.0), seeds: Sequence[int] = (1, 2),
                   liaisons: str = "all_pairs") -> list[Check]:
    """Resolution time without and with a hand-off, and the share lost, per silo delay
    (``liaisons`` through_executive: every hand-off is two hops)."""
    checks = []
    for silo_delay in silo_delays:
        scenario = load_scenario(SCENARIO_DIR / "validation" / "handoffs.yaml",
                                 {"ownership": {"handoff": {"silo_delay_hours": silo_delay}},
                                  "company": {"liaisons": liaisons}})
        zero, one, lost, handed = [], [], 0, 0
        for seed in seeds:
            model = SCRMModel(scenario, seed=seed)
            model.run()
            posts = model.posts
            done = ~np.isnan(posts.time_resolved) & (posts.time_posted < model.hour - 72)
            resolution = posts.time_resolved - posts.time_posted
            zero.append(resolution[done & (posts.handoffs == 0)])
            one.append(resolution[done & (posts.handoffs > 0)])  # resolved: every hop made
            handed += int((posts.handoffs > 0).sum())
            lost += int((posts.drop_reason == DropReason.LOST_IN_HANDOFF).sum())
        expected_zero, expected_one, expected_loss = expected_times(scenario)
        label = f"silo_delay_hours={silo_delay:g}"
        hops = len(route(scenario, "marketing", "service")) - 1
        if liaisons != "all_pairs":
            label += f", liaisons {liaisons}"
        handed_off = "one hand-off" if hops == 1 else f"one hand-off of {hops} hops"
        for quantity, values, expected in [("no hand-off", np.concatenate(zero), expected_zero),
                                           (handed_off, np.concatenate(one), expected_one)]:
            mean, low, high = mean_ci(values, CONFIDENCE)
            checks.append(Check("Hand-offs", f"mean resolution hours, {quantity}, {label}",
                                expected, mean, low, high, "theory inside the 99% CI",
                                inside(expected, low, high), t_test_p_value(values, expected)))
        share, low, high = proportion_ci(lost, handed, CONFIDENCE)
        checks.append(Check("Hand-offs", f"share lost in the hand-off, {label}", expected_loss,
                            share, low, high, "theory inside the 99% Wilson interval",
                            inside(expected_loss, low, high),
                            score_test_p_value(lost, handed, expected_loss)))
    return checks
