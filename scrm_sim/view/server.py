"""The view's server in a child process, for the browser tests, the benchmark and the
README's screenshots (``scrm-sim view`` runs the same command in the foreground)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scrm_sim.view.session import SCENARIO_ENV

APP = Path(__file__).resolve().parent / "app.py"


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(scenario: str | Path, start_timeout_s: float = 90.0) -> Iterator[str]:
    """Serve the view of ``scenario`` on a free local port; yield its address; stop it.

    The child imports this checkout's package (``PYTHONPATH`` gains its root).
    """
    port = free_port()
    root = str(APP.parents[2])
    env = {**os.environ, SCENARIO_ENV: str(scenario),
           "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    server = subprocess.Popen(
        [sys.executable, "-m", "solara", "run", str(APP), "--production", "--no-open",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the view's server did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
