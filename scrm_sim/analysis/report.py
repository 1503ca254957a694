"""The manager report: one self-contained HTML file that answers "which ownership model fits us".

It reads a results folder, from ``scrm-sim compare`` or ``scrm-sim experiment``, never a
live model. Below its title, a warning box lists the models whose customer outcomes should
not be read at face value (``caveats``: most posts unanswered, a backlog still growing);
every sentence that calls such a model best or runner-up on a customer outcome says why
inline. Then, in order, it gives:

1. a plain-language summary generated from the numbers;
2. the best model on each headline metric and by how much (paired differences, 95% CI);
3. how sure we are (the share of paired replications in which each model ranks first);
4. cost against delivery;
5. behaviour over time;
6. a decision map over two factors (experiments only);
7. where the difference between two models comes from, when the folder holds a
   ``decomposition/`` subfolder of the same scenario (``compare --decompose`` writes one;
   see ``scrm_sim.analysis.decomposition``);
8. assumptions and provenance.

Every text that comes from a user's files is escaped. Figures are embedded as base64 PNG
and also written as PNG and SVG to ``figures/``.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow as pa
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

import scrm_sim
from scrm_sim.analysis.caveats import (
    CUSTOMER_OUTCOMES, MIN_SHARE_ANSWERED, Caveats, find_caveats,
)
from scrm_sim.analysis.plots import colour_of, over_time_figure, pretty
from scrm_sim.analysis.statistics import (
    METRIC_DIRECTION, mean_ci, paired_differences, rank_first_probability,
)

# metric, plain name, unit, scale for display, format
HEADLINES: list[tuple[str, str, str, float, str]] = [
    ("share_within_sla", "answered within the SLA", "% of posts", 100.0, "{:.1f}"),
    ("complaints_within_sla", "complaints answered within the SLA", "% of complaints", 100.0,
     "{:.1f}"),
    ("first_response_p50_hours", "median first response", "hours", 1.0, "{:.2f}"),
    ("satisfaction_final", "customer satisfaction at the end", "points of 100", 100.0, "{:.1f}"),
    ("churn_rate", "churn", "% of customers", 100.0, "{:.2f}"),
    ("leads_converted", "leads converted", "leads", 1.0, "{:.0f}"),
    ("negative_wom_reach", "negative word-of-mouth reach", "exposures", 1.0, "{:.0f}"),
    ("cost", "cost of social staff", "currency units", 1.0, "{:,.0f}"),
]
CALIBRATION_SOURCES = [
    "42% of customers expect a reply within 60 minutes (Edison Research, 2012)",
    "72% of complainers expect a reply within 1 hour (Lithium Technologies, 2013)",
    "fast replies raise later spending (Twitter with Applied Marketing Science, 2015)",
    "every other default is a labelled assumption (see scrm-sim validate SCENARIO)",
]


@dataclass
class Comparison:
    """What a report is built from."""

    summary: pd.DataFrame
    steps: pd.DataFrame
    manifest: dict[str, Any]
    factors: list[str]
    partial: str | None


class ReportError(ValueError):
    """A results folder that cannot be reported on, and what is missing."""


def load_comparison(path: Path) -> Comparison:
    """Read a compare or experiment results folder; say clearly what is missing."""
    if not path.is_dir():
        raise ReportError(f"{path} is not a folder; give the results folder of "
                          "scrm-sim compare or scrm-sim experiment")
    manifest_path = path / "manifest.json"
    try:
        manifest = (json.loads(manifest_path.read_text(encoding="utf-8"))
                    if manifest_path.is_file() else {})
    except (OSError, ValueError) as exc:  # truncated, not JSON, not UTF-8, unreadable
        raise ReportError(f"{manifest_path} is damaged and cannot be read ({exc}); rerun the "
                          "job, or restore the file") from None
    if not isinstance(manifest, dict):
        raise ReportError(f"{manifest_path} is damaged: it holds no manifest (a JSON object)")
    version = manifest.get("scrm_sim_version")
    if version and version.split(".")[0] != scrm_sim.__version__.split(".")[0]:
        raise ReportError(f"{path} was written by scrm_sim {version}; this is "
                          f"{scrm_sim.__version__}, which cannot read it. Rerun the job.")
    partial = None
    if (path / "summary").is_dir():
        from scrm_sim.experiment.store import load_results

        results = _read(path / "summary", lambda: load_results(path))
        summary, steps, factors = results.summary, results.steps, [
            f["path"] for f in manifest.get("experiment", {}).get("factors", [])]
        planned = manifest.get("runs_planned")
        failed = len(results.failures)
        if manifest.get("status") != "complete" or failed:
            partial = (f"Partial results: {len(summary)} of {planned or 'an unknown number of'} "
                       f"runs finished, {failed} failed"
                       + (", the experiment may still be running" if manifest.get(
                           "status") == "running" else "") + ". Figures show finished runs only.")
    elif (path / "summary.parquet").is_file():
        summary = _read(path / "summary.parquet",
                        lambda: pd.read_parquet(path / "summary.parquet"))
        steps = (_read(path / "steps.parquet", lambda: pd.read_parquet(path / "steps.parquet"))
                 if (path / "steps.parquet").is_file() else pd.DataFrame())
        factors = []
    else:
        raise ReportError(f"{path} holds no results (no summary.parquet or summary/); run "
                          "scrm-sim compare or scrm-sim experiment first")
    if summary.empty:
        raise ReportError(f"{path} has no finished runs yet; nothing to report")
    if summary["ownership"].nunique() < 2:
        raise ReportError(f"{path} has results for one ownership model only; a comparison "
                          "needs two or more")
    if "ownership" not in summary:
        raise ReportError(f"{path} is damaged: its summary has no ownership column")
    return Comparison(summary, steps, manifest, factors, partial)


def _read[T](where: Path, read: Callable[[], T]) -> T:
    """``read()``, with a damaged or unreadable file reported as a ReportError naming it."""
    try:
        return read()
    except (OSError, ValueError, pa.ArrowException) as exc:  # corrupt, truncated, unreadable
        raise ReportError(f"{_damaged_file(where)} is damaged or truncated and cannot be read "
                          f"({type(exc).__name__}: {exc}); rerun the job") from None


def _damaged_file(where: Path) -> Path:
    """The first Parquet file under ``where`` that does not open, else ``where`` itself."""
    import pyarrow.parquet as pq

    for part in sorted(where.rglob("*.parquet")) if where.is_dir() else []:
        try:
            pq.ParquetFile(part)
        except (OSError, ValueError, pa.ArrowException):
            return part
    return where


# ------------------------------------------------------------------------- numbers


def headline_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per metric: the best model, the runner-up, their paired difference and P(first)."""
    rows = []
    for metric, name, unit, scale, fmt in HEADLINES:
        if metric not in summary:
            continue
        direction = METRIC_DIRECTION.get(metric, 1)
        means = summary.groupby("ownership", sort=False)[metric].mean()
        if means.isna().all():
            continue
        order = (means * direction).sort_values(ascending=False).index.tolist()
        best, second = order[0], order[1]
        pair = paired_differences(summary[summary["ownership"].isin([best, second])], metric)
        row = pair.iloc[0]
        sign = 1 if row["a"] == best else -1  # difference as best − runner-up
        low, high = sorted((sign * row["low"], sign * row["high"]))
        ranks = rank_first_probability(summary, metric).set_index("ownership")
        rows.append({
            "metric": metric, "name": name, "unit": unit, "scale": scale, "format": fmt,
            "best": best, "best_value": means[best], "runner_up": second,
            "runner_up_value": means[second], "difference": sign * row["difference"],
            "low": low, "high": high, "pairs": int(row["pairs"]),
            "p_first": ranks.loc[best, "p_first"],
        })
    return pd.DataFrame(rows)


