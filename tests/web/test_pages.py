"""Page tests: which template rendered, with what data, for which role."""

from __future__ import annotations

import datetime as dt

from sclerostem import registry
from sclerostem.web._queries import FOLLOW_UP_WINDOW_DAYS, follow_up_status
from tests.web.conftest import CENTRE, csrf_of, patient_id, sign_in


# ------------------------------------------------------------------ sign-in
def test_visitor_home_is_the_sign_in_page(client):
    r = client.get("/")
    assert r.status_code == 200
    assert r.template.name == "login.html"
    assert r.context["user"] is None
    assert r.context["demo_logins"] == ()


def test_pages_redirect_a_visitor_to_sign_in_with_next(client):
    r = client.get("/patients?q=x", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/patients"


def test_htmx_request_of_a_visitor_gets_hx_redirect(client):
    r = client.get("/patients", headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.headers["hx-redirect"] == "/login?next=/patients"


def test_sign_in_follows_a_local_next_but_never_an_external_one(client):
    for target, expected in (("/cohort", "/cohort"), ("//evil.example/x", "/patients"),
                             ("https://evil.example/", "/patients")):
        client.cookies.clear()
        token = csrf_of(client.get("/login").text)
        r = client.post("/login", data={"username": "clin", "password": "clin-pass-1",
                                        "csrf_token": token, "next": target}, follow_redirects=False)
        assert r.headers["location"] == expected


def test_wrong_password_shows_the_form_again_with_the_user_name(client):
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": "clin", "password": "nope", "csrf_token": token})
    assert r.status_code == 401
    assert r.template.name == "login.html"
    assert r.context["username"] == "clin"


def test_sign_out_ends_the_session(client):
    sign_in(client, "clin")
    token = csrf_of(client.get("/patients").text)
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == "/login?signed_out=1"
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_signed_in_home_goes_to_the_patient_list(client):
    sign_in(client, "clin")
    r = client.get("/", follow_redirects=False)
    assert r.headers["location"] == "/patients"


# ----------------------------------------------------------------- patients
def test_clinician_sees_own_centre_with_identifying_fields(client):
    sign_in(client, "clin")
    r = client.get("/patients")
    assert r.template.name == "patients.html"
    rows = r.context["rows"]
    assert [row["study_id"] for row in rows] == ["T-001"]  # T-002 belongs to another centre
    assert rows[0]["name"] == "Ada Example"
    assert rows[0]["transplanted"] is True
    assert "Ada Example" in r.text
    assert "H123456" in r.text


def test_researcher_sees_every_patient_without_identifying_fields(client):
    sign_in(client, "res")
    r = client.get("/patients")
    rows = r.context["rows"]
    assert sorted(row["study_id"] for row in rows) == ["T-001", "T-002"]
    for row in rows:
        assert "name" not in row
        assert "hospital_number" not in row
        assert "date_of_birth" not in row
    for secret in ("Ada Example", "H123456", "1970-05-17", "Bob Other", "H999"):
        assert secret not in r.text


def test_researcher_cannot_search_by_name(client):
    sign_in(client, "res")
    assert client.get("/patients?q=ada").context["rows"] == []
    assert [x["study_id"] for x in client.get("/patients?q=t-001").context["rows"]] == ["T-001"]


def test_search_and_filters(client):
    sign_in(client, "admin")
    assert [x["study_id"] for x in client.get("/patients?q=ADA").context["rows"]] == ["T-001"]
    assert [x["study_id"] for x in client.get("/patients?q=h999").context["rows"]] == ["T-002"]
    assert [x["study_id"] for x in client.get("/patients?subset=lcSSc").context["rows"]] == ["T-002"]
    assert [x["study_id"] for x in client.get("/patients?transplanted=yes").context["rows"]] == ["T-001"]
    assert [x["study_id"] for x in client.get("/patients?transplanted=no").context["rows"]] == ["T-002"]
    # both patients' last visit (2021 or none) is more than 12 months before today
    assert len(client.get("/patients?follow_up=overdue").context["rows"]) == 2
    assert client.get("/patients?follow_up=up_to_date").context["rows"] == []
    r = client.get("/patients?subset=not-a-subset")
    assert r.context["filters"]["subset"] == ""


def test_htmx_search_returns_only_the_rows_partial(client):
    sign_in(client, "admin")
    r = client.get("/patients?q=ada", headers={"HX-Request": "true", "HX-Target": "patient-rows"})
    assert r.template.name == "_patient_rows.html"
    assert "<html" not in r.text


def test_follow_up_status_both_sides_of_the_window():
    today = dt.date(2025, 1, 1)
    edge = today - dt.timedelta(days=FOLLOW_UP_WINDOW_DAYS)
    assert follow_up_status(edge, False, today) == "up_to_date"
    assert follow_up_status(edge - dt.timedelta(days=1), False, today) == "overdue"
    assert follow_up_status(None, False, today) == "overdue"
    assert follow_up_status(today, True, today) == "deceased"


def test_patient_page_for_clinician(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    r = client.get(f"/patients/{pid}")
    assert r.template.name == "patient.html"
    ctx = r.context
    assert ctx["identifying_visible"] is True
    assert ctx["patient"]["name"] == "Ada Example"
    assert [v["visit_date"] for v in ctx["patient"]["visits"]] == ["2020-01-10", "2021-06-01"]
    assert ctx["patient"]["transplants"][0]["transplant_date"] == "2020-06-01"
    assert ctx["series_counts"] == {"mrss": 2, "fvc": 2, "dlco": 1, "haq_di": 2, "eustar": 0}
    assert f'href="/patients/{pid}/visits/new"' in r.text


def test_patient_page_for_researcher_has_no_identifying_fields(client, db):
    sign_in(client, "res")
    pid = patient_id(db, "T-001")
    r = client.get(f"/patients/{pid}")
    assert r.context["identifying_visible"] is False
    assert "name" not in r.context["patient"]
    assert "Ada Example" not in r.text
    assert "H123456" not in r.text
    assert "1970-05-17" not in r.text
    assert "/visits/new" not in r.text


def test_clinician_of_another_centre_gets_not_found(client, db):
    sign_in(client, "other")
    r = client.get(f"/patients/{patient_id(db, 'T-001')}")
    assert r.status_code == 404
    assert r.template.name == "error.html"
    assert "Ada" not in r.text


def test_plots_are_svg_with_their_own_policy(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    for m in ("mrss", "fvc", "dlco", "haq_di", "eustar"):
        r = client.get(f"/patients/{pid}/plots/{m}.svg")
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/svg+xml"
        assert "script-src" not in r.headers["content-security-policy"]
        assert b"<svg" in r.content[:400]
    assert client.get(f"/patients/{pid}/plots/nope.svg").status_code == 404


def test_trajectory_plot_has_axis_labels_with_units():
    from sclerostem.web._plots import MEASURES

    labels = {k: m.axis_label for k, m in MEASURES.items()}
    assert labels == {"mrss": "mRSS (points, 0–51)", "fvc": "FVC (% predicted)",
                      "dlco": "DLCO (% predicted)", "haq_di": "HAQ-DI (0–3)",
                      "eustar": "EUSTAR-AI (points, 0–10)"}
    # active disease from 2.5 points: scores.md §3a (Valentini 2017) [CONFIRMED]
    assert MEASURES["eustar"].reference == 2.5


# -------------------------------------------------------------- new patient
def _new_patient(client, **fields):
    token = csrf_of(client.get("/patients/new").text)
    data = {"csrf_token": token, "study_id": "", "centre": CENTRE, "disease": "ssc"} | fields
    return client.post("/patients/new", data=data, follow_redirects=False)


def test_new_patient_form_defaults(client):
    sign_in(client, "clin")
    r = client.get("/patients/new")
    assert r.template.name == "patient_new.html"
    assert r.context["values"]["centre"] == CENTRE
    assert r.context["errors"] == {}


def test_new_patient_validation_keeps_what_was_typed(client):
    sign_in(client, "clin")
    r = _new_patient(client, study_id="N-1", name="Nina New", date_of_birth="1980-02-30",
                     hospital_number="HN-77", subset="dcSSc")
    assert r.status_code == 422
    assert r.template.name == "patient_new.html"
    assert r.context["errors"] == {
        "date_of_birth": "field 'date_of_birth': got '1980-02-30'; allowed: a date YYYY-MM-DD."}
    assert r.context["values"]["name"] == "Nina New"
    assert r.context["values"]["hospital_number"] == "HN-77"
    assert 'value="Nina New"' in r.text
    assert 'id="err-date_of_birth"' in r.text


def test_new_patient_requires_a_study_id(client):
    sign_in(client, "clin")
    r = _new_patient(client, name="No Id")
    assert r.context["errors"]["study_id"] == "field 'study_id': got ''; allowed: a value (required)."


def test_new_patient_created_with_diagnosis(client, db):
    sign_in(client, "clin")
    r = _new_patient(client, study_id="N-2", name="Nina New", sex="female", subset="dcSSc",
                     first_non_raynaud_date="2023-05-01", anti_scl70="yes")
    assert r.status_code == 303
    pid = patient_id(db, "N-2")
    assert r.headers["location"] == f"/patients/{pid}"
    with db.read_session() as s:
        p = registry.get_patient(s, s.get(registry.User, 1), pid)
        assert p.name == "Nina New"
        assert p.centre == CENTRE
        assert p.diagnoses[0].subset == "dcSSc"
        assert p.diagnoses[0].anti_scl70 is True
        assert p.diagnoses[0].anti_centromere is None  # not recorded stays unknown


def test_duplicate_study_id_is_reported(client):
    sign_in(client, "clin")
    r = _new_patient(client, study_id="T-001")
    assert r.status_code == 409
    assert r.context["errors"]["form"] == "study id 'T-001' already exists."


def test_clinician_cannot_create_for_another_centre(client):
    sign_in(client, "clin")
    r = _new_patient(client, study_id="N-3", centre="Elsewhere")
    assert r.status_code == 422
    assert r.context["errors"]["centre"] == (
        "field 'centre': got 'Elsewhere'; allowed: your own centre 'Test Centre'.")


def test_researcher_cannot_create_patients(client):
    sign_in(client, "res")
    r = client.get("/patients/new")
    assert r.status_code == 403
    assert r.template.name == "error.html"


def test_page_errors_render_the_error_page_and_api_errors_stay_json(app, client, db):
    """Without app-wide API handlers, a registry error escaping a page renders error.html."""
    from sclerostem.registry import ConflictError, NotFoundError

    def boom_missing():
        raise NotFoundError("visit", 12345)

    def boom_conflict():
        raise ConflictError("visit was changed by someone else meanwhile.")

    app.add_api_route("/test-missing", boom_missing)
    app.add_api_route("/test-conflict", boom_conflict)
    sign_in(client, "clin")
    r = client.get("/test-missing")
    assert r.status_code == 404
    assert r.template.name == "error.html"
    assert r.context["message"] == "visit 12345 not found."
    r = client.get("/test-conflict")
    assert r.status_code == 409
    assert r.template.name == "error.html"
    api = client.get("/api/patients/999999", headers={"authorization": "Bearer nope"})
    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/json")
