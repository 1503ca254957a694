"""A client's export of social posts, read into the table of posts the observed figures are
computed from (``scrm-sim observe``).

An export is a CSV file with one row per post and a header row. Four columns are read; any
others are ignored. Their names, the client's labels of post types and of resolution, the
timestamp format and the period are set in an export settings file (``export.yaml``,
:class:`ExportSettings`), each with a default:

- ``columns.posted_at`` (default ``posted_at``): when the post was published;
- ``columns.post_type`` (``post_type``): the client's label of the post, mapped to one of the
  model's five types by ``types:`` (label → type, case and surrounding spaces ignored); the
  model's own names (``question``, ``purchase_intent`` or ``purchase intent``…) map to
  themselves;
- ``columns.first_response_at`` (``first_response_at``): when the company first responded;
  an empty cell means no response;
- ``columns.resolved`` (``resolved``): whether the post was resolved, read by
  ``resolved_labels:`` over the defaults :data:`RESOLVED_LABELS` (true/false, yes/no, 1/0,
  resolved/closed/… and open/pending/…); ``null`` when the export has no such column (the
  share resolved is then not observed).

Rows are numbered as a spreadsheet shows them: the header is row 1, the first post row 2.
Every row is either used or counted as bad by the first problem found in it, in the order
of :data:`REASONS`; none is dropped silently. Entirely empty rows (blank lines) are not
posts: they are skipped and not counted as rows, but still numbered.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import Field, field_validator, model_validator

from scrm_sim.calibration.figures import (
    POST_COLUMNS,
    ObservedFigures,
    RowCounts,
    Survey,
    figures_from_posts,
)
from scrm_sim.errors import ExportError, ExportSettingsError, Problem
from scrm_sim.scenario.schema import POST_TYPES, PostType, StrictModel, unit

if TYPE_CHECKING:
    import pandas as pd

MISSING = "missing value"
BAD_TIMESTAMP = "unparseable timestamp"
UNKNOWN_TYPE = "unknown post type"
BAD_RESOLVED = "unparseable resolved flag"
NEGATIVE_RESPONSE = "response before the post"
OUTSIDE_PERIOD = "outside the period"
REASONS = (MISSING, BAD_TIMESTAMP, UNKNOWN_TYPE, BAD_RESOLVED, NEGATIVE_RESPONSE, OUTSIDE_PERIOD)
"""Why a row is bad, in the order rows are checked: a row counts under its first problem."""

RESOLVED_LABELS: dict[str, bool] = {
    **dict.fromkeys(("true", "t", "yes", "y", "1", "resolved", "closed", "solved", "done"), True),
    **dict.fromkeys(("false", "f", "no", "n", "0", "unresolved", "open", "pending", "new",
                     "in progress", "waiting"), False),
}
"""How a resolved flag reads by default (case and surrounding spaces ignored)."""

EXAMPLES_PER_REASON = 3  # rows named per reason in a message; the rest are counted
FIRST_ROW = 2  # the spreadsheet number of the first data row (the header is row 1)
ISO8601 = "ISO8601"


class ExportColumns(StrictModel):
    """The export's names of the columns read (the header's text, surrounding spaces ignored)."""

    posted_at: str = Field("posted_at", description="When the post was published.",
                                  json_schema_extra=unit("column name"))
    post_type: str = Field("post_type", description="The client's label of the post "
                                  "(mapped by types:).", json_schema_extra=unit("column name"))
    first_response_at: str = Field(
        "first_response_at", description="When the company first responded; empty = never.",
        json_schema_extra=unit("column name"))
    resolved: str | None = Field(
        "resolved", description="Whether the post was resolved (read by resolved_labels:); "
        "null if the export has none.", json_schema_extra=unit("column name"))

    @field_validator("*", mode="after")
    @classmethod
    def _stripped(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must name a column of the export (got an empty name)")
        return value.strip() if value is not None else value

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        names = [n for n in self.model_dump().values() if n is not None]
        if len(set(names)) != len(names):
            raise ValueError(f"each column is read for one thing; these repeat: "
                             f"{', '.join(sorted({n for n in names if names.count(n) > 1}))}")
        return self


class Period(StrictModel):
    """The observed period: whole days from midnight of ``start``."""

    start: date = Field(description="First day of the period (its midnight, local time).",
                        json_schema_extra=unit("date, e.g. 2026-01-05"))
    days: Annotated[float, Field(gt=0.0, le=3650.0)] = Field(
        description="Length of the period.", json_schema_extra=unit("days"))


class ExportSettings(StrictModel):
    """Everything in an export settings file (``export.yaml``); every key is optional."""

    columns: ExportColumns = Field(default_factory=ExportColumns)
    types: dict[str, PostType] = Field(
        default_factory=dict, description="The client's post labels → the model's post types "
        "(case ignored), over the model's own names.", json_schema_extra=unit("—"))
    resolved_labels: dict[str, bool] = Field(
        default_factory=dict, description="The client's resolution labels → true/false (case "
        "ignored), over the defaults (true/false, yes/no, 1/0, resolved/closed/solved/done, "
        "unresolved/open/pending/new/in progress/waiting).", json_schema_extra=unit("—"))
    timestamp_format: str = Field(
        ISO8601, description="'ISO8601' (2026-01-05 09:30:00, 2026-01-05T09:30:00+01:00, …) "
        "or a strftime format such as '%d/%m/%Y %H:%M'.", json_schema_extra=unit("—"))
    timezone: str | None = Field(
        None, description="IANA time zone the hours and days are counted in (e.g. "
        "Europe/Berlin): timestamps with a UTC offset are converted to it; those without one "
        "are read as its local time. Null: timestamps are read as written (offsets → UTC).",
        json_schema_extra=unit("—"))
    delimiter: str = Field(
        ",", description="The character between columns (a spreadsheet in some languages "
        "saves ';').", json_schema_extra=unit("—"))
    period: Period | None = Field(
        None, description="The observed period; null: from midnight of the first post's day "
        "to the end of the last post's day. Posts outside a given period are bad rows.")
    sla_hours: Annotated[float, Field(gt=0.0)] = Field(
        1.0, description="The client's reply target, for the share answered within it.",
        json_schema_extra=unit("hours"))
    survey: Survey = Field(default_factory=Survey, description="Survey or CRM figures at the "
                           "period's end, typed in by the consultant.")

    @field_validator("types", "resolved_labels", mode="after")
    @classmethod
    def _labels_differ_in_more_than_case(cls, labels: dict) -> dict:
        folded: dict[str, str] = {}
        for label in labels:
            key = label.strip().casefold()
            if key in folded:
                raise ValueError(f"labels {folded[key]!r} and {label!r} differ only in case or "
                                 "spaces, which are ignored: keep one")
            folded[key] = label
        return labels

    @field_validator("timestamp_format", mode="after")
    @classmethod
    def _a_format(cls, value: str) -> str:
        if value != ISO8601 and "%" not in value:
            raise ValueError(f"must be 'ISO8601' or a strftime format with % directives, such "
                             f"as '%d/%m/%Y %H:%M:%S' (got {value!r})")
        return value

    @field_validator("delimiter", mode="after")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError(f"must be one character, such as ',' or ';' (got {value!r})")
        return value

    @field_validator("timezone", mode="after")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}; give an IANA name such as "
                                 "Europe/Berlin, America/New_York or UTC") from None
        return value

    def type_of_label(self) -> dict[str, PostType]:
        """Folded label → post type: the model's names, then the settings' ``types``."""
        known = {str(t): t for t in POST_TYPES} | {str(t).replace("_", " "): t for t in POST_TYPES}
        return known | {label.strip().casefold(): t for label, t in self.types.items()}

    def resolved_of_label(self) -> dict[str, bool]:
        """Folded label → resolved: the defaults, then the settings' ``resolved_labels``."""
        return RESOLVED_LABELS | {k.strip().casefold(): v for k, v in self.resolved_labels.items()}


