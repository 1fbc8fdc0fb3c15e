"""Cell products in the registry: lots with a DIN, release results, and the chain of identity.

A lot (:class:`~sclerostem.registry.models.CellLot`) is registered with its
ISBT 128 donation identification number (check character verified with
:func:`sclerostem.cells.parse_din`), product type, tissue source and the
patient it is made for. Collection, processing and infusion records hang on
it; release results are checked with :func:`sclerostem.cells.check_lot` and
the decision is stored with the specification name and version.

An infusion is recorded only after :func:`sclerostem.cells.check_infusion_identity`
passes: a scanned DIN that does not match (or fails its check character), a
recipient who is not the patient the product was made for, or a lot that was
not released by a passing release check is **refused** — nothing is written,
and the refused attempt is itself recorded in the audit trail (in its own
transaction once the caller's transaction has rolled back, or within it if the
caller commits).

Roles: clinicians of the lot's centre and admins write; researchers read
pseudonymised views (no DIN, no donor code); clinicians of another centre do
not see the lot.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import Engine, event, insert, inspect, select
from sqlalchemy.orm import Session

from sclerostem._validation import check_choice, check_number
from sclerostem.cells import (
    Collection,
    IdentityMismatchError,
    LotReleaseReport,
    check_infusion_identity,
    check_lot,
    graft_cd34_dose,
    load_spec,
    lot_from_dict,
    parse_din,
    release_specs,
    selection_performance,
)
from sclerostem.cells._lot import TISSUE_SOURCES
from sclerostem.errors import ConsistencyError, InputError, InputTypeError
from sclerostem.registry import _auth
from sclerostem.registry._audit import actor_of, set_actor
from sclerostem.registry._cell_models import CellCollection, CellInfusion, CellProcessing
from sclerostem.registry._db import RegistrySession
from sclerostem.registry._errors import AccessDeniedError, ConflictError, NotFoundError
from sclerostem.registry._services import _flush, record_to_dict
from sclerostem.registry.models import AuditEntry, CellLot, Patient, User, Visit

__all__ = [
    "COLLECTION_METHODS",
    "DONOR_TYPES",
    "PROCESSING_METHODS",
    "PRODUCT_TYPES",
    "chain_of_identity",
    "get_cell_lot",
    "graft_summary",
    "lot_release_report",
    "lot_to_dict",
    "record_collection",
    "record_infusion",
    "record_lot_results",
    "record_processing",
    "register_cell_lot",
]

log = logging.getLogger(__name__)

#: Product types (same codes as ``CELL_LOT_FIELDS``).
PRODUCT_TYPES = ("hsc_cd34_selected", "hsc_unmanipulated", "msc", "svf", "fat_graft", "other")
DONOR_TYPES = ("autologous", "allogeneic")
COLLECTION_METHODS = ("apheresis", "bone_marrow_harvest", "lipoaspirate", "umbilical_cord", "other")
PROCESSING_METHODS = ("cd34_selection", "cryopreservation", "thaw", "wash", "culture_expansion",
                      "volume_reduction", "other")

_WRITERS = ("admin", "clinician")
_READERS = ("admin", "clinician", "researcher")
_MASKED = ("din", "donor_code")
_REFUSALS_KEY = "sclerostem_refused_infusions"
_CELL_RECORDS = (CellCollection, CellProcessing, CellInfusion)
_SKIP = {"created_at", "updated_at", "version", "id"}
_MAX_CELLS = 1e13  #: plausibility bound of a cell count (project bound, not a clinical value)


# ------------------------------------------------------------------ access
def _writer(session: Session, actor: User, action: str) -> User:
    user = _auth.require_role(actor, _WRITERS, action)
    set_actor(session, user)
    return user


def _can_read(actor: User, lot: CellLot) -> bool:
    if actor.role in ("admin", "researcher"):
        return True
    return actor.role == "clinician" and actor.centre is not None and lot.centre == actor.centre


def get_cell_lot(session: Session, actor: User, lot_id: int, *, write: bool = False) -> CellLot:
    """Load a lot visible to ``actor`` (``NotFoundError`` otherwise, never a hint it exists)."""
    _auth.require_role(actor, _READERS, "read cell lots")
    lot = session.get(CellLot, lot_id)
    if lot is None or not _can_read(actor, lot):
        raise NotFoundError("cell lot", lot_id)
    if write:
        _writer(session, actor, "change cell lots")
        if actor.role != "admin" and lot.centre != actor.centre:
            raise AccessDeniedError(actor.username, actor.role, f"change cell lot {lot_id}")
    return lot


def _check_date(field: str, value: Any) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise InputError(field, value, "a date YYYY-MM-DD") from None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InputTypeError(field, value, "a date YYYY-MM-DD")
    if value.year < 1900 or value > dt.date.today() + dt.timedelta(days=1):
        raise ConsistencyError(field, value.isoformat(), "a date from 1900 up to today")
    return value


def _text(field: str, value: Any, max_length: int) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputTypeError(field, value, "text")
    if "\x00" in value:
        raise InputError(field, value.replace("\x00", "\\x00")[:40], "text without NUL characters")
    if len(value) > max_length:
        raise InputError(field, value[:40] + "...", f"at most {max_length} characters")
    return value


def _study_id(session: Session, patient_id: int | None) -> str | None:
    if patient_id is None:
        return None
    p = session.get(Patient, patient_id)
    return None if p is None else p.study_id


# ------------------------------------------------------------------ audit of the chain records
def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    return v


def _lot_patient(session: Session, obj: Any) -> int | None:
    if isinstance(obj, CellInfusion):
        return obj.patient_id
    lot = session.get(CellLot, obj.cell_lot_id)
    return None if lot is None else lot.patient_id


def _after_flush(session: Session, _ctx: Any) -> None:
    """Audit rows for collection/processing/infusion records (same form as ``registry._audit``)."""
    actor = actor_of(session)
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    for action, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not isinstance(obj, _CELL_RECORDS):
                continue
            state: Any = inspect(obj)
            changes: dict[str, list[Any]] = {}
            for attr in state.mapper.column_attrs:
                key = attr.key
                if key in _SKIP:
                    continue
                if action == "create":
                    if getattr(obj, key) is not None:
                        changes[key] = [None, _jsonable(getattr(obj, key))]
                elif action == "delete":
                    if state.dict.get(key) is not None:
                        changes[key] = [_jsonable(state.dict.get(key)), None]
                else:
                    hist = state.attrs[key].history
                    if hist.has_changes():
                        old = hist.deleted[0] if hist.deleted else None
                        new = hist.added[0] if hist.added else None
                        if old != new:
                            changes[key] = [_jsonable(old), _jsonable(new)]
            if action == "update" and not changes:
                continue
            rows.append({"at": now, "user_id": actor.id if actor else None,
                         "username": actor.username if actor else "system", "action": action,
                         "entity": obj.__tablename__, "entity_id": obj.id,
                         "patient_id": _lot_patient(session, obj), "changes": changes or None,
                         "note": f"cell lot {obj.cell_lot_id}"})
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def _refusal_rows(session: Session) -> list[dict[str, Any]]:
    return session.info.pop(_REFUSALS_KEY, [])


def _before_commit(session: Session) -> None:
    """A caller that catches the refusal and commits: the refusal is written in its transaction."""
    rows = _refusal_rows(session)
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def _after_soft_rollback(session: Session, _previous: Any) -> None:
    """The usual path: the caller's transaction rolled back; write refusals in their own."""
    rows = _refusal_rows(session)
    if not rows:
        return
    bind = session.get_bind()
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    with engine.begin() as conn:
        conn.execute(insert(AuditEntry), rows)


