"""Candidacy report as a PDF a clinician can file (reportlab)."""

from __future__ import annotations

import io
from html import escape
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from sclerostem.reports._candidacy_context import ReportContext, build_context
from sclerostem.rules import Assessment

__all__ = ["render_candidacy_pdf"]

_FILL = {
    "ok": colors.HexColor("#e3f1e4"),
    "bad": colors.HexColor("#f8dddd"),
    "warn": colors.HexColor("#fdf0d5"),
    "unknown": colors.HexColor("#fff5cc"),
    "neutral": colors.HexColor("#f4f4f4"),
}
_GRID = colors.HexColor("#b0b0b0")
_HEAD = colors.HexColor("#e6e6e6")
_PAGE_W, _PAGE_H = A4
_MARGIN = 14 * mm
_WIDTH = _PAGE_W - 2 * _MARGIN


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=8.5, leading=10.5)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=17, leading=20, alignment=TA_LEFT,
                                spaceAfter=2),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=12.5, leading=15, spaceBefore=8,
                             spaceAfter=4, textColor=colors.HexColor("#1a1a1a")),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontSize=10, leading=12, spaceBefore=6, spaceAfter=2),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7, leading=8.6, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.2, leading=8.6),
        "cellb": ParagraphStyle("cellb", parent=body, fontSize=7.2, leading=8.6, fontName="Helvetica-Bold"),
        "caveat": ParagraphStyle("caveat", parent=body, fontSize=7, leading=8.6,
                                 textColor=colors.HexColor("#7a4b00")),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(rows: list[list[Any]], widths: list[float], *, header: bool = True,
           fills: list[tuple[int, int, str]] | None = None, extra: list[tuple[Any, ...]] | None = None) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), _HEAD))
    for col, row, css in fills or []:
        style.append(("BACKGROUND", (col, row), (col, row), _FILL[css]))
    style.extend(extra or [])
    t.setStyle(TableStyle(style))
    return t


def _summary_table(ctx: ReportContext, s: dict[str, ParagraphStyle]) -> Table:
    """Patient summary: the groups laid out in two columns of label/value pairs."""
    cells: list[list[Any]] = []
    heading_of: list[str] = []
    for g in ctx.summary:
        cells.append([_p(g["heading"], s["cellb"]), ""])
        heading_of.append(g["heading"])
        for row in g["rows"]:
            value = row["value"] + (f" ({row['how']})" if row["how"] else "")
            cells.append([_p(row["label"], s["cell"]), _p(value, s["cell"])])
            heading_of.append(g["heading"])
    half = (len(cells) + 1) // 2
    # do not split a heading from its first row
    while 0 < half < len(cells) and cells[half - 1][1] == "":
        half += 1
    left, right = cells[:half], cells[half:]
    if right and right[0][1] != "":  # right column starts inside a group: repeat its heading
        right.insert(0, [_p(heading_of[half] + " (continued)", s["cellb"]), ""])
        if len(right) > len(left):
            left.append(["", ""])
    right += [["", ""]] * (len(left) - len(right))
    rows = [[*a, *b] for a, b in zip(left, right, strict=True)]
    extra: list[tuple[Any, ...]] = []
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        if a[1] == "" and a[0] != "":
            extra += [("SPAN", (0, i), (1, i)), ("BACKGROUND", (0, i), (1, i), _HEAD)]
        if b[1] == "" and b[0] != "":
            extra += [("SPAN", (2, i), (3, i)), ("BACKGROUND", (2, i), (3, i), _HEAD)]
    w = _WIDTH / 2
    return _table(rows, [w * 0.6, w * 0.4, w * 0.6, w * 0.4], header=False, extra=extra)


def _footer(ctx: ReportContext) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(_MARGIN, 9.5 * mm, f"HSCT candidacy · {ctx.patient_label} · assessed {ctx.assessed_on} · "
                          f"sclerostem {ctx.software_version}")
        canvas.drawString(_MARGIN, 6.5 * mm, "Criteria sets: "
                          + ", ".join(f"{i} v{v}" for i, v in ctx.criteria_versions))
        canvas.drawRightString(_PAGE_W - _MARGIN, 9.5 * mm, f"page {doc.page}")
        canvas.restoreState()

    return draw