def summary_sentences(table: pd.DataFrame, caveats: Caveats | None = None) -> list[str]:
    """Plain-language findings, every number read from ``table``.

    Where the best model or the runner-up on a customer outcome carries a caveat, the
    sentence says so inline.
    """
    caveats = caveats or Caveats()
    sentences = []
    for row in table.itertuples():
        fmt, scale = row.format, row.scale
        direction = METRIC_DIRECTION.get(row.metric, 1)
        # the advantage of the best model, positive, with its interval
        gap = direction * row.difference * scale
        low, high = sorted((direction * row.low * scale, direction * row.high * scale))
        unit = "points" if row.unit.startswith(("%", "points")) else row.unit
        outcome = row.metric in CUSTOMER_OUTCOMES
        best_caveat = caveats.phrase(row.best) if outcome else ""
        opening = (f"{pretty(row.best)} is best on {row.name} — but it {best_caveat}. "
                   f"Its {row.name}: " if best_caveat
                   else f"{pretty(row.best)} is best on {row.name}: ")
        sentence = (
            f"{opening}{fmt.format(row.best_value * scale)} "
            f"({row.unit}), {fmt.format(gap)} {unit} {'more' if direction > 0 else 'less'} "
            f"than {pretty(row.runner_up)} (95% CI {fmt.format(low)} to {fmt.format(high)}); "
            f"it ranks first in {100 * row.p_first:.0f}% of {row.pairs} paired replications."
        )
        if low <= 0 <= high:
            sentence += " The difference is within the noise of the replications."
        runner_caveat = caveats.phrase(row.runner_up) if outcome else ""
        if runner_caveat:
            sentence += f" The runner-up, {pretty(row.runner_up)}, {runner_caveat}."
        sentences.append(sentence)
    return sentences