event.listen(RegistrySession, "after_flush", _after_flush)
event.listen(RegistrySession, "before_commit", _before_commit)
event.listen(RegistrySession, "after_soft_rollback", _after_soft_rollback)


def _refuse(session: Session, actor: User, lot: CellLot, recipient: Patient | None,
            exc: Exception, attempted: dict[str, Any]) -> None:
    log.info("refused infusion of cell lot %s (%s)", lot.id, getattr(exc, "field", "identity"))
    session.info.setdefault(_REFUSALS_KEY, []).append({
        "at": dt.datetime.now(dt.UTC), "user_id": actor.id, "username": actor.username,
        "action": "infusion_refused", "entity": CellLot.__tablename__, "entity_id": lot.id,
        "patient_id": recipient.id if recipient is not None else lot.patient_id,
        "changes": {k: [None, _jsonable(v)] for k, v in attempted.items()},
        "note": f"infusion refused: {exc}"[:400],
    })


# ------------------------------------------------------------------ services
def lot_to_dict(session: Session, actor: User, lot: CellLot) -> dict[str, Any]:
    """A lot as JSON-safe values; researchers get no DIN or donor code (pseudonymised)."""
    out = record_to_dict(lot)
    out["patient_study_id"] = _study_id(session, lot.patient_id)
    if actor.role == "researcher":
        for key in _MASKED:
            if out.get(key) is not None:
                out[key] = "***"
    return out


