"""Where a difference comes from: Shapley attribution of a paired difference to parameter groups.

Two ownership models differ in many parameters at once. To say how much of the gap
between model A and model B on a metric comes from, say, the front line's opening hours
and how much from who answers, the parameters of :class:`~scrm_sim.scenario.schema.Ownership`
are split into named groups (:data:`PARAMETER_GROUPS`, data). A *coalition* S of groups
is the scenario whose ownership model is A with the groups in S taken from B; v(S) is a
metric of that scenario's run. The contribution of group i is its Shapley value
(Shapley 1953; docs/ODD.md §8.1):

    φ_i = Σ_{S ⊆ N∖{i}} |S|! (k − |S| − 1)! / k! · [v(S ∪ {i}) − v(S)]

over the k groups N whose values differ between A and B. Groups with identical values
are null players and get exactly 0. The φ_i add up to v(B) − v(A) exactly (efficiency).

Every coalition of replication r runs on the same seed (``replication_seed(master, 0,
r)``), so the decomposition is of the *paired* difference of that seed, and the
contributions are averaged over replications with a Student-t interval. With more than
:data:`EXACT_UP_TO` groups the 2^k coalitions are too many: contributions are then
averaged over sampled orders of the groups (Castro, Gómez & Tejada 2009), in antithetic
pairs (an order and its reverse). Each order's marginal contributions telescope to
v(B) − v(A), so efficiency still holds exactly, for every seed; the sampling noise
lands in the replications' interval. Because every order comes with its reverse,
swapping A and B negates every contribution exactly in both modes.

Before decomposing, a model with ``front_line_shift: null`` gets its front line's shift
written out (:func:`explicit_shift`): such a front line works its department's own
shift, so without this a marketing front line taken into a service model would bring
its business hours along, and opening hours would hide inside ``who_answers``.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from scrm_sim.analysis.labels import metric as shown_metric
from scrm_sim.analysis.labels import model_label
from scrm_sim.analysis.statistics import METRIC_DIRECTION, mean_ci
from scrm_sim.errors import Problem, ScenarioError
from scrm_sim.experiment.executors import LocalExecutor
from scrm_sim.experiment.progress import RunProgress
from scrm_sim.experiment.runner import replication_seed
from scrm_sim.experiment.runs import run_scenario
from scrm_sim.experiment.spec import summary_metric_names
from scrm_sim.scenario import Ownership, Scenario
from scrm_sim.scenario.loading import validate_scenario
from scrm_sim.scenario.schema import Company

# Each group is a set of Ownership fields that an owner decides together; a group moves
# from B to A as a whole. Every Ownership field is in exactly one group or in LABEL_FIELDS
# (tests/test_decomposition.py checks it, so a new field cannot be left out unnoticed).
PARAMETER_GROUPS: dict[str, tuple[str, ...]] = {
    "opening_hours": ("front_line_shift",),
    "acknowledgement": ("acknowledge_handoffs",),
    "approval": ("approval", "public_responders"),
    "listening": ("listening", "pilot_share"),
    "priorities_and_agendas": ("priorities",),
    "handoffs": ("handoff",),
    "team_policy": ("social_team",),
    "community": ("community",),
    "authority_and_sponsorship": ("authority", "executive_sponsorship"),
    "voice": ("brand_voice_training", "spoke_voice_factor"),
    "rogue": ("rogue",),
    "who_answers": ("front_line", "routing", "resolvers", "resolver_staff", "key_accounts"),
    "staffing": ("staffing_scale", "budget_fte"),
    "stages": ("stages", "pilot"),
}
# what a model is called and argued from; no run depends on them
LABEL_FIELDS: tuple[str, ...] = ("name", "description", "position", "source")

DEFAULT_METRICS: tuple[str, ...] = ("share_within_sla", "satisfaction_final", "churn_rate", "cost")
# up to this many differing groups every one of the 2^k coalitions is run (64 per seed)
EXACT_UP_TO = 6
# sampled orders per replication above EXACT_UP_TO (even: antithetic pairs)
DEFAULT_PERMUTATIONS = 8

METHOD_TEXT = (
    "Shapley values over the parameter groups that differ between A and B (groups with "
    "identical values contribute exactly 0). A coalition takes its groups from B and the "
    "rest from A; every coalition of a replication runs on the same seed, so the "
    "contributions add up exactly to that seed's paired difference B - A. Exact over all "
    f"2^k coalitions up to k = {EXACT_UP_TO} groups, else averaged over sampled orders in "
    "antithetic pairs (still exact sums). Mean and 95% t interval over replications."
)


# --------------------------------------------------------------------------- the players


def explicit_shift(own: Ownership, company: Company) -> Ownership:
    """``own`` with ``front_line_shift`` written out when it is null and every front-line
    department works the same shift; otherwise ``own`` unchanged.

    A null front-line shift means "each front-liner works their department's shift". Written
    out, the shift belongs to the opening_hours group instead of travelling with the front
    line's departments (who_answers). A front line drawn from departments on different
    shifts (ceo_led: service extended, marketing business) keeps null: no single shift says it.
    """
    if own.front_line_shift is not None:
        return own
    shifts = {_shift_key(company.departments[d].shift)
              for d, n in own.front_line.items() if n > 0 and d in company.departments}
    if len(shifts) != 1:
        return own
    department = next(d for d, n in own.front_line.items() if n > 0)
    return own.model_copy(update={"front_line_shift": company.departments[department].shift})


def _shift_key(shift: Any) -> str:
    return shift if isinstance(shift, str) else repr(shift.model_dump())


def group_values(own: Ownership) -> dict[str, dict[str, Any]]:
    """Each group's fields and their values (as JSON data)."""
    data = own.model_dump(mode="json")
    return {group: {f: data[f] for f in fields} for group, fields in PARAMETER_GROUPS.items()}


