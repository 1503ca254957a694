"""Run one scenario, or compare ownership models over paired replications."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scrm_sim.errors import Problem, ScenarioError
from scrm_sim.experiment.executors import Executor
from scrm_sim.experiment.spec import Experiment
from scrm_sim.experiment.store import ResultStore
from scrm_sim.model import SCRMModel, Stage
from scrm_sim.model.model import as_seed
from scrm_sim.scenario import Scenario, deep_merge, load_scenario
from scrm_sim.scenario.loading import validate_scenario
from scrm_sim.scenario.staffing import staffing_plan

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


def run_scenario(scenario: Scenario, seed: int | None = None, on_day: DayCallback | None = None) -> RunResult:
    """Run one replication to the end of the scenario."""
    started = time.perf_counter()
    seed = None if seed is None else as_seed(seed)  # numpy integers, refused if negative
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


def load_models(source: str | Path, models: Sequence[str],
                overrides: Mapping[str, Any] | None = None) -> dict[str, Scenario]:
    """The scenario once per ownership model, all validated before anything runs.

    ``overrides`` are merged over the file's fields for every model (before the
    ownership model is resolved, as an experiment's overrides are).
    """
    return {name: load_scenario(source, deep_merge(dict(overrides or {}), {"ownership": name}))
            for name in models}


class RunsFailed(RuntimeError):
    """Some runs of a comparison failed twice; the others are kept in its results folder."""


def compare(
    scenarios: Mapping[str, Scenario] | str | Path,
    replications: int,
    *,
    models: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    master_seed: int | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = True,
    out: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every ownership model on the same scenario with the same seeds.

    A comparison is an experiment with one factor, the ownership model, and no design:
    it runs through the experiment runner as design point 0, so replication r has the
    seed ``replication_seed(master_seed, 0, r)`` — the same runs as ``scrm-sim experiment``
    with the same master seed and no factors — and its results folder is a resumable
    :class:`~scrm_sim.experiment.store.ResultStore`.

    Args:
        scenarios: a scenario file or bundled name (then give ``models``), or the scenario
            already loaded under each ownership model (see :func:`load_models`).
        replications: paired replications per model.
        models: ownership models, when ``scenarios`` is a file or name.
        overrides: scenario fields changed for every model, e.g.
            ``{"duration_days": 30}``. With a file they are merged over its fields; with
            loaded scenarios, over each resolved scenario, which is then validated again.
        master_seed: seed the replication seeds come from (default: the scenario's).
        workers: parallel processes (default: one per core); ignored with ``executor``.
        executor: where runs execute (default: a local process pool).
        progress: show progress on stderr.
        out: results folder; rerunning into it runs only what is missing. Default: a
            temporary folder, removed afterwards.

    Returns:
        (summary table, one row per run; daily series, one row per run and day)

    Raises:
        ScenarioError: a scenario or override is invalid (nothing has run).
        RunsFailed: some runs failed twice (the finished ones stay in ``out``).
    """
    from scrm_sim.experiment import runner  # the runner imports run_scenario from here

    loaded = _scenarios(scenarios, models, overrides)
    first = next(iter(loaded.values()))
    seed = first.seed if master_seed is None else as_seed(master_seed, "master_seed")
    experiment = Experiment(
        name=first.name, description=first.description, scenario=str(
            scenarios if isinstance(scenarios, str | Path) else "(scenarios given in Python)"),
        overrides=dict(overrides or {}), models=list(loaded), replications=replications,
        seed=seed)
    planner = runner.ModelPlanner(experiment, {m: s.model_dump(mode="json")
                                               for m, s in loaded.items()})
    specs = planner.runs({0: range(replications)})
    manifest = {
        "command": "compare", "scenario_source": experiment.scenario, "models": list(loaded),
        "replications": replications, "master_seed": seed,
        "seeds": [runner.replication_seed(seed, 0, r) for r in range(replications)],
        "design": {"type": "none", "points": planner.points},
        "scenarios": {m: planner.scenario(0, m) for m in loaded},
        "staffing": {m: staffing_plan(s) for m, s in loaded.items()},
    }
    summary, steps = _run(planner, specs, manifest, out, executor=executor, workers=workers,
                          progress=progress)
    return _summary_table(summary, experiment), _steps_table(steps, summary, experiment)