def register_cell_lot(
    session: Session, actor: User, *, lot_number: str, din: str, product_type: str,
    donor_type: str, patient_id: int | None = None, tissue_source: str | None = None,
    donor_code: str | None = None, collection_date: Any = None, notes: str | None = None,
) -> CellLot:
    """Register a cell lot under its ISBT 128 DIN (check character verified).

    Parameters
    ----------
    lot_number : str
        The lot's local identifier (unique).
    din : str
        ISBT 128 donation identification number as keyed or scanned; stored in
        its 13-character form plus check character (e.g. ``G123498654321H``).
    product_type : str
        One of :data:`PRODUCT_TYPES`.
    donor_type : {"autologous", "allogeneic"}
        An autologous product must name the patient it is made for.
    patient_id : int, optional
        Registry id of the patient the product is made for (required when
        autologous); the lot belongs to that patient's centre.
    tissue_source, donor_code : str, optional
        Tissue source (bone_marrow, adipose, ...) and the donor's code at the
        collection facility (allogeneic).

    Raises
    ------
    InputError
        Bad DIN (including a wrong check character), unknown code, missing patient.
    ConflictError
        The lot number exists already.
    """
    user = _writer(session, actor, "register cell lots")
    lot_number = _text("lot_number", lot_number, 40) or ""
    if not lot_number.strip():
        raise InputError("lot_number", lot_number, "a non-empty lot number (at most 40 characters)")
    parsed = parse_din(din)
    check_choice("product_type", product_type, PRODUCT_TYPES)
    if product_type is None:
        raise InputError("product_type", None, "one of " + ", ".join(repr(c) for c in PRODUCT_TYPES))
    check_choice("donor_type", donor_type, DONOR_TYPES)
    if donor_type is None:
        raise InputError("donor_type", None, "'autologous' or 'allogeneic'")
    check_choice("tissue_source", tissue_source, TISSUE_SOURCES)
    donor_code = _text("donor_code", donor_code, 40)
    notes = _text("notes", notes, 2000)
    cdate = None if collection_date is None else _check_date("collection_date", collection_date)
    centre = user.centre
    if patient_id is not None:
        p = session.get(Patient, patient_id)
        if p is None or not _auth.can_read_patient(user, p):
            raise NotFoundError("patient", patient_id)
        if not _auth.can_write_patient(user, p):
            raise AccessDeniedError(user.username, user.role, f"register cell lots for patient {patient_id}")
        centre = p.centre
    elif donor_type == "autologous":
        raise InputError("patient_id", None, "the registry id of the patient an autologous product is made for")
    if centre is None:
        raise InputError("patient_id", None, "a patient (the lot belongs to the patient's centre)")
    if session.execute(select(CellLot.id).where(CellLot.lot_number == lot_number)).first():
        raise ConflictError(f"cell lot {lot_number!r} already exists.")
    lot = CellLot(
        lot_number=lot_number, product_type=product_type, patient_id=patient_id,
        din=parsed.din + parsed.check_character, tissue_source=tissue_source, donor_type=donor_type,
        donor_code=donor_code, centre=centre, collection_date=cdate, status="quarantine", notes=notes,
    )
    session.add(lot)
    _flush(session, f"cell lot {lot_number!r}")
    return lot


