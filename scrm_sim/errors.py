"""Errors that are the user's to fix, reported without a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Problem:
    """One thing wrong with an input: where, and what is allowed."""

    field: str
    message: str


@dataclass
class ScenarioError(Exception):
    """A scenario (or ownership) file that cannot be used as written.

    The CLI prints :meth:`report` and exits with status 2.
    """

    source: Path | str
    problems: list[Problem] = field(default_factory=list)

    #: what the message says is wrong, before the source's name
    heading = "invalid scenario"

    def __str__(self) -> str:
        return self.report()

    def report(self) -> str:
        """Human-readable message naming the file, each field and what is allowed."""
        lines = [f"error: {self.heading} {self.source}"]
        for problem in self.problems:
            where = problem.field or "(top level)"
            lines.append(f"  {where}: {problem.message}")
        return "\n".join(lines)


class ExperimentError(ScenarioError):
    """An experiment file that cannot be used as written."""

    heading = "invalid experiment"


class ResultsError(ScenarioError):
    """A results folder that cannot be read as written: damaged, incomplete or read-only."""

    heading = "invalid results"


class OutputError(ScenarioError):
    """An output folder (``--out``) the results cannot be written to."""

    heading = "cannot write results to"


class ExportError(ScenarioError):
    """A client's export of posts (``scrm-sim observe``) that cannot be used: the file as a
    whole, or rows of it with problems beyond what ``--max-bad-share`` allows."""

    heading = "cannot use the export"


class ExportSettingsError(ScenarioError):
    """An export settings file (``scrm-sim observe --config``) that cannot be used as written."""

    heading = "invalid export settings"


class PosteriorError(ScenarioError):
    """A calibration's posterior folder (``compare --posterior``) that cannot be used."""

    heading = "invalid posterior"


class CalibrationError(ScenarioError):
    """A calibration's input (params file, observed figures) that cannot be used as written."""

    heading = "invalid calibration input"
