"""Write results atomically: every file lands complete or not at all, with a manifest."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

import scrm_sim


def write_results(
    out_dir: Path,
    tables: Mapping[str, pd.DataFrame],
    figures: Mapping[str, Figure],
    manifest: dict[str, Any] | None,
) -> list[Path]:
    """Write tables (CSV and Parquet), figures (PNG) and ``manifest.json`` into ``out_dir``.

    With ``manifest`` None no manifest is written (a results store keeps its own).

    Everything is first written to a temporary folder beside ``out_dir`` and then
    renamed into place, so an interrupted job never leaves half-written files.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        for name, table in tables.items():
            table.to_csv(staging / f"{name}.csv", index=False)
            table.to_parquet(staging / f"{name}.parquet", index=False)
        for name, figure in figures.items():
            figure.savefig(staging / f"{name}.png", dpi=130, bbox_inches="tight")
        if manifest is not None:
            (staging / "manifest.json").write_text(
                json.dumps({**provenance(), **manifest}, indent=2, default=str), encoding="utf-8"
            )
        written = []
        for path in sorted(staging.iterdir()):
            target = out_dir / path.name
            os.replace(path, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def provenance() -> dict[str, Any]:
    """Package, git commit, Python and key dependency versions, and the time."""
    versions = {}
    for package in ("mesa", "numpy", "networkx", "scipy", "pandas", "pyarrow", "pydantic", "SALib",
                    "dask", "distributed", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "scrm_sim_version": scrm_sim.__version__,
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "dependencies": versions,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
            cwd=Path(scrm_sim.__file__).parent,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
