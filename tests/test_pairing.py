"""Pairing across the whole run (issue 17): every random decision about a post reads the
post's own uniforms, drawn as it is posted, so that two ownership models facing the same
post decide with the same numbers, while each draw keeps its distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scrm_sim import SCRMModel, load_scenario
from scrm_sim.model.posts import TYPE_CODE, Draw, PostStore
from scrm_sim.model.streams import CommonStreams

from .conftest import SCENARIOS, small_scenario

DEPARTMENTS = ("marketing", "service")


def store(seed: int = 0) -> PostStore:
    """An empty post store of a run seeded with ``seed``."""
    return PostStore(CommonStreams(np.random.default_rng(seed)), DEPARTMENTS)


def post_at(posts: PostStore, hours: list[float]) -> np.ndarray:
    """Questions by customer 0 at ``hours``; their rows."""
    n = len(hours)
    return posts.append(np.zeros(n, np.int64), TYPE_CODE["question"], np.array(hours),
                        np.ones(n))


# ----------------------------------------------------------------------------- the blocks


def test_two_models_on_the_same_seed_give_the_kth_post_of_an_hour_the_same_uniforms():
    """The k-th post of hour h gets the same block under every model, whoever posted it:
    also after a day in which the two models served posts differently."""
    hybrid = SCRMModel(small_scenario("hybrid"), seed=4)
    service = SCRMModel(small_scenario("service_led"), seed=4)
    for model in (hybrid, service):
        for _ in range(72):
            model.step()
    compared = 0
    for hour in range(24, 72):
        rows_h = np.flatnonzero(np.floor(hybrid.posts.time_posted) == hour)
        rows_s = np.flatnonzero(np.floor(service.posts.time_posted) == hour)
        k = min(len(rows_h), len(rows_s))
        assert np.array_equal(hybrid.posts.draws[rows_h[:k], Draw.ANSWER_HOURS],
                              service.posts.draws[rows_s[:k], Draw.ANSWER_HOURS])
        assert np.array_equal(hybrid.posts.draws[rows_h[:k]], service.posts.draws[rows_s[:k]])
        compared += k
    assert compared > 300  # about 9 posts an hour


def test_the_blocks_of_an_hour_do_not_depend_on_how_its_posts_are_batched():
    one, two = store(), store()
    post_at(one, [3.1, 3.2, 3.5])
    post_at(two, [3.1])
    post_at(two, [3.2, 3.5])  # a second post type in the same hour continues the stream
    assert np.array_equal(one.draws[:3], two.draws[:3])


def test_posts_placed_out_of_time_order_never_share_a_block():
    posts = store()
    post_at(posts, [5.0])
    post_at(posts, [0.0])  # an earlier hour than the last: the stream goes on
    post_at(posts, [5.0])
    blocks = posts.draws[:3]
    assert len({tuple(b) for b in blocks.tolist()}) == 3


def test_every_slot_of_a_block_is_uniform_on_the_unit_interval():
    posts = store(seed=2)
    post_at(posts, list(np.linspace(0.0, 0.99, 20_000)))
    draws = posts.draws[: len(posts)].astype(np.float64)
    assert draws.min() >= 0.0 and draws.max() < 1.0
    # each slot's mean within 4 standard errors (1/√(12 n)) of ½
    assert np.abs(draws.mean(axis=0) - 0.5).max() < 4 / math.sqrt(12 * len(draws))
    # and no two slots correlated beyond 4 standard errors (1/√n)
    correlation = np.corrcoef(draws, rowvar=False)
    off_diagonal = correlation[~np.eye(len(correlation), dtype=bool)]
    assert np.abs(off_diagonal).max() < 4 / math.sqrt(len(draws))


# ----------------------------------------------------------------------------- taking a slot


def test_a_slot_gives_the_post_s_own_uniform_the_first_time_and_a_fresh_one_after():
    posts = store()
    post = int(post_at(posts, [1.0])[0])
    fallback = np.random.default_rng(9)
    first = posts.take(post, Draw.TRIAGE_HOURS, fallback)
    again = posts.take(post, Draw.TRIAGE_HOURS, fallback)
    assert first == float(posts.draws[post, Draw.TRIAGE_HOURS])
    assert again == float(np.random.default_rng(9).random())  # from the fallback, not reused
    # another slot of the same post is still its own
    assert posts.take(post, Draw.ANSWER_HOURS, fallback) == float(
        posts.draws[post, Draw.ANSWER_HOURS])


def test_a_taken_slot_stays_taken_when_the_store_grows():
    posts = PostStore(CommonStreams(np.random.default_rng(0)), DEPARTMENTS, initial_capacity=2)
    post = int(post_at(posts, [0.5])[0])
    posts.take(post, Draw.ANSWER_VOICE, np.random.default_rng(1))
    post_at(posts, [0.6, 0.7, 0.8])  # beyond the capacity: the columns are copied
    fallback = np.random.default_rng(2)
    assert posts.take(post, Draw.ANSWER_VOICE, fallback) == float(
        np.random.default_rng(2).random())


# ----------------------------------------------------------------------------- distributions

N_HANDLED = 20_000


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("distribution", "cv"), [("lognormal", 0.8), ("exponential", 1.0)])
def test_handling_times_from_the_posts_uniforms_have_the_stated_mean_and_spread(
        seed, distribution, cv):
    model = SCRMModel(small_scenario(handling={"distribution": distribution, "cv": 0.8}),
                      seed=seed)
    rows = post_at(model.posts, list(np.linspace(0.0, 0.99, N_HANDLED)))
    mean = 2.0
    hours = np.array([model.response._draw_hours(mean, float(u))
                      for u in model.posts.draws[rows, Draw.ANSWER_HOURS]])
    # within 4 standard errors: sd = cv·mean, so the mean's is cv·mean/√n (about 1.1-1.4 %)
    assert hours.mean() == pytest.approx(mean, abs=4 * cv * mean / math.sqrt(N_HANDLED))
    # the spread: the sample cv within 10 % of the stated one (its sampling error at this n
    # is about 2 % for the exponential, 4 % for the lognormal's heavier tail)
    assert hours.std() / hours.mean() == pytest.approx(cv, rel=0.10)


def test_a_hand_off_hop_loses_posts_at_its_chance_and_delays_them_by_its_mean():
    model = SCRMModel(small_scenario("marketing_led", {"handoff": {
        "base_loss": 0.1, "silo_loss": 0.0, "base_delay_hours": 2.0, "silo_delay_hours": 0.0}},
        company={"tools": {"level": 0.0}, "maturity": {"initial": 0.0}}), seed=3)
    rows = post_at(model.posts, list(np.linspace(0.0, 0.99, N_HANDLED)))
    arrivals = np.array([model.response._hand_off(int(r), ["marketing", "service"], 0.0)
                         for r in rows], dtype=float)
    lost = np.isnan(arrivals)
    # binomial: within 4 standard errors of 0.1; the delays' mean within 4 of 2 h
    assert lost.mean() == pytest.approx(0.1, abs=4 * math.sqrt(0.1 * 0.9 / N_HANDLED))
    delivered = arrivals[~lost]
    assert delivered.mean() == pytest.approx(2.0, abs=4 * 2.0 / math.sqrt(len(delivered)))


# ----------------------------------------------------------------------------- the payoff


def within_sla_by_position(model: SCRMModel) -> dict[tuple[int, int], tuple[bool, int]]:
    """For each post, keyed by (hour, position in the hour): answered within the SLA, type."""
    posts = model.posts
    hour = np.floor(posts.time_posted).astype(int)
    position = np.arange(len(posts)) - np.searchsorted(hour, hour)
    within = (posts.time_first_response - posts.time_posted) <= model.config.sla_hours
    return {(h, k): (w, t) for h, k, w, t in zip(hour.tolist(), position.tolist(),
                                                  within.tolist(), posts.post_type.tolist(),
                                                  strict=True)}


def test_the_same_post_tends_to_make_the_sla_under_both_models_or_under_neither():
    """Per post, the correlation of "answered within the SLA" between hybrid and service-led
    on one seed (the k-th post of each hour, where both models' is of the same type).
    Measured here: 0.77 with per-post draws, 0.20 when triage, handling and hand-off draws
    came from the model's sequential generator (0.72-0.74 against 0.18-0.21 on four other
    seeds over 30 days); over some 1,700 posts its standard error is about 0.02, so 0.5
    separates the two."""
    answered = []
    for ownership in ("hybrid", "service_led"):
        scenario = load_scenario(SCENARIOS / "baseline.yaml",
                                 {"ownership": ownership, "duration_days": 14})
        model = SCRMModel(scenario, seed=1)
        model.run()
        answered.append(within_sla_by_position(model))
    hybrid, service = answered
    both = [k for k in hybrid.keys() & service.keys() if hybrid[k][1] == service[k][1]]
    a = np.array([hybrid[k][0] for k in both])
    b = np.array([service[k][0] for k in both])
    assert len(both) > 1000
    assert np.corrcoef(a, b)[0, 1] > 0.5


PAIRED_SEEDS = range(16)


@pytest.mark.slow
def test_pairing_narrows_the_difference_in_share_within_the_sla_at_least_3_fold():
    """hybrid − service-led on the baseline company for 14 days, 16 seeds: the variance of
    the difference on independent seeds, var(A) + var(B), over that on the same seed.
    Measured on these seeds: 6.6 with per-post draws, 2.2 when triage, handling, hand-off and
    voice draws came from the model's sequential generator; on 32 seeds 6.6 (90 % bootstrap
    interval 4.3-10.7) against 2.1 (1.6-2.9), so 3 separates the two. (Over 30 days the factor
    is lower, about 3.7 on 100 seeds: the models drift apart.)"""
    runs = {}
    for ownership in ("hybrid", "service_led"):
        scenario = load_scenario(SCENARIOS / "baseline.yaml",
                                 {"ownership": ownership, "duration_days": 14})
        runs[ownership] = np.array([SCRMModel(scenario, seed=s).run()["share_within_sla"]
                                    for s in PAIRED_SEEDS])
    a, b = runs["hybrid"], runs["service_led"]
    reduction = (a.var(ddof=1) + b.var(ddof=1)) / (a - b).var(ddof=1)
    assert reduction >= 3.0


def test_each_post_s_fate_draw_is_the_next_of_its_hour_s_post_fate_stream():
    model = SCRMModel(small_scenario(duration_days=2), seed=4)
    model.run()
    posts = model.posts
    hours = np.floor(posts.time_posted).astype(int)
    assert len(set(hours.tolist())) < model.config.steps  # some hours had no post
    for hour in sorted(set(hours.tolist())):
        rows = np.flatnonzero(hours == hour)  # in the order they were appended
        assert np.array_equal(posts.fate_draw[rows],
                              model.streams.at("post_fate", hour).random(len(rows))), hour
