"""The results store: Parquet parts written by one writer, resumable, loadable into pandas.

Layout of ``results/<name>/``::

    manifest.json                     experiment, design, versions, times, run counts
    summary/part-000001.parquet …     one row per finished run (the commit record)
    steps/ownership=<m>/part-….parquet  daily series, partitioned by ownership model
    failures/part-….parquet           runs that failed twice, with error and seed

A run is finished when its key is in ``summary``. Parts are written to a temporary
name and renamed, steps before summary, so a crash at any moment leaves whole files
only: a run whose summary part never landed is simply run again on resume, and
stray step rows of such runs are dropped when loading.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq


@dataclass
class Results:
    """An experiment's results as pandas DataFrames."""

    summary: pd.DataFrame
    steps: pd.DataFrame
    failures: pd.DataFrame
    manifest: dict[str, Any]


class ResultStore:
    """Append-only Parquet parts in one folder; only the experiment's main process writes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._part: int | None = None  # highest part number, found on the first write

    def done_keys(self) -> set[str]:
        """Keys of finished runs."""
        return set(self._read("summary", columns=["key"]).get("key", pd.Series(dtype=str)))

    def append(self, summaries: list[dict[str, Any]], steps: list[pd.DataFrame]) -> None:
        """Add finished runs: their steps first, then their summary rows (the commit)."""
        if not summaries:
            return
        if steps:
            frame = pd.concat(steps, ignore_index=True)
            for ownership, rows in frame.groupby("ownership", sort=False):
                self._write(f"steps/ownership={ownership}", rows.drop(columns="ownership"))
        self._write("summary", pd.DataFrame(summaries))

    def record_failures(self, failures: list[dict[str, Any]]) -> None:
        """Add runs that failed twice."""
        if failures:
            self._write("failures", pd.DataFrame(failures))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace manifest.json atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / ".manifest.json.tmp"
        staging.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        os.replace(staging, self.root / "manifest.json")

    def manifest(self) -> dict[str, Any]:
        """The manifest, or an empty mapping if none was written yet."""
        path = self.root / "manifest.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def load(self, steps: bool = True) -> Results:
        """Everything in the store, each finished run once."""
        summary = self._read("summary").drop_duplicates("key", keep="first")
        failures = self._read("failures")
        if len(failures) and len(summary):  # failed earlier, finished on a later attempt
            failures = failures[~failures["key"].isin(summary["key"])]
        step_frame = pd.DataFrame()
        if steps and (self.root / "steps").is_dir():
            step_frame = pd.read_parquet(self.root / "steps")
            if len(step_frame):
                step_frame["ownership"] = step_frame["ownership"].astype(str)
                step_frame = step_frame[step_frame["key"].isin(summary["key"])]
                step_frame = step_frame.drop_duplicates(["key", "day"], keep="first")
        return Results(summary.reset_index(drop=True), step_frame.reset_index(drop=True),
                       failures.reset_index(drop=True), self.manifest())

    def _write(self, table: str, frame: pd.DataFrame) -> None:
        folder = self.root / table
        folder.mkdir(parents=True, exist_ok=True)
        if self._part is None:
            self._part = self._highest_part()
        self._part += 1
        name = f"part-{self._part:06d}-{os.getpid()}.parquet"
        staging = folder / f".{name}.tmp"
        frame.to_parquet(staging, index=False)
        os.replace(staging, folder / name)

    def _highest_part(self) -> int:
        numbers = [int(p.name.split("-")[1]) for p in self.root.rglob("part-*.parquet")]
        return max(numbers, default=0)

    def _read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        folder = self.root / table
        parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
        if not parts:
            return pd.DataFrame()
        return pd.concat([pq.read_table(p, columns=columns).to_pandas() for p in parts],
                         ignore_index=True)


def load_results(path: str | Path, steps: bool = True) -> Results:
    """Load an experiment's results folder (``results/<name>``) into pandas DataFrames."""
    root = Path(path)
    if not (root / "summary").is_dir() and not (root / "manifest.json").is_file():
        raise FileNotFoundError(f"{root} holds no experiment results (no summary/ or manifest.json)")
    return ResultStore(root).load(steps=steps)
