"""Passwords (argon2id), API tokens (SHA-256 digests) and role checks."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from sclerostem.registry._errors import AccessDeniedError
from sclerostem.registry.models import ApiToken, Patient, User

__all__ = [
    "TOKEN_PREFIX",
    "can_read_patient",
    "can_write_patient",
    "hash_password",
    "hash_token",
    "new_token",
    "require_role",
    "sees_identifying",
    "user_for_token",
    "verify_password",
]

_HASHER = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
_DUMMY_HASH = _HASHER.hash("not-a-password")
TOKEN_PREFIX = "sst_"


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> None:
    """Spend the time of one verification (unknown user: no timing oracle)."""
    verify_password(_DUMMY_HASH, password)


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def new_token() -> str:
    """A fresh random bearer token (shown once, never stored in clear)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning a valid (unrevoked, unexpired) token, else ``None``."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if row is None or row.revoked:
        return None
    if row.expires_at is not None:
        exp = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
        if exp < dt.datetime.now(dt.UTC):
            return None
    user = row.user
    return user if user.active else None


def require_role(actor: User | None, roles: tuple[str, ...], action: str) -> User:
    """Raise :class:`AccessDeniedError` unless ``actor`` has one of ``roles``."""
    if actor is None or not actor.active:
        raise AccessDeniedError("anonymous" if actor is None else actor.username, "none", action)
    if actor.role not in roles:
        raise AccessDeniedError(actor.username, actor.role, action)
    return actor


def can_read_patient(actor: User, patient: Patient) -> bool:
    """Admins and researchers read every patient; clinicians those of their centre."""
    if actor.role in ("admin", "researcher"):
        return True
    return actor.role == "clinician" and actor.centre is not None and patient.centre == actor.centre


def can_write_patient(actor: User, patient: Patient | None = None, centre: str | None = None) -> bool:
    """Admins write everything; clinicians their centre's patients; researchers nothing."""
    if actor.role == "admin":
        return True
    if actor.role != "clinician" or actor.centre is None:
        return False
    target = patient.centre if patient is not None else centre
    return target == actor.centre


def sees_identifying(actor: User, patient: Patient | None = None) -> bool:
    """Whether ``actor`` may see name, date of birth and hospital number."""
    if actor.role == "admin":
        return True
    if actor.role == "clinician":
        return patient is None or patient.centre == actor.centre
    return False
