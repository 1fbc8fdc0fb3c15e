"""Registry services on SQLite and PostgreSQL: roles, validation, scores, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from sclerostem.errors import ConsistencyError, InputError, InputTypeError, UnknownFieldError
from sclerostem.registry import (
    MRSS_SITES,
    AccessDeniedError,
    ConflictError,
    Database,
    NotFoundError,
    Visit,
    add_diagnosis,
    add_event,
    add_transplant,
    add_visit,
    authenticate,
    cohort,
    create_patient,
    create_user,
    engine_version,
    list_patients,
    patient_summary,
    update_patient,
    update_visit,
)

ALL_ZERO = {f"mrss_{s}": 0 for s in MRSS_SITES}


def _patient(db: Database, actor, study_id: str = "P-001", **kw):
    with db.session() as s:
        p = create_patient(s, actor, study_id=study_id, centre=kw.pop("centre", "A"), **kw)
        return p.id


def test_schema_is_at_head_revision(db: Database) -> None:
    assert db.current_revision() == Database.head_revision()
    assert Database.head_revision() >= "0002"
    db.create_all()  # idempotent
    assert "audit_entries" in db.table_names()


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    db.create_all()
    with db.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_passwords_are_argon2id_and_authenticate(db: Database, users) -> None:
    with db.session() as s:
        u = authenticate(s, "clin_a", "clin-a-pass")
        assert u is not None
        assert u.role == "clinician"
        assert u.password_hash.startswith("$argon2id$")
        assert authenticate(s, "clin_a", "wrong") is None
        assert authenticate(s, "nobody", "clin-a-pass") is None


def test_only_first_user_may_be_created_without_admin(db: Database, users) -> None:
    with db.session() as s, pytest.raises(AccessDeniedError) as exc:
        create_user(s, None, "x", "long-enough", "admin")
    assert str(exc.value) == "user 'anonymous' (role 'none') may not create users."


def test_user_input_errors_name_field_value_and_allowed(db: Database, users) -> None:
    with db.session() as s:
        admin = authenticate(s, "admin", "admin-pass")
        with pytest.raises(InputError) as e1:
            create_user(s, admin, "newbie", "short", "clinician", centre="A")
        assert str(e1.value) == "field 'password': got '***'; allowed: at least 8 characters."
        with pytest.raises(InputError) as e2:
            create_user(s, admin, "newbie", "long-enough", "nurse")
        assert str(e2.value) == (
            "field 'role': got 'nurse'; allowed: one of 'admin', 'clinician', 'researcher'."
        )
        with pytest.raises(ConflictError):
            create_user(s, admin, "clin_a", "long-enough", "clinician", centre="A")


def test_researcher_cannot_write(db: Database, users) -> None:
    with db.session() as s, pytest.raises(AccessDeniedError) as exc:
        create_patient(s, users["researcher"], study_id="R-1", centre="A")
    assert str(exc.value) == "user 'res' (role 'researcher') may not create patients."


def test_clinician_limited_to_own_centre(db: Database, users) -> None:
    pid = _patient(db, users["clin_a"], name="Ann Example")
    with db.session() as s:
        with pytest.raises(NotFoundError) as exc:
            patient_summary(s, users["clin_b"], pid)
        assert str(exc.value) == f"patient {pid!r} not found."
        assert list_patients(s, users["clin_b"]) == []
        with pytest.raises(AccessDeniedError):
            create_patient(s, users["clin_b"], study_id="B-9", centre="A")


def test_researcher_sees_no_identifying_fields(db: Database, users) -> None:
    pid = _patient(db, users["clin_a"], name="Ann Example", date_of_birth="1970-05-01",
                   hospital_number="H123")
    with db.session() as s:
        summary = patient_summary(s, users["researcher"], pid)
        assert summary["identifying_visible"] is False
        for key in ("name", "date_of_birth", "hospital_number"):
            assert key not in summary["patient"]
        row = list_patients(s, users["researcher"])[0]
        assert "name" not in row
        assert row["study_id"] == "P-001"
        # search never matches identifying fields for researchers
        assert list_patients(s, users["researcher"], search="ann") == []
        clin = patient_summary(s, users["clin_a"], pid)
        assert clin["patient"]["name"] == "Ann Example"
        assert list_patients(s, users["clin_a"], search="ann")[0]["id"] == pid


def test_visit_validation_uses_the_one_wording(db: Database, users) -> None:
    pid = _patient(db, users["clin_a"])
    with db.session() as s:
        with pytest.raises(InputError) as e1:
            add_visit(s, users["clin_a"], pid, visit_date="2024-01-01", crp_mg_dl=-1.0)
        assert str(e1.value) == "field 'crp_mg_dl': got -1.0; allowed: a number from 0 to 50 (mg/dL)."
        with pytest.raises(InputError) as e2:
            add_visit(s, users["clin_a"], pid, visit_date="2024-01-01", mrss_face=4)
        assert str(e2.value) == "field 'mrss_face': got 4; allowed: a whole number from 0 to 3."
        with pytest.raises(InputTypeError) as e3:
            add_visit(s, users["clin_a"], pid, visit_date="2024-01-01", fvc_percent_predicted="high")
        assert str(e3.value) == (
            "field 'fvc_percent_predicted': got 'high'; allowed: a number from 10 to 200 (% predicted)."
        )
        with pytest.raises(UnknownFieldError):
            add_visit(s, users["clin_a"], pid, visit_date="2024-01-01", mrss_back=1)
        with pytest.raises(InputError) as e4:
            add_visit(s, users["clin_a"], pid, fvc_percent_predicted=80)
        assert str(e4.value) == "field 'visit_date': got None; allowed: a value (required)."


def test_dates_must_be_consistent(db: Database, users) -> None:
    pid = _patient(db, users["clin_a"], date_of_birth="1980-01-01")
    with db.session() as s:
        with pytest.raises(ConsistencyError) as exc:
            add_visit(s, users["clin_a"], pid, visit_date="1979-12-31")
        assert str(exc.value) == (
            "field 'visit_date': got '1979-12-31'; allowed: a date on or after the date of birth."
        )
        with pytest.raises(ConsistencyError):
            add_transplant(s, users["clin_a"], pid, transplant_date="2020-05-10",
                           neutrophil_engraftment_date="2020-05-01")


def test_mrss_total_stored_with_engine_version_and_recomputed(db: Database, users) -> None:
    # Worked example, shared/spec/scores.md §1: fingers R=2 L=2, hands R=1 L=1,
    # forearms R=1 L=1, face 1, all other areas 0 -> mRSS = 9.
    grades = dict(ALL_ZERO, mrss_fingers_right=2, mrss_fingers_left=2, mrss_hand_dorsum_right=1,
                  mrss_hand_dorsum_left=1, mrss_forearm_right=1, mrss_forearm_left=1, mrss_face=1)
    pid = _patient(db, users["clin_a"])
    with db.session() as s:
        v = add_visit(s, users["clin_a"], pid, visit_date="2024-01-01", **grades)
        vid = v.id
        assert v.mrss_total == 9
        assert v.scores_engine_version == engine_version()
        assert v.scores["mrss_total"] == 9
    with db.session() as s:
        update_visit(s, users["clin_a"], vid, mrss_face=3)  # input change -> recompute
    with db.session() as s:
        assert s.get(Visit, vid).mrss_total == 11
        update_visit(s, users["clin_a"], vid, mrss_face=None)  # a missing site -> not computable
    with db.session() as s:
        assert s.get(Visit, vid).mrss_total is None


def test_duplicate_visit_date_is_a_conflict(db: Database, users) -> None:
    pid = _patient(db, users["clin_a"])
    with db.session() as s:
        add_visit(s, users["clin_a"], pid, visit_date="2024-01-01")
        with pytest.raises(ConflictError):
            add_visit(s, users["clin_a"], pid, visit_date="2024-01-01")


def test_expected_version_prevents_lost_update(db: Database, users) -> None:
    pid = _patient(db, users["clin_a"])
    with db.session() as s:
        seen = patient_summary(s, users["clin_a"], pid)["patient"]["version"]
    with db.session() as s:
        update_patient(s, users["clin_a"], pid, expected_version=seen, sex="female")
    with db.session() as s, pytest.raises(ConflictError):
        update_patient(s, users["clin_a"], pid, expected_version=seen, sex="male")
    with db.session() as s:
        assert patient_summary(s, users["admin"], pid)["patient"]["sex"] == "female"


def _follow_up_patient(db: Database, actor, study_id: str, months_days: int, subset: str, tx: bool) -> int:
    day0 = dt.date(2015, 1, 1)
    pid = _patient(db, actor, study_id)
    with db.session() as s:
        add_diagnosis(s, actor, pid, disease="ssc", subset=subset)
        if tx:
            add_transplant(s, actor, pid, transplant_date=day0)
        add_visit(s, actor, pid, visit_date=day0)
        add_visit(s, actor, pid, visit_date=day0 + dt.timedelta(days=months_days))
    return pid


def test_cohort_transplanted_dcssc_54_months(db: Database, users) -> None:
    a = users["clin_a"]
    # 54 months = 54 x 30.4375 = 1643.625 days: 1644 days reaches it, 1643 does not.
    yes = _follow_up_patient(db, a, "C-1", 1644, "dcSSc", True)
    _follow_up_patient(db, a, "C-2", 1643, "dcSSc", True)
    _follow_up_patient(db, a, "C-3", 2000, "lcSSc", True)
    _follow_up_patient(db, a, "C-4", 2000, "dcSSc", False)
    with db.session() as s:
        rows = cohort(s, users["researcher"], disease="ssc", subset="dcSSc", transplanted=True,
                      min_follow_up_months=54)
    assert [r["id"] for r in rows] == [yes]
    assert rows[0]["follow_up_months"] == 54.0


def test_death_ends_follow_up(db: Database, users) -> None:
    a = users["clin_a"]
    pid = _follow_up_patient(db, a, "D-1", 100, "dcSSc", True)
    with db.session() as s:
        add_event(s, a, pid, event_type="death", event_date="2016-01-01", treatment_related=True,
                  cause="sepsis")
        row = list_patients(s, a)[0]
    assert row["died"] is True
    assert row["follow_up_months"] == round(365 / 30.4375, 1)
