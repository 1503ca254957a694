"""Every model against every headline metric: mean and 95% interval, and the best model.

Values are in display units (``labels``: satisfaction 0–100, shares in percent, cost in
currency units); each interval is the Student-t 95% interval of the model's mean over its
replications, clipped to the quantity's bounds (``labels.Metric.clip``: a median response
time cannot be negative, a share cannot pass 100%). The best model on a metric is the one
with the best mean in the metric's better direction; models whose mean differs from the
best by less than the metric's ``negligible`` threshold are marked as practically tied
with it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from scrm_sim.analysis.differences import is_negligible
from scrm_sim.analysis.labels import metric
from scrm_sim.analysis.statistics import mean_ci

TABLE_METRICS: tuple[str, ...] = (
    "share_within_sla", "complaints_within_sla", "share_answered",
    "first_response_p50_hours", "satisfaction_final", "churn_rate", "net_customer_growth",
    "leads_converted", "negative_wom_reach", "cost", "staff_hours",
)
"""The report's headline metrics, in the order of its table (cost in currency units, and
staff-hours separately)."""


def metric_table(summary: pd.DataFrame, columns: Sequence[str] = TABLE_METRICS) -> pd.DataFrame:
    """One row per metric and model: ``metric``, ``ownership``, ``mean``, ``low``, ``high``
    (display units, the interval clipped), ``runs``, ``best`` and ``tied_with_best``.

    Metrics missing from ``summary`` are left out.
    """
    models = list(dict.fromkeys(summary["ownership"]))
    rows = []
    for column in columns:
        if column not in summary:
            continue
        shown = metric(column)
        stats = {}
        for model in models:
            values = summary.loc[summary["ownership"] == model, column].to_numpy(float)
            mean, low, high = (v * shown.scale for v in mean_ci(values))
            stats[model] = (mean, shown.clip(low), shown.clip(high),
                            int((~pd.isna(values)).sum()))
        means = pd.Series({m: s[0] for m, s in stats.items()}).dropna()
        best = None
        if shown.direction and not means.empty:
            best = means.idxmax() if shown.direction > 0 else means.idxmin()
        if best is not None and (means == means[best]).all():
            best = None  # every model alike: none is best
        for model, (mean, low, high, runs) in stats.items():
            is_best = best is not None and mean == means[best]
            tied = (best is not None and not is_best and not pd.isna(mean)
                    and is_negligible(column, mean - means[best], mean, means[best]))
            rows.append({"metric": column, "label": shown.label, "unit": shown.unit,
                         "direction": shown.direction, "ownership": model, "mean": mean,
                         "low": low, "high": high, "runs": runs, "best": bool(is_best),
                         "tied_with_best": bool(tied)})
    return pd.DataFrame(rows)
