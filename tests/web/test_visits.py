"""Visit entry: body map, live scores (HTMX partial), validation next to the field, saving."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from sclerostem import registry
from sclerostem.web._bodymap import MRSS_SITES
from tests.web.conftest import csrf_of, patient_id, sign_in

#: scores.md §1 worked example (constructed): fingers R/L 2, hands R/L 1,
#: forearms R/L 1, face 1, all other sites 0 -> mRSS 9.
MRSS_9 = {"face": 1, "fingers_right": 2, "fingers_left": 2, "hand_dorsum_right": 1,
          "hand_dorsum_left": 1, "forearm_right": 1, "forearm_left": 1}
#: 17 grades summing to 22 (for the EUSTAR-AI worked example, scores.md §3a).
MRSS_22 = {"face": 2, "anterior_chest": 1, "abdomen": 1, "fingers_right": 3, "fingers_left": 3,
           "hand_dorsum_right": 2, "hand_dorsum_left": 2, "forearm_right": 2, "forearm_left": 2,
           "upper_arm_right": 1, "upper_arm_left": 1, "thigh_right": 1, "thigh_left": 1}


def _grades(spec: dict[str, int]) -> dict[str, str]:
    return {f"mrss_{s}": str(spec.get(s, 0)) for s in registry.MRSS_SITES}


def _form(client, pid: int) -> str:
    return csrf_of(client.get(f"/patients/{pid}/visits/new").text)


def test_body_map_has_the_17_registry_sites_each_positioned_in_css():
    assert len(MRSS_SITES) == 17
    assert tuple(s.key for s in MRSS_SITES) == registry.MRSS_SITES
    css = (Path(__file__).resolve().parents[2] / "src/sclerostem/web/static/style.css").read_text()
    for s in MRSS_SITES:
        assert re.search(rf"\.site-{s.position} {{ left: [\d.]+%; top: [\d.]+%; }}", css), s.position
    assert len({s.position for s in MRSS_SITES}) == 17


def test_visit_form_renders_the_body_map(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    r = client.get(f"/patients/{pid}/visits/new")
    assert r.template.name == "visit_form.html"
    assert [s.field for s in r.context["sites"]] == [f"mrss_{s}" for s in registry.MRSS_SITES]
    assert r.text.count('class="site-input"') == 17
    assert '<script src="/static/bodymap.js" defer></script>' in r.text
    # the previous visit is the baseline for CRISS; no value typed yet
    live = {s.key: s for s in r.context["live"]}
    assert live["mrss"].result.value is None


def test_preview_computes_mrss_of_the_worked_example(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    token = _form(client, pid)
    r = client.post(f"/patients/{pid}/visits/preview",
                    data={"csrf_token": token, "visit_date": "2022-01-10", **_grades(MRSS_9)})
    assert r.template.name == "_live_scores.html"
    live = {s.key: s for s in r.context["live"]}
    assert live["mrss"].result.value == 9
    assert r.context["errors"] == {}
    assert '<span class="score-value">9</span>' in r.text


def test_preview_eustar_worked_example_is_active(client, db):
    """scores.md §3a: Δ-skin yes, mRSS 22, no DU, no TFR, CRP 0.5 mg/dL, DLCO 62 % -> 4.0, active."""
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    token = _form(client, pid)
    data = {"csrf_token": token, "visit_date": "2022-01-10", **_grades(MRSS_22),
            "skin_worsening_patient_last_month": "yes", "digital_ulcers": "no",
            "tendon_friction_rubs": "no", "crp_mg_dl": "0.5", "dlco_percent_predicted": "62"}
    r = client.post(f"/patients/{pid}/visits/preview", data=data)
    live = {s.key: s for s in r.context["live"]}
    assert live["mrss"].result.value == 22
    assert live["eustar_ai"].result.value == 4.0
    assert live["eustar_ai"].result.interpretation == "active"


def test_preview_with_a_site_missing_is_not_computable_and_says_why(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    token = _form(client, pid)
    grades = _grades(MRSS_9)
    grades["mrss_face"] = ""
    r = client.post(f"/patients/{pid}/visits/preview", data={"csrf_token": token, **grades})
    res = {s.key: s for s in r.context["live"]}["mrss"].result
    assert res.value is None
    assert res.missing == ("face",)


def test_validation_messages_next_to_fields_and_nothing_lost(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    token = _form(client, pid)
    data = {"csrf_token": token, "visit_date": "2022-01-10", **_grades(MRSS_9),
            "fvc_percent_predicted": "abc", "crp_mg_dl": "-1", "notes": "typed by hand"}
    data["mrss_abdomen"] = "4"
    r = client.post(f"/patients/{pid}/visits/new", data=data)
    assert r.status_code == 422
    assert r.template.name == "visit_form.html"
    assert r.context["errors"] == {
        "mrss_abdomen": "field 'mrss_abdomen': got '4'; allowed: a whole number from 0 to 3.",
        "fvc_percent_predicted": "field 'fvc_percent_predicted': got 'abc'; allowed: a number from 10 to 200 (% predicted).",
        "crp_mg_dl": "field 'crp_mg_dl': got '-1'; allowed: a number from 0 to 50 (mg/dL).",
    }
    values = r.context["values"]
    assert values["fvc_percent_predicted"] == "abc"
    assert values["mrss_fingers_right"] == "2"
    assert values["notes"] == "typed by hand"
    assert 'id="err-crp_mg_dl"' in r.text
    assert 'value="abc"' in r.text
    with db.read_session() as s:  # nothing saved
        assert len(s.execute(select(registry.Visit).where(registry.Visit.patient_id == pid)).all()) == 2


def test_visit_date_is_required(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    token = _form(client, pid)
    r = client.post(f"/patients/{pid}/visits/new", data={"csrf_token": token, "visit_date": ""})
    assert r.context["errors"]["visit_date"] == (
        "field 'visit_date': got ''; allowed: a date YYYY-MM-DD (required).")


def test_second_visit_on_the_same_day_is_refused_at_the_field(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    token = _form(client, pid)
    r = client.post(f"/patients/{pid}/visits/new", data={"csrf_token": token, "visit_date": "2021-06-01"})
    assert r.context["errors"]["visit_date"] == (
        "field 'visit_date': got '2021-06-01'; allowed: a date without a visit already recorded for this patient.")


def test_saving_a_visit_stores_it_with_its_mrss(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    token = _form(client, pid)
    data = {"csrf_token": token, "visit_date": "2022-01-10", "visit_label": "month_18",
            **_grades(MRSS_9), "fvc_percent_predicted": "81.5", "haq_di": "0.5",
            "digital_ulcers": "no", "tendon_friction_rubs": "yes"}
    r = client.post(f"/patients/{pid}/visits/new", data=data, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/patients/{pid}?saved=visit"
    with db.read_session() as s:
        v = s.execute(select(registry.Visit).where(registry.Visit.patient_id == pid)
                      .order_by(registry.Visit.visit_date.desc())).scalars().first()
        assert v.visit_label == "month_18"
        assert v.mrss_total == 9
        assert v.fvc_percent_predicted == 81.5
        assert v.digital_ulcers is False
        assert v.crp_mg_dl is None  # left empty: not recorded, not zero
    page = client.get(r.headers["location"])
    assert page.context["saved"] == "visit"


def test_researcher_cannot_enter_visits(client, db):
    sign_in(client, "res")
    pid = patient_id(db, "T-001")
    assert client.get(f"/patients/{pid}/visits/new").status_code == 403


def test_preview_criss_since_baseline(client, db):
    """scores.md §4 / scores docstring example: baseline mRSS 20, FVC 70, globals 5/5, HAQ 1.0;
    follow-up 14, 72, 5/4, 0.875, no step-1 event -> CRISS 0.647085 (improved, >= 0.60)."""
    sign_in(client, "clin")
    token = csrf_of(client.get("/patients/new").text)
    client.post("/patients/new", data={"csrf_token": token, "study_id": "CR-1", "centre": "Test Centre",
                                       "disease": "ssc"})
    pid = patient_id(db, "CR-1")
    with db.session() as s:
        admin = s.get(registry.User, 1)
        grades20 = {f"mrss_{k}": 0 for k in registry.MRSS_SITES} | {
            "mrss_fingers_right": 3, "mrss_fingers_left": 3, "mrss_hand_dorsum_right": 3,
            "mrss_hand_dorsum_left": 3, "mrss_forearm_right": 3, "mrss_forearm_left": 3, "mrss_face": 2}
        registry.add_visit(s, admin, pid, visit_date="2023-01-10", fvc_percent_predicted=70.0,
                           patient_global_0_10=5.0, physician_global_0_10=5.0, haq_di=1.0, **grades20)
    token = _form(client, pid)
    data = {"csrf_token": token, "visit_date": "2024-01-10",
            **_grades({"fingers_right": 3, "fingers_left": 3, "hand_dorsum_right": 2,
                       "hand_dorsum_left": 2, "forearm_right": 2, "forearm_left": 2}),
            "fvc_percent_predicted": "72", "patient_global_0_10": "5", "physician_global_0_10": "4",
            "haq_di": "0.875", "criss_new_renal_crisis": "no", "criss_fvc_decline_with_ild": "no",
            "criss_new_lv_failure": "no", "criss_new_pah": "no"}
    r = client.post(f"/patients/{pid}/visits/preview", data=data)
    live = {s.key: s for s in r.context["live"]}
    assert live["mrss"].result.value == 14
    criss = live["acr_criss"].result
    assert round(criss.value, 6) == 0.647085
    assert criss.interpretation == "improved"
    assert live["acr_criss"].details["baseline_date"] == "2023-01-10"


def test_activity_criss_and_candidacy_items_are_stored_and_scored(client, db):
    """The EUSTAR items, CRISS step-1 events and candidacy inputs are registry fields now."""
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    page = client.get(f"/patients/{pid}/visits/new")
    assert "not yet stored" not in page.text
    for name in ("skin_worsening_patient_last_month", "tendon_friction_rubs", "criss_new_pah",
                 "karnofsky_percent", "kidney_involvement", "rhc_mpap_mmhg", "echo_spap_mmhg"):
        assert f'id="f-{name}"' in page.text, name
    token = csrf_of(page.text)
    data = {"csrf_token": token, "visit_date": "2022-01-10", **_grades(MRSS_9), "dlco_percent_predicted": "62",
            "crp_mg_dl": "0.5", "digital_ulcers": "no", "tendon_friction_rubs": "yes",
            "skin_worsening_patient_last_month": "yes", "criss_new_renal_crisis": "no",
            "criss_fvc_decline_with_ild": "no", "criss_new_lv_failure": "no", "criss_new_pah": "no",
            "fvc_percent_predicted": "82", "haq_di": "0.5", "patient_global_0_10": "2",
            "physician_global_0_10": "2", "karnofsky_percent": "90", "ecog_performance_status": "0",
            "pulmonary_involvement": "yes", "kidney_involvement": "no"}
    r = client.post(f"/patients/{pid}/visits/new", data=data, follow_redirects=False)
    assert r.status_code == 303
    with db.read_session() as s:
        v = s.execute(select(registry.Visit).where(registry.Visit.patient_id == pid)
                      .order_by(registry.Visit.visit_date.desc())).scalars().first()
        assert v.tendon_friction_rubs is True
        assert v.skin_worsening_patient_last_month is True
        assert v.karnofsky_percent == 90
        assert v.kidney_involvement is False
        # scores.md §3a: Δ-skin 1.5 + tendon friction rubs 2.25 + DLCO < 70 % 1.0 = 4.75 (mRSS 9, CRP 0.5)
        assert v.scores["eustar_ai"] == 4.75
        assert v.scores["mrss_change_points"] == 9 - 17  # against the 2020-01-10 baseline (mRSS 17)
        # the fixture baseline has no patient/physician global: CRISS unknown, so not stored
        assert "criss_probability" not in v.scores
    patient = client.get(f"/patients/{pid}")
    assert patient.context["series_counts"]["eustar"] == 1  # the stored value is plotted


def test_new_fields_show_validation_next_to_the_field(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    token = _form(client, pid)
    r = client.post(f"/patients/{pid}/visits/new", data={
        "csrf_token": token, "visit_date": "2022-01-10", "karnofsky_percent": "110",
        "ecog_performance_status": "1.5", "tlc_relative_decline_12m_percent": "x", "proteinuria": "maybe"})
    assert r.status_code == 422
    assert r.context["errors"] == {
        "karnofsky_percent": "field 'karnofsky_percent': got '110'; allowed: a whole number from 0 to 100 (%).",
        "ecog_performance_status":
            "field 'ecog_performance_status': got '1.5'; allowed: a whole number from 0 to 4 (ECOG grade).",
        "tlc_relative_decline_12m_percent":
            "field 'tlc_relative_decline_12m_percent': got 'x'; allowed: a number from 0 to 100 (%).",
        "proteinuria": "field 'proteinuria': got 'maybe'; allowed: true or false (1/0), empty if not recorded.",
    }
    for name in r.context["errors"]:
        assert f'id="err-{name}"' in r.text
    assert r.context["values"]["karnofsky_percent"] == "110"
