"""A calibration's posterior folder, read back: its particles, their weights, and draws.

``scrm-sim calibrate`` writes the final ABC population to ``DIR/posterior.parquet`` (one
float column per calibrated parameter, named by its dotted scenario path, and ``weight``)
with ``DIR/manifest.json`` beside it. ``scrm-sim compare --posterior DIR`` reads it here:
every problem (a missing folder or file, a file that is not Parquet, no usable weights, a
column that is not a numeric scenario field, a value outside the field's bounds) is a
:class:`~scrm_sim.errors.PosteriorError` naming the file and the column, raised before
anything runs or is written.

Draws are a weighted resample of the particles (multinomial, with replacement): a particle
of weight 0 is never drawn, and a seed gives the same draws again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scrm_sim.errors import PosteriorError, Problem
from scrm_sim.paths import printable

POSTERIOR_FILE = "posterior.parquet"
MANIFEST_FILE = "manifest.json"
WEIGHT = "weight"
RESAMPLING_STREAM = 18
"""Spawn key of the resampling generator: a stream of the master seed of its own, apart
from the runs' seeds (which use two-element keys, design point and replication)."""
NOT_CALIBRATABLE = {
    "seed": "is the random seed; each draw of the comparison has its own",
    "duration_days": "is the length of the run, not a property of the client (use --days)",
}


@dataclass(frozen=True)
class Posterior:
    """The particles of a posterior folder and their normalised weights."""

    folder: Path
    particles: pd.DataFrame
    """One row per particle, one float column per parameter (dotted scenario path)."""
    weights: np.ndarray
    """One per particle, summing to 1."""
    manifest: dict[str, Any]

    @property
    def parameters(self) -> list[str]:
        """The calibrated parameters' dotted scenario paths."""
        return list(self.particles.columns)

    @property
    def file(self) -> Path:
        """The posterior sample's file."""
        return self.folder / POSTERIOR_FILE

    def resample(self, draws: int, seed: int) -> pd.DataFrame:
        """``draws`` particles drawn with replacement in proportion to their weights.

        Returns one row per draw: ``draw`` (0, 1, …), ``particle`` (its row in
        ``posterior.parquet``) and the parameters' values. The generator is seeded from
        ``seed`` alone, so the same seed gives the same draws.
        """
        generator = np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(RESAMPLING_STREAM,)))
        chosen = generator.choice(len(self.particles), size=draws, replace=True,
                                  p=self.weights)
        table = self.particles.iloc[chosen].reset_index(drop=True)
        table.insert(0, "particle", chosen)
        table.insert(0, "draw", np.arange(draws))
        return table

    def warnings(self, scenario: str | Path) -> list[str]:
        """What is worth knowing before comparing ``scenario`` over this posterior: a
        calibration that did not finish, or one made for a scenario file of another name."""
        notes = []
        manifest = self.folder / MANIFEST_FILE
        if self.manifest.get("complete") is False:
            notes.append(f"{manifest} says the calibration did not finish (complete: false); "
                         "its posterior is that of the last finished generation (rerun "
                         "scrm-sim calibrate to finish it)")
        calibrated = self.manifest.get("scenario")
        if isinstance(calibrated, str) and Path(calibrated).name != Path(str(scenario)).name:
            notes.append(f"{manifest} was calibrated for {calibrated}, not {scenario}; the "
                         "draws' parameter values are applied to the scenario given")
        return notes

    def describe(self) -> dict[str, Any]:
        """What a comparison's manifest records of the posterior it used."""
        keep = ("scenario", "observed", "seed", "generations", "population_size", "complete")
        return {"folder": str(self.folder), "file": str(self.file),
                "particles": len(self.particles), "parameters": self.parameters,
                "effective_sample_size": round(float(1 / np.sum(self.weights ** 2)), 1),
                "calibration": {k: self.manifest[k] for k in keep if k in self.manifest}}


def draw_overrides(draw: pd.Series | dict[str, Any], parameters: list[str]) -> dict[str, float]:
    """A draw's parameter values by dotted path (plain floats, or ints for int fields)."""
    from scrm_sim.experiment.worlds import numeric_field

    values = {}
    for path in parameters:
        field = numeric_field(path)
        value = float(draw[path])
        # an integer field (a count) takes the nearest whole number of a continuous posterior
        values[path] = int(round(value)) if getattr(field, "kind", float) is int else value
    return values


