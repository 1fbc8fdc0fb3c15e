"""Audit trail: session hooks that record every create/update/delete.

Every flushed change to an audited record adds an :class:`AuditEntry` in the
same transaction (who, when, what, old and new values), so the change and its
audit row commit or vanish together.

Audit rows are append-only. An attempt to update or delete them through the
application is refused (:class:`AuditTamperError`), logged, and recorded as a
``tamper_attempt`` audit entry once the failed transaction has rolled back;
the migration also installs database triggers that refuse UPDATE/DELETE on
``audit_entries`` (SQLite and PostgreSQL), so raw SQL cannot alter it either.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from sqlalchemy import Delete, Engine, Update, event, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from sclerostem.registry._errors import AuditTamperError
from sclerostem.registry.models import (
    ApiToken,
    AuditEntry,
    CellLot,
    Diagnosis,
    Event,
    Patient,
    Transplant,
    Treatment,
    User,
    Visit,
)

__all__ = ["SYSTEM_USER", "actor_of", "install", "install_engine_guard", "record_attempts", "set_actor"]

log = logging.getLogger(__name__)

SYSTEM_USER = "system"
_AUDITED = (Patient, Diagnosis, Visit, Treatment, Transplant, Event, CellLot, User, ApiToken)
_SKIP = {"created_at", "updated_at", "version", "scores", "scores_engine_version", "mrss_total"}
_SECRET = {"password_hash", "token_hash"}
_TAMPER_SQL = re.compile(r"^\s*(UPDATE\s+\"?audit_entries\b|DELETE\s+FROM\s+\"?audit_entries\b|TRUNCATE\b.*\baudit_entries\b)", re.I)
_TAMPER_KEY = "sclerostem_tamper_attempts"


def set_actor(session: Session, user: User | None) -> None:
    """Record who acts in this session (audit rows name them)."""
    session.info["actor"] = user


def actor_of(session: Session) -> User | None:
    """The user acting in this session, if set."""
    return session.info.get("actor")


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, float | int | str | bool) or v is None:
        return v
    return str(v)


def _columns(obj: Any) -> list[str]:
    return [c.key for c in inspect(type(obj)).column_attrs]


def _patient_id(obj: Any) -> int | None:
    if isinstance(obj, Patient):
        return obj.id
    return getattr(obj, "patient_id", None)


def _entity(obj: Any) -> str:
    return str(obj.__tablename__)


def _after_flush(session: Session, _ctx: Any) -> None:
    actor = actor_of(session)
    uid = actor.id if actor is not None else None
    uname = actor.username if actor is not None else SYSTEM_USER
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for action, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not isinstance(obj, _AUDITED):
                continue
            state: Any = inspect(obj)
            changes: dict[str, list[Any]] = {}
            for key in _columns(obj):
                if key in _SKIP or key == "id":
                    continue
                hist = state.attrs[key].history
                if action == "create":
                    new = getattr(obj, key)
                    if new is not None:
                        changes[key] = [None, "***" if key in _SECRET else _jsonable(new)]
                elif action == "delete":
                    old = state.dict.get(key)
                    if old is not None:
                        changes[key] = ["***" if key in _SECRET else _jsonable(old), None]
                elif hist.has_changes():
                    old = hist.deleted[0] if hist.deleted else None
                    new = hist.added[0] if hist.added else None
                    if old == new:
                        continue
                    if key in _SECRET:
                        changes[key] = ["***", "***"]
                    else:
                        changes[key] = [_jsonable(old), _jsonable(new)]
            if action == "update" and not changes:
                continue
            rows.append({
                "at": now, "user_id": uid, "username": uname, "action": action,
                "entity": _entity(obj), "entity_id": obj.id, "patient_id": _patient_id(obj),
                "changes": changes or None, "note": None,
            })
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def _refuse(session: Session | None, what: str) -> None:
    actor = actor_of(session) if session is not None else None
    who = actor.username if actor is not None else SYSTEM_USER
    log.warning("refused attempt by %s to %s audit entries", who, what)
    if session is not None:
        session.info.setdefault(_TAMPER_KEY, []).append({
            "user_id": actor.id if actor is not None else None, "username": who, "what": what,
        })
    raise AuditTamperError(f"audit entries are append-only: {what} refused (attempt by {who!r} recorded).")


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEntry):
            _refuse(session, "delete")
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) and session.is_modified(obj):
            _refuse(session, "update")


def _do_orm_execute(state: Any) -> None:
    stmt = state.statement
    if isinstance(stmt, Update | Delete):
        if getattr(stmt.table, "name", None) == AuditEntry.__tablename__:
            _refuse(state.session, "update" if isinstance(stmt, Update) else "delete")
    elif isinstance(stmt, TextClause) and _TAMPER_SQL.search(stmt.text):
        _refuse(state.session, "alter")


def _after_soft_rollback(session: Session, _previous: Any) -> None:
    record_attempts(session)


def record_attempts(session: Session) -> None:
    """Write pending tamper-attempt entries in their own transaction (after a rollback)."""
    attempts = session.info.pop(_TAMPER_KEY, None)
    if not attempts:
        return
    bind = session.get_bind()
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(insert(AuditEntry), [
            {"at": now, "user_id": a["user_id"], "username": a["username"], "action": "tamper_attempt",
             "entity": AuditEntry.__tablename__, "entity_id": None, "patient_id": None,
             "changes": None, "note": f"refused attempt to {a['what']} audit entries"}
            for a in attempts
        ])


def install(session_class: type[Session]) -> None:
    """Attach the audit hooks to a session class (not to SQLAlchemy globally)."""
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(session_class, "do_orm_execute", _do_orm_execute)
    event.listen(session_class, "after_soft_rollback", _after_soft_rollback)


def install_engine_guard(engine: Engine) -> None:
    """Refuse raw UPDATE/DELETE of audit rows on this engine's connections (logged)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _guard(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if _TAMPER_SQL.search(statement):
            log.warning("refused raw SQL altering audit entries")
            raise AuditTamperError("audit entries are append-only: raw SQL altering them refused.")
