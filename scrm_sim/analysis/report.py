"""The manager report: one self-contained HTML file that answers "which ownership model fits us".

It reads a results folder, from ``scrm-sim compare`` or ``scrm-sim experiment``, never a
live model, and gives, in order:

1. **the answer** (``verdict``): the recommended model for stated priorities (which
   metrics, which weights, and how each model's score is computed), how sure (the share
   of paired replications in which it ranks first, with its Wilson interval), its
   trade-offs against each other model in plain words (negligible differences and
   differences within the noise read as such), and the answer under the other obvious
   priority sets;
2. **warnings** (``caveats``): models that leave most posts unanswered or whose backlog is
   still growing, a horizon too short for churn and acquisition to respond, campaigns and
   incidents outside the horizon;
3. every model against every headline metric (mean and 95% CI, clipped to the quantity's
   bounds; better-is-up/down cues; the best marked; the threshold below which a
   difference is practically negligible);
4. how sure we are, figure; 5. cost against delivery; 6. staffing; 7. behaviour over
   time, with campaigns and incidents marked; 8. a decision map over two factors
   (experiments only); 9. where the difference between two models comes from, when the
   folder holds a ``decomposition/`` subfolder of the same scenario; 10. how the answer is
   computed, assumptions and provenance.

Names, units and scales come from ``labels`` (satisfaction 0–100, shares in percent, cost
in currency units over the run's period and staff-hours separately). Every text that comes
from a user's files is escaped. Figures are embedded as base64 PNG and also written as PNG
and SVG to ``figures/`` beside the report, with ``report_numbers.csv`` (the table),
``report_verdict.csv`` (the scores) and ``report_caveats.csv`` (the checks).
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from matplotlib.figure import Figure

import scrm_sim
from scrm_sim.analysis.caveats import (
    CUSTOMER_OUTCOMES,
    MIN_SHARE_ANSWERED,
    Caveats,
    find_caveats,
)
from scrm_sim.analysis.differences import threshold_text, unit_word
from scrm_sim.analysis.horizon import scenarios_of
from scrm_sim.analysis.labels import Metric, label, metric
from scrm_sim.analysis.labels import model_label as pretty
from scrm_sim.analysis.metric_table import metric_table
from scrm_sim.analysis.plots import over_time_figure
from scrm_sim.analysis.report_figures import (
    cost_figure,
    decision_map_figure,
    ranking_figure,
    ranking_rows,
)
from scrm_sim.analysis.verdict import (
    DEFAULT_PRIORITIES,
    PRIORITY_SETS,
    Priorities,
    Scoring,
    Verdict,
    trade_off_sentence,
    verdict,
)
from scrm_sim.scenario.horizon import ScenarioEvent, scenario_events
from scrm_sim.scenario.schema import Scenario

CALIBRATION_SOURCES = [
    "42% of customers expect a reply within 60 minutes (Edison Research, 2012)",
    "72% of complainers expect a reply within 1 hour (Lithium Technologies, 2013)",
    "fast replies raise later spending (Twitter with Applied Marketing Science, 2015)",
    "every other default is a labelled assumption (see scrm-sim validate SCENARIO)",
]
RANKED_METRICS = (
    "share_within_sla", "complaints_within_sla", "first_response_p50_hours",
    "satisfaction_final", "churn_rate", "net_customer_growth", "leads_converted", "cost",
)
"""The metrics of the "how sure" figure, below the priority sets' overall scores."""


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



# ------------------------------------------------------------------------- the run's period


def run_days(scenarios: Mapping[str, Scenario], manifest: Mapping[str, Any]) -> float | None:
    """The run's length in days when every model ran the same, else None."""
    days = {s.duration_days for s in scenarios.values()}
    if not days:  # an experiment whose scenario file is gone: its overrides may say
        overrides = (manifest.get("experiment") or {}).get("overrides") or {}
        days = {overrides.get("duration_days")}
    return next(iter(days)) if len(days) == 1 and None not in days else None


