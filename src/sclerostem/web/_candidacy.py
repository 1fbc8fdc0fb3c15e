"""Candidacy page: the patient against every HSCT criteria set, risks, evidence, icon arrays, PDF."""

from __future__ import annotations

import functools
import importlib
import io
import logging
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sclerostem import registry
from sclerostem.errors import SclerostemError
from sclerostem.registry import CandidacyInput, candidacy_input
from sclerostem.web._auth import current_user
from sclerostem.web._deps import WebUser, render, web_state
from sclerostem.web._queries import summary
from sclerostem.web._security import SVG_CONTENT_SECURITY_POLICY

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter()

#: Icon arrays shown for trials with two arms in the evidence dataset (plots._icons).
ICON_OUTCOMES = ("efs", "os", "trm")
#: Randomised trials whose event-free survival is always shown as an icon array.
ICON_DEFAULT_STUDIES = ("ASTIS", "SCOT")


def _assessment(request: Request, patient_id: int) -> tuple[WebUser, dict[str, Any] | None,
                                                            CandidacyInput | None, Any]:
    from sclerostem.rules import assess

    state = web_state(request)
    with state.db.read_session() as s:
        user = current_user(request, s)
        summ = summary(s, user, patient_id)
        if summ is None:
            return user, None, None, None
        dob = registry.get_patient(s, user.model, patient_id).date_of_birth
    ci = candidacy_input(summ, dob)
    return user, summ, ci, assess(ci.fields)


def _icon_studies(assessment: Any) -> list[tuple[str, str]]:
    """(study, outcome) pairs with a two-arm icon array.

    Every outcome of the trials the patient matches (or may match), and the
    event-free survival of the randomised trials in :data:`ICON_DEFAULT_STUDIES`.
    """
    from sclerostem.plots import trial_icon_arms

    wanted = [(ev.study, oc) for ev in assessment.evidence for oc in ICON_OUTCOMES]
    wanted += [(st, "efs") for st in ICON_DEFAULT_STUDIES if (st, "efs") not in wanted]
    out = []
    for study, outcome in wanted:
        try:
            trial_icon_arms(study, outcome)
        except SclerostemError:
            continue
        out.append((study, outcome))
    return out


@functools.lru_cache(maxsize=32)
def _icon_svg(study: str, outcome: str) -> bytes:
    """The icon array of one trial outcome as SVG (static data: cached)."""
    from sclerostem.plots import icon_array_figure, trial_icon_arms

    arms, outcome_label, time_label, source = trial_icon_arms(study, outcome)
    fig = icon_array_figure([(a.label, a.count) for a in arms], outcome_label=outcome_label,
                            time_label=time_label, source=source)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


@router.get("/patients/{patient_id}/candidacy", name="candidacy")
def candidacy_page(request: Request, patient_id: int) -> Response:
    user, summ, ci, assessment = _assessment(request, patient_id)
    if summ is None or ci is None:
        return render(request, "error.html", {"title": "Patient not found",
                      "message": f"No patient {patient_id} visible to you."}, user=user, status_code=404)
    return render(request, "candidacy.html", {
        "section": "patients",
        "patient": summ["patient"],
        "assessment": assessment,
        "input": ci,
        "icons": _icon_studies(assessment),
        "pdf_available": _pdf_renderer() is not None,
    }, user=user)


def _pdf_renderer() -> Any:
    try:
        reports = importlib.import_module("sclerostem.reports")
    except ImportError:  # pragma: no cover
        return None
    return getattr(reports, "render_candidacy_pdf", None)


@router.get("/patients/{patient_id}/candidacy.pdf", name="candidacy_pdf")
def candidacy_pdf(request: Request, patient_id: int) -> Response:
    user, summ, _ci, assessment = _assessment(request, patient_id)
    if summ is None:
        return Response("not found", status_code=404, media_type="text/plain")
    render_pdf = _pdf_renderer()
    if render_pdf is None:
        return render(request, "error.html", {"title": "PDF not available",
                      "message": "The report engine is not installed in this build."}, user=user,
                      status_code=503)
    pdf = render_pdf(assessment)
    if not isinstance(pdf, bytes | bytearray):
        pdf = bytes(pdf)
    name = f"candidacy-{summ['patient']['study_id']}.pdf"
    return Response(bytes(pdf), media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="{name}"', "cache-control": "private, no-store"})


@router.get("/patients/{patient_id}/candidacy/icons/{study}/{outcome}.svg", name="candidacy_icons")
def candidacy_icons(request: Request, patient_id: int, study: str, outcome: str) -> Response:
    state = web_state(request)
    with state.db.read_session() as s:
        user = current_user(request, s)
        if summary(s, user, patient_id) is None:
            return Response("not found", status_code=404, media_type="text/plain")
    if outcome not in ICON_OUTCOMES:
        return Response("unknown outcome", status_code=404, media_type="text/plain")
    try:
        svg = _icon_svg(study, outcome)
    except SclerostemError:
        return Response("no icon array for this study", status_code=404, media_type="text/plain")
    return Response(svg, media_type="image/svg+xml", headers={
        "content-security-policy": SVG_CONTENT_SECURITY_POLICY, "cache-control": "private, max-age=300"})
