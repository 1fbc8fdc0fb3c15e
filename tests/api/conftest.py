"""Fixtures of the API tests: the same tests on SQLite and PostgreSQL.

The fixtures (``db_url``, ``db``, ``users`` and the PostgreSQL ones) are defined
once in ``tests/_registry_fixtures.py``.
"""

from __future__ import annotations

from tests._registry_fixtures import db, db_url, pg_server, pg_url, users  # noqa: F401  (fixtures)
