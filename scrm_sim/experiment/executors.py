"""Where runs execute: a local process pool, or a Dask cluster.

Both take a picklable function and payloads (a resolved scenario as data, and a seed:
never a model) and yield each payload with its result or the exception it raised, in
completion order. Only a bounded number of runs is in flight at once, so a 10^5-run
experiment does not hold every payload in memory.

Local workers are forked from a *fork server* (``multiprocessing``'s ``forkserver`` start
method, Python 3.14's default on Linux), never from the calling process: that process has
threads (the numerical libraries' pools, a progress display, Dask's), and forking a
multi-threaded process can deadlock the child. The server is a fresh interpreter that
imports the model once, with its numerical libraries held to one thread (a run never uses
more), so it is single-threaded when it forks, and each worker starts with the model
already imported. Each worker imports the caller's main script (as any pool that does not
fork the caller does), so a script that runs experiments on more than one worker needs the
``if __name__ == "__main__":`` guard; a script without one would run again in every worker,
so it gets the old start (fork) and a warning saying how to get the safe one.

Workers never outlive the experiment: whatever kills the main process (kill -9, the OOM
killer), each local pool worker exits with it (:func:`exit_with_parent`). Dask's local
cluster needs nothing of ours: its worker processes watch a pipe from the main process
(distributed's ``AsyncProcess``) and exit when it closes.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.forkserver
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from scrm_sim.errors import Problem, ScenarioError

Outcome = tuple[dict[str, Any], Any]  # (payload, result or exception)
IN_FLIGHT_PER_WORKER = 4
PARENT_POLL_SECONDS = 0.5
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# what the fork server loads once, so that every worker starts with it
WORKER_MODULES = ["scrm_sim.experiment.warm"]
# The fork server's environment: the numerical libraries' thread pools held to one thread,
# and no background thread in Arrow's allocator (pandas imports pyarrow), so that the
# server has a single thread when it forks.
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "JE_ARROW_MALLOC_CONF": "background_thread:false"}
MAIN_GUARD = re.compile(r"""__name__\s*==\s*['"]__main__['"]""")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main_is_guarded() -> bool:
    """Whether worker processes can import the caller's main module without running it again:
    interactive sessions, ``python -c`` and notebooks have no main file to import; a script
    or a ``python -m`` module must test ``__name__ == "__main__"``."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path is None:
        return True
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return MAIN_GUARD.search(source) is not None


def pool_context() -> multiprocessing.context.BaseContext:
    """The start method of local pools: a fork server, started (once per process) with the
    model imported and a single thread; fork for an unguarded script."""
    if not main_is_guarded():
        warnings.warn(
            "this script has no 'if __name__ == \"__main__\":' guard, so its worker processes "
            "are forked from it (unsafe in a multi-threaded process); put the code that runs "
            "the experiment under that guard to get the safe start (a fork server)",
            RuntimeWarning, stacklevel=4)
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    with _environment(SINGLE_THREADED):
        multiprocessing.forkserver.ensure_running()
    return context


def exit_with_parent(parent: int) -> None:
    """Pool worker initializer: end this worker when the process ``parent`` dies.

    On Linux the kernel sends SIGKILL when the worker's own parent dies (prctl
    PR_SET_PDEATHSIG). Everywhere, a daemon thread also checks every half second that
    the worker's parent is unchanged and ``parent`` still exists: that covers other
    systems, a forkserver between the two, and a parent that died before the prctl call.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the thread below still does it
    first = os.getppid()

    def orphaned() -> bool:
        if os.getppid() != first:
            return True
        try:
            os.kill(parent, 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # exists, owned by someone else (cannot be ours, but do not guess)
        return False

    def watch() -> None:
        while not orphaned():
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)  # no cleanup: the parent that would collect our results is gone

    if orphaned():
        os._exit(1)
    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class Executor(Protocol):
    """Runs payloads and yields them as they complete."""

    workers: int

    def run(self, fn: Callable[[dict[str, Any]], Any],
            payloads: Iterable[dict[str, Any]]) -> Iterator[Outcome]:
        """Execute ``fn`` on every payload."""

    def close(self) -> None:
        """Release the workers."""


class LocalExecutor:
    """A process pool sized to the machine; one worker runs in this process."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def run(self, fn: Callable[[dict[str, Any]], Any],
            payloads: Iterable[dict[str, Any]]) -> Iterator[Outcome]:
        """Execute in order (one worker) or in a fresh process pool."""
        if self.workers == 1:
            for payload in payloads:
                try:
                    yield payload, fn(payload)
                except Exception as exc:  # noqa: BLE001 - recorded, then retried or kept
                    yield payload, exc
            return
        # A fresh pool per call: a pool broken by a crashed worker never outlives its round.
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=pool_context(),
                                 initializer=exit_with_parent, initargs=(os.getpid(),)) as pool:
            yield from _bounded(lambda p: pool.submit(fn, p), payloads,
                                self.workers * IN_FLIGHT_PER_WORKER)

    def close(self) -> None:
        """Nothing to release."""


class DaskExecutor:
    """Runs on a Dask cluster: an existing scheduler's address, or a local cluster."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 client: Any = None, connect_timeout: float = 5.0,
                 origin: str = "--scheduler") -> None:
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if client is not None:
            self.client = client
        elif scheduler:
            try:
                self.client = Client(scheduler, timeout=connect_timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ScenarioError(origin, [Problem(
                    origin, f"no Dask scheduler answers at {scheduler!r} ({exc}); "
                    "start one (dask scheduler) or use --executor local")]) from None
        else:
            self._cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                         threads_per_worker=1, processes=True)
            self.client = Client(self._cluster)
        self.workers = max(1, sum(self.client.nthreads().values()))

    def run(self, fn: Callable[[dict[str, Any]], Any],
            payloads: Iterable[dict[str, Any]]) -> Iterator[Outcome]:
        """Submit to the cluster, a bounded number at a time."""
        yield from _bounded(lambda p: self.client.submit(fn, p, pure=False), payloads,
                            self.workers * IN_FLIGHT_PER_WORKER)

    def close(self) -> None:
        """Close the client (and the local cluster this executor started)."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def _bounded(submit: Callable[[dict[str, Any]], Any], payloads: Iterable[dict[str, Any]],
             limit: int) -> Iterator[Outcome]:
    """Keep at most ``limit`` futures in flight; yield each as it completes."""
    pending: dict[Any, dict[str, Any]] = {}
    source = iter(payloads)
    exhausted = False
    while pending or not exhausted:
        while not exhausted and len(pending) < limit:
            try:
                payload = next(source)
            except StopIteration:
                exhausted = True
                break
            pending[submit(payload)] = payload
        if not pending:
            break
        for future in _first_completed(list(pending)):
            payload = pending.pop(future)
            try:
                yield payload, future.result()
            except Exception as exc:  # noqa: BLE001 - includes a broken pool or a lost worker
                yield payload, exc


def _first_completed(futures: list[Any]) -> list[Any]:
    if isinstance(futures[0], Future):
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return list(done)
    from dask.distributed import wait as dask_wait

    done, _ = dask_wait(futures, return_when="FIRST_COMPLETED")
    return list(done)
