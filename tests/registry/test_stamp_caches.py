"""The page and summary caches key on max(audit id); they are used only where that is exact.

On PostgreSQL two writers can commit out of audit-id order, so the caches are off there
(every request reads current data); on SQLite (one writer at a time) they are on.
"""

from __future__ import annotations

from typing import Any

from sclerostem.registry import Database, create_patient
from sclerostem.web._cache import PatientViewCache


def test_stamp_exact_only_on_sqlite(db: Database) -> None:
    assert db.audit_stamp_is_exact is (db.engine.dialect.name == "sqlite")


def test_page_cache_used_only_where_exact(db: Database, users: dict[str, Any]) -> None:
    with db.session() as s:
        pid = create_patient(s, users["clin_a"], study_id="CACHE-1", centre="A").id
    cache = PatientViewCache()
    with db.read_session() as s:
        first = cache.get(s, pid)
    with db.read_session() as s:
        second = cache.get(s, pid)
    assert first is not None
    assert second is not None
    if db.audit_stamp_is_exact:
        assert second is first  # served from the cache
        assert cache.hits == 1
    else:
        assert second is not first  # rebuilt from current data on every request
        assert cache.hits == 0
