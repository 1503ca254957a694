"""ABC-SMC with pyabc: fit the calibrated parameters to the observed figures.

Why pyabc (0.13): it is maintained (ICB Munich, releases through 2025), implements ABC-SMC
with adaptive distances and adaptive acceptance thresholds, keeps every population in an
SQLite database from which a run continues (``ABCSMC.load``), and has multicore and Dask
samplers, which is what a calibration of a slow simulator needs. ELFI and ABCpy are the
alternatives; neither stores its populations for resuming as simply.

The algorithm (Toni et al. 2009; Beaumont et al. 2009): a population of parameter vectors
("particles") is drawn from the prior; each next generation perturbs particles of the last
(a multivariate normal kernel fitted to it), simulates, and accepts those whose distance to
the observed figures is within the threshold epsilon, the weighted median of the previous
population's distances; importance weights correct for the perturbation.

Distance: the figures are on very different scales (posts per day in tens, shares in 0–1,
hours, a 0–100 satisfaction), so each statistic is divided by its spread, the median
absolute deviation over the previous generation's simulations, and the scaled differences
are combined in a Euclidean norm; the scales are refitted every generation as the
population narrows (pyabc's ``AdaptivePNormDistance``, Prangle 2017, "Adapting the ABC
distance function", Bayesian Analysis 12(1)).

Log-uniform priors are sampled (and perturbed) as the log10 of the value, so the database
holds log10 values for them; everything this package writes holds the values themselves.

Seeds and reproducibility: each simulation's seed is derived from the master seed and the
parameter values (:func:`~scrm_sim.calibration.simulator.simulation_seed`), so a simulation
is a pure function of its parameters; pyabc draws particles with numpy's global generator,
which is seeded from the master seed and the generation's number before every generation.
Every generation is run by a fresh pyabc object loaded from the database, exactly as a
resumed run is, so that an interrupted and resumed run is the same as one that never
stopped. On one worker a run is reproducible bit for bit. On several workers it is not:
pyabc's multicore workers reseed themselves from the operating system, and which
particles are accepted first depends on timing (likewise on Dask).

Local workers: pyabc's ``MulticoreEvalParallelSampler`` forks the calling process (its
``get_mp_context`` prefers fork), unlike the project's own pool, which forks from a
single-threaded fork server (see :mod:`scrm_sim.experiment.executors`). Forking is safe
here because the calling process runs no thread of ours while a generation samples (the
progress is a line between generations, not a live display) and the simulations use
nothing a fork could leave locked; each worker ends itself if the main process dies.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scrm_sim.calibration.priors import Prior
from scrm_sim.calibration.simulator import Simulator, simulation_seed

DISTANCE_NORM = 2  # Euclidean norm of the scaled differences (Prangle 2017)
RUN_ID = 1  # the one ABC run an abc.db holds


@dataclass(frozen=True)
class Generation:
    """One finished generation of the ABC-SMC."""

    t: int
    epsilon: float
    accepted: int
    simulations: int        # attempts in this generation
    total_simulations: int  # so far, this generation and the prior sample included
    seconds: float

    @property
    def acceptance_rate(self) -> float:
        """Accepted particles per simulation."""
        return self.accepted / self.simulations if self.simulations else float("nan")


@dataclass(frozen=True)
class Stop:
    """Why the ABC-SMC stopped (or that it has not)."""

    done: bool
    reason: str


class AbcModel:
    """The model pyabc calls: sampled parameters → the statistics of a simulated run."""

    def __init__(self, simulator: Simulator, priors: dict[str, Prior], master_seed: int,
                 parent: int | None = None) -> None:
        self.simulator = simulator
        self.priors = priors
        self.master_seed = master_seed
        self.parent = parent  # the main process, when this runs in a forked worker

    def __call__(self, parameter: dict[str, float]) -> dict[str, float]:
        """Simulate the sampled parameters with their own seed."""
        if self.parent is not None and os.getpid() != self.parent and os.getppid() != self.parent:
            os._exit(1)  # orphaned worker: the process that would collect this is gone
        values = {name: prior.value(float(parameter[name])) for name, prior in self.priors.items()}
        seed = simulation_seed(self.master_seed, *values.values())
        return self.simulator(values, seed)


def _pyabc() -> Any:
    import pyabc  # about 4 s to import: only when a calibration runs

    logging.getLogger("ABC").setLevel(logging.WARNING)  # our own line per generation instead
    return pyabc


def pyabc_version() -> str:
    """The installed pyabc's version."""
    from importlib.metadata import version

    return version("pyabc")


