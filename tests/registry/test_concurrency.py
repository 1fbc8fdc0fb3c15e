"""Concurrent writers on SQLite and PostgreSQL do not lose updates."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import select

from sclerostem.registry import (
    ConflictError,
    Database,
    Visit,
    add_visit,
    create_patient,
    get_record,
    update_visit,
)

N_WRITERS = 8


def _run_writers(db_url: str, work: Callable[[int, Database], None]) -> list[BaseException]:
    """Run ``work(i, database)`` in N_WRITERS threads, each with its own engine; return their errors."""
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        other = Database(db_url)  # separate engine: separate connections, like separate processes
        try:
            work(i, other)
        except BaseException as exc:
            errors.append(exc)
        finally:
            other.dispose()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(N_WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_read_modify_write_loses_nothing(db_url: str, db: Database, users) -> None:
    """Each thread appends its tag to a visit's notes (read, modify, write with the version read).

    A writer that read a stale version gets ConflictError and retries; at the end
    every tag is present exactly once.
    """
    with db.session() as s:
        p = create_patient(s, users["clin_a"], study_id="C-1", centre="A")
        vid = add_visit(s, users["clin_a"], p.id, visit_date="2024-01-01", notes="").id
    conflicts: list[int] = []
    barrier = threading.Barrier(N_WRITERS)

    def work(i: int, other: Database) -> None:
        barrier.wait()
        for _ in range(200):
            with other.read_session() as s:
                v = get_record(s, users["clin_a"], "visit", vid)
                notes, version = v.notes or "", v.version
            try:
                with other.session() as s:
                    update_visit(s, users["clin_a"], vid, expected_version=version,
                                 notes=f"{notes}[{i}]")
                return
            except ConflictError:
                conflicts.append(i)
        raise AssertionError(f"writer {i} never succeeded")

    errors = _run_writers(db_url, work)
    assert errors == []
    with db.session() as s:
        notes = s.get(Visit, vid).notes
    assert sorted(notes.replace("]", "] ").split()) == sorted(f"[{i}]" for i in range(N_WRITERS))
    assert conflicts, "the writers never overlapped: the test did not exercise a conflict"


def test_concurrent_inserts_all_kept(db_url: str, db: Database, users) -> None:
    with db.session() as s:
        pid = create_patient(s, users["clin_a"], study_id="C-2", centre="A").id
    def work(i: int, other: Database) -> None:
        for k in range(5):
            with other.session() as s:
                add_visit(s, users["clin_a"], pid, visit_date=f"2020-{i + 1:02d}-{k + 1:02d}")

    errors = _run_writers(db_url, work)
    assert errors == []
    with db.session() as s:
        assert len(s.execute(select(Visit.id).where(Visit.patient_id == pid)).all()) == N_WRITERS * 5
