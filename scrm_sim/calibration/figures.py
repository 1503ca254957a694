"""Observed figures: what a client sees of its social channels, in one place.

The same function, :func:`figures_from_posts`, turns a table of posts into figures whether
the table comes from a client's export (``scrm-sim observe``) or from a simulated run
(:func:`figures_from_model`). A calibration therefore compares a simulation with the client
on identical definitions: volume per post type per day, the hour-of-day and weekday
profiles, the reply rate, first-response quantiles, the share answered within the SLA and
the share resolved; survey figures (satisfaction, NPS, churn) are typed in by the consultant.

The table of posts has one row per post and these columns (:data:`POST_COLUMNS`):

- ``posted_hour``: hours since the period's start (midnight of its first day), ≥ 0;
- ``post_type``: one of :data:`~scrm_sim.scenario.schema.POST_TYPES`;
- ``first_response_hours``: hours from the post to the company's first response, NaN if none;
- ``resolved``: whether the post was resolved.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Self

import numpy as np
import yaml
from pydantic import Field, model_validator

from scrm_sim.scenario.schema import POST_TYPES, PostType, StrictModel, unit

if TYPE_CHECKING:
    import pandas as pd

    from scrm_sim.model.model import SCRMModel

POST_COLUMNS = ("posted_hour", "post_type", "first_response_hours", "resolved")

# The model's hour 0 is a Monday 00:00 (Shift.is_on); a simulated period starts on one.
SIMULATED_START = datetime(2026, 1, 5)

Share = Annotated[float, Field(ge=0.0, le=1.0)]
Hours = Annotated[float, Field(ge=0.0)]


class ResponseQuantiles(StrictModel):
    """Quantiles of the first-response time among the posts that got a response."""

    p50: Hours | None = Field(None, description="Median first response.",
                              json_schema_extra=unit("hours"))
    p90: Hours | None = Field(None, description="90th percentile of the first response.",
                              json_schema_extra=unit("hours"))


class Survey(StrictModel):
    """Figures the consultant adds from surveys or the CRM; each is optional."""

    satisfaction: Annotated[float, Field(ge=0.0, le=100.0)] | None = Field(
        None, description="Mean satisfaction of the customers at the period's end, on the "
        "model's 0–100 scale (a CSAT rescaled to 0–100).",
        json_schema_extra=unit("0–100"))
    nps: Annotated[float, Field(ge=-100.0, le=100.0)] | None = Field(
        None, description="Net promoter score at the period's end.",
        json_schema_extra=unit("−100 to 100"))
    churn_rate: Share | None = Field(
        None, description="Customers lost over the period, as a share of those at its start.",
        json_schema_extra=unit("share 0–1"))


class RowCounts(StrictModel):
    """What happened to the export's rows: every row is counted, none silently dropped."""

    read: int = Field(0, ge=0, description="Data rows in the export.", json_schema_extra=unit("rows"))
    used: int = Field(0, ge=0, description="Rows the figures are computed from.",
                      json_schema_extra=unit("rows"))
    bad: dict[str, int] = Field(
        default_factory=dict, description="Rows left out, by reason (e.g. 'unparseable "
        "timestamp').", json_schema_extra=unit("rows"))


