"""Sensitivity indices of Sobol and Morris experiments (SALib), per model and metric.

Sobol (Saltelli 2002; Sobol' 2001): first-order S1 and total ST indices with bootstrap
confidence intervals, from ``SALib.analyze.sobol``. Morris (1991; Campolongo et al.
2007): mu* (mean absolute elementary effect) with its confidence interval, and sigma,
from ``SALib.analyze.morris``. The output of each design point is the mean of the
metric over its replications, so the indices describe the model's expected response.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze

from scrm_sim.analysis.labels import label, model_label
from scrm_sim.analysis.labels import metric as metric_shown
from scrm_sim.analysis.plots import colour_of, over_time_figure, runs_with_ci
from scrm_sim.analysis.statistics import mean_ci
from scrm_sim.experiment.store import Results

DEFAULT_METRICS = ("share_within_sla", "satisfaction_final", "churn_rate", "cost")


def sensitivity_indices(results: Results, metrics: tuple[str, ...] = DEFAULT_METRICS,
                        seed: int = 0) -> pd.DataFrame:
    """One row per (model, metric, factor) with the design's indices and intervals."""
    design = results.manifest["design"]
    kind, problem = design["type"], design["salib_problem"]
    if kind not in ("sobol", "morris") or problem is None:
        raise ValueError(f"sensitivity indices need a sobol or morris design, not {kind!r}")
    n_points = len(design["points"])
    summary = results.summary
    rows = []
    for model, frame in summary.groupby("ownership", sort=False):
        means = frame.groupby("point").mean(numeric_only=True)
        if len(means) < n_points:
            raise ValueError(f"{model}: {len(means)} of {n_points} design points have results; "
                             "run the experiment to completion first")
        for metric in metrics:
            if metric not in means:
                continue
            y = means[metric].reindex(range(n_points)).to_numpy(dtype=float)
            if np.allclose(y, y[0]):
                continue  # a constant output has no variance to apportion
            if kind == "sobol":
                second = bool(results.manifest["experiment"]["design_options"].get(
                    "calc_second_order", False))
                found = sobol_analyze.analyze(problem, y, calc_second_order=second, seed=seed)
                for i, name in enumerate(problem["names"]):
                    rows.append({"ownership": model, "metric": metric, "factor": name,
                                 "S1": found["S1"][i], "S1_conf": found["S1_conf"][i],
                                 "ST": found["ST"][i], "ST_conf": found["ST_conf"][i]})
            else:
                x = np.asarray(design["sample_matrix"], dtype=float)
                found = morris_analyze.analyze(problem, x, y, seed=seed)
                for i, name in enumerate(problem["names"]):
                    rows.append({"ownership": model, "metric": metric, "factor": name,
                                 "mu_star": found["mu_star"][i],
                                 "mu_star_conf": found["mu_star_conf"][i],
                                 "sigma": found["sigma"][i]})
    return pd.DataFrame(rows)


def sensitivity_figure(indices: pd.DataFrame, kind: str) -> Figure:
    """Bars of the total (Sobol ST) or mu* (Morris) index per factor, one panel per metric."""
    value, error = ("ST", "ST_conf") if kind == "sobol" else ("mu_star", "mu_star_conf")
    metrics = list(dict.fromkeys(indices["metric"]))
    models = list(dict.fromkeys(indices["ownership"]))
    factors = list(dict.fromkeys(indices["factor"]))
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 4.2),
                             layout="constrained", squeeze=False)
    width = 0.8 / max(1, len(models))
    for ax, metric in zip(axes[0], metrics, strict=True):
        for j, model in enumerate(models):
            rows = indices[(indices["metric"] == metric) & (indices["ownership"] == model)]
            rows = rows.set_index("factor").reindex(factors)
            ax.barh(np.arange(len(factors)) + j * width, rows[value], width,
                    xerr=rows[error], color=colour_of(model, models), label=model_label(model),
                    capsize=2)
        ax.set_yticks(np.arange(len(factors)) + width * (len(models) - 1) / 2, factors,
                      fontsize=8)
        ax.set_title(label(metric), fontsize=10)
        ax.set_xlabel("total-order index ST" if kind == "sobol" else "mu* (elementary effect)")
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].legend(fontsize=8, frameon=False)
    fig.suptitle(f"{'Sobol' if kind == 'sobol' else 'Morris'} sensitivity "
                 "(bars: index, whiskers: 95% confidence)", fontsize=11)
    return fig


def main_effects_figure(summary: pd.DataFrame, factors: list[str], metrics: list[str]) -> Figure:
    """Mean of each metric against each factor, per model, with 95% CIs over runs.

    Factors with few levels are shown level by level; continuous ones in five
    quantile bins.
    """
    models = list(dict.fromkeys(summary["ownership"]))
    fig, axes = plt.subplots(len(metrics), len(factors), squeeze=False, layout="constrained",
                             figsize=(3.6 * len(factors) + 1, 2.6 * len(metrics) + 0.6))
    for i, metric in enumerate(metrics):
        for j, factor in enumerate(factors):
            ax = axes[i][j]
            values = summary[factor]
            if values.nunique() > 8:
                groups = pd.qcut(values, 5, duplicates="drop")
                centre = summary.groupby(groups, observed=True)[factor].mean()
            else:
                groups, centre = values, None
            for model in models:
                mine = summary["ownership"] == model
                shown = summary.loc[mine, metric] * metric_shown(metric).scale
                stats_by_level = shown.groupby(groups[mine], observed=True).apply(
                    lambda v: mean_ci(v.to_numpy(float)))
                x = (centre.reindex(stats_by_level.index) if centre is not None
                     else stats_by_level.index).to_numpy(dtype=float)
                mean = np.array([m for m, _, _ in stats_by_level])
                low = np.array([lo for _, lo, _ in stats_by_level])
                high = np.array([hi for _, _, hi in stats_by_level])
                ax.errorbar(x, mean, yerr=[mean - low, high - mean], marker="o", capsize=3,
                            color=colour_of(model, models), label=model_label(model))
            if i == len(metrics) - 1:
                ax.set_xlabel(factor, fontsize=8)
            if j == 0:
                ax.set_ylabel(metric_shown(metric).with_unit(), fontsize=8)
            ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(models), frameon=False)
    fig.suptitle("Main effects: mean over runs with 95% CI, per ownership model", fontsize=11)
    return fig