def load_settings(path: Path | None) -> ExportSettings:
    """The export settings of ``path`` (all defaults when None), or an
    :class:`~scrm_sim.errors.ExportSettingsError` naming each field."""
    from scrm_sim.scenario.loading import read_validated

    if path is None:
        return ExportSettings()
    if not path.is_file():
        raise ExportSettingsError(path, [Problem("", "file not found" if not path.exists()
                                                 else "is not a file")])
    try:
        return read_validated(path, ExportSettings, ExportSettingsError)
    except ExportSettingsError as exc:  # an empty file: say what leaving out --config does
        exc.problems = [Problem(p.field, "empty file: it sets nothing; leave out --config for "
                                "every default, or write at least one key, e.g. columns:")
                        if p.message.startswith("empty file") else p for p in exc.problems]
        raise


@dataclass
class Export:
    """An export read and checked: its usable posts, its period and its bad rows."""

    posts: pd.DataFrame  # the canonical table (POST_COLUMNS) of the usable rows
    start: datetime  # midnight of the period's first day
    days: float
    read: int  # data rows (not counting entirely empty ones)
    bad: pd.DataFrame  # one row per bad row: row (spreadsheet number), reason, column, detail

    def row_counts(self) -> RowCounts:
        """What happened to the rows, for ``observed.yaml``."""
        counts = self.bad["reason"].value_counts()
        return RowCounts(read=self.read, used=len(self.posts),
                         bad={r: int(counts[r]) for r in REASONS if r in counts})


