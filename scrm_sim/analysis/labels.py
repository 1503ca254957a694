"""What every metric and model is called, in which unit it is shown, and which way is better.

One catalogue for the report, the figures, the command line and the browser view, so that a
quantity has one name and one unit everywhere: satisfaction is shown on 0–100, shares as
percentages, cost in currency units over the run's period (staff-hours are a separate
metric). Results files keep the raw columns (``satisfaction_final`` is stored on 0–1); only
what a person reads is scaled.

``negligible`` is the smallest difference, in display units, that the report treats as
practically meaningful: a reporting convention stated in the report, not a model
assumption. The values are chosen as about the resolution a manager acts on (one
percentage point of posts or of satisfaction, a quarter of an hour of response time, a
tenth of a point of churn, one percent of cost).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """How one summary metric (or step series) is shown.

    ``scale`` turns the stored value into display units; ``direction`` is +1 when more is
    better, −1 when less is better and 0 when neither; ``lower``/``upper`` bound the
    quantity (intervals shown for it are clipped to them); ``negligible`` is in display
    units, absolute, or relative to the better model's value when ``relative`` is set.
    """

    column: str
    label: str
    unit: str
    scale: float = 1.0
    format: str = "{:,.1f}"
    direction: int = 0
    lower: float | None = None
    upper: float | None = None
    negligible: float = 0.0
    relative: bool = False

    def show(self, value: float) -> str:
        """The stored value in display units and format (``nan`` → "–")."""
        if value != value:  # NaN
            return "–"
        return self.format.format(value * self.scale)

    def signed(self, value: float) -> str:
        """A stored difference in display units with its sign ("+1.2", "−0.4"); none when it
        rounds to nothing ("0.0") or is missing ("–")."""
        text = self.show(abs(value))
        if text == "–" or set(text) <= set("0.,"):
            return text
        return ("−" if value < 0 else "+") + text

    def clip(self, value: float) -> float:
        """A display-unit value clipped to the quantity's bounds (interval ends)."""
        if self.lower is not None:
            value = max(value, self.lower * self.scale)
        if self.upper is not None:
            value = min(value, self.upper * self.scale)
        return value

    def with_unit(self) -> str:
        """"label (unit)"."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


PERCENT = {"scale": 100.0, "format": "{:.1f}", "lower": 0.0, "upper": 1.0}
_CATALOGUE = [
    # summary metrics (one value per run)
    Metric("share_within_sla", "answered within the SLA", "% of posts", direction=1,
           negligible=1.0, **PERCENT),
    Metric("complaints_within_sla", "complaints answered within the SLA", "% of complaints",
           direction=1, negligible=1.0, **PERCENT),
    Metric("share_answered", "posts answered", "% of posts", direction=1, negligible=1.0,
           **PERCENT),
    Metric("share_resolved", "posts resolved", "% of posts", direction=1, negligible=1.0,
           **PERCENT),
    Metric("share_dropped", "posts never handled", "% of posts", direction=-1, negligible=1.0,
           **PERCENT),
    Metric("share_unheard", "posts never heard", "% of posts", direction=-1, negligible=1.0,
           **PERCENT),
    Metric("share_lost_in_handoff", "posts lost in a hand-off", "% of posts", direction=-1,
           negligible=1.0, **PERCENT),
    Metric("first_response_p50_hours", "median first response", "hours", format="{:.2f}",
           direction=-1, lower=0.0, negligible=0.25),
    Metric("first_response_p90_hours", "90th-percentile first response", "hours",
           format="{:.2f}", direction=-1, lower=0.0, negligible=0.25),
    Metric("first_response_mean_hours", "mean first response", "hours", format="{:.2f}",
           direction=-1, lower=0.0, negligible=0.25),
    Metric("resolution_p50_hours", "median time to resolution", "hours", format="{:.2f}",
           direction=-1, lower=0.0, negligible=0.25),
    Metric("resolution_p90_hours", "90th-percentile time to resolution", "hours",
           format="{:.2f}", direction=-1, lower=0.0, negligible=0.25),
    Metric("backlog_mean", "posts waiting (mean)", "posts", direction=-1, lower=0.0,
           negligible=1.0),
    Metric("backlog_max", "posts waiting (most)", "posts", format="{:,.0f}", direction=-1,
           lower=0.0, negligible=1.0),
    Metric("satisfaction_final", "customer satisfaction at the end", "0–100", scale=100.0,
           format="{:.1f}", direction=1, lower=0.0, upper=1.0, negligible=1.0),
    Metric("satisfaction_mean", "customer satisfaction", "0–100", scale=100.0,
           format="{:.1f}", direction=1, lower=0.0, upper=1.0, negligible=1.0),
    Metric("nps_final", "net promoter score at the end", "−100 to 100", format="{:.1f}",
           direction=1, lower=-100.0, upper=100.0, negligible=1.0),
    Metric("customers_final", "customers at the end", "customers", format="{:,.0f}",
           direction=1, lower=0.0, negligible=1.0, relative=True),
    Metric("churned", "customers lost", "customers", format="{:,.0f}", direction=-1,
           lower=0.0, negligible=1.0, relative=True),
    Metric("churn_rate", "churn", "% of starting customers", scale=100.0, format="{:.2f}",
           direction=-1, lower=0.0, upper=1.0, negligible=0.1),
    Metric("acquired", "customers won", "customers", format="{:,.0f}", direction=1,
           lower=0.0, negligible=1.0, relative=True),
    Metric("net_customer_growth", "net customer growth", "customers", format="{:,.0f}",
           direction=1, negligible=1.0, relative=True),
    Metric("leads_converted", "leads converted", "leads", format="{:,.0f}", direction=1,
           lower=0.0, negligible=1.0, relative=True),
    Metric("leads_lost", "leads lost", "leads", format="{:,.0f}", direction=-1, lower=0.0,
           negligible=1.0, relative=True),
    Metric("ideas_co_created", "ideas co-created", "ideas", format="{:,.0f}", direction=1,
           lower=0.0),
    Metric("community_answers", "answers from the community", "posts", format="{:,.0f}",
           lower=0.0),
    Metric("negative_wom_reach", "negative word-of-mouth reach", "exposures",
           format="{:,.0f}", direction=-1, lower=0.0, negligible=1.0, relative=True),
    Metric("largest_cascade", "largest negative cascade", "exposures", format="{:,.0f}",
           direction=-1, lower=0.0),
    Metric("brand_consistency", "replies on brand voice", "% of replies", direction=1,
           negligible=1.0, **PERCENT),
    Metric("rogue_replies", "replies by rogue departments", "replies", format="{:,.0f}",
           lower=0.0),
    Metric("handoffs_per_resolved", "hand-offs per resolved post", "hand-offs",
           format="{:.2f}", direction=-1, lower=0.0),
    Metric("utilisation_social_mean", "social staff utilisation", "% of paid time",
           **PERCENT),
    Metric("social_team_size_final", "social-team size at the end", "staff",
           format="{:.1f}", lower=0.0),
    Metric("social_team_size_mean", "social-team size", "staff", format="{:.1f}", lower=0.0),
    Metric("staff_hours", "staff-hours on social work", "hours", format="{:,.0f}",
           direction=-1, lower=0.0, negligible=1.0, relative=True),
    Metric("fte_worked", "FTE worked", "FTE", format="{:.1f}", lower=0.0),
    Metric("fte_budgeted", "FTE budgeted", "FTE", format="{:.1f}", lower=0.0),
    Metric("cost", "cost of social staff", "currency units", format="{:,.0f}", direction=-1,
           lower=0.0, negligible=1.0, relative=True),
    Metric("rogue_staff_hours", "staff-hours of rogue departments", "hours",
           format="{:,.0f}", lower=0.0),
    Metric("rogue_cost", "cost of rogue departments", "currency units", format="{:,.0f}",
           lower=0.0),
    Metric("roi_proxy", "value per unit of cost", "ratio", format="{:.2f}", direction=1,
           negligible=0.01),
    # step series (one value per hour or day)
    Metric("backlog", "posts waiting", "posts", format="{:,.0f}", lower=0.0),
    Metric("first_response_hours_24h", "first response, last 24 h", "hours",
           format="{:.2f}", lower=0.0),
    Metric("social_team_size", "social-team size", "staff", format="{:.1f}", lower=0.0),
    Metric("nps", "net promoter score", "−100 to 100", format="{:.1f}", lower=-100.0,
           upper=100.0),
    Metric("customers", "customers", "customers", format="{:,.0f}", lower=0.0),
    Metric("culture", "culture", "0–1", format="{:.2f}", lower=0.0, upper=1.0),
    Metric("silo_strength_mean", "mean silo strength between departments", "0–1",
           format="{:.2f}", lower=0.0, upper=1.0),
    Metric("cost_total", "cost so far", "currency units", format="{:,.0f}", lower=0.0),
    Metric("churned_total", "customers lost so far", "customers", format="{:,.0f}",
           lower=0.0),
]
METRICS: dict[str, Metric] = {m.column: m for m in _CATALOGUE}


def metric(column: str) -> Metric:
    """The display rules of ``column``; an unknown column is shown as it is named, in words."""
    return METRICS.get(column) or Metric(column, column.replace("_", " "), "", format="{:.4g}")


def label(column: str) -> str:
    """The plain name of a metric column ("share_within_sla" → "answered within the SLA")."""
    return metric(column).label


# acronyms kept in capitals when a model's code name is turned into words
_ACRONYMS = {"ceo": "CEO", "pr": "PR", "it": "IT", "cco": "CCO", "coo": "COO", "b2b": "B2B"}


def model_label(model: str) -> str:
    """A model's name as people write it: ``ceo_led`` → "CEO-led", ``pr_led`` → "PR-led",
    ``joint_marketing_service`` → "Joint marketing service"."""
    words = str(model).replace("-", "_").split("_")
    shown = [_ACRONYMS.get(w.lower(), w) for w in words if w]
    if not shown:
        return str(model)
    shown[0] = shown[0][:1].upper() + shown[0][1:]
    return " ".join(shown).replace(" led", "-led")

# issue 16, maturity and pilots (appended)
METRICS["maturity"] = Metric("maturity", "maturity of the programme", "0–1", format="{:.2f}",
                             lower=0.0, upper=1.0)
METRICS["maturity_final"] = Metric("maturity_final", "maturity of the programme at the end",
                                   "0–1", format="{:.2f}", direction=1, lower=0.0, upper=1.0,
                                   negligible=0.01)
METRICS["pilot_failed"] = Metric("pilot_failed", "pilot failed", "% of runs", direction=-1,
                                 negligible=1.0,
                                 **PERCENT)
