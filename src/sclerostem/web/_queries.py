"""Read-side helpers of the pages, over the registry services.

Access rules live in the registry services (``list_patients``,
``patient_summary``): clinicians see their centre's patients with identifying
data, researchers every patient pseudonymised, admins everything.

Follow-up status is a project definition (not from a source): *deceased* when a
death event is recorded, *overdue* when the last visit is more than
:data:`FOLLOW_UP_WINDOW_DAYS` before today or there is no visit, otherwise
*up to date*.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from sclerostem import registry
from sclerostem.web._deps import WebUser

__all__ = [
    "FOLLOW_UP_STATUSES",
    "FOLLOW_UP_WINDOW_DAYS",
    "PAGE_SIZE",
    "as_date",
    "follow_up_status",
    "patient_rows",
    "summary",
]

#: Days after the last visit before a patient counts as overdue (annual review; project choice).
FOLLOW_UP_WINDOW_DAYS = 365
FOLLOW_UP_STATUSES = ("up_to_date", "overdue", "deceased")
#: Rows shown on one page of the patient list.
PAGE_SIZE = 200


def as_date(value: Any) -> dt.date | None:
    """A date from a date or an ISO string (``None`` stays ``None``)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def follow_up_status(last_visit: dt.date | None, deceased: bool, today: dt.date) -> str:
    """``'deceased'``, ``'overdue'`` or ``'up_to_date'`` (see the module docstring)."""
    if deceased:
        return "deceased"
    if last_visit is None or (today - last_visit).days > FOLLOW_UP_WINDOW_DAYS:
        return "overdue"
    return "up_to_date"


def patient_rows(
    s: Session,
    user: WebUser,
    *,
    search: str | None = None,
    subset: str | None = None,
    transplanted: bool | None = None,
    follow_up: str | None = None,
    today: dt.date | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Rows of the patient list (first :data:`PAGE_SIZE`) and the number matching."""
    today = today or dt.date.today()
    rows = registry.list_patients(s, user.model, search=search, subset=subset,
                                  transplanted=transplanted)
    out = []
    for r in rows:
        r["follow_up_status"] = follow_up_status(as_date(r.get("last_visit_date")),
                                                 bool(r.get("died")), today)
        if follow_up is None or r["follow_up_status"] == follow_up:
            out.append(r)
    return out[:PAGE_SIZE], len(out)


def summary(s: Session, user: WebUser, patient_id: int) -> dict[str, Any] | None:
    """The registry's patient summary, or ``None`` when absent or not visible to ``user``."""
    try:
        return registry.patient_summary(s, user.model, patient_id)
    except registry.NotFoundError:
        return None
