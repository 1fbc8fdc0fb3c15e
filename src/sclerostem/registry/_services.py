"""Registry services: every read and write goes through here.

Each function takes a session and the acting :class:`User`, checks the role
(and centre for clinicians), validates inputs with the package's one error
wording, and leaves the audit trail to the session hooks (who acted is
recorded with :func:`set_actor`). Functions never commit: the caller's
``Database.session()`` block does, so a multi-step operation is atomic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from sclerostem.errors import ConsistencyError, InputError
from sclerostem.registry import _auth
from sclerostem.registry._audit import set_actor
from sclerostem.registry._errors import AccessDeniedError, ConflictError, NotFoundError
from sclerostem.registry._fields import (
    CELL_LOT_FIELDS,
    DIAGNOSIS_FIELDS,
    EVENT_FIELDS,
    PATIENT_FIELDS,
    TRANSPLANT_FIELDS,
    TREATMENT_FIELDS,
    VISIT_FIELDS,
    FieldSpec,
    check_record,
)
from sclerostem.registry.models import (
    ROLES,
    ApiToken,
    AuditEntry,
    Base,
    CellLot,
    Diagnosis,
    Event,
    Patient,
    Transplant,
    Treatment,
    User,
    Visit,
)

__all__ = [
    "DAYS_PER_MONTH",
    "ENTITIES",
    "add_diagnosis",
    "add_event",
    "add_transplant",
    "add_treatment",
    "add_visit",
    "authenticate",
    "cohort",
    "create_api_token",
    "create_cell_lot",
    "create_patient",
    "create_user",
    "delete_record",
    "get_patient",
    "get_record",
    "list_patients",
    "patient_history",
    "patient_summary",
    "record_to_dict",
    "revoke_api_tokens",
    "update_patient",
    "update_record",
    "update_visit",
]

#: Average Gregorian month (365.25 / 12 days), for follow-up in months.
DAYS_PER_MONTH = 30.4375

#: entity name -> (model, field declarations)
ENTITIES: dict[str, tuple[type[Base], tuple[FieldSpec, ...]]] = {
    "patient": (Patient, PATIENT_FIELDS),
    "diagnosis": (Diagnosis, DIAGNOSIS_FIELDS),
    "visit": (Visit, VISIT_FIELDS),
    "treatment": (Treatment, TREATMENT_FIELDS),
    "transplant": (Transplant, TRANSPLANT_FIELDS),
    "event": (Event, EVENT_FIELDS),
    "cell_lot": (CellLot, CELL_LOT_FIELDS),
}
_IDENTIFYING = tuple(f.name for f in PATIENT_FIELDS if f.identifying)
_WRITERS = ("admin", "clinician")


# ------------------------------------------------------------------ helpers
def _act(session: Session, actor: User | None, roles: tuple[str, ...], action: str) -> User:
    user = _auth.require_role(actor, roles, action)
    set_actor(session, user)
    return user


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    return v


#: Product identifiers that can lead back to a person (ISBT 128 DIN, donor code): shown only
#: to users who may see identifying data, like the patient's name.
_PRODUCT_IDENTIFIERS = frozenset({"din", "donor_code", "scanned_din"})


def record_to_dict(obj: Base, *, identifying: bool = True) -> dict[str, Any]:
    """Column values of a record as JSON-safe values (identifying fields optional)."""
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        if not identifying and isinstance(obj, Patient) and col.key in _IDENTIFYING:
            continue
        if not identifying and col.key in _PRODUCT_IDENTIFIERS:
            continue
        if col.key == "password_hash":
            continue
        out[col.key] = _jsonable(getattr(obj, col.key))
    return out


def _flush(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            f"{what} was changed by someone else meanwhile; reload it and apply your change again."
        ) from exc
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(f"{what} conflicts with an existing record (duplicate key).") from exc


def get_patient(session: Session, actor: User, patient_id: int, *, write: bool = False) -> Patient:
    """Load a patient visible to ``actor`` (``NotFoundError`` otherwise, never a hint it exists)."""
    p = session.get(Patient, patient_id)
    if p is None or not _auth.can_read_patient(actor, p):
        raise NotFoundError("patient", patient_id)
    if write and not _auth.can_write_patient(actor, p):
        raise AccessDeniedError(actor.username, actor.role, f"change patient {patient_id}")
    return p


def _check_expected(obj: Any, expected_version: int | None, what: str) -> None:
    if expected_version is not None and obj.version != expected_version:
        raise ConflictError(
            f"{what} is at version {obj.version}, not {expected_version}: "
            "it was changed by someone else meanwhile; reload it and apply your change again."
        )


def _check_dates(patient: Patient, field: str, value: dt.date | None) -> None:
    if value is None:
        return
    if patient.date_of_birth is not None and value < patient.date_of_birth:
        raise ConsistencyError(field, value.isoformat(), "a date on or after the date of birth")
    if value > dt.date.today() + dt.timedelta(days=1):
        raise ConsistencyError(field, value.isoformat(), "a date not in the future")


# -------------------------------------------------------------------- users
def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, else ``None`` (argon2 verify)."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        _auth.dummy_verify(password)
        return None
    if not _auth.verify_password(user.password_hash, password):
        return None
    if _auth.needs_rehash(user.password_hash):
        set_actor(session, user)
        user.password_hash = _auth.hash_password(password)
    return user


def create_user(
    session: Session,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    centre: str | None = None,
    full_name: str | None = None,
) -> User:
    """Create a user (admins only; ``actor=None`` is allowed only for the very first user)."""
    if actor is None:
        if session.execute(select(func.count(User.id))).scalar():
            raise AccessDeniedError("anonymous", "none", "create users")
    else:
        _act(session, actor, ("admin",), "create users")
    if role not in ROLES:
        raise InputError("role", role, "one of " + ", ".join(repr(r) for r in ROLES))
    if not username or len(username) > 80 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InputError("username", username, "1 to 80 letters, digits, '-', '_' or '.'")
    if len(password) < 8:
        raise InputError("password", "***", "at least 8 characters")
    if role == "clinician" and not centre:
        raise InputError("centre", centre, "a centre name (clinicians see their centre's patients)")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise ConflictError(f"user {username!r} already exists.")
    user = User(username=username, role=role, centre=centre, full_name=full_name,
                password_hash=_auth.hash_password(password), active=True)
    session.add(user)
    _flush(session, f"user {username!r}")
    return user


def create_api_token(
    session: Session, actor: User, name: str = "script", *, user: User | None = None,
    expires_days: int | None = None,
) -> str:
    """Create an API token for ``actor`` (or, for admins, another user); return it once in clear."""
    owner = user or actor
    if owner.id != actor.id:
        _act(session, actor, ("admin",), "create tokens for other users")
    else:
        _act(session, actor, ROLES, "create tokens")
    token = _auth.new_token()
    exp = None if expires_days is None else dt.datetime.now(dt.UTC) + dt.timedelta(days=expires_days)
    session.add(ApiToken(user_id=owner.id, name=name, token_hash=_auth.hash_token(token),
                         expires_at=exp, revoked=False))
    _flush(session, "token")
    return token


def revoke_api_tokens(session: Session, actor: User, *, user: User | None = None,
                      token: str | None = None) -> int:
    """Revoke one token (``token``) or every token of ``user`` (default: the actor's own).

    Admins may revoke anyone's tokens; others only their own. Returns the number revoked.
    """
    owner = user or actor
    if owner.id != actor.id:
        _act(session, actor, ("admin",), "revoke tokens of other users")
    else:
        _act(session, actor, ROLES, "revoke tokens")
    q = select(ApiToken).where(ApiToken.user_id == owner.id, ApiToken.revoked.is_(False))
    if token is not None:
        q = q.where(ApiToken.token_hash == _auth.hash_token(token))
    rows = list(session.execute(q).scalars())
    for row in rows:
        row.revoked = True
    _flush(session, "tokens")
    return len(rows)


# ----------------------------------------------------------------- patients
def create_patient(session: Session, actor: User, **fields: Any) -> Patient:
    """Create a patient (clinicians: their centre only; ``centre`` defaults to theirs)."""
    user = _act(session, actor, _WRITERS, "create patients")
    if user.role == "clinician":
        fields.setdefault("centre", user.centre)
    values = check_record(PATIENT_FIELDS, fields)
    if not _auth.can_write_patient(user, centre=values["centre"]):
        raise AccessDeniedError(user.username, user.role, f"create patients of centre {values['centre']!r}")
    if session.execute(select(Patient.id).where(Patient.study_id == values["study_id"])).first():
        raise ConflictError(f"study id {values['study_id']!r} already exists.")
    p = Patient(**values)
    session.add(p)
    _flush(session, f"patient {values['study_id']!r}")
    return p


def update_patient(
    session: Session, actor: User, patient_id: int, *, expected_version: int | None = None,
    **fields: Any,
) -> Patient:
    """Change patient fields; ``expected_version`` guards against lost updates."""
    _act(session, actor, _WRITERS, "change patients")
    p = get_patient(session, actor, patient_id, write=True)
    _check_expected(p, expected_version, f"patient {patient_id}")
    values = check_record(PATIENT_FIELDS, fields, creating=False)
    for key in ("study_id", "centre"):
        if key in values and values[key] is None:
            raise InputError(key, None, "a value (required)")
    if "centre" in values and not _auth.can_write_patient(actor, centre=values["centre"]):
        raise AccessDeniedError(actor.username, actor.role, "move patients to another centre")
    for k, v in values.items():
        setattr(p, k, v)
    _flush(session, f"patient {patient_id}")
    return p


def _add_child(session: Session, actor: User, entity: str, patient_id: int, fields: dict[str, Any]) -> Any:
    model, specs = ENTITIES[entity]
    _act(session, actor, _WRITERS, f"add {entity} records")
    p = get_patient(session, actor, patient_id, write=True)
    values = check_record(specs, fields)
    _consistency(p, entity, values)
    obj = model(patient_id=p.id, **values)
    session.add(obj)
    _flush(session, f"{entity} of patient {patient_id}")
    return obj


def _consistency(p: Patient, entity: str, v: dict[str, Any]) -> None:
    for key, val in v.items():
        if key.endswith("_date") and isinstance(val, dt.date):
            _check_dates(p, key, val)
    pairs = {
        "treatment": [("start_date", "end_date")],
        "transplant": [("transplant_date", "neutrophil_engraftment_date"),
                       ("transplant_date", "platelet_engraftment_date"),
                       ("mobilisation_date", "transplant_date")],
        "diagnosis": [("raynaud_onset_date", "diagnosis_date"),
                      ("first_non_raynaud_date", "diagnosis_date")],
    }
    for first, later in pairs.get(entity, []):
        a, b = v.get(first), v.get(later)
        if a is not None and b is not None and b < a:
            raise ConsistencyError(later, b.isoformat(), f"a date on or after {first} ({a.isoformat()})")


def add_visit(session: Session, actor: User, patient_id: int, **fields: Any) -> Visit:
    """Record a visit; validates inputs; scores are computed on flush and stored with the engine version."""
    if "visit_date" in fields:
        p = session.get(Patient, patient_id)
        vd = fields["visit_date"]
        if p is not None and vd is not None:
            exists = session.execute(select(Visit.id).where(
                Visit.patient_id == patient_id, Visit.visit_date == (
                    dt.date.fromisoformat(vd) if isinstance(vd, str) and len(vd) == 10 else vd))).first()
            if exists:
                raise ConflictError(f"patient {patient_id} already has a visit on {vd}.")
    return _add_child(session, actor, "visit", patient_id, fields)


def add_diagnosis(session: Session, actor: User, patient_id: int, **fields: Any) -> Diagnosis:
    """Record a diagnosis (disease, subset, dates, antibodies)."""
    return _add_child(session, actor, "diagnosis", patient_id, fields)


def add_treatment(session: Session, actor: User, patient_id: int, **fields: Any) -> Treatment:
    """Record a treatment course."""
    return _add_child(session, actor, "treatment", patient_id, fields)


def add_transplant(session: Session, actor: User, patient_id: int, **fields: Any) -> Transplant:
    """Record an autologous HSCT."""
    return _add_child(session, actor, "transplant", patient_id, fields)


def add_event(session: Session, actor: User, patient_id: int, **fields: Any) -> Event:
    """Record a clinical event (death, organ failure, relapse, infection...)."""
    return _add_child(session, actor, "event", patient_id, fields)


def create_cell_lot(session: Session, actor: User, patient_id: int | None = None, **fields: Any) -> CellLot:
    """Record a cell-therapy lot (optionally of a patient)."""
    user = _act(session, actor, _WRITERS, "create cell lots")
    if patient_id is not None:
        get_patient(session, user, patient_id, write=True)
    values = check_record(CELL_LOT_FIELDS, fields)
    if values.get("status") == "released":
        raise InputError("status", "released", "'quarantine', 'rejected', 'infused' or 'discarded': a lot is "
                         "released only by its release check (record_lot_results)")
    lot = CellLot(patient_id=patient_id, **values)
    session.add(lot)
    _flush(session, f"cell lot {values['lot_number']!r}")
    return lot


def get_record(session: Session, actor: User, entity: str, record_id: int) -> Any:
    """Load one record of ``entity`` visible to ``actor``."""
    if entity not in ENTITIES:
        raise InputError("entity", entity, "one of " + ", ".join(repr(e) for e in ENTITIES))
    model, _ = ENTITIES[entity]
    _auth.require_role(actor, ROLES, f"read {entity} records")
    obj: Any = session.get(model, record_id)
    if obj is None:
        raise NotFoundError(entity, record_id)
    if entity == "patient":
        get_patient(session, actor, record_id)
    elif getattr(obj, "patient_id", None) is not None:
        try:
            get_patient(session, actor, obj.patient_id)
        except NotFoundError:
            raise NotFoundError(entity, record_id) from None
    elif entity == "cell_lot" and actor.role == "clinician":
        pass
    return obj


def update_record(
    session: Session, actor: User, entity: str, record_id: int, *,
    expected_version: int | None = None, **fields: Any,
) -> Any:
    """Change fields of any entity's record (scores recompute for visits)."""
    if entity == "patient":
        return update_patient(session, actor, record_id, expected_version=expected_version, **fields)
    if entity == "cell_lot":
        for key in ("status", "release_date"):
            if key in fields:
                raise InputError(key, fields[key], "no direct change: the release status and date are set by the "
                                 "lot's release check (record_lot_results) and infusions")
    _act(session, actor, _WRITERS, f"change {entity} records")
    obj = get_record(session, actor, entity, record_id)
    p = get_patient(session, actor, obj.patient_id, write=True) if getattr(obj, "patient_id", None) else None
    _check_expected(obj, expected_version, f"{entity} {record_id}")
    _, specs = ENTITIES[entity]
    values = check_record(specs, fields, creating=False)
    for spec in specs:
        if spec.required and spec.name in values and values[spec.name] is None:
            raise InputError(spec.name, None, "a value (required)")
    if p is not None:
        merged = {c.key: getattr(obj, c.key) for c in obj.__table__.columns}
        merged.update(values)
        _consistency(p, entity, {k: merged.get(k) for k in (s.name for s in specs)})
    for k, v in values.items():
        setattr(obj, k, v)
    _flush(session, f"{entity} {record_id}")
    return obj


def update_visit(session: Session, actor: User, visit_id: int, *, expected_version: int | None = None,
                 **fields: Any) -> Visit:
    """Change a visit; its scores are recomputed when an input changes."""
    return update_record(session, actor, "visit", visit_id,
                         expected_version=expected_version, **fields)


def delete_record(session: Session, actor: User, entity: str, record_id: int) -> None:
    """Delete a record (patients: admins only; other records: writers of the patient's centre)."""
    roles = ("admin",) if entity in ("patient", "cell_lot") else _WRITERS
    _act(session, actor, roles, f"delete {entity} records")
    obj = get_record(session, actor, entity, record_id)
    if getattr(obj, "patient_id", None) is not None:
        get_patient(session, actor, obj.patient_id, write=True)
    session.delete(obj)
    _flush(session, f"{entity} {record_id}")


# ----------------------------------------------------------------- queries
def _visible(actor: User) -> Any:
    if actor.role == "clinician":
        return Patient.centre == actor.centre
    return True


def _follow_up(p: Patient) -> tuple[dt.date | None, dt.date | None, int | None]:
    """(start, end, days): from transplant (or first visit) to last visit or death."""
    start = p.transplants[0].transplant_date if p.transplants else (
        p.visits[0].visit_date if p.visits else None)
    ends = [v.visit_date for v in p.visits] + [e.event_date for e in p.events if e.event_type == "death"]
    end = max(ends) if ends else None
    if start is None or end is None:
        return start, end, None
    return start, end, max(0, (end - start).days)


def _months(days: int | None) -> float | None:
    return None if days is None else round(days / DAYS_PER_MONTH, 1)


def _row(actor: User, p: Patient) -> dict[str, Any]:
    dx = p.diagnoses[0] if p.diagnoses else None
    last = p.visits[-1] if p.visits else None
    _start, _end, days = _follow_up(p)
    death = next((e for e in p.events if e.event_type == "death"), None)
    row: dict[str, Any] = {
        "id": p.id, "study_id": p.study_id, "centre": p.centre, "sex": p.sex,
        "disease": dx.disease if dx else None, "subset": dx.subset if dx else None,
        "transplanted": bool(p.transplants),
        "transplant_date": _jsonable(p.transplants[0].transplant_date) if p.transplants else None,
        "n_visits": len(p.visits),
        "last_visit_date": _jsonable(last.visit_date) if last else None,
        "last_mrss_total": last.mrss_total if last else None,
        "follow_up_days": days,
        "follow_up_months": _months(days),
        "died": death is not None,
        "synthetic": bool(p.synthetic),
        "version": p.version,
    }
    if _auth.sees_identifying(actor, p):
        row.update({k: _jsonable(getattr(p, k)) for k in _IDENTIFYING})
    return row


def list_patients(
    session: Session, actor: User, search: str | None = None, subset: str | None = None,
    transplanted: bool | None = None, *, disease: str | None = None, centre: str | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[dict[str, Any]]:
    """Patients visible to ``actor`` as summary rows (identifying fields only when allowed).

    ``search`` matches the study id (and, for users who may see them, name and
    hospital number), case-insensitively.
    """
    _auth.require_role(actor, ROLES, "list patients")
    q = select(Patient).where(_visible(actor)).order_by(Patient.study_id).options(
        selectinload(Patient.diagnoses), selectinload(Patient.visits),
        selectinload(Patient.transplants), selectinload(Patient.events))
    if search:
        like = f"%{search.lower()}%"
        conds = [func.lower(Patient.study_id).like(like)]
        if actor.role in ("admin", "clinician"):
            conds += [func.lower(Patient.name).like(like), func.lower(Patient.hospital_number).like(like)]
        q = q.where(or_(*conds))
    if centre:
        q = q.where(Patient.centre == centre)
    if subset or disease:
        sub = select(Diagnosis.patient_id)
        if subset:
            sub = sub.where(Diagnosis.subset == subset)
        if disease:
            sub = sub.where(Diagnosis.disease == disease)
        q = q.where(Patient.id.in_(sub))
    if transplanted is not None:
        tx = select(Transplant.patient_id)
        q = q.where(Patient.id.in_(tx) if transplanted else Patient.id.not_in(tx))
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return [_row(actor, p) for p in session.execute(q).scalars()]


def cohort(
    session: Session, actor: User, *, disease: str | None = None, subset: str | None = None,
    transplanted: bool | None = None, min_follow_up_months: float | None = None,
    centre: str | None = None,
) -> list[dict[str, Any]]:
    """Cohort query, e.g. transplanted dcSSc patients with at least 54 months of follow-up.

    Follow-up runs from the transplant date (or the first visit when not
    transplanted) to the last visit or death, in months of 30.4375 days.
    """
    rows = list_patients(session, actor, subset=subset, transplanted=transplanted,
                         disease=disease, centre=centre)
    if min_follow_up_months is not None:
        need = min_follow_up_months * DAYS_PER_MONTH
        rows = [r for r in rows if r["follow_up_days"] is not None and r["follow_up_days"] >= need]
    return rows


def patient_summary(session: Session, actor: User, patient_id: int) -> dict[str, Any]:
    """Everything about one patient as a JSON-safe dict.

    Researchers (and clinicians of another centre, who cannot see the patient
    at all) never receive name, date of birth or hospital number.
    """
    _auth.require_role(actor, ROLES, "read patients")
    p = session.execute(
        select(Patient).where(Patient.id == patient_id).options(
            selectinload(Patient.diagnoses), selectinload(Patient.visits),
            selectinload(Patient.treatments), selectinload(Patient.transplants),
            selectinload(Patient.events))
    ).scalar_one_or_none()
    if p is None or not _auth.can_read_patient(actor, p):
        raise NotFoundError("patient", patient_id)
    ident = _auth.sees_identifying(actor, p)
    lots = session.execute(select(CellLot).where(CellLot.patient_id == p.id)).scalars()
    start, end, days = _follow_up(p)
    return {
        "patient": record_to_dict(p, identifying=ident),
        "identifying_visible": ident,
        "diagnoses": [record_to_dict(d) for d in p.diagnoses],
        "visits": [record_to_dict(v) for v in p.visits],
        "treatments": [record_to_dict(t) for t in p.treatments],
        "transplants": [record_to_dict(t) for t in p.transplants],
        "events": [record_to_dict(e) for e in p.events],
        "cell_lots": [record_to_dict(c, identifying=ident) for c in lots],
        "follow_up": {"start": _jsonable(start), "end": _jsonable(end), "days": days,
                      "months": _months(days)},
        "transplanted": bool(p.transplants),
    }


def patient_history(
    session: Session, patient_id: int, actor: User | None = None,
) -> list[dict[str, Any]]:
    """The audit trail of one patient, oldest first.

    With ``actor`` the role is enforced and identifying values are masked for
    users who may not see them; without it (local administration, CLI) the
    full trail is returned.
    """
    redact = False
    if actor is not None:
        _auth.require_role(actor, ROLES, "read the audit trail")
        p = session.get(Patient, patient_id)
        if p is not None:
            get_patient(session, actor, patient_id)
            redact = not _auth.sees_identifying(actor, p)
        elif actor.role != "admin":
            raise NotFoundError("patient", patient_id)
    rows = session.execute(
        select(AuditEntry).where(AuditEntry.patient_id == patient_id).order_by(AuditEntry.id)
    ).scalars()
    out = []
    for a in rows:
        changes = dict(a.changes or {})
        if redact and a.entity == "patients":
            changes = {k: (["***", "***"] if k in _IDENTIFYING else v) for k, v in changes.items()}
        out.append({"id": a.id, "at": _jsonable(a.at), "username": a.username, "action": a.action,
                    "entity": a.entity, "entity_id": a.entity_id, "changes": changes, "note": a.note})
    return out
