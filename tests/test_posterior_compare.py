"""``scrm-sim compare client.yaml --posterior DIR``: every ownership model over draws from a
calibration's posterior, paired by draw, and how often each model beats each other."""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from scrm_sim.analysis.posterior_comparison import sentence, win_shares
from scrm_sim.calibration.posterior import read_posterior
from scrm_sim.cli import main

from .conftest import SCENARIOS

MODELS = ["marketing_led", "hybrid"]
TINY = {"extends": str(SCENARIOS / "baseline.yaml"), "name": "tiny", "seed": 3,
        "duration_days": 2, "customers": {"count": 300, "prospects": 100}}
DRAWS = 3


def write_posterior(folder: Path, table: pd.DataFrame, manifest: object = None) -> Path:
    """A posterior folder as ``scrm-sim calibrate`` writes it (the two files read)."""
    folder.mkdir(parents=True, exist_ok=True)
    table.to_parquet(folder / "posterior.parquet", index=False)
    manifest = {"scenario": "tiny.yaml", "seed": 1, "generations": 2, "population_size": len(
        table), "complete": True} if manifest is None else manifest
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def plausible(particles: int = 12, seed: int = 0) -> pd.DataFrame:
    """Particles around plausible values of two parameters, with weights summing to 1."""
    rng = np.random.default_rng(seed)
    weights = rng.random(particles)
    return pd.DataFrame({"demand.volume_multiplier": rng.normal(1.0, 0.15, particles).clip(0.5),
                         "handling.cv": rng.normal(0.6, 0.08, particles).clip(0.2),
                         "weight": weights / weights.sum()})


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-day scenario of 400 people."""
    path = tmp_path_factory.mktemp("scenario") / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def compared(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One posterior comparison with its report: two models over three draws."""
    root = tmp_path_factory.mktemp("posterior")
    folder = write_posterior(root / "calibration", plausible())
    out = root / "out"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["compare", str(tiny), "--posterior", str(folder), "--draws", str(DRAWS),
                     "--models", ",".join(MODELS), "--seed", "5", "--workers", "1", "--quiet",
                     "--report", "--out", str(out)])
    return {"code": code, "out": out, "folder": folder, "stdout": stdout.getvalue()}


# ------------------------------------------------------------------ pairing


def test_every_model_of_a_draw_runs_the_draws_parameter_values_on_the_draws_seed(
        compared: dict[str, object]) -> None:
    assert compared["code"] == 0
    out = compared["out"]
    summary = pd.read_parquet(out / "summary.parquet")
    draws = pd.read_parquet(out / "posterior_draws.parquet")
    parameters = ["demand.volume_multiplier", "handling.cv"]
    assert len(summary) == DRAWS * len(MODELS)
    for draw, runs in summary.groupby("draw"):
        assert sorted(runs["ownership"]) == sorted(MODELS)
        assert runs["seed"].nunique() == 1
        assert runs[parameters].nunique().eq(1).all()
        # the values the runs' scenarios held are the draw's
        expected = draws.set_index("draw").loc[draw]
        assert runs["seed"].iloc[0] == expected["seed"]
        assert runs[parameters].iloc[0].to_numpy() == pytest.approx(
            expected[parameters].to_numpy(float))
    assert summary.groupby("draw")["seed"].first().nunique() == DRAWS  # a seed of its own


def test_the_draws_values_come_from_the_posterior_particles(
        compared: dict[str, object]) -> None:
    particles = pd.read_parquet(Path(compared["folder"]) / "posterior.parquet")
    draws = pd.read_parquet(Path(compared["out"]) / "posterior_draws.parquet")
    for _, draw in draws.iterrows():
        particle = particles.iloc[int(draw["particle"])]
        assert draw["handling.cv"] == pytest.approx(particle["handling.cv"])


