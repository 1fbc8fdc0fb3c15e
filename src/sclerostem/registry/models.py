"""SQLAlchemy 2 models of the registry.

Identifying data (``Patient.name``, ``date_of_birth``, ``hospital_number``)
lives only on :class:`Patient`; every other table refers to the patient by the
integer key, and exports/researchers see the pseudonymous ``study_id``.

Records a user can edit carry ``version`` (SQLAlchemy ``version_id_col``): an
update based on a stale read fails instead of silently overwriting another
writer's change (no lost updates, on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

__all__ = [
    "ROLES",
    "ApiToken",
    "AuditEntry",
    "Base",
    "CellLot",
    "Diagnosis",
    "Event",
    "Patient",
    "Transplant",
    "Treatment",
    "User",
    "Visit",
]

#: Roles: clinician (identifying data of own centre), researcher (pseudonymised
#: data only, read-only), admin (everything, user management).
ROLES: tuple[str, ...] = ("admin", "clinician", "researcher")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of all registry tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class _Versioned:
    """Mixin: created/updated timestamps and an optimistic-locking counter."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=_utcnow, onupdate=_utcnow
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class User(Base):
    """A person who uses the registry."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    centre: Mapped[str | None] = mapped_column(String(80))
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class ApiToken(Base):
    """A bearer token for scripts; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(back_populates="tokens")


