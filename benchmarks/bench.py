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
  experiment's cost grows with customers and with replications;
* mechanisms: CPU time of a baseline replication with the contested mechanisms of issue 16
  switched on (``scenarios/contested.yaml``) against the same replication without them,
  interleaved in one run (target: at most 1.3×);
* pairing: how much common random numbers narrow a comparison: the variance of the difference
  in share within the SLA (hybrid − service-led) between runs on different seeds over its
  variance between runs on the same seed (the variance-reduction factor; issue 17);
* process start: a fresh Python process that imports ``scrm_sim`` (and, separately, also
  runs a 7-day, 2,000-customer scenario), median of several, as a pool worker or an EMA
  Workbench model call pays it;
* view: one step of the browser view at its default step size (24 h) on the baseline, as
  the model's advance and the redraw of the figures and number tiles, at the figure sizes
  of 1366- and 1920-pixel windows; and, where chromium and the viz extra are installed,
  the same step end to end in a headless browser (click to the last figure shown).

``python -m benchmarks.bench --only view`` measures the view alone (about a minute);
``--only mechanisms`` the cost of the contested mechanisms alone (about three minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
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
CONTESTED = ROOT / "scenarios" / "contested.yaml"
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


def mechanisms_cost(replications: int) -> dict[str, object]:
    """CPU seconds of baseline replications with the contested mechanisms (issue 16) on and
    off, each pair run back to back on the same seed so that load on the machine hits both."""
    rows = []
    for ownership in CORE_MODELS:
        off = load_scenario(BASELINE, {"ownership": ownership})
        on = load_scenario(CONTESTED, {"ownership": ownership})
        for seed in range(replications):
            row: dict[str, object] = {"ownership": ownership, "seed": seed}
            for label, scenario in (("off", off), ("on", on)):
                started = time.process_time()
                SCRMModel(scenario, seed=seed).run()
                row[f"{label}_cpu_s"] = time.process_time() - started
            rows.append(row)
    off_total = sum(float(r["off_cpu_s"]) for r in rows)
    on_total = sum(float(r["on_cpu_s"]) for r in rows)
    return {"replications": rows, "off_cpu_s": off_total, "on_cpu_s": on_total,
            "ratio": on_total / off_total, "target_ratio": 1.3}


def mechanisms_table(cost: dict[str, object]) -> list[str]:
    """The contested mechanisms' CPU cost as table rows."""
    runs = len(cost["replications"])
    return [f"| contested mechanisms on (issue 16) vs off, CPU of {runs} baseline replications "
            f"| {cost['ratio']:.2f}× ({cost['on_cpu_s']:.1f} vs {cost['off_cpu_s']:.1f} s) "
            f"| ≤ {cost['target_ratio']:g}× |"]


START_SCRIPT = """
import time
started = time.perf_counter()
import scrm_sim
imported = time.perf_counter()
if {run}:
    from scrm_sim import SCRMModel, load_scenario
    scenario = load_scenario({path!r}, {{"duration_days": 7,
                                         "customers": {{"count": 2000, "prospects": 1000}}}})
    SCRMModel(scenario, seed=0).run()
print(imported - started, time.perf_counter() - started)
"""


PAIRED_MODELS = ("hybrid", "service_led")
PAIRED_METRICS = ("share_within_sla", "satisfaction_final", "churn_rate", "cost")


def pairing_variance(replications: int = 40, days: float = 30.0) -> dict[str, object]:
    """Variance-reduction factor of paired seeds, per headline metric: the variance of the
    difference on independent seeds, var(A) + var(B), over its variance on the same seed,
    var(A_i − B_i) (with 40 seeds a factor is known to within about ±45%, 90%)."""
    runs = {}
    for ownership in PAIRED_MODELS:
        scenario = load_scenario(BASELINE, {"ownership": ownership, "duration_days": days})
        runs[ownership] = [SCRMModel(scenario, seed=seed).run() for seed in range(replications)]
    factors = {}
    for metric in PAIRED_METRICS:
        a = np.array([r[metric] for r in runs[PAIRED_MODELS[0]]])
        b = np.array([r[metric] for r in runs[PAIRED_MODELS[1]]])
        paired = np.var(a - b, ddof=1)
        unpaired = np.var(a, ddof=1) + np.var(b, ddof=1)
        factors[metric] = float(unpaired / paired) if paired > 0 else float("inf")
    return {"models": list(PAIRED_MODELS), "replications": replications, "days": days,
            "variance_reduction": factors, "target": 4.0}


def pairing_table(pairing: dict[str, object]) -> list[str]:
    """The variance-reduction factors as table rows."""
    a, b = pairing["models"]
    return [f"| paired seeds: variance reduction of {a} − {b}, {metric} "
            f"({pairing['replications']} seeds, {pairing['days']:g} days) | {factor:.1f}× | "
            + (f"≥ {pairing['target']:g}× |" if metric == "share_within_sla" else "— |")
            for metric, factor in pairing["variance_reduction"].items()]


def process_start(repeats: int = 5) -> dict[str, object]:
    """Seconds a fresh process takes to import scrm_sim, and to import it and run a small
    scenario (7 days, 2,000 customers), medians of ``repeats`` processes each."""
    def measure(run: bool) -> list[float]:
        script = START_SCRIPT.format(run=run, path=str(BASELINE))
        times = []
        for _ in range(repeats):
            out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                 check=True, cwd=ROOT).stdout.split()
            times.append(float(out[1] if run else out[0]))
        return times

    imports, runs = measure(False), measure(True)
    return {"import_s": float(np.median(imports)), "import_and_run_s": float(np.median(runs)),
            "repeats": repeats, "target_s": 0.8}


