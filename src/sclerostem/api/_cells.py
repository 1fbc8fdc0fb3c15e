"""REST routes of cell products and their chain of identity, under ``/api/cell-products``.

A cell product is a :class:`~sclerostem.registry.CellLot` registered with its
ISBT 128 DIN (the same record as ``/api/cell-lots/{id}``). A refused infusion
(wrong patient, DIN mismatch or typo, lot not released) answers 422 with the
identity message and the field; the attempt is in the audit trail.

No ``from __future__ import annotations``: FastAPI reads the annotations.
"""

import datetime as dt
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from sclerostem.registry import (
    Database,
    User,
    chain_of_identity,
    get_cell_lot,
    graft_summary,
    lot_release_report,
    record_collection,
    record_infusion,
    record_lot_results,
    record_processing,
    record_to_dict,
    register_cell_lot,
)
from sclerostem.registry._cells import (
    COLLECTION_METHODS,
    DONOR_TYPES,
    PROCESSING_METHODS,
    PRODUCT_TYPES,
    lot_to_dict,
)
from sclerostem.registry.models import CellLot

__all__ = ["add_cell_routes"]

_MAX_ID = 2**31 - 1
_MAX_CELLS = 1e13
IdPath = Annotated[int, Path(ge=1, le=_MAX_ID)]
_DATE = "YYYY-MM-DD, not in the future"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LotRegister(_Strict):
    """A cell lot registered under its ISBT 128 DIN."""

    lot_number: str = Field(..., min_length=1, max_length=40)
    din: str = Field(..., min_length=1, max_length=40, description="ISBT 128 DIN with check character")
    product_type: Literal[PRODUCT_TYPES]  # type: ignore[valid-type]
    donor_type: Literal[DONOR_TYPES]  # type: ignore[valid-type]
    patient_id: int | None = Field(None, ge=1, le=_MAX_ID, description="patient the product is made for")
    tissue_source: Literal["bone_marrow", "adipose", "umbilical_cord", "wharton_jelly", "placenta", "other"] | None = None
    donor_code: str | None = Field(None, max_length=40)
    collection_date: dt.date | None = Field(None, description=_DATE)
    notes: str | None = Field(None, max_length=2000)


class LotResultsIn(_Strict):
    """Release test results (fields of ``sclerostem.cells.LotResults``) and the spec to check against."""

    spec: str = Field(..., min_length=1, max_length=80, description="a shipped specification name")
    results: dict[str, Any] = Field(..., description="lot results (see docs/cells.md)")
    release_date: dt.date | None = Field(None, description="date of release when releasable (default today)")


class CollectionIn(_Strict):
    collection_date: dt.date = Field(..., description=_DATE)
    method: Literal[COLLECTION_METHODS] = "apheresis"  # type: ignore[valid-type]
    cd34_cells: float | None = Field(None, ge=0, le=_MAX_CELLS, allow_inf_nan=False, description="CD34+ cells")
    litres_processed: float | None = Field(None, ge=0.1, le=50, allow_inf_nan=False)
    pre_cd34_per_ul: float | None = Field(None, ge=0.1, le=5000, allow_inf_nan=False,
                                          description="peripheral CD34+ before apheresis (cells/uL)")
    label: str | None = Field(None, max_length=80)
    notes: str | None = Field(None, max_length=2000)


class ProcessingIn(_Strict):
    processing_date: dt.date = Field(..., description=_DATE)
    method: Literal[PROCESSING_METHODS]  # type: ignore[valid-type]
    cd34_before: float | None = Field(None, ge=0, le=_MAX_CELLS, allow_inf_nan=False)
    cd34_after: float | None = Field(None, ge=0, le=_MAX_CELLS, allow_inf_nan=False)
    cd3_before: float | None = Field(None, ge=0, le=_MAX_CELLS, allow_inf_nan=False)
    cd3_after: float | None = Field(None, ge=0, le=_MAX_CELLS, allow_inf_nan=False)
    notes: str | None = Field(None, max_length=2000)


class InfusionIn(_Strict):
    patient_id: int = Field(..., ge=1, le=_MAX_ID, description="the patient about to receive the product")
    scanned_din: str = Field(..., min_length=1, max_length=40, description="DIN scanned at the bedside")
    infusion_date: dt.date = Field(..., description=_DATE)
    dose_cells_per_kg: float | None = Field(None, ge=0, le=1e10, allow_inf_nan=False)
    volume_ml: float | None = Field(None, ge=0, le=5000, allow_inf_nan=False)
    weight_kg: float | None = Field(None, ge=1, le=300, allow_inf_nan=False)
    notes: str | None = Field(None, max_length=2000)