def database_url(path: Path) -> str:
    """SQLAlchemy's URL of an SQLite file."""
    return f"sqlite:///{path.resolve()}"


def make_sampler(workers: int, dask_client: Any = None) -> Any:
    """pyabc's sampler: in this process (one worker), forked workers, or a Dask cluster."""
    pyabc = _pyabc()
    if dask_client is not None:
        return pyabc.sampler.DaskDistributedSampler(dask_client=dask_client, batch_size=1)
    if workers == 1:
        return pyabc.sampler.SingleCoreSampler(check_max_eval=True)
    return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)


def generations(db: Path) -> list[Generation]:
    """The generations stored in an ABC database (none for a missing or new one)."""
    if not db.is_file():
        return []
    history = _pyabc().History(database_url(db), _id=RUN_ID, create=False)
    if history.n_populations == 0:
        return []
    table = history.get_all_populations().sort_values("t")
    # t = -1 is pyabc's start row; its samples are the prior sample that calibrated the
    # first generation's distance and threshold, counted in the total
    total = int(table.loc[table["t"] < 0, "samples"].fillna(0).sum())
    found = []
    for row in table[table["t"] >= 0].itertuples():
        total += int(row.samples)
        found.append(Generation(int(row.t), float(row.epsilon), int(row.particles),
                                int(row.samples), total, float(row.wall_time)))
    return found


def stop_reason(done: list[Generation], settings: Any, gave_up: bool = False) -> Stop:
    """Whether the stopping rules of ``settings`` (AbcSettings) are met by ``done``."""
    if gave_up:
        return Stop(True, f"acceptance rate fell below {settings.min_acceptance_rate:g}")
    if not done:
        return Stop(False, "")
    last = done[-1]
    if len(done) >= settings.max_generations:
        return Stop(True, f"{settings.max_generations} generations")
    if last.total_simulations >= settings.max_simulations:
        return Stop(True, f"{last.total_simulations} simulations (max_simulations "
                    f"{settings.max_simulations})")
    if settings.min_epsilon > 0 and last.epsilon <= settings.min_epsilon:
        return Stop(True, f"epsilon {last.epsilon:.4g} reached min_epsilon "
                    f"{settings.min_epsilon:g}")
    return Stop(False, "")


def run_abc(db: Path, simulator: Simulator, priors: dict[str, Prior],
            observed: dict[str, float], settings: Any, seed: int, *, sampler: Any,
            parent: int | None = None,
            on_generation: Callable[[Generation], None] | None = None) -> Stop:
    """Run (or continue) the ABC-SMC stored in ``db`` until a stopping rule holds.

    Each generation is run by a fresh pyabc object loaded from the database, with numpy's
    global generator seeded from ``seed`` and the generation's number (see the module).
    """
    pyabc = _pyabc()
    prior = pyabc.Distribution(**{
        name: pyabc.RV("uniform", low, high - low)
        for name, (low, high) in ((n, p.sampled_bounds()) for n, p in priors.items())})
    model = AbcModel(simulator, priors, seed, parent)
    url = database_url(db)
    done = generations(db)
    while not (stop := stop_reason(done, settings)).done:
        abc = pyabc.ABCSMC(
            model, prior,
            distance_function=pyabc.AdaptivePNormDistance(p=DISTANCE_NORM),
            population_size=settings.population_size, sampler=sampler,
            eps=pyabc.MedianEpsilon())
        if db.is_file():
            abc.load(url, RUN_ID)
        else:
            abc.new(url, observed)
        t = abc.history.max_t + 1
        generator_seed = simulation_seed(seed, t) % 2**32
        np.random.seed(generator_seed)
        random.seed(generator_seed)
        abc.run(max_nr_populations=1, min_acceptance_rate=settings.min_acceptance_rate)
        now = generations(db)
        if len(now) == len(done):  # pyabc gave the generation up: too few accepted
            return stop_reason(now, settings, gave_up=True)
        done = now
        if on_generation is not None:
            on_generation(done[-1])
    return stop


def posterior(db: Path, priors: dict[str, Prior]) -> pd.DataFrame:
    """The last population: one column per parameter (its value) and ``weight`` (sum 1)."""
    history = _pyabc().History(database_url(db), _id=RUN_ID, create=False)
    particles, weights = history.get_distribution(m=0, t=history.max_t)
    table = pd.DataFrame({name: [prior.value(v) for v in particles[name]]
                          for name, prior in priors.items()})
    table["weight"] = np.asarray(weights, float) / float(np.sum(weights))
    return table