# ------------------------------------------------------------------------- figures


def ranking_figure(summary: pd.DataFrame, metrics: list[str]) -> Figure:
    """P(ranks first) per model and metric, with Wilson intervals."""
    models = list(dict.fromkeys(summary["ownership"]))
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(metrics) + 1.8), layout="constrained")
    height = 0.8 / len(models)
    for j, model in enumerate(models):
        ps, lows, highs = [], [], []
        for metric in metrics:
            r = rank_first_probability(summary, metric).set_index("ownership").loc[model]
            ps.append(r["p_first"])
            lows.append(r["p_first"] - r["low"])
            highs.append(r["high"] - r["p_first"])
        ax.barh(np.arange(len(metrics)) + j * height, ps, height, xerr=[lows, highs],
                color=colour_of(model, models), label=pretty(model), capsize=2)
    ax.set_yticks(np.arange(len(metrics)) + height * (len(models) - 1) / 2, metrics)
    ax.set_xlabel("probability of ranking first (share of paired replications, 95% CI)")
    ax.set_xlim(0, 1)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(loc="outside lower center", ncol=len(models), frameon=False)
    return fig


def cost_figure(summary: pd.DataFrame) -> Figure:
    """Cost in staff-hours against what it delivers, mean ± 95% CI per model."""
    models = list(dict.fromkeys(summary["ownership"]))
    panels = [("share_within_sla", "answered within the SLA (% of posts)", 100.0),
              ("satisfaction_final", "satisfaction at the end (0–100)", 100.0),
              ("churn_rate", "churn (% of customers)", 100.0)]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
    for ax, (metric, label, scale) in zip(axes, panels, strict=True):
        for model in models:
            mine = summary[summary["ownership"] == model]
            x, xl, xh = mean_ci(mine["staff_hours"].to_numpy(float))
            y, yl, yh = mean_ci(mine[metric].to_numpy(float) * scale)
            ax.errorbar(x, y, xerr=[[x - xl], [xh - x]], yerr=[[y - yl], [yh - y]], fmt="o",
                        color=colour_of(model, models), capsize=3, label=pretty(model))
        ax.set_xlabel("staff-hours on social work")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(frameon=False, fontsize=8)
    return fig


