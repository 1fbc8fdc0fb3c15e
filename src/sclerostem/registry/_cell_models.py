"""Chain-of-identity tables of a cell lot: collection, processing and infusion records.

Each record belongs to one :class:`~sclerostem.registry.models.CellLot`; the
lot cannot be deleted while records hang on it (``ON DELETE RESTRICT``), so the
chain collection -> processing -> release -> infusion is never broken
silently. Written only through ``registry._cells`` (which audits them).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sclerostem.registry.models import Base, _Versioned

__all__ = ["CellCollection", "CellInfusion", "CellProcessing"]


class CellCollection(_Versioned, Base):
    """One collection (e.g. apheresis) contributing to a lot."""

    __tablename__ = "cell_collections"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_lot_id: Mapped[int] = mapped_column(ForeignKey("cell_lots.id", ondelete="RESTRICT"), index=True)
    collection_date: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(40))
    cd34_cells: Mapped[float | None] = mapped_column(Float)
    litres_processed: Mapped[float | None] = mapped_column(Float)
    pre_cd34_per_ul: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(String(80))
    notes: Mapped[str | None] = mapped_column(Text)


class CellProcessing(_Versioned, Base):
    """One processing step of a lot (CD34 selection, cryopreservation, thaw, expansion...)."""

    __tablename__ = "cell_processing"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_lot_id: Mapped[int] = mapped_column(ForeignKey("cell_lots.id", ondelete="RESTRICT"), index=True)
    processing_date: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(40))
    cd34_before: Mapped[float | None] = mapped_column(Float)
    cd34_after: Mapped[float | None] = mapped_column(Float)
    cd3_before: Mapped[float | None] = mapped_column(Float)
    cd3_after: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)


class CellInfusion(_Versioned, Base):
    """One infusion of a lot into a patient, after the bedside identity check passed."""

    __tablename__ = "cell_infusions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_lot_id: Mapped[int] = mapped_column(ForeignKey("cell_lots.id", ondelete="RESTRICT"), index=True)
    patient_id: Mapped[int | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), index=True
    )
    infusion_date: Mapped[dt.date] = mapped_column(Date)
    scanned_din: Mapped[str] = mapped_column(String(20))
    dose_cells_per_kg: Mapped[float | None] = mapped_column(Float)
    volume_ml: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    infused_by: Mapped[str] = mapped_column(String(80))
    notes: Mapped[str | None] = mapped_column(Text)