def render_candidacy_pdf(assessment: Assessment) -> bytes:
    """Render the HSCT candidacy report as a PDF document.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sclerostem.rules.assess`.

    Returns
    -------
    bytes
        The PDF (starts with ``%PDF``): patient summary, verdicts, missing
        tests, every rule of every set, risks, evidence with icon arrays, and
        the date, software version and criteria-set versions on every page.
    """
    ctx = build_context(assessment, with_png=True)
    s = _styles()
    story: list[Any] = []
    story.append(Paragraph(escape(ctx.title), s["title"]))
    story.append(_p(f"Patient: {ctx.patient_label} · visit {ctx.visit_date} · assessed {ctx.assessed_on} · "
                    f"sclerostem {ctx.software_version}", s["body"]))
    story.append(_p("Criteria sets: " + ", ".join(f"{i} version {v}" for i, v in ctx.criteria_versions),
                    s["small"]))
    story.append(_p("Decision support, not a decision. Every rule shows its source key (shared/spec/hsct.md) and "
                    "status: confirmed = read in the primary source; secondary = read only in a review; "
                    "unconfirmed = not checked against the primary text. Nothing missing is assumed normal.",
                    s["small"]))

    story.append(Paragraph("Verdicts", s["h2"]))
    rows: list[list[Any]] = [[_p(h, s["cellb"]) for h in ("Criteria set", "Version", "Verdict", "Reason")]]
    fills = []
    for i, v in enumerate(ctx.overview, start=1):
        rows.append([_p(f"{v['title']} ({v['id']})", s["cell"]), _p(v["version"], s["cell"]),
                     _p(v["verdict"], s["cellb"]), _p(v["summary"], s["cell"])])
        fills.append((2, i, v["css"]))
    story.append(_table(rows, [_WIDTH * 0.3, _WIDTH * 0.07, _WIDTH * 0.12, _WIDTH * 0.51], fills=fills))

    story.append(Paragraph("Missing tests", s["h2"]))
    if ctx.missing:
        rows = [[_p(h, s["cellb"]) for h in ("Examination", "Would provide", "Needed by")]]
        for m in ctx.missing:
            rows.append([_p(m["examination"], s["cell"]), _p(", ".join(m["parameters"]), s["cell"]),
                         _p(", ".join(m["sets"]), s["cell"])])
        story.append(_table(rows, [_WIDTH * 0.3, _WIDTH * 0.45, _WIDTH * 0.25]))
    else:
        story.append(_p("None: every rule of every criteria set could be decided.", s["body"]))

    story.append(Paragraph("Patient summary", s["h2"]))
    story.append(_summary_table(ctx, s))

    story.append(CondPageBreak(60 * mm))
    story.append(Paragraph("Risks", s["h2"]))
    story.append(_p("Published risk factors and treatment-related mortality with their sources. No risk score is "
                    "computed: the published abstracts give no effect sizes that would allow one.", s["small"]))
    rows = [[_p(h, s["cellb"]) for h in ("Factor", "This patient", "Published evidence", "Source")]]
    fills = []
    for i, r in enumerate(ctx.risks, start=1):
        text = r["statement"] + (("\n" + r["numbers"]) if r["numbers"] else "")
        cell: list[Any] = [_p(text.strip(), s["cell"])]
        cell += [_p(cv, s["caveat"]) for cv in r["caveats"]]
        finding_style = s["small"] if len(r["finding"]) > 80 else s["cell"]
        rows.append([_p(r["title"], s["cell"]), _p(r["finding"], finding_style), cell, _p(r["sources"], s["small"])])
        fills.append((1, i, r["css"]))
    story.append(_table(rows, [_WIDTH * 0.15, _WIDTH * 0.25, _WIDTH * 0.43, _WIDTH * 0.17], fills=fills))

    heading: list[Any] = [Paragraph("Evidence", s["h2"])]
    if ctx.evidence:
        heading.append(_p("Results of the randomised trials whose population the patient matches (or may match: "
                          "verdict undetermined), from the evidence dataset (shared/spec/hsct.md §C).", s["small"]))
        for n, e in enumerate(ctx.evidence):
            rows = [[_p(h, s["cellb"]) for h in ("Outcome", "Time", "Pop.", "HSCT", "Cyclophosphamide",
                                                 "Effect", "Status")]]
            for r in e["rows"]:
                rows.append([[_p(r["outcome"], s["cell"]), *(_p(cv, s["caveat"]) for cv in r["row_caveats"])],
                             _p(r["time"], s["cell"]), _p(r["population"], s["cell"]),
                             _p(r["hsct"], s["cell"]), _p(r["control"], s["cell"]), _p(r["effect"], s["cell"]),
                             _p(r["status"], s["cell"])])
            block = [Paragraph(escape(f"{e['study']} (patient: {e['verdict']})"), s["h3"]),
                     _table(rows, [_WIDTH * w for w in (0.25, 0.14, 0.06, 0.13, 0.15, 0.17, 0.10)])]
            # the section heading stays with the first trial's table
            story.append(KeepTogether(heading + block if n == 0 else block))
    else:
        heading.append(_p("The patient matches none of the randomised-trial populations (ASSIST, ASTIS, SCOT): "
                          "their results do not describe patients like this one.", s["body"]))
        story.extend(heading)
    for icon in ctx.icons:
        img = Image(io.BytesIO(icon.png))
        scale = min(1.0, (_WIDTH * 0.62) / img.drawWidth)
        img.drawWidth *= scale
        img.drawHeight *= scale
        story.append(KeepTogether([Paragraph(escape(icon.sentence), s["h3"]), img]))

    story.append(CondPageBreak(50 * mm))
    story.append(Paragraph("Rules, set by set", s["h2"]))
    for st in ctx.sets:
        rows = [[_p(h, s["cellb"]) for h in ("Rule", "Criterion", "Patient", "Result", "Status", "Source")]]
        fills = []
        for i, r in enumerate(st["rules"], start=1):
            crit: list[Any] = [_p(r["condition"], s["cell"])]
            if r["mdt"]:
                reason = f" ({r['review_reason']})" if r["review_reason"] else ""
                crit.append(_p("failing it calls for multidisciplinary review" + reason, s["small"]))
            if r["unconfirmed_failure"]:
                crit.append(_p("not met under an UNCONFIRMED threshold: review against the primary source "
                               "(not a reason for \"not eligible\")", s["caveat"]))
            crit += [_p("conflicting source: " + alt, s["caveat"]) for alt in r["conflict"]]
            if r["note"]:
                crit.append(_p(r["note"], s["small"]))
            patient: list[Any] = [_p(r["patient_values"], s["cell"])]
            if r["missing"]:
                patient.append(_p("missing: " + "; ".join(r["missing"]), s["small"]))
            rows.append([[_p(r["short_id"], s["cellb"]), _p(r["title"], s["small"])], crit, patient,
                         [_p(r["interpretation"], s["cellb"]), _p(r["finding"], s["small"])],
                         _p(r["status"], s["cell"]), _p(r["source"], s["small"])])
            fills.append((3, i, r["css"]))
        head = Paragraph(escape(f"{st['title']} ({st['id']}, version {st['version']}) — {st['verdict']}"), s["h3"])
        story.append(CondPageBreak(40 * mm))
        story.append(head)
        if st["description"]:
            story.append(_p(st["description"], s["small"]))
        story.append(_table(rows, [_WIDTH * w for w in (0.18, 0.29, 0.19, 0.1, 0.1, 0.14)], fills=fills))

    if ctx.caveats:
        story.append(CondPageBreak(30 * mm))
        story.append(Paragraph("Caveats", s["h2"]))
        for cv in ctx.caveats:
            story.append(_p(f"[{cv['status']}] {cv['message']}", s["caveat"]))
            story.append(Spacer(1, 1.5 * mm))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=12 * mm,
                            bottomMargin=14 * mm, title=f"{ctx.title} — {ctx.patient_label}",
                            author=f"sclerostem {ctx.software_version}", subject="HSCT candidacy assessment",
                            creator=f"sclerostem {ctx.software_version}")
    footer = _footer(ctx)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