def add_cell_routes(r: APIRouter, db: Database, Actor: Any, reattach: Callable[[Any, User], User]) -> None:
    """Add the ``/cell-products`` routes to the registry router ``r``."""
    tags: list[str | Enum] = ["cell products"]

    @r.get("/cell-products", tags=tags, summary="Cell lots registered with a DIN, visible to you")
    def list_products(actor: Actor) -> list[dict[str, Any]]:
        with db.read_session() as s:
            a = reattach(s, actor)
            q = select(CellLot).where(CellLot.din.is_not(None)).order_by(CellLot.id)
            if a.role == "clinician":
                q = q.where(CellLot.centre == a.centre)
            return [lot_to_dict(s, a, lot) for lot in s.execute(q).scalars()]

    @r.post("/cell-products", tags=tags, status_code=201, summary="Register a cell lot (DIN verified)")
    def register(actor: Actor, body: LotRegister) -> dict[str, Any]:
        with db.session() as s:
            a = reattach(s, actor)
            lot = register_cell_lot(s, a, **body.model_dump())
            return lot_to_dict(s, a, lot)

    @r.get("/cell-products/{lot_id}", tags=tags)
    def read(actor: Actor, lot_id: IdPath) -> dict[str, Any]:
        with db.read_session() as s:
            a = reattach(s, actor)
            return lot_to_dict(s, a, get_cell_lot(s, a, lot_id))

    @r.post("/cell-products/{lot_id}/results", tags=tags,
            summary="Record release results; returns the release report (decision stored)")
    def results(actor: Actor, lot_id: IdPath, body: LotResultsIn) -> dict[str, Any]:
        with db.session() as s:
            report = record_lot_results(s, reattach(s, actor), lot_id, body.results, body.spec,
                                        release_date=body.release_date)
            return report.to_dict()

    @r.post("/cell-products/{lot_id}/collections", tags=tags, status_code=201)
    def collection(actor: Actor, lot_id: IdPath, body: CollectionIn) -> dict[str, Any]:
        with db.session() as s:
            return record_to_dict(record_collection(s, reattach(s, actor), lot_id, **body.model_dump()))

    @r.post("/cell-products/{lot_id}/processing", tags=tags, status_code=201)
    def processing(actor: Actor, lot_id: IdPath, body: ProcessingIn) -> dict[str, Any]:
        with db.session() as s:
            return record_to_dict(record_processing(s, reattach(s, actor), lot_id, **body.model_dump()))

    @r.post("/cell-products/{lot_id}/infusions", tags=tags, status_code=201,
            summary="Record an infusion after the identity check (422 and audited when refused)")
    def infusion(actor: Actor, lot_id: IdPath, body: InfusionIn) -> dict[str, Any]:
        with db.session() as s:
            return record_to_dict(record_infusion(s, reattach(s, actor), lot_id, **body.model_dump()))

    @r.get("/cell-products/{lot_id}/chain", tags=tags,
           summary="Chain of identity: registration, collection, processing, release, infusion")
    def chain(actor: Actor, lot_id: IdPath) -> dict[str, Any]:
        with db.read_session() as s:
            return chain_of_identity(s, reattach(s, actor), lot_id)

    @r.get("/cell-products/{lot_id}/graft", tags=tags, summary="CD34+ dose per kg from the collections")
    def graft(
        actor: Actor, lot_id: IdPath,
        weight_kg: Annotated[float | None, Query(ge=1, le=300, allow_inf_nan=False)] = None,
        target_cd34_per_kg: Annotated[float | None, Query(ge=1e4, le=1e8, allow_inf_nan=False)] = None,
        minimum_cd34_per_kg: Annotated[float | None, Query(ge=1e4, le=1e8, allow_inf_nan=False)] = None,
    ) -> dict[str, Any]:
        with db.read_session() as s:
            return graft_summary(s, reattach(s, actor), lot_id, weight_kg=weight_kg,
                                 target_cd34_per_kg=target_cd34_per_kg,
                                 minimum_cd34_per_kg=minimum_cd34_per_kg)

    @r.get("/cell-products/{lot_id}/certificate.pdf", tags=tags, response_class=Response,
           summary="Certificate of analysis (PDF) of the stored release check",
           responses={200: {"content": {"application/pdf": {}}}})
    def certificate(actor: Actor, lot_id: IdPath) -> Response:
        from sclerostem.reports import render_certificate_pdf

        with db.read_session() as s:
            report = lot_release_report(s, reattach(s, actor), lot_id)
        return Response(render_certificate_pdf(report), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="coa-{lot_id}.pdf"'})
