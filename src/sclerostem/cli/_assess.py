"""CLI commands of the assess capability: ``sclerostem assess PATIENT.json``."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sclerostem.cli._common import atomic_path, fail_on_input_error
from sclerostem.errors import InputError

if TYPE_CHECKING:
    from sclerostem.rules import Assessment, Patient

__all__ = ["register"]


class ReportFormat(StrEnum):
    """Output formats of ``sclerostem assess``."""

    text = "text"
    json = "json"
    html = "html"
    pdf = "pdf"


def _read_patient(path: Path) -> Patient:
    from sclerostem.rules import patient_from_json

    if not path.is_file():
        raise InputError("PATIENT", str(path), "an existing patient JSON file (see docs/patient.schema.json)")
    return patient_from_json(path.read_bytes())


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError("--assessed-on", text, "a date YYYY-MM-DD") from None


def _render(fmt: ReportFormat, assessment: Assessment) -> bytes:
    from sclerostem.reports import (
        render_candidacy_html,
        render_candidacy_pdf,
        render_candidacy_text,
    )

    if fmt is ReportFormat.pdf:
        return render_candidacy_pdf(assessment)
    if fmt is ReportFormat.html:
        return render_candidacy_html(assessment).encode("utf-8")
    if fmt is ReportFormat.json:
        return (json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return render_candidacy_text(assessment).encode("utf-8")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root application."""

    @app.command("assess")
    def assess_command(
        patient: Path = typer.Argument(..., help="Patient JSON file (format: docs/patient.schema.json)."),
        fmt: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f", help="Output format."),
        output: Path | None = typer.Option(None, "--output", "-o",
                                           help="Write the report to this file (whole or not at all)."),
        assessed_on: str | None = typer.Option(None, "--assessed-on",
                                               help="Date printed on the report, YYYY-MM-DD (default: today)."),
    ) -> None:
        """Assess a patient's HSCT candidacy against guideline and trial criteria sets."""

        def run() -> None:
            from sclerostem.rules import assess

            when = _parse_date(assessed_on)
            data = _render(fmt, assess(_read_patient(patient), assessed_on=when))
            if output is None:
                if fmt is ReportFormat.pdf:
                    sys.stdout.buffer.write(data)
                    sys.stdout.buffer.flush()
                else:
                    typer.echo(data.decode("utf-8"), nl=False)
                return
            with atomic_path(output) as tmp:
                tmp.write_bytes(data)
            typer.echo(f"wrote {output}", err=True)

        fail_on_input_error(run)
