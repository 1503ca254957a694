"""Listening as work: analysts who screen posts and a tool that picks some up (issue 16
item 5; docs/ODD.md §7.22).

MODEL.md: the owner's "monitors" classify posts. Seed 002: "the best place to start is by
listening"; seed 001 (Kolsky): "a listening platform might help branding and marketing".
With ``ownership.listening.analysts`` or ``ownership.listening.tool`` set, whether a post is
heard follows from this work instead of a free coverage probability:

* the **tool** picks up ``automated_share`` of the posts in scope at any hour, and dismisses
  ``miss_rate`` of what it picks up as needing no answer (never heard);
* the **analysts** screen the rest, oldest first: each hour their shift is open they screen
  up to ``staff × posts_per_hour`` posts; a post not screened within
  ``screening_window_hours`` is never heard. A night's posts wait for the morning shift;
* both are paid: analysts their department's ``hourly_cost`` for every hour on shift (the
  hours count as staff-hours), the tool ``licence_per_day`` (one 24th each hour).

The screening queue is kept as a ledger of free screening slots per hour: the posts of an
hour, in posting order, take the first free slots from their hour on (a FIFO queue at the
resolution of an hour, computed with one cumulative sum and one binary search). No draws for
the analysts; the tool's two uniforms per post come from the ``listening`` common stream at
the hour, so that paired runs share them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from scrm_sim.scenario.schema import Listening, resolve_shift

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel

HOURS_PER_WEEK = 168


class ListeningDesk:
    """The analysts' screening ledger, the tool, and what listening costs each hour.

    Args:
        model: the model (its config, counters, streams and clock).
        listening: the ownership model's listening block (``is_work`` must hold for
            :meth:`hear` to be used; :meth:`pay` costs nothing otherwise).
    """

    def __init__(self, model: SCRMModel, listening: Listening) -> None:
        self.model = model
        self.spec = listening
        longest = max(720, int(math.ceil(model.config.steps)))  # the ledger grows if a run does
        self.capacity = np.zeros(longest + 721)
        self.used = np.zeros_like(self.capacity)
        self.staff_on_shift = np.zeros(HOURS_PER_WEEK)
        self.hourly_cost = 0.0
        self._streams = model.streams  # the tool's draws: the hour's, shared by paired runs
        self.use(listening, 0)

    def use(self, listening: Listening, from_hour: int) -> None:
        """Staff the desk as ``listening`` says from ``from_hour`` on (a new ownership stage);
        slots already taken stay taken."""
        self.spec = listening
        analysts = listening.analysts
        self.staff_on_shift[:] = 0.0
        self.hourly_cost = 0.0
        if analysts is not None:
            department = self.model.config.company.departments[analysts.department]
            shift = resolve_shift(analysts.shift if analysts.shift is not None else department.shift)
            on = np.array([shift.is_on(h) for h in range(HOURS_PER_WEEK)], dtype=float)
            self.staff_on_shift[:] = analysts.staff * on
            self.hourly_cost = department.hourly_cost
        # whole slots per hour: differences of the floored cumulative capacity, so that a
        # fractional capacity (1.5 analysts at 60 posts an hour) is met exactly on average
        hours = np.arange(from_hour, len(self.capacity))
        rate = self.staff_on_shift[hours % HOURS_PER_WEEK] * (
            analysts.posts_per_hour if analysts is not None else 0.0)
        self.capacity[from_hour:] = np.diff(np.floor(np.concatenate(([0.0], np.cumsum(rate)))))

    def pay(self, hour: int) -> None:
        """Count the hour's listening staff-hours and cost (analysts on shift, the licence)."""
        if self.spec.analysts is None and self.spec.tool is None:
            return  # listening costs nothing under the coverage rule
        counters = self.model.counters
        staff = float(self.staff_on_shift[hour % HOURS_PER_WEEK])
        if staff > 0:
            counters["staff_hours"] += staff
            counters["listening_staff_hours"] += staff
            counters["cost"] += staff * self.hourly_cost
            counters["listening_cost"] += staff * self.hourly_cost
        if self.spec.tool is not None:
            licence = self.spec.tool.licence_per_day / 24.0
            counters["cost"] += licence
            counters["listening_cost"] += licence

    def hear(self, times: np.ndarray, in_scope: np.ndarray, hour: int
             ) -> tuple[np.ndarray, np.ndarray]:
        """Which of this hour's posts are heard, and from when (before the triage delay).

        Args:
            times: posting times of the hour's posts.
            in_scope: posts the programme listens to at all (a pilot's scope).
            hour: the current hour.

        Returns:
            ``(heard, screened_at)``: a mask, and for heard posts the moment the tool or an
            analyst picked them up (the posting time, or the start of a later hour's slot).
        """
        n = len(times)
        heard = np.zeros(n, dtype=bool)
        screened_at = times.copy()
        to_analysts = in_scope.copy()
        tool = self.spec.tool
        if tool is not None:
            draws = self._streams.at("listening", hour)
            picked = in_scope & (draws.random(n) < tool.automated_share)
            kept = draws.random(n) >= tool.miss_rate
            heard |= picked & kept
            to_analysts &= ~picked
        analysts = self.spec.analysts
        if analysts is not None and to_analysts.any():
            queue = np.flatnonzero(to_analysts)
            queue = queue[np.argsort(times[queue], kind="stable")]  # oldest first
            self._reserve(hour + int(analysts.screening_window_hours))
            window = slice(hour, hour + int(analysts.screening_window_hours))
            # slots taken before a cut in analysts can exceed the new capacity: none free
            free = np.maximum(self.capacity[window] - self.used[window], 0.0)
            slot = np.searchsorted(np.cumsum(free), np.arange(len(queue)), side="right")
            screened = slot < len(free)
            np.add.at(self.used, hour + slot[screened], 1.0)
            heard[queue[screened]] = True
            screened_at[queue[screened]] = np.maximum(times[queue[screened]],
                                                      hour + slot[screened])
        return heard, screened_at

    def _reserve(self, hour: int) -> None:
        """Grow the ledger past ``hour`` (runs continued beyond their planned length)."""
        if hour < len(self.capacity):
            return
        old = len(self.capacity)
        self.capacity = np.concatenate((self.capacity, np.zeros(max(old, hour + 1 - old))))
        self.used = np.concatenate((self.used, np.zeros(len(self.capacity) - old)))
        self.use(self.spec, old)
