"""The verdict: which ownership model to choose for stated priorities, and how sure.

**Priorities** are weights on a few headline metrics (:data:`PRIORITY_SETS`; "balanced"
weighs posts answered within the SLA, customer satisfaction at the end, churn and the cost
of social staff equally).

**Scoring rule: swing weights over the compared models' range, paired by replication.**
For each weighted metric m, take each model's mean (display units, ``labels``) and the
range of those means, from the worst model to the best (the *swing*). In replication r
(one seed, and design point), model i scores on m

    v[i, r, m] = direction_m · (x[i, r, m] − worst_m) / swing_m

(0 at the worst model's mean, 1 at the best's; a replication can fall outside), and in all

    score[i, r] = 100 · Σ_m w_m · v[i, r, m] / Σ_m w_m.

So a weight says what moving from the worst to the best of *these* models on that metric
is worth (swing weighting, von Winterfeldt & Edwards 1986; Edwards & Barron 1994): with
equal weights, being best on cost counts as much as being best on satisfaction. Scores run
from 0 (worst of these models on every weighted metric) to 100 (best on every one). A
metric whose swing is below its ``negligible`` threshold (``labels.Metric``) separates no
model in practice: it is left out (with its weight), and the verdict says so, so that a
0.4-point spread of satisfaction cannot decide the answer. Metrics missing from the
results are left out the same way. A value a model did not produce in a replication (the
median response time of a model that answered nothing) counts as the worst value of that
replication; a replication in which no model has a value is left out of every score.

Every model of a replication shares its seed, so the scores are compared within
replications: the **recommended** model has the highest mean score; **how sure** is the
share of replications in which it has the strictly highest score (a tie counts for no
model), with its Wilson 95% interval. The verdict is repeated for every other priority set,
so a reader sees whether the answer depends on what they care about most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scrm_sim.analysis.differences import (
    Difference,
    is_negligible,
    paired_difference,
    threshold_text,
)
from scrm_sim.analysis.labels import label, metric, model_label
from scrm_sim.analysis.statistics import proportion_ci

TIE = 1e-9
"""Scores closer than this within a replication are a tie (for no model)."""


@dataclass(frozen=True)
class Priorities:
    """A named set of weights on metrics (summary column → weight > 0)."""

    key: str
    name: str
    weights: Mapping[str, float]

    def describe(self) -> str:
        """The weighted metrics in words: "answered within the SLA ×2, cost of social staff ×1"."""
        return ", ".join(f"{label(m)} ×{w:g}" for m, w in self.weights.items())


PRIORITY_SETS: tuple[Priorities, ...] = (
    Priorities("balanced", "Balanced", {
        "share_within_sla": 1, "satisfaction_final": 1, "churn_rate": 1, "cost": 1}),
    Priorities("customer_first", "Customer-first", {
        "satisfaction_final": 2, "churn_rate": 2, "share_within_sla": 1,
        "complaints_within_sla": 1}),
    Priorities("cost_first", "Cost-first", {
        "cost": 3, "share_within_sla": 1, "satisfaction_final": 1, "churn_rate": 1}),
    Priorities("speed_first", "Speed-first", {
        "share_within_sla": 2, "complaints_within_sla": 2, "first_response_p50_hours": 1,
        "cost": 1}),
    Priorities("growth_first", "Growth-first", {
        "net_customer_growth": 2, "leads_converted": 2, "churn_rate": 1, "cost": 1}),
)
DEFAULT_PRIORITIES = "balanced"


def priority_set(key: str) -> Priorities:
    """One of :data:`PRIORITY_SETS` by its key; a KeyError lists the keys."""
    for priorities in PRIORITY_SETS:
        if priorities.key == key:
            return priorities
    raise KeyError(f"unknown priorities {key!r}; choose one of "
                   f"{', '.join(p.key for p in PRIORITY_SETS)}")


@dataclass
class Scoring:
    """The scores of every model under one set of priorities."""

    priorities: Priorities
    scores: pd.DataFrame
    """One row per replication (index: design point and seed), one column per model, 0–100."""
    swings: dict[str, float]
    """Per weighted metric used: the range of the models' means, display units."""
    ignored: dict[str, str] = field(default_factory=dict)
    """Weighted metrics left out, and why."""
    dropped: int = 0
    """Replications left out for a missing value."""
    run_word: str = "replication"
    """What one paired row is called in sentences ("draw" over posterior draws)."""
    more_option: str = "--reps"
    """The option that adds more of them."""

    @property
    def models(self) -> list[str]:
        """The models scored, in the results' order."""
        return list(self.scores.columns)

    def mean(self) -> pd.Series:
        """Each model's mean score, highest first."""
        return self.scores.mean().sort_values(ascending=False, kind="stable")

    def wins(self) -> pd.Series:
        """Per model, the replications in which its score is strictly the highest."""
        return first_counts(self.scores)

    @property
    def replications(self) -> int:
        """Replications scored."""
        return len(self.scores)

    @property
    def recommended(self) -> str | None:
        """The model with the highest mean score; None when no weighted metric separates
        the models (or nothing was scored)."""
        if not self.swings or self.scores.empty:
            return None
        means = self.mean()
        if len(means) > 1 and means.iloc[0] - means.iloc[1] <= TIE:
            return None
        return str(means.index[0])

    @property
    def runner_up(self) -> str | None:
        """The model with the second-highest mean score."""
        means = self.mean()
        return str(means.index[1]) if len(means) > 1 and self.recommended else None

    def p_first(self, model: str) -> tuple[int, float, float, float]:
        """(wins, share, low, high): how often ``model`` ranks first, with a Wilson 95% CI."""
        wins = int(self.wins().get(model, 0))
        share, low, high = proportion_ci(wins, self.replications)
        return wins, share, low, high

    def ranks_first(self, model: str) -> str:
        """"ranks first in 5 of 5 paired replications (95% CI 57–100%)"."""
        wins, _, low, high = self.p_first(model)
        n = self.replications
        return (f"ranks first in {wins} of {n} paired {self.run_word}{'s' if n != 1 else ''} "
                f"(95% CI {100 * low:.0f}–{100 * high:.0f}%)")

    def how_sure(self, model: str) -> str:
        """:meth:`ranks_first`, and what that means: clear when the interval's low end is
        above one half, likely when the share is, else not settled."""
        _, share, low, _ = self.p_first(model)
        n = self.replications
        text = self.ranks_first(model)
        if low > 0.5:
            return text + ": clearly first, as even the low end of the interval is above one half"
        word, option = self.run_word, self.more_option
        if share > 0.5:
            return (text + f": likely, but {n} {word}{'s' if n != 1 else ''} cannot make it "
                    f"certain; more {word}s ({option}) would")
        return (text + f": it is not first in most {word}s, so the top place is not "
                f"settled; more {word}s ({option}) would tell")


