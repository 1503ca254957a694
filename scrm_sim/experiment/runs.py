"""Run one scenario, or compare ownership models over paired replications."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scrm_sim.model import SCRMModel, Stage
from scrm_sim.scenario import Scenario, load_scenario

DayCallback = Callable[[int, int], None]


@dataclass
class RunResult:
    """Everything one replication produced."""

    scenario: str
    ownership: str
    seed: int
    summary: dict[str, float]
    steps: pd.DataFrame
    wall_seconds: float
    staff_records: pd.DataFrame | None = None
    customer_records: pd.DataFrame | None = None


def replication_seeds(master_seed: int, replications: int) -> list[int]:
    """Independent seeds for replications, split from one master seed (``SeedSequence.spawn``).

    The same list is used for every ownership model, so replication r of each model
    sees the same customers, network and demand stream at the start: a paired design.
    """
    children = np.random.SeedSequence(master_seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint32)[0]) for child in children]


def run_scenario(scenario: Scenario, seed: int | None = None, on_day: DayCallback | None = None) -> RunResult:
    """Run one replication to the end of the scenario."""
    started = time.perf_counter()
    model = SCRMModel(scenario, seed=seed)
    total_days = int(np.ceil(scenario.steps / 24))
    while model.running:
        model.step()
        if on_day is not None and model.hour % 24 == 0:
            on_day(model.hour // 24, total_days)
    summary = model.summary()
    steps = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    staff_records = customer_records = None
    if scenario.output.agent_records:
        staff_records = pd.DataFrame(model.agent_records)
        customer_records = _customer_table(model)
    used_seed = scenario.seed if seed is None else seed
    steps.insert(0, "seed", used_seed)
    steps.insert(0, "ownership", scenario.ownership.name)
    return RunResult(
        scenario=scenario.name, ownership=scenario.ownership.name, seed=used_seed,
        summary=summary, steps=steps, wall_seconds=time.perf_counter() - started,
        staff_records=staff_records, customer_records=customer_records,
    )


def _customer_table(model: SCRMModel) -> pd.DataFrame:
    """Final state of every customer and prospect (agent-level records, on request)."""
    population = model.population
    return pd.DataFrame({
        "id": np.arange(population.n),
        "stage": [Stage(int(code)).name.lower() for code in population.stage],
        "satisfaction": population.satisfaction,
        "b2b": population.b2b,
        "contacts": np.diff(model.adjacency.indptr),
    })


def _run_payload(payload: tuple[dict[str, Any], int]) -> RunResult:
    # workers receive the resolved scenario as data and a seed, never a pickled model
    data, seed = payload
    return run_scenario(Scenario.model_validate(data), seed)


def load_models(source: str | Path, models: Sequence[str]) -> dict[str, Scenario]:
    """The scenario once per ownership model, all validated before anything runs."""
    return {name: load_scenario(source, {"ownership": name}) for name in models}


def compare(
    scenarios: Mapping[str, Scenario],
    replications: int,
    *,
    master_seed: int | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every ownership model on the same scenario with the same seeds.

    Args:
        scenarios: the scenario under each ownership model (see :func:`load_models`).
        replications: paired replications per model.
        master_seed: seed the replication seeds are split from (default: the scenario's).
        workers: parallel processes (default: one per core).
        progress: print a line per finished run on stderr.

    Returns:
        (summary table, one row per run; per-step table)
    """
    models = list(scenarios)
    base_seed = next(iter(scenarios.values())).seed if master_seed is None else master_seed
    seeds = replication_seeds(base_seed, replications)
    jobs = [(scenarios[m].model_dump(mode="json"), s) for s in seeds for m in models]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    reporter = _Progress(len(jobs), enabled=progress)
    results: list[RunResult] = []
    if workers <= 1:
        for job in jobs:
            results.append(_run_payload(job))
            reporter.done(results[-1])
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(_run_payload, jobs):
                results.append(result)
                reporter.done(result)
    summary = pd.DataFrame([
        {"scenario": r.scenario, "ownership": r.ownership, "replication": seeds.index(r.seed),
         "seed": r.seed, **r.summary, "wall_seconds": r.wall_seconds}
        for r in results
    ])
    steps = pd.concat([r.steps for r in results], ignore_index=True)
    return summary, steps


class _Progress:
    """One line per finished run on stderr: count, run, time per run, time left."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.count = 0
        self.started = time.perf_counter()

    def done(self, result: RunResult) -> None:
        self.count += 1
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.count * (self.total - self.count)
        print(
            f"[{self.count:>{len(str(self.total))}}/{self.total}] {result.ownership:<16} "
            f"seed {result.seed:<10} {result.wall_seconds:5.1f} s  (elapsed {elapsed:5.0f} s, "
            f"about {left:4.0f} s left)",
            file=sys.stderr, flush=True,
        )
