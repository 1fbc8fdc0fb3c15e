"""Errors raised by the registry services (all subclasses of ``SclerostemError``)."""

from __future__ import annotations

from sclerostem.errors import SclerostemError

__all__ = ["AccessDeniedError", "AuditTamperError", "ConflictError", "NotFoundError"]


class AccessDeniedError(SclerostemError, PermissionError):
    """The acting user's role or centre does not allow the operation."""

    def __init__(self, username: str, role: str, action: str) -> None:
        self.username = username
        self.role = role
        self.action = action
        super().__init__(f"user {username!r} (role {role!r}) may not {action}.")


class NotFoundError(SclerostemError, LookupError):
    """No record with that key (or not visible to the acting user)."""

    def __init__(self, entity: str, key: object) -> None:
        self.entity = entity
        self.key = key
        super().__init__(f"{entity} {key!r} not found.")


class ConflictError(SclerostemError):
    """A write would lose another user's concurrent change, or duplicate a unique key."""


class AuditTamperError(SclerostemError, PermissionError):
    """An attempt to update or delete audit entries (refused and itself audited)."""
