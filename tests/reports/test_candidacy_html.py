"""HTML candidacy report: every section, every rule, date, version and criteria-set versions."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sclerostem._version import __version__
from sclerostem.reports import render_candidacy_html, render_candidacy_text
from sclerostem.rules import criteria_sets
from tests.rules._base import ASSESSED_ON, run


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.imgs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if d.get("id"):
            self.ids.append(str(d["id"]))
        if tag == "img":
            self.imgs.append(str(d.get("src", "")))


def _parse(html: str) -> _Ids:
    p = _Ids()
    p.feed(html)
    return p


def test_html_has_all_sections_and_rules() -> None:
    html = render_candidacy_html(run())
    parsed = _parse(html)
    for section in ("patient", "verdicts", "missing", "rules", "risks", "evidence"):
        assert section in parsed.ids
    for cs in criteria_sets():
        assert f"set-{cs.id}" in parsed.ids
        assert f"{cs.id} v{cs.version}" in html
        for rule in cs.rules:
            assert "." + rule.id.split(".", 1)[1] in html
    assert ASSESSED_ON.isoformat() in html
    rules = html.split('id="rules"', 1)[1]
    assert "LVEF: 62 %" in rules  # the patient's value next to each rule
    assert "built-in method" not in html
    assert f"sclerostem {__version__}" in html
    assert "Of 100 patients like those in SCOT (per-protocol), 79 were alive without organ failure at 54 months " \
           "with HSCT vs 50 with cyclophosphamide." in html  # hsct.md C6: EFS 79 % vs 50 % at 54 months [P]
    assert any(src.startswith("data:image/png;base64,") for src in parsed.imgs)
    assert "6.30 % (95 % CI 4.21-8.38)" in html  # Higashitani-2023, hsct.md D2


def test_html_escapes_patient_text() -> None:
    html = render_candidacy_html(run(patient_label="<script>x</script>"))
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_html_for_undetermined_patient_lists_missing_tests() -> None:
    html = render_candidacy_html(run("no-right-heart-catheterisation"))
    missing = html.split('id="missing"', 1)[1].split("</section>", 1)[0]
    assert "right heart catheterisation with fluid challenge" in missing
    assert "RHC mPAP at rest" in missing


def test_limited_patient_has_no_trial_evidence_or_icons() -> None:
    html = render_candidacy_html(run("limited-cutaneous"))
    assert "matches none of the randomised-trial populations" in html
    assert not _parse(html).imgs


def test_text_report_lists_failed_rules_with_values() -> None:
    text = render_candidacy_text(run("pulmonary-hypertension"))
    assert re.search(r"x SCOT\.pulmonary_hypertension: exclude if echo PASP > 55 mmHg .*\[patient: echo PASP: 58 mmHg",
                     text)
    assert "Legend: x failed" in text
