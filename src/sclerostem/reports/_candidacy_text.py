"""Candidacy report as plain text (``sclerostem assess --format text``)."""

from __future__ import annotations

from sclerostem.reports._candidacy_context import build_context
from sclerostem.rules import Assessment

__all__ = ["render_candidacy_text"]


def render_candidacy_text(assessment: Assessment) -> str:
    """Render the verdicts, the failed and unknown rules, missing tests, risks and evidence as text.

    Parameters
    ----------
    assessment : Assessment
        From :func:`sclerostem.rules.assess`.
    """
    ctx = build_context(assessment, with_png=False)
    lines = [
        f"HSCT candidacy assessment: {ctx.patient_label} (visit {ctx.visit_date})",
        f"assessed {ctx.assessed_on} · sclerostem {ctx.software_version} · criteria sets: "
        + ", ".join(f"{i} v{v}" for i, v in ctx.criteria_versions),
        "",
        "Verdicts",
    ]
    width = max(len(v["id"]) for v in ctx.overview)
    for st in ctx.sets:
        lines.append(f"  {st['id']:<{width}}  {st['verdict']}")
        for r in st["rules"]:
            if r["interpretation"] == "met":
                continue
            mark = "x" if r["css"] == "bad" else "!" if r["css"] == "warn" else "?"
            detail = f"{r['condition']}"
            if r["patient_values"]:
                detail += f" [patient: {r['patient_values']}]"
            lines.append(f"  {'':<{width}}    {mark} {r['id']}: {detail} ({r['finding'] or r['interpretation']}; {r['status']}, {r['source']})")
            for alt in r["conflict"]:
                lines.append(f"  {'':<{width}}        conflicting source: {alt}")
    lines += ["", "Missing tests"]
    if ctx.missing:
        for m in ctx.missing:
            lines.append(f"  {m['examination']}: {', '.join(m['parameters'])} (needed by {', '.join(m['sets'])})")
    else:
        lines.append("  none")
    lines += ["", "Risks"]
    for r in ctx.risks:
        lines.append(f"  {r['title']}: {r['finding']}" + (f" — {r['numbers']}" if r["numbers"] else "")
                     + f" [{r['sources']}]")
    lines += ["", "Evidence"]
    if ctx.icons:
        lines += [f"  {i.sentence} [{i.source}]" for i in ctx.icons]
    if not ctx.evidence:
        lines.append("  The patient matches none of the randomised-trial populations (ASSIST, ASTIS, SCOT).")
    else:
        lines.append("  Trial results shown in the HTML/PDF report for: " + ", ".join(e["study"] for e in ctx.evidence))
    lines += ["", "Legend: x failed (not eligible), ! failed (multidisciplinary review, or an UNCONFIRMED "
              "threshold to review), ? unknown."]
    return "\n".join(lines) + "\n"