def first_counts(values: pd.DataFrame, tie: float = TIE) -> pd.Series:
    """Per column (model), the rows (replications) in which its value is strictly the
    highest, by more than ``tie``; a row where the highest values tie counts for none."""
    counts = dict.fromkeys(values.columns, 0)
    for row in values.to_numpy(float):
        order = np.argsort(-row, kind="stable")
        if len(row) == 1 or row[order[0]] - row[order[1]] > tie:
            counts[values.columns[order[0]]] += 1
    return pd.Series(counts, dtype=int)


def score(summary: pd.DataFrame, priorities: Priorities) -> Scoring:
    """Score every model in ``summary`` under ``priorities`` (see the module's rule)."""
    models = list(dict.fromkeys(summary["ownership"]))
    keys = [k for k in ("point", "seed") if k in summary] or ["replication"]
    ignored: dict[str, str] = {}
    present = {}
    for column, weight in priorities.weights.items():
        if weight <= 0:
            continue
        if column not in summary or summary[column].isna().all():
            ignored[column] = "not in these results"
            continue
        present[column] = weight
    wide = {}
    # the replications that ran: with dropna=False, pivot_table would add every combination
    # of design point and seed (seeds differ between points), none of which ran
    ran = summary.set_index(keys).index.unique()
    for column in present:
        table = summary.pivot_table(index=keys, columns="ownership", values=column,
                                    dropna=False).reindex(index=ran, columns=models)
        table = table * metric(column).scale
        # a value a model did not produce in a replication (a response time when it answered
        # nothing) counts as the worst of that replication's values
        direction = metric(column).direction or 1
        worst = table.min(axis=1) if direction > 0 else table.max(axis=1)
        wide[column] = table.apply(lambda values, w=worst: values.fillna(w))
    complete = None
    for table in wide.values():
        rows = table.dropna().index
        complete = rows if complete is None else complete.intersection(rows)
    all_rows = next(iter(wide.values())).index if wide else pd.Index([])
    complete = complete if complete is not None else pd.Index([])
    swings: dict[str, float] = {}
    total = pd.DataFrame(0.0, index=complete, columns=models)
    for column, table in wide.items():
        table = table.loc[complete]
        direction = metric(column).direction or 1
        means = table.mean()
        best, worst = (means.max(), means.min()) if direction > 0 else (means.min(), means.max())
        swing = abs(best - worst)
        if len(complete) == 0:
            ignored[column] = "no replication has a value for it"
            continue
        if is_negligible(column, best - worst, best, worst):
            ignored[column] = (f"the models differ by less than the threshold of "
                               f"{threshold_text(column)}")
            continue
        swings[column] = swing
        total += present[column] * direction * (table - worst) / swing
    used = sum(present[c] for c in swings)
    scores = 100 * total / used if used else total
    return Scoring(priorities, scores, swings, ignored, len(all_rows) - len(complete))