def differing_groups(a: Ownership, b: Ownership) -> list[str]:
    """Groups whose values differ between A and B, in :data:`PARAMETER_GROUPS` order."""
    va, vb = group_values(a), group_values(b)
    return [g for g in PARAMETER_GROUPS if va[g] != vb[g]]


def coalition_ownership(a: Ownership, b: Ownership, from_b: Iterable[str]) -> dict[str, Any]:
    """A's ownership data with the fields of the groups ``from_b`` taken from B (A's labels)."""
    data = a.model_dump(mode="json")
    b_data = b.model_dump(mode="json")
    for group in from_b:
        for name in PARAMETER_GROUPS[group]:
            data[name] = b_data[name]
    return data


def coalition_scenario(scenario: Scenario, a: Ownership, b: Ownership, from_b: Sequence[str],
                       source: str | Path = "scenario") -> Scenario:
    """The validated scenario of one coalition.

    Raises:
        ScenarioError: the mix is no valid ownership model (say, B's approver added to A's
            roles needs more staff than the department has); the message names the groups.
    """
    data = scenario.model_dump(mode="json")
    data["ownership"] = coalition_ownership(a, b, from_b)
    try:
        return validate_scenario(data, Path(str(source)))
    except ScenarioError as exc:
        mix = (f"the mix of {a.name} with {', '.join(from_b)} from {b.name}" if from_b
               else a.name)
        raise ScenarioError(source, [
            Problem(p.field, f"{p.message} (in {mix}, which the decomposition of {a.name} vs "
                    f"{b.name} must run; these groups cannot be combined in this company)")
            for p in exc.problems]) from None


# --------------------------------------------------------------------------- metrics


def check_metrics(metrics: Sequence[str], where: str = "--metrics") -> None:
    """Raise ScenarioError naming every metric that runs do not report."""
    import difflib

    known = summary_metric_names()
    problems = []
    for metric in metrics:
        if metric not in known:
            close = difflib.get_close_matches(metric, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(where, f"unknown metric {metric!r}{hint}; allowed: "
                                    f"{', '.join(known)}"))
    if not metrics:
        problems.append(Problem(where, "name at least one metric"))
    if problems:
        raise ScenarioError(where, problems)