def process_start_table(start: dict[str, object]) -> list[str]:
    """Process start as table rows."""
    return [f"| fresh process: import scrm_sim, median of {start['repeats']} | "
            f"{start['import_s']:.2f} s | — |",
            f"| fresh process: import and run 7 days of 2,000 customers | "
            f"{start['import_and_run_s']:.2f} s | ≤ {start['target_s']:g} s |"]


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


def true_floor(people: int, steps: int, posts: int, seed: int = 0) -> float:
    """The least work the baseline needs (issue 17): each hour one pass over the customers
    (a uniform draw, the post test, the posters' indices, the satisfaction drift and its
    mean), with the run's number of posts spread over the hours."""
    rng = np.random.default_rng(seed)
    chance = posts / steps / people
    satisfaction = rng.beta(14, 6, people)
    started = time.perf_counter()
    for _ in range(steps):
        posters = np.flatnonzero(rng.random(people) < chance)
        satisfaction[posters] -= 0.01
        satisfaction += 0.01 / 24 * (0.7 - satisfaction)
        satisfaction.mean()
    return time.perf_counter() - started


def floor_comparison() -> dict[str, object]:
    """The vectorised baseline run against two floors for the same population: a bare numpy
    loop drawing per-customer Poisson posts, and the true floor (:func:`true_floor`)."""
    scenario = load_scenario(BASELINE)
    people = scenario.customers.count + scenario.customers.prospects
    model = SCRMModel(scenario, seed=0)
    started = time.perf_counter()
    model.run()
    model_s, steps = time.perf_counter() - started, model.hour
    floor_s = numpy_floor(people, steps)
    true_s = true_floor(people, steps, len(model.posts))
    return {"people": people, "steps": steps, "model_run_s": model_s, "floor_s": floor_s,
            "ratio": model_s / floor_s, "target_ratio": 3.0, "true_floor_s": true_s,
            "true_ratio": model_s / true_s, "true_target_ratio": 3.0}


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