@dataclass
class Verdict:
    """The answer for the main priorities, the same under every other set, and the
    recommended model's trade-offs against each other model."""

    main: Scoring
    alternatives: list[Scoring]
    trade_offs: dict[str, list[Difference]]
    """Per other model: the recommended model's paired differences on the weighted metrics."""

    @property
    def recommended(self) -> str | None:
        """The recommended model under the main priorities."""
        return self.main.recommended


def verdict(summary: pd.DataFrame, priorities: Priorities | str = DEFAULT_PRIORITIES,
            others: Sequence[Priorities] = PRIORITY_SETS) -> Verdict:
    """Score ``summary`` under ``priorities`` and under every set in ``others``; the
    recommended model's paired differences against each other model."""
    main_set = priority_set(priorities) if isinstance(priorities, str) else priorities
    main = score(summary, main_set)
    alternatives = [score(summary, p) for p in others if p.key != main_set.key]
    trade_offs: dict[str, list[Difference]] = {}
    best = main.recommended
    if best is not None:
        for other in main.models:
            if other == best:
                continue
            trade_offs[other] = [paired_difference(summary, column, best, other)
                                 for column in main_set.weights if column in summary]
    return Verdict(main, alternatives, trade_offs)


def trade_off_sentence(model: str, other: str, differences: Sequence[Difference]) -> str:
    """``model`` against ``other`` in plain words: what it does better, then worse (after
    "but"), then differences within the noise, then those that are practically negligible."""
    better = [d.statement() for d in differences if d.a_better > 0]
    worse = [d.statement() for d in differences if d.a_better < 0]
    noisy = [d.statement(say_noise=False) for d in differences
             if not d.negligible and d.within_noise and not np.isnan(d.mean)]
    same = [d.same() for d in differences if d.negligible]
    missing = [d.shown.label for d in differences if np.isnan(d.mean)]
    name, versus = model_label(model), model_label(other)
    parts = []
    if better or worse:
        clause = _join(better)
        if worse:
            clause = f"{clause}, but {_join(worse)}" if better else _join(worse)
        parts.append(f"Compared with {versus}, {name} {clause}.")
    else:
        parts.append(f"Compared with {versus}, {name} is not clearly better or worse on any "
                     "weighted metric.")
    if noisy:
        parts.append(f"Within the noise of the replications: it {_join(noisy, '; ')}.")
    if same:
        parts.append(f"Practically the same {_join(same)}.")
    if missing:
        parts.append(f"Not measured in every replication: {_join(missing)}.")
    return " ".join(parts)


def _join(items: Sequence[str], separator: str = ", ") -> str:
    """"a", "a and b", "a, b and c" (``separator`` between all but the last two)."""
    if len(items) <= 1:
        return "".join(items)
    return separator.join(items[:-1]) + " and " + items[-1]
