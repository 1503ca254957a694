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

from scrm_sim.analysis.plots import colour_of
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
                    xerr=rows[error], color=colour_of(model, models), label=model, capsize=2)
        ax.set_yticks(np.arange(len(factors)) + width * (len(models) - 1) / 2, factors,
                      fontsize=8)
        ax.set_title(metric, fontsize=10)
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
                stats_by_level = summary[mine].groupby(groups[mine], observed=True)[metric].apply(
                    lambda v: mean_ci(v.to_numpy(float)))
                x = (centre.reindex(stats_by_level.index) if centre is not None
                     else stats_by_level.index).to_numpy(dtype=float)
                mean = np.array([m for m, _, _ in stats_by_level])
                low = np.array([lo for _, lo, _ in stats_by_level])
                high = np.array([hi for _, _, hi in stats_by_level])
                ax.errorbar(x, mean, yerr=[mean - low, high - mean], marker="o", capsize=3,
                            color=colour_of(model, models), label=model.replace("_", "-"))
            if i == len(metrics) - 1:
                ax.set_xlabel(factor, fontsize=8)
            if j == 0:
                ax.set_ylabel(metric, fontsize=8)
            ax.grid(alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(models), frameon=False)
    fig.suptitle("Main effects: mean over runs with 95% CI, per ownership model", fontsize=11)
    return fig


def write_analysis(results: Results, out: Path) -> list[Path]:
    """Write ``main_effects.png`` for any design with factors and, for Sobol and Morris
    designs, ``sensitivity.csv`` and ``sensitivity.png``."""
    if results.summary.empty:
        raise ValueError("no finished runs in the results yet")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    design = results.manifest["design"]
    factors = [f["path"] for f in results.manifest["experiment"]["factors"]]
    metrics = [m for m in DEFAULT_METRICS if m in results.summary]
    if factors and metrics:
        path = out / "main_effects.png"
        main_effects_figure(results.summary, factors, metrics).savefig(
            path, dpi=120, bbox_inches="tight")
        written.append(path)
    if design["type"] in ("sobol", "morris"):
        indices = sensitivity_indices(results)
        table = out / "sensitivity.csv"
        indices.to_csv(table, index=False)
        figure = out / "sensitivity.png"
        sensitivity_figure(indices, design["type"]).savefig(figure, dpi=130, bbox_inches="tight")
        written += [table, figure]
    return written
