"""Experiments stay honest under hostile use (issue 14, classes 4 to 6).

A results folder belongs to one experiment; result rows hold validated values; failed
runs make the command fail; workers die with the experiment; the public API takes the
seeds and settings that peer tools pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from scrm_sim import load_results
from scrm_sim.cli import main
from scrm_sim.experiment import runner
from scrm_sim.experiment.runs import compare, run_scenario
from scrm_sim.model import SCRMModel
from scrm_sim.scenario import load_scenario

from .conftest import SCENARIOS
from .test_experiment import TINY as TWO_REPLICATIONS
from .test_experiment import write

TINY = {**TWO_REPLICATIONS, "replications": 1}


def experiment(path: Path, out: Path, *extra: str) -> int:
    return main(["experiment", str(path), "--out", str(out), "--workers", "1", "--quiet",
                 *extra])


def stored_rows(out: Path) -> int:
    return len(load_results(out, steps=False).summary)


@pytest.fixture
def tiny_scenario():
    return load_scenario(SCENARIOS / "baseline.yaml",
                         {"duration_days": 1, "customers": {"count": 300, "prospects": 100}})


# ------------------------------------------------------- a folder holds one experiment


@pytest.mark.parametrize("edit", [
    {"models": ["marketing_led", "service_led"]},
    {"factors": [{"path": "company.culture", "values": [0.2, 0.5]}]},
    {"overrides": {"duration_days": 1, "customers": {"count": 300, "prospects": 100}}},
    {"seed": 6},
])
def test_an_edited_experiment_is_refused_into_the_folder_of_the_original(
        tmp_path, capsys, edit):
    out = tmp_path / "out"
    assert experiment(write(tmp_path, TINY), out) == 0
    manifest = (out / "manifest.json").read_text()
    capsys.readouterr()

    assert experiment(write(tmp_path, {**TINY, **edit}, "edited.yaml"), out) == 2

    message = capsys.readouterr().err
    assert "--out" in message and "another experiment" in message
    assert "choose another --out" in message and "move that folder away" in message
    assert "Traceback" not in message
    assert (out / "manifest.json").read_text() == manifest and stored_rows(out) == 4


def test_more_replications_extend_the_folder_with_only_the_new_runs(tmp_path):
    out = tmp_path / "out"
    assert experiment(write(tmp_path, TINY), out) == 0
    before = load_results(out, steps=False).summary

    assert experiment(write(tmp_path, {**TINY, "replications": 2}, "more.yaml"), out) == 0

    after = load_results(out, steps=False).summary
    assert len(after) == 2 * len(before)
    assert set(before["key"]) <= set(after["key"])  # the first replication was not rerun


def test_the_same_experiment_resumes_even_renamed_or_redescribed(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert experiment(write(tmp_path, TINY), out) == 0
    executed = []
    original = runner.execute_run
    monkeypatch.setattr(runner, "execute_run", lambda p: executed.append(p) or original(p))

    renamed = {**TINY, "name": "renamed", "description": "same runs, new words"}
    assert experiment(write(tmp_path, renamed, "renamed.yaml"), out) == 0

    assert executed == [] and stored_rows(out) == 4


def test_a_folder_from_before_content_keys_resumes_when_its_experiment_is_the_same(tmp_path):
    out = tmp_path / "out"
    path = write(tmp_path, TINY)
    assert experiment(path, out) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["content_key"]
    (out / "manifest.json").write_text(json.dumps(manifest))

    assert experiment(path, out) == 0
    assert experiment(write(tmp_path, {**TINY, "seed": 9}, "edited.yaml"), out) == 2


# ------------------------------------------------------------- rows hold validated values


def test_a_whole_float_level_of_an_integer_field_is_stored_as_the_integer(tmp_path):
    # (a quoted number among the levels is refused when the file loads: test_hostile_inputs)
    levels = {**TINY, "factors": [{"path": "customers.prospects", "values": [100.0, 200.0]}]}
    out = tmp_path / "out"

    assert experiment(write(tmp_path, levels), out) == 0

    stored = load_results(out, steps=False).summary["customers.prospects"]
    assert stored.dtype == np.int64 and sorted(set(stored)) == [100, 200]


# ------------------------------------------------------------------ failures are counted


def test_an_experiment_whose_runs_fail_exits_1_saying_how_many_and_where(tmp_path, capsys):
    out = tmp_path / "out"
    failing = {**TINY, "run_timeout_seconds": 1e-9}

    assert experiment(write(tmp_path, failing), out) == 1

    message = capsys.readouterr().err
    assert "4 of 4 runs failed" in message and str(out / "failures") in message
    assert len(load_results(out).failures) == 4
    assert json.loads((out / "manifest.json").read_text())["status"] == "partial"


# ---------------------------------------------------------------------------- public API


@pytest.mark.parametrize("seed", [np.int64(5), np.int32(5), np.uint64(5)])
def test_numpy_integer_seeds_give_the_run_of_the_plain_integer(tiny_scenario, seed):
    plain = run_scenario(tiny_scenario, 5).summary
    np.testing.assert_equal(run_scenario(tiny_scenario, seed).summary, plain)  # NaN == NaN
    assert SCRMModel(tiny_scenario, seed=seed).rng.random() == SCRMModel(
        tiny_scenario, seed=5).rng.random()


@pytest.mark.parametrize("seed", [-1, 2.5, "5", True])
def test_a_seed_that_is_not_a_non_negative_integer_is_refused_clearly(tiny_scenario, seed):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        SCRMModel(tiny_scenario, seed=seed)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        run_scenario(tiny_scenario, seed)
    with pytest.raises(ValueError, match="master_seed must be a non-negative integer"):
        compare({"hybrid": tiny_scenario}, 1, master_seed=seed, workers=1, progress=False)


def test_compare_takes_a_numpy_master_seed(tiny_scenario, tmp_path):
    summary, _ = compare({"hybrid": tiny_scenario}, 1, master_seed=np.int64(3), workers=1,
                         progress=False, out=tmp_path / "out")
    assert summary["seed"].tolist() == [runner.replication_seed(3, 0, 0)]


def test_dask_scheduler_address_is_used_when_no_scheduler_is_given(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:9")  # nothing listens

    status = experiment(write(tmp_path, TINY), tmp_path / "out", "--executor", "dask")

    message = capsys.readouterr().err
    assert status == 2 and "DASK_SCHEDULER_ADDRESS" in message and "127.0.0.1:9" in message
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ orphans


def _workers_after_kill(tmp_path: Path, *executor: str) -> list[psutil.Process]:
    """Start an experiment with two workers, kill -9 its main process alone once the
    workers exist, and return the workers still alive half a minute later (a Dask worker
    learns of it through its nanny, each polling its parent; on a loaded machine that
    took more than 5 s)."""
    long = {**TINY, "factors": [{"path": "company.culture", "values": [0.1, 0.3, 0.5, 0.7]}],
            "replications": 5}
    command = [sys.executable, "-m", "scrm_sim.cli", "experiment", str(write(tmp_path, long)),
               "--out", str(tmp_path / "out"), "--workers", "2", "--quiet", *executor]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    main_process = psutil.Process(process.pid)
    deadline = time.time() + 60
    workers: list[psutil.Process] = []
    while time.time() < deadline and len(workers) < 2:
        workers = [p for p in main_process.children(recursive=True)
                   if "resource_tracker" not in " ".join(p.cmdline())]
        time.sleep(0.2)
    assert len(workers) >= 2, "the workers never started"
    time.sleep(1.0)  # let them take work
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    _, alive = psutil.wait_procs(workers, timeout=30)
    # a zombie has exited; it only waits for a parent to reap it (in a container, PID 1
    # may never do so), so it holds no memory and does no work
    alive = [p for p in alive if _still_running(p)]
    for survivor in alive:  # do not leave them behind if the test fails
        survivor.kill()
    return alive


def _still_running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow
def test_local_pool_workers_exit_when_the_main_process_is_killed(tmp_path):
    assert _workers_after_kill(tmp_path) == []


@pytest.mark.slow
def test_dask_local_cluster_workers_exit_when_the_main_process_is_killed(tmp_path):
    assert _workers_after_kill(tmp_path, "--executor", "dask") == []
