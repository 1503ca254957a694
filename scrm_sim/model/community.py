"""Community answers from community members (issue 16 item 6; docs/ODD.md §7.23).

Seed 004 (Esteban Kolsky): "what the company can own is the platform (I call it Community
Engagement Platform) and they provide it for the community to work on". With
``ownership.community.member_answer_chance`` set, answers on that platform come from its
members (``customers.community_membership``), not from a fixed share:

* M, the active members: members who are current customers, each counting
  1 − slope·(1 − s) (dissatisfied members answer less; slope 0: each counts 1);
* each active member answers a post of type k within the window W with chance a_k, so the
  first answer comes after an exponential time of rate M·a_k / W, and the post is answered
  (within W) with probability 1 − exp(−M·a_k).

One uniform decides both: T = −W·ln(1 − u) / (M·a_k) is the first answer's delay, and the post
is answered when T < W, i.e. u < 1 − exp(−M·a_k).
"""

from __future__ import annotations

import numpy as np

from scrm_sim.model.propensity import relative_power


def draw_members(propensity: np.ndarray | None, n: int, share: float, elasticity: float,
                 u: np.ndarray) -> np.ndarray:
    """Who is a member: each person with probability min(1, share · w^e / mean(w^e)), w their
    posting propensity (share alone when everyone posts alike); ``u`` one uniform per person."""
    chance = np.full(n, share) if propensity is None else np.minimum(
        1.0, share * relative_power(propensity, elasticity))
    return u < chance


def active_members(member_customers: np.ndarray, satisfaction: np.ndarray,
                   satisfaction_slope: float) -> float:
    """M: the members who are current customers (their rows), each weighing 1 − slope·(1 − s)."""
    if satisfaction_slope == 0.0:
        return float(len(member_customers))
    return float(np.sum(1.0 - satisfaction_slope * (1.0 - satisfaction[member_customers])))


def answer_probability(members: float, chance: np.ndarray) -> np.ndarray:
    """Chance a post is answered by some member within the window: 1 − exp(−M·a)."""
    return -np.expm1(-members * chance)


def answer_delays(members: float, chance: np.ndarray, window_hours: float,
                  u: np.ndarray) -> np.ndarray:
    """Delay of the first member's answer for posts answered (u < 1 − exp(−M·a)): the
    exponential time −W·ln(1 − u) / (M·a), below W for exactly those posts."""
    return -window_hours * np.log1p(-u) / (members * chance)