def _run(planner: Any, specs: list[Any], manifest: dict[str, Any], out: Path | None, *,
         executor: Executor | None, workers: int | None,
         progress: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run (or resume) a plan into ``out`` (default: a temporary folder); the stored summary
    and steps of its planned runs.

    Raises:
        RunsFailed: some runs failed twice (the finished ones stay in ``out``).
    """
    from scrm_sim.experiment import runner

    with tempfile.TemporaryDirectory(prefix="scrm-compare-") as scratch:
        folder = out or Path(scratch) / "results"
        runner.run_plan(planner, folder, manifest, executor=executor, workers=workers,
                        progress=progress)
        results = ResultStore(folder).load()
    planned = {s.key for s in specs}
    summary = results.summary[results.summary["key"].isin(planned)]
    missing = len(planned) - len(summary)
    if missing:
        errors = results.failures[results.failures["key"].isin(planned)]
        first_error = errors["error"].iloc[0] if len(errors) else "unknown error"
        raise RunsFailed(f"{missing} of {len(planned)} runs failed twice (first: {first_error})"
                         + (f"; the others are kept in {folder}, and rerunning into it runs "
                            "only the missing ones" if out else ""))
    return summary, results.steps


def draw_planner(source: str | Path, draws: Sequence[Mapping[str, Any]], *,
                 models: Sequence[str], overrides: Mapping[str, Any] | None = None,
                 replications: int = 1, master_seed: int | None = None,
                 names: Sequence[str] | None = None) -> Any:
    """The validated plan of a comparison over scenario variants (posterior draws).

    Draw i sets its dotted paths over the scenario file (after ``overrides``); every
    model at draw i runs that variant on the same seeds ``replication_seed(master_seed,
    i, r)``, r < ``replications``. Every (draw, model) scenario is validated here.

    Raises:
        ScenarioError: a draw's scenario is invalid under a model; the problem's field
            names the draw (``names[i]``, default ``draw i``), its values and the
            scenario's field.
    """
    from scrm_sim.experiment import runner

    first = load_scenario(source, deep_merge(dict(overrides or {}), {"ownership": models[0]}))
    seed = first.seed if master_seed is None else as_seed(master_seed, "master_seed")
    experiment = Experiment(
        name=first.name, description=first.description, scenario=str(source),
        overrides=dict(overrides or {}), models=list(models), replications=replications,
        seed=seed)
    planner = runner.DrawPlanner(experiment, source, [dict(d) for d in draws])
    for point, values in enumerate(planner.points):
        for model in models:
            try:
                planner.scenario(point, model)
            except ScenarioError as exc:
                shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
                name = names[point] if names is not None else f"draw {point}"
                raise ScenarioError(exc.source, [Problem(
                    f"{name} ({shown}) under {model}: {p.field}", p.message)
                    for p in exc.problems]) from None
    return planner


def compare_draws(
    planner: Any,
    manifest: Mapping[str, Any] | None = None,
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool = True,
    out: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every ownership model over the draws of a :func:`draw_planner`, paired by draw.

    ``manifest`` adds what the caller knows (the posterior it drew from). The results
    folder ``out`` is a resumable store, as :func:`compare`'s.

    Returns:
        (summary table, one row per run with its ``draw`` and the draw's parameter values;
        daily series, one row per run and day)

    Raises:
        RunsFailed: some runs failed twice (the finished ones stay in ``out``).
    """
    from scrm_sim.experiment import runner

    experiment = planner.experiment
    reps = experiment.replications
    specs = planner.runs({p: range(reps) for p in range(len(planner.points))})
    full = {
        "command": "compare", "scenario_source": experiment.scenario,
        "models": list(experiment.models), "replications": reps,
        "master_seed": experiment.seed, "draws": len(planner.points),
        "design": {"type": "posterior draws", "points": planner.points},
        "scenarios": {m: planner.scenario(0, m) for m in experiment.models},
        "staffing": {m: staffing_plan(Scenario.model_validate(planner.scenario(0, m)))
                     for m in experiment.models},
        **dict(manifest or {}),
    }
    summary, steps = _run(planner, specs, full, out, executor=executor, workers=workers,
                          progress=progress)
    return (_summary_table(summary, experiment, by_draw=True),
            _steps_table(steps, summary, experiment, by_draw=True))


def _scenarios(scenarios: Mapping[str, Scenario] | str | Path, models: Sequence[str] | None,
               overrides: Mapping[str, Any] | None) -> dict[str, Scenario]:
    """Each model's validated scenario, overrides applied."""
    if isinstance(scenarios, str | Path):
        if not models:
            raise ValueError("compare a scenario file: name the ownership models (models=...)")
        return load_models(scenarios, models, overrides)
    if models is not None and list(models) != list(scenarios):
        raise ValueError("give models only with a scenario file; loaded scenarios name theirs")
    if not overrides:
        return dict(scenarios)
    where = Path("compare overrides")
    return {m: validate_scenario(deep_merge(s.model_dump(mode="json"), dict(overrides)), where)
            for m, s in scenarios.items()}


def _summary_table(summary: pd.DataFrame, experiment: Experiment,
                   by_draw: bool = False) -> pd.DataFrame:
    """One row per run, replication by replication (draw by draw), models in the order
    given."""
    order = {m: i for i, m in enumerate(experiment.models)}
    frame = summary.assign(scenario=experiment.name, _model=summary["ownership"].map(order))
    frame = frame.sort_values(["point", "replication", "_model"]).drop(columns=["_model"])
    frame = frame.rename(columns={"point": "draw"}) if by_draw else frame.drop(columns="point")
    first = ["scenario", "ownership", *(["draw"] if by_draw else []), "replication", "seed"]
    last = ["wall_seconds", "key"]
    return frame[first + [c for c in frame if c not in first + last] + last].reset_index(
        drop=True)


def _steps_table(steps: pd.DataFrame, summary: pd.DataFrame,
                 experiment: Experiment, by_draw: bool = False) -> pd.DataFrame:
    """The daily series of the given runs, with their seeds."""
    if steps.empty:
        return steps
    seeds = summary.set_index("key")["seed"]
    order = {m: i for i, m in enumerate(experiment.models)}
    frame = steps[steps["key"].isin(seeds.index)].assign(
        seed=lambda f: f["key"].map(seeds), _model=lambda f: f["ownership"].map(order))
    frame = frame.sort_values(["point", "replication", "_model", "day"]).drop(columns=["_model"])
    frame = frame.rename(columns={"point": "draw"}) if by_draw else frame.drop(columns="point")
    first = ["ownership", *(["draw"] if by_draw else []), "replication", "seed", "day"]
    return frame[first + [c for c in frame if c not in [*first, "key"]] + ["key"]].reset_index(
        drop=True)