class Patient(_Versioned, Base):
    """A registry patient: pseudonymous ``study_id`` plus separate identifying fields."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(40), unique=True)
    centre: Mapped[str] = mapped_column(String(80), index=True)
    sex: Mapped[str | None] = mapped_column(String(40))
    # identifying fields -------------------------------------------------------
    name: Mapped[str | None] = mapped_column(String(200))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    hospital_number: Mapped[str | None] = mapped_column(String(40))
    # --------------------------------------------------------------------------
    consent_registry: Mapped[bool | None] = mapped_column(Boolean)
    synthetic: Mapped[bool | None] = mapped_column(Boolean)

    diagnoses: Mapped[list[Diagnosis]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Diagnosis.id"
    )
    visits: Mapped[list[Visit]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Visit.visit_date"
    )
    treatments: Mapped[list[Treatment]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Treatment.start_date"
    )
    transplants: Mapped[list[Transplant]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Transplant.transplant_date"
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Event.event_date"
    )

    def __repr__(self) -> str:  # never the identifying fields
        return f"Patient(id={self.id!r}, study_id={self.study_id!r})"


class Diagnosis(_Versioned, Base):
    """SSc or morphea diagnosis with subset and dates."""

    __tablename__ = "diagnoses"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    disease: Mapped[str] = mapped_column(String(40))
    subset: Mapped[str | None] = mapped_column(String(40))
    raynaud_onset_date: Mapped[dt.date | None] = mapped_column(Date)
    first_non_raynaud_date: Mapped[dt.date | None] = mapped_column(Date)
    diagnosis_date: Mapped[dt.date | None] = mapped_column(Date)
    anti_scl70: Mapped[bool | None] = mapped_column(Boolean)
    anti_centromere: Mapped[bool | None] = mapped_column(Boolean)
    anti_rna_pol3: Mapped[bool | None] = mapped_column(Boolean)
    ild: Mapped[bool | None] = mapped_column(Boolean)

    patient: Mapped[Patient] = relationship(back_populates="diagnoses")


class Visit(_Versioned, Base):
    """One assessment visit: score inputs, organ function and the computed scores.

    ``scores`` holds ``{name: Result.to_dict()}`` from the scores engine and
    ``scores_engine_version`` the version that computed them; both are
    recomputed whenever a score input changes (see ``registry._scoring``).
    """

    __tablename__ = "visits"
    __table_args__ = (UniqueConstraint("patient_id", "visit_date", name="uq_visit_patient_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    visit_date: Mapped[dt.date] = mapped_column(Date)
    visit_label: Mapped[str | None] = mapped_column(String(40))
    mrss_face: Mapped[int | None] = mapped_column(Integer)
    mrss_anterior_chest: Mapped[int | None] = mapped_column(Integer)
    mrss_abdomen: Mapped[int | None] = mapped_column(Integer)
    mrss_fingers_right: Mapped[int | None] = mapped_column(Integer)
    mrss_fingers_left: Mapped[int | None] = mapped_column(Integer)
    mrss_hand_dorsum_right: Mapped[int | None] = mapped_column(Integer)
    mrss_hand_dorsum_left: Mapped[int | None] = mapped_column(Integer)
    mrss_forearm_right: Mapped[int | None] = mapped_column(Integer)
    mrss_forearm_left: Mapped[int | None] = mapped_column(Integer)
    mrss_upper_arm_right: Mapped[int | None] = mapped_column(Integer)
    mrss_upper_arm_left: Mapped[int | None] = mapped_column(Integer)
    mrss_thigh_right: Mapped[int | None] = mapped_column(Integer)
    mrss_thigh_left: Mapped[int | None] = mapped_column(Integer)
    mrss_lower_leg_right: Mapped[int | None] = mapped_column(Integer)
    mrss_lower_leg_left: Mapped[int | None] = mapped_column(Integer)
    mrss_foot_dorsum_right: Mapped[int | None] = mapped_column(Integer)
    mrss_foot_dorsum_left: Mapped[int | None] = mapped_column(Integer)
    fvc_percent_predicted: Mapped[float | None] = mapped_column(Float)
    dlco_percent_predicted: Mapped[float | None] = mapped_column(Float)
    lvef_percent: Mapped[float | None] = mapped_column(Float)
    echo_spap_mmhg: Mapped[float | None] = mapped_column(Float)
    rhc_mpap_mmhg: Mapped[float | None] = mapped_column(Float)
    creatinine_mg_dl: Mapped[float | None] = mapped_column(Float)
    creatinine_clearance_ml_min: Mapped[float | None] = mapped_column(Float)
    crp_mg_dl: Mapped[float | None] = mapped_column(Float)
    esr_mm_h: Mapped[float | None] = mapped_column(Float)
    haq_di: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    patient_global_0_10: Mapped[float | None] = mapped_column(Float)
    physician_global_0_10: Mapped[float | None] = mapped_column(Float)
    digital_ulcers: Mapped[bool | None] = mapped_column(Boolean)
    skin_worsening_patient_last_month: Mapped[bool | None] = mapped_column(Boolean)
    tendon_friction_rubs: Mapped[bool | None] = mapped_column(Boolean)
    criss_new_renal_crisis: Mapped[bool | None] = mapped_column(Boolean)
    criss_fvc_decline_with_ild: Mapped[bool | None] = mapped_column(Boolean)
    criss_new_lv_failure: Mapped[bool | None] = mapped_column(Boolean)
    criss_new_pah: Mapped[bool | None] = mapped_column(Boolean)
    pulmonary_involvement: Mapped[bool | None] = mapped_column(Boolean)
    progressive_ild: Mapped[bool | None] = mapped_column(Boolean)
    heart_involvement: Mapped[bool | None] = mapped_column(Boolean)
    kidney_involvement: Mapped[bool | None] = mapped_column(Boolean)
    other_visceral_organ_involvement: Mapped[bool | None] = mapped_column(Boolean)
    acute_phase_reaction: Mapped[bool | None] = mapped_column(Boolean)
    crp_other_causes_excluded: Mapped[bool | None] = mapped_column(Boolean)
    proteinuria: Mapped[bool | None] = mapped_column(Boolean)
    tlc_relative_decline_12m_percent: Mapped[float | None] = mapped_column(Float)
    karnofsky_percent: Mapped[int | None] = mapped_column(Integer)
    ecog_performance_status: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    # computed ---------------------------------------------------------------
    mrss_total: Mapped[int | None] = mapped_column(Integer)
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scores_engine_version: Mapped[str | None] = mapped_column(String(40))

    patient: Mapped[Patient] = relationship(back_populates="visits")


class Treatment(_Versioned, Base):
    """A conventional treatment course (cyclophosphamide, steroids, DMARDs...)."""

    __tablename__ = "treatments"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    agent: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    dose: Mapped[float | None] = mapped_column(Float)
    dose_unit: Mapped[str | None] = mapped_column(String(40))
    route: Mapped[str | None] = mapped_column(String(40))
    courses: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship(back_populates="treatments")


class Transplant(_Versioned, Base):
    """An autologous HSCT: mobilisation, apheresis, graft, conditioning, engraftment."""

    __tablename__ = "transplants"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    cell_lot_id: Mapped[int | None] = mapped_column(ForeignKey("cell_lots.id", ondelete="SET NULL"))
    mobilisation_regimen: Mapped[str | None] = mapped_column(String(40))
    mobilisation_date: Mapped[dt.date | None] = mapped_column(Date)
    apheresis_date: Mapped[dt.date | None] = mapped_column(Date)
    apheresis_sessions: Mapped[int | None] = mapped_column(Integer)
    cd34_collected_e6_per_kg: Mapped[float | None] = mapped_column(Float)
    cd34_selection: Mapped[bool | None] = mapped_column(Boolean)
    cd34_infused_e6_per_kg: Mapped[float | None] = mapped_column(Float)
    conditioning_regimen: Mapped[str | None] = mapped_column(String(40))
    transplant_date: Mapped[dt.date] = mapped_column(Date)
    neutrophil_engraftment_date: Mapped[dt.date | None] = mapped_column(Date)
    platelet_engraftment_date: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship(back_populates="transplants")
    cell_lot: Mapped[CellLot | None] = relationship()


class Event(_Versioned, Base):
    """A clinical event: death (with cause), organ failure, relapse/progression, infection..."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(String(40))
    event_date: Mapped[dt.date] = mapped_column(Date)
    organ: Mapped[str | None] = mapped_column(String(40))
    treatment_related: Mapped[bool | None] = mapped_column(Boolean)
    cause: Mapped[str | None] = mapped_column(String(200))
    grade: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship(back_populates="events")


