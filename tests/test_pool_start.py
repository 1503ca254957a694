"""How local pool workers start: forked by a single-threaded fork server, never by the
caller (which has threads); an unguarded script keeps the old start and is told why."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from scrm_sim.experiment import executors
from scrm_sim.experiment.executors import LocalExecutor, main_is_guarded

from .conftest import REPO

linux_only = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")


def parent_of_worker(payload: dict) -> int:
    return os.getppid()


def threads_of_workers_parent(payload: dict) -> int:
    return len(os.listdir(f"/proc/{os.getppid()}/task"))


def compiled_loop_loaded(payload: dict) -> bool:
    return "scrm_sim.model.holme_kim" in sys.modules


def test_pool_workers_start_with_the_compiled_network_loop_loaded():
    results = list(LocalExecutor(2).run(compiled_loop_loaded, [{"run": i} for i in range(2)]))
    assert [loaded for _, loaded in results] == [True, True]


def test_pool_workers_are_not_children_of_the_calling_process():
    results = list(LocalExecutor(2).run(parent_of_worker, [{"run": i} for i in range(4)]))
    assert len(results) == 4
    assert all(parent != os.getpid() for _, parent in results)


@linux_only
def test_the_process_that_forks_the_workers_has_a_single_thread():
    assert len(os.listdir("/proc/self/task")) > 1  # the caller has threads (BLAS, Arrow)
    results = list(LocalExecutor(2).run(threads_of_workers_parent, [{"run": i} for i in range(4)]))
    assert [threads for _, threads in results] == [1, 1, 1, 1]


@pytest.mark.parametrize(("source", "guarded"), [
    ("print('x')\n", False),
    ("def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n", True),
    ('if __name__=="__main__":\n    pass\n', True),
])
def test_a_main_script_counts_as_guarded_only_if_it_tests_its_name(tmp_path, monkeypatch,
                                                                     source, guarded):
    script = tmp_path / "script.py"
    script.write_text(source, encoding="utf-8")
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace(__file__=str(script)))
    assert main_is_guarded() is guarded


def test_an_interactive_session_counts_as_guarded(monkeypatch):
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace())
    assert main_is_guarded()


def run_script(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)


@pytest.mark.slow
def test_an_unguarded_script_is_warned_runs_once_and_gets_its_results(tmp_path):
    done = run_script(tmp_path, """
        from scrm_sim.experiment.executors import LocalExecutor
        print("top level")
        print(sorted(result for _, result in LocalExecutor(2).run(len, [{"a": 1}, {}])))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["top level", "[0, 1]"]
    assert "__name__" in done.stderr and "guard" in done.stderr


@pytest.mark.slow
def test_a_guarded_script_gets_the_fork_server_without_a_warning(tmp_path):
    done = run_script(tmp_path, """
        import os
        from scrm_sim.experiment.executors import LocalExecutor

        def parent(payload):
            return os.getppid()

        if __name__ == "__main__":
            parents = {p for _, p in LocalExecutor(2).run(parent, [{"a": i} for i in range(4)])}
            print(os.getpid() in parents)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False" and "guard" not in done.stderr


def test_the_fork_server_environment_is_restored_in_the_caller():
    before = {name: os.environ.get(name) for name in executors.SINGLE_THREADED}
    executors.pool_context()
    assert {name: os.environ.get(name) for name in executors.SINGLE_THREADED} == before
