"""PDF candidacy report: valid PDF that poppler can rasterise, with the report's text inside."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sclerostem.reports import render_candidacy_pdf
from tests.conftest import require_or_skip
from tests.rules._base import run


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return render_candidacy_pdf(run())


def test_pdf_magic(pdf_bytes: bytes) -> None:
    assert pdf_bytes.startswith(b"%PDF")
    assert pdf_bytes.rstrip().endswith(b"%%EOF")


def test_pdftoppm_converts_every_page(pdf_bytes: bytes, tmp_path: Path) -> None:
    require_or_skip(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils)")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pages)


def test_pdf_text_has_sections_and_versions(pdf_bytes: bytes, tmp_path: Path) -> None:
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(pdf_bytes)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=120).stdout
    for heading in ("HSCT candidacy assessment", "Verdicts", "Missing tests", "Patient summary", "Risks",
                    "Evidence", "Rules, set by set"):
        assert heading in text
    assert "assessed 2026-11-25" in text
    assert "SCOT v1" in text
    assert "Of 100 patients like those in SCOT" in text


def test_pdf_for_every_example_renders() -> None:
    for name in ("limited-cutaneous", "no-right-heart-catheterisation", "duration-between-sources"):
        assert render_candidacy_pdf(run(name)).startswith(b"%PDF")


def test_pdf_embeds_one_icon_array_per_trial_with_efs(pdf_bytes: bytes, tmp_path: Path) -> None:
    """scot-eligible matches ASSIST, ASTIS and SCOT; ASSIST has no two-arm EFS rows -> 2 icon arrays."""
    require_or_skip(shutil.which("pdfimages") is not None, "pdfimages (poppler-utils)")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(pdf_bytes)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True,
                             timeout=120).stdout
    rgb_images = [ln for ln in listing.splitlines()[2:] if " image " in ln and " rgb " in ln]
    assert len(rgb_images) == 2