def period_words(days: float | None) -> str:
    """"over 90 days" (empty when the models' periods differ or are unknown)."""
    return f"over {days:g} days" if days is not None else ""


def run_events(scenarios: Mapping[str, Scenario]) -> list[ScenarioEvent]:
    """The campaigns and incidents of the runs, each once, in the order they start."""
    return sorted({e for s in scenarios.values() for e in scenario_events(s)},
                  key=lambda e: (e.start_day, e.kind))


# ------------------------------------------------------------------------- HTML


@dataclass
class ReportParts:
    """Everything a report page shows, computed from the results."""

    table: pd.DataFrame
    answer: Verdict
    caveats: Caveats
    period: str = ""
    posterior: pd.DataFrame | None = None
    """Win shares across posterior draws (``compare --posterior``), else None."""


def build_report(path: Path, out: Path | None = None, *,
                 min_share_answered: float = MIN_SHARE_ANSWERED,
                 priorities: Priorities | str = DEFAULT_PRIORITIES) -> Path:
    """Write the HTML report; returns the report's path.

    Beside the report (``out``, default ``path / "report.html"``) go ``figures/`` (PNG and
    SVG), ``report_numbers.csv``, ``report_verdict.csv`` and ``report_caveats.csv``: with
    ``out`` given, nothing is written into the results folder. A model answering a
    smaller share of posts than ``min_share_answered`` is flagged as leaving most posts
    unanswered (see ``scrm_sim.analysis.caveats``); ``priorities`` is the verdict's main
    priority set (``verdict.PRIORITY_SETS``).
    """
    from scrm_sim.analysis.decomposition import load_decomposition, waterfall_figure

    comparison = load_comparison(path)
    decomposition = _read(path / "decomposition", lambda: load_decomposition(path))
    manifest = comparison.manifest
    # every table, sentence and legend lists the models in the order they were asked for
    comparison.summary = in_model_order(comparison.summary, manifest.get("models"))
    summary = comparison.summary
    models = list(dict.fromkeys(summary["ownership"]))
    scenarios = scenarios_of(manifest)
    period = period_words(run_days(scenarios, manifest))
    parts = ReportParts(
        table=metric_table(summary),
        answer=verdict(summary, priorities),
        caveats=find_caveats(summary, comparison.steps, scenarios=scenarios,
                             min_share_answered=min_share_answered),
        period=period)
    if manifest.get("posterior"):  # compare --posterior: each design point is a draw
        from scrm_sim.analysis.posterior_comparison import win_shares

        parts.posterior = win_shares(summary)
    scorings = [parts.answer.main, *parts.answer.alternatives]
    if parts.posterior is not None:  # a paired replication is a posterior draw here
        for scoring in scorings:
            scoring.run_word, scoring.more_option = "draw", "--draws"
    ranks = ranking_rows(summary, scorings, RANKED_METRICS)
    figures: dict[str, Callable[[], Figure | None]] = {
        "ranking": lambda: ranking_figure(ranks, models),
        "cost_vs_delivery": lambda: cost_figure(summary, period),
        "over_time": lambda: over_time_figure(comparison.steps, models,
                                              events=run_events(scenarios)),
        "decision_map": lambda: decision_map_figure(summary, comparison.factors),
        "decomposition": lambda: waterfall_figure(decomposition[0]) if decomposition else None,
        "posterior": lambda: _posterior_figure(summary, parts.posterior),
    }
    out = out or path / "report.html"
    folder = out.parent
    figure_dir = folder / "figures"
    figure_dir.mkdir(exist_ok=True)
    embedded = {}
    for name, draw in figures.items():
        fig = draw()  # drawn one at a time, without pyplot: nothing stays open
        if fig is None:
            continue
        fig.savefig(figure_dir / f"{name}.png", dpi=120, bbox_inches="tight")
        fig.savefig(figure_dir / f"{name}.svg", bbox_inches="tight")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        embedded[name] = base64.b64encode(buffer.getvalue()).decode("ascii")
    document = render_html(comparison, parts, embedded, decomposition)
    staging = out.with_name(f".{out.name}.tmp")
    try:
        staging.write_text(document, encoding="utf-8")
        staging.replace(out)
    finally:  # a report that could not be put in place leaves no temporary file behind
        staging.unlink(missing_ok=True)
    (folder / "report_numbers.csv").write_text(parts.table.to_csv(index=False),
                                               encoding="utf-8")
    (folder / "report_verdict.csv").write_text(verdict_numbers(scorings).to_csv(index=False),
                                               encoding="utf-8")
    (folder / "report_caveats.csv").write_text(parts.caveats.checks.to_csv(index=False),
                                               encoding="utf-8")
    if parts.posterior is not None:
        (folder / "report_posterior.csv").write_text(parts.posterior.to_csv(index=False),
                                                     encoding="utf-8")
    return out


