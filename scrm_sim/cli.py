"""Command line: ``scrm-sim run | compare | decompose | validate | explain | schema | ...``.

A user's mistake (a bad file, an unknown model, a bad option, damaged results, an
output folder that cannot be written or holds another job's results) prints one clear
message and exits with status 2, before anything is written. Anything else is a bug in
scrm_sim: its traceback is shown, with a line saying so, and the status is 1.

What is worth knowing but not wrong (an event after the end of the run) is a warning on
stderr, printed whatever ``--quiet`` says; ``--quiet`` hides progress and chatter only,
never the results table a command prints on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from scrm_sim.errors import OutputError, Problem, ResultsError, ScenarioError
from scrm_sim.paths import check_writable, claim_folder, printable, replacing, safe_name

if typing.TYPE_CHECKING:
    from scrm_sim.scenario import Scenario

EXIT_USER_ERROR = 2
EXIT_BUG = 1
BUG_NOTE = ("this is a bug in scrm_sim, not a mistake in your input: please report it to the "
            "project's maintainers (its issue tracker), with the command and the traceback above")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scrm-sim`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except ScenarioError as exc:  # the input's, the results' or --out's problem, by field
        print(printable(exc.report()), file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # stdout closed by its reader (`scrm-sim explain | head`): done
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that Python's exit flush does not fail too
        return 0
    except OSError as exc:
        if exc.filename is None:  # not about a path the user gave: treat it as a bug below
            return _bug()
        # a path the user named (or one inside it) that cannot be read or written
        print(printable(f"error: cannot use {exc.filename}: {exc.strerror or exc}"),
              file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted; nothing further was written", file=sys.stderr)
        return 130
    except Exception:
        return _bug()


def _bug() -> int:
    """Show the traceback of the exception being handled, say it is a bug, exit 1."""
    traceback.print_exc()
    print(f"error: {BUG_NOTE}", file=sys.stderr)
    return EXIT_BUG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scrm-sim",
        description="Simulate who should own Social CRM: run scenarios and compare ownership models.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one scenario once")
    run.add_argument("scenario", help="scenario YAML file or bundled name (e.g. baseline)")
    run.add_argument("--seed", type=_seed, help="override the scenario's seed")
    run.add_argument("--ownership", help="override the scenario's ownership model")
    run.add_argument("--days", type=_days, help="simulate this many days (overrides the "
                     "scenario's duration_days)")
    run.add_argument("--out", type=Path, help="output folder (default results/<name>)")
    run.add_argument("--force", action="store_true", help="replace an --out folder that "
                     "holds other results (as a whole, only once this run has finished)")
    run.add_argument("--quiet", action="store_true", help="no progress output (the results "
                     "table is still printed)")
    run.set_defaults(handler=_run)

    compare = sub.add_parser("compare", help="compare ownership models on paired replications")
    compare.add_argument("scenario", help="scenario YAML file or bundled name")
    compare.add_argument("--models", default="marketing_led,service_led,ceo_led,hybrid",
                         help="comma-separated ownership models (default: the core four)")
    compare.add_argument("--reps", type=_positive_int, help="replications per model (default 5)")
    compare.add_argument("--seed", type=_seed, help="master seed of the replications")
    compare.add_argument("--workers", type=_positive_int, help="parallel processes (default: cores)")
    compare.add_argument("--days", type=_days, help="simulate this many days (overrides the "
                         "scenario's duration_days)")
    compare.add_argument("--out", type=Path, help="output folder (default results/<name>-compare)")
    compare.add_argument("--equal-budget", type=_positive_float, metavar="FTE",
                         help="staff every model at this many FTE, keeping its structure "
                         "(sets staffing_budget_fte; default: each model's own staffing)")
    compare.add_argument("--force", action="store_true", help="replace an --out folder that "
                         "holds other results, or start this comparison afresh (as a whole, "
                         "only once it has finished)")
    compare.add_argument("--quiet", action="store_true", help="no progress output (the "
                         "results table is still printed)")
    compare.add_argument("--report", action="store_true",
                         help="also write the HTML report (report.html) into the output folder")
    compare.add_argument("--decompose", action="store_true",
                         help="then decompose the gap between the two best models (by "
                         "answered within the SLA) into parameter groups, in OUT/decomposition/ "
                         "(3 replications, at most about 100 runs); the report shows it")
    compare.add_argument("--posterior", type=Path, metavar="DIR",
                         help="compare over draws from the posterior folder of scrm-sim "
                         "calibrate: draw i is one plausible version of the client (its "
                         "parameter values) on one seed, shared by every model; writes "
                         "posterior_comparison.csv (how often each model beats each other)")
    compare.add_argument("--draws", type=_positive_int,
                         help="with --posterior: posterior draws, resampled by weight from "
                         "--seed (default 40)")
    compare.add_argument("--reps-per-draw", type=_positive_int,
                         help="with --posterior: replications (seeds) per draw (default 1)")
    compare.set_defaults(handler=_compare)

    decompose = sub.add_parser(
        "decompose", help="attribute the paired difference between two ownership models to "
        "groups of their parameters (Shapley values)",
        description="Attribute the paired difference B - A on each metric to named groups of "
        "ownership parameters (opening hours, acknowledgement, approval, listening, ...). "
        "Contributions are Shapley values: a coalition of groups takes those groups from B and "
        "the rest from A, every coalition of a replication runs on the same seed, and the "
        "contributions add up exactly to that seed's difference B - A; groups that A and B "
        "set alike contribute exactly 0. Exact over all 2^k coalitions for up to 6 differing "
        "groups, else averaged over sampled orders in antithetic pairs (sums still exact). "
        "Mean and 95%% t interval over replications. Writes decomposition.csv, "
        "decomposition_replications.csv, decomposition.png (a waterfall per metric) and "
        "manifest.json. See docs/ODD.md, section 8.1.")
    decompose.add_argument("scenario", help="scenario YAML file or bundled name")
    decompose.add_argument("a", metavar="A", help="ownership model the difference starts from")
    decompose.add_argument("b", metavar="B", help="ownership model it goes to")
    decompose.add_argument("--metrics", default="share_within_sla,satisfaction_final,"
                           "churn_rate,cost", help="comma-separated summary metrics "
                           "(default: share_within_sla,satisfaction_final,churn_rate,cost)")
    decompose.add_argument("--reps", type=_at_least_two, default=5,
                           help="paired replications, at least 2 for an interval (default 5)")
    decompose.add_argument("--permutations", type=_positive_int,
                           help="sampled orders per replication when more than 6 groups differ "
                           "(rounded up to even; default 8)")
    decompose.add_argument("--seed", type=_seed, help="master seed of the replications")
    decompose.add_argument("--workers", type=_positive_int,
                           help="parallel processes (default: cores)")
    decompose.add_argument("--out", type=Path,
                           help="output folder (default results/<name>-decompose-A-vs-B); "
                           "RESULTS/decomposition of a compare folder adds it to that report")
    decompose.add_argument("--quiet", action="store_true", help="no progress output")
    decompose.set_defaults(handler=_decompose)

    observe = sub.add_parser(
        "observe", help="read a client's export of social posts (CSV) into the observed figures "
        "(observed.yaml) a calibration fits to",
        description="Read a client's export of social posts (CSV: one row per post, with when "
        "it was posted, its type, when the company first responded and whether it was resolved) "
        "and write the observed figures: posts per type per day, hour-of-day and weekday "
        "profiles, share answered, first-response median and 90th percentile, share answered "
        "within the SLA, share resolved, and the survey figures of the settings. Column names, "
        "the client's labels, the timestamp format, time zone and period are set in --config "
        "(see examples/client/export.yaml). A row with a problem (unparseable timestamp, "
        "unknown post type, missing value, response before the post, outside the period, "
        "unreadable resolved flag) is an error naming its row (as a spreadsheet numbers it) and "
        "column, unless --max-bad-share lets such rows be left out; they are then counted in "
        "observed.yaml by reason.")
    observe.add_argument("export", type=Path, help="the client's export of posts (CSV, UTF-8)")
    observe.add_argument("--config", type=Path, metavar="SETTINGS",
                         help="export settings YAML: columns, types, resolved_labels, "
                         "timestamp_format, timezone, delimiter, period, sla_hours, survey "
                         "(default: every default)")
    observe.add_argument("--out", type=Path, help="observed figures file (default "
                         "results/<export name>-observed.yaml)")
    observe.add_argument("--sla-hours", type=_positive_float, metavar="HOURS",
                         help="the client's reply target (overrides sla_hours of the settings; "
                         "default 1)")
    observe.add_argument("--max-bad-share", type=float, default=0.0, metavar="SHARE",
                         help="leave out rows with a problem, up to this share of the rows "
                         "(e.g. 0.01 = 1%%), counting them in observed.yaml; default 0: any "
                         "bad row is an error")
    observe.add_argument("--force", action="store_true", help="replace an --out file that is "
                         "not the observed figures of this export")
    observe.add_argument("--quiet", action="store_true", help="no 'wrote' line (the summary is "
                         "still printed)")
    observe.set_defaults(handler=_observe)

    models = sub.add_parser("models", help="list every ownership model with its position and source")
    models.add_argument("--names", action="store_true", help="names only, one per line")
    models.set_defaults(handler=_models)

    view = sub.add_parser("view", help="interactive browser view (needs the viz extra)")
    view.add_argument("scenario", nargs="?", default="baseline",
                      help="scenario YAML file or bundled name (default: baseline)")
    view.add_argument("--port", type=_positive_int, default=8765, help="port (default 8765)")
    view.add_argument("--host", default="127.0.0.1", help="address to listen on (default: local)")
    view.set_defaults(handler=_view)

    validate = sub.add_parser(
        "validate", help="check a scenario and print it fully resolved, each value with its "
        "unit and meaning", description="Check a scenario and print it fully resolved "
        "(extends, presets and defaults applied) as YAML, each value with a comment: its "
        "unit, what it means, and the default where it differs. The output loads as the same "
        "scenario. Warns about events after the end of the run.")
    validate.add_argument("scenario", help="scenario YAML file or bundled name")
    validate.set_defaults(handler=_validate)

    explain = sub.add_parser(
        "explain", help="what a scenario field means: description, unit, default, allowed "
        "values, and the value a scenario gives it",
        description="Explain scenario fields: each one's description, unit, default and "
        "allowed values, from the schema; with --scenario, also the value that scenario "
        "resolves to and where it was set. FIELD is a dotted path as written in YAML "
        "(demand.annual_growth, ownership.listening.coverage, company.departments.service."
        "staff); a block (demand, ownership.handoff) lists every field under it.")
    explain.add_argument("field", nargs="?", default="", metavar="FIELD",
                         help="dotted path of a field or block (default: every field)")
    explain.add_argument("--scenario", help="scenario YAML file or bundled name whose values "
                         "to show")
    explain.set_defaults(handler=_explain)

    schema = sub.add_parser(
        "schema", help="write the JSON Schemas of scenario, ownership, experiment and "
        "robustness files, for editor completion and checks",
        description="Write the JSON Schemas of scenario, ownership model, experiment and "
        "shared robustness files (from the pydantic schema). An editor with the YAML "
        "language server completes keys, shows descriptions and units, and marks mistakes "
        "as you type: put `# yaml-language-server: $schema=schemas/scenario.schema.json` "
        "(a path relative to the YAML file) on a file's first line, or map files to schemas "
        "in the editor's settings (VS Code: yaml.schemas).")
    schema.add_argument("--out", type=_folder_path, default=Path("schemas"),
                        help="folder to write them into (default: schemas)")
    schema.set_defaults(handler=_schema)

    model_check = sub.add_parser(
        "validate-model", help="check the model against analytic results (Erlang C, Little's "
        "law, percolation, Bass, hand-offs) and metamorphic properties of the ownership "
        "presets; prints expected vs measured; exits 1 when the family-wise verdict (Holm "
        "at 1%%) fails")
    model_check.add_argument("--full", action="store_true",
                             help="more cases and replications (several minutes)")
    model_check.add_argument("--out", type=Path, help="also write the table (CSV) to this folder")
    model_check.add_argument("--quiet", action="store_true", help="no progress output")
    model_check.set_defaults(handler=_validate_model)

    experiment = sub.add_parser("experiment", help="run (or resume) a designed experiment")
    experiment.add_argument("file", help="experiment YAML (see experiments/)")
    experiment.add_argument("--workers", type=_positive_int, help="parallel workers (default: cores)")
    experiment.add_argument("--executor", choices=["local", "dask"], default="local",
                            help="local process pool, or a Dask cluster")
    experiment.add_argument("--scheduler", help="address of a running Dask scheduler "
                            "(with --executor dask; default: start a local cluster)")
    experiment.add_argument("--out", type=Path, help="results folder (default results/<name>)")
    experiment.add_argument("--quiet", action="store_true", help="no progress output")
    experiment.add_argument("--analyse", action="store_true",
                            help="then write the figure and table of `scrm-sim analyse`")
    experiment.add_argument("--robustness", nargs="?", const="quick", choices=["quick", "full"],
                            help="instead, run the claim in its plausible worlds and the neutral "
                            "comparison (the robustness: block; default results/<name>/"
                            "robustness, or robustness-full)")
    experiment.set_defaults(handler=_experiment)

    analyse = sub.add_parser("analyse", help="main effects of an experiment's factors, "
                             "Sobol or Morris sensitivity indices, or (for a robustness "
                             "folder) how robust its claim is")
    analyse.add_argument("results", type=Path, help="results folder of the experiment, or its "
                         "robustness folder")
    analyse.set_defaults(handler=_analyse)

    calibrate = sub.add_parser(
        "calibrate", help="fit scenario fields to a client's observed figures (ABC-SMC); "
        "resumable", description="Fit the scenario fields named in the params file to the "
        "client's observed figures by ABC-SMC (pyabc): adaptive distance of the statistics "
        "scaled by their spread, thresholds at the median distance. Writes into OUT: "
        "posterior.parquet, posterior_summary.csv, calibrated.yaml (the scenario at the "
        "posterior medians), posterior_marginals.png, predictive_check.csv/.png, "
        "manifest.json and abc.db. Rerunning the same command continues a stopped or "
        "interrupted calibration from abc.db.")
    calibrate.add_argument("scenario", help="the client's scenario YAML (or a bundled name)")
    calibrate.add_argument("--observed", required=True, type=Path,
                           help="observed figures (observed.yaml, from scrm-sim observe)")
    calibrate.add_argument("--params", required=True, type=Path,
                           help="params file: the fields to fit, their priors, ABC settings")
    calibrate.add_argument("--out", type=Path,
                           help="output folder (default results/<name>-calibration)")
    calibrate.add_argument("--workers", type=_positive_int,
                           help="parallel processes (default: cores; 1 is reproducible)")
    calibrate.add_argument("--executor", choices=["local", "dask"], default="local",
                           help="local processes, or a Dask cluster")
    calibrate.add_argument("--scheduler", help="address of a running Dask scheduler "
                           "(with --executor dask; default: start a local cluster)")
    calibrate.add_argument("--seed", type=_seed, help="master seed (overrides abc.seed)")
    calibrate.add_argument("--force", action="store_true", help="start afresh in an --out "
                           "folder that holds another calibration or other results "
                           "(deleting them)")
    calibrate.add_argument("--quiet", action="store_true", help="no progress output (the "
                           "posterior summary is still printed)")
    calibrate.set_defaults(handler=_calibrate)

    report = sub.add_parser("report", help="self-contained HTML report of a results folder")
    report.add_argument("results", type=Path, help="results folder of compare or experiment")
    report.add_argument("--out", type=Path, help="report file (default RESULTS/report.html)")
    report.set_defaults(handler=_report)
    return parser


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _at_least_two(text: str) -> int:
    value = _non_negative_int(text)
    if value < 2:  # one replication has no spread: its 95% interval would have no width
        raise argparse.ArgumentTypeError(f"must be at least 2 (a 95% interval needs two "
                                         f"replications), got {text}")
    return value


def _days(text: str) -> float:
    from scrm_sim.scenario.schema import Scenario

    limit = Scenario.model_json_schema()["properties"]["duration_days"]["maximum"]
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of days, got {text!r}") from None
    if not 1 / 24 <= value <= limit:  # NaN fails too; a step is one hour
        raise argparse.ArgumentTypeError(f"must be a number of days from 1/24 (one hour, one "
                                         f"step) to {limit:g}, got {text}")
    return value


def _folder_path(text: str) -> Path:
    """A folder given as an option: an empty text is a mistake, not the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give a folder, e.g. schemas")
    return Path(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value


def _seed(text: str) -> int:
    from scrm_sim.scenario.limits import MAX_SEED

    value = _non_negative_int(text)
    if value > MAX_SEED:  # seeds are stored in 64-bit result columns
        raise argparse.ArgumentTypeError(f"must be at most 2**63 - 1, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def _models(args: argparse.Namespace) -> int:
    from scrm_sim.scenario import available_models, load_scenario
    from scrm_sim.scenario.staffing import staffing_plan

    models = available_models()
    if args.names:
        print("\n".join(m.name for m in models))
        return 0
    width = max(len(m.name) for m in models)
    baseline = load_scenario("baseline")  # FTE depends on the company's shifts
    for m in models:
        stages = f" ({len(m.stages) + 1} stages)" if m.stages else ""
        print(f"{m.name:<{width}}  {m.position or m.description}{stages}")
        plan = staffing_plan(baseline.model_copy(update={"ownership": m}))
        print(f"{'':<{width}}  staffing: {plan['fte_budgeted']:.1f} FTE (roles "
              f"{plan['roles_fte']:.1f}, team up to {plan['team_fte_limit']:.1f}; "
              f"baseline company{', first stage' if m.stages else ''})")
        if m.source:
            print(f"{'':<{width}}  source: {m.source}")
    return 0


def _view(args: argparse.Namespace) -> int:
    import importlib.util
    import os
    import subprocess

    from scrm_sim.scenario import load_scenario
    from scrm_sim.view.session import SCENARIO_ENV

    load_scenario(args.scenario)  # a bad scenario is the usual clear error, before any server
    if importlib.util.find_spec("solara") is None:
        print("error: the view needs the viz extra: pip install -e '.[viz]' "
              "(or: make view)", file=sys.stderr)
        return EXIT_USER_ERROR
    source = Path(args.scenario)
    env = {**os.environ,
           SCENARIO_ENV: str(source.resolve()) if source.is_file() else args.scenario}
    app = Path(__file__).resolve().parent / "view" / "app.py"
    print(f"scrm-sim view: http://{args.host}:{args.port} (Ctrl-C stops it)", file=sys.stderr)
    command = [sys.executable, "-m", "solara", "run", str(app), "--production", "--no-open",
               "--host", args.host, "--port", str(args.port)]
    return subprocess.call(command, env=env)


def _validate(args: argparse.Namespace) -> int:
    # Comments beside each value, rather than a flag: the resolved YAML is read by people
    # (its 230 values are what the scenario means), and comments keep it loadable YAML, so
    # a script that reads it, or a diff of two scenarios, works the same.
    from scrm_sim.scenario import load_scenario
    from scrm_sim.scenario.explain import commented_yaml

    scenario = load_scenario(args.scenario)
    _warn_events(args.scenario, {scenario.ownership.name: scenario})
    print(printable(commented_yaml(scenario)), end="")
    print(printable(f"# valid: {scenario.name} with ownership model {scenario.ownership.name}"),
          file=sys.stderr)
    return 0


def _explain(args: argparse.Namespace) -> int:
    from scrm_sim.scenario import load_scenario
    from scrm_sim.scenario.explain import explain, format_docs

    scenario = load_scenario(args.scenario) if args.scenario else None
    docs = explain(args.field, scenario, args.scenario)
    print(printable(format_docs(docs)))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from scrm_sim.scenario.json_schema import write_schemas

    check_writable(args.out)
    for path in write_schemas(args.out):
        print(printable(f"wrote {path}"), file=sys.stderr)
    return 0


def _warn_events(source: str | Path, scenarios: Mapping[str, Scenario],
                 overrides: Mapping[str, typing.Any] | None = None,
                 days_option: str | None = None, heading: str | None = None) -> None:
    """Warn, on stderr, about each event a run of these scenarios (one per ownership model)
    never reaches or cuts short, saying where an inherited event comes from."""
    from scrm_sim.scenario.horizon import events_outside_horizon
    from scrm_sim.scenario.loading import extends_chain

    try:
        chain = extends_chain(source)
    except ScenarioError:  # not a file of its own (scenarios given in Python): no origins
        chain = []
    seen: dict[str, str] = {}
    for model, scenario in scenarios.items():
        for problem in events_outside_horizon(scenario, days_option or "duration_days"):
            origin = _event_origin(problem.field, chain, overrides or {})
            where = problem.field + (f" ({origin})" if origin else "")
            if problem.field.startswith("ownership.") and len(scenarios) > 1:
                where += f" [{model}]"
            seen.setdefault(where, problem.message)
    if seen:
        name = chain[0].name if chain else str(source)
        lines = [f"warning: {heading or f'scenario {name}'}: events outside the run"]
        lines += [f"  {where}: {message}" for where, message in seen.items()]
        print(printable("\n".join(lines)), file=sys.stderr)


def _event_origin(field: str, chain: list[Path], overrides: Mapping[str, typing.Any]) -> str:
    """Where an event came from, when not from the scenario file itself: a file it extends,
    or the overrides (an experiment's, or an option's)."""
    from scrm_sim.scenario.loading import item_origins, read_yaml

    parts = field.split(".")
    if parts[:2] == ["ownership", "stages"] or not chain:
        return ""  # a stage names its model
    layers = [(str(file), read_yaml(file)) for file in reversed(chain)]
    origins = item_origins([*layers, ("", dict(overrides))], ".".join(parts[:2]))
    index = int(parts[2])
    origin = origins[index] if index < len(origins) else str(chain[0])
    if origin == str(chain[0]):
        return ""
    return "set by the overrides" if not origin else \
        f"inherited from {Path(origin).name} via extends"


def _validate_model(args: argparse.Namespace) -> int:
    from scrm_sim.experiment.output import write_results
    from scrm_sim.validation import family_verdict, format_table, run_checks, table

    if args.out:
        check_writable(args.out)
    started = time.perf_counter()
    checks = run_checks(full=args.full, progress=not args.quiet)
    verdict = family_verdict(checks)
    print(format_table(checks, verdict))
    if args.out:
        write_results(args.out, {"validation": table(checks)}, {},
                      {"command": "validate-model", "full": args.full,
                       "family_wise_level": verdict.level, "passed": verdict.passed,
                       "wall_seconds": round(time.perf_counter() - started, 1)})
    return 0 if verdict.passed else 1


def _experiment(args: argparse.Namespace) -> int:
    from scrm_sim.experiment.runner import failure_note, make_executor, run_experiment
    from scrm_sim.experiment.spec import load_experiment
    from scrm_sim.experiment.worlds import run_robustness

    experiment, scenario_path = load_experiment(args.file)  # every error before any work
    if args.robustness and experiment.robustness is None:
        raise ScenarioError(args.file, [Problem("robustness", "--robustness needs a robustness: "
                                                "block (plausible ranges) and a claim_test")])
    if args.robustness == "full" and experiment.robustness.full is None:
        raise ScenarioError(args.file, [Problem("robustness.full", "--robustness full needs a "
                                                "full: block (worlds, replications, overrides)")])
    _warn_experiment_events(experiment, scenario_path, args.robustness)
    # the default folder (and robustness/ under it) is results/<name> as a safe slug
    check_writable(args.out or Path("results") / safe_name(experiment.name))
    executor = make_executor(args.executor, args.workers, args.scheduler)
    try:
        if args.robustness:
            out = run_robustness(args.file, scale=args.robustness, out=args.out,
                                 executor=executor, progress=not args.quiet)
        else:
            out = run_experiment(args.file, out=args.out, executor=executor,
                                 progress=not args.quiet)
    finally:
        executor.close()
    if not args.quiet:
        print(f"results in {out}/ (load with scrm_sim.load_results)", file=sys.stderr)
    # failed runs are counted: exit 1, not "complete" (robustness: in either sub-experiment)
    folders = [Path(out) / "worlds", Path(out) / "neutral"] if args.robustness else [Path(out)]
    failed = [note for note in map(failure_note, folders) if note]
    for note in failed:
        print(note, file=sys.stderr)
    status = _analyse(argparse.Namespace(results=Path(out))) if args.analyse else 0
    return 1 if failed else status


def _warn_experiment_events(experiment: typing.Any, scenario_path: Path,
                            robustness: str | None) -> None:
    """Warn about events outside the run in the experiment's scenario under its overrides
    (or, with --robustness, the worlds' overrides), once per ownership model; a factor
    that changes the horizon or the events is not followed."""
    from scrm_sim.scenario import deep_merge, load_scenario

    overrides = experiment.overrides
    if robustness and experiment.robustness is not None:
        overrides = deep_merge(overrides, experiment.robustness.scale(robustness).overrides)
    models = (experiment.robustness.models if robustness and experiment.robustness else None
              ) or experiment.models
    scenarios = {m: load_scenario(scenario_path, deep_merge(overrides, {
        "ownership": {"extends": m}})) for m in models}
    _warn_events(scenario_path, scenarios, overrides,
                 "duration_days of the overrides" if "duration_days" in overrides else None,
                 f"experiment {experiment.name} (scenario {scenario_path.name}"
                 + (", robustness worlds)" if robustness else ")"))


def _days_note(days: float | None) -> str | None:
    """What set the run's length, for a warning: the --days option, or None (the file)."""
    return None if days is None else f"--days {days:g}"


def _report(args: argparse.Namespace) -> int:
    from scrm_sim.analysis.report import ReportError, build_report, load_comparison

    results = printable(str(args.results))
    if args.out is not None and args.out.is_dir():
        raise OutputError(printable(str(args.out)), [Problem("--out", (
            f"is a folder; give the report's file name, e.g. {printable(str(args.out))}"
            "/report.html"))])
    try:
        load_comparison(args.results)  # every damaged file is named before anything is written
    except ReportError as exc:
        raise ResultsError(results, [Problem("results", printable(str(exc)))]) from None
    if args.out is not None:
        _check_report_target(args.out)
        check_writable(args.out.parent)
    elif not os.access(args.results, os.W_OK | os.X_OK):  # with --out, all goes beside it
        raise ResultsError(results, [Problem("results", (
            "is read-only; the report writes figures/, report_numbers.csv and "
            "report_caveats.csv beside report.html, in it. Give --out a writable place, e.g. "
            "--out elsewhere/report.html"))])
    try:
        if args.out is not None:
            args.out.parent.mkdir(parents=True, exist_ok=True)  # --out new/folder/report.html
        out = build_report(args.results, args.out)
    except ReportError as exc:
        raise ResultsError(results, [Problem("results", printable(str(exc)))]) from None
    figures = (args.out.parent if args.out is not None else args.results) / "figures"
    print(printable(f"wrote {out} (figures as PNG and SVG in {figures})"), file=sys.stderr)
    return 0


REPORT_MARK = "<title>Social CRM ownership"  # in the head of every report build_report writes


def _check_report_target(out: Path) -> None:
    """``report --out``: an HTML file name, and never a file that is not one of our reports
    (replacing a user's own file, or another program's, would lose it)."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise OutputError(printable(str(out)), [Problem("--out", (
            "is the report's file name and must end in .html, e.g. "
            f"{printable(str(out.with_suffix('.html')))}"))])
    if out.is_file():
        with out.open("rb") as existing:
            head = existing.read(4096).decode("utf-8", errors="replace")
        if REPORT_MARK not in head:
            raise OutputError(printable(str(out)), [Problem("--out", (
                "exists and is not a report written by scrm-sim; give a new file name, or "
                "move that file away first"))])


def _analyse(args: argparse.Namespace) -> int:
    from scrm_sim.analysis.robustness import write_robustness
    from scrm_sim.analysis.sensitivity import write_analysis
    from scrm_sim.experiment.store import load_results

    try:
        if (args.results / "worlds").is_dir():  # a robustness folder (experiment --robustness)
            written = write_robustness(args.results)
        else:
            results = load_results(args.results)
            written = write_analysis(results, args.results)
    except (FileNotFoundError, ValueError) as exc:  # missing, damaged or truncated files
        raise ResultsError(printable(str(args.results)),
                           [Problem("results", printable(str(exc)))]) from None
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from scrm_sim.calibration.calibrate import (
        calibrate,
        claim,
        default_folder,
        prepare,
        print_summary,
    )

    if args.scheduler and args.executor != "dask":
        raise ScenarioError("--scheduler", [Problem("--scheduler",
                                                    "only used with --executor dask")])
    run = prepare(args.scenario, args.observed, args.params, args.seed)  # before any writing
    out = args.out or default_folder(run)
    claim(out, run, args.force)
    out, summary = calibrate(run, out, workers=args.workers, executor=args.executor,
                             scheduler=args.scheduler, quiet=args.quiet)
    print_summary(summary)
    if not args.quiet:
        print(printable(f"wrote {out}/ (posterior.parquet, calibrated.yaml, "
                        "posterior_marginals.png, predictive_check.png; manifest.json)"),
              file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from scrm_sim.experiment.output import write_results
    from scrm_sim.experiment.runs import run_scenario
    from scrm_sim.scenario import load_scenario

    overrides: dict[str, typing.Any] = {"ownership": args.ownership} if args.ownership else {}
    if args.days is not None:
        overrides["duration_days"] = args.days
    scenario = load_scenario(args.scenario, overrides or None)
    _warn_events(args.scenario, {scenario.ownership.name: scenario}, overrides,
                 _days_note(args.days))
    out = args.out or Path("results") / safe_name(scenario.name)
    check_writable(out)
    # a rerun of the same scenario may rewrite its own folder, never another job's
    replace = claim_folder(out, lambda m: m.get("command") == "run" and m.get(
        "scenario_source") == str(args.scenario), force=args.force)

    def on_day(day: int, total: int) -> None:
        if not args.quiet and (day % max(1, total // 10) == 0 or day == total):
            print(f"  day {day}/{total}", file=sys.stderr, flush=True)

    result = run_scenario(scenario, args.seed, on_day=on_day)
    tables = {"summary": pd.DataFrame([{"scenario": result.scenario, "ownership": result.ownership,
                                        "seed": result.seed, **result.summary,
                                        "wall_seconds": result.wall_seconds}]),
              "steps": result.steps}
    if result.staff_records is not None:
        tables["staff_records"] = result.staff_records
        tables["customer_records"] = result.customer_records
    manifest = {"command": "run", "scenario_source": str(args.scenario), "seed": result.seed,
                "wall_seconds": round(result.wall_seconds, 3),
                "scenario": scenario.model_dump(mode="json")}
    if replace:
        with replacing(out) as staging:
            write_results(staging, tables, {}, manifest)
    else:
        write_results(out, tables, {}, manifest)
    _print_summary(pd.DataFrame([{"ownership": result.ownership, **result.summary}]))
    if not args.quiet:
        print(f"wrote {printable(str(out))}/ (summary, steps as CSV and Parquet; manifest.json) in "
              f"{result.wall_seconds:.1f} s", file=sys.stderr)
    return 0


def _compare(args: argparse.Namespace) -> int:
    from scrm_sim.experiment.runs import load_models

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if not models or len(set(models)) != len(models):
        raise ScenarioError("--models", [Problem("--models", "give distinct, comma-separated "
                                                 "ownership model names")])
    _check_posterior_options(args)
    args.reps = args.reps or 5
    if args.decompose and len(models) < 2:
        raise ScenarioError("--decompose", [Problem("--decompose", (
            f"decomposes the gap between the two best models, but --models names "
            f"{len(models)}; give at least two models, or leave out --decompose"))])
    overrides: dict[str, object] = {}  # scenario fields set for every model
    if args.equal_budget is not None:
        overrides["staffing_budget_fte"] = args.equal_budget
    if args.days is not None:
        overrides["duration_days"] = args.days
    try:
        scenarios = load_models(args.scenario, models, overrides)  # every error before running
    except ScenarioError as exc:  # a budget problem is the option's, not the file's
        exc.problems = [Problem("--equal-budget", p.message)
                        if p.field.startswith("staffing_budget_fte") and args.equal_budget
                        else p for p in exc.problems]
        raise
    _warn_events(args.scenario, scenarios, overrides, _days_note(args.days))
    if args.posterior is not None:
        return _compare_posterior(args, models, overrides, scenarios)
    first = next(iter(scenarios.values()))
    out = args.out or Path("results") / f"{safe_name(first.name)}-compare"
    check_writable(out)
    # its own store (same command and scenario) resumes; another job's folder is refused
    replace = claim_folder(out, lambda m: m.get("command") == "compare" and m.get(
        "scenario_source") == str(args.scenario), force=args.force)
    if replace:
        with replacing(out) as staging:  # the old folder stays whole until this one is done
            code, failed = _compare_into(args, staging, models, overrides, scenarios, shown=out)
    else:
        code, failed = _compare_into(args, out, models, overrides, scenarios, shown=out)
    if failed is not None:  # raised only now, so a replaced folder holds the comparison
        raise failed
    return code


def _compare_into(args: argparse.Namespace, out: Path, models: list[str],
                  overrides: dict[str, object], scenarios: dict, *,
                  shown: Path) -> tuple[int, ScenarioError | None]:
    """Run the comparison into ``out``; messages name ``shown``, where it ends up.

    Returns the exit status and the decomposition's error, if it failed after the
    comparison's results were written (the caller raises it).
    """
    from scrm_sim.analysis.plots import comparison_figure, over_time_figure
    from scrm_sim.scenario.horizon import scenario_events
    from scrm_sim.experiment.output import write_results
    from scrm_sim.experiment.runs import RunsFailed, compare

    first = next(iter(scenarios.values()))
    try:
        summary, steps = compare(args.scenario, args.reps, models=models, overrides=overrides,
                                 master_seed=args.seed, workers=args.workers,
                                 progress=not args.quiet, out=out)
    except RunsFailed as exc:
        print(printable(f"error: {str(exc).replace(str(out), str(shown))}"), file=sys.stderr)
        return 1, None
    figures = {"comparison": comparison_figure(summary, models, first.name,
                                               period=f"over {first.duration_days:g} days")}
    over_time = over_time_figure(steps, models, first.name, events=scenario_events(first))
    if over_time is not None:
        figures["timeseries"] = over_time
    # the store (summary/, steps/, manifest.json) is what resumes; these are its tables as
    # single files, for spreadsheets and for the figures above
    write_results(out, {"summary": summary, "steps": steps}, figures, None)
    failed: ScenarioError | None = None
    crashed: str | None = None
    if args.decompose:
        from scrm_sim.analysis.decomposition import decompose_top_two

        # the top two are known only now, so the decomposition can fail only after the
        # comparison has run: its results stay, and the report is written without it
        kept = f"the comparison's results are kept in {shown}/ (the report has no decomposition)"
        try:
            decompose_top_two(out, summary, scenarios, source=args.scenario,
                              master_seed=args.seed, workers=args.workers,
                              progress=not args.quiet)
        except ScenarioError as exc:
            failed = ScenarioError(exc.source, [Problem(f"--decompose: {p.field}",
                                                        f"{p.message}; {kept}")
                                                for p in exc.problems])
        except Exception as exc:  # a run that crashed: not the user's mistake (exit 1)
            crashed = f"error: --decompose failed ({type(exc).__name__}: {exc}); {kept}"
    if args.report:
        from scrm_sim.analysis.report import build_report

        build_report(out)
        print(printable(f"wrote {shown / 'report.html'}"), file=sys.stderr)
    _print_summary(summary)
    if not args.quiet:
        print(f"wrote {printable(str(shown))}/ (summary, steps as CSV and Parquet; comparison.png, "
              f"timeseries.png; the results store summary/, steps/ and manifest.json)",
              file=sys.stderr)
    if crashed is not None:
        print(printable(crashed), file=sys.stderr)
        return 1, failed
    return 0, failed


def _check_posterior_options(args: argparse.Namespace) -> None:
    """``--draws`` and ``--reps-per-draw`` go with ``--posterior``; ``--reps`` and
    ``--decompose`` do not."""
    if args.posterior is None:
        for option, value in (("--draws", args.draws), ("--reps-per-draw", args.reps_per_draw)):
            if value is not None:
                raise ScenarioError(option, [Problem(option, "is used only with --posterior DIR")])
        return
    args.draws, args.reps_per_draw = args.draws or 40, args.reps_per_draw or 1
    if args.reps is not None:
        raise ScenarioError("--reps", [Problem("--reps", (
            "is not used with --posterior: every draw runs --reps-per-draw seeds (default 1); "
            "give --draws for more plausible versions of the client"))])
    if args.decompose:
        raise ScenarioError("--decompose", [Problem("--decompose", (
            "is not available with --posterior; decompose with scrm-sim decompose on the "
            "calibrated scenario (calibrated.yaml in the posterior folder)"))])


def _compare_posterior(args: argparse.Namespace, models: list[str],
                       overrides: dict[str, object], scenarios: dict) -> int:
    """``compare --posterior DIR``: every model over posterior draws, paired by draw; the
    usual comparison outputs over draws, ``posterior_comparison.csv`` and its sentences."""
    from scrm_sim.analysis.plots import comparison_figure, over_time_figure
    from scrm_sim.analysis.posterior_comparison import (
        MIXED_UNCERTAINTY, sentences, win_share_figure, win_shares)
    from scrm_sim.calibration.posterior import draw_overrides, read_posterior
    from scrm_sim.errors import PosteriorError
    from scrm_sim.experiment.output import write_results
    from scrm_sim.experiment.runner import replication_seed
    from scrm_sim.experiment.runs import RunsFailed, compare_draws, draw_planner
    from scrm_sim.scenario.horizon import scenario_events

    started = time.perf_counter()
    first = next(iter(scenarios.values()))
    posterior = read_posterior(args.posterior)
    for warning in posterior.warnings(args.scenario):
        print(printable(f"warning: {warning}"), file=sys.stderr)
    seed = first.seed if args.seed is None else args.seed
    draws = posterior.resample(args.draws, seed)
    points = [draw_overrides(row, posterior.parameters) for _, row in draws.iterrows()]
    try:  # every draw under every model is validated before anything is written
        planner = draw_planner(args.scenario, points, models=models, overrides=overrides,
                               replications=args.reps_per_draw, master_seed=seed,
                               names=[f"row {p}" for p in draws["particle"]])
    except ScenarioError as exc:  # a particle the scenario's own checks refuse
        raise PosteriorError(printable(str(posterior.file)), exc.problems) from None
    out = args.out or Path("results") / f"{safe_name(first.name)}-compare-posterior"
    check_writable(out)
    replace = claim_folder(out, lambda m: m.get("command") == "compare" and m.get(
        "scenario_source") == str(args.scenario) and "posterior" in m, force=args.force)
    described = {**posterior.describe(), "draws": args.draws,
                 "reps_per_draw": args.reps_per_draw, "resampling_seed": seed,
                 "resampling": "multinomial by weight, with replacement",
                 "note": MIXED_UNCERTAINTY}
    draws.insert(2, "seed", [replication_seed(seed, i, 0) for i in range(len(draws))])

    def into(folder: Path) -> int:
        try:
            summary, steps = compare_draws(planner, {"posterior": described}, workers=args.workers,
                                           progress=not args.quiet, out=folder)
        except RunsFailed as exc:
            print(printable(f"error: {str(exc).replace(str(folder), str(out))}"), file=sys.stderr)
            return 1
        table = win_shares(summary)
        figures = {"comparison": comparison_figure(summary, models, first.name, period=(
            f"over {first.duration_days:g} days, {args.draws} posterior draws"))}
        over_time = over_time_figure(steps, models, first.name, events=scenario_events(first))
        if over_time is not None:
            figures["timeseries"] = over_time
        shares = win_share_figure(summary, table)
        if shares is not None:
            figures["posterior_comparison"] = shares
        write_results(folder, {"summary": summary, "steps": steps, "posterior_comparison": table,
                               "posterior_draws": draws}, figures, None)
        if args.report:
            from scrm_sim.analysis.report import build_report

            build_report(folder)
            print(printable(f"wrote {out / 'report.html'}"), file=sys.stderr)
        _print_summary(summary, "runs over the posterior draws")
        print(f"\nAcross {args.draws} plausible versions of your client (posterior "
              f"{printable(str(args.posterior))}):")
        for line in sentences(summary, table):
            print(printable(f"- {line}"))
        if not args.quiet:
            print(f"wrote {printable(str(out))}/ (summary, steps, posterior_comparison, "
                  f"posterior_draws as CSV and Parquet; comparison.png, timeseries.png, "
                  f"posterior_comparison.png; the results store) in "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        return 0

    if replace:
        with replacing(out) as staging:  # the old folder stays whole until this one is done
            return into(staging)
    return into(out)


def _decompose(args: argparse.Namespace) -> int:
    from scrm_sim.analysis.decomposition import check_metrics, decompose, write_decomposition
    from scrm_sim.experiment.runs import load_models

    if args.a == args.b:
        raise ScenarioError("B", [Problem("B", f"is the same model as A ({args.a!r}); give two "
                                          "different ownership models")])
    if args.out is not None:  # before the metric check, which runs a one-hour probe
        check_writable(args.out)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    check_metrics(metrics)
    scenarios = {}
    for which, name in (("A", args.a), ("B", args.b)):
        try:
            scenarios[which] = load_models(args.scenario, [name])[name]
        except ScenarioError as exc:  # the preset's own file, or the model's name as A or B
            raise ScenarioError(exc.source, [
                Problem(which if p.field == "ownership" else p.field, p.message)
                for p in exc.problems]) from None
    scenario = scenarios["A"]
    out = args.out or Path("results") / f"{safe_name(scenario.name)}-decompose-" \
        f"{safe_name(args.a)}-vs-{safe_name(args.b)}"
    check_writable(out)
    result = decompose(scenario, scenario.ownership, scenarios["B"].ownership, metrics=metrics,
                       replications=args.reps, master_seed=args.seed,
                       permutations=args.permutations, workers=args.workers,
                       progress=not args.quiet, source=args.scenario)
    write_decomposition(out, result, {"scenario_source": str(args.scenario),
                                      "scenario": scenario.model_dump(mode="json")})
    if not args.quiet:
        _print_decomposition(result.table[result.table["differs"]])
        print(f"wrote {printable(str(out))}/ (decomposition.csv, decomposition.png, "
              f"manifest.json): "
              f"{result.method}, {result.runs} runs in {result.wall_seconds:.0f} s",
              file=sys.stderr)
    return 0


def _observe(args: argparse.Namespace) -> int:
    import yaml

    from scrm_sim.calibration.export import load_settings, observe, summary_lines, write_observed

    share = args.max_bad_share
    if not 0.0 <= share <= 1.0:  # NaN fails too
        raise ScenarioError("--max-bad-share", [Problem("--max-bad-share", (
            f"must be a share from 0 to 1 (0.01 = 1% of the rows), got {share:g}"))])
    settings = load_settings(args.config)
    if args.sla_hours is not None:
        settings.sla_hours = args.sla_hours
    source = str(args.export)
    out = args.out or Path("results") / f"{safe_name(args.export.stem)}-observed.yaml"
    where = printable(str(out))
    if out.suffix.lower() not in (".yaml", ".yml") or out.is_dir():
        raise OutputError(where, [Problem("--out", "is the observed figures' file name and "
                                          "must end in .yaml, e.g. results/observed.yaml")])
    if out.exists() and not args.force:  # a rerun on the same export may rewrite its own file
        try:
            previous = yaml.safe_load(out.read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError):
            previous = None
        if not (isinstance(previous, dict) and previous.get("source") == source):
            raise OutputError(where, [Problem("--out", (
                "exists and is not the observed figures of this export; give another --out, "
                "or add --force to replace it"))])
    check_writable(out.parent)
    figures, _ = observe(args.export, settings, max_bad_share=share, source=source)
    write_observed(figures, out)
    for line in summary_lines(figures):
        print(printable(line))
    if not args.quiet:
        print(f"wrote {where}", file=sys.stderr)
    return 0


SUMMARY_METRICS = ("share_within_sla", "first_response_p50_hours", "satisfaction_final",
                   "churn_rate", "negative_wom_reach", "fte_budgeted", "staff_hours", "cost")
"""The metrics of the table ``run`` and ``compare`` print, in its order."""


def _print_summary(summary: pd.DataFrame, runs_are: str = "replications") -> None:
    """The run's (or each model's mean) results on stdout: one row per metric, in its plain
    name, unit and display scale (analysis/labels.py), one column per model; ``runs_are``
    says what a model's runs are ("replications", "runs over the posterior draws")."""
    from scrm_sim.analysis.labels import metric, model_label

    columns = [c for c in SUMMARY_METRICS if c in summary]
    means = summary.groupby("ownership", sort=False)[columns].mean()
    runs = summary.groupby("ownership", sort=False).size()
    rows = [["", *map(model_label, means.index)]]
    rows += [[metric(c).with_unit(), *(metric(c).show(means.loc[m, c]) for m in means.index)]
             for c in columns]
    if runs.max() > 1:
        print(f"mean of {runs.max()} {runs_are} per model" if runs.nunique() == 1
              else f"mean of each model's {runs_are}")
    _print_rows(rows)


def _print_decomposition(table: pd.DataFrame) -> None:
    """Each differing group's mean contribution to B − A per metric, in the metric's display
    units, as ``_print_summary`` prints results."""
    from scrm_sim.analysis.decomposition import group_words
    from scrm_sim.analysis.labels import metric, model_label

    values = table.pivot_table(index="group", columns="metric", values="mean", sort=False)
    roles = table.drop_duplicates("group").set_index("group")["role"]
    a, b = (model_label(table[side].iloc[0]) for side in ("a", "b"))
    names = {"from": f"{a} (A)", "to": f"{b} (B)", "total": "total (B − A)"}
    rows = [["", *(metric(c).with_unit() for c in values.columns)]]
    for group in values.index:
        level = roles[group] in ("from", "to")  # a model's value, not a contribution
        rows.append([names.get(str(group), group_words(group)), *(
            metric(c).show(values.loc[group, c]) if level else metric(c).signed(values.loc[group, c])
            for c in values.columns)])
    _print_rows(rows)


def _print_rows(rows: list[list[str]]) -> None:
    """Names left, numbers right, three spaces apart: plain text, also when piped."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)]
        print(printable("   ".join(cells).rstrip()))  # model names are the user's text


if __name__ == "__main__":
    raise SystemExit(main())
