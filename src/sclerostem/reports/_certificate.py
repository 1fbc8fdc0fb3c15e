"""Printable certificate of analysis for a cell-therapy lot (PDF, reportlab)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sclerostem._version import __version__
from sclerostem.cells import LotReleaseReport

__all__ = ["render_certificate_pdf", "render_certificate_text"]

_VERDICT_COLOUR = {"met": colors.HexColor("#1b5e20"), "not met": colors.HexColor("#b71c1c"),
                   "unknown": colors.HexColor("#8a4b00")}


def _fmt(value: object) -> str:
    if value is None:
        return "not reported"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_certificate_text(report: LotReleaseReport) -> str:
    """Plain-text certificate (what ``sclerostem lot check --format text`` prints)."""
    spec = report.spec
    lines = [
        f"Certificate of analysis — lot {report.lot_id}",
        f"Specification: {spec.title} [{spec.name} v{spec.version}; {spec.source}, {spec.spec_ref}]",
        f"Decision: {report.decision.upper()}",
        "",
        f"{'criterion':<28} {'rule':<42} {'result':<16} verdict",
    ]
    for c in report.checks:
        values = ", ".join(_fmt(v) for v in c.components["values"].values())
        flag = "" if c.components["mandatory"] else " (informative)"
        lines.append(f"{c.name:<28} {c.components['rule']:<42} {values:<16} {c.interpretation}{flag}")
    if report.missing:
        lines += ["", "Results missing (block release): " + ", ".join(sorted({p for c in report.missing for p in c.missing}))]
    if spec.kind != "release":
        lines += ["", "Note: identity criteria, not a lot-release specification (msc.md §1.1); the lot is not released by this check."]
    if spec.caveat:
        lines += ["", f"Note: {spec.caveat}"]
    for cav in report.nomenclature:
        lines.append(f"Nomenclature: {cav.message} [{cav.source}, {cav.status.value}]")
    lines += ["", f"sclerostem {__version__}"]
    return "\n".join(lines)


def render_certificate_pdf(report: LotReleaseReport, *, issued: datetime | None = None) -> bytes:
    """One-page A4 certificate of analysis: lot, specification, every criterion, decision."""
    issued = issued or datetime.now(UTC)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Certificate of analysis {report.lot_id}",
                            author=f"sclerostem {__version__}")
    styles = getSampleStyleSheet()
    spec = report.spec
    story = [
        Paragraph(f"Certificate of analysis — lot {report.lot_id}", styles["Title"]),
        Paragraph(f"Specification: <b>{spec.title}</b> ({spec.name}, version {spec.version}); source {spec.source}, {spec.spec_ref}", styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    decision_colour = colors.HexColor("#1b5e20") if report.passed else colors.HexColor("#b71c1c")
    story.append(Paragraph(f'<font color="{decision_colour.hexval()}" size="14"><b>Decision: {report.decision.upper()}</b></font>', styles["Normal"]))
    story.append(Spacer(1, 4 * mm))
    rows = [["Criterion", "Rule", "Result", "Test", "Verdict"]]
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eaf6")),
             ("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    small = styles["BodyText"].clone("small", fontSize=7.5, leading=9)
    for i, c in enumerate(report.checks, start=1):
        values = ", ".join(_fmt(v) for v in c.components["values"].values())
        verdict = (c.interpretation or "") + ("" if c.components["mandatory"] else " (informative)")
        rows.append([c.name, Paragraph(c.components["rule"], small), values, Paragraph(c.components["test"], small), verdict])
        style.append(("TEXTCOLOR", (4, i), (4, i), _VERDICT_COLOUR.get(c.interpretation or "", colors.black)))
    table = Table(rows, colWidths=[38 * mm, 45 * mm, 25 * mm, 50 * mm, 22 * mm], repeatRows=1)
    table.setStyle(TableStyle(style))
    story.append(table)
    notes = []
    if report.missing:
        notes.append("Results missing (block release): " + ", ".join(sorted({p for c in report.missing for p in c.missing})))
    if spec.kind != "release":
        notes.append("Identity criteria, not a lot-release specification (msc.md §1.1): the lot is not released by this check.")
    if spec.caveat:
        notes.append(spec.caveat)
    notes += [f"Nomenclature: {c.message} [{c.source}, {c.status.value}]" for c in report.nomenclature]
    for n in notes:
        story += [Spacer(1, 3 * mm), Paragraph(n, styles["Normal"])]
    story += [Spacer(1, 8 * mm), Paragraph(
        f"Issued {issued:%Y-%m-%d %H:%M} UTC by sclerostem {__version__}. Reviewed and released by: ____________________  Date: ________",
        styles["Normal"])]
    doc.build(story)
    return buf.getvalue()
