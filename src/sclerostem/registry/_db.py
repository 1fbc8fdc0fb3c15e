"""The :class:`Database` handle: engine, sessions, migrations, backup/restore.

SQLite (default, ``sqlite:///path``) runs in WAL mode with foreign keys on and
a busy timeout; write sessions start with ``BEGIN IMMEDIATE`` so concurrent
writers queue instead of failing or losing updates. PostgreSQL is used with a
``postgresql+psycopg://`` URL.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from sclerostem.errors import InputError
from sclerostem.registry import _audit, _scoring
from sclerostem.registry.models import Base

__all__ = ["Database", "RegistrySession"]

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"
BACKUP_FORMAT = "sclerostem-registry-backup/1"


class RegistrySession(Session):
    """Session class carrying the audit hooks (see ``registry._audit``)."""


_audit.install(RegistrySession)
_scoring.install(RegistrySession)


def _json_default(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    raise TypeError(type(v).__name__)


def stamp_is_exact(bind: Engine | Connection) -> bool:
    """Whether ``max(audit_entries.id)`` orders commits exactly on this database.

    SQLite allows one writer at a time, so audit ids are committed in order;
    on PostgreSQL concurrent writers can commit out of id order.
    """
    return bind.dialect.name == "sqlite"


class Database:
    """A registry database.

    Parameters
    ----------
    url : str
        SQLAlchemy URL: ``sqlite:///path/registry.db`` (``sqlite://`` = in memory)
        or ``postgresql+psycopg://user:pass@host:port/dbname``.
    echo : bool
        Log SQL statements (debugging).

    Examples
    --------
    >>> db = Database("sqlite://")
    >>> db.create_all()
    >>> with db.session() as s:
    ...     pass
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        u = make_url(url)
        self.dialect = u.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 60}
            if u.database in (None, "", ":memory:"):
                kwargs["poolclass"] = StaticPool
            else:
                Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        elif self.dialect == "postgresql":
            kwargs["pool_size"] = 10
            kwargs["max_overflow"] = 50
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)
        _audit.install_engine_guard(self.engine)
        self._read_engine = self.engine.execution_options(sclerostem_readonly=True)
        self._maker = sessionmaker(bind=self.engine, class_=RegistrySession, expire_on_commit=False)
        self._read_maker = sessionmaker(
            bind=self._read_engine, class_=RegistrySession, expire_on_commit=False
        )

    # ------------------------------------------------------------------ sessions
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-write session: commits on success, rolls back on any exception."""
        s = self._maker()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            _audit.record_attempts(s)
            raise
        finally:
            s.close()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only (on SQLite it does not take the write lock)."""
        s = self._read_maker()
        try:
            yield s
        finally:
            s.rollback()
            _audit.record_attempts(s)
            s.close()

    # ---------------------------------------------------------------- migrations
    def _alembic_config(self, connection: Any) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        cfg.attributes["connection"] = connection
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to ``revision`` (creates the schema on a new database)."""
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(self._alembic_config(conn), revision)

    def create_all(self) -> None:
        """Create or upgrade the schema to the newest migration (idempotent)."""
        self.upgrade("head")

    @staticmethod
    def head_revision() -> str:
        """The newest Alembic revision this version of sclerostem ships."""
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        if head is None:  # pragma: no cover - the package always ships migrations
            raise RuntimeError("no registry migrations found")
        return head

    def current_revision(self) -> str | None:
        """The Alembic revision of the database (``None`` if never initialised)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @property
    def audit_stamp_is_exact(self) -> bool:
        """Whether ``max(audit_entries.id)`` orders commits exactly (caches may key on it).

        True on SQLite (one writer at a time: ids are committed in order). On
        PostgreSQL two writers can commit out of id order, so a reader could see
        the higher id before the lower id's change: the summary and page caches
        are switched off there, so every request reads the current data.
        """
        return stamp_is_exact(self.engine)

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()

    def safe_url(self) -> str:
        """The URL with any password masked (for messages and logs)."""
        return make_url(self.url).render_as_string(hide_password=True)

    # ------------------------------------------------------------ backup/restore
    def backup(self, path: str | Path) -> dict[str, int]:
        """Write a portable, gzip-compressed JSON backup of every table.

        Works on SQLite and PostgreSQL alike (and restores across them). The
        whole backup is read in one transaction, so it is consistent.

        Returns
        -------
        dict
            Rows written per table.
        """
        counts: dict[str, int] = {}
        tables: dict[str, list[dict[str, Any]]] = {}
        with self._read_engine.connect() as conn, conn.begin():
            for table in Base.metadata.sorted_tables:
                rows = [dict(r._mapping) for r in conn.execute(select(table).order_by(*table.primary_key))]
                tables[table.name] = rows
                counts[table.name] = len(rows)
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        doc = {"format": BACKUP_FORMAT, "revision": revision, "tables": tables}
        with gzip.open(Path(path), "wt", encoding="utf-8") as fh:
            json.dump(doc, fh, default=_json_default)
        return counts

    def restore(self, path: str | Path) -> dict[str, int]:
        """Restore a backup written by :meth:`backup` into this (empty) database.

        The schema is created first; the database must hold no patients or
        users, so a restore never merges with live data. All or nothing.
        """
        with gzip.open(Path(path), "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
        if doc.get("format") != BACKUP_FORMAT:
            raise InputError("backup file", str(path), f"a {BACKUP_FORMAT} file from 'sclerostem db backup'")
        self.create_all()
        counts: dict[str, int] = {}
        with self.engine.begin() as conn:
            for name in ("users", "patients", "audit_entries"):
                if conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar():
                    raise InputError("database", self.safe_url(), "an empty database to restore into")
            for table in Base.metadata.sorted_tables:
                rows = doc["tables"].get(table.name, [])
                for row in rows:
                    for col in table.columns:
                        v = row.get(col.name)
                        if isinstance(v, str) and col.type.python_type in (dt.date, dt.datetime):
                            row[col.name] = col.type.python_type.fromisoformat(v)
                if rows:
                    conn.execute(insert(table), rows)
                counts[table.name] = len(rows)
            if self.dialect == "postgresql":
                for table in Base.metadata.sorted_tables:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    ))
        return counts

    def table_names(self) -> list[str]:
        """Tables present in the database."""
        return sorted(inspect(self.engine).get_table_names())

    def __repr__(self) -> str:
        return f"Database({self.safe_url()!r})"


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("sclerostem_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
