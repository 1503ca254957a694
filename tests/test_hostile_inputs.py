"""Hostile and out-of-range inputs are refused before any work, naming the field (issue 14).

One test per example of issue 14's classes 1 (bounds, cost estimates, YAML limits,
free-form mappings) and the specification parts of class 4 (unknown names, repeated
factors and models, quoted numbers), plus stage cycles and ownership overrides (class 6).
Each refusal is a :class:`~scrm_sim.errors.ScenarioError` — the CLI prints it and exits
with status 2 — and none builds a model or a design point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scrm_sim.cli import main
from scrm_sim.errors import ScenarioError
from scrm_sim.experiment.designs import sample
from scrm_sim.experiment.spec import Experiment, load_experiment
from scrm_sim.scenario import load_scenario
from scrm_sim.scenario.limits import MAX_PROBLEMS, MAX_YAML_BYTES, estimate_memory
from scrm_sim.scenario.schema import Scenario

from .conftest import SCENARIOS

TINY = "name: tiny\nduration_days: 1\ncustomers: {count: 50, prospects: 10}\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def experiment_refusal(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    return info.value


def fields(error: ScenarioError) -> list[str]:
    return [p.field for p in error.problems]


def experiment(tmp_path: Path, body: str) -> Path:
    write(tmp_path / "tiny.yaml", TINY)
    return write(tmp_path / "exp.yaml", "name: e\nscenario: tiny.yaml\n"
                 "models: [service_led, hybrid]\n" + body)


# --------------------------------------------------------------------------- bounds


@pytest.mark.parametrize(("field", "yaml_value"), [
    ("company.headcount_scale", ".inf"),
    ("ownership.staffing_scale", ".inf"),
    ("demand.volume_multiplier", "1e300"),
    ("demand.volume_multiplier", ".nan"),
    ("customers.count", "1000000000000"),
    ("seed", str(2**70)),
])
def test_infinite_huge_and_nan_numbers_are_refused_by_the_schema(tmp_path, field, yaml_value):
    block, _, key = field.rpartition(".")
    text = TINY + (f"{block}: {{{key}: {yaml_value}}}\n" if block else f"{key}: {yaml_value}\n")
    if block == "ownership":
        text = TINY + f"ownership: {{extends: service_led, {key}: {yaml_value}}}\n"
    assert field in fields(refusal(write(tmp_path / "s.yaml", text)))


def test_a_billion_staff_in_a_department_is_refused(tmp_path):
    path = write(tmp_path / "s.yaml", TINY + "company: {departments: {service: {staff: 1000000000}}}\n")
    assert "company.departments.service.staff" in fields(refusal(path))


def test_a_run_that_cannot_fit_in_memory_is_refused_with_the_estimate(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRM_SIM_MEMORY_LIMIT_GB", "1")
    path = write(tmp_path / "s.yaml", TINY.replace("count: 50", "count: 100000000"))
    error = refusal(path)
    assert fields(error) == ["customers.count"]
    assert "GB of memory" in error.problems[0].message and "limit of 1.0 GB" in str(error)


def test_the_memory_limit_can_be_raised_knowingly(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRM_SIM_MEMORY_LIMIT_GB", "1")
    big = {"customers": {"count": 2_000_000}}
    with pytest.raises(ScenarioError):
        load_scenario("minimal", big)
    monkeypatch.setenv("SCRM_SIM_MEMORY_LIMIT_GB", "100")
    assert load_scenario("minimal", big).customers.count == 2_000_000


def test_the_default_scenario_is_far_below_any_memory_limit():
    assert estimate_memory(Scenario()).total < 0.2e9


def test_the_cli_exits_2_on_an_out_of_range_number(tmp_path, capsys):
    path = write(tmp_path / "s.yaml", TINY + "demand: {volume_multiplier: .inf}\n")
    assert main(["validate", str(path)]) == 2
    assert "demand.volume_multiplier" in capsys.readouterr().err


# --------------------------------------------------------------------------- YAML limits


def test_a_file_above_the_size_limit_is_refused_unread(tmp_path):
    path = write(tmp_path / "big.yaml", TINY + "#" * (MAX_YAML_BYTES + 1))
    assert "above the limit" in str(refusal(path))


def test_5000_deep_nesting_gives_a_message_not_a_recursion_error(tmp_path):
    path = write(tmp_path / "deep.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "nested deeper" in str(refusal(path))


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    bomb = "\n".join("  " + line for line in lines)
    path = experiment(tmp_path, f"design: sobol\ndesign_options:\n{bomb}\n")
    assert "expands to more than" in str(experiment_refusal(path))


def test_a_recursive_alias_is_refused(tmp_path):
    path = write(tmp_path / "s.yaml", TINY + "description: &d [*d]\n")
    assert "recursive" in str(refusal(path))


def test_an_empty_scenario_file_is_refused(tmp_path):
    assert "empty file" in str(refusal(write(tmp_path / "empty.yaml", "# nothing\n")))


def test_a_thousand_problems_print_as_the_first_few_and_a_count(tmp_path):
    rates = "".join(f"  x{i}: 1\n" for i in range(1000))
    error = refusal(write(tmp_path / "s.yaml", TINY + "company:\n" + rates))
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1].message == f"… and {1000 - MAX_PROBLEMS} more problems"


# --------------------------------------------------------------------------- experiments


def test_a_ten_billion_point_factorial_is_refused_before_building_a_point(tmp_path):
    levels = "[" + ", ".join(str(0.1 + i / 100) for i in range(10)) + "]"
    factors = "".join(f"  - {{path: {p}, values: {levels}}}\n" for p in (
        "company.culture", "churn.daily_base_hazard", "customers.b2b_share",
        "company.tools.level", "word_of_mouth.win_back", "outcomes.drift_target",
        "outcomes.drift_per_day", "customers.expect_reply_within_hour",
        "churn.reference_satisfaction", "churn.at_risk_below"))
    path = experiment(tmp_path, "factors:\n" + factors)
    error = experiment_refusal(path)
    assert fields(error) == ["factors"] and "runs" in str(error)


def test_a_billion_replications_are_refused(tmp_path):
    error = experiment_refusal(experiment(tmp_path, "replications: 1000000000\n"))
    assert fields(error) == ["replications"]


def test_sample_refuses_an_oversized_design_given_as_an_object():
    design = Experiment.model_validate({
        "name": "e", "scenario": "minimal", "replications": 10**9})
    with pytest.raises(ScenarioError):
        sample(design)


@pytest.mark.parametrize(("body", "field"), [
    ("metrics: [share_within_sla, sharee_within_sla]\n", "metrics"),
    ("step_metrics: [backlog, backlogg]\n", "step_metrics"),
    ("replications: auto\nauto: {metric: nonsense, half_width: 0.1}\n", "auto.metric"),
    ("figure_metrics: [nonsense]\n", "figure_metrics"),
])
def test_unknown_metric_names_are_refused(tmp_path, body, field):
    error = experiment_refusal(experiment(tmp_path, body))
    assert fields(error) == [field]


@pytest.mark.parametrize("options", [
    "{calc_second_order: true, bomb: 1}",
    "{calc_second_order: 'yes'}",
])
def test_design_options_take_only_the_designs_own_typed_options(tmp_path, options):
    body = ("design: sobol\nsamples: 2\nfactors:\n  - {path: company.culture, range: [0.2, 0.6]}\n"
            f"design_options: {options}\n")
    assert "design_options." in str(experiment_refusal(experiment(tmp_path, body)))


def test_a_repeated_factor_path_is_refused(tmp_path):
    body = ("factors:\n  - {path: company.culture, values: [0.2]}\n"
            "  - {path: company.culture, values: [0.6]}\n")
    assert "company.culture more than once" in str(experiment_refusal(experiment(tmp_path, body)))


def test_a_model_listed_twice_is_refused(tmp_path):
    write(tmp_path / "tiny.yaml", TINY)
    path = write(tmp_path / "exp.yaml", "name: e\nscenario: tiny.yaml\n"
                 "models: [hybrid, service_led, hybrid]\n")
    assert "hybrid more than once" in str(experiment_refusal(path))


def test_a_quoted_number_among_numeric_levels_is_refused(tmp_path):
    body = "factors:\n  - {path: demand.volume_multiplier, values: [1.0, '2']}\n"
    error = experiment_refusal(experiment(tmp_path, body))
    assert "write it without quotes" in str(error)


# --------------------------------------------------------------------------- ownership


def test_a_stage_that_names_its_own_preset_is_refused_with_the_chain(tmp_path):
    (tmp_path / "ownership").mkdir()
    write(tmp_path / "ownership" / "loop.yaml",
          "name: loop\nstages:\n  - {ownership: loop.yaml, when: {after_day: 1}}\n")
    path = write(tmp_path / "s.yaml", TINY + "ownership: loop\n")
    assert "circular stages: loop -> loop" in str(refusal(path))


def test_an_ownership_override_without_extends_keeps_the_files_preset():
    scenario = load_scenario(SCENARIOS / "minimal.yaml", {"ownership": {"authority": 0.9}})
    preset = load_scenario(SCENARIOS / "minimal.yaml")
    assert scenario.ownership.name == preset.ownership.name == "service_led"
    assert scenario.ownership.authority == 0.9
    assert scenario.ownership.front_line == preset.ownership.front_line


@pytest.mark.parametrize("command", ["run", "compare", "decompose"])
def test_a_seed_beyond_64_bits_is_refused_on_the_command_line_before_anything_runs(
        command, tmp_path, capsys):
    from scrm_sim.cli import main

    extra = {"decompose": ["marketing_led", "service_led"]}.get(command, [])
    with pytest.raises(SystemExit) as exit_status:
        main([command, "baseline", *extra, "--seed", str(2**70), "--out", str(tmp_path / "o")])
    assert exit_status.value.code == 2
    assert "--seed" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_an_experiment_file_s_errors_say_it_is_an_invalid_experiment(tmp_path, capsys):
    from scrm_sim.cli import main

    path = tmp_path / "exp.yaml"
    path.write_text("name: x\nscenario: baseline\nreplications: 0\n", encoding="utf-8")
    assert main(["experiment", str(path), "--out", str(tmp_path / "o")]) == 2
    assert f"error: invalid experiment {path}" in capsys.readouterr().err
