"""Write results atomically: every file lands complete or not at all, with a manifest.

CSV copies are for spreadsheets, so text that a spreadsheet would run as a formula is
quoted there (Parquet keeps every value as it was).
"""

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

    With ``manifest`` None no manifest is written (a results store keeps its own). The
    figures are closed once written (pyplot keeps every open figure alive otherwise).

    Everything is first written to a temporary folder beside ``out_dir`` and then
    renamed into place, so an interrupted job never leaves half-written files; a folder
    this call created is removed again if nothing could be written into it.
    """
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    except BaseException:
        _remove_if_empty(out_dir, created)
        raise
    try:
        for name, table in tables.items():
            spreadsheet_safe(table).to_csv(staging / f"{name}.csv", index=False)
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
    except BaseException:
        _remove_if_empty(out_dir, created)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if figures:
            import matplotlib.pyplot as plt  # only here: writing tables needs no pyplot

            for figure in figures.values():
                plt.close(figure)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with text cells and headers that start a formula prefixed with ``'``.

    A scenario or model named ``=HYPERLINK(...)`` would otherwise run as a formula when the
    CSV is opened in a spreadsheet (OWASP's "CSV injection"). Numbers are left alone,
    including negative ones: only text is quoted.
    """
    def quote(value: Any) -> Any:
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            else value

    text = [c for c in table.columns if table[c].dtype == object or pd.api.types.is_string_dtype(
        table[c])]
    if not text and not any(isinstance(c, str) and c.startswith(FORMULA_STARTS)
                            for c in table.columns):
        return table
    safe = table.copy()
    for column in text:
        safe[column] = safe[column].map(quote)
    safe.columns = [quote(c) for c in safe.columns]
    return safe


def _remove_if_empty(folder: Path, created: bool) -> None:
    """Remove ``folder`` if this job created it and left nothing in it (a failed write)."""
    if created and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


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
