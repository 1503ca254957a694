"""One paired difference between two ownership models on one metric, and how it reads.

Replication r of every model runs on the same seed (common random numbers), so model A
and model B are compared within pairs: the mean of the paired differences A − B with a
Student-t 95% interval over replications (``statistics.paired_differences``). A
difference is read in three ways, in this order:

* *practically negligible* when it is smaller than the metric's ``negligible`` threshold in
  the catalogue (``labels.Metric``; relative metrics against the better model's value):
  it reads "practically the same", whatever its interval;
* *within the noise* when its 95% interval includes zero: the replications do not tell
  which model is ahead, and it reads so;
* otherwise as a plain statement with its interval: "answers 7.0 points more posts within
  the SLA (95% CI 5.1 to 8.9)".

Counts and cost (``relative`` in the catalogue) are stated in percent of model B's value
when both models' values are positive ("costs 11% more"), else in their units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scrm_sim.analysis.labels import Metric, metric
from scrm_sim.analysis.statistics import mean_ci

# what a positive and a negative difference A − B say about A, with {x} the size and its unit
PHRASES: dict[str, tuple[str, str]] = {
    "share_within_sla": ("answers {x} more posts within the SLA",
                         "answers {x} fewer posts within the SLA"),
    "complaints_within_sla": ("answers {x} more complaints within the SLA",
                              "answers {x} fewer complaints within the SLA"),
    "share_answered": ("answers {x} more posts", "answers {x} fewer posts"),
    "share_resolved": ("resolves {x} more posts", "resolves {x} fewer posts"),
    "first_response_p50_hours": ("replies {x} slower (median first response)",
                                 "replies {x} faster (median first response)"),
    "first_response_p90_hours": ("replies {x} slower (90th percentile)",
                                 "replies {x} faster (90th percentile)"),
    "satisfaction_final": ("leaves customers {x} more satisfied",
                           "leaves customers {x} less satisfied"),
    "satisfaction_mean": ("keeps customers {x} more satisfied",
                          "keeps customers {x} less satisfied"),
    "churn_rate": ("has {x} more churn", "has {x} less churn"),
    "churned": ("loses {x} more customers", "loses {x} fewer customers"),
    "acquired": ("wins {x} more customers", "wins {x} fewer customers"),
    "net_customer_growth": ("grows by {x} more customers", "grows by {x} fewer customers"),
    "leads_converted": ("converts {x} more leads", "converts {x} fewer leads"),
    "negative_wom_reach": ("spreads {x} more negative word of mouth",
                           "spreads {x} less negative word of mouth"),
    "cost": ("costs {x} more", "costs {x} less"),
    "staff_hours": ("uses {x} more staff-hours", "uses {x} fewer staff-hours"),
}


@dataclass(frozen=True)
class Difference:
    """The paired difference A − B on one metric, in display units."""

    metric: str
    a: str
    b: str
    mean: float
    low: float
    high: float
    pairs: int
    a_value: float
    """A's mean, display units."""
    b_value: float

    @property
    def shown(self) -> Metric:
        """The metric's display rules."""
        return metric(self.metric)

    @property
    def in_percent(self) -> bool:
        """Whether the size reads in percent of B's value (counts and cost)."""
        return self.shown.relative and self.a_value > 0 and self.b_value > 0

    @property
    def negligible(self) -> bool:
        """Smaller than the catalogue's threshold of a difference that matters."""
        return is_negligible(self.metric, self.mean, self.a_value, self.b_value)

    @property
    def within_noise(self) -> bool:
        """The 95% interval includes zero: the replications do not say which is ahead."""
        return bool(self.low <= 0 <= self.high)

    @property
    def a_better(self) -> int:
        """+1 when A is better, −1 when worse, 0 when the metric has no better direction
        or the difference is negligible or within the noise."""
        if self.negligible or self.within_noise or not self.shown.direction:
            return 0
        return int(np.sign(self.mean * self.shown.direction))

    def number(self, value: float) -> str:
        """A size without sign or unit, in the difference's units (display units, or
        percent of B's value)."""
        value = abs(value)
        if self.in_percent:
            # one precision for the mean and its interval: whole percent from 10% up
            decimals = 0 if 100 * abs(self.mean) / self.b_value >= 10 else 1
            return f"{100 * value / self.b_value:.{decimals}f}"
        return self.shown.format.format(value)

    def unit(self) -> str:
        """The unit of a size: "%", "points", "hours", …"""
        return "%" if self.in_percent else unit_word(self.shown)

    def size(self, value: float) -> str:
        """A size (no sign) with its unit: "7.0 points", "11%", "0.25 hours"."""
        return _with_unit(self.number(value), self.unit())

    def interval(self) -> str:
        """"95% CI a to b unit", as sizes in the direction of the mean (a ≤ b)."""
        sign = 1 if self.mean >= 0 else -1
        low, high = self.low, self.high
        shown = self.shown
        if shown.lower is not None and shown.upper is not None and not self.in_percent:
            # two values of a bounded quantity differ by at most its range (a t-interval
            # over few replications can reach past it)
            span = (shown.upper - shown.lower) * shown.scale
            low, high = max(low, -span), min(high, span)
        low, high = sorted((sign * low, sign * high))
        ends = [("−" if v < 0 and not _is_zero(self.number(v)) else "") + self.number(v)
                for v in (low, high)]
        return f"95% CI {ends[0]} to {_with_unit(ends[1], self.unit())}"

    def signed(self) -> str:
        """The size with its sign: "+0.3 points", "−11%"."""
        size = self.size(self.mean)
        if _is_zero(size):
            return size
        return ("+" if self.mean > 0 else "−") + size

    def statement(self, say_noise: bool = True) -> str:
        """What A does compared with B, as a verb phrase with the interval: "answers 7.0
        points more posts within the SLA (95% CI 5.1 to 8.9 points)", or "…, within the noise
        of the replications (95% CI −0.5 to 4.5 points)" (unless ``say_noise`` is false,
        for a sentence that says so itself)."""
        label = self.shown.label
        more, less = PHRASES.get(self.metric, (f"has {{x}} more {label}",
                                               f"has {{x}} less {label}"))
        text = (more if self.mean > 0 else less).format(x=self.size(self.mean))
        if self.within_noise and say_noise:
            return f"{text}, within the noise of the replications ({self.interval()})"
        return f"{text} ({self.interval()})"

    def same(self) -> str:
        """A negligible difference: "customer satisfaction at the end (+0.3 points, below
        the threshold of 1 point)". Shown to two significant digits, so that 0.96 does not
        read as the threshold of 1 it is below."""
        if self.in_percent:
            size = self.signed()
        else:
            number = f"{abs(self.mean):.2g}"
            if float(number) >= self.shown.negligible:
                number = f"{abs(self.mean):.3g}"
            sign = "" if float(number) == 0 else ("+" if self.mean > 0 else "−")
            size = sign + _with_unit(number, self.unit())
        return f"{self.shown.label} ({size}, below the threshold of {threshold_text(self.metric)})"

    def phrase(self) -> str:
        """The difference in plain words: "practically the same …" when negligible, else
        the statement (see module)."""
        if np.isnan(self.mean):
            return f"{self.shown.label}: not measured in every replication"
        if self.negligible:
            return f"practically the same {self.same()}"
        return self.statement()