def record_lot_results(
    session: Session, actor: User, lot_id: int, results: dict[str, Any], spec_name: str,
    *, release_date: Any = None,
) -> LotReleaseReport:
    """Check a lot's release results against a shipped specification and store the decision.

    ``results`` are :class:`~sclerostem.cells.LotResults` fields (``lot_id``
    defaults to the lot number; a ``din`` given must match the lot's). A
    releasable decision releases the lot (status ``released``, released by
    the acting user, now); a failed check sets ``rejected``; missing results
    keep it in ``quarantine``. An infused lot cannot be re-tested.
    ``release_date`` (default today) lets a release be entered
    retrospectively; infusions must be on or after it.

    Returns
    -------
    LotReleaseReport
        The per-criterion report (``.to_dict()`` for JSON).
    """
    lot = get_cell_lot(session, actor, lot_id, write=True)
    if lot.status == "infused":
        raise ConflictError(f"cell lot {lot_id} was infused already; its release results cannot change.")
    rdate = dt.date.today() if release_date is None else _check_date("release_date", release_date)
    specs = release_specs()
    if spec_name not in specs:
        raise InputError("spec", spec_name, "one of " + ", ".join(specs))
    spec = load_spec(spec_name)
    if not isinstance(results, dict):
        raise InputTypeError("results", results, "a JSON object of lot test results")
    data = dict(results)
    data.setdefault("lot_id", lot.lot_number)
    if data["lot_id"] != lot.lot_number:
        raise ConsistencyError("lot_id", data["lot_id"], f"the lot number of this lot ({lot.lot_number!r})")
    if data.get("din") is not None:
        given = parse_din(data["din"])
        if lot.din is not None and given.din != lot.din[:13]:
            raise ConsistencyError("din", data["din"], f"the DIN of this lot ({parse_din(lot.din)})")
    if data.get("tissue_source") is None and lot.tissue_source is not None:
        data["tissue_source"] = lot.tissue_source
    lot_results = lot_from_dict(data)
    report = check_lot(lot_results, spec)
    lot.release_results = lot_results.model_dump(mode="json")
    lot.release_spec_name = spec.name
    lot.release_spec_version = spec.version
    lot.release_decision = report.decision
    if report.releasable:
        lot.status = "released"
        lot.released_by = actor.username
        lot.released_at = dt.datetime.now(dt.UTC)
        lot.release_date = rdate
    else:
        lot.status = "rejected" if report.failed else "quarantine"
        lot.released_by = None
        lot.released_at = None
        lot.release_date = None
    _flush(session, f"cell lot {lot_id}")
    return report


def lot_release_report(session: Session, actor: User, lot_id: int) -> LotReleaseReport:
    """The stored release check of a lot, re-run from the stored results (for the certificate).

    Raises ``ConflictError`` when the shipped specification changed version since.
    """
    lot = get_cell_lot(session, actor, lot_id)
    if lot.release_results is None or lot.release_spec_name is None:
        raise NotFoundError("release results of cell lot", lot_id)
    spec = load_spec(lot.release_spec_name)
    if spec.version != lot.release_spec_version:
        raise ConflictError(
            f"specification {spec.name!r} is now version {spec.version}, the lot was checked against "
            f"version {lot.release_spec_version}; record the results again to issue a certificate.")
    return check_lot(lot_from_dict(dict(lot.release_results)), spec)


def _count(field: str, value: Any, lo: float = 0) -> float | None:
    check_number(field, value, lo, _MAX_CELLS, unit="cells")
    return None if value is None else float(value)


