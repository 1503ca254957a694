"""How robust a claim is: the share of plausible worlds where it holds, and where it fails.

A claim's test (:class:`~scrm_sim.experiment.spec.ClaimTest`) is checked in every
plausible world (a Latin-hypercube point of :mod:`scrm_sim.experiment.worlds`) on the
world's mean over its paired replications. The share of worlds in which it holds is
reported with a Wilson score interval (Wilson 1927; Brown, Cai & DasGupta 2001 recommend
it over the normal interval for small n). Where it fails is found by scenario discovery
(Bryant & Lempert 2010; Kwakkel's EMA Workbench): a shallow classification tree (CART,
Breiman et al. 1984) on the sampled parameters, whose failure leaves are printed as
rules. The neutral comparison (every model's operating choices made equal) is reported
as paired differences with Student-t intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from scrm_sim.analysis.statistics import paired_differences, proportion_ci
from scrm_sim.experiment.spec import ClaimTest, split_key
from scrm_sim.experiment.store import Results, load_results

TREE_DEPTH = 2  # deeper trees on 16–64 worlds describe noise, not conditions


def describe(test: ClaimTest) -> str:
    """The test in words, e.g. 'service_led has a higher share_within_sla than sales_led'."""
    if test.all is not None:
        return " and ".join(f"({describe(t)})" if t.all or t.any else describe(t)
                            for t in test.all)
    if test.any is not None:
        return " or ".join(f"({describe(t)})" if t.all or t.any else describe(t)
                           for t in test.any)
    if test.spread_below is not None:
        return f"the models' {test.metric} lie within {test.spread_below:g} of each other"
    margin = f" by more than {test.margin:g}" if test.margin else ""
    return (f"{test.model} has a {test.direction} {test.metric} than "
            f"{_and(test.beats)}{margin}")


def claim_holds(test: ClaimTest, means: pd.DataFrame) -> bool:
    """Whether the test holds on one world's means (index: ownership; columns: metrics)."""
    if test.all is not None:
        return all(claim_holds(t, means) for t in test.all)
    if test.any is not None:
        return any(claim_holds(t, means) for t in test.any)
    values = means[test.metric]
    if test.spread_below is not None:
        return bool(values.max() - values.min() < test.spread_below)
    sign = 1.0 if test.direction == "higher" else -1.0
    return all(sign * (values[test.model] - values[rival]) > test.margin for rival in test.beats)


