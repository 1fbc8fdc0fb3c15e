"""CSV import and export of registry tables.

One file per table; the first column is ``study_id``; the other columns are
the table's declared fields (see docs/registry.md). Empty cells mean "not
recorded". The table is named with ``table=`` or recognised from the header
(``visit_date`` -> visits, ``transplant_date`` -> transplants, ``event_type``
-> events, ``agent`` -> treatments, ``disease`` -> diagnoses, otherwise
patients).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sclerostem.errors import InputError
from sclerostem.io._files import atomic_write
from sclerostem.io._loader import Progress, Record, load_records
from sclerostem.io._report import ImportFailed, ImportReport
from sclerostem.registry import ENTITIES, Database, Patient, User, _auth

__all__ = ["TABLES", "detect_table", "export_csv", "import_csv", "write_rejected"]

#: CSV table name -> registry entity
TABLES: dict[str, str] = {
    "patients": "patient", "diagnoses": "diagnosis", "visits": "visit", "treatments": "treatment",
    "transplants": "transplant", "events": "event",
}
_DETECT = (("visit_date", "visits"), ("transplant_date", "transplants"), ("event_type", "events"),
           ("agent", "treatments"), ("disease", "diagnoses"))


def detect_table(header: list[str]) -> str:
    """The table a CSV header belongs to."""
    for col, table in _DETECT:
        if col in header:
            return table
    return "patients"


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def write_rejected(path: str | Path, header: list[str], rows: list[dict[str, Any]],
                   problems_by_row: dict[int, list[str]], row_numbers: list[int]) -> None:
    """Write rejected rows (original columns + ``_row`` + ``_problems``) atomically."""
    with atomic_write(path, newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["_row", "_problems", *header], extrasaction="ignore")  # type: ignore[arg-type]
        w.writeheader()
        for n in row_numbers:
            w.writerow({"_row": n, "_problems": " | ".join(problems_by_row.get(n, [])), **rows[n - 1]})


def import_csv(
    db: Database, actor: User, path: str | Path, *, table: str | None = None,
    skip_invalid: bool = False, rejected_path: str | Path | None = None, dry_run: bool = False,
    progress: Progress | None = None, centre: str | None = None,
) -> ImportReport:
    """Import one CSV table (validate all rows first; all or nothing unless ``skip_invalid``).

    Parameters
    ----------
    db, actor
        Target registry and the importing user (clinician or admin).
    path : path
        CSV file (UTF-8, header row).
    table : str, optional
        One of :data:`TABLES`; detected from the header when omitted.
    skip_invalid : bool
        Import the valid rows; write the rejected ones to ``rejected_path``
        (default ``<file>.rejected.csv``).
    dry_run : bool
        Validate and count, import nothing.
    progress : callable(done, total), optional
    centre : str, optional
        Centre of new patients when the file has no ``centre`` column.

    Raises
    ------
    ImportFailed
        Invalid rows and not ``skip_invalid``; ``.report`` lists every problem.
    """
    path = Path(path)
    header, rows = _read(path)
    table = table or detect_table(header)
    if table not in TABLES:
        raise InputError("table", table, "one of " + ", ".join(repr(t) for t in TABLES))
    entity = TABLES[table]
    if "study_id" not in header:
        raise InputError("study_id", None, f"a 'study_id' column in {path.name}")
    records = []
    for i, row in enumerate(rows, start=1):
        values: dict[str, Any] = {k: v for k, v in row.items() if k is not None and k != "study_id"}
        sid: str | None = (row.get("study_id") or "").strip() or None
        if entity == "patient":
            values["study_id"] = sid
        records.append(Record(entity, sid, values, row=i))
    try:
        report, rejected = load_records(db, actor, records, source=path.name, skip_invalid=skip_invalid,
                                        dry_run=dry_run, progress=progress, centre=centre)
    except ImportFailed:
        raise
    report.rows = len(rows)
    if rejected and skip_invalid:
        target = Path(rejected_path) if rejected_path else path.with_suffix(".rejected.csv")
        by_row: dict[int, list[str]] = {}
        for p in report.problems:
            if p.row is not None:
                by_row.setdefault(p.row, []).append(str(p))
        if not dry_run:
            write_rejected(target, header, rows, by_row, rejected)
            report.rejected_path = str(target)
    return report


def export_csv(db: Database, actor: User, table: str, path: str | Path) -> int:
    """Write one table as CSV (``study_id`` first); identifying columns only for users who may see them.

    Returns the number of rows written. Only patients visible to ``actor``.
    """
    if table not in TABLES:
        raise InputError("table", table, "one of " + ", ".join(repr(t) for t in TABLES))
    entity = TABLES[table]
    model, specs = ENTITIES[entity]
    _auth.require_role(actor, ("admin", "clinician", "researcher"), "export data")
    n = 0
    with db.read_session() as s, atomic_write(path, newline="", encoding="utf-8") as fh:
        patients = {p.id: p for p in s.execute(select(Patient)).scalars() if _auth.can_read_patient(actor, p)}
        ident = actor.role != "researcher"
        cols = [sp.name for sp in specs if sp.name not in ("study_id", "cell_lot_id")
                and (ident or not sp.identifying)]  # cell_lot_id: an internal key, not portable
        w = csv.writer(fh)  # type: ignore[arg-type]
        w.writerow(["study_id", *cols])
        if entity == "patient":
            objs: list[Any] = sorted(patients.values(), key=lambda p: p.study_id)
        else:
            objs = list(s.execute(select(model).where(model.patient_id.in_(list(patients)))  # type: ignore[attr-defined]
                                  .order_by(model.patient_id, model.id)).scalars())  # type: ignore[attr-defined]
        for o in objs:
            p = o if entity == "patient" else patients[o.patient_id]
            if entity == "patient" and not _auth.sees_identifying(actor, p):
                vals = ["" if sp in ("name", "date_of_birth", "hospital_number") else _fmt(getattr(o, sp))
                        for sp in cols]
            else:
                vals = [_fmt(getattr(o, c)) for c in cols]
            w.writerow([p.study_id, *vals])
            n += 1
    return n


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    if isinstance(v, float) and v.is_integer():
        return str(v)
    return str(v)