def timed_experiment(spec: dict[str, object], workers: int) -> tuple[float, int]:
    """Seconds an experiment written from ``spec`` takes on ``workers`` local workers, and
    the runs it did."""
    import tempfile

    import yaml

    from scrm_sim.experiment.executors import LocalExecutor
    from scrm_sim.experiment.runner import run_experiment

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        started = time.perf_counter()
        out = run_experiment(path, out=Path(folder) / "out", executor=LocalExecutor(workers),
                             progress=False)
        seconds = time.perf_counter() - started
        return seconds, int(json.loads((out / "manifest.json").read_text())["runs_done"])


def experiment_throughput(replications: int = 4) -> dict[str, object]:
    """Runs per second of a baseline experiment on 1 and 2 workers, and how the cost of an
    experiment grows with customers and with replications (1 worker)."""
    timed = timed_experiment
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


def warm_throughput(replications: int = 8, days: float = 30.0, workers: int = 2
                    ) -> dict[str, object]:
    """Runs per second of the baseline at ``days`` days over the four core models on
    ``workers`` workers, start-up excluded (issue 17): a small experiment first starts the
    pool's fork server, which imports the model once; the timed one then forks warm workers."""
    base = {"name": "bench", "scenario": str(BASELINE), "models": list(CORE_MODELS),
            "overrides": {"duration_days": days}, "seed": 1}
    timed_experiment({**base, "replications": 1, "overrides": {"duration_days": 1}},
                     workers)  # start-up
    seconds, runs = timed_experiment({**base, "replications": replications}, workers)
    return {"runs": runs, "seconds": seconds, "runs_per_second": runs / seconds,
            "days": days, "workers": workers, "target_runs_per_second": 10.0}


# The figures issue 17 measured before its work (idle 2-core machine, Python 3.13), quoted so
# that the table shows them beside today's; they are not recomputed.
ISSUE_17_BEFORE = {
    "replication": "1.4 s; run ≈ 10× the floor",
    "million": "308 s (build 29 s, run 279 s), 2.3 GB; per customer 1.9× the cost at 10⁵",
    "throughput": "3.2 runs/s",
    "start": "import alone 1.2 s",
    "pairing": "≈ 1",
}


def targets_table(report: dict[str, object]) -> list[str]:
    """Issue 17's table: each target with the issue's figure before and today's."""
    b, f, x = report["baseline"], report["floor"], report["throughput"]
    start, pairing = report["process_start"], report["pairing"]
    rows = report["scaling"]
    build = float(np.median([r["build_s"] for r in b["replications"]]))
    run = float(np.median([r["run_s"] for r in b["replications"]]))
    lines = ["", "| issue 17 measure | before (issue 17) | now | target |", "|---|---|---|---|",
             f"| baseline replication ({b['people']:,} people, {b['staff']} staff, 90 days), "
             f"build + run | {ISSUE_17_BEFORE['replication']} | {b['median_total_s']:.2f} s "
             f"(build {build:.2f} s, run {run:.2f} s); run {f['true_ratio']:.1f}× the true floor "
             f"| ≤ 0.4 s; run ≤ 3× the floor |"]
    million = next((r for r in rows if r["customers"] == 1_000_000), None)
    tenth = next((r for r in rows if r["customers"] == 100_000), None)
    if million is not None:
        growth = ((million["total_s"] / million["customers"]) / (tenth["total_s"] / tenth["customers"])
                  if tenth else float("nan"))
        lines.append(
            f"| 10⁶ customers × {million['days']:g} days | {ISSUE_17_BEFORE['million']} | "
            f"{million['total_s']:.0f} s (build {million['build_s']:.0f} s, run "
            f"{million['run_s']:.0f} s), {million['peak_memory_mb'] / 1024:.1f} GB; per customer "
            f"{growth:.1f}× the cost at 10⁵ | ≤ 30 s, ≤ 2 GB, linear from 10⁵ |")
    lines += [
        f"| experiment throughput, baseline at {x['days']:g} days, {x['workers']} workers, "
        f"start-up excluded | {ISSUE_17_BEFORE['throughput']} | {x['runs_per_second']:.1f} runs/s "
        f"({x['runs']} runs in {x['seconds']:.1f} s) | ≥ {x['target_runs_per_second']:g} runs/s |",
        f"| whole process: import scrm_sim and run 7 days of 2,000 customers | "
        f"{ISSUE_17_BEFORE['start']} | import {start['import_s']:.2f} s, with the run "
        f"{start['import_and_run_s']:.2f} s | ≤ {start['target_s']:g} s |",
        f"| variance reduction of the paired difference in share within the SLA "
        f"({' vs '.join(pairing['models'])}) | {ISSUE_17_BEFORE['pairing']} | "
        f"{pairing['variance_reduction']['share_within_sla']:.1f}× | ≥ {pairing['target']:g}× |",
    ]
    return lines