def read_posterior(folder: str | Path) -> Posterior:
    """Read and check a posterior folder written by ``scrm-sim calibrate``.

    Raises:
        PosteriorError: the folder, ``posterior.parquet`` or ``manifest.json`` is missing
            or unreadable; there is no ``weight`` column, or a weight is missing or
            negative, or they sum to 0; a column is not a numeric scenario field; a value
            is missing or outside the field's bounds.
    """
    folder = Path(folder)
    shown = printable(str(folder))
    if not folder.is_dir():
        raise PosteriorError(shown, [Problem("--posterior", (
            "is not a folder; give the output folder of scrm-sim calibrate (it holds "
            f"{POSTERIOR_FILE} and {MANIFEST_FILE})"))])
    manifest = _read_manifest(folder / MANIFEST_FILE)
    table = _read_table(folder / POSTERIOR_FILE)
    where = printable(str(folder / POSTERIOR_FILE))
    if table.empty:
        raise PosteriorError(where, [Problem("(rows)", "holds no particles")])
    weights = _weights(table, where)
    parameters = [c for c in table.columns if c != WEIGHT]
    if not parameters:
        raise PosteriorError(where, [Problem("(columns)", (
            "has no parameter column; expected one float column per calibrated parameter, "
            "named by its dotted scenario path (e.g. demand.volume_multiplier), and weight"))])
    problems = [p for column in parameters for p in _column_problems(table, column)]
    if problems:
        raise PosteriorError(where, problems)
    particles = table[parameters].astype(float)
    return Posterior(folder, particles, weights / weights.sum(), manifest)


def _read_manifest(path: Path) -> dict[str, Any]:
    shown = printable(str(path))
    if not path.is_file():
        raise PosteriorError(shown, [Problem("(file)", (
            "is missing; a posterior folder written by scrm-sim calibrate holds it"))])
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # not JSON, not UTF-8, unreadable
        raise PosteriorError(shown, [Problem("(file)", printable(
            f"cannot be read as JSON ({exc})"))]) from None
    if not isinstance(manifest, dict):
        raise PosteriorError(shown, [Problem("(file)", "holds no JSON object")])
    return manifest


def _read_table(path: Path) -> pd.DataFrame:
    import pyarrow as pa

    shown = printable(str(path))
    if not path.is_file():
        raise PosteriorError(shown, [Problem("(file)", (
            "is missing; a posterior folder written by scrm-sim calibrate holds it"))])
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:  # not Parquet, truncated
        raise PosteriorError(shown, [Problem("(file)", printable(
            f"cannot be read as Parquet ({type(exc).__name__}: {exc})"))]) from None


def _weights(table: pd.DataFrame, where: str) -> np.ndarray:
    if WEIGHT not in table:
        raise PosteriorError(where, [Problem(WEIGHT, (
            "column is missing; each particle needs its weight (non-negative, summing to 1)"))])
    if not pd.api.types.is_numeric_dtype(table[WEIGHT]) or pd.api.types.is_bool_dtype(
            table[WEIGHT]):
        raise PosteriorError(where, [Problem(WEIGHT, f"holds {table[WEIGHT].dtype} values, "
                                             "not numbers")])
    weights = table[WEIGHT].to_numpy(float)
    bad = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
    if len(bad):
        raise PosteriorError(where, [Problem(f"{WEIGHT} (row {bad[0]})", (
            f"is {weights[bad[0]]:g}; weights must be finite and at least 0"
            + (f" ({len(bad)} rows are not)" if len(bad) > 1 else "")))])
    if weights.sum() <= 0:
        raise PosteriorError(where, [Problem(WEIGHT, (
            "sums to 0; at least one particle needs a positive weight"))])
    return weights


def _column_problems(table: pd.DataFrame, column: str) -> list[Problem]:
    """Why a column cannot be a calibrated parameter (empty when it can)."""
    from scrm_sim.experiment.worlds import numeric_field

    name = printable(str(column))
    if column in NOT_CALIBRATABLE:
        return [Problem(name, NOT_CALIBRATABLE[column])]
    if str(column).startswith("ownership."):
        return [Problem(name, (
            "is a field of the ownership model; the comparison swaps the ownership model, so "
            "a value calibrated for the client's current one cannot be carried over"))]
    field = numeric_field(str(column))
    if isinstance(field, str):
        return [Problem(name, f"is not a numeric scenario field ({field})")]
    values = table[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return [Problem(name, f"holds {values.dtype} values, not numbers")]
    numbers = values.to_numpy(float)
    outside = np.flatnonzero(~np.isfinite(numbers) | (numbers < field.lowest)
                             | (numbers > field.highest))
    if len(outside):
        row = outside[0]
        return [Problem(f"{name} (row {row})", (
            f"is {numbers[row]:g}; the scenario field allows {field.allowed}"
            + (f" ({len(outside)} rows are outside)" if len(outside) > 1 else "")))]
    return []
