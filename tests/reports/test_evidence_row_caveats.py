"""Evidence-row caveats (sclerostem.evidence OutcomeRow.caveats) are shown in the candidacy reports."""

from __future__ import annotations

from sclerostem.reports import render_candidacy_html
from sclerostem.reports._candidacy_context import build_context
from sclerostem.rules import assess
from tests.rules._base import ASSESSED_ON, example


def test_astis_panel_and_scot_population_caveats_are_shown() -> None:
    """hsct.md C3 (ASTIS Figure 2 panels inferred) and C2 (SCOT 72-month KM population per-protocol [D])."""
    a = assess(example("scot-eligible"), assessed_on=ASSESSED_ON)
    ctx = build_context(a, with_png=False)
    by_study = {e["study"]: e["rows"] for e in ctx.evidence}
    astis = [r for r in by_study["ASTIS"] if r["row_caveats"]]
    assert len(astis) == 1
    assert astis[0]["caveats"][0].startswith("ASTIS hazard ratios:")
    assert sum(bool(r["caveats"]) for r in by_study["ASTIS"]) == 10  # every HR row carries it
    scot_km = [r for r in by_study["SCOT"] if r["time"] == "72 months" and r["population"].startswith("PP")]
    assert [r["population"] for r in scot_km] == ["PP [D]", "PP [D]"]
    starts = {cv["message"][:20] for cv in ctx.caveats}
    assert {"ASTIS hazard ratios:", "SCOT 72-month Kaplan"} <= starts
    html = render_candidacy_html(a)
    assert html.count("which legend panel is event-free survival") >= 2  # evidence table + caveats section
