"""Posts to the brand, stored as growable numpy columns (one row per post)."""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from scrm_sim.scenario.schema import POST_TYPES


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

TYPE_CODE: dict[str, int] = {str(t): i for i, t in enumerate(POST_TYPES)}

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
    """Columns of every post of a run; rows are appended, never removed."""

    def __init__(self, initial_capacity: int = 4096) -> None:
        self.size = 0
        self._capacity = initial_capacity
        self.columns: dict[str, np.ndarray] = {
            name: np.full(initial_capacity, fill, dtype=dtype)
            for name, (dtype, fill) in _COLUMNS.items()
        }

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
        n = len(authors)
        self._reserve(self.size + n)
        rows = np.arange(self.size, self.size + n)
        cols = self.columns
        cols["author"][rows] = authors
        cols["post_type"][rows] = post_type
        cols["time_posted"][rows] = times
        cols["expected_reply_hours"][rows] = expected
        self.size += n
        return rows

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
        for name, (dtype, fill) in _COLUMNS.items():
            grown = np.full(capacity, fill, dtype=dtype)
            grown[: self.size] = self.columns[name][: self.size]
            self.columns[name] = grown
        self._capacity = capacity
