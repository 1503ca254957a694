"""The HTML report: numbers, escaping, partial and missing results."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from scrm_sim.analysis.report import ReportError, build_report, load_comparison
from scrm_sim.cli import EXIT_USER_ERROR, main

from .conftest import SCENARIOS

HOSTILE = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    scenario = folder / "client.yaml"
    scenario.write_text(yaml.safe_dump({
        "extends": str(SCENARIOS / "baseline.yaml"), "name": "client",
        "description": f"Acme {HOSTILE}", "duration_days": 3,
        "customers": {"count": 400, "prospects": 200}}), encoding="utf-8")
    out = folder / "out"
    assert main(["compare", str(scenario), "--models", "marketing_led,hybrid", "--reps", "3",
                 "--workers", "1", "--quiet", "--out", str(out), "--report"]) == 0
    return out


def test_the_report_is_one_self_contained_file_with_figures_also_as_png_and_svg(compared):
    text = (compared / "report.html").read_text(encoding="utf-8")
    assert text.count("data:image/png;base64,") >= 3
    assert "src='http" not in text and 'src="http' not in text  # opens offline
    for name in ("ranking", "cost_vs_delivery", "over_time"):
        assert (compared / "figures" / f"{name}.png").stat().st_size > 0
        assert (compared / "figures" / f"{name}.svg").stat().st_size > 0


def test_text_from_user_files_is_escaped(compared):
    text = (compared / "report.html").read_text(encoding="utf-8")
    assert HOSTILE not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text


def test_summary_sentences_match_the_numbers_in_the_results(compared):
    text = (compared / "report.html").read_text(encoding="utf-8")
    summary = pd.read_parquet(compared / "summary.parquet")
    sentences = re.findall(r"<li>(.*?)</li>", text.split("<ul id='summary'>")[1].split("</ul>")[0])
    assert sentences
    for sentence in sentences:
        if "answered within the SLA:" in sentence and "complaints" not in sentence:
            best = re.match(r"(\S+) is best", sentence).group(1).lower().replace("-", "_")
            value = float(re.search(r"SLA: ([\d.]+)", sentence).group(1))
            expected = 100 * summary[summary["ownership"] == best]["share_within_sla"].mean()
            assert value == pytest.approx(expected, abs=0.05)
            wide = summary.pivot_table(index="seed", columns="ownership",
                                       values="share_within_sla")
            other = [m for m in wide.columns if m != best][0]
            gap = float(re.search(r", ([\d.]+) points more", sentence).group(1))
            assert gap == pytest.approx(100 * (wide[best] - wide[other]).mean(), abs=0.05)
            break
    else:
        pytest.fail("no sentence on answering within the SLA")


def test_a_report_from_partial_results_says_so_on_its_first_line(tmp_path):
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump({
        "name": "partial", "scenario": str(SCENARIOS / "baseline.yaml"),
        "overrides": {"duration_days": 2, "customers": {"count": 300, "prospects": 100}},
        "models": ["marketing_led", "hybrid"], "replications": 2, "seed": 1,
        "run_timeout_seconds": 1e-9}), encoding="utf-8")
    out = tmp_path / "out"
    main(["experiment", str(experiment), "--out", str(out), "--workers", "1", "--quiet"])
    with pytest.raises(ReportError, match="holds no results"):
        load_comparison(out)  # every run timed out
    # rerun without the time limit: the failed runs are retried and finish
    data = yaml.safe_load(experiment.read_text())
    data.pop("run_timeout_seconds")
    experiment.write_text(yaml.safe_dump(data), encoding="utf-8")
    main(["experiment", str(experiment), "--out", str(out), "--workers", "1", "--quiet"])
    report = build_report(out)  # all runs now finished: a complete report
    assert "id='partial'" not in report.read_text(encoding="utf-8")


def test_a_failed_run_marks_the_report_partial(tmp_path, monkeypatch):
    from scrm_sim.experiment import runner

    original = runner.execute_run
    monkeypatch.setattr(runner, "execute_run", lambda p: (_ for _ in ()).throw(RuntimeError(
        "boom")) if p["seed"] == runner.replication_seed(1, 0, 1) and "hybrid" in str(
        p["scenario"]["ownership"]["name"]) else original(p))
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(yaml.safe_dump({
        "name": "failing", "scenario": str(SCENARIOS / "baseline.yaml"),
        "overrides": {"duration_days": 2, "customers": {"count": 300, "prospects": 100}},
        "models": ["marketing_led", "hybrid"], "replications": 3, "seed": 1}), encoding="utf-8")
    out = tmp_path / "out"
    main(["experiment", str(experiment), "--out", str(out), "--workers", "1", "--quiet"])
    text = build_report(out).read_text(encoding="utf-8")
    body = text.split("<body>")[1]
    assert body.startswith("\n<p class='partial' id='partial'>Partial results: 5 of 6 runs")


@pytest.mark.parametrize("setup", ["missing", "empty"])
def test_a_missing_or_empty_results_folder_is_a_clear_error(tmp_path, capsys, setup):
    folder = tmp_path / "results"
    if setup == "empty":
        folder.mkdir()
    assert main(["report", str(folder)]) == EXIT_USER_ERROR
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(folder) in err
