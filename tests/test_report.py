"""The HTML report: numbers, escaping, partial and missing results."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.colors import to_hex

from scrm_sim.analysis.metric_table import metric_table
from scrm_sim.analysis.plots import (
    clipped_error,
    colour_of,
    comparison_figure,
    over_time_figure,
)
from scrm_sim.analysis.report import (
    ReportError,
    build_report,
    load_comparison,
    staffing_section,
)
from scrm_sim.analysis.report_figures import cost_figure, ranking_figure
from scrm_sim.analysis.statistics import mean_ci
from scrm_sim.cli import EXIT_USER_ERROR, main
from scrm_sim.scenario.horizon import ScenarioEvent

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


def test_the_table_states_every_models_mean_and_interval_from_the_results(compared):
    text = (compared / "report.html").read_text(encoding="utf-8")
    summary = pd.read_parquet(compared / "summary.parquet")
    table = text.split("<table id='metrics'>")[1].split("</table>")[0]
    header = re.findall(r"<th>([^<]+)</th>", table.split("</tr>")[0])
    row = next(r for r in table.split("<tr>")
               if r.startswith("<th scope='row'>answered within the SLA (% of posts) ↑"))
    cells = re.findall(r"<td class='num[^']*'>([\d.]+)<br><span class='small'>\(([\d.]+)–"
                       r"([\d.]+)\)</span>", row)
    assert header[1:3] == ["Marketing-led", "Hybrid"] and len(cells) == 2
    for model, (mean, low, high) in zip(("marketing_led", "hybrid"), cells, strict=True):
        values = 100 * summary.loc[summary["ownership"] == model, "share_within_sla"]
        expected, lo, hi = mean_ci(values.to_numpy(float))
        assert float(mean) == pytest.approx(expected, abs=0.05)
        assert float(low) == pytest.approx(max(lo, 0), abs=0.05)
        assert float(high) == pytest.approx(min(hi, 100), abs=0.05)


def test_the_best_model_on_a_metric_is_marked_in_the_table(compared):
    summary = pd.read_parquet(compared / "summary.parquet")
    table = metric_table(summary)
    cost = table[table["metric"] == "cost"].set_index("ownership")
    cheaper = summary.groupby("ownership")["cost"].mean().idxmin()

    assert cost.loc[cheaper, "best"] and cost["best"].sum() == 1
    text = (compared / "report.html").read_text(encoding="utf-8")
    row = next(r for r in text.split("<tr>") if r.startswith("<th scope='row'>cost of social"))
    assert row.count("class='num best'") == 1 and "★" in row
    assert "over 3 days (currency units) ↓" in row


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


# ------------------------------------------------------------------ where the report writes


def test_a_report_out_elsewhere_writes_everything_beside_it_and_nothing_into_the_results(
        compared, tmp_path):
    results = tmp_path / "results"
    shutil.copytree(compared, results)
    before = sorted(p.relative_to(results) for p in results.rglob("*"))
    out = tmp_path / "elsewhere" / "client.html"
    out.parent.mkdir()
    results.chmod(0o555)  # read-only: any write into it would fail
    try:
        assert build_report(results, out) == out
    finally:
        results.chmod(0o755)

    assert sorted(p.relative_to(results) for p in results.rglob("*")) == before
    beside = {p.name for p in out.parent.iterdir()}
    assert beside == {"client.html", "figures", "report_numbers.csv", "report_verdict.csv",
                      "report_caveats.csv"}
    assert (out.parent / "figures" / "ranking.svg").stat().st_size > 0


def test_the_figures_of_compare_and_the_report_leave_no_figure_open(compared):
    import matplotlib.pyplot as plt

    summary = pd.read_parquet(compared / "summary.parquet")
    steps = pd.read_parquet(compared / "steps.parquet")
    open_before = plt.get_fignums()
    comparison_figure(summary, ["marketing_led", "hybrid"], "client")  # what compare draws
    over_time_figure(steps, ["marketing_led", "hybrid"], "client")
    build_report(compared)
    assert plt.get_fignums() == open_before


# ------------------------------------------------------------------ figures and units


def test_an_interval_of_a_quantity_that_cannot_be_negative_is_clipped_at_zero():
    # three replications of a median response: 0.5, 0.5 and 30 hours; the t interval of
    # their mean reaches far below zero
    summary = pd.DataFrame({"ownership": ["a"] * 3 + ["b"] * 3, "seed": [1, 2, 3] * 2,
                            "first_response_p50_hours": [0.5, 0.5, 30, 1, 1.1, 1.2]})
    row = metric_table(summary).set_index("ownership").loc["a"]
    _, low, _ = mean_ci(np.array([0.5, 0.5, 30]))

    assert low < -20 and row["low"] == 0.0 and row["high"] > row["mean"]
    [[below], _] = clipped_error("first_response_p50_hours", row["mean"], low, row["high"])
    assert below == pytest.approx(row["mean"])  # the error bar stops at zero


def test_satisfaction_is_drawn_on_0_to_100_and_campaigns_and_incidents_are_marked():
    hours = np.arange(24 * 10)
    steps = pd.DataFrame({"ownership": "hybrid", "seed": 1, "hour": hours,
                          "satisfaction_mean": 0.7, "backlog": 3.0})
    events = [ScenarioEvent("campaign", 2, 5, "campaign (posts ×2, reach ×3)"),
              ScenarioEvent("incident", 7, 8, "incident (complaints ×8)"),
              ScenarioEvent("incident", 40, 41, "incident (complaints ×8)")]

    fig = over_time_figure(steps, ["hybrid"], events=events)

    satisfaction = fig.axes[0]
    assert satisfaction.get_ylabel() == "customer satisfaction (0–100)"
    assert satisfaction.lines[0].get_ydata().max() == pytest.approx(70)
    spans = [p for p in satisfaction.patches if p.get_x() in (2, 7)]
    assert len(spans) == 2  # the incident after the run's last day is not drawn
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Hybrid", "campaign, days 2–5 (posts ×2, reach ×3)",
                      "incident, days 7–8 (complaints ×8)"]
    assert fig.axes[1].get_ylim()[0] == 0  # posts waiting: from zero


def test_the_how_sure_figure_draws_a_model_that_never_ranks_first_at_zero_in_its_colour():
    rows = pd.DataFrame([
        {"row": "answered within the SLA", "ownership": "hybrid", "p_first": 1.0,
         "low": 0.57, "high": 1.0},
        {"row": "answered within the SLA", "ownership": "ceo_led", "p_first": 0.0,
         "low": 0.0, "high": 0.43}])

    fig = ranking_figure(rows, ["hybrid", "ceo_led"])

    ax = fig.axes[0]
    markers = [line for line in ax.lines if line.get_marker() == "o"]
    ceo = [m for m in markers if to_hex(m.get_color()) == colour_of("ceo_led", []).lower()]
    assert ceo and ceo[0].get_xdata()[0] == 0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["answered within the SLA"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Hybrid", "CEO-led"]
    assert ax.yaxis_inverted()  # the first model of a row, like the legend's first, on top


def test_the_cost_figure_plots_currency_over_the_period_from_zero():
    summary = pd.DataFrame({"ownership": ["a", "a", "b", "b"], "seed": [1, 2, 1, 2],
                            "cost": [20_000.0, 21_000, 30_000, 31_000],
                            "share_within_sla": [0.5, 0.6, 0.7, 0.8],
                            "satisfaction_final": [0.70, 0.71, 0.72, 0.73],
                            "churn_rate": [0.01, 0.02, 0.01, 0.02]})

    fig = cost_figure(summary, "over 90 days")

    sla, satisfaction, churn = fig.axes[:3]
    assert sla.get_xlabel() == "cost of social staff over 90 days (currency units)"
    assert sla.get_xlim()[0] == 0 and sla.get_ylim()[0] == 0 and churn.get_ylim()[0] == 0
    assert satisfaction.get_ylabel() == "customer satisfaction at the end (0–100)"
    assert any("not 0" in t.get_text() for t in satisfaction.texts)  # a zoomed axis says so
