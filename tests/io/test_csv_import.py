"""CSV import: one report of every problem, all-or-nothing, skip-invalid, dry run, idempotence, kill safety."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sclerostem.io import ImportFailed, export_csv, import_csv
from sclerostem.registry import AccessDeniedError, AuditEntry, Database, Patient, Visit

PATIENTS = "study_id,centre,sex,date_of_birth\nS-1,A,female,1970-01-01\nS-2,A,male,1980-05-05\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _count(db: Database, model) -> int:
    with db.session() as s:
        return s.execute(select(func.count(model.id))).scalar()


@pytest.fixture
def with_patients(db: Database, users, tmp_path: Path) -> Database:
    import_csv(db, users["clin_a"], _write(tmp_path / "patients.csv", PATIENTS))
    return db


def test_every_problem_reported_and_nothing_imported(with_patients: Database, users, tmp_path: Path) -> None:
    db = with_patients
    f = _write(tmp_path / "visits.csv",
               "study_id,visit_date,crp_mg_dl,mrss_face,fvc_percent_predicted\n"
               "S-1,2024-01-01,0.5,1,80\n"          # row 1 ok
               "S-1,2024-13-01,-1,4,80\n"            # row 2: bad date, crp, mrss
               "S-9,2024-01-01,1,1,abc\n"            # row 3: unknown patient, text in number
               "S-2,1979-01-01,1,1,80\n"             # row 4: before date of birth
               "S-1,2024-01-01,0.5,1,80\n")          # row 5: duplicate of row 1
    with pytest.raises(ImportFailed) as exc:
        import_csv(db, users["clin_a"], f)
    report = exc.value.report
    got = [str(p) for p in report.problems]
    assert got == [
        "row 2, field 'visit_date': got '2024-13-01'; allowed: a date YYYY-MM-DD.",
        "row 2, field 'crp_mg_dl': got '-1'; allowed: a number from 0 to 50 (mg/dL).",
        "row 2, field 'mrss_face': got '4'; allowed: a whole number from 0 to 3.",
        "row 3, field 'fvc_percent_predicted': got 'abc'; allowed: a number from 10 to 200 (% predicted).",
        "row 3, field 'study_id': got 'S-9'; allowed: the study id of a registered patient (unknown patient).",
        "row 4, field 'visit_date': got '1979-01-01'; allowed: a date on or after the date of birth.",
        "row 5, field 'study_id,visit_date': got 'S-1/2024-01-01'; allowed: each record once (duplicate of row 1).",
    ]
    assert report.rejected_rows == [2, 3, 4, 5]
    assert str(exc.value).startswith("7 problem(s) in visits.csv; nothing imported.")
    assert _count(db, Visit) == 0


def test_skip_invalid_imports_valid_rows_and_writes_rejected(with_patients: Database, users, tmp_path: Path) -> None:
    db = with_patients
    f = _write(tmp_path / "visits.csv",
               "study_id,visit_date,crp_mg_dl\nS-1,2024-01-01,0.5\nS-1,2024-02-01,99\nS-2,2024-01-01,1\n")
    rej = tmp_path / "rejected.csv"
    report = import_csv(db, users["clin_a"], f, skip_invalid=True, rejected_path=rej)
    assert report.created == {"visit": 2}
    assert _count(db, Visit) == 2
    with open(rej, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["_row"], r["study_id"], r["crp_mg_dl"]) for r in rows] == [("2", "S-1", "99")]
    assert rows[0]["_problems"] == "row 2, field 'crp_mg_dl': got '99'; allowed: a number from 0 to 50 (mg/dL)."


def test_dry_run_changes_nothing(with_patients: Database, users, tmp_path: Path) -> None:
    db = with_patients
    f = _write(tmp_path / "visits.csv", "study_id,visit_date\nS-1,2024-01-01\nS-2,2024-01-01\n")
    before = _count(db, AuditEntry)
    report = import_csv(db, users["clin_a"], f, dry_run=True)
    assert report.created == {"visit": 2}
    assert not report.committed
    assert _count(db, Visit) == 0
    assert _count(db, AuditEntry) == before


def test_reimport_is_idempotent_and_updates_are_audited(with_patients: Database, users, tmp_path: Path) -> None:
    db = with_patients
    f = _write(tmp_path / "visits.csv", "study_id,visit_date,crp_mg_dl\nS-1,2024-01-01,0.5\n")
    assert import_csv(db, users["clin_a"], f).created == {"visit": 1}
    assert import_csv(db, users["clin_a"], f).unchanged == {"visit": 1}
    assert _count(db, Visit) == 1
    _write(f, "study_id,visit_date,crp_mg_dl\nS-1,2024-01-01,0.7\n")
    assert import_csv(db, users["clin_a"], f).updated == {"visit": 1}
    with db.session() as s:
        v = s.execute(select(Visit)).scalar_one()
        assert v.crp_mg_dl == 0.7
        assert v.version == 2
        last = s.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
        assert (last.action, last.username, last.changes) == ("update", "clin_a", {"crp_mg_dl": [0.5, 0.7]})


def test_access_rules_apply_to_imports(with_patients: Database, users, tmp_path: Path) -> None:
    db = with_patients
    f = _write(tmp_path / "visits.csv", "study_id,visit_date\nS-1,2024-01-01\n")
    with pytest.raises(ImportFailed) as exc:
        import_csv(db, users["clin_b"], f)
    assert str(exc.value.report.problems[0]) == (
        "row 1, field 'study_id': got 'S-1'; allowed: a patient of your centre ('B')."
    )
    with pytest.raises(AccessDeniedError):
        import_csv(db, users["researcher"], f)


def test_export_import_round_trip(db: Database, users, tmp_path: Path) -> None:
    from sclerostem.registry.demo import load_demo_cohort

    load_demo_cohort(db, n_patients=6, seed=5)
    with db.session() as s:
        admin = s.execute(select(Patient)).scalars().first() and users["admin"]
    target = Database(f"sqlite:///{tmp_path / 'copy.db'}")
    target.create_all()
    from sclerostem.registry import create_user

    with target.session() as s:
        admin2 = create_user(s, None, "admin", "admin-pass", "admin")
    for table in ("patients", "diagnoses", "treatments", "transplants", "events", "visits"):
        export_csv(db, admin, table, tmp_path / f"{table}.csv")
        import_csv(target, admin2, tmp_path / f"{table}.csv")
        export_csv(target, admin2, table, tmp_path / f"{table}.2.csv")
        assert (tmp_path / f"{table}.csv").read_text() == (tmp_path / f"{table}.2.csv").read_text()
    with db.session() as s, target.session() as t:
        q = select(Visit.mrss_total).order_by(Visit.patient_id, Visit.visit_date)
        assert s.execute(q).scalars().all() == t.execute(q).scalars().all()
    target.dispose()


_KILL_SCRIPT = r"""
import sys, time, pathlib
from sclerostem.registry import Database, authenticate
from sclerostem.io import import_csv
db = Database(sys.argv[1])
with db.session() as s:
    actor = authenticate(s, "clin_a", "clin-a-pass")