def read_export(path: Path, settings: ExportSettings) -> Export:
    """Read and check the export at ``path``; every row is used or counted as bad.

    Raises :class:`~scrm_sim.errors.ExportError` when the file cannot be used at all
    (missing, not a CSV text file, empty, no data rows, a column missing).
    """
    import pandas as pd

    from scrm_sim.scenario.problems import did_you_mean

    table = _read_table(path, settings.delimiter)
    columns = settings.columns
    _check_columns(path, table, columns)
    cells = table.apply(lambda col: col.str.strip())
    cells = cells[(cells != "").any(axis=1)]  # blank lines are not posts (still numbered)
    if cells.empty:
        raise ExportError(path, [Problem("", "has a header but no data rows")])
    rows = pd.Series(cells.index + FIRST_ROW, index=cells.index)
    reason = pd.Series(None, index=cells.index, dtype=object)
    column = pd.Series(None, index=cells.index, dtype=object)
    detail = pd.Series("", index=cells.index, dtype=object)

    def flag(mask: pd.Series, why: str, name: str,
             describe: Callable[[pd.Series], pd.Series | str]) -> None:
        new = mask & reason.isna()  # a row counts under its first problem
        if new.any():
            reason[new], column[new] = why, name
            detail[new] = describe(new)

    def shown(name: str, labels: list[str] | None = None) -> Callable[[pd.Series], pd.Series]:
        """The flagged rows' cells as quoted text, with the closest label when ``labels``
        are given."""
        def one(value: str) -> str:
            text = repr(value if len(value) <= 40 else value[:37] + "...")
            return text + (did_you_mean(value, labels) if labels else "")
        return lambda new: cells.loc[new, name].map(one)

    def empty(new: pd.Series) -> str:
        return "is empty"

    required = [columns.posted_at, columns.post_type]
    if columns.resolved is not None:
        required.append(columns.resolved)
    for name in required:
        flag(cells[name] == "", MISSING, name, empty)
    posted = _timestamps(cells[columns.posted_at], settings)
    flag(posted.isna(), BAD_TIMESTAMP, columns.posted_at, shown(columns.posted_at))
    answered = cells[columns.first_response_at] != ""
    response = _timestamps(cells[columns.first_response_at], settings)
    flag(answered & response.isna(), BAD_TIMESTAMP, columns.first_response_at,
         shown(columns.first_response_at))
    type_of_label = settings.type_of_label()
    post_type = cells[columns.post_type].str.casefold().map(type_of_label)
    flag(post_type.isna(), UNKNOWN_TYPE, columns.post_type,
         shown(columns.post_type, [*settings.types, *type_of_label]))
    if columns.resolved is not None:
        resolved_of_label = settings.resolved_of_label()
        resolved = cells[columns.resolved].str.casefold().map(resolved_of_label)
        flag(resolved.isna(), BAD_RESOLVED, columns.resolved,
             shown(columns.resolved, [*settings.resolved_labels, *resolved_of_label]))
    else:
        resolved = pd.Series(False, index=cells.index)
    wait = (response - posted) / pd.Timedelta(hours=1)
    flag(wait < 0, NEGATIVE_RESPONSE, columns.first_response_at, lambda new: (-wait[new]).map(
        lambda hours: f"{hours:.2f} h before {columns.posted_at}"))
    start, days = _period(settings.period, posted[reason.isna()])
    end = start + timedelta(days=days)
    flag((posted < start) | (posted >= end), OUTSIDE_PERIOD, columns.posted_at,
         shown(columns.posted_at))

    good = reason.isna()
    posts = pd.DataFrame({
        "posted_hour": (posted[good] - start) / pd.Timedelta(hours=1),
        "post_type": post_type[good].astype(str),
        "first_response_hours": wait[good].astype(float),
        "resolved": resolved[good].astype(bool),
    }, columns=list(POST_COLUMNS)).reset_index(drop=True)
    bad = pd.DataFrame({"row": rows, "reason": reason, "column": column, "detail": detail})
    bad = bad[~good].reset_index(drop=True)
    return Export(posts=posts, start=start, days=days, read=len(cells), bad=bad)


