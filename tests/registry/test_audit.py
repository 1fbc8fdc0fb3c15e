"""Audit trail: every change recorded; audit rows append-only (ORM, raw SQL, database trigger)."""

from __future__ import annotations

import pytest
import sqlalchemy.exc
from sqlalchemy import delete, select, text, update

from sclerostem.registry import (
    AuditEntry,
    AuditTamperError,
    Database,
    add_visit,
    create_patient,
    delete_record,
    patient_history,
    update_patient,
    update_visit,
)


def _setup(db: Database, users) -> tuple[int, int]:
    with db.session() as s:
        p = create_patient(s, users["clin_a"], study_id="A-1", centre="A", name="Ann Example")
        v = add_visit(s, users["clin_a"], p.id, visit_date="2024-01-01", crp_mg_dl=1.0)
        return p.id, v.id


def test_create_update_delete_are_recorded_with_old_and_new(db: Database, users) -> None:
    pid, vid = _setup(db, users)
    with db.session() as s:
        update_visit(s, users["clin_a"], vid, crp_mg_dl=2.5)
        update_patient(s, users["clin_a"], pid, name="Ann Other")
    with db.session() as s:
        delete_record(s, users["clin_a"], "visit", vid)
    with db.session() as s:
        hist = patient_history(s, pid)
    actions = [(h["entity"], h["action"]) for h in hist]
    assert actions == [("patients", "create"), ("visits", "create"), ("visits", "update"),
                       ("patients", "update"), ("visits", "delete")]
    assert {h["username"] for h in hist} == {"clin_a"}
    assert hist[2]["changes"] == {"crp_mg_dl": [1.0, 2.5]}
    assert hist[3]["changes"] == {"name": ["Ann Example", "Ann Other"]}
    assert hist[4]["changes"]["crp_mg_dl"] == [2.5, None]
    assert all(h["at"] for h in hist)


def test_researcher_history_masks_identifying_values(db: Database, users) -> None:
    pid, _ = _setup(db, users)
    with db.session() as s:
        hist = patient_history(s, pid, actor=users["researcher"])
    assert hist[0]["changes"]["name"] == ["***", "***"]
    assert hist[0]["changes"]["study_id"] == [None, "A-1"]


def _tamper_count(db: Database) -> int:
    with db.session() as s:
        return len(s.execute(select(AuditEntry).where(AuditEntry.action == "tamper_attempt")).all())


def test_orm_update_of_audit_row_is_refused_and_recorded(db: Database, users) -> None:
    _setup(db, users)
    with pytest.raises(AuditTamperError), db.session() as s:  # noqa: PT012
        s.info["actor"] = users["admin"]
        entry = s.execute(select(AuditEntry)).scalars().first()
        entry.changes = {"forged": [1, 2]}
    with pytest.raises(AuditTamperError), db.session() as s:
        s.delete(s.execute(select(AuditEntry)).scalars().first())
    with pytest.raises(AuditTamperError), db.session() as s:
        s.execute(update(AuditEntry).values(username="nobody"))
    with pytest.raises(AuditTamperError), db.session() as s:
        s.execute(delete(AuditEntry))
    with pytest.raises(AuditTamperError), db.session() as s:
        s.execute(text("DELETE FROM audit_entries"))
    assert _tamper_count(db) == 5
    with db.session() as s:
        attempt = s.execute(select(AuditEntry).where(AuditEntry.action == "tamper_attempt")).scalars().first()
        assert attempt.username == "admin"
        assert attempt.note == "refused attempt to update audit entries"


def test_raw_connection_sql_is_refused(db: Database, users) -> None:
    _setup(db, users)
    with pytest.raises(AuditTamperError), db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET username = 'x'"))


def test_database_trigger_refuses_even_below_the_application(db: Database, users) -> None:
    _setup(db, users)
    with db.session() as s:
        before = s.execute(select(AuditEntry.id, AuditEntry.username)).all()
    raw = db.engine.raw_connection()  # DBAPI connection: bypasses every SQLAlchemy hook
    try:
        cur = raw.cursor()
        with pytest.raises(Exception, match="append-only") as exc:
            cur.execute("UPDATE audit_entries SET username = 'x'")
        assert not isinstance(exc.value, AuditTamperError)
        raw.rollback()
        with pytest.raises(Exception, match="append-only"):
            cur.execute("DELETE FROM audit_entries")
        raw.rollback()
    finally:
        raw.close()
    with db.session() as s:
        assert s.execute(select(AuditEntry.id, AuditEntry.username)).all() == before


def test_failed_change_leaves_no_audit_row(db: Database, users) -> None:
    pid, _ = _setup(db, users)
    with db.session() as s:
        before = len(patient_history(s, pid))
    with pytest.raises(sqlalchemy.exc.IntegrityError), db.session() as s:  # noqa: PT012
        add_visit(s, users["clin_a"], pid, visit_date="2024-02-01")
        s.execute(text("INSERT INTO patients (id, study_id, centre, version, created_at, updated_at) "
                       "VALUES (999, 'A-1', 'A', 1, '2024-01-01', '2024-01-01')"))
    with db.session() as s:
        assert len(patient_history(s, pid)) == before


def test_no_identifying_data_in_logs(db: Database, users, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="sclerostem")
    pid, _vid = _setup(db, users)
    with db.session() as s:
        update_patient(s, users["clin_a"], pid, name="Zelda Secretname", hospital_number="HN-98765")
    with pytest.raises(AuditTamperError), db.session() as s:
        s.execute(delete(AuditEntry))
    assert caplog.records  # the refused attempt was logged
    text_logged = caplog.text
    for ident in ("Ann Example", "Zelda Secretname", "HN-98765"):
        assert ident not in text_logged


@pytest.mark.postgres
def test_postgresql_trigger_refuses_truncate(pg_url: str) -> None:
    from sclerostem.registry import create_user

    db = Database(pg_url)
    db.create_all()
    with db.session() as s:
        create_user(s, None, "admin", "admin-pass", "admin")
    raw = db.engine.raw_connection()
    try:
        with pytest.raises(Exception, match="append-only"):
            raw.cursor().execute("TRUNCATE audit_entries")
        raw.rollback()
    finally:
        raw.close()
    with db.session() as s:
        assert s.execute(select(AuditEntry.id)).first() is not None
    db.dispose()