def decision_map_figure(summary: pd.DataFrame, factors: list[str],
                        metric: str = "share_within_sla") -> Figure | None:
    """Over two factors: each cell coloured by the winning model, shaded by P(first)."""
    if len(factors) < 2 or metric not in summary:
        return None
    fx, fy = factors[:2]
    models = list(dict.fromkeys(summary["ownership"]))
    xs, ys = sorted(summary[fx].unique()), sorted(summary[fy].unique())
    if len(xs) > 12 or len(ys) > 12:
        return None  # continuous designs: use the main-effects figure instead
    image = np.ones((len(ys), len(xs), 4))
    labels = {}
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            cell = summary[(summary[fx] == x) & (summary[fy] == y)]
            if cell.empty:
                continue
            ranks = rank_first_probability(cell, metric).set_index("ownership")["p_first"]
            winner = ranks.idxmax()
            rgba = to_rgba(colour_of(winner, models))
            image[i, j] = (*rgba[:3], 0.25 + 0.75 * ranks[winner])
            labels[i, j] = f"{pretty(winner)}\n{100 * ranks[winner]:.0f}%"
    fig, ax = plt.subplots(figsize=(1.6 * len(xs) + 2.5, 1.1 * len(ys) + 1.8),
                           layout="constrained")
    ax.imshow(image, origin="lower", aspect="auto")
    for (i, j), text in labels.items():
        ax.text(j, i, text, ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
    ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
    ax.set_xlabel(fx)
    ax.set_ylabel(fy)
    ax.set_title(f"Best model on {metric} (shade: share of paired replications it wins)",
                 fontsize=10)
    return fig


# ------------------------------------------------------------------------- HTML


def build_report(path: Path, out: Path | None = None, *,
                 min_share_answered: float = MIN_SHARE_ANSWERED) -> Path:
    """Write the HTML report (and figures/ as PNG and SVG); returns the report's path.

    A model answering a smaller share of posts than ``min_share_answered`` is flagged as
    leaving most posts unanswered (see ``scrm_sim.analysis.caveats``).
    """
    from scrm_sim.analysis.decomposition import load_decomposition, waterfall_figure

    comparison = load_comparison(path)
    decomposition = _read(path / "decomposition", lambda: load_decomposition(path))
    summary = comparison.summary
    models = list(dict.fromkeys(summary["ownership"]))
    table = headline_table(summary)
    caveats = find_caveats(summary, comparison.steps, min_share_answered=min_share_answered)
    sentences = summary_sentences(table, caveats)
    figures = {
        "ranking": ranking_figure(summary, table["metric"].tolist()),
        "cost_vs_delivery": cost_figure(summary),
        "over_time": over_time_figure(comparison.steps, models),
        "decision_map": decision_map_figure(summary, comparison.factors),
        "decomposition": waterfall_figure(decomposition[0]) if decomposition else None,
    }
    figure_dir = path / "figures"
    figure_dir.mkdir(exist_ok=True)
    embedded = {}
    for name, fig in figures.items():
        if fig is None:
            continue
        fig.savefig(figure_dir / f"{name}.png", dpi=120, bbox_inches="tight")
        fig.savefig(figure_dir / f"{name}.svg", bbox_inches="tight")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        embedded[name] = base64.b64encode(buffer.getvalue()).decode("ascii")
    out = out or path / "report.html"
    document = render_html(comparison, table, sentences, embedded, caveats, decomposition)
    staging = out.with_name(f".{out.name}.tmp")
    try:
        staging.write_text(document, encoding="utf-8")
        staging.replace(out)
    finally:  # a report that could not be put in place leaves no temporary file behind
        staging.unlink(missing_ok=True)
    (path / "report_numbers.csv").write_text(table.to_csv(index=False), encoding="utf-8")
    (path / "report_caveats.csv").write_text(caveats.checks.to_csv(index=False),
                                             encoding="utf-8")
    return out


def render_html(comparison: Comparison, table: pd.DataFrame, sentences: list[str],
                images: dict[str, str], caveats: Caveats | None = None,
                decomposition: tuple[pd.DataFrame, dict[str, Any]] | None = None) -> str:
    """The report page; every user-supplied text goes through ``html.escape``."""
    esc = html.escape
    images = dict(images)
    waterfall = images.pop("decomposition", None)
    caveats = caveats or Caveats()
    manifest, summary = comparison.manifest, comparison.summary
    title = manifest.get("experiment", {}).get("name") or next(
        iter(manifest.get("scenarios", {}).values()), {}).get("name", "scenario")
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             f"<title>Social CRM ownership: {esc(str(title))}</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;"
             "color:#222;line-height:1.45}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
             ".partial,.caveats{background:#fff3cd;border:1px solid #e0b000;padding:.6em}"
             ".caveat{color:#8a5a00;font-size:.9em}"
             "img{max-width:100%}figure{margin:1.2em 0}</style></head><body>"]
    if comparison.partial:
        parts.append(f"<p class='partial' id='partial'>{esc(comparison.partial)}</p>")
    parts.append(f"<h1>Who should own Social CRM? {esc(str(title))}</h1>")
    parts += caveat_box(caveats)
    parts.append("<h2>Summary</h2><ul id='summary'>")
    parts += [f"<li>{esc(s)}</li>" for s in sentences]
    parts.append("</ul>")
    parts.append("<h2>Best model per metric, and by how much</h2><table id='headlines'>"
                 "<tr><th>metric</th><th>best</th><th>value</th><th>runner-up</th>"
                 "<th>difference (95% CI)</th><th>P(first)</th></tr>")

    def model_cell(model: str, metric: str) -> str:
        phrase = caveats.phrase(model) if metric in CUSTOMER_OUTCOMES else ""
        note = f"<br><span class='caveat'>⚠ {esc(phrase)}</span>" if phrase else ""
        return f"<td>{esc(pretty(model))}{note}</td>"

    for row in table.itertuples():
        f, k = row.format, row.scale
        parts.append(
            f"<tr><td>{esc(row.name)} ({esc(row.unit)})</td>{model_cell(row.best, row.metric)}"
            f"<td>{f.format(row.best_value * k)}</td>{model_cell(row.runner_up, row.metric)}"
            f"<td>{f.format(row.difference * k)} ({f.format(row.low * k)} to "
            f"{f.format(row.high * k)})</td><td>{100 * row.p_first:.0f}%</td></tr>")
    parts.append("</table>")
    parts += staffing_section(summary, manifest)
    captions = {
        "ranking": "How sure we are: share of paired replications in which each model ranks first.",
        "cost_vs_delivery": "What each model costs (staff-hours) against what it delivers.",
        "over_time": "How each model behaves over time: satisfaction, backlog, response time "
                     "and social-team size (mean, band: 10th–90th percentile).",
        "decision_map": "Where models swap places as conditions change.",
    }
    for name, data in images.items():
        parts.append(f"<figure><img alt='{esc(captions[name])}' src='data:image/png;base64,"
                     f"{data}'><figcaption>{esc(captions[name])}</figcaption></figure>")
    if decomposition is not None:
        parts += decomposition_section(*decomposition, waterfall)
    seeds = sorted(summary["seed"].unique().tolist()) if "seed" in summary else []
    parts.append("<h2>Assumptions and provenance</h2><ul id='provenance'>")
    facts = [
        f"models: {', '.join(pretty(m) for m in dict.fromkeys(summary['ownership']))}",
        f"runs: {len(summary)}; paired seeds: {len(seeds)}",
        f"scrm_sim {manifest.get('scrm_sim_version', '?')}, commit "
        f"{manifest.get('git_commit') or 'unknown'}, Python {manifest.get('python', '?')}",
        f"written {manifest.get('written_at') or manifest.get('finished_at') or '?'}; report "
        f"made {datetime.now(UTC).isoformat(timespec='seconds')}",
    ]
    description = manifest.get("experiment", {}).get("description") or next(
        iter(manifest.get("scenarios", {}).values()), {}).get("description", "")
    if description:
        facts.insert(0, f"scenario: {description}")
    facts += [f"calibration: {c}" for c in CALIBRATION_SOURCES]
    facts += [f"warnings: {note}" for note in caveats.notes]
    parts += [f"<li>{esc(str(fact))}</li>" for fact in facts]
    parts.append("</ul><p>Model description: docs/ODD.md in the scrm_sim repository. Results "
                 "follow from the scenario and ownership-model parameters; they are not "
                 "empirical findings about any real company.</p></body></html>")
    return "\n".join(parts)


