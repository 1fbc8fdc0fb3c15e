"""Registry fixtures shared by ``tests/api``, ``tests/io`` and ``tests/registry``.

Each of those folders' ``conftest.py`` imports the fixtures from here, so the
same tests run on SQLite and PostgreSQL with one definition of ``db_url``,
``db`` and ``users``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from sclerostem.registry import Database, User, _auth, create_user
from tests.pg import pg_server, pg_url

__all__ = ["db", "db_url", "pg_server", "pg_url", "users"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated, empty registry database."""
    database = Database(db_url)
    database.create_all()
    yield database
    database.dispose()


_real_hash = _auth.hash_password


@functools.cache
def _cached_hash(password: str) -> str:
    return _real_hash(password)


@pytest.fixture
def users(db: Database, monkeypatch: pytest.MonkeyPatch) -> dict[str, User]:
    """admin, two clinicians of different centres, a researcher.

    Argon2 hashes are memoised per password within the test session (each hash
    costs ~0.2 s by design); verification stays the real argon2 check.
    """
    monkeypatch.setattr(_auth, "hash_password", _cached_hash)
    with db.session() as s:
        admin = create_user(s, None, "admin", "admin-pass", "admin")
        out = {
            "admin": admin,
            "clin_a": create_user(s, admin, "clin_a", "clin-a-pass", "clinician", centre="A"),
            "clin_b": create_user(s, admin, "clin_b", "clin-b-pass", "clinician", centre="B"),
            "researcher": create_user(s, admin, "res", "researcher-pass", "researcher"),
        }
    return out
