"""visit inputs for the candidacy rules; stored EUSTAR activity items and CRISS step-1 events

Renames the ambiguous pulmonary pressures so that an echocardiographic estimate
can never be read as a right-heart-catheter value (``spap_mmhg`` ->
``echo_spap_mmhg``, ``mpap_mmhg`` -> ``rhc_mpap_mmhg``) and adds the visit
fields the candidacy rules, the EUSTAR activity index and the CRISS read.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:12:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NEW_COLUMNS: tuple[tuple[str, type[sa.types.TypeEngine]], ...] = (
    ("skin_worsening_patient_last_month", sa.Boolean),
    ("tendon_friction_rubs", sa.Boolean),
    ("criss_new_renal_crisis", sa.Boolean),
    ("criss_fvc_decline_with_ild", sa.Boolean),
    ("criss_new_lv_failure", sa.Boolean),
    ("criss_new_pah", sa.Boolean),
    ("pulmonary_involvement", sa.Boolean),
    ("progressive_ild", sa.Boolean),
    ("heart_involvement", sa.Boolean),
    ("kidney_involvement", sa.Boolean),
    ("other_visceral_organ_involvement", sa.Boolean),
    ("acute_phase_reaction", sa.Boolean),
    ("crp_other_causes_excluded", sa.Boolean),
    ("proteinuria", sa.Boolean),
    ("tlc_relative_decline_12m_percent", sa.Float),
    ("karnofsky_percent", sa.Integer),
    ("ecog_performance_status", sa.Integer),
)
_RENAMES = (("spap_mmhg", "echo_spap_mmhg"), ("mpap_mmhg", "rhc_mpap_mmhg"))


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        for old, new in _RENAMES:
            batch_op.alter_column(old, new_column_name=new, existing_type=sa.Float(),
                                  existing_nullable=True)
        for name, type_ in _NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, type_(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        for name, _type in reversed(_NEW_COLUMNS):
            batch_op.drop_column(name)
        for old, new in _RENAMES:
            batch_op.alter_column(new, new_column_name=old, existing_type=sa.Float(),
                                  existing_nullable=True)
