"""``sclerostem score``: CSV/Parquet in and out, errors, atomic output (in-process CliRunner)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from sclerostem.cli import app
from sclerostem.cli._scores import read_table
from sclerostem.scores import score_table
from tests.scores._example_builder import EXAMPLE_PATH

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_scores_example_csv_to_csv(tmp_path: Path):
    out = tmp_path / "scored.csv"
    result = run("score", str(EXAMPLE_PATH), "-o", str(out))
    assert result.exit_code == 0, result.output
    expected = score_table(read_table(EXAMPLE_PATH))
    added = expected.width - read_table(EXAMPLE_PATH).width
    assert result.output == f"scored 12 visits: {added} score columns added -> {out}\n"
    scored = pl.read_csv(out)
    assert scored.height == 12
    assert scored["mrss_total"].to_list() == expected["mrss_total"].to_list()
    assert scored["acr_eular_2013_status"].to_list() == expected["acr_eular_2013_status"].to_list()
    assert scored["eustar_ai"].to_list() == expected["eustar_ai"].to_list()


def test_parquet_in_and_out(tmp_path: Path):
    src = tmp_path / "visits.parquet"
    read_table(EXAMPLE_PATH).write_parquet(src)
    out = tmp_path / "scored.parquet"
    result = run("score", str(src), "--output", str(out))
    assert result.exit_code == 0, result.output
    got = pl.read_parquet(out)
    assert got.equals(score_table(pl.read_parquet(src)))


def _error(result) -> str:
    assert result.exit_code == 2
    return result.stderr


def test_bad_cell_exit_2_and_nothing_written(tmp_path: Path):
    src = tmp_path / "visits.csv"
    src.write_text("patient_id,crp_mg_dl\nP1,0.5\nP2,-1\n")
    out = tmp_path / "scored.csv"
    result = run("score", str(src), "-o", str(out))
    assert _error(result) == (
        "error: row 2, field 'crp_mg_dl': got -1.0; allowed: a number from 0 to 50 (mg/dL).\n"
    )
    assert list(tmp_path.iterdir()) == [src]  # no output, no temporary file left


def test_existing_output_untouched_on_error(tmp_path: Path):
    src = tmp_path / "visits.csv"
    src.write_text("mrss_face\n4\n")
    out = tmp_path / "scored.csv"
    out.write_text("previous content\n")
    result = run("score", str(src), "-o", str(out))
    assert _error(result) == (
        "error: row 1, field 'mrss_face': got 4; allowed: a whole number from 0 to 3 (grade).\n"
    )
    assert out.read_text() == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scored.csv", "visits.csv"]


def test_unknown_column(tmp_path: Path):
    src = tmp_path / "visits.csv"
    src.write_text("patient_id,crp_mg_l\nP1,14\n")
    result = run("score", str(src), "-o", str(tmp_path / "o.csv"))
    assert _error(result) == (
        "error: field 'column': got 'crp_mg_l'; allowed: a column listed in docs/scores.md, "
        "section 'Visits table columns' (or run `sclerostem score --list-columns`).\n"
    )
    assert not (tmp_path / "o.csv").exists()


def test_wrong_type_cell(tmp_path: Path):
    src = tmp_path / "visits.csv"
    src.write_text("dlco_percent_predicted\n62\nsixty\n")
    result = run("score", str(src), "-o", str(tmp_path / "o.csv"))
    assert _error(result) == (
        "error: row 2, field 'dlco_percent_predicted': got 'sixty'; allowed: a number from 0 to "
        "200 (% predicted).\n"
    )


def test_consistency_error(tmp_path: Path):
    src = tmp_path / "visits.csv"
    src.write_text("visit_date,first_non_raynaud_symptom_date\n2024-01-01,2025-01-01\n")
    result = run("score", str(src), "-o", str(tmp_path / "o.csv"))
    assert _error(result) == (
        "error: row 1, field 'first_non_raynaud_symptom_date': got '2025-01-01'; allowed: a date "
        "on or before the visit date 2024-01-01.\n"
    )


def test_missing_input_file(tmp_path: Path):
    missing = tmp_path / "nope.csv"
    result = run("score", str(missing), "-o", str(tmp_path / "o.csv"))
    assert _error(result) == (
        f"error: field 'VISITS': got {str(missing)!r}; allowed: an existing file ending in .csv "
        "or .parquet.\n"
    )


@pytest.mark.parametrize(("args", "message"), [
    (("visits.xlsx", "-o", "o.csv"),
     "error: field 'VISITS': got 'visits.xlsx'; allowed: a path ending in .csv or .parquet.\n"),
    (("visits.csv", "-o", "o.json"),
     "error: field '--output': got 'o.json'; allowed: a path ending in .csv or .parquet.\n"),
    (("visits.csv",),
     "error: field '--output': got None; allowed: a path ending in .csv or .parquet.\n"),
])
def test_bad_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "visits.csv").write_text("crp_mg_dl\n1\n")
    assert _error(run("score", *args)) == message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visits.csv"]


def test_malformed_csv(tmp_path: Path):
    src = tmp_path / "visits.csv"
    src.write_text('crp_mg_dl,dlco_percent_predicted\n1,2\n"3,4\n')
    result = run("score", str(src), "-o", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: field 'VISITS': got {str(src)!r}; allowed: a readable csv file")


def test_list_columns():
    result = run("score", "--list-columns")
    assert result.exit_code == 0
    assert result.output.startswith("| Column | Kind | Unit | Allowed | Read by | Meaning |\n")
    assert "| `crp_mg_dl` | float | mg/dL | a number from 0 to 50 (mg/dL) | EUSTAR-AI 2017 |" in result.output


def test_progress_shown_for_big_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import sclerostem.cli._scores as cli_scores

    monkeypatch.setattr(cli_scores, "PROGRESS_MIN_ROWS", 5)
    src = tmp_path / "visits.csv"
    src.write_text("crp_mg_dl\n" + "0.5\n" * 12)
    out = tmp_path / "scored.parquet"
    result = run("score", str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out).height == 12


def test_fractional_grade_in_csv(tmp_path: Path):
    # an int column holding "2.5" cannot be read as a whole number: reported as text, with its row
    src = tmp_path / "visits.csv"
    src.write_text("mrss_face\n1\n2.5\n")
    result = run("score", str(src), "-o", str(tmp_path / "o.csv"))
    assert _error(result) == (
        "error: row 2, field 'mrss_face': got '2.5'; allowed: a whole number from 0 to 3 (grade).\n"
    )
