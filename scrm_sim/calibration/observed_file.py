"""Reading ``observed.yaml`` (see :mod:`scrm_sim.calibration.figures`) with errors in words."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from scrm_sim.calibration.figures import ObservedFigures
from scrm_sim.errors import CalibrationError, Problem, ScenarioError
from scrm_sim.scenario.limits import capped
from scrm_sim.scenario.loading import read_yaml
from scrm_sim.scenario.problems import validation_problems


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
    try:
        data = read_yaml(path)
    except ScenarioError as exc:
        raise CalibrationError(path, exc.problems) from None
    try:
        return ObservedFigures.model_validate(data)
    except ValidationError as exc:
        raise CalibrationError(path, capped(validation_problems(ObservedFigures, exc,
                                                                data))) from None
