"""StepRecorder: one row of model-level reporters per step, read as lists or a DataFrame.

It stands in for ``mesa.DataCollector(model_reporters=...)`` with the part of its API the
model, the view and users rely on: ``collect(model)``, ``model_vars`` (column name → list
of values, one per step) and ``get_model_vars_dataframe()`` (the same columns, order,
dtypes and index as Mesa's). It is cheaper because it takes no copy of the values: Mesa
deep-copies every value of every step (a reporter might return a list that changes
later), which for 25 scalar reporters was most of what recording cost. Reporters here must
return scalars (numbers, strings, booleans or None); the first row is checked.

The store is one Python list per column, appended to at each step. That is Mesa's own
structure, so ``model_vars`` stays a dict of live lists: a list read before further steps
grows with them, and equality, ``len``, indexing and ``np.asarray`` behave exactly as
before. Appending costs about as little as any other store (25 appends a step, a few
milliseconds over a 2,160-step run): a tuple per step would make the column lists lazy
copies that go stale once held, and preallocated numpy columns would fix each column's
dtype in advance, where Mesa's DataFrame infers it from the values, and hand out numpy
scalars. The DataFrame is built only when asked for and kept until the next step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from numbers import Number
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from scrm_sim.model.model import SCRMModel

Reporter = Callable[["SCRMModel"], Any]


class StepRecorder:
    """Model-level reporters recorded once a step.

    Args:
        reporters: column name → function of the model returning a scalar; the columns
            keep this order.
    """

    def __init__(self, reporters: Mapping[str, Reporter]) -> None:
        self.model_reporters = dict(reporters)
        self.model_vars: dict[str, list[Any]] = {name: [] for name in reporters}
        self._appends = [(self.model_vars[name].append, reporter)
                         for name, reporter in reporters.items()]
        self._steps = 0
        self._frame: pd.DataFrame | None = None

    def collect(self, model: SCRMModel) -> None:
        """Record one row: every reporter's value for the model as it is now."""
        for append, reporter in self._appends:
            append(reporter(model))
        if self._steps == 0:
            self._check_scalars()
        self._steps += 1

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per recorded step and one column per reporter, as Mesa's DataCollector
        gives it (a RangeIndex, dtypes inferred from the values). A new frame each call:
        changing it does not change the record."""
        if self._frame is None or len(self._frame) != self._steps:
            self._frame = pd.DataFrame(self.model_vars)
        return self._frame.copy()

    def _check_scalars(self) -> None:
        # values are stored as they are, not copied: a mutable value would change in the record
        for name, values in self.model_vars.items():
            value = values[-1]
            if not (value is None or isinstance(value, Number | str | np.generic)):
                raise TypeError(f"reporter {name!r} returned {type(value).__name__}; a step "
                                "recorder stores scalars only")
