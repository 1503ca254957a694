"""Run a designed experiment: plan paired runs, execute them, store results, resume.

Seeds (common random numbers): the run for design point p, replication r uses the seed
``SeedSequence(experiment.seed, spawn_key=(p, r))`` — exactly the child that
``SeedSequence(seed).spawn(...)[p].spawn(...)[r]`` would give, but addressable, so
that sequential replications can add r = 5, 6, … later. Every ownership model at
(p, r) gets the same seed, hence the same customers, network, staff and (through the
model's child streams) the same demand draws while the customers' states agree.
``scrm-sim compare`` is design point 0 of an experiment without factors
(:class:`ModelPlanner`), so the same master seed gives it the same replications.

The key of a run is a hash of its resolved scenario, the package version, the model's
code (:func:`model_fingerprint`) and the seed: an unchanged run is never run twice, a
changed scenario or version reruns. A results folder written by another version of the
model's code is refused rather than resumed, so results of two models never mix.

A results folder is also keyed by the experiment's content (:func:`content_key`): its
runs' settings and every resolved scenario, not its name or description. Rerunning the
same experiment resumes; rerunning an edited one into the same folder is refused, so the
folder never holds the runs of two experiments under one manifest.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

import scrm_sim
from scrm_sim.errors import Problem, ScenarioError
from scrm_sim.experiment.designs import Point, sample
from scrm_sim.experiment.executors import DaskExecutor, Executor, LocalExecutor
from scrm_sim.experiment.output import provenance
from scrm_sim.experiment.progress import RunProgress
from scrm_sim.experiment.runs import run_scenario
from scrm_sim.experiment.spec import Experiment, load_experiment, nested, split_key
from scrm_sim.experiment.store import ResultStore
from scrm_sim.paths import safe_name
from scrm_sim.scenario import Scenario, deep_merge
from scrm_sim.scenario.loading import read_scenario, resolve_ownership, validate_scenario

# results reach the store at least this often (a crash loses at most these runs' work)
FLUSH_EVERY_RUNS = int(os.environ.get("SCRM_SIM_FLUSH_EVERY", "20"))
FLUSH_EVERY_SECONDS = 10.0


class RunTimeout(Exception):
    """A run took longer than the experiment's run_timeout_seconds."""


@dataclass(frozen=True)
class RunSpec:
    """One run of the plan."""

    key: str
    point: int
    model: str
    replication: int
    seed: int
    scenario: dict[str, Any]


def replication_seed(master: int, point: int, replication: int) -> int:
    """Seed of replication r at design point p (shared by every ownership model)."""
    sequence = np.random.SeedSequence(master, spawn_key=(point, replication))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


# the code a run's results depend on: the model and the schema that fills its defaults;
# the scenario modules that only explain, check or word a scenario change no run
FINGERPRINTED = ("model", "scenario")
NOT_FINGERPRINTED = frozenset({"scenario/explain.py", "scenario/json_schema.py",
                               "scenario/problems.py", "scenario/horizon.py"})


@functools.cache
def model_fingerprint() -> str:
    """Hash of the source of the model and scenario packages: any change to them (a new
    mechanism, a fixed defect, a changed default) changes every run key."""
    package = Path(scrm_sim.__file__).parent
    digest = hashlib.sha256()
    for folder in FINGERPRINTED:
        for source in sorted((package / folder).rglob("*.py")):
            if source.relative_to(package).as_posix() in NOT_FINGERPRINTED:
                continue
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


# Experiment fields that change nothing a run computes or which runs are planned: what it
# is called and claims, how it is shown and analysed, where its scenario file lies (the
# resolved scenarios are hashed instead), and how long a run may take.
PRESENTATION = frozenset({"name", "description", "claim", "source", "figure_metrics",
                          "claim_test", "robustness", "scenario", "run_timeout_seconds"})
# Fields that only say how many paired replications to run: replication r's runs are the
# same whatever the count (their keys hold the seed), so more replications extend a folder
# and fewer use a part of it; they never mix different runs.
REPLICATION_COUNT = frozenset({"replications", "auto"})


