"""Where results may be written: safe folder names, writable ``--out`` folders, no overwriting.

Names in scenarios and experiments are the user's text, and ``--out`` is the user's path;
both end up as folders the simulation writes into. This module is the one place that turns
them into folders that stay inside the results folder, are writable before any run starts,
and never hold another job's results (unless ``--force`` asks to replace them, which then
happens as a whole, by rename).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scrm_sim.errors import OutputError, Problem

MAX_NAME_LENGTH = 100  # well under the 255 bytes a file name may have, with room for suffixes


def safe_name(name: str, default: str = "results") -> str:
    """A file-system-safe slug of ``name`` that cannot leave the folder it is joined to.

    Control and other unprintable characters are dropped, path separators and everything
    else outside ``A-Z a-z 0-9 _ . -`` become ``-``, runs of dots become one dot (so no
    ``..``), and leading or trailing dots and dashes go (no hidden files, nothing that reads
    as an option). Never empty: ``default`` stands in for a name with nothing left.
    """
    text = "".join(ch for ch in name if ch.isprintable())
    text = re.sub(r"[^A-Za-z0-9_.-]+", "-", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = text.strip(".-")[:MAX_NAME_LENGTH].strip(".-")
    return text or default


def printable(text: str) -> str:
    r"""``text`` with control characters escaped, so a name cannot drive the terminal.

    Newlines and tabs stay (messages use them); an escape sequence such as ``\x1b[2J`` is
    shown as those characters instead of clearing the screen.
    """
    return "".join(ch if ch in "\n\t" or ch.isprintable()
                   else ch.encode("unicode_escape").decode("ascii") for ch in text)


def check_writable(out: Path, option: str = "--out") -> None:
    """Fail, before anything runs, if ``out`` cannot become a folder of results.

    Refused: an existing file, a path under a file, the root of the file system, and a
    folder (or the nearest existing folder above a new one) that cannot be written. The
    check creates and removes an empty probe folder, as the only reliable test (permission
    bits, read-only mounts and access lists all count).
    """
    where = printable(str(out))
    if out.absolute() == Path(out.absolute().anchor):
        raise OutputError(where, [Problem(option, "is the root of the file system; give a "
                                          "folder for the results")])
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        message = ("exists and is not a folder" if existing == out
                   else f"is under {printable(str(existing))}, which is a file, not a folder")
        raise OutputError(where, [Problem(option, message)])
    try:
        Path(tempfile.mkdtemp(prefix=".scrm-sim-probe-", dir=existing)).rmdir()
    except OSError as exc:
        raise OutputError(where, [Problem(option, (
            f"cannot be written: {printable(str(existing))} is not writable "
            f"({exc.strerror or exc})"))]) from None


def claim_folder(out: Path, is_ours: Callable[[Mapping[str, Any]], bool], *,
                 force: bool, option: str = "--out") -> bool:
    """Decide whether this job may write into ``out``; True when it must replace it.

    A missing or empty folder is free. A folder whose ``manifest.json`` ``is_ours``
    (this job's own results store) is resumed. Anything else, another job's results, a
    damaged manifest or a non-empty folder without one, is refused unless ``force``, and
    then is replaced as a whole (see :func:`replacing`). With ``force`` a folder that is
    this job's is replaced too: forcing means starting afresh.
    """
    if not out.is_dir() or not any(out.iterdir()):
        return False
    manifest_path = out / "manifest.json"
    manifest: Any = None
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None
    if force:
        return True
    if isinstance(manifest, dict) and is_ours(manifest):
        return False
    if isinstance(manifest, dict):
        holds = (f"holds the results of another job ({manifest.get('command', 'experiment')}"
                 f" of {manifest.get('scenario_source') or manifest.get('experiment_file')})")
    elif manifest_path.is_file():
        holds = f"holds a manifest.json that cannot be read ({manifest_path})"
    else:
        holds = "is not empty and holds no results of this job"
    raise OutputError(printable(str(out)), [Problem(option, printable(
        f"{holds}; writing into it would overwrite them. Choose another {option}, or add "
        "--force to replace the whole folder"))])


@contextmanager
def replacing(out: Path) -> Iterator[Path]:
    """Yield a sibling folder to write into; on success it replaces ``out`` as a whole.

    If the block raises, the new folder is removed and ``out`` is untouched. The swap is
    two renames within one parent folder (``out`` aside, the new folder in, then the old
    one deleted), so ``out`` is always either the old folder or the new one, never a mix.
    """
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.replace(out, old)  # a folder may replace an empty folder
    try:
        os.replace(staging, out)
    except BaseException:
        os.replace(old, out)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
