"""Queueing anchors: Erlang C for the M/M/c reduction, Little's law on every queue.

Erlang C (VALIDATION.md): with Poisson arrivals λ, exponential handling μ, c
identical staff, FCFS, no abandonment, no hand-offs and a flat day, the response
process is M/M/c. With a = λ/μ and ρ = a/c < 1,
P(wait) = (a^c/c!)/(1−ρ) / (Σ_{k<c} a^k/k! + (a^c/c!)/(1−ρ)),
Wq = P(wait)/(cμ − λ), P(Wq > t) = P(wait)·exp(−(cμ − λ)t).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from scrm_sim.analysis.statistics import mean_ci
from scrm_sim.model import SCRMModel
from scrm_sim.scenario import Scenario, load_scenario
from scrm_sim.validation.checks import Check, inside, t_test_p_value

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
WARM_UP_HOURS = 48.0
CONFIDENCE = 0.99
TAIL_HOURS = 1.0


def erlang_c(c: int, lam: float, mu: float) -> tuple[float, float]:
    """P(wait) and mean wait Wq (hours) of an M/M/c queue."""
    a, rho = lam / mu, lam / (c * mu)
    if rho >= 1:
        raise ValueError(f"unstable queue: rho = {rho:.3f} >= 1")
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait, p_wait / (c * mu - lam)


def erlang_c_tail(c: int, lam: float, mu: float, t: float) -> float:
    """P(Wq > t) of an M/M/c queue."""
    p_wait, _ = erlang_c(c, lam, mu)
    return p_wait * math.exp(-(c * mu - lam) * t)


def mmc_scenario(c: int, lam: float, mu: float, days: float) -> Scenario:
    """The shipped M/M/c reduction (scenarios/validation/erlang_c.yaml) at other (c, λ, μ)."""
    customers = 1000
    return load_scenario(SCENARIO_DIR / "validation" / "erlang_c.yaml", {
        "duration_days": days,
        "customers": {"count": customers},
        "demand": {"rates_per_customer_per_day": {"question": lam * 24 / customers}},
        # c seats always manned: rotas of c × 168 / 40 people (scenario/staffing.py)
        "company": {"departments": {"service": {"staff": math.ceil(c * 168 / 40),
                                                "capacity_per_hour": mu}}},
        "ownership": {"front_line": {"service": c}},
    })


def queue_waits(model: SCRMModel) -> np.ndarray:
    """Waits from being heard to a staff member starting on the post, after warm-up."""
    posts = model.posts
    keep = (posts.time_heard >= WARM_UP_HOURS) & ~np.isnan(posts.time_first_handled)
    return (posts.time_first_handled - posts.time_heard)[keep]


def erlang_c_checks(
    cases: Sequence[tuple[int, float, float, float]], seeds: Sequence[int]
) -> list[Check]:
    """P(wait), Wq and P(Wq > 1 h) against Erlang C for each (c, λ, μ, days).

    Tolerance: the formula must lie in the 99% Student-t interval of the mean over
    independent replications (one value per run, so no correlation inside a run can
    narrow the interval); the p-value is the t-test that interval inverts.
    """
    checks = []
    for c, lam, mu, days in cases:
        scenario = mmc_scenario(c, lam, mu, days)
        per_run = []
        for seed in seeds:
            model = SCRMModel(scenario, seed=seed)
            model.run()
            waits = queue_waits(model)
            per_run.append(((waits > 1e-12).mean(), waits.mean(), (waits > TAIL_HOURS).mean()))
        measured = np.array(per_run)
        p_wait, wq = erlang_c(c, lam, mu)
        tail = erlang_c_tail(c, lam, mu, TAIL_HOURS)
        label = f"c={c}, λ={lam:g}/h, μ={mu:g}/h, ρ={lam / (c * mu):.2f}"
        rule = f"formula inside the 99% CI over {len(seeds)} replications"
        for column, quantity, expected in [(0, "P(wait)", p_wait), (1, "Wq (hours)", wq),
                                           (2, f"P(Wq > {TAIL_HOURS:g} h)", tail)]:
            mean, low, high = mean_ci(measured[:, column], CONFIDENCE)
            checks.append(Check("Erlang C", f"{quantity}, {label}", expected, mean, low, high,
                                rule, inside(expected, low, high),
                                t_test_p_value(measured[:, column], expected)))
    return checks


def littles_law_checks(ownership: str = "marketing_led", days: float = 90, seed: int = 1
                       ) -> list[Check]:
    """Little's law L = λW on every queue of a full baseline run.

    L is the queue length sampled at a random moment of every hour; λW is the time integral of
    the queue length, divided by the run length: the waits of every post that entered
    the queue — served, still waiting at the end, or answered by the community while
    waiting (it leaves at that moment) — summed.
    Tolerance: 5% of λW plus 0.05 posts. The two are measured on the same sample path,
    so they differ only because L is sampled on the hourly grid rather than integrated
    over time; 5% bounds that discretisation error for queues whose length changes
    within the hour, and 0.05 posts keeps nearly empty queues from failing on rounding.
    A tolerance check: no p-value.
    """
    scenario = load_scenario(SCENARIO_DIR / "baseline.yaml",
                             {"ownership": ownership, "duration_days": days})
    model = SCRMModel(scenario, seed=seed)
    model.response.sample_queue_lengths = True
    model.run()
    horizon = float(model.hour)
    checks = []
    for queue in model.response.queues:
        if queue.added == 0:
            continue
        left = model.posts.time_resolved  # when a post answered elsewhere left the queue
        unserved = queue.abandoned + queue.entries()
        leave = np.array([left[p] if not np.isnan(left[p]) else horizon for p, _ in unserved])
        arrival = np.array([a for _, a in unserved])
        area = queue.total_wait_hours + float(
            np.clip(np.minimum(leave, horizon) - arrival, 0.0, None).sum()) if unserved else (
            queue.total_wait_hours)
        lam_w = area / horizon
        samples = np.asarray(queue.length_samples, dtype=float)
        measured = float(samples.mean())
        half_width = 0.05 * lam_w + 0.05
        checks.append(Check(
            "Little's law", f"queue '{queue.name}' ({ownership}): L against λW", lam_w, measured,
            measured - half_width, measured + half_width, "|L − λW| ≤ 5% of λW + 0.05 posts",
            inside(lam_w, measured - half_width, measured + half_width),
        ))
    return checks