def world_means(summary: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Mean of each metric per world (design point) and model over its replications."""
    missing = [m for m in metrics if m not in summary]
    if missing:
        raise ValueError(f"claim_test metrics not in the results: {', '.join(missing)}")
    return summary.groupby(["point", "ownership"])[metrics].mean()


def holds_by_world(summary: pd.DataFrame, test: ClaimTest) -> pd.Series:
    """True or False per world (index: point), from the world's means."""
    means = world_means(summary, sorted(test.metrics()))
    models = test.models()
    verdict = {}
    for point, frame in means.groupby(level="point"):
        frame = frame.droplevel("point")
        if models - set(frame.index):
            continue  # a world not yet run under every model the test needs
        verdict[int(point)] = claim_holds(test, frame)
    return pd.Series(verdict, name="holds", dtype=bool)


@dataclass(frozen=True)
class Rule:
    """A box of worlds found by the tree: its conditions, size and failures."""

    conditions: tuple[str, ...]
    worlds: int
    failures: int
    total_failures: int

    def __str__(self) -> str:
        where = " and ".join(self.conditions) or "everywhere"
        return (f"fails when {where}: {self.failures} of {self.worlds} worlds fail, "
                f"{self.failures / max(self.total_failures, 1):.0%} of all failures")


def failure_rules(worlds: pd.DataFrame, holds: pd.Series, depth: int = TREE_DEPTH) -> list[Rule]:
    """The leaves of a shallow tree on the sampled parameters in which most worlds fail,
    most failures first. Empty when no world fails, or no split separates them."""
    fails = ~holds.reindex(worlds.index).astype(bool)
    if fails.sum() == 0:
        return []
    columns = list(worlds.columns)
    x = worlds.to_numpy(dtype=float)
    if fails.all():
        return [Rule((), len(fails), int(fails.sum()), int(fails.sum()))]
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=max(3, len(x) // 8),
                                  random_state=0).fit(x, fails.to_numpy())
    leaves = tree.apply(x)
    rules = []
    for leaf, conditions in _leaf_conditions(tree, columns).items():
        inside = leaves == leaf
        failed = int(fails.to_numpy()[inside].sum())
        if inside.sum() and failed / inside.sum() > 0.5:
            rules.append(Rule(conditions, int(inside.sum()), failed, int(fails.sum())))
    return sorted(rules, key=lambda r: (-r.failures, r.worlds))


def neutral_result(summary: pd.DataFrame, test: ClaimTest) -> tuple[str, list[str]]:
    """The verdict on the neutral runs ('holds beyond the noise', 'holds, within the noise',
    'fails, within the noise', 'fails beyond the noise') and each comparison in words: the
    paired difference with its 95% interval (or the spread of the means).

    The verdict reads the means; "beyond the noise" when the intervals decide it too.

    Raises:
        ValueError: a model or metric the test needs has no neutral runs yet (a run that
            was stopped half-way).
    """
    lacking = []
    if missing := sorted(test.models() - set(summary["ownership"])):
        lacking.append(f"no runs of {', '.join(missing)}")
    if missing := sorted(test.metrics() - set(summary.columns)):
        lacking.append(f"no metric {', '.join(missing)}")
    if lacking:
        raise ValueError(f"the neutral runs lack what the claim test needs ({'; '.join(lacking)})"
                         ": the neutral comparison has not finished; run it again to resume")
    means = summary.groupby("ownership")[sorted(test.metrics())].mean()
    holds = claim_holds(test, means)
    sure = _sure(summary, test)
    clear = sure == ("holds" if holds else "fails")
    verdict = ("holds" if holds else "fails") + (" beyond the noise" if clear
                                                 else ", within the noise")
    return verdict, _neutral_lines(summary, test)


def run_scale(manifest: dict[str, Any], factors: list[str]) -> dict[str, float | None]:
    """The worlds' ``duration_days`` and ``customers`` (count): from the experiment's
    overrides, else from its scenario file as resolved now; None where a factor varies
    it between worlds or the scenario no longer loads.
    """
    from scrm_sim.errors import ScenarioError
    from scrm_sim.scenario import load_scenario

    overrides = manifest["experiment"].get("overrides") or {}
    found: dict[str, float | None] = {
        "duration_days": overrides.get("duration_days"),
        "customers": (overrides.get("customers") or {}).get("count")}
    if None in found.values() and manifest.get("scenario_source"):
        try:
            scenario = load_scenario(manifest["scenario_source"])
        except ScenarioError:
            scenario = None  # moved or changed since: say nothing rather than guess
        if scenario is not None:
            found["duration_days"] = found["duration_days"] or scenario.duration_days
            found["customers"] = found["customers"] or scenario.customers.count
    for path, key in (("duration_days", "duration_days"), ("customers.count", "customers")):
        if any(split_key(f)[0] == path for f in factors):
            found[key] = None  # one value per world, not one for the table
    return found


def robustness_summary(worlds: Results, neutral: Results | None) -> dict[str, Any]:
    """Everything robustness.csv and robustness.md report, as one mapping."""
    experiment = worlds.manifest["experiment"]
    test = ClaimTest.model_validate(experiment["claim_test"])
    summary = worlds.summary
    holds = holds_by_world(summary, test)
    keys = [f["path"] + (f"@{f['model']}" if f.get("model") else "")
            for f in experiment["factors"]]
    points = pd.DataFrame(worlds.manifest["design"]["points"]).reindex(columns=keys)
    points = points.loc[holds.index] if len(holds) else points.iloc[:0]
    rules = failure_rules(points, holds)
    share, low, high = proportion_ci(int(holds.sum()), len(holds))
    row: dict[str, Any] = {
        "experiment": experiment["name"].removesuffix("_worlds"),
        "claim": experiment.get("claim", ""),
        "claim_test": describe(test),
        "worlds": len(holds), "holds": int(holds.sum()),
        "share": share, "share_low": low, "share_high": high,
        "parameters": len(keys),
        "replications": experiment["replications"],
        **run_scale(worlds.manifest, keys),
        "failure_conditions": _conditions_text(rules, len(holds), int(holds.sum())),
        "neutral": "not run", "neutral_detail": "",
    }
    if neutral is not None and not neutral.summary.empty:
        verdict, lines = neutral_result(neutral.summary, test)
        runs = neutral.summary.groupby("ownership").size().min()
        row["neutral"] = f"{verdict} ({runs} paired runs per model)"
        row["neutral_detail"] = "; ".join(lines)
    return {"row": row, "rules": rules, "holds": holds, "points": points,
            "ranges": [(k, f.get("range")) for k, f in zip(keys, experiment["factors"],
                                                           strict=True)]}


def write_robustness(folder: Path) -> list[Path]:
    """Write ``robustness.csv`` (one row), ``robustness.md`` and ``worlds.csv`` (one row
    per world: its parameters and whether the claim held) into a robustness folder
    (``worlds/`` and, if run, ``neutral/``, as written by ``--robustness``)."""
    worlds = load_results(folder / "worlds", steps=False)
    if worlds.summary.empty:
        raise ValueError(f"no finished runs in {folder / 'worlds'} yet")
    neutral_folder = folder / "neutral"
    neutral = load_results(neutral_folder, steps=False) if neutral_folder.is_dir() else None
    found = robustness_summary(worlds, neutral)
    table = folder / "robustness.csv"
    pd.DataFrame([found["row"]]).to_csv(table, index=False)
    per_world = found["points"].assign(holds=found["holds"])
    per_world.index.name = "world"
    worlds_table = folder / "worlds.csv"
    per_world.to_csv(worlds_table)
    report = folder / "robustness.md"
    report.write_text(robustness_markdown(found), encoding="utf-8")
    return [table, worlds_table, report]


def robustness_markdown(found: dict[str, Any]) -> str:
    """The robustness report of one claim as Markdown."""
    row = found["row"]
    lines = [
        f"# How robust is the claim: {row['claim'] or row['experiment']}", "",
        f"**Claim test.** In a world, the claim holds if {row['claim_test']} "
        f"(on the world's mean over {row['replications']} paired replications).", "",
        f"**Plausible worlds.** {row['worlds']} worlds, a Latin hypercube over "
        f"{row['parameters']} uncertain parameters (below){_scale_text(row)}.", "",
        f"**Holds in {row['holds']} of {row['worlds']} worlds**: "
        f"{_share_text(row)} (95% Wilson interval).", "",
        f"**Where it fails.** {_sentence(row['failure_conditions'])}", "",
        f"**Neutral operating choices.** {row['neutral']}"
        + (f": {row['neutral_detail']}." if row["neutral_detail"] else "."), "",
        "| uncertain parameter | low | high |", "|---|---|---|",
    ]
    for key, bounds in found["ranges"]:
        path, model = split_key(key)
        label = f"{path} ({model})" if model else path
        lines.append(f"| `{label}` | {bounds[0]:g} | {bounds[1]:g} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- internals


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _scale_text(row: dict[str, Any]) -> str:
    """', 30 days, 3000 customers' (what is known of it), or nothing."""
    parts = []
    if row.get("duration_days") is not None and not pd.isna(row["duration_days"]):
        parts.append(f"{row['duration_days']:g} days")
    if row.get("customers") is not None and not pd.isna(row["customers"]):
        parts.append(f"{int(row['customers']):,} customers")
    return "".join(f", {part}" for part in parts)


def _share_text(row: dict[str, Any]) -> str:
    return f"{row['share']:.0%} [{row['share_low']:.0%}, {row['share_high']:.0%}]"


def _conditions_text(rules: list[Rule], worlds: int, holds: int) -> str:
    if worlds == 0:
        return "no world finished yet"
    if holds == worlds:
        return f"it fails in none of the {worlds} worlds"
    if holds == 0:
        return f"it fails in all {worlds} worlds"
    if not rules:
        return (f"it fails in {worlds - holds} worlds, with no simple condition in common "
                f"(no split of depth ≤ {TREE_DEPTH} leaves a majority of failures)")
    return "; ".join(str(r) for r in rules)


def _leaf_conditions(tree: DecisionTreeClassifier,
                     columns: list[str]) -> dict[int, tuple[str, ...]]:
    """Each leaf's path from the root as readable conditions, tightest bound per side."""
    inner = tree.tree_
    found: dict[int, tuple[str, ...]] = {}

    def walk(node: int, bounds: dict[tuple[int, str], float]) -> None:
        if inner.children_left[node] == inner.children_right[node]:  # a leaf
            found[node] = tuple(_condition(columns[f], side, value)
                                for (f, side), value in sorted(bounds.items()))
            return
        feature, threshold = int(inner.feature[node]), float(inner.threshold[node])
        below = {**bounds, (feature, "≤"): min(threshold, bounds.get((feature, "≤"), np.inf))}
        above = {**bounds, (feature, ">"): max(threshold, bounds.get((feature, ">"), -np.inf))}
        walk(int(inner.children_left[node]), below)
        walk(int(inner.children_right[node]), above)

    walk(0, {})
    return found


def _condition(key: str, side: str, value: float) -> str:
    path, model = split_key(key)
    label = f"{path} ({model})" if model else path
    return f"{label} {side} {value:.3g}"


def _paired(summary: pd.DataFrame, test: ClaimTest, rival: str) -> tuple[float, float, float]:
    """Mean paired difference (test.model − rival) on test.metric, with its 95% interval."""
    pairs = paired_differences(summary, test.metric)  # every pair, in order of appearance
    row = pairs[(pairs["a"] == test.model) & (pairs["b"] == rival)]
    if not row.empty:
        return tuple(float(row[c].iloc[0]) for c in ("difference", "low", "high"))
    row = pairs[(pairs["a"] == rival) & (pairs["b"] == test.model)]
    if row.empty:
        raise ValueError(f"no paired runs of {test.model} and {rival} on {test.metric}")
    # rival − model, negated: the interval's ends swap
    return (-float(row["difference"].iloc[0]), -float(row["high"].iloc[0]),
            -float(row["low"].iloc[0]))


def _sure(summary: pd.DataFrame, test: ClaimTest) -> str:
    """'holds' or 'fails' when the intervals decide the test, else 'unsure'."""
    if test.all is not None or test.any is not None:
        parts = [_sure(summary, t) for t in (test.all or test.any or [])]
        decisive, other = ("fails", "holds") if test.all is not None else ("holds", "fails")
        if decisive in parts:
            return decisive
        return other if all(p == other for p in parts) else "unsure"
    if test.spread_below is not None:
        return "unsure"  # a spread of means has no paired interval here
    sign = 1.0 if test.direction == "higher" else -1.0
    states = []
    for rival in test.beats:
        _, low, high = (sign * v for v in _paired(summary, test, rival))
        low, high = min(low, high), max(low, high)
        states.append("holds" if low > test.margin else "fails" if high < test.margin
                      else "unsure")
    if "fails" in states:
        return "fails"
    return "holds" if all(s == "holds" for s in states) else "unsure"


def _number(x: float) -> str:
    """A difference readably: four decimals below 1, three significant digits above."""
    return f"{x:+.4f}" if abs(x) < 1 else f"{x:+.3g}"


def _neutral_lines(summary: pd.DataFrame, test: ClaimTest) -> list[str]:
    if test.all is not None or test.any is not None:
        return [line for t in (test.all or test.any or []) for line in _neutral_lines(summary, t)]
    if test.spread_below is not None:
        means = summary.groupby("ownership")[test.metric].mean()
        return [f"{test.metric} spread {means.max() - means.min():.4g} "
                f"({means.idxmax()} − {means.idxmin()}; test: below {test.spread_below:g})"]
    lines = []
    for rival in test.beats:
        mean, low, high = _paired(summary, test, rival)
        lines.append(f"{test.metric} {test.model} − {rival} {_number(mean)} "
                     f"[{_number(low)}, {_number(high)}]")
    return lines