def contracted_hours(manifest: dict[str, Any]) -> float:
    """One FTE's hours a week in these results: the scenarios' (or an experiment's
    overrides') ``company.contracted_hours_per_week`` when they agree on one, else the
    schema's default (40).
    """
    from scrm_sim.scenario.schema import Company

    scenarios = manifest.get("scenarios", {}) or {}
    companies = [s.get("company") or {} for s in scenarios.values() if isinstance(s, dict)]
    if not scenarios:
        companies = [(manifest.get("experiment", {}).get("overrides", {}) or {}).get("company")
                     or {}]
    hours = {c.get("contracted_hours_per_week") for c in companies}
    if len(hours) == 1 and None not in hours:
        return float(next(iter(hours)))
    return float(Company.model_fields["contracted_hours_per_week"].default)


def staffing_section(summary: pd.DataFrame, manifest: dict[str, Any]) -> list[str]:
    """How much staff each model had: FTE budgeted and worked, staff-hours and cost, and
    whether the models were compared at an equal budget (docs/ODD.md §7.18)."""
    if "fte_budgeted" not in summary:
        return []  # results of a version before staffing was counted in FTE
    esc = html.escape
    scenarios = manifest.get("scenarios", {}) or {}
    days = {s.get("duration_days") for s in scenarios.values() if isinstance(s, dict)}
    budgets = {s.get("staffing_budget_fte") for s in scenarios.values() if isinstance(s, dict)}
    if not scenarios:  # an experiment: its overrides hold what every run shares
        overrides = manifest.get("experiment", {}).get("overrides", {}) or {}
        budgets = {overrides.get("staffing_budget_fte")}
        days = {overrides.get("duration_days")}
    means = summary.groupby("ownership", sort=False)[
        ["fte_budgeted", "fte_worked", "staff_hours", "cost"]].mean()
    if len(budgets) == 1 and None not in budgets and budgets:
        budget = next(iter(budgets))
        lead = (f"Every model was staffed at an equal budget of {budget:g} FTE "
                "(staffing_budget_fte), keeping its own structure: the differences above "
                "come from how each model is organised and run, not from how many people "
                "it has.")
    else:
        low, high = means["fte_budgeted"].min(), means["fte_budgeted"].max()
        lead = (f"Each model was staffed as its preset says, from {low:.1f} to {high:.1f} FTE: "
                "part of any difference above is more or fewer people. Compare at an equal "
                "budget with `scrm-sim compare … --equal-budget FTE`.")
    period = f" over {next(iter(days)):g} days" if len(days) == 1 and None not in days else ""
    from scrm_sim.scenario.staffing import shift_hours_per_week

    hours, extended = contracted_hours(manifest), shift_hours_per_week("extended")
    parts = ["<h2>Staffing</h2>", f"<p id='staffing-lead'>{esc(lead)} One FTE is one person's "
             f"contracted week ({hours:g} h); a seat manned on extended hours "
             f"({extended:g} h a week) is {extended / hours:.1f} FTE.</p>",
             "<table id='staffing'><tr><th>model</th><th>FTE budgeted</th><th>FTE worked</th>"
             f"<th>staff-hours{esc(period)}</th><th>cost{esc(period)}</th></tr>"]
    for model, row in means.iterrows():
        parts.append(f"<tr><td>{esc(pretty(str(model)))}</td><td>{row.fte_budgeted:.1f}</td>"
                     f"<td>{row.fte_worked:.1f}</td><td>{row.staff_hours:,.0f}</td>"
                     f"<td>{row.cost:,.0f}</td></tr>")
    parts.append("</table>")
    return parts


