"""The HTML report: numbers, escaping, partial and missing results."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scrm_sim.analysis.caveats import find_caveats
from scrm_sim.analysis.report import (
    Comparison, ReportError, build_report, headline_table, load_comparison, render_html,
    staffing_section, summary_sentences,
)
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


# ------------------------------------------------------------------ warnings (caveats)

SEEDS = (11, 12, 13)


def _summary(models: dict[str, dict[str, float]]) -> pd.DataFrame:
    """A compare summary: per model its metrics, three paired seeds with a little spread."""
    return pd.DataFrame([{"ownership": model, "seed": seed,
                          **{k: v * (1 + 0.01 * i) for k, v in metrics.items()}}
                         for model, metrics in models.items() for i, seed in enumerate(SEEDS)])


def _steps(backlog: dict[str, object], days: int = 28) -> pd.DataFrame:
    """Hourly steps as compare writes them, with daily and weekly rhythms in the backlog.

    Hours start at 1 and day = hour // 24, so the first and last days are cut short; the
    backlog level of each model is a function of the hour.
    """
    rng = np.random.default_rng(0)
    hour = np.arange(1, 24 * days + 1)
    rhythm = (1 + 0.5 * np.sin(2 * np.pi * hour / 24)) * np.where(hour // 24 % 7 >= 5, 3, 1)
    return pd.concat([pd.DataFrame({
        "ownership": model, "seed": seed, "hour": hour, "day": hour // 24,
        "backlog": level(hour) * rhythm * rng.uniform(0.8, 1.2, len(hour)),
        "satisfaction_mean": 0.7 + rng.normal(0, 0.002, len(hour))})
        for model, level in backlog.items() for seed in SEEDS], ignore_index=True)


def _flat(hour: np.ndarray) -> np.ndarray:
    return np.full(len(hour), 20.0)


def test_best_on_churn_while_answering_few_posts_is_warned_in_the_sentence_and_the_box():
    summary = _summary({
        "marketing_led": {"share_answered": 0.05, "churn_rate": 0.010, "satisfaction_final": 0.60},
        "hybrid": {"share_answered": 0.90, "churn_rate": 0.015, "satisfaction_final": 0.70}})
    steps = _steps({"marketing_led": _flat, "hybrid": _flat})
    table = headline_table(summary)
    caveats = find_caveats(summary, steps)
    sentences = summary_sentences(table, caveats)
    churn = next(s for s in sentences if "best on churn" in s)
    assert churn.startswith("Marketing-led is best on churn — but it leaves 95% of posts "
                            "unanswered.")
    satisfaction = next(s for s in sentences if "best on customer satisfaction" in s)
    assert satisfaction.startswith("Hybrid is best on customer satisfaction at the end: ")
    assert satisfaction.endswith("The runner-up, Marketing-led, leaves 95% of posts unanswered.")
    page = render_html(Comparison(summary, steps, {}, [], None), table, sentences, {}, caveats)
    box = page.split("<div class='caveats' id='caveats' role='note'>")[1].split("</div>")[0]
    assert page.index("id='caveats'") < page.index("<h2>Summary</h2>")  # at the top
    assert "<strong>Marketing-led</strong>: answers 5.1% of posts" in box
    assert "Hybrid" not in box


def test_a_model_whose_backlog_is_still_growing_is_flagged():
    summary = _summary({"ceo_led": {"share_answered": 0.8, "churn_rate": 0.01},
                        "hybrid": {"share_answered": 0.8, "churn_rate": 0.02}})
    steps = _steps({"ceo_led": lambda hour: 5.0 + hour / 24, "hybrid": _flat})
    caveats = find_caveats(summary, steps)
    assert [c.check for c in caveats.of("ceo_led")] == ["backlog_growing"]
    assert "backlog is still growing when the run ends" in caveats.of("ceo_led")[0].detail
    assert not caveats.of("hybrid")


def test_a_healthy_model_is_not_flagged():
    # answers most posts; its backlog swings with the day and the week without growing. The
    # run ends on a weekend peak: a line fitted to its last quarter would rise steeply.
    summary = _summary({"service_led": {"share_answered": 0.85, "churn_rate": 0.01},
                        "hybrid": {"share_answered": 0.80, "churn_rate": 0.02}})
    steps = _steps({"service_led": _flat, "hybrid": _flat})
    caveats = find_caveats(summary, steps)
    assert caveats.flags == {} and caveats.shared == [] and caveats.notes == []
    table = headline_table(summary)
    page = render_html(Comparison(summary, steps, {}, [], None), table,
                       summary_sentences(table, caveats), {}, caveats)
    assert "id='caveats'" not in page and "— but" not in page


def test_the_warning_box_escapes_model_names():
    summary = _summary({HOSTILE: {"share_answered": 0.1, "churn_rate": 0.01},
                        "hybrid": {"share_answered": 0.9, "churn_rate": 0.02}})
    caveats = find_caveats(summary, pd.DataFrame())
    table = headline_table(summary)
    page = render_html(Comparison(summary, pd.DataFrame(), {}, [], None), table,
                       summary_sentences(table, caveats), {}, caveats)
    assert "<script>" not in page and "id='caveats'" in page


def staffing_lead(hours: float | None) -> str:
    company = {} if hours is None else {"contracted_hours_per_week": hours}
    summary = pd.DataFrame([{"ownership": "hybrid", "fte_budgeted": 10.0, "fte_worked": 9.0,
                             "staff_hours": 1000.0, "cost": 5000.0}])
    manifest = {"scenarios": {"hybrid": {"company": company, "duration_days": 3}}}
    html = "".join(staffing_section(summary, manifest))
    return html.split("<p id='staffing-lead'>")[1].split("</p>")[0]


def test_the_staffing_example_uses_the_company_s_contracted_hours():
    assert "(35 h); a seat manned on extended hours (112 h a week) is 3.2 FTE" in \
        staffing_lead(35)


def test_the_staffing_example_falls_back_to_a_40_hour_week():
    assert "(40 h); a seat manned on extended hours (112 h a week) is 2.8 FTE" in \
        staffing_lead(None)
