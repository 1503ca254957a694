"""What a calibration's posterior says: its summary, the calibrated scenario, the marginals.

The posterior is the final ABC population: one row per particle, one column per calibrated
parameter (its dotted scenario path) and ``weight`` (summing to 1).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml

from scrm_sim.calibration.priors import Prior

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INTERVAL = (0.05, 0.95)  # the 90% posterior interval reported everywhere


def weighted_quantile(values: Any, weights: Any, q: float) -> float:
    """The ``q`` quantile of weighted values (the inverse of their weighted distribution
    function, interpolated between the midpoints of the sorted values' weights)."""
    values = np.asarray(values, float)
    weights = np.asarray(weights, float)
    order = np.argsort(values)
    values, weights = values[order], weights[order]
    cumulative = np.cumsum(weights) - 0.5 * weights
    return float(np.interp(q * weights.sum(), cumulative, values))


def posterior_summary(posterior: pd.DataFrame, priors: dict[str, Prior]) -> pd.DataFrame:
    """Per parameter: its prior, the weighted median, the 5% and 95% quantiles and the
    share of the prior's range the 90% interval spans."""
    rows = []
    for name, prior in priors.items():
        values, weights = posterior[name], posterior["weight"]
        low, high = (weighted_quantile(values, weights, q) for q in INTERVAL)
        a, b = prior.sampled_bounds()
        span = ((np.log10(high) - np.log10(low)) if prior.log_scale else high - low) / (b - a)
        rows.append({"parameter": name, "prior": prior.prior, "prior_low": prior.low,
                     "prior_high": prior.high,
                     "median": weighted_quantile(values, weights, 0.5), "q05": low, "q95": high,
                     "interval_share_of_prior": float(span)})
    return pd.DataFrame(rows)


def calibrated_scenario(summary: pd.DataFrame, scenario: str | Path, folder: Path,
                        name: str, header: str) -> str:
    """The text of ``calibrated.yaml``: a scenario that extends the client's and sets each
    parameter to its posterior median, with the posterior summary as a header comment.

    ``extends:`` names the client's file relative to ``folder`` (where the YAML is
    written), or a bundled scenario by its name.
    """
    from scrm_sim.calibration.priors import merged_overrides

    source = Path(scenario)
    if source.is_file():
        parent = os.path.relpath(source.resolve(), folder.resolve())
    else:
        parent = str(scenario)
    medians = {row.parameter: float(f"{row.median:.6g}") for row in summary.itertuples()}
    body = {"name": f"{name}-calibrated", "extends": parent}
    overrides = merged_overrides(medians, 1.0)
    overrides.pop("duration_days")  # the client's own period, not the simulated days
    body |= overrides
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += ["# Posterior (weighted median and 90% interval; the values below are the "
              "medians):"]
    for row in summary.itertuples():
        lines.append(f"#   {row.parameter}: {row.median:.4g} [{row.q05:.4g}, {row.q95:.4g}]"
                     f"  (prior {row.prior} {row.prior_low:g} to {row.prior_high:g})")
    return "\n".join(lines) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def marginals_figure(posterior: pd.DataFrame, priors: dict[str, Prior],
                     summary: pd.DataFrame) -> Figure:
    """One panel per parameter: the prior's range (shaded), the weighted posterior
    histogram, the median and the 90% interval."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, NullFormatter

    n = len(priors)
    columns = min(n, 3)
    rows = -(-n // columns)
    figure = Figure(figsize=(4.2 * columns, 3.2 * rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for ax, (name, prior) in zip(axes, priors.items(), strict=False):
        row = summary.set_index("parameter").loc[name]
        values = posterior[name].to_numpy(float)
        if prior.log_scale:
            bins = np.geomspace(prior.low, prior.high, 31)
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
            pad = (prior.high / prior.low) ** 0.05
            ax.set_xlim(prior.low / pad, prior.high * pad)
        else:
            bins = np.linspace(prior.low, prior.high, 31)
            pad = 0.05 * (prior.high - prior.low)
            ax.set_xlim(prior.low - pad, prior.high + pad)
        ax.axvspan(prior.low, prior.high, color="0.93", label="prior range", zorder=0)
        ax.hist(values, bins=bins, weights=posterior["weight"], color="tab:blue", alpha=0.75,
                label="posterior")
        ax.axvspan(row["q05"], row["q95"], color="tab:orange", alpha=0.2,
                   label="90% interval")
        ax.axvline(row["median"], color="tab:orange", lw=2,
                   label=f"median {row['median']:.3g}")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(f"value ({prior.prior.replace('_', '-')} prior)")
        ax.set_ylabel("posterior probability")
        ax.legend(fontsize=7)
    for ax in axes[n:]:
        ax.set_visible(False)
    figure.suptitle("What the client's figures say about each calibrated parameter")
    return figure
