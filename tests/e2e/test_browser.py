"""End-to-end: a clinician's visit in a real browser, and what a researcher may not see.

Runs the app under uvicorn on loopback and drives the system Chromium with
Playwright. Under ``CI=true`` a missing Chromium fails the run (never a skip).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.browser

CLIN = ("clinician", "demo-clinician")
RES = ("researcher", "demo-researcher")


def _csp_errors(page: Any) -> list[str]:
    return [m for m in page.console_messages if "Content Security Policy" in m or "Refused to" in m]


def test_clinician_signs_in_creates_patient_enters_visit_gets_pdf_and_signs_out(live_server, page, tmp_path):
    base = live_server.url
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "Sign in"
    shot(page, "01-sign-in")
    sign_in(page, base, *CLIN)
    assert page.locator("#patient-table tbody tr").count() > 0
    shot(page, "02-patients")

    # create a patient
    page.click("#new-patient")
    page.fill("#f-study_id", "E2E-0001")
    page.fill("#f-name", "Erin Endtoend")
    page.fill("#f-date_of_birth", "1975-04-02")
    page.fill("#f-hospital_number", "E2E-HN-1")
    page.select_option("#f-sex", "female")
    page.select_option("#f-subset", "dcSSc")
    page.fill("#f-first_non_raynaud_date", "2024-01-15")
    page.click("#save-patient")
    page.wait_for_url(re.compile(r".*/patients/\d+$"))
    assert "E2E-0001" in page.locator("h1").inner_text()
    patient_url = page.url

    # visit entry through the body map: clicks cycle 0→1→2, keys 0–3 set and move on
    page.click("#new-visit")
    page.wait_for_selector("#bodymap")
    page.click("#f-mrss_face")                     # 0
    page.click("#f-mrss_face")                     # 1
    page.focus("#f-mrss_fingers_right")
    page.keyboard.type("2231")                     # fingers R 2, L 2, hand R 3, hand L 1
    assert page.locator("#mrss-total").inner_text() == "9 so far"
    page.keyboard.press("Enter")                   # skips forearm R, never submits the form
    page.keyboard.press("Space")                   # forearm L: blank -> 0
    assert page.input_value("#f-mrss_forearm_left") == "0"
    assert page.input_value("#f-mrss_forearm_right") == ""
    assert page.url.endswith("/visits/new")
    page.click("#mrss-fill-zero")                  # every other site graded 0
    assert page.locator("#mrss-total").inner_text() == "9"
    page.fill("#f-fvc_percent_predicted", "68")
    page.fill("#f-dlco_percent_predicted", "55")
    page.fill("#f-crp_mg_dl", "1.4")
    page.select_option("#f-digital_ulcers", "no")
    page.select_option("#f-tendon_friction_rubs", "no")
    page.select_option("#f-skin_worsening_patient_last_month", "yes")
    page.fill("#f-haq_di", "1.125")
    page.fill("#f-karnofsky_percent", "80")        # a candidacy input, stored with the visit
    page.select_option("#f-pulmonary_involvement", "yes")
    page.select_option("#f-kidney_involvement", "no")
    page.locator("#f-haq_di").blur()
    # live scores from the server (HTMX partial): mRSS 9 and the EUSTAR activity index
    # 1.5 (skin worse) + 2.25 (CRP > 1 mg/dL) + 1.0 (DLCO < 70 %) = 4.75 → active (scores.md §3a)
    expect(page.locator("[data-score=eustar_ai]")).to_contain_text("4.75", timeout=20000)
    live = page.locator("#live-score-list").inner_text()
    assert "9" in page.locator("[data-score=mrss]").inner_text()
    assert "active" in page.locator("[data-score=eustar_ai]").inner_text()
    shot(page, "04-visit-entry")
    page.click("#save-visit")
    page.wait_for_url(re.compile(r".*/patients/\d+\?saved=visit$"))
    assert page.locator("#saved-flash").is_visible()
    assert "9" in page.locator("#visits tbody tr").first.inner_text()
    assert live  # the panel had content before saving

    # candidacy page and its PDF
    page.goto(patient_url)
    page.click("#candidacy-link")
    page.wait_for_selector("#verdicts")
    assert page.locator("#verdicts tbody tr").count() >= 5
    inputs = page.locator("#inputs").inner_text()
    assert "80" in page.locator("#inputs tr", has_text="Karnofsky").inner_text()
    assert "Pulmonary involvement" in inputs or "pulmonary involvement" in inputs.lower()
    with page.expect_download() as dl:
        page.click("#candidacy-pdf")
    pdf = tmp_path / "candidacy.pdf"
    dl.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert dl.value.suggested_filename == "candidacy-E2E-0001.pdf"

    # sign out
    page.click("#sign-out")
    page.wait_for_url(re.compile(r".*/login\?signed_out=1$"))
    page.goto(patient_url)
    assert page.locator("h1").inner_text() == "Sign in"  # sent back to sign-in
    assert _csp_errors(page) == []


def test_patient_page_and_other_pages_render_in_the_browser(live_server, page, demo_db):
    from sclerostem.registry import Patient, Transplant

    with demo_db.read_session() as s:
        pid = s.execute(select(Patient.id).join(Transplant).where(
            Patient.centre == "Demo Centre North").order_by(Patient.id)).scalars().first()
    base = live_server.url
    sign_in(page, base, *CLIN)
    page.goto(f"{base}/patients/{pid}")
    for img in page.locator(".plots img").all():
        img.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    widths = page.eval_on_selector_all(".plots img", "els => els.map(e => e.naturalWidth)")
    assert len(widths) == 5
    assert all(w > 0 for w in widths)
    shot(page, "03-patient")
    page.goto(f"{base}/patients/{pid}/candidacy")
    shot(page, "05-candidacy")
    page.goto(f"{base}/evidence")
    shot(page, "07-evidence")
    # tablet layout of the visit form
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{base}/patients/{pid}/visits/new")
    page.focus("#f-mrss_face")
    page.keyboard.type("1")
    shot(page, "08-visit-entry-tablet")
    assert _csp_errors(page) == []


def test_researcher_sees_no_identifying_fields(live_server, page, demo_db):
    from sclerostem.registry import Patient

    with demo_db.read_session() as s:
        people = s.execute(select(Patient.id, Patient.name, Patient.hospital_number)).all()
    base = live_server.url
    sign_in(page, base, *RES)
    html = page.content()
    headers = page.locator("#patient-table thead").inner_text()
    assert "Name" not in headers
    assert "Hospital" not in headers
    for _pid, name, hn in people:
        assert name
        assert name not in html
        assert hn
        assert hn not in html
    pid, name, hn = people[0]
    page.goto(f"{base}/patients/{pid}")
    html = page.content()
    assert name not in html
    assert hn not in html
    assert page.locator("#new-visit").count() == 0
    page.goto(f"{base}/cohort")
    for img in page.locator(".plots img").all():
        img.scroll_into_view_if_needed()
    shot(page, "06-cohort")
    resp = page.request.get(f"{base}/cohort.csv")
    assert resp.ok
    text = resp.text()
    assert text.startswith("study_id,")
    for _pid, name, hn in people:
        assert name not in text
        assert hn not in text
    resp = page.request.get(f"{base}/patients/{pid}/visits/new")
    assert resp.status == 403
