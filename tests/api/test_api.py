"""REST API: authentication, roles, CRUD, scores, cohort, candidacy (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from sclerostem.api import create_api_app
from sclerostem.registry import Database, create_api_token

TODAY = dt.date(2026, 1, 1)


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_api_app(db)) as c:
        yield c


@pytest.fixture
def tokens(db: Database, users) -> dict[str, dict[str, str]]:
    out = {}
    with db.session() as s:
        for key, user in users.items():
            out[key] = {"Authorization": f"Bearer {create_api_token(s, user, 'test')}"}
    return out


def test_health_is_open(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "database": "ok"}
    assert client.get("/api/health").status_code == 200


@pytest.mark.parametrize("path", ["/api/patients", "/api/me", "/api/cohort", "/api/patients/1",
                                  "/api/visits/1/scores", "/api/cell-lots", "/api/patients/1/history"])
def test_unauthenticated_is_401(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert client.get(path, headers={"Authorization": "Bearer sst_not-a-real-token"}).status_code == 401


def test_token_exchange(client: TestClient, users) -> None:
    bad = client.post("/api/tokens", json={"username": "clin_a", "password": "nope"})
    assert bad.status_code == 401
    r = client.post("/api/tokens", json={"username": "clin_a", "password": "clin-a-pass"})
    assert r.status_code == 201
    tok = r.json()["token"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {tok}"}).json()
    assert me == {"id": users["clin_a"].id, "username": "clin_a", "role": "clinician", "centre": "A"}


def test_crud_scores_and_roles(client: TestClient, tokens) -> None:
    a, b, res = tokens["clin_a"], tokens["clin_b"], tokens["researcher"]
    r = client.post("/api/patients", headers=a, json={"study_id": "API-1", "centre": "A", "name": "Ann"})
    assert r.status_code == 201
    pid = r.json()["id"]
    assert client.post("/api/patients", headers=res, json={"study_id": "API-2", "centre": "A"}).status_code == 403
    assert client.post("/api/patients", headers=a, json={"study_id": "API-1", "centre": "A"}).status_code == 409
    # scores.md §1 worked example: mRSS 9
    grades = {"mrss_fingers_right": 2, "mrss_fingers_left": 2, "mrss_hand_dorsum_right": 1,
              "mrss_hand_dorsum_left": 1, "mrss_forearm_right": 1, "mrss_forearm_left": 1, "mrss_face": 1}
    from sclerostem.registry import MRSS_SITES

    body = {f"mrss_{s}": 0 for s in MRSS_SITES} | grades | {"visit_date": "2024-03-01", "crp_mg_dl": 0.4}
    v = client.post(f"/api/patients/{pid}/visits", headers=a, json=body)
    assert v.status_code == 201
    vid = v.json()["id"]
    sc = client.get(f"/api/visits/{vid}/scores", headers=res).json()
    assert sc["mrss_total"] == 9
    assert sc["engine_version"]
    bad = client.post(f"/api/patients/{pid}/visits", headers=a, json={"visit_date": "2024-04-01", "crp_mg_dl": -1})
    assert bad.status_code == 422
    # patch with version guard
    cur = client.get(f"/api/visits/{vid}", headers=a).json()
    ok = client.patch(f"/api/visits/{vid}", headers=a, json={"mrss_face": 3, "expected_version": cur["version"]})
    assert ok.status_code == 200
    assert client.get(f"/api/visits/{vid}/scores", headers=a).json()["mrss_total"] == 11
    stale = client.patch(f"/api/visits/{vid}", headers=a, json={"mrss_face": 0, "expected_version": cur["version"]})
    assert stale.status_code == 409
    # other centre and researcher
    assert client.get(f"/api/patients/{pid}", headers=b).status_code == 404
    summary = client.get(f"/api/patients/{pid}", headers=res).json()
    assert "name" not in summary["patient"]
    assert client.get(f"/api/patients/{pid}", headers=a).json()["patient"]["name"] == "Ann"
    assert client.patch(f"/api/patients/{pid}", headers=res, json={"sex": "male"}).status_code == 403
    # history, delete
    hist = client.get(f"/api/patients/{pid}/history", headers=a).json()
    assert [h["action"] for h in hist] == ["create", "create", "update"]
    assert client.delete(f"/api/visits/{vid}", headers=a).status_code == 204
    assert client.get(f"/api/visits/{vid}", headers=a).status_code == 404
    assert client.delete(f"/api/patients/{pid}", headers=a).status_code == 403  # admins only
    assert client.delete(f"/api/patients/{pid}", headers=tokens["admin"]).status_code == 204


def test_child_entities_and_cell_lots(client: TestClient, tokens) -> None:
    a = tokens["clin_a"]
    pid = client.post("/api/patients", headers=a, json={"study_id": "API-3", "centre": "A"}).json()["id"]
    for plural, body in {
        "diagnoses": {"disease": "ssc", "subset": "dcSSc"},
        "treatments": {"agent": "cyclophosphamide", "start_date": "2020-01-01", "courses": 12},
        "transplants": {"transplant_date": "2021-01-01", "conditioning_regimen": "cy200_ratg"},
        "events": {"event_type": "infection", "event_date": "2021-02-01", "treatment_related": True},
    }.items():
        r = client.post(f"/api/patients/{pid}/{plural}", headers=a, json=body)
        assert r.status_code == 201, r.text
        rid = r.json()["id"]
        assert client.get(f"/api/{plural}/{rid}", headers=a).status_code == 200
        assert len(client.get(f"/api/patients/{pid}/{plural}", headers=a).json()) == 1
    bad = client.post(f"/api/patients/{pid}/events", headers=a, json={"event_type": "party", "event_date": "2021-01-01"})
    assert bad.status_code == 422
    lot = client.post(f"/api/cell-lots?patient_id={pid}", headers=a,
                      json={"lot_number": "L-1", "product_type": "msc", "viability_percent": 92})
    assert lot.status_code == 201
    assert [x["lot_number"] for x in client.get("/api/cell-lots", headers=a).json()] == ["L-1"]
    assert client.get("/api/cell-lots", headers=tokens["clin_b"]).json() == []


def test_cohort_and_candidacy(client: TestClient, db: Database, tokens) -> None:
    from sclerostem.registry.demo import load_demo_cohort

    load_demo_cohort(db, n_patients=20, seed=3, today=TODAY)
    r = client.get("/api/cohort", params={"disease": "ssc", "subset": "dcSSc", "transplanted": True,
                                          "min_follow_up_months": 54}, headers=tokens["researcher"])
    assert r.status_code == 200
    rows = r.json()["patients"]
    assert r.json()["count"] == len(rows)
    assert all(p["transplanted"] and p["subset"] == "dcSSc" and p["follow_up_months"] >= 54 for p in rows)
    assert all("name" not in p for p in rows)
    pid = client.get("/api/patients", headers=tokens["admin"]).json()[0]["id"]
    cand = client.get(f"/api/patients/{pid}/candidacy", headers=tokens["admin"])
    assert cand.status_code == 200
    body = cand.json()
    assert "date_of_birth" not in body["input"]
    assert "age_years" in body["input"]
    # one mapping for API and web: every mapped field says where it came from
    assert set(body["input_origin"]) == set(body["input"])
    assert body["input_refused"] == {}
    if "karnofsky_percent" in body["input"]:  # demo SSc patients carry a baseline performance status
        assert body["input_origin"]["karnofsky_percent"].startswith("visit ")


def test_cached_summary_follows_every_change_and_role(client: TestClient, db: Database, tokens) -> None:
    """The summary cache is invalidated by any audited change, also one made outside the API."""
    a = tokens["clin_a"]
    pid = client.post("/api/patients", headers=a, json={"study_id": "API-C", "centre": "A", "sex": "female",
                                                          "name": "Cara"}).json()["id"]
    assert client.get(f"/api/patients/{pid}", headers=a).json()["patient"]["sex"] == "female"
    assert client.get(f"/api/patients/{pid}", headers=a).json()["patient"]["sex"] == "female"  # cached
    assert client.patch(f"/api/patients/{pid}", headers=a, json={"sex": "male"}).status_code == 200
    assert client.get(f"/api/patients/{pid}", headers=a).json()["patient"]["sex"] == "male"
    from sclerostem.registry import update_patient

    with db.session() as s:  # a change through the services, not the API
        update_patient(s, s.merge(_user(db, "admin")), pid, sex="other")
    assert client.get(f"/api/patients/{pid}", headers=a).json()["patient"]["sex"] == "other"
    # roles are checked on cached entries too
    assert client.get(f"/api/patients/{pid}", headers=tokens["clin_b"]).status_code == 404
    assert "name" not in client.get(f"/api/patients/{pid}", headers=tokens["researcher"]).json()["patient"]
    assert client.get(f"/api/patients/{pid}", headers=tokens["admin"]).json()["patient"]["name"] == "Cara"


def _user(db: Database, username: str):
    from sqlalchemy import select

    from sclerostem.registry import User

    with db.session() as s:
        return s.execute(select(User).where(User.username == username)).scalar_one()


def test_router_maps_errors_without_app_handlers_and_session_is_read_only(db: Database, users) -> None:
    from starlette.middleware.sessions import SessionMiddleware

    from sclerostem.api import build_router

    app = FastAPI()
    app.add_middleware(SessionMiddleware, secret_key="test-secret")

    @app.get("/login-as/{uid}")
    def login(uid: int, request: Request) -> dict[str, int]:
        request.session["user_id"] = uid
        return {"uid": uid}  # (Request imported at module level: annotations are strings here)

    app.include_router(build_router(db), prefix="/api")  # no install_error_handlers()
    with TestClient(app) as c:
        assert c.get("/api/patients").status_code == 401
        assert c.get(f"/login-as/{users['clin_a'].id}").status_code == 200
        assert c.get("/api/patients").status_code == 200
        assert c.get("/api/patients/999").json() == {"detail": "patient 999 not found."}
        # the session does not authorise state-changing requests (no CSRF protection here)
        assert c.post("/api/patients", json={"study_id": "S-X", "centre": "A"}).status_code == 401


def test_token_revocation(client: TestClient, db: Database, users) -> None:
    tok = client.post("/api/tokens", json={"username": "clin_a", "password": "clin-a-pass"}).json()["token"]
    h = {"Authorization": f"Bearer {tok}"}
    assert client.get("/api/me", headers=h).status_code == 200
    assert client.delete("/api/tokens/current", headers=h).status_code == 204
    assert client.get("/api/me", headers=h).status_code == 401
    from sclerostem.registry import AccessDeniedError, revoke_api_tokens

    with db.session() as s, pytest.raises(AccessDeniedError):
        revoke_api_tokens(s, s.merge(users["clin_a"]), user=s.merge(users["clin_b"]))