def _posterior_figure(summary: pd.DataFrame, table: pd.DataFrame | None) -> Figure | None:
    from scrm_sim.analysis.posterior_comparison import win_share_figure

    return None if table is None else win_share_figure(summary, table)


def in_model_order(summary: pd.DataFrame, models: Any) -> pd.DataFrame:
    """``summary`` with its rows in the order of ``models`` (the manifest's list, as the
    user gave it), models not in the list after those in it; unchanged without a list."""
    if not isinstance(models, list) or not models:
        return summary
    rank = {str(m): i for i, m in enumerate(models)}
    position = summary["ownership"].map(lambda m: rank.get(str(m), len(rank)))
    return summary.iloc[np.argsort(position.to_numpy(), kind="stable")].reset_index(drop=True)


def verdict_numbers(scorings: list[Scoring]) -> pd.DataFrame:
    """One row per priority set and model: mean score, wins and P(first) with its interval."""
    rows = []
    for scoring in scorings:
        means = scoring.mean()
        for model in scoring.models:
            wins, share, low, high = scoring.p_first(model)
            rows.append({"priorities": scoring.priorities.key,
                         "weights": scoring.priorities.describe(), "ownership": model,
                         "score": means.get(model, np.nan), "wins": wins,
                         "replications": scoring.replications, "p_first": share,
                         "p_first_low": low, "p_first_high": high,
                         "recommended": model == scoring.recommended,
                         "left_out": "; ".join(f"{label(m)}: {why}"
                                               for m, why in scoring.ignored.items())})
    return pd.DataFrame(rows)


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222;"
    "line-height:1.45;padding:0 1em}table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th[scope=row]{font-weight:normal}td.num{text-align:right;white-space:nowrap}"
    "td.best{background:#e3f4ea;font-weight:600}td.tied{background:#f1f8f3}"
    ".verdict{border:2px solid #009E73;border-radius:6px;padding:.4em 1.2em;margin:1em 0;"
    "background:#f6fbf8}.verdict h2{margin:.4em 0}.verdict .answer{font-size:1.15em}"
    ".partial,.caveats{background:#fff3cd;border:1px solid #e0b000;padding:.4em 1em}"
    ".caveats h2{margin:.3em 0;font-size:1.15em}.caveat{color:#8a5a00;font-size:.9em}"
    ".small{font-size:.9em;color:#444}img{max-width:100%}figure{margin:1.2em 0}"
)


