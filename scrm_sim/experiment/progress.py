"""Progress of a batch of runs on stderr, for ``compare`` and ``experiment`` alike (rich).

On a terminal a live bar shows runs done, design points done, elapsed time and time
left. Elsewhere (a CI log, a file) a live bar would be noise, so rich prints only the
final state; a plain line at most once a minute says the job is still alive, because
some CI systems stop a job that writes nothing for ten minutes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from scrm_sim.paths import printable

HEARTBEAT_SECONDS = 60.0  # between status lines when stderr is not a terminal


class Run(Protocol):
    """What the display needs to know of a run."""

    key: str
    point: int
    model: str
    seed: int


class RunProgress:
    """Runs done out of planned, by design point; quiet when not ``enabled``.

    ``unit`` names what the runs are grouped by (``points`` of a design; a decomposition
    counts ``replications``, each a run of every coalition).
    """

    def __init__(self, enabled: bool, console: Console | None = None,
                 unit: str = "points") -> None:
        self.enabled = enabled
        self.unit = unit
        self.console = console or Console(stderr=True)
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._remaining: dict[int, int] = defaultdict(int)
        self._last_beat = time.perf_counter()

    def start(self, runs: Iterable[Run], done: set[str]) -> None:
        """A round of runs begins; those in ``done`` finished in an earlier session."""
        runs = list(runs)
        self._remaining = defaultdict(int)
        for run in runs:
            if run.key not in done:
                self._remaining[run.point] += 1
        self._points = len({run.point for run in runs})
        skipped = len(runs) - sum(self._remaining.values())
        if not self.enabled:
            return
        if skipped:
            self.console.print(f"resuming: {skipped} of {len(runs)} runs already done")
        if self._bar is None:
            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("runs"), TimeElapsedColumn(), TextColumn("left"),
                TimeRemainingColumn(), console=self.console)
            self._bar.start()
            self._task = self._bar.add_task("", total=len(runs), completed=skipped)
        else:  # sequential replications: the next round adds runs to the same bar
            self._bar.reset(self._task, total=len(runs), completed=skipped)
        self._refresh()

    def finished(self, run: Run) -> None:
        """A run finished and its results are kept."""
        self._remaining[run.point] -= 1
        if self._bar is None:
            return
        self._bar.advance(self._task)
        self._refresh()

    def failed(self, run: Run, error: str) -> None:
        """A run failed for good (it was already retried)."""
        if self.enabled:
            self.console.print(f"run failed twice ({printable(run.model)}, point {run.point}, "
                               f"seed {run.seed}): {printable(error)}", markup=False,
                               highlight=False)

    def close(self) -> None:
        """Stop the live display (rich prints its final state)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _refresh(self) -> None:
        assert self._bar is not None
        points_done = self._points - sum(1 for n in self._remaining.values() if n > 0)
        self._bar.update(self._task, description=f"{self.unit} {points_done}/{self._points}")
        now = time.perf_counter()
        if not self.console.is_terminal and now - self._last_beat >= HEARTBEAT_SECONDS:
            self._last_beat = now
            task = self._bar.tasks[0]
            left = task.time_remaining
            self.console.print(f"{self.unit} {points_done}/{self._points}  runs "
                               f"{task.completed:.0f}/{task.total:.0f}"
                               + (f"  about {left:.0f} s left" if left is not None else ""))