def record_collection(
    session: Session, actor: User, lot_id: int, *, collection_date: Any, method: str = "apheresis",
    cd34_cells: float | None = None, litres_processed: float | None = None,
    pre_cd34_per_ul: float | None = None, label: str | None = None, notes: str | None = None,
) -> CellCollection:
    """Record one collection of a lot (apheresis: CD34+ cells, litres processed, pre-count/uL)."""
    lot = get_cell_lot(session, actor, lot_id, write=True)
    if lot.status == "infused":
        raise ConflictError(f"cell lot {lot_id} was infused already; no collection can be added.")
    check_choice("method", method, COLLECTION_METHODS)
    if method is None:
        raise InputError("method", None, "one of " + ", ".join(repr(c) for c in COLLECTION_METHODS))
    check_number("litres_processed", litres_processed, 0.1, 50, unit="L")
    check_number("pre_cd34_per_ul", pre_cd34_per_ul, 0.1, 5000, unit="cells/uL")
    obj = CellCollection(
        cell_lot_id=lot.id, collection_date=_check_date("collection_date", collection_date), method=method,
        cd34_cells=_count("cd34_cells", cd34_cells),
        litres_processed=None if litres_processed is None else float(litres_processed),
        pre_cd34_per_ul=None if pre_cd34_per_ul is None else float(pre_cd34_per_ul),
        label=_text("label", label, 80), notes=_text("notes", notes, 2000),
    )
    session.add(obj)
    _flush(session, f"collection of cell lot {lot_id}")
    return obj


def record_processing(
    session: Session, actor: User, lot_id: int, *, processing_date: Any, method: str,
    cd34_before: float | None = None, cd34_after: float | None = None,
    cd3_before: float | None = None, cd3_after: float | None = None, notes: str | None = None,
) -> CellProcessing:
    """Record one processing step (CD34 selection with before/after counts, cryopreservation...).

    Counts of a selection are checked with :func:`sclerostem.cells.selection_performance`
    (after at most before within counting error; CD3+ counts in pairs).
    """
    lot = get_cell_lot(session, actor, lot_id, write=True)
    if lot.status == "infused":
        raise ConflictError(f"cell lot {lot_id} was infused already; no processing can be added.")
    check_choice("method", method, PROCESSING_METHODS)
    if method is None:
        raise InputError("method", None, "one of " + ", ".join(repr(c) for c in PROCESSING_METHODS))
    b, a = _count("cd34_before", cd34_before), _count("cd34_after", cd34_after)
    b3, a3 = _count("cd3_before", cd3_before), _count("cd3_after", cd3_after)
    if b is not None and a is not None:
        selection_performance(b, a, b3, a3)
    elif (b is None) != (a is None):
        raise InputError("cd34_after" if a is None else "cd34_before", None,
                         "both CD34+ counts, before and after, or neither")
    obj = CellProcessing(
        cell_lot_id=lot.id, processing_date=_check_date("processing_date", processing_date), method=method,
        cd34_before=b, cd34_after=a, cd3_before=b3, cd3_after=a3, notes=_text("notes", notes, 2000),
    )
    session.add(obj)
    _flush(session, f"processing of cell lot {lot_id}")
    return obj