def render_html(comparison: Comparison, parts: ReportParts, images: dict[str, str],
                decomposition: tuple[pd.DataFrame, dict[str, Any]] | None = None) -> str:
    """The report page; every user-supplied text goes through ``html.escape``."""
    esc = html.escape
    images = dict(images)
    waterfall = images.pop("decomposition", None)
    shares = images.pop("posterior", None)
    caveats = parts.caveats
    manifest, summary = comparison.manifest, comparison.summary
    title = manifest.get("experiment", {}).get("name") or next(
        iter(manifest.get("scenarios", {}).values()), {}).get("name", "scenario")
    page = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>Social CRM ownership: {esc(str(title))}</title>",
            f"<style>{STYLE}</style></head><body>"]
    if comparison.partial:
        page.append(f"<p class='partial' id='partial'>{esc(comparison.partial)}</p>")
    page.append(f"<h1>Who should own Social CRM? {esc(str(title))}</h1>")
    page += verdict_box(parts.answer, caveats, parts.period)
    if parts.posterior is not None:
        page += posterior_section(summary, parts.posterior, manifest, shares)
    page += caveat_box(caveats)
    page += table_section(parts.table, caveats, parts.period)
    captions = {
        "ranking": "How sure we are: the share of paired replications in which each model "
                   "ranks first, overall under each set of priorities and on each metric "
                   "(bar and dot: estimate; whiskers: 95% Wilson interval).",
        "cost_vs_delivery": f"What each model costs ({label('cost')}"
                            f"{' ' + parts.period if parts.period else ''}, currency units) "
                            "against what it delivers (mean, 95% CI).",
        "over_time": "How each model behaves over time: satisfaction (0–100), posts waiting, "
                     "response time and social-team size (line: mean; band: 10th–90th "
                     "percentile; shaded: campaigns and incidents).",
        "decision_map": "Where models swap places as conditions change.",
    }
    for name in ("ranking", "cost_vs_delivery"):
        if name in images:
            page.append(_figure(images.pop(name), captions[name]))
    page += staffing_section(summary, manifest)
    for name, data in images.items():
        page.append(_figure(data, captions[name]))
    if decomposition is not None:
        page += decomposition_section(*decomposition, waterfall)
    page += method_section(parts.answer)
    seeds = sorted(summary["seed"].unique().tolist()) if "seed" in summary else []
    page.append("<h2>Assumptions and provenance</h2><ul id='provenance'>")
    facts = [
        f"models: {', '.join(pretty(m) for m in dict.fromkeys(summary['ownership']))}",
        f"runs: {len(summary)}; paired seeds: {len(seeds)}",
        f"scrm-sim {manifest.get('scrm_sim_version', '?')}, commit "
        f"{manifest.get('git_commit') or 'unknown'}, Python {manifest.get('python', '?')}",
        f"written {manifest.get('written_at') or manifest.get('finished_at') or '?'}; report "
        f"made {datetime.now(UTC).isoformat(timespec='seconds')}",
    ]
    description = manifest.get("experiment", {}).get("description") or next(
        iter(manifest.get("scenarios", {}).values()), {}).get("description", "")
    if description:
        facts.insert(0, f"scenario: {description}")
    facts += [f"calibration: {c}" for c in CALIBRATION_SOURCES]
    facts += [f"not checked: {note}" for note in caveats.notes]
    page += [f"<li>{esc(str(fact))}</li>" for fact in facts]
    page.append("</ul><p>Model description: docs/ODD.md in the scrm-sim repository. Results "
                "follow from the scenario and ownership-model parameters; they are not "
                "empirical findings about any real company.</p></body></html>")
    return "\n".join(page)


