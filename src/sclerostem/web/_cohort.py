"""Cohort page: EFS and OS by treatment, TRM cumulative incidence, SCOT-style GRCS, CSV download."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sclerostem.errors import SclerostemError
from sclerostem.web._auth import current_user
from sclerostem.web._cohort_table import CohortRow, cohort_csv, cohort_rows
from sclerostem.web._deps import render, web_state
from sclerostem.web._security import SVG_CONTENT_SECURITY_POLICY

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter()

PLOTS = {
    "efs": "Event-free survival by treatment",
    "os": "Overall survival by treatment",
    "trm": "Treatment-related mortality (cumulative incidence)",
}


def _timed(rows: list[CohortRow]) -> list[CohortRow]:
    return [r for r in rows if r.origin_date is not None]


def _times(values: list[float | None]) -> list[float]:
    """Times of rows with a time origin (always set for them)."""
    return [float(v) if v is not None else float("nan") for v in values]


def _km(rows: list[CohortRow], kind: str) -> Any:
    from sclerostem.stats.survival import kaplan_meier_by_group, logrank_test

    rows = _timed(rows)
    if kind == "efs":
        t = _times([r.efs_time_months for r in rows])
        e = [r.efs_event for r in rows]
    else:
        t = _times([r.death_time_months for r in rows])
        e = [r.death for r in rows]
    g = [r.group for r in rows]
    curves = kaplan_meier_by_group(t, e, g, time_field=f"{kind}_time_months",
                                   event_field=f"{kind}_event", group_field="group")
    lr = logrank_test(t, e, g) if len(set(g)) > 1 and sum(e) > 0 else None
    return list(curves.values()), lr


def _grcs(rows: list[CohortRow]) -> tuple[Any, str | None]:
    """SCOT-style GRCS (generalized pairwise comparisons), HSCT vs conventional."""
    from sclerostem.stats.gpc import scot_grcs

    rows = _timed(rows)
    groups = {r.group for r in rows}
    if groups != {"HSCT", "conventional"}:
        return None, "needs patients in both groups (HSCT and conventional)"
    data = {k: [asdict(r)[k] for r in rows] for k in (
        "group", "death_time_months", "death", "efs_time_months", "efs_event",
        "fvc_change_percent_predicted", "haq_di_change", "mrss_change")}
    try:
        return scot_grcs(data, arm="group", treated="HSCT"), None
    except SclerostemError as exc:
        return None, str(exc)


def _load(request: Request) -> tuple[Any, list[CohortRow]]:
    state = web_state(request)
    with state.db.read_session() as s:
        user = current_user(request, s)
        rows = cohort_rows(s, user)
    return user, rows


@router.get("/cohort", name="cohort")
def cohort_page(request: Request) -> Response:
    user, rows = _load(request)
    timed = _timed(rows)
    counts: dict[str, dict[str, int]] = {}
    for r in timed:
        c = counts.setdefault(r.group, {"patients": 0, "deaths": 0, "efs_events": 0, "trm": 0})
        c["patients"] += 1
        c["deaths"] += r.death
        c["efs_events"] += r.efs_event
        c["trm"] += int(r.trm_cause == 1)
    grcs, grcs_note = _grcs(rows) if timed else (None, "no patients with follow-up")
    return render(request, "cohort.html", {
        "section": "cohort", "counts": counts, "n_rows": len(rows), "n_timed": len(timed),
        "plots": {k: v for k, v in PLOTS.items() if timed and (k != "trm" or any(r.death for r in timed))},
        "grcs": grcs, "grcs_note": grcs_note,
        "scope": "your centre" if user.role == "clinician" else "all centres",
    }, user=user)


@router.get("/cohort/plots/{name}.svg", name="cohort_plot")
def cohort_plot(request: Request, name: str) -> Response:
    from sclerostem.plots import cif_figure, km_figure

    if name not in PLOTS:
        return Response("unknown plot", status_code=404, media_type="text/plain")
    _user, rows = _load(request)
    if not _timed(rows):
        return Response("no data", status_code=404, media_type="text/plain")
    try:
        if name in ("efs", "os"):
            curves, lr = _km(rows, name)
            fig = km_figure(curves, time_unit="months", title=PLOTS[name], logrank=lr)
        else:
            from sclerostem.stats.survival import cumulative_incidence

            timed = _timed(rows)
            curves = cumulative_incidence(_times([r.death_time_months for r in timed]),
                                          [r.trm_cause for r in timed], [r.group for r in timed])
            curves = [c for c in curves if c.cause == 1]
            fig = cif_figure(curves, time_unit="months", title=PLOTS[name],
                             cause_labels={1: "treatment-related death"})
    except SclerostemError as exc:
        return Response(f"not computable: {exc}", status_code=422, media_type="text/plain")
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return Response(buf.getvalue(), media_type="image/svg+xml", headers={
        "content-security-policy": SVG_CONTENT_SECURITY_POLICY, "cache-control": "private, no-store"})


@router.get("/cohort.csv", name="cohort_csv")
def cohort_download(request: Request) -> Response:
    """The outcome table, pseudonymised (study ids only) for every role."""
    _user, rows = _load(request)
    name = f"sclerostem-cohort-{dt.date.today().isoformat()}.csv"
    return Response(cohort_csv(rows), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{name}"', "cache-control": "private, no-store"})