def targets(args: argparse.Namespace) -> dict[str, object]:
    """Everything issue 17's table needs (about ten minutes: the 10⁶ run is most of it)."""
    return {"baseline": baseline_timing(args.replications), "floor": floor_comparison(),
            "scaling": scaling([100_000, 1_000_000], args.days),
            "throughput": warm_throughput(), "process_start": process_start(),
            "pairing": pairing_variance()}


VIEW_WIDTHS = (1366, 1920)
VIEW_TARGET_S = 0.3


def view_step_timing(width: int, steps: int = 15) -> dict[str, object]:
    """The view's steps at its default step size on the baseline, in this process: the
    models' advance and the redraw (every figure to PNG, and the number tiles), as the page
    does them, at the figure sizes of a ``width``-pixel browser window."""
    from scrm_sim.view.figures import FIGURES, figure_sizes
    from scrm_sim.view.session import FIRST_STEP_HOURS, SideBySide
    from scrm_sim.view.tiles import tiles

    started = time.perf_counter()
    view = SideBySide(source=str(BASELINE))
    built = time.perf_counter()
    figures = {key: make(view, *size) for (key, make), size in
               zip(FIGURES.items(), figure_sizes(width).values(), strict=True)}
    for figure in figures.values():
        figure.render()
    tiles(view)
    first = time.perf_counter()
    rows = []
    for _ in range(steps):
        t0 = time.perf_counter()
        view.advance(FIRST_STEP_HOURS)
        t1 = time.perf_counter()
        for figure in figures.values():
            figure.render()
        tiles(view)
        t2 = time.perf_counter()
        rows.append({"hour": view.hour, "model_s": t1 - t0, "redraw_s": t2 - t1,
                     "step_s": t2 - t0})

    def median(key: str) -> float:
        return float(np.median([r[key] for r in rows]))

    return {"width": width, "hours_per_step": FIRST_STEP_HOURS, "models": view.names,
            "people": view.scenario.customers.count + view.scenario.customers.prospects,
            "build_s": built - started, "first_render_s": first - built, "steps": rows,
            "median_model_s": median("model_s"), "median_redraw_s": median("redraw_s"),
            "median_step_s": median("step_s"),
            "max_step_s": float(max(r["step_s"] for r in rows)),
            "full_redraws": {key: f.full_draws for key, f in figures.items()},
            "target_s": VIEW_TARGET_S}


# Clicks Step and resolves with the milliseconds until the page showed the new hour, and
# until the last of the figures that changed had been replaced and decoded (a figure whose
# pixels did not change is not sent again), waiting for a quiet spell to know it was last.
STEP_IN_BROWSER = """async (hour) => {
    let last = 0;
    const seen = () => { last = performance.now(); };
    const observer = new MutationObserver(seen);
    observer.observe(document.body, {subtree: true, attributes: true, attributeFilter: ["src"]});
    document.addEventListener("load", seen, true);
    const button = Array.from(document.querySelectorAll("button"))
        .find(b => b.textContent.trim().startsWith("Step"));
    const started = performance.now();
    button.click();
    const shown = await new Promise(done => {
        const check = () => {
            const status = document.querySelector(".scrm-status");
            status && status.textContent.includes(`(hour ${hour})`)
                ? done(performance.now()) : setTimeout(check, 2);
        };
        check();
    });
    await new Promise(done => {
        const quiet = () => performance.now() - Math.max(last, shown) > 500
            && Array.from(document.images).every(i => i.complete)
            ? done() : setTimeout(quiet, 10);
        quiet();
    });
    observer.disconnect();
    document.removeEventListener("load", seen, true);
    return [shown - started, Math.max(last, shown) - started];
}"""