def _figure(data: str, caption: str) -> str:
    esc = html.escape
    return (f"<figure><img alt='{esc(caption)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def verdict_box(answer: Verdict, caveats: Caveats, period: str = "") -> list[str]:
    """The answer first: the recommended model for the stated priorities, how sure, its
    trade-offs against each other model, and the answer under other priorities."""
    esc = html.escape
    main = answer.main
    weights = esc(main.priorities.describe())
    best = main.recommended
    parts = ["<section class='verdict' id='verdict'>"]
    if best is None:
        parts.append(f"<h2>No model stands out under {esc(main.priorities.name.lower())} "
                     "priorities</h2>")
        parts.append(f"<p class='answer' id='recommendation'>For these priorities ({weights})"
                     " the models are practically the same: on every weighted metric they "
                     "differ by less than the threshold that matters (listed in the table "
                     "below), or they tie.</p>")
    else:
        parts.append(f"<h2>Recommended for {esc(main.priorities.name.lower())} priorities: "
                     f"{esc(pretty(best))}</h2>")
        parts.append(f"<p class='answer' id='recommendation'><strong>{esc(pretty(best))}"
                     f"</strong> has the best score for these priorities ({weights}): it "
                     f"{esc(main.how_sure(best))}.</p>")
        phrase = caveats.phrase(best)
        if phrase:
            parts.append(f"<p class='caveat'>⚠ But {esc(pretty(best))} {esc(phrase)}: read "
                         "its customer outcomes with care (see the warnings below).</p>")
    means = main.mean()
    if len(main.swings):
        parts.append("<p class='small' id='scores'>Scores, from 0 (worst of these models on "
                     "every weighted metric) to 100 (best on every one): "
                     + ", ".join(f"{esc(pretty(m))} {v:.0f}" for m, v in means.items())
                     + f" ({main.replications} paired {main.run_word}s"
                     + (f"; {main.dropped} left out for a missing value" if main.dropped else "")
                     + "). How they are computed: <a href='#method'>below</a>.</p>")
    if main.ignored:
        parts.append("<p class='small' id='left-out'>Left out of the score: "
                     + "; ".join(f"{esc(label(m))}, as {esc(why)}"
                                 for m, why in main.ignored.items()) + ".</p>")
    if best is not None and answer.trade_offs:
        parts.append(f"<h3>{esc(pretty(best))} against each other model</h3>"
                     "<ul id='trade-offs'>")
        for other, differences in answer.trade_offs.items():
            sentence = trade_off_sentence(best, other, differences)
            note = caveats.phrase(other)
            if note:
                sentence += f" {pretty(other)} {note}."
            parts.append(f"<li>{esc(sentence)}</li>")
        parts.append("</ul>")
    parts.append("<h3>If your priorities differ</h3><ul id='other-priorities'>")
    answers = {}
    for scoring in answer.alternatives:
        chosen = scoring.recommended
        answers[scoring.priorities.name] = chosen
        if chosen is None:
            result = "no model stands out"
        else:
            result = (f"<strong>{esc(pretty(chosen))}</strong>, which "
                      f"{esc(scoring.ranks_first(chosen))}")
        parts.append(f"<li><strong>{esc(scoring.priorities.name)}</strong> "
                     f"({esc(scoring.priorities.describe())}): {result}.</li>")
    parts.append("</ul>")
    changed = sorted({n for n, c in answers.items() if c != best})
    if not changed:
        parts.append("<p id='priorities-summary'>The answer is the same under every set of "
                     "priorities above.</p>")
    else:
        parts.append("<p id='priorities-summary'>The answer changes under "
                     + esc(_words(changed).lower()) + " priorities: choose the set closest to "
                     "yours.</p>")
    cost_note = f" Cost is of social staff {period}." if period else ""
    parts.append("<p class='small'>A difference smaller than the threshold in the table's last "
                 "column is treated as practically negligible; one whose 95% interval "
                 f"includes zero, as within the noise of the replications.{esc(cost_note)}</p>")
    parts.append("</section>")
    return parts


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def table_section(table: pd.DataFrame, caveats: Caveats, period: str = "") -> list[str]:
    """Every model against every headline metric: mean (95% CI), ↑/↓ cues, best marked."""
    if table.empty:
        return []
    esc = html.escape
    models = list(dict.fromkeys(table["ownership"]))
    flagged = [m for m in models if caveats.phrase(m)]
    parts = ["<h2>Every model on every headline metric</h2>",
             "<p class='small'>Mean over the paired replications, with its 95% interval "
             "(clipped where a quantity cannot go further). ↑: more is better; ↓: less is "
             "better. ★ marks the best model on a metric; ≈ a model within the threshold of "
             "a difference that matters of it (practically tied).</p>",
             "<table id='metrics'><tr><th>metric</th>"
             + "".join(f"<th>{esc(pretty(m))}{' ⚠' if m in flagged else ''}</th>"
                       for m in models)
             + "<th>negligible below</th></tr>"]
    for column, rows in table.groupby("metric", sort=False):
        shown = metric(str(column))
        arrow = {1: " ↑", -1: " ↓"}.get(shown.direction, "")
        name = shown.label + (f" {period}" if period and column in ("cost", "staff_hours")
                              else "")
        cells = [f"<th scope='row'>{esc(name)} ({esc(shown.unit)}){arrow}</th>"]
        for row in rows.itertuples():
            value = "–" if pd.isna(row.mean) else (
                f"{number(shown, row.mean)}<br><span class='small'>"
                f"({interval_text(shown, row.low, row.high)})</span>")
            mark = " ★" if row.best else (" ≈" if row.tied_with_best else "")
            warn = (" ⚠" if row.ownership in flagged and column in CUSTOMER_OUTCOMES else "")
            css = "num best" if row.best else ("num tied" if row.tied_with_best else "num")
            cells.append(f"<td class='{css}'>{value}{mark}{warn}</td>")
        cells.append(f"<td class='small'>{esc(threshold_text(str(column)))}"
                     if shown.negligible else "<td class='small'>–")
        parts.append("<tr>" + "".join(cells) + "</td></tr>")
    parts.append("</table>")
    for model in flagged:
        parts.append(f"<p class='caveat'>⚠ {esc(pretty(model))} {esc(caveats.phrase(model))}: "
                     "read its customer outcomes (satisfaction, churn, customers, word of "
                     "mouth, leads) with care.</p>")
    return parts


def number(shown: Metric, value: float) -> str:
    """A display-unit value in the metric's format, with a true minus sign and no "−0"."""
    text = shown.format.format(value)
    if text.startswith("-"):
        text = text[1:] if not any(c in "123456789" for c in text) else "−" + text[1:]
    return text


def interval_text(shown: Metric, low: float, high: float) -> str:
    """"43.3–79.5", or "−5 to 3" when an end is negative."""
    a, b = number(shown, low), number(shown, high)
    return f"{a} to {b}" if a.startswith("−") or b.startswith("−") else f"{a}–{b}"


def method_section(answer: Verdict) -> list[str]:
    """How the verdict is computed, and every priority set's weights."""
    esc = html.escape
    sets = "".join(f"<li><strong>{esc(p.name)}</strong>: {esc(p.describe())}</li>"
                   for p in PRIORITY_SETS)
    swings = ", ".join(f"{label(m)} {number(metric(m), v)} {unit_word(metric(m))}".rstrip()
                       for m, v in answer.main.swings.items())
    return [
        "<h2 id='method'>How the answer is computed</h2>",
        "<p>Each model gets a score from 0 to 100 under a set of priorities. On each weighted "
        "metric, 0 is the mean of the worst of the compared models and 1 that of the best "
        "(the metric's swing"
        + (f"; here, for {esc(answer.main.priorities.name.lower())} priorities: {esc(swings)}"
           if swings else "")
        + "); a replication's value is placed on that scale, multiplied by the metric's "
        "weight, and the weighted mean is the score (×100). A weight is what moving from the "
        "worst to the best of these models on that metric is worth (swing weights). A metric "
        "on which the models differ by less than its threshold of a difference that matters "
        "(table above) is left out, so that a practically negligible spread cannot decide "
        "the answer. Every model of a replication runs on the same random numbers, so scores "
        "are compared replication by replication: the recommended model has the best mean "
        "score, and how sure is the share of replications in which its score is the highest "
        "(ties count for no model), with a Wilson 95% interval. Trade-offs are mean paired "
        "differences with Student-t 95% intervals; cost and counts are given in percent of "
        "the other model's value.</p>",
        f"<ul id='priority-sets'>{sets}</ul>",
    ]


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
        lead = (f"Every model was staffed at an equal budget of {budget:g} FTE (the "
                "scenario's staffing budget), keeping its own structure: the differences "
                "above come from how each model is organised and run, not from how many "
                "people it has.")
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
             f"<th>staff-hours{esc(period)}</th><th>cost{esc(period)} (currency units)</th>"
             "</tr>"]
    for model, row in means.iterrows():
        parts.append(f"<tr><td>{esc(pretty(str(model)))}</td><td class='num'>"
                     f"{row.fte_budgeted:.1f}</td><td class='num'>{row.fte_worked:.1f}</td>"
                     f"<td class='num'>{row.staff_hours:,.0f}</td><td class='num'>"
                     f"{row.cost:,.0f}</td></tr>")
    parts.append("</table>")
    return parts