# --------------------------------------------------------------------------- Shapley values


def shapley_exact(values: Mapping[int, float], k: int) -> np.ndarray:
    """Exact Shapley values of a k-player game given v on every coalition (as bit masks)."""
    phi = np.zeros(k)
    weights = [math.factorial(s) * math.factorial(k - s - 1) / math.factorial(k)
               for s in range(k)]
    for i in range(k):
        bit = 1 << i
        for mask in range(1 << k):
            if not mask & bit:
                phi[i] += weights[mask.bit_count()] * (values[mask | bit] - values[mask])
    return phi


def shapley_sampled(values: Mapping[int, float], orders: Sequence[Sequence[int]],
                    k: int) -> np.ndarray:
    """Mean marginal contribution of each player over the given orders of the players."""
    phi = np.zeros(k)
    for order in orders:
        mask = 0
        for i in order:
            phi[i] += values[mask | (1 << i)] - values[mask]
            mask |= 1 << i
    return phi / len(orders)


def even_permutations(permutations: int | None) -> int:
    """Sampled orders per replication: ``permutations`` rounded up to an even number.

    None means :data:`DEFAULT_PERMUTATIONS`; at least one antithetic pair (2).
    """
    return 2 * max(1, math.ceil((permutations or DEFAULT_PERMUTATIONS) / 2))