class CellLot(_Versioned, Base):
    """A cell-therapy lot (HSC graft, MSC, SVF...)."""

    __tablename__ = "cell_lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    lot_number: Mapped[str] = mapped_column(String(40), unique=True)
    product_type: Mapped[str] = mapped_column(String(40))
    collection_date: Mapped[dt.date | None] = mapped_column(Date)
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    viable_cells_e6: Mapped[float | None] = mapped_column(Float)
    viability_percent: Mapped[float | None] = mapped_column(Float)
    cd34_percent: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    # chain of identity (registry._cells; migration 0003) ----------------------
    din: Mapped[str | None] = mapped_column(String(16), index=True)
    tissue_source: Mapped[str | None] = mapped_column(String(40))
    donor_type: Mapped[str | None] = mapped_column(String(20))
    donor_code: Mapped[str | None] = mapped_column(String(40))
    centre: Mapped[str | None] = mapped_column(String(80), index=True)
    release_results: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    release_spec_name: Mapped[str | None] = mapped_column(String(80))
    release_spec_version: Mapped[str | None] = mapped_column(String(20))
    release_decision: Mapped[str | None] = mapped_column(String(60))
    released_by: Mapped[str | None] = mapped_column(String(80))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One append-only audit record: who, when, what, old and new values.

    ``changes`` maps field -> ``[old, new]`` (JSON-safe). Rows cannot be
    updated or deleted through the application (ORM hooks refuse and log the
    attempt as a ``tamper_attempt`` entry; database triggers refuse too).
    """

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(400))


from sclerostem.registry import _cell_models  # noqa: E402, F401  (collection/processing/infusion tables)
