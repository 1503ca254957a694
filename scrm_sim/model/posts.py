"""Posts to the brand, stored as growable numpy columns (one row per post), each with a
block of uniforms drawn as it is posted for every random decision about it (:class:`Draw`)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from scrm_sim.scenario.schema import POST_TYPES

if TYPE_CHECKING:
    from scrm_sim.model.streams import CommonStreams


class PostStatus(IntEnum):
    """Where a post is. Every post is in exactly one status at any time."""

    PENDING = 0  # posted, no reply yet (in listening, a queue, service or a hand-off)
    ANSWERED = 1  # acknowledged publicly, resolution still pending
    RESOLVED = 2  # resolved by the company or, on a community platform, by other customers
    DROPPED = 3  # never heard, ignored by priority, or lost in a hand-off


class DropReason(IntEnum):
    """Why a post was dropped."""

    NONE = 0
    UNHEARD = 1
    IGNORED = 2
    LOST_IN_HANDOFF = 3


# dropped by the programme without a word to the customer: anyone outside it (a rogue
# department) may still answer
SILENTLY_DROPPED = (DropReason.UNHEARD, DropReason.IGNORED)

# The codes as plain ints, for per-post code that reads one post's values: comparing a numpy
# scalar with an IntEnum member, or testing it against a tuple of them, takes several times longer.
ANSWERED_CODE, RESOLVED_CODE, DROPPED_CODE = (int(PostStatus.ANSWERED), int(PostStatus.RESOLVED),
                                              int(PostStatus.DROPPED))
SILENTLY_DROPPED_CODES = frozenset(int(reason) for reason in SILENTLY_DROPPED)

TYPE_CODE: dict[str, int] = {str(t): i for i, t in enumerate(POST_TYPES)}

STORED_HOPS = 3  # hand-off hops with stored draws (the default max_hops); later hops draw afresh


class Draw(IntEnum):
    """Slots of a post's block of uniforms (common random numbers across ownership models).

    Every random decision about a post reads its own slot, turned into the draw it needs by
    the inverse of its distribution, so that two ownership models facing the same post
    decide with the same uniform. Slots are named for the task, not the place: a post
    answered at the hub in one model and by a department in another gets the same
    answering time's uniform. The first slots are read one post at a time with
    :meth:`PostStore.take`, each at most once; the rest at triage, for a whole hour's posts.
    """

    TRIAGE_HOURS = 0  # the front line reads, acknowledges and forwards a post it hands off
    ANSWER_HOURS = 1  # whoever resolves it: the hub or a department's resolver
    APPROVAL_HOURS = 2
    ROGUE_HOURS = 3
    ACKNOWLEDGE_VOICE = 4  # the front line's acknowledgement of a hand-off on the brand voice
    ANSWER_VOICE = 5  # the resolution on the brand voice (unreviewed)
    ROGUE_VOICE = 6
    LEAD_CONVERSION = 7  # a purchase intent answered by a department with the skill
    HOP_LOSS = 8  # hop h of a hand-off is lost: slot HOP_LOSS + 2h (h < STORED_HOPS)
    HOP_DELAY = 9  # its delay: slot HOP_DELAY + 2h
    HEARD = 8 + 2 * STORED_HOPS  # listening coverage
    LISTENING_DELAY = HEARD + 1
    COMMUNITY = HEARD + 2  # answered by the community (a share, or its members)
    COMMUNITY_DELAY = HEARD + 3
    ROGUE_ANSWERS = HEARD + 4  # a rogue department answers it: + the department's index


TAKEN_ONCE = Draw.HEARD  # slots below this are taken one at a time, each at most once


def hop_slot(first: Draw, hop: int) -> int:
    """The slot of hop ``hop`` (< ``STORED_HOPS``) of a hand-off, for ``first`` =
    ``Draw.HOP_LOSS`` or ``Draw.HOP_DELAY``: each hop has a loss and a delay slot in turn."""
    return first + 2 * hop


_COLUMNS: dict[str, tuple[type, float | int]] = {
    "author": (np.int64, -1),
    "post_type": (np.int8, -1),
    "time_posted": (np.float64, np.nan),
    "expected_reply_hours": (np.float64, np.nan),
    "status": (np.int8, PostStatus.PENDING),
    "drop_reason": (np.int8, DropReason.NONE),
    "time_heard": (np.float64, np.nan),
    "time_first_handled": (np.float64, np.nan),  # a staff member starts on it (queue wait ends)
    "time_first_response": (np.float64, np.nan),
    "time_resolved": (np.float64, np.nan),
    "handoffs": (np.int16, 0),
    "on_voice": (np.int8, -1),  # -1 no brand reply yet, 0 off the brand voice, 1 on it
    "community_answered": (np.bool_, False),
    "cascade": (np.int64, -1),  # grievance cascade started by this post's silence
    "fate_draw": (np.float64, np.nan),  # uniform for the author's reaction to silence (CRN)
    # earliest moment the post stopped needing the company's service (a community answer
    # or a resolution already scheduled): staff do not start on it after this
    "time_settled": (np.float64, np.inf),
}


class PostStore:
    """Columns of every post of a run; rows are appended, never removed.

    Each post gets its block of uniforms (:class:`Draw`) as it is appended: the k-th post
    appended in hour h gets the k-th block of the ``post_draws`` stream of hour h, whatever
    the ownership model. The blocks are float32: 24 bits resolve a probability to 6·10⁻⁸
    and cut an exponential draw at 16.6 means (a tail of 6·10⁻⁸), at half the memory of
    float64 (4 bytes a slot; about 100 bytes a post with seven departments).
    """

    def __init__(self, streams: CommonStreams, departments: Sequence[str],
                 initial_capacity: int = 4096) -> None:
        self.size = 0
        self._capacity = initial_capacity
        self.columns: dict[str, np.ndarray] = {
            name: np.full(initial_capacity, fill, dtype=dtype)
            for name, (dtype, fill) in _COLUMNS.items()
        }
        self._streams = streams
        # one rogue slot per department of the company (not of the model), so that the
        # block's layout is the same under every ownership model
        self.department_index = {name: i for i, name in enumerate(departments)}
        # one row per post, as the columns (rows from ``size`` on are not posts yet)
        self.draws = np.zeros((initial_capacity, Draw.ROGUE_ANSWERS + len(departments)),
                              dtype=np.float32)
        # bit s set: slot s (< TAKEN_ONCE) has been taken
        self._taken = np.zeros(initial_capacity, dtype=np.uint16)
        self._draw_hour: int | None = None
        self._draw_rng: np.random.Generator | None = None

    def __len__(self) -> int:
        return self.size

    def __getattr__(self, name: str) -> np.ndarray:
        columns = self.__dict__.get("columns")
        if columns is not None and name in columns:
            return columns[name][: self.size]
        raise AttributeError(name)

    def append(
        self, authors: np.ndarray, post_type: int, times: np.ndarray, expected: np.ndarray
    ) -> np.ndarray:
        """Add posts of one type; returns their row ids."""
        start, stop = self.size, self.size + len(authors)
        self._reserve(stop)
        new = slice(start, stop)  # the new rows are consecutive: slices write faster than ids
        cols = self.columns
        cols["author"][new] = authors
        cols["post_type"][new] = post_type
        cols["time_posted"][new] = times
        cols["expected_reply_hours"][new] = expected
        self._draw_blocks(new, times)
        self.size = stop
        return np.arange(start, stop)

    def uniforms(self, rows: np.ndarray, slot: int) -> np.ndarray:
        """The uniforms in ``slot`` of posts ``rows`` (for the draws of triage, once a post)."""
        # the slot's column first (a view), then the rows: half the time of draws[rows, slot]
        return self.draws[:, slot][rows].astype(np.float64)

    def take(self, post: int, slot: int, fallback: np.random.Generator) -> float:
        """The post's uniform in ``slot`` (below ``TAKEN_ONCE``) the first time it is asked
        for; afterwards a fresh draw from ``fallback``.

        A post can meet the same task twice (handed back to the hub when its department
        loses its resolvers and handed off again, or answered by two rogue departments).
        Reusing the slot would make the two draws equal instead of independent; a fresh
        draw keeps them independent, at the cost of pairing for these rare second times.
        """
        bit = 1 << slot
        taken = int(self._taken[post])
        if taken & bit:
            return float(fallback.random())
        self._taken[post] = taken | bit
        return float(self.draws[post, slot])

    def _draw_blocks(self, rows: slice, times: np.ndarray) -> None:
        """Draw the new posts' blocks from the stream of the hour they are posted in (that
        of the first of them). Posts of a later hour than any before start that hour's
        stream; others continue the current one, so that no block is ever drawn twice (posts
        placed out of time order, as validation code does, still get fresh draws). The store
        is the only user of ``post_draws``, so nothing re-keys the hour's generator between
        appends."""
        if len(times) == 0:
            return
        hour = int(times[0] // 1.0)
        if self._draw_hour is None or hour > self._draw_hour:
            self._draw_hour, self._draw_rng = hour, self._streams.at("post_draws", hour)
        self.draws[rows] = self._draw_rng.random((len(times), self.draws.shape[1]),
                                                 dtype=np.float32)

    def status_counts(self) -> dict[str, int]:
        """Number of posts in each status."""
        counts = np.bincount(self.status, minlength=len(PostStatus))
        return {s.name.lower(): int(counts[s]) for s in PostStatus}

    def to_frame(self):  # noqa: ANN201 - pandas imported lazily to keep the model light
        """All posts as a pandas DataFrame."""
        import pandas as pd

        frame = pd.DataFrame({name: col[: self.size] for name, col in self.columns.items()})
        frame["post_type"] = [str(POST_TYPES[c]) for c in frame["post_type"]]
        frame["status"] = [PostStatus(s).name.lower() for s in frame["status"]]
        frame["drop_reason"] = [DropReason(s).name.lower() for s in frame["drop_reason"]]
        return frame

    def _reserve(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        capacity = max(needed, 2 * self._capacity)
        for name, (_, fill) in _COLUMNS.items():
            self.columns[name] = self._grown(self.columns[name], capacity, fill)
        self.draws = self._grown(self.draws, capacity, 0)
        self._taken = self._grown(self._taken, capacity, 0)
        self._capacity = capacity

    def _grown(self, array: np.ndarray, capacity: int, fill: float | int) -> np.ndarray:
        """``array`` with room for ``capacity`` posts: the posts' rows kept, the rest ``fill``."""
        grown = np.full((capacity, *array.shape[1:]), fill, dtype=array.dtype)
        grown[: self.size] = array[: self.size]
        return grown