def is_negligible(column: str, difference: float, a_value: float, b_value: float) -> bool:
    """Whether ``difference`` (display units) between two models whose values are
    ``a_value`` and ``b_value`` is below the catalogue's threshold of a difference that
    matters; relative thresholds are percent of the better model's value."""
    if np.isnan(difference):
        return False
    if difference == 0:
        return True
    shown = metric(column)
    if shown.relative:
        better = (min if shown.direction < 0 else max)(a_value, b_value)
        if better <= 0:  # net growth can be negative: its size is the base then
            better = max(abs(a_value), abs(b_value))
        return bool(better > 0 and 100 * abs(difference) / better < shown.negligible)
    return bool(abs(difference) < shown.negligible)


def unit_word(shown: Metric) -> str:
    """The unit of a size in display units: percentages and 0–100 scales are points."""
    if shown.unit.startswith("%") or shown.unit in ("0–100",):
        return "points"
    if shown.unit in ("ratio", "0–1", "−100 to 100"):
        return "" if shown.unit == "ratio" else "points"
    return shown.unit


def threshold_text(column: str) -> str:
    """The catalogue's negligible threshold of a metric in words: "1 point", "1% of the
    better model's value", "0.25 hours"."""
    shown = metric(column)
    if shown.relative:
        return f"{shown.negligible:g}% of the better model's value"
    unit = unit_word(shown) or "point"
    if shown.negligible == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return f"{shown.negligible:g} {unit}"


def paired_difference(summary: pd.DataFrame, column: str, a: str, b: str,
                      level: float = 0.95) -> Difference:
    """The paired difference A − B on ``column`` (paired by design point and seed), in
    display units; replications where either value is missing are left out."""
    keys = [k for k in ("point", "seed") if k in summary]
    scale = metric(column).scale
    wide = summary[summary["ownership"].isin([a, b])].pivot_table(
        index=keys, columns="ownership", values=column, dropna=False)
    pairs = wide.dropna()
    diff = ((pairs[a] - pairs[b]) * scale).to_numpy(float) if len(pairs) else np.array([])
    mean, low, high = mean_ci(diff, level)
    return Difference(column, a, b, mean, low, high, len(diff),
                      float(pairs[a].mean() * scale) if len(pairs) else np.nan,
                      float(pairs[b].mean() * scale) if len(pairs) else np.nan)


def _with_unit(number: str, unit: str) -> str:
    """"11%", "7.0 points", "3" (no unit)."""
    if unit == "%":
        return f"{number}%"
    return f"{number} {unit}".rstrip()


def _is_zero(text: str) -> bool:
    return not any(ch in "123456789" for ch in text)
