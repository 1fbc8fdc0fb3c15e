"""initial schema (all registry tables; append-only triggers on audit_entries)

Revision ID: 0001
Revises:
Create Date: 2026-11-25 09:13:28.174419
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("note", sa.String(length=400), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entries_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=40), nullable=False),
        sa.Column("centre", sa.String(length=80), nullable=False),
        sa.Column("sex", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("hospital_number", sa.String(length=40), nullable=True),
        sa.Column("consent_registry", sa.Boolean(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("study_id"),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patients_centre"), ["centre"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("centre", sa.String(length=80), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "cell_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("lot_number", sa.String(length=40), nullable=False),
        sa.Column("product_type", sa.String(length=40), nullable=False),
        sa.Column("collection_date", sa.Date(), nullable=True),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("viable_cells_e6", sa.Float(), nullable=True),
        sa.Column("viability_percent", sa.Float(), nullable=True),
        sa.Column("cd34_percent", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lot_number"),
    )
    with op.batch_alter_table("cell_lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cell_lots_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "diagnoses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("disease", sa.String(length=40), nullable=False),
        sa.Column("subset", sa.String(length=40), nullable=True),
        sa.Column("raynaud_onset_date", sa.Date(), nullable=True),
        sa.Column("first_non_raynaud_date", sa.Date(), nullable=True),
        sa.Column("diagnosis_date", sa.Date(), nullable=True),
        sa.Column("anti_scl70", sa.Boolean(), nullable=True),
        sa.Column("anti_centromere", sa.Boolean(), nullable=True),
        sa.Column("anti_rna_pol3", sa.Boolean(), nullable=True),
        sa.Column("ild", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("diagnoses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diagnoses_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("organ", sa.String(length=40), nullable=True),
        sa.Column("treatment_related", sa.Boolean(), nullable=True),
        sa.Column("cause", sa.String(length=200), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "treatments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=40), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("dose", sa.Float(), nullable=True),
        sa.Column("dose_unit", sa.String(length=40), nullable=True),
        sa.Column("route", sa.String(length=40), nullable=True),
        sa.Column("courses", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("treatments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_treatments_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("visit_label", sa.String(length=40), nullable=True),
        sa.Column("mrss_face", sa.Integer(), nullable=True),
        sa.Column("mrss_anterior_chest", sa.Integer(), nullable=True),
        sa.Column("mrss_abdomen", sa.Integer(), nullable=True),
        sa.Column("mrss_fingers_right", sa.Integer(), nullable=True),
        sa.Column("mrss_fingers_left", sa.Integer(), nullable=True),
        sa.Column("mrss_hand_dorsum_right", sa.Integer(), nullable=True),
        sa.Column("mrss_hand_dorsum_left", sa.Integer(), nullable=True),
        sa.Column("mrss_forearm_right", sa.Integer(), nullable=True),
        sa.Column("mrss_forearm_left", sa.Integer(), nullable=True),
        sa.Column("mrss_upper_arm_right", sa.Integer(), nullable=True),
        sa.Column("mrss_upper_arm_left", sa.Integer(), nullable=True),
        sa.Column("mrss_thigh_right", sa.Integer(), nullable=True),
        sa.Column("mrss_thigh_left", sa.Integer(), nullable=True),
        sa.Column("mrss_lower_leg_right", sa.Integer(), nullable=True),
        sa.Column("mrss_lower_leg_left", sa.Integer(), nullable=True),
        sa.Column("mrss_foot_dorsum_right", sa.Integer(), nullable=True),
        sa.Column("mrss_foot_dorsum_left", sa.Integer(), nullable=True),
        sa.Column("fvc_percent_predicted", sa.Float(), nullable=True),
        sa.Column("dlco_percent_predicted", sa.Float(), nullable=True),
        sa.Column("lvef_percent", sa.Float(), nullable=True),
        sa.Column("spap_mmhg", sa.Float(), nullable=True),
        sa.Column("mpap_mmhg", sa.Float(), nullable=True),
        sa.Column("creatinine_mg_dl", sa.Float(), nullable=True),
        sa.Column("creatinine_clearance_ml_min", sa.Float(), nullable=True),
        sa.Column("crp_mg_dl", sa.Float(), nullable=True),
        sa.Column("esr_mm_h", sa.Float(), nullable=True),
        sa.Column("haq_di", sa.Float(), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("patient_global_0_10", sa.Float(), nullable=True),
        sa.Column("physician_global_0_10", sa.Float(), nullable=True),
        sa.Column("digital_ulcers", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("mrss_total", sa.Integer(), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=True),
        sa.Column("scores_engine_version", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("patient_id", "visit_date", name="uq_visit_patient_date"),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visits_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "transplants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("cell_lot_id", sa.Integer(), nullable=True),
        sa.Column("mobilisation_regimen", sa.String(length=40), nullable=True),
        sa.Column("mobilisation_date", sa.Date(), nullable=True),
        sa.Column("apheresis_date", sa.Date(), nullable=True),
        sa.Column("apheresis_sessions", sa.Integer(), nullable=True),
        sa.Column("cd34_collected_e6_per_kg", sa.Float(), nullable=True),
        sa.Column("cd34_selection", sa.Boolean(), nullable=True),
        sa.Column("cd34_infused_e6_per_kg", sa.Float(), nullable=True),
        sa.Column("conditioning_regimen", sa.String(length=40), nullable=True),
        sa.Column("transplant_date", sa.Date(), nullable=False),
        sa.Column("neutrophil_engraftment_date", sa.Date(), nullable=True),
        sa.Column("platelet_engraftment_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cell_lot_id"], ["cell_lots.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("transplants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transplants_patient_id"), ["patient_id"], unique=False)

    _append_only_triggers()


def downgrade() -> None:
    _drop_triggers()
    with op.batch_alter_table("transplants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transplants_patient_id"))

    op.drop_table("transplants")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_patient_id"))

    op.drop_table("visits")
    with op.batch_alter_table("treatments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatments_patient_id"))

    op.drop_table("treatments")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_patient_id"))

    op.drop_table("events")
    with op.batch_alter_table("diagnoses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diagnoses_patient_id"))

    op.drop_table("diagnoses")
    with op.batch_alter_table("cell_lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cell_lots_patient_id"))

    op.drop_table("cell_lots")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_centre"))

    op.drop_table("patients")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_patient_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_at"))

    op.drop_table("audit_entries")


_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
)

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql
"""

_PG_TRIGGERS = (
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
)


def _append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for sql in _SQLITE_TRIGGERS:
            op.execute(sql)
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for sql in _PG_TRIGGERS:
            op.execute(sql)


def _drop_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update ON audit_entries")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")