def models_figure(summary: pd.DataFrame, metrics: list[str]) -> Figure:
    """Each metric per ownership model: runs as dots, mean with 95% CI (no factors)."""
    models = list(dict.fromkeys(summary["ownership"]))
    columns = min(3, len(metrics))
    rows = -(-len(metrics) // columns)
    fig, axes = plt.subplots(rows, columns, squeeze=False, layout="constrained",
                             figsize=(max(3.2, 0.7 * len(models) + 1.2) * columns, 3.8 * rows))
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    for ax, metric in zip(axes.flat, metrics, strict=False):
        shown = metric_shown(metric)
        runs_with_ci(ax, summary, metric, models, shown.scale)
        ax.set_xticks(range(len(models)), [model_label(m) for m in models], rotation=35,
                      ha="right", fontsize=8)
        ax.set_title(shown.label, fontsize=10)
        ax.set_ylabel(shown.unit)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("Ownership models compared: runs as dots, mean with 95% CI", fontsize=11)
    return fig


def claim_table(summary: pd.DataFrame, factors: list[str], metrics: list[str]) -> pd.DataFrame:
    """Mean and 95% CI of each metric per model and factor level (the numbers behind a figure)."""
    keys = [f for f in factors if f in summary] + ["ownership"]
    rows = []
    for level, frame in summary.groupby(keys, sort=False):
        level = level if isinstance(level, tuple) else (level,)
        row: dict[str, object] = dict(zip(keys, level, strict=True))
        row["runs"] = len(frame)
        for metric in metrics:
            mean, low, high = mean_ci(frame[metric].to_numpy(float))
            row[metric], row[f"{metric}_low"], row[f"{metric}_high"] = mean, low, high
        rows.append(row)
    return pd.DataFrame(rows)


def _stage_figures(results: Results, out: Path) -> list[Path]:
    """``over_time_p<point>.png`` per design point when a staged model changed stage, so
    that the stage changes (dashed lines) can be read against the trajectories."""
    steps = results.steps
    if steps is None or steps.empty or "ownership_stage" not in steps:
        return []
    if steps["ownership_stage"].max() <= 0:
        return []
    models = list(dict.fromkeys(results.summary["ownership"]))
    written = []
    for point, frame in steps.groupby("point"):
        figure = over_time_figure(frame, models)
        if figure is None:
            continue
        levels = results.manifest["design"]["points"][int(point)]
        label = ", ".join(f"{k} = {v}" for k, v in levels.items()) or "all runs"
        figure.suptitle(f"Over time at {label} (line: mean over runs, band: 10–90%; "
                        "dashed: stage changes)", fontsize=10)
        path = out / f"over_time_p{int(point)}.png"
        figure.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(figure)
        written.append(path)
    return written


def write_analysis(results: Results, out: Path) -> list[Path]:
    """Write the experiment's figure (``main_effects.png`` with factors, ``models.png``
    without), its numbers (``claim_table.csv``), the runs over time when a staged model
    changed stage (``over_time_p<point>.png``) and, for Sobol and Morris designs,
    ``sensitivity.csv`` and ``sensitivity.png``."""
    if results.summary.empty:
        raise ValueError("no finished runs in the results yet")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    design = results.manifest["design"]
    experiment = results.manifest["experiment"]
    factors = [f["path"] for f in experiment["factors"]]
    wanted = experiment.get("figure_metrics")
    if wanted:
        missing = [m for m in wanted if m not in results.summary]
        if missing:
            raise ValueError(f"figure_metrics not in the results: {', '.join(missing)}")
        metrics = list(wanted)
    else:
        metrics = [m for m in DEFAULT_METRICS if m in results.summary]
    if metrics:
        if factors:
            path = out / "main_effects.png"
            figure = main_effects_figure(results.summary, factors, metrics)
        else:
            path = out / "models.png"
            figure = models_figure(results.summary, metrics)
        if experiment.get("claim"):
            figure.suptitle(f"Claim: {experiment['claim']}\n{figure.get_suptitle()}", fontsize=10)
        figure.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(figure)
        written.append(path)
    written += _stage_figures(results, out)
    if design["type"] == "full_factorial" and metrics:
        table = out / "claim_table.csv"
        claim_table(results.summary, factors, metrics).to_csv(table, index=False)
        written.append(table)
    if design["type"] in ("sobol", "morris"):
        indices = sensitivity_indices(results)
        table = out / "sensitivity.csv"
        indices.to_csv(table, index=False)
        path = out / "sensitivity.png"
        figure = sensitivity_figure(indices, design["type"])
        figure.savefig(path, dpi=130, bbox_inches="tight")
        plt.close(figure)
        written += [table, path]
    return written
