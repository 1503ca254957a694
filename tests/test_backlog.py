"""The backlog a step reports is every live post waiting in the programme's queues."""

from __future__ import annotations

import numpy as np
import pytest

from scrm_sim.model import SCRMModel
from scrm_sim.model.posts import SILENTLY_DROPPED, PostStatus
from scrm_sim.scenario import load_scenario

from .conftest import SCENARIOS

ROGUE = {"marketing": {"share": 0.5, "staff": 2},
         "sales": {"share": 0.4, "post_types": ["purchase_intent", "complaint"]}}
# hand-offs and approvals (marketing_led, pr_led), hand-offs only (hub_and_spoke), rogue
# departments beside a service-led programme that hears little (their copies are not backlog)
OWNERS = {"marketing_led": "marketing_led", "pr_led": "pr_led",
          "hub_and_spoke": "hub_and_spoke",
          "rogue": {"extends": "service_led", "rogue": ROGUE, "listening": {"coverage": 0.5}}}


def busy_run(ownership: str | dict) -> SCRMModel:
    scenario = load_scenario(SCENARIOS / "contested.yaml", {
        "ownership": ownership, "duration_days": 3,
        "customers": {"count": 1200, "prospects": 400}, "demand": {"volume_multiplier": 6.0}})
    return SCRMModel(scenario, seed=11)


def plain_live(model: SCRMModel, post: int, at: float) -> bool:
    posts = model.posts
    return bool(posts.status[post] < PostStatus.RESOLVED and posts.time_settled[post] > at)


def rescanned_backlog(model: SCRMModel, at: float) -> int:
    """Every post held by a programme queue (the hub, approval, the departments') that has
    arrived by ``at`` and is still live."""
    response = model.response
    return sum(1 for queue in [response.hub, response.approval, *response.departments.values()]
               for post, arrival in queue.entries()
               if arrival < at and plain_live(model, post, at))


@pytest.mark.parametrize("owner", OWNERS)
def test_the_backlog_of_each_step_equals_a_full_rescan_of_the_queues(owner):
    model = busy_run(OWNERS[owner])
    backlogs = []
    while model.running:
        model.step()
        backlogs.append(model.last_backlog)
        assert backlogs[-1] == rescanned_backlog(model, float(model.hour))
    assert max(backlogs) > 0
    response = model.response
    if owner in ("marketing_led", "pr_led"):
        assert response.approval.added > 0 and model.counters["handoffs"] > 0
    if owner == "hub_and_spoke":
        assert model.counters["handoffs"] > 0
    if owner == "rogue":
        assert sum(queue.added for queue in response.rogue.values()) > 0


def test_one_post_and_an_array_of_posts_are_judged_live_alike():
    model = busy_run("marketing_led")
    for _ in range(40):
        model.step()
    posts = np.arange(len(model.posts))
    for at in (10.0, 25.5, float(model.hour)):
        one_by_one = [model.response.is_live(int(post), at) for post in posts]
        assert one_by_one == model.response.is_live(posts, at).tolist()
        assert one_by_one == [plain_live(model, int(post), at) for post in posts]
        assert any(one_by_one) and not all(one_by_one)


def test_rogue_departments_see_as_live_what_the_programme_never_heard_or_ignored():
    model = busy_run(OWNERS["rogue"])
    for _ in range(40):
        model.step()
    posts = model.posts
    at = 30.0

    def plain_rogue_live(post: int) -> bool:
        status = posts.status[post]
        open_to_rogue = status < PostStatus.RESOLVED or (
            status == PostStatus.DROPPED and posts.drop_reason[post] in SILENTLY_DROPPED)
        return bool(open_to_rogue and posts.time_settled[post] > at)

    judged = [model.response.is_live_for_rogue(post, at) for post in range(len(posts))]
    assert judged == [plain_rogue_live(post) for post in range(len(posts))]
    unheard = posts.status == PostStatus.DROPPED
    assert any(j for j, u in zip(judged, unheard, strict=True) if u)  # unheard, yet live