def check_bad_rows(path: Path, export: Export, settings: ExportSettings,
                   max_bad_share: float = 0.0) -> None:
    """Raise :class:`~scrm_sim.errors.ExportError` when the share of bad rows is above
    ``max_bad_share`` (by default any bad row), naming rows and columns per reason; also when
    no row is left."""
    share = len(export.bad) / export.read
    if share <= max_bad_share and len(export.posts):
        return
    groups = dict(list(export.bad.groupby("reason")))
    problems = [Problem(f"{why} ({len(group):,} row{'s' * (len(group) != 1)})",
                        _examples(group, why, settings))
                for why in REASONS if (group := groups.get(why)) is not None]
    if not len(export.posts):
        allowed = "no row is left to observe"
    elif max_bad_share == 0:
        allowed = ("none is allowed unless --max-bad-share says how many may be left out, "
                   f"e.g. --max-bad-share {_tolerance_hint(share)}")
    else:
        allowed = f"above --max-bad-share {max_bad_share:g} ({max_bad_share:.1%})"
    problems.append(Problem("rows", (
        f"{len(export.bad):,} of {export.read:,} data rows ({share:.1%}) have a problem; "
        f"{allowed}. Rows are numbered as in a spreadsheet (the header is row 1)")))
    raise ExportError(path, problems)


def observe(path: Path, settings: ExportSettings, *, max_bad_share: float = 0.0,
            source: str | None = None) -> tuple[ObservedFigures, Export]:
    """The observed figures of the export at ``path`` and the export as read; bad rows beyond
    ``max_bad_share`` (a share 0–1 of the data rows) raise an
    :class:`~scrm_sim.errors.ExportError`, those within it are left out and counted."""
    export = read_export(path, settings)
    check_bad_rows(path, export, settings, max_bad_share)
    figures = figures_from_posts(export.posts, days=export.days, sla_hours=settings.sla_hours,
                                 start=export.start, source=source or str(path),
                                 survey=settings.survey, rows=export.row_counts())
    if settings.columns.resolved is None:  # not in the export: not observed
        figures.share_resolved = None
    return figures, export


