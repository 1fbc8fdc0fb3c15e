"""Synthetic demo cohort, and backup/restore round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sclerostem.errors import InputError
from sclerostem.registry import (
    AuditEntry,
    Database,
    Event,
    Patient,
    Transplant,
    Visit,
    authenticate,
    cohort,
)
from sclerostem.registry.demo import DEMO_USERS, load_demo_cohort

TODAY = dt.date(2026, 1, 1)  # fixed end of follow-up: the cohort does not depend on the run date


@pytest.fixture
def demo_db(db: Database) -> Database:
    load_demo_cohort(db, n_patients=30, seed=7, today=TODAY)
    return db


def _mrss_series(db: Database) -> list[tuple[str, str, int | None]]:
    with db.session() as s:
        return [(p, str(d), m) for p, d, m in s.execute(
            select(Patient.study_id, Visit.visit_date, Visit.mrss_total).join(Visit)
            .order_by(Patient.study_id, Visit.visit_date)).all()]


def test_demo_cohort_is_labelled_and_realistic(demo_db: Database) -> None:
    with demo_db.session() as s:
        patients = s.execute(select(Patient)).scalars().all()
        assert len(patients) == 30
        assert all(p.synthetic and p.study_id.startswith("DEMO-") for p in patients)
        assert all(p.name.startswith("Synthetic Patient") for p in patients)
        n_tx = s.execute(select(func.count(func.distinct(Transplant.patient_id)))).scalar()
        assert 0 < n_tx < 30  # transplanted and conventionally treated patients
        deaths = s.execute(select(Event).where(Event.event_type == "death")).scalars().all()
        assert deaths
        assert all(d.event_date <= TODAY for d in deaths)
        assert s.execute(select(func.count(Visit.id)).where(Visit.mrss_total.is_not(None))).scalar() > 100
        for username, password, role, _centre in DEMO_USERS:
            u = authenticate(s, username, password)
            assert u is not None
            assert u.role == role


def test_demo_cohort_has_treatment_related_deaths_with_default_size(db: Database) -> None:
    load_demo_cohort(db, today=TODAY)
    with db.session() as s:
        trm = s.execute(select(func.count(Event.id)).where(
            Event.event_type == "death", Event.treatment_related.is_(True))).scalar()
        assert s.execute(select(func.count(Patient.id))).scalar() == 60
        assert trm >= 1
        admin = authenticate(s, "admin", "demo-admin")
        assert cohort(s, admin, subset="dcSSc", transplanted=True, min_follow_up_months=54)


def test_demo_cohort_is_deterministic_and_idempotent(tmp_path: Path, demo_db: Database) -> None:
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    load_demo_cohort(other, n_patients=30, seed=7, today=TODAY)
    assert _mrss_series(other) == _mrss_series(demo_db)
    again = load_demo_cohort(demo_db, n_patients=30, seed=7, today=TODAY)
    assert again["patients"] == 0
    with demo_db.session() as s:
        assert s.execute(select(func.count(Patient.id))).scalar() == 30
    other.dispose()


def test_backup_restore_round_trip(tmp_path: Path, demo_db: Database) -> None:
    path = tmp_path / "backup.json.gz"
    counts = demo_db.backup(path)
    assert counts["patients"] == 30
    target = Database(f"sqlite:///{tmp_path / 'restored.db'}")
    restored = target.restore(path)
    assert restored == counts
    assert _mrss_series(target) == _mrss_series(demo_db)
    with target.session() as s, demo_db.session() as s2:
        assert s.execute(select(func.count(AuditEntry.id))).scalar() == \
            s2.execute(select(func.count(AuditEntry.id))).scalar()
        assert authenticate(s, "clinician", "demo-clinician") is not None
    with pytest.raises(InputError) as exc:
        target.restore(path)  # never merges into a non-empty database
    assert "allowed: an empty database to restore into." in str(exc.value)
    target.dispose()