def view_browser_timing(steps: int = 12, viewport: tuple[int, int] = (1366, 768)
                        ) -> dict[str, object]:
    """The view's step end to end in headless chromium on the baseline: from the click on
    Step to the last figure shown (server and browser on this machine)."""
    import importlib.util

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = [m for m in ("solara", "playwright") if importlib.util.find_spec(m) is None]
    if chromium is None or missing:
        return {"skipped": "needs chromium and the viz extra"}
    from playwright.sync_api import sync_playwright

    from scrm_sim.view.server import serving
    from scrm_sim.view.session import FIRST_STEP_HOURS

    with serving(BASELINE) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.set_default_timeout(120_000)
        started = time.perf_counter()
        page.goto(url)
        page.locator(".scrm-status", has_text="(hour 0)").wait_for()
        page.wait_for_function("document.images.length >= 4 && "
                               "Array.from(document.images).every(i => i.complete)")
        first = time.perf_counter() - started
        waits = [page.evaluate(STEP_IN_BROWSER, FIRST_STEP_HOURS * (k + 1))
                 for k in range(steps)]
        browser.close()
    clock = [shown / 1000 for shown, _ in waits]
    times = [last / 1000 for _, last in waits]
    return {"viewport": list(viewport), "first_render_s": first, "steps_s": times,
            "clock_shown_s": clock, "median_clock_shown_s": float(np.median(clock)),
            "median_step_s": float(np.median(times)), "max_step_s": float(max(times)),
            "target_s": VIEW_TARGET_S}


def view_timing(browser: bool = True) -> dict[str, object]:
    """The view's step + redraw at both window sizes, and end to end in a browser."""
    report: dict[str, object] = {str(w): view_step_timing(w) for w in VIEW_WIDTHS}
    if browser:
        report["browser"] = view_browser_timing()
    return report


def view_table(view: dict[str, object]) -> list[str]:
    """The view's rows of the printed table."""
    lines = ["", "| view step at 24 h per step, baseline (2 models) | median | target |",
             "|---|---|---|"]
    for width in VIEW_WIDTHS:
        v = view[str(width)]
        lines.append(
            f"| step + redraw, figures for a {width}-pixel window | {v['median_step_s']:.3f} s "
            f"(model {v['median_model_s']:.3f} s + redraw {v['median_redraw_s']:.3f} s; "
            f"max {v['max_step_s']:.3f} s) | ≤ {v['target_s']:g} s |")
    b = view.get("browser") or {}
    if "median_step_s" in b:
        lines.append(f"| step in headless chromium, click to last figure shown "
                     f"({b['viewport'][0]}×{b['viewport'][1]}) | {b['median_step_s']:.3f} s "
                     f"(max {b['max_step_s']:.3f} s; first page {b['first_render_s']:.1f} s) "
                     f"| ≤ {b['target_s']:g} s |")
    elif b:
        lines.append(f"| step in a browser | {b['skipped']} | |")
    return lines


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
        f"| vectorised run vs the true floor (one pass over the customers an hour) | "
        f"{f['true_ratio']:.1f}× the floor ({f['model_run_s']:.2f} vs {f['true_floor_s']:.2f} s) "
        f"| ≤ {f['true_target_ratio']:g}× |",
    ]
    if report.get("mechanisms"):
        lines += mechanisms_table(report["mechanisms"])
    if report.get("process_start"):
        lines += process_start_table(report["process_start"])
    if report.get("pairing"):
        lines += pairing_table(report["pairing"])
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
    if report.get("view"):
        lines += view_table(report["view"])
    if report.get("throughput"):
        lines += targets_table(report)
    return "\n".join(lines)


