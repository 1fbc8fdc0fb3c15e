"""CLI: sclerostem lot check / graft dose, in-process."""

import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sclerostem.cli import app
from tests.conftest import require_or_skip

runner = CliRunner()
EXAMPLE = Path(str(resources.files("sclerostem") / "data" / "lots" / "wj-msc-example.json"))


def test_lot_check_text_releasable() -> None:
    res = runner.invoke(app, ["lot", "check", str(EXAMPLE), "--spec", "wj-msc-msctc-0010"])
    assert res.exit_code == 0, res.output
    assert "Decision: RELEASABLE" in res.output


def test_lot_check_json_not_releasable_exit_1() -> None:
    res = runner.invoke(app, ["lot", "check", str(EXAMPLE), "--spec", "isct-2006", "--format", "json"])
    assert res.exit_code == 1
    out = json.loads(res.stdout)
    assert out["decision"] == "does not meet identity criteria"
    assert out["releasable"] is False
    assert out["failed"] == ["cd105_positive"]  # 93.4 % < 95 % (Dominici 2006)
    assert out["missing_results"] == ["plastic_adherent", "trilineage_differentiation"]


def test_lot_check_pdf_atomic_and_renders(tmp_path: Path) -> None:
    out = tmp_path / "coa.pdf"
    res = runner.invoke(app, ["lot", "check", str(EXAMPLE), "--spec", "wj-msc-msctc-0010", "--format", "pdf", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes().startswith(b"%PDF")
    require_or_skip(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 1000


def test_lot_check_bad_input_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "lot.json"
    bad.write_text(json.dumps({"lot_id": "x", "viability_percent": -3}))
    out = tmp_path / "coa.pdf"
    res = runner.invoke(app, ["lot", "check", str(bad), "--spec", "isct-2006", "--format", "pdf", "-o", str(out)])
    assert res.exit_code == 2
    assert "error: field 'viability_percent': got -3; allowed: a number from 0 to 100 (%)." in res.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_graft_dose_cli() -> None:
    res = runner.invoke(app, ["graft", "dose", "--weight-kg", "70", "--cd34", "2.1e8", "--cd34", "1.4e8", "--target", "5e6", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["value"] == pytest.approx(5e6)
    assert out["interpretation"] == "target reached"


def test_graft_dose_zero_weight() -> None:
    res = runner.invoke(app, ["graft", "dose", "--weight-kg", "0", "--cd34", "2e8"])
    assert res.exit_code == 2
    assert "field 'weight_kg': got 0.0; allowed: a number from 1 to 300 (kg)." in res.output


def test_graft_volume_cli() -> None:
    res = runner.invoke(app, ["graft", "volume", "--weight-kg", "70", "--target", "5e6", "--pb-cd34-per-ul", "40", "--ce-percent", "50"])
    assert res.exit_code == 0, res.output
    assert "17,500 mL" in res.output