marker = pathlib.Path(sys.argv[3])
def progress(done, total):
    if done >= 2000 and not marker.exists():
        marker.write_text(str(done))
        time.sleep(600)   # killed here, mid-import, with rows written but not committed
import_csv(db, actor, sys.argv[2], progress=progress)
"""


def test_killed_import_leaves_database_unchanged(with_patients: Database, db_url: str, users, tmp_path: Path) -> None:
    db = with_patients
    f = tmp_path / "big.csv"
    with open(f, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["study_id", "visit_date", "crp_mg_dl"])
        for i in range(6000):
            w.writerow(["S-1" if i % 2 else "S-2", f"{2000 + i // 300}-{i % 12 + 1:02d}-{(i // 12) % 25 + 1:02d}", "1.0"])
    before = (_count(db, Visit), _count(db, AuditEntry))
    marker = tmp_path / "marker"
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, db_url, str(f), str(marker)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "the import never reached the kill point"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert int(marker.read_text()) >= 2000
    assert (_count(db, Visit), _count(db, AuditEntry)) == before
    # and the database still works for writers (no stale lock left behind)
    report = import_csv(db, users["clin_a"], _write(tmp_path / "v.csv", "study_id,visit_date\nS-1,2025-06-01\n"))
    assert report.created == {"visit": 1}
