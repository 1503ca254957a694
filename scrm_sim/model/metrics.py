"""Metrics: model-level reporters collected every hour, and the per-run summary.

Every number here is computed from the model's state; none is typed in.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from scrm_sim.model.agents import Role
from scrm_sim.model.customers import Stage
from scrm_sim.model.posts import DropReason, PostStatus
from scrm_sim.scenario.schema import POST_TYPES, PostType

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel

def customer_statistics(model: SCRMModel) -> dict[str, float]:
    """Satisfaction mean, NPS and count of current customers, computed once per step."""
    cached = model.customer_statistics_cache
    if cached is not None and cached[0] == model.hour:
        return cached[1]
    population = model.population
    s = population.satisfaction[population.customer_rows()]
    if len(s) == 0:
        stats = {"satisfaction_mean": float("nan"), "nps": float("nan"), "customers": 0}
    else:
        output = model.config.output
        promoters = np.count_nonzero(s >= least_satisfaction_scoring(output.nps_promoter_min))
        detractors = np.count_nonzero(s < least_satisfaction_scoring(output.nps_detractor_max + 1))
        stats = {
            # np.add.reduce is what ndarray.mean sums with: the same bits, less overhead
            "satisfaction_mean": float(np.add.reduce(s)) / len(s),
            "nps": float(100 * (promoters - detractors) / len(s)),
            "customers": len(s),
        }
    model.customer_statistics_cache = (model.hour, stats)
    return stats


@lru_cache
def least_satisfaction_scoring(score: int) -> float:
    """The least satisfaction s whose 0–10 score, ``np.rint(10 * s)``, is at least ``score``.

    The NPS reads satisfaction as that score; comparing s with this edge classifies every
    customer exactly as computing and rounding the score does (a pass over the customers
    fewer, every hour). 10·s is rounded to a double before ``rint`` rounds it (halves to
    even, as Python's round() does), so the edge is not simply (score − ½)/10: it is found
    among the doubles next to that value. Both roundings only ever keep or raise a larger
    s's score, so the scores that reach ``score`` are exactly those from the edge up.
    """
    def reaches(s: float) -> bool:
        return round(10.0 * s) >= score

    s = (score - 0.5) / 10.0
    while reaches(s):  # step down below the edge …
        s = math.nextafter(s, -math.inf)
    while not reaches(s):  # … then up to the first double at it
        s = math.nextafter(s, math.inf)
    return s


def satisfaction_mean(model: SCRMModel) -> float:
    """Mean satisfaction of current customers."""
    return customer_statistics(model)["satisfaction_mean"]


def net_promoter_score(model: SCRMModel) -> float:
    """NPS (−100..100) of current customers, satisfaction read as a 0–10 score."""
    return customer_statistics(model)["nps"]


def customers(model: SCRMModel) -> int:
    """Current customers."""
    return int(customer_statistics(model)["customers"])


def social_team_size(model: SCRMModel) -> int:
    """Members of the self-organising / formal social team."""
    return sum(1 for s in model.social_staff if s.in_team)


def staff_in_social_roles(model: SCRMModel) -> int:
    """Front line, resolvers and approvers assigned by the ownership model."""
    return sum(1 for s in model.social_staff if s.role is not Role.NONE)


def _counter(name: str):  # noqa: ANN202 - returns a reporter
    def report(model: SCRMModel) -> float:
        return model.counters[name]

    report.__name__ = name
    return report


MODEL_REPORTERS = {
    "hour": lambda m: m.hour,
    "day": lambda m: m.hour // 24,
    "ownership_stage": lambda m: m.stage_index,
    "posts_total": lambda m: len(m.posts),
    "first_responses_total": _counter("first_responses"),
    "within_sla_total": _counter("within_sla"),
    "resolutions_total": _counter("resolutions"),
    "backlog": lambda m: m.last_backlog,
    "first_response_hours_24h": lambda m: m.outcomes.first_response_hours_24h(),
    "satisfaction_mean": satisfaction_mean,
    "nps": net_promoter_score,
    "customers": customers,
    "churned_total": _counter("churned"),
    "acquired_total": lambda m: m.acquired_total,
    "grievances_total": _counter("grievances"),
    "negative_wom_reach_total": lambda m: m.cascades.total_reach,
    "active_cascades": lambda m: m.cascades.active,
    "social_team_size": social_team_size,
    "staff_in_social_roles": staff_in_social_roles,
    "culture": lambda m: m.culture,
    "silo_strength_mean": lambda m: m.silos.mean_strength(),
    "staff_hours_total": _counter("staff_hours"),
    "cost_total": _counter("cost"),
    "fte_budgeted": lambda m: m.fte_budgeted,
    "maturity": lambda m: m.maturity.level,  # appended: earlier columns keep their order
}


def fte_worked(model: SCRMModel) -> float:
    """Mean FTE the programme's social work took so far: staff-hours over the contracted
    hours of one person in the same time."""
    weeks = model.hour / 168.0
    contracted = model.config.company.contracted_hours_per_week
    return model.counters["staff_hours"] / (contracted * weeks) if weeks else float("nan")


def net_value(model: SCRMModel, customers_now: int) -> float:
    """Value gained so far (the numerator of ``roi_proxy``): customers gained or lost ×
    ``customer_value`` plus converted leads × ``lead_value``. With accounts
    (``customers.accounts``) an account is valued as a unit, ``account_value_multiple`` ×
    ``customer_value``, in place of its contacts, and a deal it closes as that many leads."""
    economics, accounts = model.config.economics, model.accounts
    leads = model.counters["leads_converted"] * economics.lead_value
    if not accounts.on:
        return (customers_now - model.config.customers.count) * economics.customer_value + leads
    population, multiple = model.population, accounts.value_multiple
    singles = accounts.single_customers(population) - accounts.start_single_customers
    units = singles + multiple * (accounts.live(population) - accounts.start_live)
    deals = (multiple - 1.0) * model.counters["account_leads_converted"] * economics.lead_value
    return units * economics.customer_value + leads + deals


def _quantile(values: np.ndarray, q: float) -> float:
    return float(np.quantile(values, q)) if len(values) else float("nan")


def run_summary(model: SCRMModel) -> dict[str, float]:
    """Headline metrics of a finished run (one row of the summary table)."""
    posts = model.posts
    counters = model.counters
    n = len(posts)
    status = posts.status
    waits = posts.time_first_response - posts.time_posted
    answered = ~np.isnan(waits)
    resolution = (posts.time_resolved - posts.time_posted)[
        ~np.isnan(posts.time_resolved) & ~posts.community_answered
    ]
    complaints = posts.post_type == POST_TYPES.index(PostType.COMPLAINT)
    sla = model.config.sla_hours
    steps = model.datacollector.get_model_vars_dataframe()
    start_customers = model.config.customers.count
    final_customers = customers(model)
    resolved_by_company = int(((status == PostStatus.RESOLVED) & ~posts.community_answered).sum())
    value = net_value(model, final_customers)
    social = model.social_staff

    def share(mask: np.ndarray, of: np.ndarray | None = None) -> float:
        base = np.ones(n, bool) if of is None else of
        return float(mask[base].mean()) if base.any() else float("nan")

    return {
        "posts": n,
        "share_answered": share(answered),
        "share_within_sla": share(answered & (waits <= sla)),
        "complaints_within_sla": share(answered & (waits <= sla), complaints),
        "share_resolved": share(status == PostStatus.RESOLVED),
        "share_dropped": share(status == PostStatus.DROPPED),
        "share_unheard": share(posts.drop_reason == DropReason.UNHEARD),
        "share_lost_in_handoff": share(posts.drop_reason == DropReason.LOST_IN_HANDOFF),
        "first_response_p50_hours": _quantile(waits[answered], 0.5),
        "first_response_p90_hours": _quantile(waits[answered], 0.9),
        "first_response_mean_hours": float(waits[answered].mean()) if answered.any() else float("nan"),
        "resolution_p50_hours": _quantile(resolution, 0.5),
        "resolution_p90_hours": _quantile(resolution, 0.9),
        "backlog_mean": float(steps["backlog"].mean()),
        "backlog_max": float(steps["backlog"].max()),
        "satisfaction_final": satisfaction_mean(model),
        "satisfaction_mean": float(steps["satisfaction_mean"].mean()),
        "nps_final": net_promoter_score(model),
        "customers_final": final_customers,
        "churned": counters["churned"],
        "churn_rate": counters["churned"] / start_customers,
        "acquired": model.acquired_total,
        "acquired_word_of_mouth": counters["acquired_word_of_mouth"],
        "acquired_leads": counters["acquired_leads"],
        "acquired_external": counters["acquired_external"],
        "net_customer_growth": final_customers - start_customers,
        "leads_converted": counters["leads_converted"],
        "leads_lost": counters["leads_lost"],
        "ideas_co_created": counters["ideas_co_created"],
        "community_answers": counters["community_answers"],
        "grievances": counters["grievances"],
        "silences": counters["silences"],
        "churned_after_silence": counters["churned_after_silence"],
        "negative_wom_reach": model.cascades.total_reach,
        "largest_cascade": model.cascades.largest,
        "brand_consistency": (
            counters["replies_on_voice"] / counters["replies"] if counters["replies"] else float("nan")
        ),
        "rogue_replies": counters["rogue_replies"],
        "handoffs_per_resolved": (
            counters["handoffs"] / resolved_by_company if resolved_by_company else float("nan")
        ),
        "utilisation_social_mean": float(np.mean([s.utilisation_yesterday for s in social]))
        if social else float("nan"),
        "social_team_size_final": social_team_size(model),
        "social_team_size_mean": float(steps["social_team_size"].mean()),
        "team_joiners": counters["team_joiners"],
        "team_leavers": counters["team_leavers"],
        "staff_hours": counters["staff_hours"],
        "fte_worked": fte_worked(model),
        "fte_budgeted": float(steps["fte_budgeted"].mean()),
        "cost": counters["cost"],
        "rogue_staff_hours": counters["rogue_staff_hours"],
        "rogue_cost": counters["rogue_cost"],
        "roi_proxy": value / counters["cost"] if counters["cost"] else float("nan"),
        "ownership_stage_final": model.stage_index,
        "churned_at_end": int((model.population.stage == Stage.CHURNED).sum()),
        "maturity_final": model.maturity.level,
        "pilot_failed": float(model.pilot.failed),  # its mean over runs: the failure rate
    }
