"""cell products: chain-of-identity columns on cell_lots; collection, processing, infusion tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:30:00

Columns are added and dropped with plain ``ALTER TABLE`` (no batch table
rebuild): on SQLite a rebuild of ``cell_lots`` would fire ``ON DELETE SET
NULL`` on ``transplants.cell_lot_id`` while foreign keys are enforced.
SQLite >= 3.35 drops columns natively.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_LOT_COLUMNS = (
    ("din", sa.String(length=16)),
    ("tissue_source", sa.String(length=40)),
    ("donor_type", sa.String(length=20)),
    ("donor_code", sa.String(length=40)),
    ("centre", sa.String(length=80)),
    ("release_results", sa.JSON()),
    ("release_spec_name", sa.String(length=80)),
    ("release_spec_version", sa.String(length=20)),
    ("release_decision", sa.String(length=60)),
    ("released_by", sa.String(length=80)),
    ("released_at", sa.DateTime(timezone=True)),
)
_INDEXED = ("din", "centre")


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _lot_fk() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_lot_id", sa.Integer(),
                  sa.ForeignKey("cell_lots.id", ondelete="RESTRICT"), nullable=False),
    ]


def upgrade() -> None:
    for name, type_ in _LOT_COLUMNS:
        op.add_column("cell_lots", sa.Column(name, type_, nullable=True))
    for name in _INDEXED:
        op.create_index(f"ix_cell_lots_{name}", "cell_lots", [name], unique=False)

    op.create_table(
        "cell_collections",
        *_lot_fk(),
        sa.Column("collection_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("cd34_cells", sa.Float(), nullable=True),
        sa.Column("litres_processed", sa.Float(), nullable=True),
        sa.Column("pre_cd34_per_ul", sa.Float(), nullable=True),
        sa.Column("label", sa.String(length=80), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "cell_processing",
        *_lot_fk(),
        sa.Column("processing_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("cd34_before", sa.Float(), nullable=True),
        sa.Column("cd34_after", sa.Float(), nullable=True),
        sa.Column("cd3_before", sa.Float(), nullable=True),
        sa.Column("cd3_after", sa.Float(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "cell_infusions",
        *_lot_fk(),
        sa.Column("patient_id", sa.Integer(),
                  sa.ForeignKey("patients.id", ondelete="SET NULL"), nullable=True),
        sa.Column("infusion_date", sa.Date(), nullable=False),
        sa.Column("scanned_din", sa.String(length=20), nullable=False),
        sa.Column("dose_cells_per_kg", sa.Float(), nullable=True),
        sa.Column("volume_ml", sa.Float(), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("infused_by", sa.String(length=80), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in ("cell_collections", "cell_processing", "cell_infusions"):
        op.create_index(f"ix_{table}_cell_lot_id", table, ["cell_lot_id"], unique=False)
    op.create_index("ix_cell_infusions_patient_id", "cell_infusions", ["patient_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cell_infusions_patient_id", table_name="cell_infusions")
    for table in ("cell_infusions", "cell_processing", "cell_collections"):
        op.drop_index(f"ix_{table}_cell_lot_id", table_name=table)
        op.drop_table(table)
    for name in _INDEXED:
        op.drop_index(f"ix_cell_lots_{name}", table_name="cell_lots")
    for name, _type in reversed(_LOT_COLUMNS):
        op.drop_column("cell_lots", name)
