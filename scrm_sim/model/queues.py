"""A multi-server, non-preemptive priority queue advanced in continuous time.

The model steps in hours, but waiting and service happen at event times inside
the hour (VALIDATION.md): a server that frees at 10:17 takes the highest-priority
post that has arrived by then, first come first served within a priority. With one
priority, exponential handling and c identical servers this is exactly M/M/c
(checked against Erlang C in ``tests/validation``).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np


class Server(Protocol):
    """What the queue needs of a staff member."""

    busy_until: float


# serve(post, server, start) -> time the server is free again
ServeFn = Callable[[int, Server, float], float]
# (post id or array of ids, moment) -> whether it still needs serving at that moment
IsLiveFn = Callable[[Any, float], Any]


class ServiceQueue:
    """Posts waiting for one pool of servers (the hub, a department, approvals)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._arrivals: list[tuple[float, int, int, float]] = []  # (arrival, seq, post, priority)
        self._ready: list[tuple[float, float, int, int]] = []  # (-priority, arrival, seq, post)
        self._seq = itertools.count()
        # statistics for Little's law: posts admitted, waiting time of those served, and
        # the queue length sampled at the end of every step
        self.added = 0
        self.served = 0
        self.total_wait_hours = 0.0
        self.length_samples: list[int] = []  # at a uniformly random moment of each step
        self._started: list[tuple[float, float]] = []  # (arrival, start) served in the last run
        self._abandoned_before = 0
        self.abandoned: list[tuple[int, float]] = []  # (post, arrival) skipped as no longer live

    def add(self, post: int, arrival: float, priority: float) -> None:
        """Queue a post that arrives at ``arrival`` (possibly in a later step)."""
        heapq.heappush(self._arrivals, (arrival, next(self._seq), post, priority))
        self.added += 1

    def run(
        self, t0: float, t1: float, servers: Sequence[Server], serve: ServeFn, is_live: IsLiveFn
    ) -> None:
        """Serve posts with the given on-duty servers over [t0, t1).

        Posts for which ``is_live(post, now)`` is false when a server reaches them (answered
        elsewhere by then) are skipped.
        """
        self._started = []
        self._abandoned_before = len(self.abandoned)
        if not servers or (not self._ready
                           and (not self._arrivals or self._arrivals[0][0] >= t1)):
            return  # nobody to serve, or nothing waiting that arrives before the hour ends
        free = [(max(s.busy_until, t0), i) for i, s in enumerate(servers)]
        heapq.heapify(free)
        while free and free[0][0] < t1:
            now, index = free[0]
            self._admit(now)
            self._skip_settled(now, is_live)
            if not self._ready:
                next_arrival = self._next_live_arrival(is_live)
                if next_arrival is None or next_arrival >= t1:
                    break
                now = next_arrival  # the server idles until the next post arrives
                self._admit(now)
                self._skip_settled(now, is_live)
            _, arrival, _, post = heapq.heappop(self._ready)
            heapq.heappop(free)
            self.served += 1
            self.total_wait_hours += now - arrival
            self._started.append((arrival, now))
            done = serve(post, servers[index], now)
            servers[index].busy_until = done
            heapq.heappush(free, (done, index))

    def waiting(self, at: float, is_live: IsLiveFn) -> int:
        """Live posts that have arrived by ``at`` and not started."""
        posts = self.unstarted(at)
        return int(np.count_nonzero(is_live(np.asarray(posts, dtype=np.int64), at))) if posts else 0

    def unstarted(self, at: float) -> list[int]:
        """Posts that have arrived by ``at`` and not started, live or not (posts answered
        elsewhere leave only when a server reaches them, so the caller tests liveness)."""
        if not self._ready and not (self._arrivals and self._arrivals[0][0] < at):
            return []
        posts = [entry[3] for entry in self._ready]
        posts += [entry[2] for entry in self._arrivals if entry[0] < at]
        return posts

    def sample_length(self, at: float, left_at: Callable[[int], float]) -> None:
        """Record how many posts were waiting at a moment ``at`` inside the last step.

        ``left_at(post)`` is when a post stopped needing service elsewhere (answered by the
        community), or infinity. Sampling at a uniformly random moment, rather than at the
        end of the step, makes the mean of the samples an unbiased estimate of the
        time-average queue length (used to check Little's law).
        """
        if not (self._started or self._ready or self._arrivals):
            self.length_samples.append(0)
            return
        waiting = sum(1 for arrival, start in self._started if arrival <= at < start)
        unserved = self.entries() + self.abandoned[self._abandoned_before :]
        waiting += sum(1 for post, arrival in unserved if arrival <= at < left_at(post))
        self.length_samples.append(waiting)

    def entries(self) -> list[tuple[int, float]]:
        """Every (post, arrival) still held, live or not, arrived or not."""
        return [(p, a) for _, a, _, p in self._ready] + [(p, a) for a, _, p, _ in self._arrivals]

    def drain(self) -> list[tuple[int, float, float]]:
        """Remove and return every queued post as (post, arrival, priority)."""
        posts = [(p, a, pr) for a, _, p, pr in self._arrivals]
        posts += [(p, a, -neg) for neg, a, _, p in self._ready]
        self._arrivals.clear()
        self._ready.clear()
        return posts

    def _admit(self, now: float) -> None:
        while self._arrivals and self._arrivals[0][0] <= now:
            arrival, seq, post, priority = heapq.heappop(self._arrivals)
            heapq.heappush(self._ready, (-priority, arrival, seq, post))

    def _skip_settled(self, now: float, is_live: IsLiveFn) -> None:
        while self._ready and not is_live(self._ready[0][3], now):
            _, arrival, _, post = heapq.heappop(self._ready)
            self.abandoned.append((post, arrival))

    def _next_live_arrival(self, is_live: IsLiveFn) -> float | None:
        while self._arrivals and not is_live(self._arrivals[0][2], self._arrivals[0][0]):
            arrival, _, post, _ = heapq.heappop(self._arrivals)
            self.abandoned.append((post, arrival))
        return self._arrivals[0][0] if self._arrivals else None
