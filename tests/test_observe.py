"""`scrm-sim observe`: a client's export of posts read into observed figures, every row used
or counted, an unusable file refused with the row, column or field named."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from scrm_sim.calibration.export import ExportSettings, load_settings, observe
from scrm_sim.calibration.figures import ObservedFigures, figures_from_model
from scrm_sim.calibration.synthetic import BAD_ROWS, run_truth, write_example
from scrm_sim.cli import main
from scrm_sim.errors import ExportError, ExportSettingsError
from scrm_sim.model.model import SCRMModel

EXAMPLE = Path("examples/client")
HEADER = "posted_at,post_type,first_response_at,resolved\n"


def export(tmp_path: Path, rows: str, header: str = HEADER, name: str = "posts.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + rows, encoding="utf-8")
    return path


def settings(**fields: object) -> ExportSettings:
    return ExportSettings.model_validate(fields)


def observed(path: Path, given: ExportSettings | None = None,
             share: float = 0.0) -> ObservedFigures:
    return observe(path, given or ExportSettings(), max_bad_share=share)[0]


TWO_POSTS = ("2026-01-05 09:30:00,question,2026-01-05 10:00:00,true\n"
             "2026-01-06 14:00:00,complaint,,false\n")


# --------------------------------------------------------------------------- reading


def test_default_column_names_are_read_without_settings(tmp_path: Path) -> None:
    figures = observed(export(tmp_path, TWO_POSTS))
    assert (figures.posts, figures.reply_rate, figures.share_resolved) == (2, 0.5, 0.5)


def test_column_mapping_reads_the_clients_own_column_names(tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-05 09:30:00,x,Question,2026-01-05 11:30:00,closed\n",
                  header="created_at,id,category,first_reply_at,status\n")
    given = settings(columns={"posted_at": "created_at", "post_type": "category",
                              "first_response_at": "first_reply_at", "resolved": "status"})
    figures = observed(path, given)
    assert figures.first_response_hours.p50 == 2.0 and figures.share_resolved == 1.0


def test_type_labels_map_to_post_types_ignoring_case_and_spaces(tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-05 09:00:00, sales LEAD ,,no\n"
                            "2026-01-05 10:00:00,Sales lead,,no\n")
    figures = observed(path, settings(types={"Sales lead": "purchase_intent"}))
    assert figures.volume_per_day["purchase_intent"] == 2.0


def test_the_models_type_names_map_to_themselves(tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-05 09:00:00,Purchase intent,,no\n"
                            "2026-01-05 10:00:00,PURCHASE_INTENT,,no\n")
    assert observed(path).volume_per_day["purchase_intent"] == 2.0


def test_resolved_labels_add_the_clients_labels_to_the_defaults(tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-05 09:00:00,idea,,Done\n"
                            "2026-01-05 10:00:00,idea,,waiting on customer\n")
    given = settings(resolved_labels={"Waiting on customer": False})
    assert observed(path, given).share_resolved == 0.5


def test_without_a_resolved_column_the_share_resolved_is_not_observed(tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-05 09:00:00,idea,\n", header="posted_at,post_type,"
                  "first_response_at\n")
    figures = observed(path, settings(columns={"resolved": None}))
    assert figures.share_resolved is None and figures.posts == 1


def test_the_timestamp_format_reads_day_first_dates(tmp_path: Path) -> None:
    path = export(tmp_path, "05/02/2026 09:00,idea,05/02/2026 09:45,no\n")
    figures = observed(path, settings(timestamp_format="%d/%m/%Y %H:%M"))
    assert figures.start.month == 2 and figures.first_response_hours.p50 == 0.75


def test_the_period_runs_from_the_first_posts_midnight_to_the_last_posts_day_end(
        tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-07 10:00:00,idea,,no\n2026-01-09 23:00:00,idea,,no\n")
    figures = observed(path)
    assert (figures.start.day, figures.start.hour, figures.days) == (7, 0, 3.0)


def test_a_given_period_sets_the_days_per_day_volumes_divide_by(tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-07 10:00:00,idea,,no\n")
    figures = observed(path, settings(period={"start": "2026-01-05", "days": 4}))
    assert figures.volume_per_day["idea"] == 0.25 and figures.weekday_profile[2] == 7.0


def test_offsets_are_converted_to_the_time_zone_hours_are_counted_in(tmp_path: Path) -> None:
    # 08:30 UTC is 09:30 in Berlin in winter; a time without an offset is already local
    path = export(tmp_path, "2026-01-05T08:30:00Z,idea,,no\n2026-01-05 09:10:00,idea,,no\n")
    profile = observed(path, settings(timezone="Europe/Berlin")).hour_of_day_profile
    assert profile[9] == 24.0


def test_the_sla_share_counts_responses_within_the_settings_target(tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-05 09:00:00,idea,2026-01-05 10:30:00,no\n")
    assert observed(path, settings(sla_hours=2)).share_within_sla == 1.0


def test_the_survey_of_the_settings_is_carried_into_the_figures(tmp_path: Path) -> None:
    figures = observed(export(tmp_path, TWO_POSTS), settings(survey={"nps": -12}))
    assert figures.survey.nps == -12.0 and figures.survey.satisfaction is None


# --------------------------------------------------------------------------- bad rows

GOOD = "2026-01-05 09:00:00,idea,,no\n"


@pytest.mark.parametrize(("row", "reason", "column"), [
    (",idea,,no\n", "missing value", "posted_at"),
    ("2026-01-05 10:00:00,,,no\n", "missing value", "post_type"),
    ("yesterday,idea,,no\n", "unparseable timestamp", "posted_at"),
    ("2026-01-05 10:00:00,idea,soon,no\n", "unparseable timestamp", "first_response_at"),
    ("2026-01-05 10:00:00,Spam,,no\n", "unknown post type", "post_type"),
    ("2026-01-05 10:00:00,idea,,maybe\n", "unparseable resolved flag", "resolved"),
    ("2026-01-05 10:00:00,idea,2026-01-05 09:00:00,no\n", "response before the post",
     "first_response_at"),
])
def test_a_bad_row_is_an_error_naming_its_reason_row_and_column(
        tmp_path: Path, row: str, reason: str, column: str) -> None:
    with pytest.raises(ExportError) as error:
        observed(export(tmp_path, GOOD + row))
    message = error.value.report()
    assert f"{reason} (1 row): row 3, column '{column}'" in message


def test_an_unknown_label_is_shown_with_the_closest_known_one(tmp_path: Path) -> None:
    path = export(tmp_path, "2026-01-05 09:00:00,Complain,,no\n")
    with pytest.raises(ExportError, match="'Complain' \\(did you mean 'Complaint'\\?\\)"):
        observed(path, settings(types={"Complaint": "complaint"}))


def test_a_post_outside_a_given_period_is_a_bad_row(tmp_path: Path) -> None:
    path = export(tmp_path, GOOD + "2026-01-07 00:00:00,idea,,no\n")
    with pytest.raises(ExportError, match=r"outside the period \(1 row\): row 3"):
        observed(path, settings(period={"start": "2026-01-05", "days": 2}))


def test_a_row_counts_once_under_its_first_problem(tmp_path: Path) -> None:
    path = export(tmp_path, GOOD + "yesterday,Spam,,maybe\n")
    figures = observed(path, share=1.0)
    assert figures.rows.bad == {"unparseable timestamp": 1}


def test_rows_are_numbered_as_a_spreadsheet_numbers_them_blank_lines_included(
        tmp_path: Path) -> None:
    path = export(tmp_path, GOOD + "\n" + GOOD + ",idea,,no\n")
    with pytest.raises(ExportError, match="row 5, column 'posted_at'"):
        observed(path)


def test_blank_lines_are_not_counted_as_rows(tmp_path: Path) -> None:
    figures = observed(export(tmp_path, GOOD + "\n,,,\n" + GOOD + "\n"))
    assert (figures.rows.read, figures.rows.used, figures.rows.bad) == (2, 2, {})


def test_bad_rows_within_the_tolerance_are_left_out_and_counted_by_reason(
        tmp_path: Path) -> None:
    path = export(tmp_path, GOOD * 8 + "yesterday,idea,,no\n2026-01-05 10:00:00,Spam,,no\n")
    figures = observed(path, share=0.2)
    assert figures.posts == 8
    assert figures.rows.model_dump() == {"read": 10, "used": 8, "bad": {
        "unparseable timestamp": 1, "unknown post type": 1}}


def test_bad_rows_above_the_tolerance_are_an_error_saying_so(tmp_path: Path) -> None:
    path = export(tmp_path, GOOD * 8 + "yesterday,idea,,no\n2026-01-05 10:00:00,Spam,,no\n")
    with pytest.raises(ExportError, match=r"2 of 10 data rows \(20.0%\).*above --max-bad-share"):
        observed(path, share=0.1)


def test_a_message_names_the_first_rows_of_a_reason_and_counts_the_rest(tmp_path: Path) -> None:
    path = export(tmp_path, GOOD + "yesterday,idea,,no\n" * 5)
    with pytest.raises(ExportError) as error:
        observed(path)
    message = error.value.report()
    assert "row 5," in message and "row 6," not in message and "and 2 more" in message


def test_no_usable_row_is_an_error_even_within_the_tolerance(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no row is left"):
        observed(export(tmp_path, "yesterday,idea,,no\n"), share=1.0)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(("text", "field"), [
    ("colums: {posted_at: created_at}\n", "colums"),
    ("types: {Complaint: grumble}\n", "types.Complaint"),
    ("timezone: Mars/Olympus\n", "timezone"),
    ("timestamp_format: dd.mm.yyyy\n", "timestamp_format"),
    ("survey: {satisfaction: 4.2e3}\n", "survey.satisfaction"),
    ("columns: {posted_at: when, first_response_at: when}\n", "columns"),
    ("columns: {posted_at: ' '}\n", "columns.posted_at"),
    ("delimiter: ';;'\n", "delimiter"),
    ("period: {start: 2026-02-30, days: 7}\n", "line 1, column 17"),  # YAML reads a date
])
def test_bad_settings_are_an_error_naming_the_field(tmp_path: Path, text: str,
                                                    field: str) -> None:
    path = tmp_path / "export.yaml"
    path.write_text(text)
    with pytest.raises(ExportSettingsError) as error:
        load_settings(path)
    assert any(p.field == field for p in error.value.problems)


# --------------------------------------------------------------------------- command line


def run_cli(*args: object) -> int:
    return main([str(a) for a in args])


def test_observe_writes_observed_yaml_and_prints_a_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "observed.yaml"
    assert run_cli("observe", export(tmp_path, TWO_POSTS), "--out", out) == 0
    written = ObservedFigures.model_validate(yaml.safe_load(out.read_text()))
    assert written.posts == 2
    assert "answered     50.0% of posts" in capsys.readouterr().out


def test_the_sla_option_overrides_the_settings(tmp_path: Path) -> None:
    out = tmp_path / "observed.yaml"
    path = export(tmp_path, TWO_POSTS)
    assert run_cli("observe", path, "--out", out, "--sla-hours", 0.25) == 0
    assert yaml.safe_load(out.read_text())["share_within_sla"] == 0.0


def unusable_files(tmp_path: Path) -> dict[str, Path]:
    binary = tmp_path / "workbook.csv"
    binary.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(HEADER.encode() + "2026-01-05 09:00:00,id\xe9e,,no\n".encode("latin-1"))
    ragged = export(tmp_path, GOOD + "2026-01-05 09:00:00,idea,,no,extra,cells\n", name="r.csv")
    return {
        "file not found": tmp_path / "missing.csv",
        "ZIP archive": binary,
        "is empty": export(tmp_path, "", header="", name="empty.csv"),
        "no data rows": export(tmp_path, "", name="header.csv"),
        "not UTF-8": latin,
        "not a well-formed CSV": ragged,
        "column 'first_response_at' is not in the export": export(
            tmp_path, "2026-01-05 09:00:00,idea,no\n", header="posted_at,post_type,resolved\n",
            name="three.csv"),
    }


@pytest.mark.parametrize("problem", [
    "file not found", "ZIP archive", "is empty", "no data rows", "not UTF-8",
    "not a well-formed CSV", "column 'first_response_at' is not in the export"])
def test_an_unusable_export_exits_2_saying_why_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], problem: str) -> None:
    out = tmp_path / "out" / "observed.yaml"
    assert run_cli("observe", unusable_files(tmp_path)[problem], "--out", out) == 2
    assert problem in capsys.readouterr().err
    assert not out.parent.exists()


def test_a_missing_column_is_named_with_the_columns_the_export_has(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = export(tmp_path, "2026-01-05 09:00:00,idea,no\n", header="created,type,status\n")
    assert run_cli("observe", path, "--out", tmp_path / "o.yaml") == 2
    err = capsys.readouterr().err
    assert "columns.posted_at: column 'posted_at' is not in the export" in err
    assert "its columns are 'created', 'type', 'status'" in err


def test_a_column_named_in_another_case_is_suggested(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = export(tmp_path, GOOD, header="Posted_At,post_type,first_response_at,resolved\n")
    assert run_cli("observe", path, "--out", tmp_path / "o.yaml") == 2
    assert "did you mean 'Posted_At'?" in capsys.readouterr().err


def test_a_bad_row_exits_2_and_leaves_an_earlier_observed_yaml_alone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "observed.yaml"
    path = export(tmp_path, TWO_POSTS)
    assert run_cli("observe", path, "--out", out) == 0
    before = out.read_text()
    path.write_text(HEADER + TWO_POSTS + "yesterday,idea,,no\n")
    assert run_cli("observe", path, "--out", out) == 2
    assert "row 4, column 'posted_at'" in capsys.readouterr().err
    assert out.read_text() == before


def test_bad_settings_exit_2_naming_the_file_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "export.yaml"
    config.write_text("sla_hours: -1\n")
    assert run_cli("observe", export(tmp_path, TWO_POSTS), "--config", config, "--out",
                   tmp_path / "o.yaml") == 2
    err = capsys.readouterr().err
    assert "invalid export settings" in err and "sla_hours" in err


def test_another_file_at_out_is_kept_unless_forced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "notes.yaml"
    out.write_text("my: notes\n")
    path = export(tmp_path, TWO_POSTS)
    assert run_cli("observe", path, "--out", out) == 2
    assert "--force" in capsys.readouterr().err and out.read_text() == "my: notes\n"
    assert run_cli("observe", path, "--out", out, "--force") == 0
    assert yaml.safe_load(out.read_text())["posts"] == 2


def test_a_share_outside_0_to_1_is_refused(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("observe", export(tmp_path, TWO_POSTS), "--max-bad-share", 5,
                   "--out", tmp_path / "o.yaml") == 2
    assert "--max-bad-share: must be a share from 0 to 1" in capsys.readouterr().err


# --------------------------------------------------------------------------- the example


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SCRMModel]:
    """The example written afresh from client.yaml and truth.yaml, and the run it is of."""
    folder = tmp_path_factory.mktemp("client")
    for name in ("client.yaml", "truth.yaml"):
        shutil.copy(EXAMPLE / name, folder / name)
    model = run_truth(folder)
    write_example(folder, model)
    return folder, model


def test_observing_the_generated_export_gives_the_figures_of_its_run(
        generated: tuple[Path, SCRMModel]) -> None:
    folder, model = generated
    truth = figures_from_model(model).statistics()
    figures, _ = observe(folder / "posts.csv", load_settings(folder / "export.yaml"),
                         max_bad_share=0.01)
    seen = figures.statistics()
    quantiles = [k for k in truth if k.startswith("first_response_hours.")]
    survey = [k for k in truth if k.startswith("survey.")]
    exact = set(truth) - set(quantiles) - set(survey)
    assert {k: seen[k] for k in exact} == {k: truth[k] for k in exact}
    # timestamps are whole seconds, as in a client's export
    assert np.allclose([seen[k] for k in quantiles], [truth[k] for k in quantiles],
                       rtol=0, atol=1 / 3600)
    # the survey is typed in, rounded as a survey reports it
    assert seen["survey.satisfaction"] == round(truth["survey.satisfaction"])
    assert figures.rows.bad == {reason: 1 for reason, _ in BAD_ROWS}


def test_the_shipped_example_is_what_the_generator_writes(
        generated: tuple[Path, SCRMModel]) -> None:
    for name in ("posts.csv", "export.yaml"):
        assert (generated[0] / name).read_text() == (EXAMPLE / name).read_text(), (
            f"examples/client/{name} is not what the model now generates: run make example-export")


def test_the_shipped_example_observes_with_its_bad_rows_counted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "observed.yaml"
    assert run_cli("observe", EXAMPLE / "posts.csv", "--config", EXAMPLE / "export.yaml",
                   "--out", out, "--max-bad-share", 0.01) == 0
    rows = yaml.safe_load(out.read_text())["rows"]
    assert sum(rows["bad"].values()) == len(BAD_ROWS) and rows["used"] > 500
    assert "6 left out" in capsys.readouterr().out
