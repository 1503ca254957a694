"""The hostile-input corpus of issue 14 (tests/hostile/): every file keeps the contract.

Each ``tests/hostile/*.yaml`` is one example from the issue that no other test runs
through the command line. Its first comment lines say why it is there, the command to run
(``{file}`` is the case, ``{dir}`` the corpus folder) and the exit status it must give:

- exit 0: the command finishes with complete output (a manifest saying ``complete``, the
  summary table, for a comparison its figures);
- exit 2: one message (one ``error:`` line, no traceback) and nothing left in ``--out``.

Files under ``tests/hostile/support/`` and ``tests/hostile/ownership/`` are what the cases
refer to, not cases. A case runs in this process under a 30 s alarm, so a hang fails.
"""

from __future__ import annotations

import json
import re
import shlex
import signal
from pathlib import Path

import pytest

from scrm_sim.cli import main

CORPUS = Path(__file__).parent / "hostile"
CASES = sorted(CORPUS.glob("*.yaml"))
HANG_SECONDS = 30
TAKES_OUT = {"run", "compare", "experiment"}


def header(path: Path) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a case."""
    fields = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        found = re.match(r"#\s*(command|exit|message):\s*(.*)$", line)
        if found:
            fields[found[1]] = found[2].strip()
    return fields


def run_case(path: Path, out: Path) -> int:
    """Run the case's command (with ``--out out`` where it writes); its exit status."""
    fields = header(path)
    argv = shlex.split(fields["command"].format(file=path, dir=CORPUS))
    if argv[0] in TAKES_OUT:
        argv += ["--out", str(out), "--quiet"]

    def hang(*_: object) -> None:
        raise TimeoutError(f"{path.name} ran longer than {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(HANG_SECONDS)
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return code


@pytest.fixture
def outcome(request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int, str, str, Path]:
    """The case run from an empty working folder (so nothing can land beside it)."""
    path: Path = request.param
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    code = run_case(path, out)
    captured = capsys.readouterr()
    return path, code, captured.out, captured.err, out


def ids(path: Path) -> str:
    return path.stem


def test_the_corpus_has_a_command_and_an_exit_status_in_every_case():
    assert len(CASES) >= 15
    assert all({"command", "exit"} <= header(path).keys() for path in CASES)


@pytest.mark.parametrize("outcome", CASES, ids=ids, indirect=True)
def test_a_hostile_input_gives_its_exit_status_and_keeps_the_contract(outcome):
    path, code, stdout, stderr, out = outcome
    expected = int(header(path)["exit"])

    assert code == expected, stderr
    assert "Traceback" not in stdout + stderr
    assert "\x1b" not in stdout + stderr
    if expected == 2:
        assert stderr.count("error:") == 1 and ": :" not in stderr
        assert not out.exists() and list(out.parent.iterdir()) == []
    else:
        if header(path)["command"].split()[0] in TAKES_OUT:  # complete output
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            assert manifest.get("status", "complete") == "complete"  # a run has no status
            assert (out / "summary.csv").is_file() and (out / "summary.parquet").is_file()
        if "compare" in header(path)["command"]:
            assert (out / "comparison.png").is_file()


@pytest.mark.parametrize("outcome", [p for p in CASES if "message" in header(p)],
                         ids=ids, indirect=True)
def test_a_refusal_names_the_field_at_fault(outcome):
    path, _, _, stderr, _ = outcome
    assert header(path)["message"] in stderr


@pytest.mark.parametrize("outcome", [CORPUS / "formula_name.yaml"], ids=ids, indirect=True)
def test_a_name_a_spreadsheet_would_run_is_quoted_in_the_csv(outcome):
    *_, out = outcome
    assert "'=HYPERLINK" in (out / "summary.csv").read_text(encoding="utf-8")
