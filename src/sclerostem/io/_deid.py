"""De-identified research export: pseudonyms, per-patient date shifting, no direct identifiers.

For each patient visible to the exporting user:

* ``study_id`` is replaced by a research pseudonym ``R`` + the first 12 hex
  digits of HMAC-SHA256(key, study_id) — stable for one key, unlinkable
  without it;
* every date is shifted by the same patient-specific offset (HMAC-derived,
  uniform in ``[-max_shift_days, +max_shift_days]``), so intervals within a
  patient (follow-up, time to event) are preserved exactly;
* name, date of birth, hospital number and every free-text field (notes,
  cause of death text) are dropped; age is given as whole years at the first
  visit, top-coded at 90;
* internal database ids are not exported.

The key is never written to the output. Without ``key`` a random key is
used, so two exports cannot be linked to each other or back to the registry.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sclerostem.io._files import atomic_write
from sclerostem.registry import ENTITIES, Database, Patient, User, _auth

__all__ = ["AGE_TOP_CODE", "FREE_TEXT", "export_deidentified", "pseudonym", "shift_days"]

AGE_TOP_CODE = 90
FREE_TEXT = ("notes", "cause")
_TABLES = (("diagnoses", "diagnosis", "diagnoses"), ("visits", "visit", "visits"),
           ("treatments", "treatment", "treatments"), ("transplants", "transplant", "transplants"),
           ("events", "event", "events"))


def pseudonym(key: bytes, study_id: str) -> str:
    """Research pseudonym of a study id under ``key``."""
    return "R" + hmac.new(key, study_id.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def shift_days(key: bytes, study_id: str, max_shift_days: int) -> int:
    """Per-patient date offset in days, uniform in ``[-max_shift_days, max_shift_days]``."""
    digest = hmac.new(key, b"shift:" + study_id.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % (2 * max_shift_days + 1) - max_shift_days


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def export_deidentified(
    db: Database, actor: User, out_dir: str | Path, *, key: bytes | None = None,
    max_shift_days: int = 182,
) -> dict[str, int]:
    """Write ``patients.csv``, ``diagnoses.csv``, ``visits.csv``, ``treatments.csv``,
    ``transplants.csv``, ``events.csv`` and ``manifest.json`` to ``out_dir``.

    Returns rows written per file.
    """
    _auth.require_role(actor, ("admin", "clinician", "researcher"), "export data")
    key = key or secrets.token_bytes(32)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with db.read_session() as s:
        patients = [p for p in s.execute(select(Patient).order_by(Patient.id).options(
            selectinload(Patient.diagnoses), selectinload(Patient.visits), selectinload(Patient.treatments),
            selectinload(Patient.transplants), selectinload(Patient.events))).scalars()
            if _auth.can_read_patient(actor, p)]
        plan = {p.id: (pseudonym(key, p.study_id), dt.timedelta(days=shift_days(key, p.study_id, max_shift_days)))
                for p in patients}
        with atomic_write(out / "patients.csv", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)  # type: ignore[arg-type]
            w.writerow(["pseudonym", "centre", "sex", "age_at_first_visit_years", "synthetic"])
            for p in sorted(patients, key=lambda p: plan[p.id][0]):
                age = None
                if p.date_of_birth and p.visits:
                    first = p.visits[0].visit_date
                    had = (first.month, first.day) >= (p.date_of_birth.month, p.date_of_birth.day)
                    age = min(AGE_TOP_CODE, first.year - p.date_of_birth.year - (0 if had else 1))
                w.writerow([plan[p.id][0], p.centre, _fmt(p.sex), _fmt(age), _fmt(p.synthetic)])
            counts["patients.csv"] = len(patients)
        for fname, entity, attr in _TABLES:
            _, specs = ENTITIES[entity]
            cols = [sp.name for sp in specs if sp.name not in FREE_TEXT and sp.name != "cell_lot_id"]
            extra = ["mrss_total"] if entity == "visit" else []
            n = 0
            with atomic_write(out / f"{fname}.csv", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)  # type: ignore[arg-type]
                w.writerow(["pseudonym", *cols, *extra])
                rows = []
                for p in patients:
                    pseudo, delta = plan[p.id]
                    for rec in getattr(p, attr):
                        vals = []
                        for c in (*cols, *extra):
                            v = getattr(rec, c)
                            vals.append(_fmt(v + delta if isinstance(v, dt.date) else v))
                        rows.append([pseudo, *vals])
                for row in sorted(rows):
                    w.writerow(row)
                    n += 1
            counts[f"{fname}.csv"] = n
    manifest = {"format": "sclerostem-deidentified/1", "created": dt.date.today().isoformat(),
                "date_shift": f"per patient, uniform in [-{max_shift_days}, {max_shift_days}] days",
                "removed": ["name", "date_of_birth", "hospital_number", *FREE_TEXT, "database ids"],
                "age": f"whole years at first visit, top-coded at {AGE_TOP_CODE}", "files": counts}
    with atomic_write(out / "manifest.json", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1)  # type: ignore[arg-type]
    return counts