def summary_lines(figures: ObservedFigures) -> list[str]:
    """A short human summary of observed figures: period, rows, volumes, replies, survey."""
    from scrm_sim.analysis.labels import metric

    def share(name: str, value: float | None) -> str:
        return "–" if value is None else f"{metric(name).show(value)}%"

    def hours(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f} h ({value * 60:.0f} min)"

    last = figures.start + timedelta(days=figures.days) - timedelta(seconds=1)
    rows = figures.rows
    bad = sum(rows.bad.values())
    left_out = "" if not bad else f", {bad:,} left out (" + ", ".join(
        f"{n:,} {why}" for why, n in rows.bad.items()) + ")"
    per_type = ", ".join(f"{str(t).replace('_', ' ')} {v:,.1f}"
                         for t, v in figures.volume_per_day.items())
    quantiles = figures.first_response_hours
    lines = [
        f"period       {figures.start:%Y-%m-%d} to {last:%Y-%m-%d} ({figures.days:g} days)",
        f"rows         {rows.read:,} read, {rows.used:,} used{left_out}",
        f"posts        {figures.posts:,} ({figures.posts / figures.days:,.1f} per day)",
        f"per day      {per_type}",
        f"answered     {share('share_answered', figures.reply_rate)} of posts",
        f"first reply  median {hours(quantiles.p50)}, 90th percentile {hours(quantiles.p90)}",
        f"within SLA   {share('share_within_sla', figures.share_within_sla)} of posts "
        f"answered within {figures.sla_hours:g} h",
        f"resolved     {share('share_resolved', figures.share_resolved)} of posts",
    ]
    survey = figures.survey
    known = [text for text, value in (
        (f"satisfaction {survey.satisfaction or 0:.0f}/100", survey.satisfaction),
        (f"NPS {survey.nps or 0:+.0f}", survey.nps),
        (f"churn {share('churn_rate', survey.churn_rate)}", survey.churn_rate))
        if value is not None]
    lines.append(f"survey       {', '.join(known) or 'none given (survey: in the settings)'}")
    return lines


# --------------------------------------------------------------------------- internals


def _read_table(path: Path, delimiter: str) -> pd.DataFrame:
    """The export as text cells (no value is converted or treated as missing), or an
    ExportError saying why it is not a CSV file that can be read."""
    import pandas as pd

    if not path.exists():
        raise ExportError(path, [Problem("", "file not found")])
    if not path.is_file():
        raise ExportError(path, [Problem("", "is not a file (a folder?); give the CSV export")])
    with path.open("rb") as file:
        head = file.read(4096)
    if head.startswith(b"PK\x03\x04"):
        raise ExportError(path, [Problem("", "is a ZIP archive, such as an Excel workbook "
                                         "(.xlsx); save it as CSV (UTF-8, comma-separated)")])
    if b"\x00" in head:
        raise ExportError(path, [Problem("", "is not a CSV text file (it holds binary data or "
                                         "UTF-16 text); save it as CSV (UTF-8)")])
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, sep=delimiter,
                            encoding="utf-8-sig", skip_blank_lines=False)
    except UnicodeDecodeError as exc:
        raise ExportError(path, [Problem("", f"is not UTF-8 text (a bad byte at offset "
                                         f"{exc.start}); save it as CSV (UTF-8)")]) from None
    except pd.errors.EmptyDataError:
        raise ExportError(path, [Problem("", "is empty: no header row, no data")]) from None
    except pd.errors.ParserError as exc:
        message = str(exc).replace("Error tokenizing data. C error: ", "").strip()
        raise ExportError(path, [Problem("", f"is not a well-formed CSV table ({message}); "
                                         "every row needs as many cells as the header")]) \
            from None
    table.columns = [str(c).strip() for c in table.columns]
    return table


def _check_columns(path: Path, table: pd.DataFrame, columns: ExportColumns) -> None:
    """Every column read is in the header, or an ExportError naming each missing one."""
    from scrm_sim.scenario.problems import did_you_mean

    present = list(table.columns)
    listed = ", ".join(repr(c) for c in present)
    problems = []
    for key, name in columns.model_dump().items():
        if name is not None and name not in present:
            same = [c for c in present if c.casefold() == name.casefold()]
            hint = (f" (did you mean {same[0]!r}? names are matched exactly)" if same
                    else did_you_mean(name, present))
            problems.append(Problem(f"columns.{key}", (
                f"column {name!r} is not in the export{hint}; its columns are {listed}")))
    if problems and len(present) == 1 and re.search(r"[;\t|]", present[0]):
        problems.append(Problem("delimiter", (
            "the header reads as one column: are the columns separated by another character? "
            "set delimiter: in the export settings (e.g. delimiter: ';')")))
    if problems:
        problems.append(Problem("columns", "name the export's columns in the settings, e.g. "
                                "columns: {posted_at: created_at} (scrm-sim observe --config)"))
        raise ExportError(path, problems)


