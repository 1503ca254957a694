"""What a pool's fork server loads once, so that every worker it forks starts warm: the run
function and its imports, and the compiled Holme–Kim loop with its machine code loaded
(see :mod:`scrm_sim.experiment.executors`)."""

from __future__ import annotations

import numpy as np

from scrm_sim.experiment.runner import execute_run
from scrm_sim.model.holme_kim import grow

__all__ = ["execute_run"]

grow(8, 2, 0.5, np.random.default_rng(0).random(64))  # loads (or compiles) the machine code
