"""Pilot and roll-out: a pilot can fail, its learning carries into the roll-out, and a launch
overloads the people who launch it (issue 16).

Wim Rampen (seed 001) proposes a laboratory: "It does not hurt that much to learn if
experiments take place in a small testing environment. You will have impacted only a few
customers when something does not work out", and "you don't get the negative spirit
internally when you have to withdraw from something you just announced to all your employees
as the innovation of the year". Senior management "can closely monitor what's happening,
controlling costs, fit with their strategy and results for the company as well as their
customers". So:

- A *pilot* is an ownership model serving part of the customers (``pilot_share`` < 1). It
  is judged once (``ownership.pilot``), on ``evaluation_day`` or, when that is null, when
  the trigger of the next stage fires. A model serving everyone (a big bang) is judged the
  same way only when it states an ``evaluation_day``: it too can fail and be withdrawn,
  in front of everyone. Management judges it by what it can see: the share
  of the posts it heard that missed the SLA, the mark of an under-staffed pilot. It fails
  with probability ``failure_base + failure_per_sla_miss · max(0, miss − tolerated_sla_miss)``
  (at most 1), one uniform draw from the named stream ``pilot`` of that day, so that paired
  runs share it.
- A failed pilot costs ``withdrawal_cost``, sets culture back by ``culture_setback``
  (:meth:`CultureProcess.setback`) and, by ``on_failure``, is withdrawn (nobody is heard,
  the social roles and the team are released, the community platform is closed) or stays
  small; later stages never come.
- A pilot that is rolled out (a stage change that widens ``pilot_share``) passes
  ``learning_transfer`` of its maturity on (:mod:`scrm_sim.model.maturity`).
- A *launch* (the start of the run, and every widening of the scope) overloads handling for
  ``company.rollout.overload_days``: × 1 + (handling_multiplier − 1)·(1 − m), less the more
  mature the programme is. A big bang launches everything at once with the maturity it has.

Off by default: no failure chance, no overload days.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from scrm_sim.model.posts import DropReason
from scrm_sim.scenario.schema import Community, KeyAccounts, Ownership, Pilot, SocialTeamPolicy

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel


def failure_probability(spec: Pilot, sla_miss: float) -> float:
    """The chance a pilot is judged a failure, given the share of its heard posts that
    missed the SLA::

        p = min(1, failure_base + failure_per_sla_miss · max(0, sla_miss − tolerated_sla_miss))
    """
    extra = spec.failure_per_sla_miss * max(0.0, sla_miss - spec.tolerated_sla_miss)
    return min(1.0, spec.failure_base + extra)


def withdrawn(own: Ownership) -> Ownership:
    """The ownership model after its pilot is withdrawn: nobody in scope, no social roles,
    no key-account managers, no listening desk or tool to pay, no team, no community
    platform, no later stages (rogue departments carry on: they were never part of the
    programme)."""
    return own.model_copy(update={
        "pilot_share": 0.0, "front_line": {}, "resolver_staff": {},
        "approval": own.approval.model_copy(update={"approver": None, "approver_staff": 0}),
        "key_accounts": KeyAccounts(),
        "listening": own.listening.model_copy(update={"analysts": None, "tool": None}),
        "social_team": SocialTeamPolicy(policy="none", initial_members=0, max_size=0),
        "community": Community(enabled=False), "stages": [],
    })


class PilotProcess:
    """The judgement of the current pilot and the overload after a launch."""

    def __init__(self, model: SCRMModel) -> None:
        self.model = model
        self.rollout = model.config.company.rollout
        self.judged = False  # the current pilot has been judged
        self.failed = False
        self.failure_chance = math.nan  # of the last judgement
        self.sla_miss = math.nan  # of the last judgement
        self.started_hour = 0  # when the current ownership model began
        self.overload_until = -math.inf  # day on which the last launch's overload ends
        self.launch(0.0, model.ownership.pilot_share)

    # ------------------------------------------------------------------ the pilot

    @property
    def is_pilot(self) -> bool:
        """Whether the current ownership model is a pilot still running (not failed)."""
        return self.model.ownership.pilot_share < 1.0 and not self.failed

    def due(self) -> bool:
        """Whether today is the stated evaluation day of the current model, not yet judged
        (checked at the end of a day): a pilot's, or a big bang's when it states one."""
        day = self.model.ownership.pilot.evaluation_day
        return (not self.failed and not self.judged and day is not None
                and self.model.day >= day)

    def judged_at_roll_out(self) -> bool:
        """Whether the pilot is judged now that its stage trigger fired: a pilot not judged
        yet (no evaluation day, or one the roll-out came before) is judged before it is
        rolled out, never skipped."""
        return self.is_pilot and not self.judged

    def sla_miss_share(self) -> float:
        """Share of the posts the pilot heard since it began (not ignored, not answered by
        the community, posted at least the SLA ago) that were not answered within the SLA."""
        model = self.model
        posts, sla = model.posts, model.config.sla_hours
        posted = posts.time_posted
        judged = ((posted >= self.started_hour) & (posted <= model.hour - sla)
                  & ~np.isnan(posts.time_heard) & (posts.drop_reason != DropReason.IGNORED)
                  & ~posts.community_answered)
        if model.ownership.pilot_share < 1.0:  # its own customers, not key accounts' posts
            judged &= model.in_pilot_scope(posts.author)
        if not judged.any():
            return 0.0
        waits = posts.time_first_response[judged] - posted[judged]
        within = ~np.isnan(waits) & (waits <= sla)
        return float(1.0 - within.mean())

    def judge(self) -> bool:
        """Judge the current pilot (once): True if it passes; a failure has its
        consequences at once (see the module docstring)."""
        model = self.model
        spec = model.ownership.pilot
        self.judged = True
        self.sla_miss = self.sla_miss_share()
        self.failure_chance = failure_probability(spec, self.sla_miss)
        if self.failure_chance <= 0.0:
            return True
        if model.streams.at("pilot", model.hour // 24).random() >= self.failure_chance:
            return True
        self.failed = True
        model.counters["cost"] += spec.withdrawal_cost
        model.counters["pilot_withdrawal_cost"] += spec.withdrawal_cost
        if spec.culture_setback > 0:
            model.culture_process.setback(spec.culture_setback)
        if spec.on_failure == "withdraw":
            model.apply_ownership(withdrawn(model.ownership))
        return False

    def stage_changed(self, before: Ownership) -> float:
        """A new ownership model is in place: its pilot is judged afresh, a wider scope is a
        launch. Returns the share of maturity that carries over beyond the stage change's
        own loss: the pilot's learning_transfer at a roll-out, else 1."""
        after = self.model.ownership
        self.judged = False
        self.started_hour = self.model.hour
        self.launch(before.pilot_share, after.pilot_share)
        if before.pilot_share < 1.0 and after.pilot_share > before.pilot_share:
            return before.pilot.learning_transfer
        return 1.0

    # ------------------------------------------------------------------ roll-out overload

    def launch(self, scope_before: float, scope_after: float) -> None:
        """The programme now serves customers it did not serve before: overload follows."""
        if self.rollout.overload_days > 0 and scope_after > scope_before:
            self.overload_until = self.model.day + self.rollout.overload_days

    def overload(self, maturity: float) -> float:
        """Handling-time factor now: 1 + (handling_multiplier − 1)·(1 − m) during the
        overload after a launch, else 1."""
        if self.model.day >= self.overload_until:
            return 1.0
        return 1.0 + (self.rollout.handling_multiplier - 1.0) * (1.0 - maturity)