def sampled_orders(seed: int, k: int, permutations: int) -> list[tuple[int, ...]]:
    """``permutations`` orders of k players (rounded up to even, :func:`even_permutations`)
    in antithetic pairs (each with its reverse), drawn from ``seed`` only, so A→B and B→A
    sample the same orders.
    """
    rng = np.random.default_rng([seed, k])
    orders: list[tuple[int, ...]] = []
    for _ in range(even_permutations(permutations) // 2):
        order = tuple(int(i) for i in rng.permutation(k))
        orders += [order, order[::-1]]
    return orders


def coalitions_needed(k: int, orders: Sequence[Sequence[int]] | None) -> list[int]:
    """Bit masks of the coalitions to run: all 2^k, or the prefixes of the orders."""
    if orders is None:
        return list(range(1 << k))
    needed = {0}
    for order in orders:
        mask = 0
        for i in order:
            mask |= 1 << i
            needed.add(mask)
    return sorted(needed)


# --------------------------------------------------------------------------- running


@dataclass
class Decomposition:
    """A decomposition's results: the table, each replication's values, and how it was made."""

    a: str
    b: str
    players: list[str]
    metrics: list[str]
    table: pd.DataFrame
    replications: pd.DataFrame
    method: str
    permutations: int | None
    seeds: list[int]
    runs: int
    wall_seconds: float
    notes: list[str] = field(default_factory=list)

    def manifest(self) -> dict[str, Any]:
        """What a results folder records about how the decomposition was made."""
        return {"model_a": self.a, "model_b": self.b, "groups_differing": self.players,
                "parameter_groups": {g: list(f) for g, f in PARAMETER_GROUPS.items()},
                "metrics": self.metrics, "method": self.method,
                "permutations_per_replication": self.permutations,
                "replications": len(self.seeds), "seeds": self.seeds,
                "replications_dropped": dropped_replications(self.table), "runs": self.runs,
                "wall_seconds": round(self.wall_seconds, 1), "notes": self.notes,
                "method_text": METHOD_TEXT}


def plan_runs(k: int, replications: int, permutations: int | None = None,
              exact_up_to: int = EXACT_UP_TO) -> int:
    """Most runs a decomposition of k differing groups takes (fewer when orders share prefixes)."""
    if k <= exact_up_to:
        return replications * (1 << k)
    p = even_permutations(permutations)
    return replications * min(1 << k, 2 + p * (k - 1))


def decompose(
    scenario: Scenario,
    a: Ownership,
    b: Ownership,
    *,
    metrics: Sequence[str] = DEFAULT_METRICS,
    replications: int = 5,
    master_seed: int | None = None,
    permutations: int | None = None,
    exact_up_to: int = EXACT_UP_TO,
    workers: int | None = None,
    progress: bool = True,
    source: str | Path = "scenario",
) -> Decomposition:
    """Attribute the paired difference B − A on each metric to the parameter groups.

    Args:
        scenario: the company, customers and demand (its own ownership is ignored).
        a: the ownership model the difference starts from (resolved, as in
            ``scenario.ownership``).
        b: the ownership model it goes to.
        metrics: summary metrics to decompose.
        replications: paired seeds; at least two, for an interval.
        master_seed: seeds are ``replication_seed(master_seed, 0, r)`` (default: the scenario's).
        permutations: sampled orders per replication when more than ``exact_up_to`` groups
            differ (rounded up to an even number: antithetic pairs).
        exact_up_to: the largest number of differing groups solved exactly.
        workers: parallel processes (default: one per core).
        progress: show progress on stderr (as ``compare`` does).
        source: how errors name the scenario.

    Raises:
        ValueError: fewer than two replications (a t interval needs two).
        ScenarioError: an unknown metric, or a coalition that is no valid model; both
            before anything runs.
    """
    if replications < 2:
        # one replication has no spread: its "interval" would be the mean itself
        raise ValueError(f"decompose needs at least 2 replications for a 95% interval, "
                         f"got {replications}")
    started = time.perf_counter()
    check_metrics(metrics)
    company = scenario.company
    a, b = explicit_shift(a, company), explicit_shift(b, company)
    players = differing_groups(a, b)
    k = len(players)
    master = scenario.seed if master_seed is None else master_seed
    seeds = [replication_seed(master, 0, r) for r in range(replications)]
    exact = k <= exact_up_to
    p = None if exact else even_permutations(permutations)
    orders = {seed: None if exact else sampled_orders(seed, k, p) for seed in seeds}
    # validate every coalition any replication needs before the first run
    masks = sorted({m for seed in seeds for m in coalitions_needed(k, orders[seed])})
    scenarios = {m: coalition_scenario(scenario, a, b, _groups(players, m), source)
                 for m in masks}
    data = {m: s.model_dump(mode="json") for m, s in scenarios.items()}
    jobs = [(m, seed) for seed in seeds for m in coalitions_needed(k, orders[seed])]
    values = _run_all(jobs, data, list(metrics), workers, progress)

    rows = []
    for r, seed in enumerate(seeds):
        for metric in metrics:
            v = {m: values[m, seed][metric] for m in coalitions_needed(k, orders[seed])}
            phi = (shapley_exact(v, k) if exact else shapley_sampled(v, orders[seed], k))
            rows.append({"replication": r, "seed": seed, "metric": metric, "group": "from",
                         "value": v[0]})
            rows += [{"replication": r, "seed": seed, "metric": metric, "group": g,
                      "value": float(phi[players.index(g)]) if g in players else 0.0}
                     for g in PARAMETER_GROUPS]
            rows.append({"replication": r, "seed": seed, "metric": metric, "group": "total",
                         "value": v[(1 << k) - 1] - v[0]})
            rows.append({"replication": r, "seed": seed, "metric": metric, "group": "to",
                         "value": v[(1 << k) - 1]})
    per_rep = pd.DataFrame(rows)
    notes = []
    for name, own in (("A", a), ("B", b)):
        if own.front_line_shift is None and any(n > 0 for n in own.front_line.values()):
            notes.append(f"{name} ({own.name}) has a front line on different departments' "
                         "shifts; its opening hours stay with who_answers")
    return Decomposition(
        a=a.name, b=b.name, players=players, metrics=list(metrics),
        table=contribution_table(per_rep, a.name, b.name, players),
        replications=per_rep, method="exact" if exact else "sampled permutations",
        permutations=p, seeds=seeds, runs=len(jobs),
        wall_seconds=time.perf_counter() - started, notes=notes)


def _groups(players: Sequence[str], mask: int) -> list[str]:
    return [g for i, g in enumerate(players) if mask >> i & 1]


@dataclass(frozen=True)
class _Job:
    """One (coalition, seed) run as the progress display sees it.

    A replication is its "point", so the display counts replications done.
    """

    key: str
    point: int
    model: str
    seed: int


def _run_all(jobs: list[tuple[int, int]], data: Mapping[int, dict[str, Any]],
             metrics: list[str], workers: int | None,
             progress: bool) -> dict[tuple[int, int], dict[str, float]]:
    """Run every (coalition, seed) once on the experiments' local executor (whose workers
    exit with this process); values of the metrics per run."""
    replication = {seed: r for r, seed in enumerate(dict.fromkeys(s for _, s in jobs))}
    shown = {job: _Job(f"{job[0]}-{job[1]}", replication[job[1]], f"coalition {job[0]}",
                       job[1]) for job in jobs}
    payloads = ({"job": job, "scenario": data[job[0]], "seed": job[1], "metrics": metrics}
                for job in jobs)
    executor = LocalExecutor(workers or min(len(jobs), os.cpu_count() or 1))
    reporter = RunProgress(progress, unit="replications")
    reporter.start(list(shown.values()), set())
    results: dict[tuple[int, int], dict[str, float]] = {}
    try:
        for payload, outcome in executor.run(_run_payload, payloads):
            if isinstance(outcome, BaseException):
                raise outcome
            results[payload["job"]] = outcome
            reporter.finished(shown[payload["job"]])
    finally:
        reporter.close()
    return results


def _run_payload(payload: dict[str, Any]) -> dict[str, float]:
    # workers receive the resolved scenario as data and a seed, and return only the metrics
    summary = run_scenario(Scenario.model_validate(payload["scenario"]), payload["seed"]).summary
    return {m: float(summary[m]) for m in payload["metrics"]}


# --------------------------------------------------------------------------- tables and figure


def contribution_table(per_rep: pd.DataFrame, a: str, b: str,
                       players: Sequence[str]) -> pd.DataFrame:
    """Per metric: A's value (``from``), each group's contribution, the total B − A and B's
    value (``to``), each as the mean over replications with a 95% t interval.

    A replication with a NaN in any row of a metric (say, a response-time percentile of a
    run that answered nothing) is left out of every row of that metric, so the groups'
    means still add up to the total's; ``replications`` counts those kept and ``dropped``
    those left out.
    """
    rows = []
    for metric, mine in per_rep.groupby("metric", sort=False):
        wide = mine.pivot(index="replication", columns="group", values="value")
        kept = wide.dropna(how="any")
        dropped = len(wide) - len(kept)
        for group in dict.fromkeys(mine["group"]):
            mean, low, high = mean_ci(kept[group].to_numpy(float))
            role = group if group in ("from", "total", "to") else "group"
            fields = ", ".join(PARAMETER_GROUPS.get(group, ()))
            rows.append({"metric": metric, "group": group, "role": role, "mean": mean,
                         "ci_low": low, "ci_high": high, "replications": len(kept),
                         "dropped": dropped,
                         "differs": group in players if role == "group" else True,
                         "fields": fields, "a": a, "b": b})
    return pd.DataFrame(rows)


def dropped_replications(table: pd.DataFrame) -> dict[str, int]:
    """Per metric, the replications left out of the table for a NaN.

    See :func:`contribution_table`.
    """
    return {str(m): int(n) for m, n in table.groupby("metric", sort=False)["dropped"].first()
            .items()}


def group_words(name: str) -> str:
    """A parameter group's or fields' code name in words: "who_answers" → "who answers",
    "front_line, routing" → "front line, routing"."""
    return str(name).replace("_", " ")


def waterfall_figure(table: pd.DataFrame) -> Figure:
    """Per metric: from A's value, one bar per differing group, to B's value.

    Values are in display units (``labels``: satisfaction 0–100, shares in percent), with
    plain metric and model names. Error bars are 95% intervals of the paired contributions
    (at B: of the total paired difference B − A), not of the levels. Bars are ordered by
    size; a bar is green where the group moves the metric the better way
    (``METRIC_DIRECTION``), red where it moves it the worse way. Made without pyplot, so
    nothing stays open.
    """
    metrics = list(dict.fromkeys(table["metric"]))
    a, b = model_label(table["a"].iloc[0]), model_label(table["b"].iloc[0])
    columns = min(2, len(metrics))
    rows = math.ceil(len(metrics) / columns)
    fig = Figure(figsize=(7.5 * columns, 4.2 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax, column in zip(axes.flat, metrics, strict=False):
        shown = shown_metric(column)
        scale = shown.scale
        mine = table[table["metric"] == column].set_index("group")
        groups = mine[(mine["role"] == "group") & mine["differs"]]
        groups = groups.reindex(groups["mean"].abs().sort_values(ascending=False).index)
        total = mine.loc["total"]
        direction = METRIC_DIRECTION.get(column, 1)
        level = float(mine.loc["from", "mean"]) * scale
        x = 0
        # A's level carries no bar: its spread over seeds is not the paired uncertainty
        ax.plot(x, level, "s", color="black")
        for _, row in groups.iterrows():
            x += 1
            step = float(row["mean"]) * scale
            colour = "#009E73" if step * direction > 0 else "#D55E00"
            ax.bar(x, step, bottom=level, color=colour, width=0.7)
            ax.errorbar(x, level + step, yerr=[[step - row["ci_low"] * scale],
                                               [row["ci_high"] * scale - step]],
                        fmt="none", ecolor="black", capsize=3, lw=0.8)
            ax.plot([x - 1.35, x - 0.35], [level, level], color="grey", lw=0.6, ls=":")
            level += step
        x += 1
        # B = A + total difference; its bar is the paired difference's interval
        value = (float(mine.loc["from", "mean"]) + float(total["mean"])) * scale
        ax.plot([x - 1.35, x], [level, level], color="grey", lw=0.6, ls=":")
        ax.errorbar(x, value, yerr=[[(total["mean"] - total["ci_low"]) * scale],
                                    [(total["ci_high"] - total["mean"]) * scale]],
                    fmt="s", color="black", capsize=3)
        labels = [a, *[group_words(g) for g in groups.index], b]
        ax.set_xticks(range(x + 1), labels, rotation=35, ha="right", fontsize=8)
        ax.set_title(f"{shown.label}: {a} → {b}", fontsize=10)
        ax.set_ylabel(shown.unit)
        ax.use_sticky_edges = False  # bars must not pin the axis to A's or B's level
        ax.margins(y=0.08)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(metrics):]:
        ax.set_visible(False)
    fig.suptitle("Where the difference comes from: Shapley contributions of parameter groups "
                 "(mean; bars: 95% CI of paired differences; the axis need not start at 0)",
                 fontsize=11)
    return fig


def write_decomposition(out: Path, result: Decomposition, manifest: dict[str, Any]) -> list[Path]:
    """Write ``decomposition.csv`` (and .parquet), ``decomposition_replications.csv``,
    ``decomposition.png`` and ``manifest.json`` into ``out``.
    """
    from scrm_sim.experiment.output import write_results

    figure = waterfall_figure(result.table)  # made without pyplot: nothing to close
    return write_results(out, {"decomposition": result.table,
                               "decomposition_replications": result.replications},
                         {"decomposition": figure},
                         {"command": "decompose", **result.manifest(), **manifest})


# --------------------------------------------------------------------------- after compare

# `compare --decompose`: few replications and a budget of runs, so that the demo's
# decomposition (baseline, 90 days) adds about two to three minutes on two cores
COMPARE_REPLICATIONS = 3
COMPARE_RUN_BUDGET = 96
RANKING_METRIC = "share_within_sla"
FOLDER = "decomposition"


def permutations_within(k: int, replications: int, budget: int) -> int:
    """The most sampled orders per replication (even, at least one antithetic pair) whose
    runs stay within ``budget``.
    """
    p = 2
    while plan_runs(k, replications, p + 2, exact_up_to=-1) <= budget and p + 2 <= 64:
        p += 2
    return p


def decompose_top_two(out: Path, summary: pd.DataFrame, scenarios: Mapping[str, Scenario], *,
                      source: str | Path, master_seed: int | None = None,
                      workers: int | None = None, progress: bool = True) -> Path:
    """Decompose the gap between the two best models of a comparison (by mean
    share_within_sla) from the runner-up (A) to the best (B); write ``out/decomposition/``.

    Uses :data:`COMPARE_REPLICATIONS` replications and at most about
    :data:`COMPARE_RUN_BUDGET` runs: exact while all coalitions fit, else as many sampled
    orders as fit (at least one antithetic pair). Returns the folder written.
    """
    direction = METRIC_DIRECTION.get(RANKING_METRIC, 1)
    means = summary.groupby("ownership", sort=False)[RANKING_METRIC].mean() * direction
    best, runner_up = means.sort_values(ascending=False).index[:2]
    scenario = scenarios[runner_up]
    a, b = (explicit_shift(scenarios[m].ownership, scenario.company) for m in (runner_up, best))
    k = len(differing_groups(a, b))
    # exact only while all 2^k coalitions fit the budget (k <= 5 with 3 replications)
    exact_up_to = min(EXACT_UP_TO, int(math.log2(COMPARE_RUN_BUDGET / COMPARE_REPLICATIONS)))
    result = decompose(
        scenario, scenarios[runner_up].ownership, scenarios[best].ownership,
        replications=COMPARE_REPLICATIONS, master_seed=master_seed,
        permutations=permutations_within(k, COMPARE_REPLICATIONS, COMPARE_RUN_BUDGET),
        exact_up_to=exact_up_to, workers=workers, progress=progress, source=source)
    folder = out / FOLDER
    write_decomposition(folder, result, {
        "scenario_source": str(source), "ranked_by": RANKING_METRIC,
        "scenario": scenario.model_dump(mode="json")})
    return folder


def load_decomposition(results: Path) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """The decomposition in ``results/decomposition/`` and its manifest, if it belongs to
    these results; else None.

    It belongs when its scenario for model A, seed and all, is the comparison's, and its
    replication seeds are the comparison's first ones (the same master seed: ``compare
    --seed`` changes them without changing the scenario).
    """
    import json

    folder = results / FOLDER
    if not (folder / "decomposition.csv").is_file():
        return None
    table = pd.read_csv(folder / "decomposition.csv")
    manifest_path = folder / "manifest.json"
    manifest = (json.loads(manifest_path.read_text(encoding="utf-8"))
                if manifest_path.is_file() else {})
    compared_path = results / "manifest.json"
    compared = (json.loads(compared_path.read_text(encoding="utf-8"))
                if compared_path.is_file() else {})
    mine = compared.get("scenarios", {}).get(manifest.get("model_a"))
    if mine is None or manifest.get("scenario") != mine:
        return None  # left over from other results, or of another company: it would mislead
    if not same_seeds(manifest.get("seeds"), compared.get("seeds")):
        return None  # other random numbers than the comparison's: not its paired difference
    return table, manifest


def same_seeds(decomposed: Sequence[int] | None, compared: Sequence[int] | None) -> bool:
    """Whether a decomposition's replication seeds are a comparison's first ones.

    ``compare --decompose`` runs :data:`COMPARE_REPLICATIONS` replications whatever the
    comparison's count, so the shorter list must be the start of the longer; both come
    from ``replication_seed(master, 0, r)``, so this means the same master seed.
    """
    if not decomposed or not compared:
        return False
    n = min(len(decomposed), len(compared))
    return list(decomposed[:n]) == list(compared[:n])
