"""Reading ``observed.yaml`` (see :mod:`scrm_sim.calibration.figures`) with errors in words."""

from __future__ import annotations

from pathlib import Path

from scrm_sim.calibration.figures import ObservedFigures
from scrm_sim.errors import CalibrationError, Problem
from scrm_sim.scenario.loading import read_validated


def load_observed(path: str | Path) -> ObservedFigures:
    """The observed figures of a client, from the file ``scrm-sim observe`` writes.

    Raises:
        CalibrationError: the file is missing, not YAML, or not valid observed figures;
            each problem names the field.
    """
    path = Path(path)
    if not path.is_file():
        raise CalibrationError(path, [Problem("--observed", "file not found (write it with "
                                              "scrm-sim observe)")])
    return read_validated(path, ObservedFigures, CalibrationError)
