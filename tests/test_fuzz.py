"""Fuzzing the command line with hostile scenario files (issue 14, class 7).

Hypothesis writes scenario YAML over a chosen set of fields with hostile values (huge,
negative, infinite, NaN, deep, aliased, unicode and path-like text, wrong types) and checks
the contract: ``validate`` exits 0, or exits 2 with one message, never a traceback; and a
file that validates, cut to one day and 200 customers, ``run``s to complete output or is
refused the same way. Derandomized, so every CI run tries the same examples.
"""

from __future__ import annotations

import tracemalloc

import math
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrm_sim.cli import main

from .conftest import SCENARIOS

FIELDS = [  # a spread of numeric, text and list fields at several depths
    "name", "seed", "duration_days", "description",
    "customers.count", "customers.prospects", "customers.b2b_share",
    "company.culture", "company.headcount_scale", "company.tools.level",
    "demand.volume_multiplier", "churn.daily_base_hazard", "word_of_mouth.win_back",
    "outcomes.drift_per_day", "ownership", "ownership.staffing_scale",
    "ownership.authority", "company.departments.service.staff",
    "network", "no_such_field",
]

hostile_numbers = st.one_of(
    st.sampled_from([0, -1, 1, 2**31, 2**63, 2**70, 10**12, 1e300, -1e300, 1e-300,
                     math.inf, -math.inf, math.nan, 0.5, 1.0000001]),
    st.integers(), st.floats(allow_nan=True, allow_infinity=True))
hostile_text = st.one_of(
    st.sampled_from(["..", "../..", "/", "/etc/passwd", "$x^2$", "=1+1", "\x1b[2J", "",
                     "a" * 1000, "con", "nul", "-rf", "~", "hybrid", "service_led",
                     "../../scenarios/baseline.yaml", "\u202e", "é😀"]),
    st.text(max_size=40))
leaf = st.one_of(hostile_numbers, hostile_text, st.booleans(), st.none())
values = st.recursive(leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)),
    max_leaves=8)

documents = st.dictionaries(st.sampled_from(FIELDS), values, max_size=4)

# for run: values at the edges of what validates, so that most files get to run
edges = st.sampled_from([0, 0.0, 1e-9, 0.5, 0.999999, 1, 2, 3, 100])
runnable = st.fixed_dictionaries({"name": hostile_text}, optional={
    path: edges for path in ["company.culture", "company.headcount_scale",
                             "demand.volume_multiplier", "churn.daily_base_hazard",
                             "word_of_mouth.win_back", "ownership.authority",
                             "company.departments.service.staff"]})


def nest(flat: dict[str, object]) -> dict[str, object]:
    """``{"a.b": 1}`` as ``{"a": {"b": 1}}``; a later path replaces a clashing earlier one."""
    tree: dict[str, object] = {}
    for path, value in flat.items():
        *parents, key = path.split(".")
        node = tree
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]  # type: ignore[assignment]
        node[key] = value
    return tree


def text_of(tree: dict[str, object], aliased: bool, deep: int) -> str:
    """YAML of ``tree`` over the baseline, with an alias chain or deep nesting appended."""
    body = yaml.safe_dump({"extends": str(SCENARIOS / "baseline.yaml"), **tree},
                          allow_unicode=True)
    if aliased:
        body += "seed: &a 7\nduration_days: *a\n"
    if deep:
        body += "deep: " + "[" * deep + "]" * deep + "\n"
    return body


def cli(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1


def assert_contract(code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert code in (0, 2), err
    if code == 2:
        assert err.count("error:") == 1, err


# what validating one file may allocate: a file is at most 5 MB and 200,000 values
# (scenario/limits.py); an alias bomb without those limits took 3.7 GB
VALIDATE_MEMORY_BOUND = 256 * 2**20

CASE = dict(tree=documents.map(nest), aliased=st.booleans(),
            deep=st.sampled_from([0, 0, 0, 50, 5000]))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(**CASE)
def test_validate_exits_0_or_2_with_one_message_whatever_the_file_says(
        tmp_path, capsys, tree, aliased, deep):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text_of(tree, aliased, deep), encoding="utf-8")

    # memory is traced where it can blow up (aliases, deep nesting): tracing every example
    # would make the test several times slower; numpy reports its buffers to tracemalloc too
    traced = aliased or deep > 0
    if traced:
        tracemalloc.start()
    try:
        code = cli(["validate", str(path)])
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
    finally:
        if traced:
            tracemalloc.stop()

    captured = capsys.readouterr()
    assert_contract(code, captured.out, captured.err)
    assert peak < VALIDATE_MEMORY_BOUND, f"validate took {peak / 2**20:.0f} MiB"


@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tree=runnable.map(nest))
def test_a_file_that_validates_runs_to_complete_output_or_is_refused(tmp_path, capsys, tree):
    tree = {**tree, "duration_days": 1}
    customers = tree.get("customers")
    tree["customers"] = {**(customers if isinstance(customers, dict) else {}),
                         "count": 150, "prospects": 50}
    path = tmp_path / "fuzz.yaml"
    path.write_text(text_of(tree, False, 0), encoding="utf-8")
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)  # hypothesis reuses tmp_path across examples
    if cli(["validate", str(path)]) != 0:
        capsys.readouterr()
        return

    code = cli(["run", str(path), "--out", str(out), "--quiet", "--force"])

    captured = capsys.readouterr()
    assert_contract(code, captured.out, captured.err)
    if code == 0:
        assert (out / "summary.csv").is_file() and (out / "manifest.json").is_file()
    else:
        assert not out.exists()