_OFFSET = re.compile(r"\d(?:Z|[+-]\d\d(?::?\d\d)?)$")  # an ISO 8601 time's UTC offset


def _timestamps(values: pd.Series, settings: ExportSettings) -> pd.Series:
    """Local wall-clock times (naive), NaT where a value does not parse.

    Timestamps with a UTC offset are converted to ``settings.timezone`` (UTC when none);
    those without one are taken as written, already local.
    """
    import pandas as pd

    fmt = settings.timestamp_format
    parsed = pd.to_datetime(values, format=fmt, errors="coerce", utc=True)
    if "%z" in fmt or "%Z" in fmt:
        with_offset = pd.Series(True, index=values.index)
    elif fmt == ISO8601:
        with_offset = values.str.contains(_OFFSET)
    else:
        with_offset = pd.Series(False, index=values.index)
    converted = parsed.dt.tz_convert(settings.timezone or "UTC").dt.tz_localize(None)
    return parsed.dt.tz_localize(None).where(~with_offset, converted)


def _period(period: Period | None, posted: pd.Series) -> tuple[datetime, float]:
    """The period's first midnight and length in days: as given, else from the first post's
    day to the end of the last post's day."""
    if period is not None:
        return datetime.combine(period.start, datetime.min.time()), period.days
    if posted.empty:
        return datetime(2000, 1, 1), 1.0  # no usable row: check_bad_rows refuses the export
    first, last = posted.min().normalize(), posted.max().normalize()
    return first.to_pydatetime(), float((last - first).days + 1)


def _examples(group: pd.DataFrame, why: str, settings: ExportSettings) -> str:
    """The first few rows of one reason, each with its column and value, and what is allowed."""
    shown = "; ".join(f"row {r.row}, column {r.column!r}: {r.detail}"
                      for r in group.head(EXAMPLES_PER_REASON).itertuples())
    more = len(group) - EXAMPLES_PER_REASON
    if more > 0:
        shown += f"; and {more:,} more"
    return f"{shown} ({_allowed(why, settings)})"


def _allowed(why: str, settings: ExportSettings) -> str:
    """What a value of this kind may be, and where to say otherwise."""
    if why == BAD_TIMESTAMP:
        fmt = settings.timestamp_format
        return ("expected ISO 8601 such as 2026-01-05 09:30:00; set timestamp_format in the "
                "settings for another format" if fmt == ISO8601 else
                f"expected the timestamp_format {fmt!r}, e.g. {datetime(2026, 1, 5, 9, 30):{fmt}}")
    if why == UNKNOWN_TYPE:
        labels = sorted(settings.types) or []
        known = ", ".join(repr(label) for label in labels)
        return (f"known labels: {known + ' and ' if known else ''}the model's types "
                f"{', '.join(map(str, POST_TYPES))}; map other labels in types: of the settings")
    if why == BAD_RESOLVED:
        own = ", ".join(repr(label) for label in settings.resolved_labels)
        return (f"allowed: true/false, yes/no, 1/0, resolved/closed/solved/done, "
                f"unresolved/open/pending/new/in progress/waiting{', ' + own if own else ''}; "
                "map other labels in resolved_labels: of the settings")
    if why == MISSING:
        return "a post needs a value in this column"
    if why == NEGATIVE_RESPONSE:
        return "a first response cannot come before the post: check the time zone of the columns"
    period = settings.period
    if period is not None:
        last = datetime.combine(period.start, datetime.min.time()) + timedelta(days=period.days)
        return (f"the period is {period.start} 00:00 to {last:%Y-%m-%d %H:%M}, as period: in "
                "the settings says")
    return "outside the period"


def _tolerance_hint(share: float) -> str:
    """A round --max-bad-share just above ``share``, for the message."""
    for step in (0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0):
        if share <= step:
            return f"{step:g}"
    return "1"


def write_observed(figures: ObservedFigures, path: Path) -> None:
    """Write ``observed.yaml`` whole or not at all: into a temporary file beside ``path``,
    then renamed over it."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        figures.write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
