"""Fixtures of the web page tests: a fresh SQLite registry with three users and two patients."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sclerostem import registry
from sclerostem.web import LoginRateLimiter, create_app

PASSWORDS = {"admin": "admin-pass-1", "clin": "clin-pass-1", "res": "res-pass-1", "other": "other-pass-1"}
CENTRE = "Test Centre"


def _build(path: Path) -> None:
    database = registry.Database(f"sqlite:///{path}")
    database.create_all()
    with database.session() as s:
        admin = registry.create_user(s, None, "admin", PASSWORDS["admin"], "admin")
        registry.create_user(s, admin, "clin", PASSWORDS["clin"], "clinician", centre=CENTRE)
        registry.create_user(s, admin, "other", PASSWORDS["other"], "clinician", centre="Elsewhere")
        registry.create_user(s, admin, "res", PASSWORDS["res"], "researcher")
        p = registry.create_patient(s, admin, study_id="T-001", centre=CENTRE, sex="female",
                                    name="Ada Example", date_of_birth=dt.date(1970, 5, 17),
                                    hospital_number="H123456")
        registry.add_diagnosis(s, admin, p.id, disease="ssc", subset="dcSSc",
                               diagnosis_date=dt.date(2019, 3, 1))
        registry.add_visit(s, admin, p.id, visit_date=dt.date(2020, 1, 10), visit_label="baseline",
                           fvc_percent_predicted=72.0, dlco_percent_predicted=58.0, haq_di=1.25,
                           **{f"mrss_{k}": 1 for k in registry.MRSS_SITES})
        registry.add_transplant(s, admin, p.id, transplant_date=dt.date(2020, 6, 1),
                                conditioning_regimen="cy200_ratg")
        registry.add_visit(s, admin, p.id, visit_date=dt.date(2021, 6, 1), visit_label="month_12",
                           fvc_percent_predicted=80.0, haq_di=0.75,
                           **{f"mrss_{k}": 0 for k in registry.MRSS_SITES})
        q = registry.create_patient(s, admin, study_id="T-002", centre="Elsewhere", sex="male",
                                    name="Bob Other", hospital_number="H999")
        registry.add_diagnosis(s, admin, q.id, disease="ssc", subset="lcSSc")
    database.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture database, built once (argon2 hashing and migrations are slow)."""
    path = tmp_path_factory.mktemp("webdb") / "template.db"
    _build(path)
    return path


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Iterator[registry.Database]:
    """A fresh copy of the fixture database for each test."""
    path = tmp_path / "web.db"
    shutil.copyfile(template_db, path)
    database = registry.Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def app(db: registry.Database) -> Any:
    return create_app(db, secret_key="test-secret", rate_limiter=LoginRateLimiter(max_failures=3))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a rendered page's forms."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in page"
    return m.group(1)


def sign_in(client: TestClient, username: str) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": PASSWORDS[username],
                                    "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text


def patient_id(db: registry.Database, study_id: str) -> int:
    from sqlalchemy import select

    with db.read_session() as s:
        return int(s.execute(select(registry.Patient.id).where(
            registry.Patient.study_id == study_id)).scalar_one())
