"""REST routes of cell products: register, results, collection/processing/infusion, chain, certificate.

SQLite and PostgreSQL (``db`` fixture of ``tests/api/conftest.py``). DINs as in
``tests/registry/test_cells_registry.py`` (JPAC Red Book Annex 2 worked example).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sclerostem.api import create_api_app
from sclerostem.registry import Database, create_api_token
from tests.registry.test_cells_registry import DIN, OTHER_DIN, PASSING, SPEC, TYPO_DIN

RTOL = 1e-12  #: float arithmetic only


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_api_app(db)) as c:
        yield c


@pytest.fixture
def h(db: Database, users: dict[str, Any]) -> dict[str, dict[str, str]]:
    with db.session() as s:
        return {k: {"Authorization": f"Bearer {create_api_token(s, u, 'test')}"} for k, u in users.items()}


@pytest.fixture
def lot(client: TestClient, h: dict[str, dict[str, str]]) -> dict[str, Any]:
    a = h["clin_a"]
    p1 = client.post("/api/patients", headers=a, json={"study_id": "API-C1", "centre": "A"}).json()["id"]
    p2 = client.post("/api/patients", headers=a, json={"study_id": "API-C2", "centre": "A"}).json()["id"]
    r = client.post("/api/cell-products", headers=a, json={
        "lot_number": "HSC-1", "din": DIN, "product_type": "hsc_cd34_selected", "donor_type": "autologous",
        "patient_id": p1})
    assert r.status_code == 201, r.text
    return {"id": r.json()["id"], "p1": p1, "p2": p2}


def _release(client: TestClient, h: dict[str, dict[str, str]], lot_id: int) -> dict[str, Any]:
    r = client.post(f"/api/cell-products/{lot_id}/results", headers=h["clin_a"],
                    json={"spec": SPEC, "results": PASSING, "release_date": "2026-01-04"})
    assert r.status_code == 200, r.text
    return r.json()


def test_unauthenticated_is_401(client: TestClient) -> None:
    for path in ("/api/cell-products", "/api/cell-products/1/chain", "/api/cell-products/1/certificate.pdf"):
        assert client.get(path).status_code == 401
    assert client.post("/api/cell-products/1/infusions", json={}).status_code == 401


def test_register_and_read(client: TestClient, h: dict[str, dict[str, str]], lot: dict[str, Any]) -> None:
    r = client.get(f"/api/cell-products/{lot['id']}", headers=h["clin_a"])
    assert r.status_code == 200
    body = r.json()
    assert (body["din"], body["status"], body["patient_study_id"]) == ("G123498654321H", "quarantine", "API-C1")
    assert client.get(f"/api/cell-products/{lot['id']}", headers=h["researcher"]).json()["din"] == "***"
    assert client.get(f"/api/cell-products/{lot['id']}", headers=h["clin_b"]).status_code == 404
    assert [x["id"] for x in client.get("/api/cell-products", headers=h["clin_a"]).json()] == [lot["id"]]
    assert client.get("/api/cell-products", headers=h["clin_b"]).json() == []


def test_register_din_typo_422(client: TestClient, h: dict[str, dict[str, str]], lot: dict[str, Any]) -> None:
    r = client.post("/api/cell-products", headers=h["clin_a"], json={
        "lot_number": "HSC-2", "din": TYPO_DIN, "product_type": "msc", "donor_type": "autologous",
        "patient_id": lot["p1"]})
    assert r.status_code == 422
    assert r.json() == {"detail": "field 'din': got 'G123 498 654 312 H'; allowed: a DIN whose check character "
                                  "is 'J' (check the number for a typing error).", "field": "din"}


def test_results_return_report(client: TestClient, h: dict[str, dict[str, str]], lot: dict[str, Any]) -> None:
    report = _release(client, h, lot["id"])
    assert report["decision"] == "releasable"
    assert report["spec"]["name"] == SPEC
    body = client.get(f"/api/cell-products/{lot['id']}", headers=h["clin_a"]).json()
    assert (body["status"], body["release_decision"], body["released_by"]) == ("released", "releasable", "clin_a")
    r = client.post(f"/api/cell-products/{lot['id']}/results", headers=h["researcher"],
                    json={"spec": SPEC, "results": PASSING})
    assert r.status_code == 403
    r = client.post(f"/api/cell-products/{lot['id']}/results", headers=h["clin_a"],
                    json={"spec": SPEC, "results": {"viability_percent": 140}})
    assert r.status_code == 422
    assert r.json()["field"] == "viability_percent"
    assert r.json()["detail"].startswith("field 'viability_percent': got 140; allowed:")


def test_refused_infusions(client: TestClient, h: dict[str, dict[str, str]], lot: dict[str, Any]) -> None:
    url = f"/api/cell-products/{lot['id']}/infusions"
    base = {"patient_id": lot["p1"], "scanned_din": DIN, "infusion_date": "2026-01-05"}
    r = client.post(url, headers=h["clin_a"], json=base)  # not released yet
    assert r.status_code == 422
    assert r.json() == {"detail": "field 'product_status': got 'quarantine'; allowed: 'released' "
                                  "(the lot has not passed release).", "field": "product_status"}
    _release(client, h, lot["id"])
    r = client.post(url, headers=h["clin_a"], json={**base, "patient_id": lot["p2"]})
    assert r.status_code == 422
    assert r.json() == {"detail": "field 'recipient_patient_id': got 'API-C2'; allowed: the patient this "
                                  "product was made for (API-C1); infusion refused.",
                        "field": "recipient_patient_id"}
    r = client.post(url, headers=h["clin_a"], json={**base, "scanned_din": OTHER_DIN})
    assert r.status_code == 422
    assert r.json()["field"] == "scanned_din"
    chain = client.get(f"/api/cell-products/{lot['id']}/chain", headers=h["clin_a"]).json()
    assert len(chain["refused_infusions"]) == 3
    assert not any(c["stage"] == "infusion" for c in chain["chain"])
    history = client.get(f"/api/patients/{lot['p2']}/history", headers=h["clin_a"]).json()
    assert history[-1]["action"] == "infusion_refused"
    r = client.post(url, headers=h["clin_a"], json={**base, "dose_cells_per_kg": 5e6, "weight_kg": 70})
    assert r.status_code == 201, r.text
    assert r.json()["infused_by"] == "clin_a"


def test_chain_graft_and_certificate(client: TestClient, h: dict[str, dict[str, str]],
                                     lot: dict[str, Any]) -> None:
    a, lid = h["clin_a"], lot["id"]
    for day, cells in (("2025-12-01", 2.1e8), ("2025-12-02", 1.4e8)):
        r = client.post(f"/api/cell-products/{lid}/collections", headers=a,
                        json={"collection_date": day, "cd34_cells": cells})
        assert r.status_code == 201, r.text
    r = client.post(f"/api/cell-products/{lid}/processing", headers=a, json={
        "processing_date": "2025-12-03", "method": "cd34_selection", "cd34_before": 3.5e8, "cd34_after": 2.8e8})
    assert r.status_code == 201, r.text
    # worked example: (2.1e8 + 1.4e8) CD34+ / 70 kg = 5.0e6/kg
    g = client.get(f"/api/cell-products/{lid}/graft", headers=h["researcher"], params={"weight_kg": 70}).json()
    assert g["value"] == pytest.approx(5.0e6, rel=RTOL)
    assert client.get(f"/api/cell-products/{lid}/certificate.pdf", headers=a).status_code == 404
    _release(client, h, lid)
    r = client.post(f"/api/cell-products/{lid}/infusions", headers=a,
                    json={"patient_id": lot["p1"], "scanned_din": DIN, "infusion_date": "2026-01-05"})
    assert r.status_code == 201
    chain = client.get(f"/api/cell-products/{lid}/chain", headers=a).json()
    assert [c["stage"] for c in chain["chain"]] == [
        "registration", "collection", "collection", "processing", "release", "infusion"]
    assert chain["complete"] is True
    pdf = client.get(f"/api/cell-products/{lid}/certificate.pdf", headers=a)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"/api/cell-products/{lid}/certificate.pdf", headers=h["clin_b"]).status_code == 404


def test_generic_routes_hide_product_identifiers_from_researchers(
    client: TestClient, h: dict[str, dict[str, str]], lot: dict[str, Any],
) -> None:
    # The DIN identifies the donation, hence the person: researchers see pseudonymised data only.
    clin = {x["id"]: x for x in client.get("/api/cell-lots", headers=h["clin_a"]).json()}
    assert clin[lot["id"]]["din"] is not None
    listed = {x["id"]: x for x in client.get("/api/cell-lots", headers=h["researcher"]).json()}
    one = client.get(f"/api/cell-lots/{lot['id']}", headers=h["researcher"]).json()
    summary = client.get(f"/api/patients/{lot['p1']}", headers=h["researcher"]).json()
    for record in (listed[lot["id"]], one, *summary["cell_lots"]):
        assert "din" not in record
        assert "donor_code" not in record


def test_release_status_cannot_be_set_by_hand(client: TestClient, h: dict[str, dict[str, str]],
                                              lot: dict[str, Any]) -> None:
    r = client.patch(f"/api/cell-lots/{lot['id']}", headers=h["admin"], json={"status": "released"})
    assert r.status_code == 422
    assert "field 'status': got 'released'; allowed: no direct change" in r.text
