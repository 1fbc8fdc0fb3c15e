"""Cached patient views of the pages, invalidated by any committed registry change.

Every change to registry data writes an audit row in the same transaction, so
``max(audit_entries.id)`` is a change counter for the whole registry (the REST
API's summary cache uses the same stamp). A cached patient view is used only
when the stamp read at the start of the request equals the stamp read before
the view was built; the stamp is read *before* the data, so a cached view is
never older than its stamp says.

What is cached holds both views of a patient (with and without the identifying
fields, built as the registry builds them for an administrator and for a
researcher) and the centre; the signed-in user's role and centre (re-read from
the database on every request) decide on every request which view, if any,
that user gets — exactly as :func:`sclerostem.registry.patient_summary` would.

On PostgreSQL audit ids come from a sequence and two writers can commit out of
id order, so a reader that saw the higher id first could cache a view without
the lower id's change: there the cache is switched off
(:attr:`sclerostem.registry.Database.audit_stamp_is_exact`) and every request
builds the view from current data. SQLite (one writer at a time, the
``make run`` set-up) is exact.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from sclerostem import registry
from sclerostem.registry import can_read_patient, sees_identifying, stamp_is_exact
from sclerostem.registry.models import Patient, User
from sclerostem.web._plots import MEASURES, eustar_value

__all__ = ["PatientView", "PatientViewCache", "PlotData", "registry_stamp"]

#: Patients kept (a cached view is a few kB); the whole cache is dropped when full.
MAX_CACHED_PATIENTS = 20000

_SERIES_FIELD = {"mrss": "mrss_total", "fvc": "fvc_percent_predicted",
                 "dlco": "dlco_percent_predicted", "haq_di": "haq_di"}


@dataclass(frozen=True, slots=True)
class PlotData:
    """The inputs of one trajectory plot (hashable: the rendered SVG is cached by them)."""

    points: tuple[tuple[dt.date, float], ...]
    transplant_dates: tuple[dt.date, ...]
    ranges: tuple[tuple[dt.date, float, float], ...]


@dataclass(frozen=True, slots=True)
class PatientView:
    """One patient at one registry stamp: both summaries, the centre and the plot inputs.

    Treat the dicts as read-only: they are shared between requests.
    """

    stamp: int
    centre: str | None
    full: dict[str, Any]
    pseudonymised: dict[str, Any]
    plots: dict[str, PlotData]
    #: Rendered page fragments of this view, keyed by the caller (see ``web._patients``).
    fragments: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def summary_for(self, actor: User) -> dict[str, Any] | None:
        """The summary ``actor`` may see, or ``None`` when the patient is not visible to them."""
        probe = Patient(centre=self.centre)
        if actor.role not in registry.ROLES or not can_read_patient(actor, probe):
            return None
        return self.full if sees_identifying(actor, probe) else self.pseudonymised


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def plot_data(summ: dict[str, Any]) -> dict[str, PlotData]:
    """The inputs of every trajectory plot of a patient summary."""
    visits = summ["visits"]
    eustar = [eustar_value(v) for v in visits]
    tx = tuple(d for t in summ["transplants"] if (d := _as_date(t.get("transplant_date"))))
    out: dict[str, PlotData] = {}
    for key in MEASURES:
        pts: list[tuple[dt.date, float]] = []
        ranges: list[tuple[dt.date, float, float]] = []
        for v, (ev, lo, hi) in zip(visits, eustar, strict=True):
            d = _as_date(v.get("visit_date"))
            if d is None:
                continue
            val = v.get(_SERIES_FIELD[key]) if key in _SERIES_FIELD else ev
            if val is not None:
                pts.append((d, float(val)))
            elif key == "eustar" and lo is not None and hi is not None and lo < hi:
                ranges.append((d, lo, hi))
        out[key] = PlotData(tuple(sorted(pts)), tx, tuple(ranges))
    return out


def registry_stamp(s: Session) -> int:
    """The registry's change counter: the highest audit id (one indexed ``MAX``)."""
    return int(s.execute(text("SELECT MAX(id) FROM audit_entries")).scalar() or 0)


def _exact(s: Session) -> bool:
    """Whether the audit stamp orders commits exactly on this session's database."""
    return stamp_is_exact(s.get_bind())


_ADMIN_VIEW = dict(username="-", role="admin", centre=None, active=True)
_RESEARCH_VIEW = dict(username="-", role="researcher", centre=None, active=True)


class PatientViewCache:
    """Thread-safe map patient id -> :class:`PatientView`, valid for one registry stamp."""

    def __init__(self, max_entries: int = MAX_CACHED_PATIENTS) -> None:
        self._d: dict[int, PatientView] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    def lookup(self, s: Session, patient_id: int) -> tuple[int, PatientView | None]:
        """(current stamp, the cached view if it is still current): one indexed query."""
        stamp = registry_stamp(s)  # read before the data: see the module docstring
        if not _exact(s):
            return stamp, None
        with self._lock:
            hit = self._d.get(patient_id)
        if hit is not None and hit.stamp == stamp:
            self.hits += 1
            return stamp, hit
        return stamp, None

    def build(self, s: Session, patient_id: int, stamp: int) -> PatientView | None:
        """Build, cache and return the view of a patient as of ``stamp`` (``None`` if absent).

        ``stamp`` must have been read (:func:`registry_stamp`) before this call.
        """
        self.misses += 1
        try:
            full = registry.patient_summary(s, User(**_ADMIN_VIEW), patient_id)
        except registry.NotFoundError:
            return None
        pseudo = registry.patient_summary(s, User(**_RESEARCH_VIEW), patient_id)
        view = PatientView(stamp, full["patient"].get("centre"), full, pseudo, plot_data(full))
        if not _exact(s):
            return view
        with self._lock:
            if len(self._d) >= self._max:
                self._d.clear()
            self._d[patient_id] = view
        return view

    def get(self, s: Session, patient_id: int) -> PatientView | None:
        """The current view of a patient (built and cached on a miss), ``None`` if absent.

        Access is *not* checked here: call :meth:`PatientView.summary_for`.
        """
        stamp, view = self.lookup(s, patient_id)
        return view if view is not None else self.build(s, patient_id, stamp)

    def clear(self) -> None:
        with self._lock:
            self._d.clear()