class ObservedFigures(StrictModel):
    """Everything in ``observed.yaml``."""

    source: str = Field("", description="The export the figures were computed from.",
                        json_schema_extra=unit("—"))
    start: datetime = Field(SIMULATED_START, description="Midnight of the period's first day.",
                            json_schema_extra=unit("date and time"))
    days: Annotated[float, Field(gt=0.0)] = Field(
        ..., description="Length of the observed period.", json_schema_extra=unit("days"))
    sla_hours: Annotated[float, Field(gt=0.0)] = Field(
        1.0, description="Reply target the share within the SLA is counted against.",
        json_schema_extra=unit("hours"))
    posts: int = Field(..., ge=0, description="Posts in the period.", json_schema_extra=unit("posts"))
    volume_per_day: dict[PostType, Hours] = Field(
        ..., description="Posts per day by type.", json_schema_extra=unit("posts per day"))
    hour_of_day_profile: list[Hours] = Field(
        ..., description="24 relative hourly volumes (mean 1; all 1 with no posts).",
        json_schema_extra=unit("relative volume (mean 1)"))
    weekday_profile: list[Hours] = Field(
        ..., description="7 relative daily volumes, Monday first (mean 1).",
        json_schema_extra=unit("relative volume (mean 1)"))
    reply_rate: Share | None = Field(
        None, description="Share of posts with a company response.",
        json_schema_extra=unit("share 0–1"))
    first_response_hours: ResponseQuantiles = Field(default_factory=ResponseQuantiles)
    share_within_sla: Share | None = Field(
        None, description="Share of all posts first answered within sla_hours.",
        json_schema_extra=unit("share 0–1"))
    share_resolved: Share | None = Field(
        None, description="Share of posts resolved.", json_schema_extra=unit("share 0–1"))
    survey: Survey = Field(default_factory=Survey)
    rows: RowCounts = Field(default_factory=RowCounts)

    @model_validator(mode="after")
    def _profiles_have_their_lengths(self) -> Self:
        if len(self.hour_of_day_profile) != 24:
            raise ValueError(f"hour_of_day_profile needs 24 values, got {len(self.hour_of_day_profile)}")
        if len(self.weekday_profile) != 7:
            raise ValueError(f"weekday_profile needs 7 values, got {len(self.weekday_profile)}")
        return self

    def statistics(self) -> dict[str, float]:
        """The figures as one flat mapping name → number, the summary statistics of a
        calibration. Figures that are not known (None) are left out."""
        flat: dict[str, float | None] = {"posts_per_day": self.posts / self.days}
        flat |= {f"volume_per_day.{t}": v for t, v in self.volume_per_day.items()}
        flat |= {f"hour_of_day_profile.{h}": v for h, v in enumerate(self.hour_of_day_profile)}
        flat |= {f"weekday_profile.{d}": v for d, v in enumerate(self.weekday_profile)}
        flat |= {"reply_rate": self.reply_rate, "share_within_sla": self.share_within_sla,
                 "share_resolved": self.share_resolved,
                 "first_response_hours.p50": self.first_response_hours.p50,
                 "first_response_hours.p90": self.first_response_hours.p90}
        flat |= {f"survey.{k}": v for k, v in self.survey.model_dump().items()}
        return {k: float(v) for k, v in flat.items() if v is not None}

    def write(self, path: Path) -> None:
        """Write as YAML (keys in the schema's order)."""
        data = self.model_dump(mode="json")
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _profile(counts: np.ndarray) -> list[float]:
    """Counts relative to their mean (all 1 when there are none)."""
    mean = counts.mean()
    return [float(c / mean) if mean > 0 else 1.0 for c in counts]


def figures_from_posts(posts: pd.DataFrame, *, days: float, sla_hours: float,
                       start: datetime = SIMULATED_START, source: str = "",
                       survey: Survey | None = None,
                       rows: RowCounts | None = None) -> ObservedFigures:
    """The observed figures of a table of posts (columns :data:`POST_COLUMNS`, see the
    module docstring) over a period of ``days`` starting at ``start``.

    Posts whose first response is missing count as unanswered; a response after ``sla_hours``
    counts as answered but not within the SLA. Quantiles are over answered posts only.
    """
    posted = posts["posted_hour"].to_numpy(float)
    waits = posts["first_response_hours"].to_numpy(float)
    answered = ~np.isnan(waits)
    n = len(posts)
    by_type = posts["post_type"].astype(str).value_counts()
    hour_of_day = np.floor(posted).astype(np.int64) % 24
    # the weekday of each post: the start's weekday plus whole days since the start
    weekday = (start.weekday() + np.floor(posted / 24.0).astype(np.int64)) % 7

    def share(mask: np.ndarray) -> float | None:
        return float(mask.mean()) if n else None

    def quantile(q: float) -> float | None:
        return float(np.quantile(waits[answered], q)) if answered.any() else None

    return ObservedFigures(
        source=source, start=start, days=days, sla_hours=sla_hours, posts=n,
        volume_per_day={t: float(by_type.get(str(t), 0)) / days for t in POST_TYPES},
        hour_of_day_profile=_profile(np.bincount(hour_of_day, minlength=24)),
        weekday_profile=_profile(np.bincount(weekday, minlength=7)),
        reply_rate=share(answered),
        first_response_hours=ResponseQuantiles(p50=quantile(0.5), p90=quantile(0.9)),
        share_within_sla=share(answered & (waits <= sla_hours)),
        share_resolved=share(posts["resolved"].to_numpy(bool)),
        survey=survey or Survey(),
        rows=rows or RowCounts(read=n, used=n),
    )


def posts_of_model(model: SCRMModel) -> pd.DataFrame:
    """A simulated run's posts as the table :func:`figures_from_posts` reads."""
    import pandas as pd

    from scrm_sim.model.posts import PostStatus

    store = model.posts
    return pd.DataFrame({
        "posted_hour": store.time_posted,
        "post_type": [str(POST_TYPES[code]) for code in store.post_type],
        "first_response_hours": store.time_first_response - store.time_posted,
        "resolved": store.status == PostStatus.RESOLVED,
    })


def figures_from_model(model: SCRMModel) -> ObservedFigures:
    """The figures a client would observe of a finished simulated run, survey included
    (satisfaction and NPS at the end, churn over the run)."""
    summary = model.summary()

    def known(value: float) -> float | None:  # NaN when no customer is left
        return None if np.isnan(value) else float(value)

    survey = Survey(satisfaction=known(100.0 * summary["satisfaction_final"]),
                    nps=known(summary["nps_final"]),
                    churn_rate=known(min(1.0, summary["churn_rate"])))
    return figures_from_posts(posts_of_model(model), days=model.hour / 24.0,
                              sla_hours=model.config.sla_hours, source="simulated",
                              survey=survey)