def record_infusion(
    session: Session, actor: User, lot_id: int, *, patient_id: int, scanned_din: str,
    infusion_date: Any, dose_cells_per_kg: float | None = None, volume_ml: float | None = None,
    weight_kg: float | None = None, notes: str | None = None,
) -> CellInfusion:
    """Record an infusion after the bedside identity check; refuse (and audit) any mismatch.

    Refused, with :class:`~sclerostem.cells.IdentityMismatchError` (an
    ``InputError``) naming the field, the value and what was expected, and
    nothing written: a scanned DIN that differs from the lot's or fails its
    check character; a recipient other than the patient the lot was made for;
    a lot not released by a passing release check (quarantine, rejected,
    status set by hand) or infused already. The refused attempt is recorded in
    the audit trail (action ``infusion_refused``).

    Parameters
    ----------
    patient_id : int
        Registry id of the patient about to receive the product.
    scanned_din : str
        DIN scanned or keyed at the bedside.
    dose_cells_per_kg : float, optional
        Dose infused (cells/kg).
    volume_ml, weight_kg : float, optional
        Volume infused (mL) and the recipient's weight (kg).
    """
    lot = get_cell_lot(session, actor, lot_id, write=True)
    user = actor
    recipient = session.get(Patient, patient_id) if isinstance(patient_id, int) else None
    if recipient is None or not _auth.can_read_patient(user, recipient):
        raise NotFoundError("patient", patient_id)
    if not _auth.can_write_patient(user, recipient):
        raise AccessDeniedError(user.username, user.role, f"record infusions for patient {patient_id}")
    day = _check_date("infusion_date", infusion_date)
    if lot.release_date is not None and day < lot.release_date:
        raise ConsistencyError("infusion_date", day.isoformat(),
                               f"a date on or after the lot's release date ({lot.release_date.isoformat()})")
    check_number("dose_cells_per_kg", dose_cells_per_kg, 0, 1e10, unit="cells/kg")
    check_number("volume_ml", volume_ml, 0, 5000, unit="mL")
    check_number("weight_kg", weight_kg, 1, 300, unit="kg")
    notes = _text("notes", notes, 2000)
    attempted = {"scanned_din": scanned_din, "recipient_study_id": recipient.study_id,
                 "product_study_id": _study_id(session, lot.patient_id), "lot_status": lot.status,
                 "infusion_date": day}
    try:
        if not isinstance(scanned_din, str):
            raise IdentityMismatchError("scanned_din", scanned_din, "the DIN scanned from the product label, as text")
        if lot.din is None:
            raise IdentityMismatchError("din", None, "a lot registered with its DIN (register_cell_lot)")
        if lot.status == "infused":
            raise IdentityMismatchError("product_status", "infused",
                                        "'released' (this lot was infused already; it is infused once)")
        status = lot.status or "unknown"
        if status == "released" and (lot.release_decision != "releasable" or lot.released_at is None):
            status = "released without a passing release check"
        product_patient = lot.patient_id if lot.patient_id is not None else recipient.id
        check_infusion_identity(
            product_din=lot.din, product_patient_id=str(_study_id(session, product_patient)),
            scanned_din=scanned_din, recipient_patient_id=recipient.study_id, product_status=status)
    except InputError as exc:
        _refuse(session, user, lot, recipient, exc, attempted)
        raise
    obj = CellInfusion(
        cell_lot_id=lot.id, patient_id=recipient.id, infusion_date=day,
        scanned_din=parse_din(scanned_din).din + parse_din(scanned_din).check_character,
        dose_cells_per_kg=None if dose_cells_per_kg is None else float(dose_cells_per_kg),
        volume_ml=None if volume_ml is None else float(volume_ml),
        weight_kg=None if weight_kg is None else float(weight_kg),
        infused_by=user.username, notes=notes,
    )
    session.add(obj)
    lot.status = "infused"
    _flush(session, f"infusion of cell lot {lot_id}")
    return obj


def _patient_weight(session: Session, patient_id: int | None) -> float | None:
    if patient_id is None:
        return None
    return session.execute(
        select(Visit.weight_kg).where(Visit.patient_id == patient_id, Visit.weight_kg.is_not(None))
        .order_by(Visit.visit_date.desc()).limit(1)).scalar()


def graft_summary(
    session: Session, actor: User, lot_id: int, *, weight_kg: float | None = None,
    target_cd34_per_kg: float | None = None, minimum_cd34_per_kg: float | None = None,
) -> dict[str, Any]:
    """CD34+ dose per kg of a lot's graft from its collections (:func:`sclerostem.cells.graft_cd34_dose`).

    ``weight_kg`` defaults to the weight of the latest infusion of the lot,
    else the patient's most recent visit weight. Target and minimum are centre
    parameters (no SSc-trial minimum is confirmed, msc.md §4.2; the result
    carries that caveat).

    Returns
    -------
    dict
        ``Result.to_dict()`` of the dose plus ``weight_source``.
    """
    lot = get_cell_lot(session, actor, lot_id)
    rows = list(session.execute(select(CellCollection).where(CellCollection.cell_lot_id == lot.id)
                                .order_by(CellCollection.collection_date, CellCollection.id)).scalars())
    collections = [Collection(r.cd34_cells, r.litres_processed, r.pre_cd34_per_ul,
                              label=r.label or f"{r.method} {r.collection_date.isoformat()}")
                   for r in rows if r.cd34_cells is not None]
    if not collections:
        raise InputError("collections", [], "at least one collection with its CD34+ cell count")
    source = "given"
    if weight_kg is None:
        last = session.execute(select(CellInfusion.weight_kg).where(
            CellInfusion.cell_lot_id == lot.id, CellInfusion.weight_kg.is_not(None))
            .order_by(CellInfusion.id.desc()).limit(1)).scalar()
        weight_kg, source = (last, "infusion record") if last is not None else (
            _patient_weight(session, lot.patient_id), "latest visit")
    if weight_kg is None:
        raise InputError("weight_kg", None, "the patient's weight in kg (none recorded at an infusion or visit)")
    result = graft_cd34_dose(collections, weight_kg, target_cd34_per_kg=target_cd34_per_kg,
                             minimum_cd34_per_kg=minimum_cd34_per_kg)
    out = result.to_dict()
    out["weight_source"] = source
    out["cell_lot_id"] = lot.id
    return out