def decomposition_section(table: pd.DataFrame, manifest: dict[str, Any],
                          image: str | None) -> list[str]:
    """"Where the difference comes from": the waterfall and each group's contribution."""
    from scrm_sim.analysis.decomposition import group_words

    esc = html.escape
    a, b = str(table["a"].iloc[0]), str(table["b"].iloc[0])
    metrics = list(dict.fromkeys(table["metric"]))
    method = manifest.get("method", "?")
    if manifest.get("permutations_per_replication"):
        method += f", {manifest['permutations_per_replication']} orders per replication"
    ranked_by = manifest.get("ranked_by")
    parts = [
        "<h2 id='decomposition'>Where the difference comes from</h2>",
        f"<p>The paired difference from {esc(pretty(a))} to {esc(pretty(b))}"
        + (f" (the runner-up and the best on {esc(label(str(ranked_by)))})"
           if ranked_by else "")
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
        parts.append(_figure(image, caption))
    parts.append("<table id='decomposition-table'><tr><th>parameter group</th>"
                 + "".join(f"<th>{esc(metric(m).with_unit())}</th>" for m in metrics)
                 + "</tr>")
    shown = table[(table["role"] == "total") | ((table["role"] == "group") & table["differs"])]
    for group in dict.fromkeys(shown["group"]):
        rows = shown[shown["group"] == group].set_index("metric")
        fields = rows["fields"].iloc[0] if isinstance(rows["fields"].iloc[0], str) else ""
        name = ("total (B − A)" if group == "total"
                else f"{esc(group_words(str(group)))} <small>({esc(group_words(fields))})"
                     "</small>")
        cells = []
        for column in metrics:
            if column not in rows.index:
                cells.append("<td></td>")
                continue
            m, r = metric(column), rows.loc[column]
            cells.append(f"<td class='num'>{m.signed(r['mean'])} ({m.signed(r['ci_low'])} to "
                         f"{m.signed(r['ci_high'])})</td>")
        parts.append(f"<tr><td>{name}</td>{''.join(cells)}</tr>")
    parts.append("</table>")
    return parts


def posterior_section(summary: pd.DataFrame, table: pd.DataFrame, manifest: dict[str, Any],
                      image: str | None) -> list[str]:
    """"Across the plausible versions of your client": which posterior and how many draws,
    the best model against the runner-up on each headline metric in plain words, the
    win/tie/loss figure and every pair's shares (``compare --posterior``)."""
    from scrm_sim.analysis.posterior_comparison import MIXED_UNCERTAINTY, oriented, sentences

    esc = html.escape
    posterior = manifest.get("posterior") or {}
    draws = posterior.get("draws", "?")
    reps = posterior.get("reps_per_draw", 1)
    parameters = ", ".join(str(p) for p in posterior.get("parameters", [])) or "?"
    level = f"{100 * float(table['level'].iloc[0]):.0f}%" if len(table) else "90%"
    parts = [
        "<section id='posterior'><h2>Across the plausible versions of your client</h2>",
        f"<p>Every model ran on the same {esc(str(draws))} draws from the calibration's "
        f"posterior in {esc(str(posterior.get('folder', '?')))} (calibrated: "
        f"{esc(parameters)}; {esc(str(posterior.get('particles', '?')))} particles, resampled "
        f"by weight; {esc(str(reps))} seed{'s' if reps != 1 else ''} per draw). Each draw is "
        "one plausible version of your client: the parameter values the calibration left "
        f"plausible. {esc(MIXED_UNCERTAINTY)} Elsewhere in this report, a paired "
        "replication is a posterior draw. A draw whose difference is below the metric's "
        "threshold of a difference that matters (the last column of the table of every model on "
        "every headline metric, below) counts as a tie; the "
        f"interval of a share is a Wilson {level} interval.</p>",
        "<ul id='posterior-sentences'>",
        *(f"<li>{esc(line)}</li>" for line in sentences(summary, table)),
        "</ul>",
    ]
    if image is not None:
        parts.append(_figure(image, (
            "For each headline metric and each pair of models, the share of the plausible "
            "versions of your client in which the first model is better (green), they are "
            f"practically tied (grey) or the second is better (orange); whiskers: {level} "
            "Wilson interval of the first model's share.")))
    parts.append("<table id='posterior-table'><tr><th>metric</th><th>models</th>"
                 f"<th>first better</th><th>{level} interval</th><th>tied</th>"
                 "<th>second better</th><th>difference, first − second: median "
                 "(5th–95th percentile)</th></tr>")
    for _, row in table.iterrows():
        if row["losses"] > row["wins"]:  # read from the side that wins more often
            row = oriented(table, row["metric"], row["b"], row["a"])
        shown = metric(str(row["metric"]))
        parts.append(
            f"<tr><td>{esc(shown.with_unit())}</td><td>{esc(pretty(str(row['a'])))} vs "
            f"{esc(pretty(str(row['b'])))}</td>"
            f"<td class='num'>{100 * row['share_wins']:.0f}%</td>"
            f"<td class='num'>{100 * row['wins_low']:.0f}–{100 * row['wins_high']:.0f}%</td>"
            f"<td class='num'>{100 * row['share_ties']:.0f}%</td>"
            f"<td class='num'>{100 * row['share_losses']:.0f}%</td>"
            f"<td class='num'>{number(shown, row['difference_median'])} "
            f"({interval_text(shown, row['difference_p05'], row['difference_p95'])})</td></tr>")
    parts.append("</table></section>")
    return parts


def caveat_box(caveats: Caveats) -> list[str]:
    """The warning box below the verdict: every flagged model and why, and the warnings
    on the run itself (empty if none)."""
    if not caveats.flags and not caveats.shared:
        return []
    esc = html.escape
    parts = ["<div class='caveats' id='caveats' role='note'><h2>⚠ Warnings</h2>"]
    if caveats.flags:
        parts.append("<p><strong>Read the customer outcomes of these models with care.</strong> "
                     "Satisfaction, churn, NPS, customer numbers and word of mouth measure "
                     "what customers have felt by the end of the run, and for these models "
                     "that is not yet what their service will cost.</p><ul>")
        for model, found in caveats.flags.items():
            details = "; ".join(c.detail for c in found)
            parts.append(f"<li><strong>{esc(pretty(model))}</strong>: {esc(details)}.</li>")
        parts.append("</ul>")
    if caveats.shared:
        parts.append("<ul id='run-warnings'>")
        parts += [f"<li>{esc(note)}</li>" for note in caveats.shared]
        parts.append("</ul>")
    parts.append("</div>")
    return parts