def decomposition_section(table: pd.DataFrame, manifest: dict[str, Any],
                          image: str | None) -> list[str]:
    """"Where the difference comes from": the waterfall and each group's contribution."""
    esc = html.escape
    a, b = str(table["a"].iloc[0]), str(table["b"].iloc[0])
    formats = {m: (scale, fmt) for m, _, _, scale, fmt in HEADLINES}
    units = {m: unit for m, _, unit, _, _ in HEADLINES}
    metrics = list(dict.fromkeys(table["metric"]))
    method = manifest.get("method", "?")
    if manifest.get("permutations_per_replication"):
        method += f", {manifest['permutations_per_replication']} orders per replication"
    parts = [
        "<h2 id='decomposition'>Where the difference comes from</h2>",
        f"<p>The paired difference from {esc(pretty(a))} to {esc(pretty(b))}"
        + (f" (the runner-up and the best by {esc(str(manifest['ranked_by']))})"
           if manifest.get("ranked_by") else "")
        + ", split between the groups of ownership parameters in which the two models "
        "differ. Each contribution is the group's Shapley value: the average change in the "
        "metric when that group is switched from the first model's values to the second's, "
        "over the orders in which the groups can be switched; the contributions add up to "
        "the whole difference, seed by seed. Groups the two models set alike contribute "
        "nothing. Operating choices such as opening hours or acknowledging hand-offs are "
        "groups of their own, so what remains under who answers is the part that follows "
        "from the choice of department itself.</p>",
        f"<p class='caveat'>Computed from {manifest.get('replications', '?')} paired "
        f"replications ({esc(method)}; {manifest.get('runs', '?')} runs, "
        f"{manifest.get('wall_seconds', '?')} s): wide intervals mean more replications are "
        "needed before reading small contributions.</p>",
    ]
    if image is not None:
        caption = (f"From {pretty(a)} to {pretty(b)}: one bar per parameter group (green: "
                   "better, red: worse), 95% intervals of the paired contributions.")
        parts.append(f"<figure><img alt='{esc(caption)}' src='data:image/png;base64,{image}'>"
                     f"<figcaption>{esc(caption)}</figcaption></figure>")
    parts.append("<table id='decomposition-table'><tr><th>parameter group</th>"
                 + "".join(f"<th>{esc(m)}" + (f" ({esc(units[m])})" if m in units else "")
                           + "</th>" for m in metrics) + "</tr>")
    shown = table[(table["role"] == "total") | ((table["role"] == "group") & table["differs"])]
    for group in dict.fromkeys(shown["group"]):
        rows = shown[shown["group"] == group].set_index("metric")
        fields = rows["fields"].iloc[0] if isinstance(rows["fields"].iloc[0], str) else ""
        label = ("total (B − A)" if group == "total"
                 else f"{esc(str(group).replace('_', ' '))} <small>({esc(fields)})</small>")
        cells = []
        for metric in metrics:
            if metric not in rows.index:
                cells.append("<td></td>")
                continue
            scale, fmt = formats.get(metric, (1.0, "{:.4g}"))
            r = rows.loc[metric]
            cells.append(f"<td>{fmt.format(r['mean'] * scale)} ({fmt.format(r['ci_low'] * scale)}"
                         f" to {fmt.format(r['ci_high'] * scale)})</td>")
        parts.append(f"<tr><td>{label}</td>{''.join(cells)}</tr>")
    parts.append("</table>")
    return parts


def caveat_box(caveats: Caveats) -> list[str]:
    """The warning box below the title: every flagged model and why (empty if none)."""
    if not caveats.flags and not caveats.shared:
        return []
    esc = html.escape
    parts = ["<div class='caveats' id='caveats' role='note'>"]
    if caveats.flags:
        parts.append("<p><strong>⚠ Read the customer outcomes of these models with care."
                     "</strong> Satisfaction, churn, NPS, customer numbers and word of mouth "
                     "measure what customers have felt by the end of the run, and for these "
                     "models that is not yet what their service will cost. Wherever the "
                     "report calls one of them best or runner-up on a customer outcome, it "
                     "says so.</p><ul>")
        for model, found in caveats.flags.items():
            details = "; ".join(c.detail for c in found)
            parts.append(f"<li><strong>{esc(pretty(model))}</strong>: {esc(details)}.</li>")
        parts.append("</ul>")
    parts += [f"<p>{esc(note)}</p>" for note in caveats.shared]
    parts.append("</div>")
    return parts
