"""Speed benchmarks: ``make bench`` writes results/bench/bench.json and prints a table.

Measured in one run on one machine:

* baseline: wall time per replication (build + run) of the baseline scenario;
* engines: the vectorised customer engine against the per-agent reference engine, per
  simulated customer-step (run phase only; same scenario);
* floor: the vectorised run against a bare numpy loop that only draws each customer's
  posts and updates satisfaction, for the same population and number of steps;
* scaling: wall time and peak memory for 10^3 … 10^6 customers over 90 days, each in a
  fresh process, with the company's staff scaled with the customers;
* experiments: runs per second of a baseline experiment on 1 and 2 workers, and how an
  experiment's cost grows with customers and with replications.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from scrm_sim import SCRMModel, __version__, load_scenario
from scrm_sim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CORE_MODELS = ("marketing_led", "service_led", "ceo_led", "hybrid")


def baseline_timing(replications: int) -> dict[str, object]:
    """Build and run time of baseline replications, over the four core models."""
    rows = []
    for ownership in CORE_MODELS:
        scenario = load_scenario(BASELINE, {"ownership": ownership})
        for seed in range(replications):
            started = time.perf_counter()
            model = SCRMModel(scenario, seed=seed)
            built = time.perf_counter()
            model.run()
            done = time.perf_counter()
            rows.append({"ownership": ownership, "seed": seed, "build_s": built - started,
                         "run_s": done - built, "total_s": done - started,
                         "posts": len(model.posts)})
    totals = np.array([r["total_s"] for r in rows])
    return {"replications": rows, "median_total_s": float(np.median(totals)),
            "mean_total_s": float(totals.mean()), "max_total_s": float(totals.max()),
            "people": scenario.customers.count + scenario.customers.prospects,
            "staff": sum(d.staff for d in scenario.company.departments.values()),
            "steps": scenario.steps, "target_s": 2.0}


def run_phase_seconds(scenario: Scenario, seed: int = 0) -> tuple[float, int]:
    """Wall time of the run phase (no set-up) and the number of steps."""
    model = SCRMModel(scenario, seed=seed)
    started = time.perf_counter()
    model.run()
    return time.perf_counter() - started, model.hour


def engine_comparison(days: float) -> dict[str, object]:
    """Seconds per simulated customer-step, vectorised against per-agent, on the baseline."""
    result = {}
    for engine in ("vectorised", "agents"):
        scenario = load_scenario(BASELINE, {"engine": engine, "duration_days": days})
        seconds, steps = run_phase_seconds(scenario)
        people = scenario.customers.count + scenario.customers.prospects
        result[engine] = {"run_s": seconds, "steps": steps, "people": people,
                          "us_per_customer_step": 1e6 * seconds / (people * steps)}
    result["speedup"] = (result["agents"]["us_per_customer_step"]
                         / result["vectorised"]["us_per_customer_step"])
    result["target_speedup"] = 50.0
    return result


def numpy_floor(people: int, steps: int, seed: int = 0) -> float:
    """A bare numpy loop: each hour, Poisson posts per customer and type, then satisfaction."""
    rng = np.random.default_rng(seed)
    rates = np.full((5, people), 0.009 / 24 / 5)
    satisfaction = rng.beta(14, 6, people)
    started = time.perf_counter()
    for _ in range(steps):
        posts = rng.poisson(rates).sum(axis=0)
        posters = np.flatnonzero(posts)
        satisfaction[posters] += 0.3 * (rng.random(len(posters)) - satisfaction[posters])
    return time.perf_counter() - started


def floor_comparison() -> dict[str, object]:
    """The vectorised baseline run against the bare numpy floor for the same population."""
    scenario = load_scenario(BASELINE)
    people = scenario.customers.count + scenario.customers.prospects
    model_s, steps = run_phase_seconds(scenario)
    floor_s = numpy_floor(people, steps)
    return {"people": people, "steps": steps, "model_run_s": model_s, "floor_s": floor_s,
            "ratio": model_s / floor_s, "target_ratio": 3.0}


def scaled_overrides(customers: int, days: float) -> dict[str, object]:
    """The baseline with customers, prospects and every staff number scaled together."""
    base = load_scenario(BASELINE, {"ownership": "hybrid"})
    factor = customers / base.customers.count

    def scale(n: int) -> int:
        return max(1, int(round(n * factor))) if n else 0

    own = base.ownership
    return {
        "duration_days": days,
        "ownership": "hybrid",
        "customers": {"count": customers, "prospects": customers // 2},
        "company": {"departments": {name: {"staff": scale(d.staff)}
                                    for name, d in base.company.departments.items()}},
        "ownership_overrides": {
            "front_line": {d: scale(n) for d, n in own.front_line.items()},
            "resolver_staff": {d: scale(n) for d, n in own.resolver_staff.items()},
            "social_team": {"initial_members": scale(own.social_team.initial_members),
                            "max_size": scale(own.social_team.max_size)},
        },
    }


def scaling_point(customers: int, days: float) -> dict[str, object]:
    """One scaling measurement in this process (called in a fresh subprocess)."""
    overrides = scaled_overrides(customers, days)
    own = {"extends": overrides.pop("ownership"), **overrides.pop("ownership_overrides")}
    scenario = load_scenario(BASELINE, {**overrides, "ownership": own})
    started = time.perf_counter()
    model = SCRMModel(scenario, seed=1)
    built = time.perf_counter()
    model.run()
    done = time.perf_counter()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"customers": customers, "people": model.population.n, "days": days,
            "staff": len(model.staff_list), "posts": len(model.posts),
            "build_s": built - started, "run_s": done - built, "total_s": done - started,
            "peak_memory_mb": peak_kib / 1024}


def scaling(sizes: list[int], days: float) -> list[dict[str, object]]:
    """Each size in a fresh Python process, so that peak memory is its own."""
    points = []
    for customers in sizes:
        print(f"  scaling: {customers:,} customers, {days:g} days …", file=sys.stderr, flush=True)
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench", "--point", str(customers), "--days",
             str(days)], cwd=ROOT, capture_output=True, text=True, check=True)
        points.append(json.loads(output.stdout))
    return points


def experiment_throughput(replications: int = 4) -> dict[str, object]:
    """Runs per second of a baseline experiment on 1 and 2 workers, and how the cost of an
    experiment grows with customers and with replications (1 worker)."""
    import tempfile

    import yaml

    from scrm_sim.experiment.executors import LocalExecutor
    from scrm_sim.experiment.runner import run_experiment

    def timed(spec: dict[str, object], workers: int) -> tuple[float, int]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bench.yaml"
            path.write_text(yaml.safe_dump(spec), encoding="utf-8")
            started = time.perf_counter()
            out = run_experiment(path, out=Path(folder) / "out", executor=LocalExecutor(workers),
                                 progress=False)
            seconds = time.perf_counter() - started
            return seconds, int(json.loads((out / "manifest.json").read_text())["runs_done"])

    base = {"name": "bench", "scenario": str(BASELINE), "models": ["marketing_led", "hybrid"],
            "replications": replications, "seed": 1}
    throughput = {}
    for workers in (1, 2):
        seconds, runs = timed(base, workers)
        throughput[str(workers)] = {"runs": runs, "seconds": seconds,
                                    "runs_per_second": runs / seconds}
    by_customers = []
    for customers in (1_000, 10_000, 100_000):
        # the company grows with its customers: department head counts and social staffing
        scaled = scaled_overrides(customers, 30)
        spec = {**base, "replications": 2, "models": ["hybrid"],
                "overrides": {k: scaled[k] for k in ("duration_days", "customers", "company")},
                "factors": [{"path": "ownership.staffing_scale",
                             "values": [customers / 10_000]}]}
        seconds, runs = timed(spec, 1)
        by_customers.append({"customers": customers, "runs": runs, "seconds": seconds,
                             "seconds_per_run": seconds / runs if runs else float("nan")})
    by_replications = []
    for reps in (2, 4, 8):
        spec = {**base, "replications": reps, "models": ["hybrid"], "overrides": {
            "duration_days": 30, "customers": {"count": 2_000, "prospects": 1_000}}}
        seconds, runs = timed(spec, 1)
        by_replications.append({"replications": reps, "runs": runs, "seconds": seconds})
    return {"baseline_runs_per_second": throughput, "by_customers": by_customers,
            "by_replications": by_replications}


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    return {"date": datetime.now(UTC).date().isoformat(), "python": platform.python_version(),
            "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "scrm_sim": __version__}


def table(report: dict[str, object]) -> str:
    """The short table printed at the end and kept in the README."""
    b, e, f = report["baseline"], report["engines"], report["floor"]
    lines = [
        f"measured {report['machine']['date']} on {report['machine']['platform']}, "
        f"{report['machine']['cpus']} CPUs, Python {report['machine']['python']}",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| baseline replication ({b['people']:,} people, {b['staff']} staff, 90 days), median "
        f"| {b['median_total_s']:.2f} s | < {b['target_s']:g} s |",
        f"| vectorised vs per-agent engine, per customer-step | {e['speedup']:.0f}× faster "
        f"({e['vectorised']['us_per_customer_step']:.3f} vs {e['agents']['us_per_customer_step']:.2f} µs) "
        f"| ≥ {e['target_speedup']:g}× |",
        f"| vectorised run vs bare numpy demand + satisfaction loop | {f['ratio']:.1f}× the floor "
        f"({f['model_run_s']:.2f} vs {f['floor_s']:.2f} s) | ≤ {f['target_ratio']:g}× |",
    ]
    for point in report["scaling"]:
        lines.append(
            f"| {point['customers']:,} customers ({point['people']:,} people, {point['staff']:,} "
            f"staff), {point['days']:g} days | {point['total_s']:.1f} s, "
            f"{point['peak_memory_mb']:,.0f} MB peak, {point['posts']:,} posts | "
            + ("< 300 s, < 4,096 MB |" if point["customers"] >= 1_000_000 else "near-linear |"))
    x = report.get("experiments")
    if x:
        one, two = x["baseline_runs_per_second"]["1"], x["baseline_runs_per_second"]["2"]
        lines += [
            "",
            "| experiment throughput (baseline, 2 models × 4 replications) | runs per second |",
            "|---|---|",
            f"| 1 worker | {one['runs_per_second']:.2f} ({one['runs']} runs in {one['seconds']:.0f} s) |",
            f"| 2 workers | {two['runs_per_second']:.2f} ({two['runs']} runs in {two['seconds']:.0f} s) |",
            "",
            "| experiment cost (1 worker, 30 days) | seconds |",
            "|---|---|",
        ]
        lines += [f"| {p['customers']:,} customers, {p['runs']} runs | {p['seconds']:.1f} "
                  f"({p['seconds_per_run']:.2f} per run) |" for p in x["by_customers"]]
        lines += [f"| 2,000 customers, {p['replications']} replications ({p['runs']} runs) | "
                  f"{p['seconds']:.1f} |" for p in x["by_replications"]]
    return "\n".join(lines)


def main() -> None:
    """Run every benchmark, or one scaling point (``--point N``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--point", type=int, help="run one scaling point and print JSON")
    parser.add_argument("--days", type=float, default=90.0)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = parser.parse_args()
    if args.point:
        print(json.dumps(scaling_point(args.point, args.days)))
        return
    print("  baseline …", file=sys.stderr, flush=True)
    report: dict[str, object] = {"machine": machine(),
                                 "baseline": baseline_timing(args.replications)}
    print("  engines …", file=sys.stderr, flush=True)
    report["engines"] = engine_comparison(days=2.0)
    print("  numpy floor …", file=sys.stderr, flush=True)
    report["floor"] = floor_comparison()
    report["scaling"] = scaling([int(s) for s in args.sizes.split(",")], args.days)
    print("  experiment throughput …", file=sys.stderr, flush=True)
    report["experiments"] = experiment_throughput()
    report["table"] = table(report)
    args.out.mkdir(parents=True, exist_ok=True)
    staging = args.out / "bench.json.tmp"
    staging.write_text(json.dumps(report, indent=2), encoding="utf-8")
    os.replace(staging, args.out / "bench.json")
    print(report["table"])


if __name__ == "__main__":
    main()
