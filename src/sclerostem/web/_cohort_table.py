"""The centre's outcome table (one pseudonymised row per patient) for the cohort page.

Definitions (documented on the page and in ``docs/web.md``):

* **Group**: ``HSCT`` when a transplant is recorded, else ``conventional``.
* **Time origin**: the transplant date (HSCT) or the first visit
  (conventional) — the registry's follow-up definition.
* **Overall survival**: event = death; censored at the last visit.
* **Event-free survival**: event = death or major (lung, heart, kidney) organ
  failure, as in ASTIS and SCOT ("survival without persistent major organ
  failure", ``shared/spec/hsct.md`` C2/C3 [P]); whether an organ failure was
  *persistent* is the recorder's judgement.
* **Treatment-related mortality**: cumulative incidence of death recorded as
  treatment-related, with other deaths as a competing risk.
* **Changes** (for the GRCS): last visit minus the visit at (or nearest
  before) the time origin; ``None`` when either is missing.

No name, date of birth or hospital number is ever part of this table, for any role.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sclerostem import registry
from sclerostem.registry.models import Patient
from sclerostem.web._deps import WebUser

__all__ = ["DAYS_PER_MONTH", "CohortRow", "cohort_csv", "cohort_rows"]

#: Average Gregorian month in days (365.25 / 12), as the registry uses.
DAYS_PER_MONTH = 30.4375
MAJOR_ORGANS = ("lung", "heart", "kidney")


@dataclass(frozen=True, slots=True)
class CohortRow:
    """One patient's outcome row (pseudonymised)."""

    study_id: str
    centre: str
    subset: str | None
    group: str
    origin_date: str | None
    follow_up_months: float | None
    death: int
    death_time_months: float | None
    efs_event: int
    efs_time_months: float | None
    trm_cause: int
    fvc_change_percent_predicted: float | None
    haq_di_change: float | None
    mrss_change: float | None


def _months(a: dt.date, b: dt.date) -> float:
    return round((b - a).days / DAYS_PER_MONTH, 3)


def _change(visits: list[Any], origin: dt.date, attr: str) -> float | None:
    before = [v for v in visits if v.visit_date <= origin and getattr(v, attr) is not None]
    after = [v for v in visits if v.visit_date > origin and getattr(v, attr) is not None]
    if not before or not after:
        return None
    base = max(before, key=lambda v: v.visit_date)
    last = max(after, key=lambda v: v.visit_date)
    return round(float(getattr(last, attr)) - float(getattr(base, attr)), 6)


def _row(p: Patient) -> CohortRow:
    visits = sorted(p.visits, key=lambda v: v.visit_date)
    tx = sorted(p.transplants, key=lambda t: t.transplant_date)
    group = "HSCT" if tx else "conventional"
    origin = tx[0].transplant_date if tx else (visits[0].visit_date if visits else None)
    dx = p.diagnoses[0] if p.diagnoses else None
    base: dict[str, Any] = {"study_id": p.study_id, "centre": p.centre,
                            "subset": dx.subset if dx else None, "group": group}
    if origin is None:
        return CohortRow(**base, origin_date=None, follow_up_months=None, death=0,
                         death_time_months=None, efs_event=0, efs_time_months=None, trm_cause=0,
                         fvc_change_percent_predicted=None, haq_di_change=None, mrss_change=None)
    later = [e for e in p.events if e.event_date >= origin]
    deaths = sorted((e for e in later if e.event_type == "death"), key=lambda e: e.event_date)
    failures = sorted((e for e in later if e.event_type == "death" or (
        e.event_type == "organ_failure" and e.organ in MAJOR_ORGANS)), key=lambda e: e.event_date)
    contacts = [v.visit_date for v in visits if v.visit_date >= origin] + [e.event_date for e in later]
    last = max(contacts) if contacts else origin
    death = deaths[0] if deaths else None
    end = death.event_date if death else last
    efs_end = failures[0].event_date if failures else end
    trm = 0
    if death is not None:
        trm = 1 if death.treatment_related else 2
    return CohortRow(
        **base,
        origin_date=origin.isoformat(),
        follow_up_months=_months(origin, end),
        death=int(death is not None),
        death_time_months=_months(origin, end),
        efs_event=int(bool(failures)),
        efs_time_months=_months(origin, efs_end),
        trm_cause=trm,
        fvc_change_percent_predicted=_change(visits, origin, "fvc_percent_predicted"),
        haq_di_change=_change(visits, origin, "haq_di"),
        mrss_change=_change(visits, origin, "mrss_total"),
    )


def cohort_rows(s: Session, user: WebUser) -> list[CohortRow]:
    """Outcome rows of every patient ``user`` may see (access decided by the registry)."""
    ids = [r["id"] for r in registry.list_patients(s, user.model)]
    if not ids:
        return []
    stmt = select(Patient).where(Patient.id.in_(ids)).order_by(Patient.study_id).options(
        selectinload(Patient.diagnoses), selectinload(Patient.visits),
        selectinload(Patient.transplants), selectinload(Patient.events))
    return [_row(p) for p in s.execute(stmt).scalars()]


def cohort_csv(rows: list[CohortRow]) -> str:
    """The table as CSV text (header + one line per patient; empty cell = not known)."""
    buf = io.StringIO()
    names = [f.name for f in fields(CohortRow)]
    w = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in asdict(r).items()})
    return buf.getvalue()
