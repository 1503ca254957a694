"""The posterior predictive check: does the calibrated model reproduce the client's figures?

Draws of the posterior (resampled by weight) are simulated, each with its own seed, and
for every observed figure the table gives the simulated median, the 5–95% band and where
the observed value falls in the simulated distribution. A figure far outside its band is
one the model, as calibrated, does not reproduce.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scrm_sim.calibration.simulator import Simulator, simulation_seed

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from scrm_sim.experiment.executors import Executor

PREDICTIVE_STREAM = 1  # keeps the check's seeds apart from the ABC's
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
# statistic → (words, unit, display scale): shares shown as %, satisfaction on 0–100
FIGURE_WORDS: dict[str, tuple[str, str, float]] = {
    "posts_per_day": ("Posts per day", "posts per day", 1.0),
    "reply_rate": ("Posts answered", "% of posts", 100.0),
    "share_within_sla": ("Posts answered within the reply target", "% of posts", 100.0),
    "share_resolved": ("Posts resolved", "% of posts", 100.0),
    "first_response_hours.p50": ("Typical first response (median)", "hours", 1.0),
    "first_response_hours.p90": ("Slow first responses (90th percentile)", "hours", 1.0),
    "survey.satisfaction": ("Customer satisfaction", "0–100", 1.0),
    "survey.nps": ("Net promoter score", "−100 to 100", 1.0),
    "survey.churn_rate": ("Customers lost over the period", "% of customers", 100.0),
}


def figure_words(name: str) -> tuple[str, str, float]:
    """A statistic's name in words, its unit and display scale."""
    if name in FIGURE_WORDS:
        return FIGURE_WORDS[name]
    group, _, key = name.partition(".")
    if group == "volume_per_day":
        return f"{key.replace('_', ' ').capitalize()} posts per day", "posts per day", 1.0
    if group == "hour_of_day_profile":
        return f"Posts at {int(key):02d}:00", "relative volume (mean 1)", 1.0
    if group == "weekday_profile":
        return f"Posts on {WEEKDAYS[int(key)]}", "relative volume (mean 1)", 1.0
    return name, "", 1.0


def _simulate(payload: dict[str, Any]) -> dict[str, float]:
    """One predictive draw (top level, so that a pool or Dask can run it)."""
    return payload["simulator"](payload["values"], payload["seed"])


def predictive_draws(posterior: pd.DataFrame, draws: int, seed: int) -> pd.DataFrame:
    """``draws`` particles resampled from the posterior by weight (reproducible)."""
    rng = np.random.default_rng(simulation_seed(seed, PREDICTIVE_STREAM))
    rows = rng.choice(len(posterior), size=draws, p=posterior["weight"].to_numpy(float))
    return posterior.iloc[rows].drop(columns="weight").reset_index(drop=True)


def simulate_draws(simulator: Simulator, draws: pd.DataFrame, seed: int,
                   executor: Executor) -> pd.DataFrame:
    """The statistics of each draw's run, one row per draw (in the draws' order); each run
    has its own seed from the master seed and the draw's number."""
    payloads = [{"simulator": simulator, "values": row, "seed":
                 simulation_seed(seed, PREDICTIVE_STREAM, i), "draw": i}
                for i, row in enumerate(draws.to_dict("records"))]
    results: dict[int, dict[str, float]] = {}
    for payload, result in executor.run(_simulate, payloads):
        if isinstance(result, Exception):
            raise result
        results[payload["draw"]] = result
    return pd.DataFrame([results[i] for i in range(len(payloads))])


def check_table(simulated: pd.DataFrame, observed: dict[str, float]) -> pd.DataFrame:
    """Per statistic: observed value, simulated median and 5–95% band, the share of
    simulations below the observed value (ties count half) and whether it is in the band."""
    rows = []
    for name, value in observed.items():
        sims = simulated[name].to_numpy(float)
        sims = sims[~np.isnan(sims)]
        words, unit, _ = figure_words(name)
        low, median, high = np.quantile(sims, [0.05, 0.5, 0.95])
        below = float(np.mean(sims < value) + 0.5 * np.mean(sims == value))
        rows.append({"statistic": name, "figure": words, "unit": unit, "observed": value,
                     "simulated_median": median, "simulated_q05": low, "simulated_q95": high,
                     "observed_percentile": 100.0 * below,
                     "inside_band": bool(low <= value <= high)})
    return pd.DataFrame(rows)


def check_figure(table: pd.DataFrame, simulated: pd.DataFrame, title: str) -> Figure:
    """The check for a manager: a panel per figure (the simulated 5–95% band, its median and
    the client's value), and the hour and weekday profiles as bands over the day and week."""
    from matplotlib.figure import Figure

    profiles = [g for g in ("hour_of_day_profile", "weekday_profile")
                if table["statistic"].str.startswith(g + ".").any()]
    singles = table[~table["statistic"].str.contains("_profile.")]
    columns = 3
    rows_single = -(-len(singles) // columns)
    figure = Figure(figsize=(12, 2.0 * rows_single + 3.2 * bool(profiles) + 0.8),
                    layout="constrained")
    grid = figure.add_gridspec(rows_single + (1 if profiles else 0), columns,
                               height_ratios=[1.0] * rows_single + ([1.6] if profiles else []))
    for i, row in enumerate(singles.itertuples()):
        ax = figure.add_subplot(grid[i // columns, i % columns])
        _, unit, scale = figure_words(row.statistic)
        values = simulated[row.statistic].to_numpy(float) * scale
        ax.hist(values[~np.isnan(values)], bins=20, color="0.75")
        ax.axvspan(row.simulated_q05 * scale, row.simulated_q95 * scale, color="tab:blue",
                   alpha=0.15, label="simulated 5–95%")
        ax.axvline(row.simulated_median * scale, color="tab:blue", lw=1.5,
                   label="simulated median")
        ax.axvline(row.observed * scale, color="tab:red" if not row.inside_band else "black",
                   lw=2.5, label="client (red: outside the band)")
        ax.set_title(row.figure, fontsize=9)
        ax.set_xlabel(unit, fontsize=8)
        ax.set_yticks([])
        if i == 0:
            ax.legend(fontsize=7)
    for j, group in enumerate(profiles):
        # the day's 24 hours get two thirds of the width, the week's 7 days one third
        span = slice(0, columns) if len(profiles) == 1 else (slice(0, 2), slice(2, 3))[j]
        ax = figure.add_subplot(grid[rows_single, span])
        part = table[table["statistic"].str.startswith(group + ".")]
        x = np.arange(len(part))
        ax.fill_between(x, part["simulated_q05"], part["simulated_q95"], color="tab:blue",
                        alpha=0.15, label="simulated 5–95%")
        ax.plot(x, part["simulated_median"], color="tab:blue", label="simulated median")
        ax.plot(x, part["observed"], "o", color="black", ms=4, label="client")
        if group == "weekday_profile":
            ax.set_xticks(x, WEEKDAYS)
            ax.set_title("Posts by weekday", fontsize=9)
        else:
            ax.set_xticks(x[::3], [f"{h:02d}:00" for h in x[::3]])
            ax.set_title("Posts by hour of the day", fontsize=9)
        ax.set_ylabel("relative volume (mean 1)", fontsize=8)
        ax.legend(fontsize=7)
    outside = int((~table["inside_band"]).sum())
    figure.suptitle(f"{title}: the client's figures against {len(simulated)} simulations of "
                    f"the calibrated model ({outside} of {len(table)} outside the 5–95% band)",
                    fontsize=11)
    return figure