def floor_rows(floor: dict[str, object]) -> list[str]:
    """The run against both floors, in one line."""
    return [f"model run {floor['model_run_s']:.2f} s; Poisson floor {floor['floor_s']:.2f} s "
            f"({floor['ratio']:.1f}×); true floor {floor['true_floor_s']:.2f} s "
            f"({floor['true_ratio']:.1f}×)"]


def measure_alone(part: str, args: argparse.Namespace) -> None:
    """``--only PART``: measure one part, write ``PART.json`` and print its rows."""
    parts = {  # key in the report, how to measure, how to show
        "view": (lambda: view_timing(browser=not args.no_browser),
                 lambda view: view_table(view)[1:]),
        "mechanisms": (lambda: mechanisms_cost(args.replications), mechanisms_table),
        "start": (process_start, process_start_table),
        "floor": (floor_comparison, floor_rows),
        "pairing": (pairing_variance, pairing_table),
        "throughput": (warm_throughput, lambda x: [
            f"{x['runs_per_second']:.1f} runs/s ({x['runs']} runs in {x['seconds']:.1f} s)"]),
        "targets": (lambda: targets(args), targets_table),
    }
    measure, rows = parts[part]
    print(f"  {part} …", file=sys.stderr, flush=True)
    result = measure()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{part}.json").write_text(json.dumps({"machine": machine(), part: result},
                                                      indent=2), encoding="utf-8")
    print("\n".join(rows(result)))


def main() -> None:
    """Run every benchmark, or one scaling point (``--point N``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--point", type=int, help="run one scaling point and print JSON")
    parser.add_argument("--days", type=float, default=90.0)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--replications", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    parser.add_argument("--only",
                        choices=["view", "mechanisms", "start", "floor", "pairing",
                                 "throughput", "targets"],
                        help="measure one part alone (view: the browser view's step + redraw; "
                        "mechanisms: the CPU cost of issue 16's contested mechanisms; start: a "
                        "fresh process's import and a small run; floor: the run against "
                        "its floors; pairing: the variance reduction of paired seeds; throughput: "
                        "warm experiment runs per second; targets: issue 17's table)")
    parser.add_argument("--no-browser", action="store_true",
                        help="view: skip the end-to-end measurement in headless chromium")
    args = parser.parse_args()
    if args.point:
        print(json.dumps(scaling_point(args.point, args.days)))
        return
    if args.only:
        measure_alone(args.only, args)
        return
    print("  baseline …", file=sys.stderr, flush=True)
    report: dict[str, object] = {"machine": machine(),
                                 "baseline": baseline_timing(args.replications)}
    print("  contested mechanisms …", file=sys.stderr, flush=True)
    report["mechanisms"] = mechanisms_cost(args.replications)
    print("  pairing …", file=sys.stderr, flush=True)
    report["pairing"] = pairing_variance()
    print("  process start …", file=sys.stderr, flush=True)
    report["process_start"] = process_start()
    print("  engines …", file=sys.stderr, flush=True)
    report["engines"] = engine_comparison(days=2.0)
    print("  numpy floor …", file=sys.stderr, flush=True)
    report["floor"] = floor_comparison()
    report["scaling"] = scaling([int(s) for s in args.sizes.split(",")], args.days)
    print("  experiment throughput …", file=sys.stderr, flush=True)
    report["experiments"] = experiment_throughput()
    print("  warm throughput …", file=sys.stderr, flush=True)
    report["throughput"] = warm_throughput()
    print("  view …", file=sys.stderr, flush=True)
    report["view"] = view_timing(browser=not args.no_browser)
    report["table"] = table(report)
    args.out.mkdir(parents=True, exist_ok=True)
    staging = args.out / "bench.json.tmp"
    staging.write_text(json.dumps(report, indent=2), encoding="utf-8")
    os.replace(staging, args.out / "bench.json")
    print(report["table"])


if __name__ == "__main__":
    main()
