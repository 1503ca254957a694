"""One validation check: what theory expects, what the model measured, and the verdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Check:
    """Expected against measured, with the interval and the rule that decide it.

    ``passed`` is computed by the check from its stated tolerance, never set by hand.
    """

    group: str
    name: str
    expected: float
    measured: float
    low: float
    high: float
    tolerance: str
    passed: bool

    def as_row(self) -> dict[str, object]:
        """The check as a table row."""
        return asdict(self)


def inside(expected: float, low: float, high: float) -> bool:
    """Whether the expected value lies in the measured interval."""
    return bool(low <= expected <= high)
