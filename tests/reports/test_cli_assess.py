"""``sclerostem assess PATIENT.json --format text|json|html|pdf [-o FILE]`` in-process."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sclerostem.cli import app

RUNNER = CliRunner()


def _example(name: str) -> str:
    return str(resources.files("sclerostem") / "data" / "patients" / f"{name}.json")


def _invoke(*args: str):  # type: ignore[no-untyped-def]
    return RUNNER.invoke(app, ["assess", *args, "--assessed-on", "2026-11-25"])


def test_text_to_stdout() -> None:
    result = _invoke(_example("no-right-heart-catheterisation"))
    assert result.exit_code == 0, result.output
    assert "SCOT              undetermined" in result.stdout
    assert "right heart catheterisation with fluid challenge" in result.stdout


def test_json_to_stdout() -> None:
    result = _invoke(_example("scot-eligible"), "--format", "json")
    assert result.exit_code == 0
    d = json.loads(result.stdout)
    assert {v["set_id"]: v["verdict"] for v in d["verdicts"]}["SCOT"] == "eligible"
    assert d["assessed_on"] == "2026-11-25"


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("html", b"<!DOCTYPE html>"),
                                            ("json", b"{"), ("text", b"HSCT candidacy")])
def test_output_file(tmp_path: Path, fmt: str, magic: bytes) -> None:
    out = tmp_path / "sub" / f"report.{fmt}"
    result = _invoke(_example("pulmonary-hypertension"), "-f", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left behind


def test_pdf_to_stdout_is_binary() -> None:
    result = _invoke(_example("limited-cutaneous"), "-f", "pdf")
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(b"%PDF")


def test_missing_file(tmp_path: Path) -> None:
    result = _invoke(str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert result.stderr == (f"error: field 'PATIENT': got '{tmp_path / 'nope.json'}'; allowed: an existing patient "
                             "JSON file (see docs/patient.schema.json).\n")


def test_invalid_field_value(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"lvef_percent": 120}), encoding="utf-8")
    result = _invoke(str(path))
    assert result.exit_code == 2
    assert result.stderr == "error: field 'lvef_percent': got 120; allowed: a number from 5 to 90 (%).\n"


def test_contradiction_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"visit_date": "2026-01-01", "date_first_non_raynaud_symptom": "2026-02-01"}),
                    encoding="utf-8")
    out = tmp_path / "out" / "r.pdf"
    result = _invoke(str(path), "-f", "pdf", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == ("error: field 'date_first_non_raynaud_symptom': got '2026-02-01'; allowed: a date on or "
                             "before visit_date (2026-01-01).\n")
    assert not out.exists()


def test_bad_date_option() -> None:
    result = RUNNER.invoke(app, ["assess", _example("scot-eligible"), "--assessed-on", "25/11/2026"])
    assert result.exit_code == 2
    assert result.stderr == "error: field '--assessed-on': got '25/11/2026'; allowed: a date YYYY-MM-DD.\n"


def test_bad_format_option() -> None:
    result = _invoke(_example("scot-eligible"), "--format", "docx")
    assert result.exit_code == 2


def test_docs_quick_start_output_is_real() -> None:
    """docs/candidacy.md shows a real run: its verdict block must match the command's output."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "candidacy.md").read_text(encoding="utf-8")
    block = doc.split("```console\n$ sclerostem assess src/sclerostem/data/patients/older-man-low-lvef.json "
                      "--assessed-on 2026-11-25\n", 1)[1].split("\nRisks\n", 1)[0]
    result = _invoke(_example("older-man-low-lvef"))
    assert result.exit_code == 0
    assert result.stdout.split("\nRisks\n", 1)[0] == block