def content_key(planner: Planner | ModelPlanner) -> str:
    """Hash of what an experiment computes: its non-presentation fields and the resolved
    scenario of every (design point, model). Equal keys mean a results folder may resume."""
    experiment = planner.experiment
    fields = {k: v for k, v in experiment.model_dump(mode="json").items()
              if k not in PRESENTATION | REPLICATION_COUNT}
    scenarios = [[point, model, planner.scenario(point, model)]
                 for point in range(len(planner.points)) for model in experiment.models]
    text = json.dumps({"experiment": fields, "scenarios": scenarios}, sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def validated_point(planner: Planner | ModelPlanner, point: int, model: str) -> dict[str, Any]:
    """A design point's values as the scenario schema validated them (a quoted number
    becomes the number; an integer field's level is rounded), for the result rows.

    A parameter limited to another model (``path@other``) is read from that model's
    scenario; a value the schema moved elsewhere is kept as given.
    """
    values: dict[str, Any] = {}
    for key, raw in planner.points[point].items():
        path, only = split_key(key)
        node: Any = planner.scenario(point, only or model)
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                node = raw
                break
            node = node[part]
        values[key] = node
    return values


def run_key(scenario: dict[str, Any], seed: int) -> str:
    """Hash of the resolved scenario, the package version, the model's code and the seed."""
    text = json.dumps({"scenario": scenario, "seed": seed, "version": scrm_sim.__version__,
                       "model": model_fingerprint()}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class Planner:
    """Resolves each (design point, model) scenario once and hands out run specs."""

    def __init__(self, experiment: Experiment, source: Path, points: list[Point]) -> None:
        self.experiment = experiment
        self.points = points
        self.base, self.path = read_scenario(source)
        self._ownership = {m: resolve_ownership(m, self.path) for m in experiment.models}
        self._scenarios: dict[tuple[int, str], dict[str, Any]] = {}

    def scenario(self, point: int, model: str) -> dict[str, Any]:
        """The resolved, validated scenario of a design point under a model, as data."""
        if (point, model) not in self._scenarios:
            overrides: dict[str, Any] = dict(self.experiment.overrides)
            # ownership fields in the overrides apply to every model, over its preset
            shared = overrides.pop("ownership", None)
            ownership = self._ownership[model]
            if isinstance(shared, dict):
                ownership = deep_merge(ownership, shared)
            for key, value in self.points[point].items():
                path, only = split_key(key)
                if only is not None and only != model:
                    continue  # another model's own parameter
                if path.startswith("ownership."):
                    ownership = deep_merge(ownership, nested(path.removeprefix("ownership."), value))
                else:
                    overrides = deep_merge(overrides, nested(path, value))
            data = deep_merge(deep_merge(self.base, overrides), {"ownership": ownership})
            scenario = validate_scenario(data, self.path)
            self._scenarios[point, model] = scenario.model_dump(mode="json")
        return self._scenarios[point, model]

    def runs(self, replications: dict[int, range]) -> list[RunSpec]:
        """Every run of the given replications per point, all models paired."""
        specs = []
        for point, reps in replications.items():
            for replication in reps:
                seed = replication_seed(self.experiment.seed, point, replication)
                for model in self.experiment.models:
                    scenario = self.scenario(point, model)
                    specs.append(RunSpec(run_key(scenario, seed), point, model, replication,
                                         seed, scenario))
        return specs


class ModelPlanner:
    """The plan of ``compare``: one design point (0), a resolved scenario given per model.

    Seeds and keys are made as :class:`Planner` makes them, so ``compare`` and an
    experiment without factors run the same replications.
    """

    def __init__(self, experiment: Experiment, scenarios: dict[str, dict[str, Any]]) -> None:
        self.experiment = experiment
        self.points: list[Point] = [{}]
        self._scenarios = scenarios

    def scenario(self, point: int, model: str) -> dict[str, Any]:
        """The scenario of a model, as data (there is one point)."""
        return self._scenarios[model]

    def runs(self, replications: dict[int, range]) -> list[RunSpec]:
        """Every run of the given replications, all models paired."""
        return [RunSpec(run_key(self._scenarios[model], seed), point, model, replication, seed,
                        self._scenarios[model])
                for point, reps in replications.items() for replication in reps
                for seed in [replication_seed(self.experiment.seed, point, replication)]
                for model in self.experiment.models]


class DrawPlanner(Planner):
    """The plan of ``compare --posterior``: one design point per posterior draw.

    Draw i is the client's scenario (with the comparison's overrides) and the draw's
    parameter values, under each ownership model: the same scenario variant and, as at
    any design point, the same seed ``replication_seed(master_seed, i, r)`` for every model.
    A scenario is built as :func:`~scrm_sim.scenario.load_scenario` builds it with the
    overrides and ``{"ownership": model}`` (the file read once).
    """

    def __init__(self, experiment: Experiment, source: str | Path,
                 draws: list[Point]) -> None:
        self.experiment = experiment
        self.points = draws
        self.base, self.path = read_scenario(source)
        self._ownership = {m: resolve_ownership(m, self.path) for m in experiment.models}
        self._scenarios = {}

    def scenario(self, point: int, model: str) -> dict[str, Any]:
        """The resolved, validated scenario of a draw under a model, as data."""
        if (point, model) not in self._scenarios:
            overrides: dict[str, Any] = dict(self.experiment.overrides)
            for path, value in self.points[point].items():
                overrides = deep_merge(overrides, nested(path, value))
            data = deep_merge(self.base, overrides)
            data["ownership"] = self._ownership[model]
            self._scenarios[point, model] = validate_scenario(data, self.path).model_dump(
                mode="json")
        return self._scenarios[point, model]


def execute_run(payload: dict[str, Any]) -> dict[str, Any]:
    """Worker: run one resolved scenario with one seed; return summary and daily series."""
    scenario = Scenario.model_validate(payload["scenario"])
    timeout = payload.get("timeout")
    started = time.perf_counter()

    def guard(day: int, total: int) -> None:
        if timeout is not None and time.perf_counter() - started > timeout:
            raise RunTimeout(f"run exceeded {timeout:g} s at day {day} of {total}")

    result = run_scenario(scenario, payload["seed"], on_day=guard)
    keep = payload.get("metrics")
    summary = {k: v for k, v in result.summary.items() if keep is None or k in keep}
    steps = result.steps
    daily = steps.assign(day=steps["hour"] // 24).groupby("day", as_index=False)[
        payload["step_metrics"]].last()
    return {"summary": summary, "steps": daily, "wall_seconds": result.wall_seconds}


def make_executor(kind: str, workers: int | None, scheduler: str | None) -> Executor:
    """The executor named on the command line (connects to a scheduler at once).

    ``dask`` without ``--scheduler`` connects to ``DASK_SCHEDULER_ADDRESS`` when it is set
    (Dask's own convention, e.g. on a cluster's login node), else starts a local cluster.
    """
    if kind == "dask":
        if not scheduler and os.environ.get("DASK_SCHEDULER_ADDRESS"):
            return DaskExecutor(os.environ["DASK_SCHEDULER_ADDRESS"], workers,
                                origin="DASK_SCHEDULER_ADDRESS")
        return DaskExecutor(scheduler, workers)
    if scheduler:
        raise ScenarioError("--scheduler", [Problem("--scheduler",
                                                    "only used with --executor dask")])
    return LocalExecutor(workers)


def run_experiment(
    path: str | Path,
    *,
    out: Path | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    flush_every: int = FLUSH_EVERY_RUNS,
) -> Path:
    """Run (or resume) the experiment in ``path``; returns the results folder.

    Everything is validated, and the executor connected, before anything is written.
    """
    experiment, source = load_experiment(path)
    points, problem, matrix = sample(experiment)
    planner = Planner(experiment, source, points)
    for point in range(len(points)):  # every design point must be a valid scenario
        for model in experiment.models:
            try:
                planner.scenario(point, model)
            except ScenarioError as exc:
                raise ScenarioError(Path(path), [Problem(
                    f"design point {point} {points[point]} ({model}): {p.field}", p.message)
                    for p in exc.problems]) from None
    manifest = {
        "experiment_file": str(Path(path).resolve()),
        "scenario_source": str(source),
        "design": {"type": experiment.design, "points": points, "salib_problem": problem,
                   "sample_matrix": None if matrix is None else matrix.tolist()},
    }
    return run_plan(planner, out or Path("results") / safe_name(experiment.name), manifest,
                    executor=executor, workers=workers, progress=progress,
                    flush_every=flush_every)


def run_plan(
    planner: Planner | ModelPlanner,
    out: Path,
    manifest: dict[str, Any],
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: bool = True,
    flush_every: int = FLUSH_EVERY_RUNS,
) -> Path:
    """Run (or resume) every run of a validated plan into the results folder ``out``.

    ``manifest`` holds what the caller knows of the plan (its source, its design); this
    adds provenance, the experiment, times and run counts. Shared by ``scrm-sim
    experiment`` and ``scrm-sim compare``, so both seed, store, resume and report
    progress the same way.
    """
    experiment = planner.experiment
    if out.exists() and not out.is_dir():
        raise ScenarioError(str(out), [Problem("--out", "exists and is not a folder")])
    executor = executor or LocalExecutor(workers)
    store = ResultStore(out)
    manifest = {
        **provenance(),
        "experiment": experiment.model_dump(mode="json"),
        **manifest,
        "model_fingerprint": model_fingerprint(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "workers": executor.workers,
    }
    previous = store.manifest()
    if previous and previous.get("model_fingerprint") != manifest["model_fingerprint"]:
        raise ScenarioError(str(out), [Problem("--out", (
            f"holds results of another version of the model (fingerprint "
            f"{previous.get('model_fingerprint') or 'not recorded'}, now "
            f"{manifest['model_fingerprint']}); resuming would mix the two: choose another "
            "--out, or move that folder away to rerun from scratch"))])
    manifest["content_key"] = content_key(planner)
    if previous and not _same_content(previous, manifest):
        raise ScenarioError(str(out), [Problem("--out", (
            f"{out} holds the results of another experiment (its design, models, overrides, "
            "replications, seed or scenario differ from this one's); resuming would mix the "
            "two: choose another --out, or move that folder away to rerun from scratch"))])
    if previous:
        manifest["first_started_at"] = previous.get("first_started_at", previous.get("started_at"))
    store.write_manifest({**manifest, "status": "running"})
    session = _Session(experiment, planner, store, executor, progress, flush_every)
    try:
        if experiment.replications == "auto":
            session.run_sequential()
        else:
            session.run(planner.runs({p: range(experiment.replications)
                                      for p in range(len(planner.points))}))
    finally:
        session.progress.close()
        session.flush()
        counts = session.counts()
        store.write_manifest({**manifest, **counts,
                              "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                              "status": "complete" if counts["runs_failed"] == 0
                              and counts["runs_done"] >= counts["runs_planned"] else "partial"})
    return out


def _same_content(previous: dict[str, Any], manifest: dict[str, Any]) -> bool:
    """Whether a folder's manifest describes the experiment about to run: same content
    key, or for a folder written before content keys, the same non-presentation fields."""
    if "content_key" in previous:
        return previous["content_key"] == manifest["content_key"]

    def fields(m: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in (m.get("experiment") or {}).items()
                if k not in PRESENTATION | REPLICATION_COUNT}

    return fields(previous) == fields(manifest)


def failure_note(out: Path) -> str | None:
    """What to tell the user when runs of the folder's last session failed (else None):
    how many, and where their errors and seeds are recorded."""
    path = out / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    failed = int(manifest.get("runs_failed") or 0)
    if not failed:
        return None
    return (f"{failed} of {manifest.get('runs_planned', '?')} runs failed twice; their errors "
            f"and seeds are in {out / 'failures'}/ (load_results(...).failures). Rerunning "
            "the same command retries them and keeps the finished runs.")


class _Session:
    """One invocation: runs what is not done yet, retries failures once, flushes results."""

    def __init__(self, experiment: Experiment, planner: Planner, store: ResultStore,
                 executor: Executor, progress: bool, flush_every: int) -> None:
        self.experiment, self.planner, self.store = experiment, planner, store
        self.executor, self.flush_every = executor, flush_every
        self.done = store.done_keys()
        self.planned: set[str] = set()
        self.failed: dict[str, dict[str, Any]] = {}
        self._summaries: list[dict[str, Any]] = []
        self._steps: list[pd.DataFrame] = []
        self._last_flush = time.perf_counter()
        self.progress = RunProgress(enabled=progress)

    def run(self, specs: list[RunSpec]) -> None:
        """Run every spec not finished before (retrying a failure once)."""
        self.planned |= {s.key for s in specs}
        todo = [s for s in specs if s.key not in self.done]
        self.progress.start(specs, self.done)
        attempts: dict[str, int] = defaultdict(int)
        for round_ in range(2):
            retry = []
            for spec, outcome in self._execute(todo):
                attempts[spec.key] += 1
                if isinstance(outcome, BaseException):
                    if round_ == 0:
                        retry.append(spec)
                    else:
                        self._failure(spec, outcome, attempts[spec.key])
                    continue
                self._success(spec, outcome)
            todo = retry
            if not todo:
                break

    def run_sequential(self) -> None:
        """Add paired replications until every model difference is precise enough."""
        auto = self.experiment.auto
        assert auto is not None
        reps = {p: auto.initial for p in range(len(self.planner.points))}
        self.run(self.planner.runs({p: range(n) for p, n in reps.items()}))
        while True:
            self.flush()
            wider = self._imprecise_points(reps)
            if not wider:
                break
            extra = {p: range(reps[p], min(reps[p] + auto.batch, auto.maximum)) for p in wider}
            for p, r in extra.items():
                reps[p] = r.stop
            self.run(self.planner.runs(extra))

    def _imprecise_points(self, reps: dict[int, int]) -> list[int]:
        auto = self.experiment.auto
        frame = self.store.load(steps=False).summary
        if frame.empty or auto.metric not in frame:
            return []
        imprecise = []
        for point, n in reps.items():
            if n >= auto.maximum:
                continue
            rows = frame[frame["point"] == point].pivot_table(
                index="replication", columns="ownership", values=auto.metric)
            for a, b in combinations(self.experiment.models, 2):
                if a not in rows or b not in rows:
                    continue
                diff = (rows[a] - rows[b]).dropna()
                if len(diff) < 2:
                    imprecise.append(point)
                    break
                half = stats.t.ppf(0.5 + auto.confidence / 2, len(diff) - 1) * diff.std(
                    ddof=1) / np.sqrt(len(diff))
                if half > auto.half_width:
                    imprecise.append(point)
                    break
        return imprecise

    def _execute(self, specs: list[RunSpec]):  # noqa: ANN202 - generator of (spec, outcome)
        by_key = {s.key: s for s in specs}
        payloads = ({"key": s.key, "scenario": s.scenario, "seed": s.seed,
                     "metrics": self.experiment.metrics,
                     "step_metrics": self.experiment.step_metrics,
                     "timeout": self.experiment.run_timeout_seconds} for s in specs)
        for payload, outcome in self.executor.run(execute_run, payloads):
            yield by_key[payload["key"]], outcome

    def _success(self, spec: RunSpec, outcome: dict[str, Any]) -> None:
        point = validated_point(self.planner, spec.point, spec.model)
        row = {"key": spec.key, "point": spec.point, "ownership": spec.model,
               "replication": spec.replication, "seed": spec.seed, **point,
               **outcome["summary"], "wall_seconds": outcome["wall_seconds"]}
        steps = outcome["steps"].assign(key=spec.key, point=spec.point, ownership=spec.model,
                                        replication=spec.replication)
        self._summaries.append(row)
        self._steps.append(steps)
        self.done.add(spec.key)
        self.failed.pop(spec.key, None)
        self.progress.finished(spec)
        if (len(self._summaries) >= self.flush_every
                or time.perf_counter() - self._last_flush > FLUSH_EVERY_SECONDS):
            self.flush()

    def _failure(self, spec: RunSpec, error: BaseException, attempts: int) -> None:
        record = {"key": spec.key, "point": spec.point, "ownership": spec.model,
                  "replication": spec.replication, "seed": spec.seed, "attempts": attempts,
                  "error": f"{type(error).__name__}: {error}"}
        self.failed[spec.key] = record
        self.store.record_failures([record])
        self.progress.failed(spec, record["error"])

    def flush(self) -> None:
        """Write buffered results (steps, then summary) as new parts."""
        self.store.append(self._summaries, self._steps)
        self._summaries, self._steps = [], []
        self._last_flush = time.perf_counter()

    def counts(self) -> dict[str, int]:
        """Run counts for the manifest."""
        return {"runs_planned": len(self.planned),
                "runs_done": len(self.planned & self.done),
                "runs_failed": len(self.failed)}