def test_the_manifest_names_the_posterior_folder_draws_and_seeds_per_draw(
        compared: dict[str, object]) -> None:
    manifest = json.loads((Path(compared["out"]) / "manifest.json").read_text())
    posterior = manifest["posterior"]
    assert posterior["folder"] == str(compared["folder"])
    assert posterior["draws"] == DRAWS
    assert posterior["reps_per_draw"] == 1
    assert posterior["parameters"] == ["demand.volume_multiplier", "handling.cv"]


def test_equal_budget_staffs_every_model_of_every_draw_alike(
        tiny: Path, tmp_path: Path) -> None:
    folder = write_posterior(tmp_path / "p", plausible())

    assert main(["compare", str(tiny), "--posterior", str(folder), "--draws", "2",
                 "--models", ",".join(MODELS), "--equal-budget", "12", "--workers", "1",
                 "--quiet", "--out", str(tmp_path / "o")]) == 0

    summary = pd.read_parquet(tmp_path / "o" / "summary.parquet")
    assert summary["fte_budgeted"].to_numpy() == pytest.approx(12.0)


# ------------------------------------------------------------------ resampling


def test_a_particle_of_weight_zero_is_never_drawn(tmp_path: Path) -> None:
    table = plausible(6).assign(weight=[0.0, 0.5, 0.0, 0.25, 0.0, 0.25])
    posterior = read_posterior(write_posterior(tmp_path / "p", table))

    drawn = posterior.resample(500, seed=1)["particle"]

    assert set(drawn) == {1, 3, 5}


def test_the_same_seed_draws_the_same_particles_and_another_seed_others(
        tmp_path: Path) -> None:
    posterior = read_posterior(write_posterior(tmp_path / "p", plausible(30)))

    first, again, other = (posterior.resample(20, seed)["particle"].tolist()
                           for seed in (7, 7, 8))

    assert first == again
    assert first != other


def test_particles_are_drawn_in_proportion_to_their_weights(tmp_path: Path) -> None:
    table = plausible(2).assign(weight=[0.8, 0.2])
    posterior = read_posterior(write_posterior(tmp_path / "p", table))

    share = (posterior.resample(2000, seed=3)["particle"] == 0).mean()

    assert share == pytest.approx(0.8, abs=0.03)


def test_weights_that_do_not_sum_to_one_are_normalised(tmp_path: Path) -> None:
    table = plausible(3).assign(weight=[2.0, 1.0, 1.0])

    posterior = read_posterior(write_posterior(tmp_path / "p", table))

    assert posterior.weights == pytest.approx([0.5, 0.25, 0.25])


# ------------------------------------------------------------------ win shares


