"""The cached patient views: every change shows on the next request; access is checked per request."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from sclerostem import registry
from sclerostem.web._cache import PatientViewCache, registry_stamp
from tests.web.conftest import CENTRE, csrf_of, patient_id, sign_in

IDENTIFYING = ("Ada Example", "H123456", "1970-05-17")


def _admin(s):
    return s.execute(select(registry.User).where(registry.User.username == "admin")).scalar_one()


def _cache(app) -> PatientViewCache:
    return app.state.web.patient_views


def test_second_request_is_served_from_the_cache(client, app, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    client.get(f"/patients/{pid}")
    hits = _cache(app).hits
    r = client.get(f"/patients/{pid}")
    assert r.status_code == 200
    assert _cache(app).hits == hits + 1


def test_a_visit_entered_in_the_app_shows_on_the_next_request(client, app, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    before = client.get(f"/patients/{pid}")
    assert len(before.context["patient"]["visits"]) == 2
    assert before.context["series_counts"]["fvc"] == 2
    svg_before = client.get(f"/patients/{pid}/plots/fvc.svg").content
    token = csrf_of(client.get(f"/patients/{pid}/visits/new").text)
    r = client.post(f"/patients/{pid}/visits/new", follow_redirects=False, data={
        "csrf_token": token, "visit_date": "2022-01-10", "visit_label": "month_18",
        "fvc_percent_predicted": "91.5"})
    assert r.status_code == 303
    after = client.get(f"/patients/{pid}")
    assert len(after.context["patient"]["visits"]) == 3
    assert after.context["series_counts"]["fvc"] == 3
    assert "91.5" in after.text
    assert client.get(f"/patients/{pid}/plots/fvc.svg").content != svg_before


def test_a_change_made_outside_the_app_shows_on_the_next_request(client, db):
    """Another process (API, CLI, import) writing to the registry invalidates the cached page."""
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    assert "Ada Example" in client.get(f"/patients/{pid}").text
    with db.session() as s:
        registry.update_record(s, _admin(s), "patient", pid, name="Ada Renamed")
    page = client.get(f"/patients/{pid}")
    assert "Ada Renamed" in page.text
    assert "Ada Example" not in page.text


def test_a_deleted_patient_is_gone_on_the_next_request(client, db):
    sign_in(client, "admin")
    pid = patient_id(db, "T-002")
    assert client.get(f"/patients/{pid}").status_code == 200
    assert client.get(f"/patients/{pid}/plots/mrss.svg").status_code == 200
    with db.session() as s:
        registry.delete_record(s, _admin(s), "patient", pid)
    assert client.get(f"/patients/{pid}").status_code == 404
    assert client.get(f"/patients/{pid}/plots/mrss.svg").status_code == 404


def test_researcher_never_gets_the_clinicians_cached_page(client, app, db):
    pid = patient_id(db, "T-001")
    sign_in(client, "clin")
    clin = client.get(f"/patients/{pid}")
    assert all(x in clin.text for x in IDENTIFYING)
    assert 'id="new-visit"' in clin.text
    client.cookies.clear()
    sign_in(client, "res")
    hits = _cache(app).hits
    res = client.get(f"/patients/{pid}")
    assert _cache(app).hits == hits + 1  # same cached entry, the pseudonymised view
    assert res.status_code == 200
    assert res.context["identifying_visible"] is False
    assert not any(x in res.text for x in IDENTIFYING)
    assert 'id="new-visit"' not in res.text  # the cached body of a clinician is not reused
    assert res.context["patient"].get("name") is None
    assert res.context["patient"].get("hospital_number") is None


def test_clinician_after_researcher_gets_the_identifying_view(client, db):
    pid = patient_id(db, "T-001")
    sign_in(client, "res")
    assert "Ada Example" not in client.get(f"/patients/{pid}").text
    client.cookies.clear()
    sign_in(client, "clin")
    page = client.get(f"/patients/{pid}")
    assert page.context["identifying_visible"] is True
    assert all(x in page.text for x in IDENTIFYING)


def test_clinician_of_another_centre_gets_404_from_a_warm_cache(client, db):
    pid = patient_id(db, "T-001")
    sign_in(client, "clin")
    assert client.get(f"/patients/{pid}").status_code == 200
    assert client.get(f"/patients/{pid}/plots/mrss.svg").status_code == 200
    client.cookies.clear()
    sign_in(client, "other")
    r = client.get(f"/patients/{pid}")
    assert r.status_code == 404
    assert "Ada Example" not in r.text
    assert client.get(f"/patients/{pid}/plots/mrss.svg").status_code == 404


def test_a_clinician_moved_to_another_centre_loses_access_at_once(client, db):
    """The user's role and centre are re-read from the database on every request."""
    pid = patient_id(db, "T-001")
    sign_in(client, "clin")
    assert client.get(f"/patients/{pid}").status_code == 200
    with db.engine.begin() as conn:  # a direct change: no audit row, so the stamp does not move
        conn.execute(registry.User.__table__.update().where(registry.User.username == "clin")
                     .values(centre="Elsewhere"))
    assert client.get(f"/patients/{pid}").status_code == 404
    assert client.get(f"/patients/{pid}/plots/fvc.svg").status_code == 404


def test_a_stale_entry_is_never_served(db):
    """Unit test of the stamp check: an entry built at an older stamp is rebuilt."""
    cache = PatientViewCache()
    pid = patient_id(db, "T-001")
    with db.read_session() as s:
        first = cache.get(s, pid)
        stamp = registry_stamp(s)
    assert first is not None
    assert first.stamp == stamp
    with db.session() as s:
        registry.add_visit(s, _admin(s), pid, visit_date=dt.date(2023, 1, 5), haq_di=0.25)
    with db.read_session() as s:
        second = cache.get(s, pid)
    assert second is not None
    assert second.stamp > first.stamp
    assert len(second.full["visits"]) == len(first.full["visits"]) + 1
    assert second.plots["haq_di"].points[-1] == (dt.date(2023, 1, 5), 0.25)


def test_summary_for_follows_the_registry_access_rules(db):
    """Same answer as ``registry.patient_summary`` for every role."""
    cache = PatientViewCache()
    pid = patient_id(db, "T-001")
    with db.read_session() as s:
        view = cache.get(s, pid)
        assert view is not None
        for username in ("admin", "clin", "other", "res"):
            actor = s.execute(select(registry.User).where(registry.User.username == username)).scalar_one()
            try:
                expected = registry.patient_summary(s, actor, pid)
            except registry.NotFoundError:
                expected = None
            assert view.summary_for(actor) == expected, username
        assert view.centre == CENTRE
