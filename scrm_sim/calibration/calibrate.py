"""``scrm-sim calibrate``: from a client's observed figures to a posterior folder.

The folder (``--out``, default ``results/<scenario name>-calibration``) holds:

- ``abc.db``: pyabc's SQLite database of every population; a rerun of the same command
  continues from it (the stopping settings may change between runs, nothing else);
- ``manifest.json``: the inputs, the settings, progress, and ``complete``;
- when the run is complete: ``posterior.parquet`` (the final population, one column per
  parameter path and ``weight``), ``posterior_summary.csv``, ``calibrated.yaml``,
  ``posterior_marginals.png``, ``predictive_check.csv`` and ``predictive_check.png``.

Each file is written beside its final name and renamed into place, and the manifest says
``complete: true`` only once all are there, so a run killed at any point resumes and a
complete folder is whole. All inputs are checked before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from scrm_sim.calibration.abc import (
    Generation,
    generations,
    make_sampler,
    posterior,
    pyabc_version,
    run_abc,
    stop_reason,
)
from scrm_sim.calibration.observed_file import load_observed
from scrm_sim.calibration.posterior_summary import (
    calibrated_scenario,
    marginals_figure,
    posterior_summary,
)
from scrm_sim.calibration.predictive import (
    check_figure,
    check_table,
    predictive_draws,
    simulate_draws,
)
from scrm_sim.calibration.priors import STOPPING_SETTINGS, Calibration, load_calibration
from scrm_sim.calibration.simulator import Simulator
from scrm_sim.errors import CalibrationError, OutputError, Problem
from scrm_sim.paths import check_writable, claim_folder, printable, safe_name

DISTANCE = ("adaptive Euclidean distance of the statistics scaled by their median absolute "
            "deviation, refitted every generation (pyabc AdaptivePNormDistance, Prangle 2017)")
EPSILON = "weighted median of the previous generation's distances (pyabc MedianEpsilon)"
OUTPUTS = ("posterior.parquet", "posterior_summary.csv", "calibrated.yaml",
           "posterior_marginals.png", "predictive_check.csv", "predictive_check.png")


@dataclass(frozen=True)
class CalibrationRun:
    """Everything a calibration needs, checked."""

    scenario: str
    observed_path: str
    params_path: str
    calibration: Calibration
    name: str
    fingerprint: dict[str, str]


def prepare(scenario: str, observed: str | Path, params: str | Path,
            seed: int | None = None) -> CalibrationRun:
    """Check every input (the scenario, the observed figures, the params file); raise a
    ScenarioError-family error naming the file and field of the first bad one."""
    from scrm_sim.scenario import load_scenario

    figures = load_observed(observed)
    client = load_scenario(scenario)
    calibration = load_calibration(params, scenario, figures, seed)
    settings = calibration.spec.abc.model_dump(mode="json")
    simulated = load_scenario(scenario, {"duration_days": calibration.days})
    parts = {
        "scenario": simulated.model_dump(mode="json"),
        "observed": calibration.observed,
        "parameters": {k: v.model_dump(mode="json") for k, v in calibration.parameters.items()},
        "settings": {k: v for k, v in settings.items() if k not in STOPPING_SETTINGS | {"seed"}}
        | {"days": calibration.days, "statistics": calibration.statistics},
        "seed": calibration.seed,
    }
    fingerprint = {k: hashlib.sha256(json.dumps(v, sort_keys=True).encode()).hexdigest()[:16]
                   for k, v in parts.items()}
    return CalibrationRun(str(scenario), str(observed), str(params), calibration,
                          client.name, fingerprint)


def default_folder(run: CalibrationRun) -> Path:
    """``results/<scenario name>-calibration``."""
    return Path("results") / f"{safe_name(run.name)}-calibration"


def claim(out: Path, run: CalibrationRun, force: bool) -> bool:
    """Whether ``out`` resumes this calibration (True) or starts afresh (False); refuse a
    folder of another calibration or another job, unless ``force`` (then it is emptied:
    a calibration is resumable, so it runs in place rather than in a folder swapped in at
    the end, which a killed run could not resume)."""
    check_writable(out)
    manifest = _read_manifest(out)
    if manifest.get("command") == "calibrate" and not force:
        changed = [k for k, v in run.fingerprint.items()
                   if manifest.get("fingerprint", {}).get(k) != v]
        if not changed:
            return (out / "abc.db").is_file()
        raise OutputError(printable(str(out)), [Problem("--out", (
            f"holds a calibration with other inputs (changed: {', '.join(changed)}); "
            "continuing it would mix two calibrations. Choose another --out, or add --force "
            "to start afresh (the stored populations are deleted)"))])
    replace = claim_folder(out, lambda m: False, force=force)
    if replace:
        shutil.rmtree(out)
    return False


def _read_manifest(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file through ``write`` into a temporary name beside it, then rename it in."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix,
                                     dir=path.parent)
    os.close(fd)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's file is private; results are not
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomically(path, lambda p: p.write_text(json.dumps(data, indent=2) + "\n",
                                                  encoding="utf-8"))


def manifest_of(run: CalibrationRun, done: list[Generation], seconds: float,
                complete: bool, stopped: str) -> dict[str, Any]:
    """The manifest's content (see issue 18's folder spec)."""
    calibration = run.calibration
    settings = calibration.spec.abc
    return {
        "command": "calibrate", "scenario": run.scenario, "observed": run.observed_path,
        "params": run.params_path,
        "parameters": {k: {"prior": p.prior, "low": p.low, "high": p.high}
                       for k, p in calibration.parameters.items()},
        "statistics": calibration.statistics, "days": calibration.days,
        "seed": calibration.seed, "generations": len(done),
        "population_size": settings.population_size,
        "simulations": done[-1].total_simulations if done else 0,
        "epsilon": [g.epsilon for g in done],
        "acceptance_rate": [round(g.acceptance_rate, 6) for g in done],
        "seconds": round(seconds, 1), "pyabc": pyabc_version(), "distance": DISTANCE,
        "epsilon_rule": EPSILON, "stopped": stopped, "complete": complete,
        "fingerprint": run.fingerprint,
    }


def calibrate(run: CalibrationRun, out: Path, *, workers: int | None = None,
              executor: str = "local", scheduler: str | None = None,
              quiet: bool = False) -> tuple[Path, pd.DataFrame]:
    """Run (or continue) the calibration into ``out`` (already claimed) and write its
    outputs. Returns the folder and the posterior summary."""
    from rich.console import Console

    from scrm_sim.experiment.runner import make_executor

    console = Console(stderr=True, quiet=quiet, highlight=False, soft_wrap=True)
    calibration = run.calibration
    settings = calibration.spec.abc
    out.mkdir(parents=True, exist_ok=True)
    db = out / "abc.db"
    previous = _read_manifest(out)
    earlier_seconds = float(previous.get("seconds", 0.0)) if previous else 0.0
    started = time.perf_counter()
    done = generations(db)
    if previous.get("complete") and stop_reason(done, settings).done and all(
            (out / name).is_file() for name in OUTPUTS):
        console.print(f"calibration already complete in {printable(str(out))}/ "
                      f"({len(done)} generations); raise abc.max_generations to continue")
        return out, pd.read_csv(out / "posterior_summary.csv")
    if done:
        console.print(f"resuming: {len(done)} generations already done "
                      f"({done[-1].total_simulations} simulations)")
    simulator = Simulator.of(run.scenario, calibration.statistics, calibration.days)
    _write_json(out / "manifest.json", manifest_of(run, done, earlier_seconds, False, ""))
    pool = make_executor(executor, workers, scheduler)
    try:
        dask_client = getattr(pool, "client", None)
        sampler = make_sampler(pool.workers, dask_client)

        def on_generation(generation: Generation) -> None:
            done.append(generation)
            seconds = earlier_seconds + time.perf_counter() - started
            console.print(
                f"generation {generation.t + 1}: epsilon {generation.epsilon:.4g}, accepted "
                f"{generation.accepted} of {generation.simulations} "
                f"({100 * generation.acceptance_rate:.0f}%), {generation.total_simulations} "
                f"simulations so far, {seconds:.0f} s")
            _write_json(out / "manifest.json", manifest_of(run, done, seconds, False, ""))

        stop = run_abc(db, simulator, calibration.parameters, calibration.observed, settings,
                       calibration.seed, sampler=sampler,
                       parent=os.getpid() if dask_client is None and pool.workers > 1 else None,
                       on_generation=on_generation)
        done = generations(db)
        if not done:
            raise CalibrationError(run.params_path, [Problem("abc.min_acceptance_rate", (
                f"the first generation accepted too few simulations (acceptance rate below "
                f"{settings.min_acceptance_rate:g}); lower it, or widen the priors"))])
        console.print(f"stopped: {stop.reason}; writing the posterior and the predictive "
                      f"check ({settings.predictive_draws} simulations)")
        summary = _write_outputs(run, out, simulator, pool)
    finally:
        pool.close()
    seconds = earlier_seconds + time.perf_counter() - started
    _write_json(out / "manifest.json", manifest_of(run, done, seconds, True, stop.reason))
    return out, summary


def _write_outputs(run: CalibrationRun, out: Path, simulator: Simulator,
                   pool: Any) -> pd.DataFrame:
    """Every output file of a finished run, each renamed into place when written."""
    calibration = run.calibration
    priors = calibration.parameters
    sample = posterior(out / "abc.db", priors)
    summary = posterior_summary(sample, priors)
    write_atomically(out / "posterior.parquet", lambda p: sample.to_parquet(p, index=False))
    write_atomically(out / "posterior_summary.csv", lambda p: summary.to_csv(p, index=False))
    header = (f"Calibrated by scrm-sim calibrate of {run.scenario} to {run.observed_path} "
              f"({run.params_path});\nsee the posterior in posterior.parquet next to this file.")
    text = calibrated_scenario(summary, run.scenario, out, run.name, header)
    write_atomically(out / "calibrated.yaml", lambda p: p.write_text(text, encoding="utf-8"))
    marginals = marginals_figure(sample, priors, summary)
    write_atomically(out / "posterior_marginals.png",
                     lambda p: marginals.savefig(p, dpi=120, format="png"))
    draws = predictive_draws(sample, calibration.spec.abc.predictive_draws, calibration.seed)
    simulated = simulate_draws(simulator, draws, calibration.seed, pool)
    table = check_table(simulated, calibration.observed)
    write_atomically(out / "predictive_check.csv", lambda p: table.to_csv(p, index=False))
    figure = check_figure(table, simulated, run.name)
    write_atomically(out / "predictive_check.png",
                     lambda p: figure.savefig(p, dpi=120, format="png"))
    return summary


def print_summary(summary: pd.DataFrame) -> None:
    """The posterior summary as a table on stdout."""
    shown = summary[["parameter", "prior_low", "prior_high", "median", "q05", "q95"]].rename(
        columns={"prior_low": "prior low", "prior_high": "prior high", "q05": "5%",
                 "q95": "95%"})
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"), file=sys.stdout)