def wilson(successes: int, n: int, z: float = 1.6448536269514722) -> tuple[float, float]:
    """The Wilson score interval, by its formula (90%: z of 0.95)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def two_models(column: str, a: list[float], b: list[float]) -> pd.DataFrame:
    """A summary of models a and b over draws 0, 1, … with the given values of a column."""
    rows = [{"ownership": model, "draw": i, "seed": 100 + i, column: value}
            for model, values in (("service_led", a), ("hybrid", b))
            for i, value in enumerate(values)]
    return pd.DataFrame(rows)


def test_win_share_counts_a_draw_within_the_negligible_difference_as_a_tie() -> None:
    # satisfaction (0–100 shown; better higher; negligible below 1 point): differences
    # service-led − hybrid of +5, +3, +0.5, −2 and +2 points: 3 wins, 1 tie, 1 loss
    summary = two_models("satisfaction_final", [0.75, 0.73, 0.705, 0.68, 0.72],
                         [0.70, 0.70, 0.70, 0.70, 0.70])

    row = win_shares(summary, ["satisfaction_final"]).iloc[0]

    assert (row["a"], row["b"]) == ("service_led", "hybrid")
    assert (row["wins"], row["ties"], row["losses"]) == (3, 1, 1)
    assert row["share_wins"] == pytest.approx(0.6)
    assert (row["wins_low"], row["wins_high"]) == pytest.approx(wilson(3, 5))
    assert row["difference_median"] == pytest.approx(2.0)


def test_win_share_counts_less_as_better_where_less_is_better() -> None:
    # churn (better lower; negligible below 0.1 point): service-led has 0.5 and 0.3
    # points less churn in two draws and 0.2 more in one
    summary = two_models("churn_rate", [0.010, 0.012, 0.017], [0.015, 0.015, 0.015])

    row = win_shares(summary, ["churn_rate"]).iloc[0]

    assert (row["wins"], row["ties"], row["losses"]) == (2, 0, 1)


def test_win_share_judges_cost_relative_to_the_cheaper_model() -> None:
    # cost (better lower; negligible below 1% of the better model's value): 0.5% cheaper
    # is a tie, 5% cheaper a win
    summary = two_models("cost", [995.0, 950.0], [1000.0, 1000.0])

    row = win_shares(summary, ["cost"]).iloc[0]

    assert (row["wins"], row["ties"], row["losses"]) == (1, 1, 0)


def test_a_draws_replications_are_averaged_before_the_models_are_compared() -> None:
    summary = pd.concat([two_models("satisfaction_final", [0.80], [0.70]).assign(seed=1),
                         two_models("satisfaction_final", [0.60], [0.68]).assign(seed=2)])

    row = win_shares(summary, ["satisfaction_final"]).iloc[0]

    assert (row["draws"], row["wins"]) == (1, 1)  # +1 point on average over two seeds


def test_the_sentence_says_how_often_the_first_model_beats_the_second() -> None:
    summary = two_models("satisfaction_final", [0.75, 0.73, 0.705, 0.68, 0.72],
                         [0.70, 0.70, 0.70, 0.70, 0.70])
    row = win_shares(summary, ["satisfaction_final"]).iloc[0]
    low, high = wilson(3, 5)

    assert sentence(row) == (
        "Service-led beats Hybrid on customer satisfaction at the end in 60% of the 5 "
        f"plausible versions of your client (90% interval {100 * low:.0f}–{100 * high:.0f}%); "
        "they are practically tied in 20% and Hybrid is better in 20%.")


# ------------------------------------------------------------------ outputs and report


def test_the_command_prints_the_best_models_sentences(compared: dict[str, object]) -> None:
    table = pd.read_csv(Path(compared["out"]) / "posterior_comparison.csv")
    assert set(table["metric"]) == {"share_within_sla", "satisfaction_final", "churn_rate",
                                    "cost"}
    assert "plausible versions of your client" in compared["stdout"]
    assert compared["stdout"].count("\n- ") == 4  # one sentence per headline metric


def test_the_report_has_the_plausible_versions_section_with_its_figure(
        compared: dict[str, object]) -> None:
    page = (Path(compared["out"]) / "report.html").read_text(encoding="utf-8")
    section = page[page.index("<section id='posterior'>"):]
    section = section[:section.index("</section>")]

    assert "Across the plausible versions of your client" in section
    assert f"same {DRAWS} draws" in section
    assert "run-to-run noise" in section
    assert "<img" in section
    for line in compared["stdout"].split("\n- ")[1:]:
        assert line.strip().replace("'", "&#x27;") in section


def test_the_reports_verdict_counts_posterior_draws_not_replications(
        compared: dict[str, object]) -> None:
    page = (Path(compared["out"]) / "report.html").read_text(encoding="utf-8")
    box = page[page.index("<section class='verdict'"):]
    box = box[:box.index("</section>")]

    assert f"{DRAWS} paired draws" in box
    assert "paired replications" not in box and "--reps" not in box


def test_a_plain_compare_report_has_no_plausible_versions_section(
        tiny: Path, tmp_path: Path) -> None:
    assert main(["compare", str(tiny), "--models", ",".join(MODELS), "--reps", "2",
                 "--workers", "1", "--quiet", "--report", "--out", str(tmp_path / "o")]) == 0

    assert "id='posterior'" not in (tmp_path / "o" / "report.html").read_text()


# ------------------------------------------------------------------ bad input


def _broken(kind: str, folder: Path) -> tuple[Path, str, str]:
    """A broken posterior folder: (folder given, file named, column or field named)."""
    good = plausible(4)
    if kind == "missing folder":
        return folder / "nowhere", "nowhere", "--posterior"
    if kind == "missing posterior.parquet":
        write_posterior(folder, good)
        (folder / "posterior.parquet").unlink()
        return folder, "posterior.parquet", "missing"
    if kind == "missing manifest.json":
        write_posterior(folder, good)
        (folder / "manifest.json").unlink()
        return folder, "manifest.json", "missing"
    if kind == "damaged manifest.json":
        write_posterior(folder, good)
        (folder / "manifest.json").write_text("{not json", encoding="utf-8")
        return folder, "manifest.json", "JSON"
    if kind == "not parquet":
        write_posterior(folder, good)
        (folder / "posterior.parquet").write_bytes(b"particle,weight\n1,1\n")
        return folder, "posterior.parquet", "Parquet"
    changes = {
        "no weight": lambda t: t.drop(columns="weight"),
        "negative weight": lambda t: t.assign(weight=[0.5, -0.1, 0.3, 0.3]),
        "zero weights": lambda t: t.assign(weight=0.0),
        "not a field": lambda t: t.assign(**{"demand.nonsense": 1.0}),
        "text field": lambda t: t.assign(name=1.0),
        "ownership field": lambda t: t.assign(**{"ownership.approval.required": 1.0}),
        "out of bounds": lambda t: t.assign(**{"demand.volume_multiplier": [1, 1, 2000, 1]}),
        "non-positive": lambda t: t.assign(**{"handling.cv": [0.5, 0.0, 0.5, 0.5]}),
        "unknown post type": lambda t: t.assign(
            **{"demand.rates_per_customer_per_day.gossip": 0.1}),
    }
    named = {"no weight": "weight", "negative weight": "weight (row 1)",
             "zero weights": "weight", "not a field": "demand.nonsense", "text field": "name",
             "ownership field": "ownership.approval.required",
             "out of bounds": "demand.volume_multiplier (row 2)",
             "non-positive": "handling.cv (row 1)", "unknown post type": "gossip"}
    write_posterior(folder, changes[kind](good))
    return folder, "posterior.parquet", named[kind]


def test_a_posterior_calibrated_for_another_scenario_file_is_compared_with_a_warning(
        tiny: Path, tmp_path: Path) -> None:
    manifest = {"scenario": "other_client.yaml", "complete": False}
    posterior = read_posterior(write_posterior(tmp_path / "p", plausible(), manifest))

    warnings = posterior.warnings(tiny)

    assert any("other_client.yaml" in w for w in warnings)
    assert any("did not finish" in w for w in warnings)


BROKEN = ["missing folder", "missing posterior.parquet", "missing manifest.json",
          "damaged manifest.json", "not parquet", "no weight", "negative weight",
          "zero weights", "not a field", "text field", "ownership field", "out of bounds",
          "non-positive", "unknown post type"]


@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_posterior_folder_exits_2_naming_the_file_and_column_and_writes_nothing(
        kind: str, tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder, file, where = _broken(kind, tmp_path / "calibration")
    out = tmp_path / "out"

    code = main(["compare", str(tiny), "--posterior", str(folder), "--draws", "2",
                 "--models", ",".join(MODELS), "--workers", "1", "--quiet", "--out", str(out)])

    error = capsys.readouterr().err
    assert code == 2
    assert "invalid posterior" in error and file in error and where in error
    assert "Traceback" not in error
    assert not out.exists()


@pytest.mark.parametrize("options", [["--draws", "3"], ["--reps-per-draw", "2"]])
def test_posterior_options_without_posterior_exit_2(
        options: list[str], tiny: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(tiny), *options, "--out", str(tmp_path / "o")]) == 2
    assert "--posterior" in capsys.readouterr().err


def test_reps_with_posterior_exits_2_pointing_to_draws(
        tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_posterior(tmp_path / "p", plausible())

    assert main(["compare", str(tiny), "--posterior", str(folder), "--reps", "3",
                 "--out", str(tmp_path / "o")]) == 2
    assert "--reps-per-draw" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
