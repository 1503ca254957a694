"""A run in time: how many customers have met the service by its horizon, and the resolved
scenarios a results folder was run with.

The report reads the resolved scenarios of a results folder (``manifest.json`` holds them
under ``"scenarios"``, one per ownership model, for ``scrm-sim compare``) to mark campaigns
and incidents on the time plots and to warn when the run cannot show what it is read for.

**Why a horizon can be too short for churn and acquisition.** The ownership model reaches
churn and acquisition only through posts (``scrm_sim.model.engines`` and ``outcomes``): a
customer's satisfaction, which sets the daily churn hazard h0·exp(b·(s_ref − s)), moves
when the customer posts and gets a reply or meets silence; silence makes some customers
leave at once (``churn.leave_after_silence``); a good answer is shared as praise that wins
prospects, and an answered purchase intent is a lead. A customer who has not posted yet
has met no model's service: the product drift and the hazard it faces are the same under
every model. So the time scale on which churn and acquisition respond to the ownership
model is the time a customer takes to post at all. With E the expected posts per customer
over the run (the scenario's rates × ``volume_multiplier``, with annual growth, campaigns
and incidents, at the reference demand without responsiveness feedback), a share
1 − exp(−E) of customers has posted at least once (Poisson posting). When that is below
one half (E < ln 2), most customers have not dealt with the company on social media by
the end: churn and acquisition mostly reflect the shared starting population, and their
differences between models are only the start of what the models would do over a longer
period. The baseline (0.009 posts per customer per day, with its campaign and incident)
needs about 70 days; its 90 days pass, a 30-day run does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scrm_sim.scenario.schema import Scenario

MIN_SHARE_POSTED = 0.5
"""Churn and acquisition can respond once at least this share of customers has posted."""


def scenarios_of(manifest: Mapping[str, Any]) -> dict[str, Scenario]:
    """The resolved scenario of each ownership model in a results folder's manifest.

    ``compare`` records them under ``"scenarios"``. An experiment records its scenario file
    and overrides instead; that file is read when it can still be found (design points
    that change the scenario are not applied). Returns {} when neither is available.
    """
    recorded = manifest.get("scenarios")
    if isinstance(recorded, Mapping) and recorded:
        found = {}
        for model, data in recorded.items():
            try:
                found[str(model)] = Scenario.model_validate(data)
            except ValidationError:
                continue  # written by an older schema: the checks that need it are skipped
        return found
    experiment = manifest.get("experiment") or {}
    source = experiment.get("scenario") if isinstance(experiment, Mapping) else None
    if not source or not Path(str(source)).is_file():
        return {}
    from scrm_sim.errors import ScenarioError
    from scrm_sim.scenario import load_scenario

    try:
        scenario = load_scenario(str(source), dict(experiment.get("overrides") or {}))
    except (ScenarioError, OSError, ValueError):
        return {}
    return {str(m): scenario for m in experiment.get("models") or ["(all)"]}


def expected_posts_per_customer(scenario: Scenario, days: float | None = None) -> float:
    """Posts a typical current customer is expected to make in the first ``days`` days
    (default: the whole run).

    The scenario's rates × ``volume_multiplier``, compounded by ``annual_growth``, plus the
    extra posts of campaigns (their post types × (multiplier − 1)) and incidents
    (complaints × (multiplier − 1)) that fall within the period. Satisfaction's effect on
    complaints and praise is taken at its reference (factor 1) and responsiveness feedback
    at 0, the demand every model starts from.
    """
    days = scenario.duration_days if days is None else days
    demand = scenario.demand
    rates = {t: r * demand.volume_multiplier for t, r in demand.rates_per_customer_per_day.items()}
    growth = demand.annual_growth
    if abs(growth) < 1e-12:
        base_days = days
    else:  # ∫0^T (1 + g)^(t / 365) dt
        k = math.log1p(growth) / 365.0
        base_days = math.expm1(k * days) / k
    posts = sum(rates.values()) * base_days
    for campaign in demand.campaigns:
        overlap = _overlap(campaign.start_day, campaign.start_day + campaign.duration_days, days)
        posts += overlap * (campaign.multiplier - 1) * sum(
            rates.get(t, 0.0) for t in set(campaign.post_types))
    for incident in demand.incidents:
        start = incident.start_day
        overlap = _overlap(start, start + incident.duration_hours / 24.0, days)
        posts += overlap * (incident.complaint_multiplier - 1) * sum(
            r for t, r in rates.items() if t == "complaint")
    return max(posts, 0.0)


def share_posted(scenario: Scenario, days: float | None = None) -> float:
    """Expected share of customers who have posted at least once by day ``days`` (Poisson)."""
    return -math.expm1(-expected_posts_per_customer(scenario, days))


def days_until_share_posted(scenario: Scenario, share: float = MIN_SHARE_POSTED,
                            longest: float = 3650.0) -> float | None:
    """The first day by which ``share`` of customers is expected to have posted; None when
    not within ``longest`` days (no posting at all)."""
    if share_posted(scenario, longest) < share:
        return None
    low, high = 0.0, longest
    for _ in range(60):  # bisection: the share grows with the day
        middle = (low + high) / 2
        if share_posted(scenario, middle) >= share:
            high = middle
        else:
            low = middle
    return high


def _overlap(start: float, end: float, horizon: float) -> float:
    """Days of [start, end) within [0, horizon)."""
    return max(0.0, min(end, horizon) - max(start, 0.0))