_STAGES = ("registration", "collection", "processing", "release", "infusion")


def chain_of_identity(session: Session, actor: User, lot_id: int) -> dict[str, Any]:
    """The lot's chain of identity in order: registration, collections, processing, release, infusions.

    Also lists refused infusion attempts (from the audit trail). Researchers
    see study ids, never DINs or donor codes.
    """
    lot = get_cell_lot(session, actor, lot_id)
    masked = actor.role == "researcher"
    din = "***" if masked else lot.din
    steps: list[dict[str, Any]] = [{
        "stage": "registration", "date": _jsonable(lot.created_at), "din": din,
        "product_type": lot.product_type, "donor_type": lot.donor_type,
        "patient_study_id": _study_id(session, lot.patient_id)}]
    for c in session.execute(select(CellCollection).where(CellCollection.cell_lot_id == lot.id)
                             .order_by(CellCollection.collection_date, CellCollection.id)).scalars():
        step = {"stage": "collection", "record_id": c.id, "date": c.collection_date.isoformat(),
                "method": c.method, "cd34_cells": c.cd34_cells, "litres_processed": c.litres_processed,
                "pre_cd34_per_ul": c.pre_cd34_per_ul, "label": c.label}
        steps.append(step)
    for p in session.execute(select(CellProcessing).where(CellProcessing.cell_lot_id == lot.id)
                             .order_by(CellProcessing.processing_date, CellProcessing.id)).scalars():
        step = {"stage": "processing", "record_id": p.id, "date": p.processing_date.isoformat(),
                "method": p.method, "cd34_before": p.cd34_before, "cd34_after": p.cd34_after,
                "cd3_before": p.cd3_before, "cd3_after": p.cd3_after}
        if p.cd34_before is not None and p.cd34_after is not None:
            perf = selection_performance(p.cd34_before, p.cd34_after, p.cd3_before, p.cd3_after)
            step["cd34_recovery_percent"] = perf.value
            step["log10_t_cell_depletion"] = perf.components["log10_t_cell_depletion"]
        steps.append(step)
    if lot.release_decision is not None:
        steps.append({"stage": "release", "date": _jsonable(lot.release_date),
                      "recorded_at": _jsonable(lot.released_at), "decision": lot.release_decision,
                      "status": lot.status, "spec": lot.release_spec_name,
                      "spec_version": lot.release_spec_version, "released_by": lot.released_by})
    for i in session.execute(select(CellInfusion).where(CellInfusion.cell_lot_id == lot.id)
                             .order_by(CellInfusion.infusion_date, CellInfusion.id)).scalars():
        steps.append({"stage": "infusion", "record_id": i.id, "date": i.infusion_date.isoformat(),
                      "patient_study_id": _study_id(session, i.patient_id),
                      "scanned_din": "***" if masked else i.scanned_din,
                      "dose_cells_per_kg": i.dose_cells_per_kg, "volume_ml": i.volume_ml,
                      "weight_kg": i.weight_kg, "infused_by": i.infused_by})
    refused = session.execute(select(AuditEntry).where(
        AuditEntry.entity == CellLot.__tablename__, AuditEntry.entity_id == lot.id,
        AuditEntry.action == "infusion_refused").order_by(AuditEntry.id)).scalars()
    return {
        "lot": lot_to_dict(session, actor, lot),
        "stages": list(_STAGES),
        "chain": steps,
        "complete": all(any(s["stage"] == st for s in steps) for st in _STAGES[1:]),
        "refused_infusions": [{"at": _jsonable(a.at), "username": a.username,
                               "note": ("infusion refused" if masked else a.note)} for a in refused],
    }
