"""Patient list (search, filters), new patient, patient page and its plots."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sclerostem import registry
from sclerostem.errors import InputError, InputTypeError, SclerostemError
from sclerostem.registry.models import User
from sclerostem.web._auth import current_user, require_role
from sclerostem.web._cache import PatientView
from sclerostem.web._deps import WebUser, checked_form, form_dict, render, web_state
from sclerostem.web._plots import MEASURES, cached_svg, trajectory_svg
from sclerostem.web._queries import FOLLOW_UP_STATUSES, patient_rows
from sclerostem.web._security import SVG_CONTENT_SECURITY_POLICY

__all__ = ["router"]

router = APIRouter()

PATIENT_FORM = ("study_id", "centre", "sex", "name", "date_of_birth", "hospital_number",
                "consent_registry")
DIAGNOSIS_FORM = ("disease", "subset", "diagnosis_date", "raynaud_onset_date",
                  "first_non_raynaud_date", "anti_scl70", "anti_centromere", "anti_rna_pol3", "ild")


def _tristate(value: str | None) -> bool | None:
    if value in ("yes", "true", "1"):
        return True
    if value in ("no", "false", "0"):
        return False
    return None


@router.get("/patients", name="patients")
def patient_list(request: Request) -> Response:
    state = web_state(request)
    qp = request.query_params
    q = (qp.get("q") or "").strip()
    subset = qp.get("subset") or None
    if subset not in registry.SUBSETS:
        subset = None
    transplanted = _tristate(qp.get("transplanted"))
    follow_up = qp.get("follow_up") if qp.get("follow_up") in FOLLOW_UP_STATUSES else None
    with state.db.read_session() as s:
        user = current_user(request, s)
        rows, total = patient_rows(s, user, search=q or None, subset=subset,
                                   transplanted=transplanted, follow_up=follow_up)
    ctx = {
        "section": "patients",
        "rows": rows,
        "total": total,
        "filters": {"q": q, "subset": subset or "", "transplanted": qp.get("transplanted") or "",
                    "follow_up": follow_up or ""},
        "subsets": registry.SUBSETS,
        "follow_up_statuses": FOLLOW_UP_STATUSES,
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "patient-rows":
        return render(request, "_patient_rows.html", ctx, user=user)
    return render(request, "patients.html", ctx, user=user)


def _new_patient_page(request: Request, user: WebUser, values: dict[str, str],
                      errors: dict[str, str], status_code: int = 200) -> Response:
    return render(request, "patient_new.html", {
        "section": "patients", "values": values, "errors": errors,
        "sexes": ("female", "male", "other", "unknown"),
        "diseases": registry.DISEASES, "subsets": registry.SUBSETS,
    }, user=user, status_code=status_code)


@router.get("/patients/new", name="patient_new")
def patient_new_form(request: Request) -> Response:
    state = web_state(request)
    with state.db.read_session() as s:
        user = current_user(request, s)
    require_role(user, "clinician", "admin")
    values = {k: "" for k in PATIENT_FORM + DIAGNOSIS_FORM}
    values["centre"] = user.centre or ""
    values["disease"] = "ssc"
    return _new_patient_page(request, user, values, {})


def _validate(specs: tuple[registry.FieldSpec, ...], raw: dict[str, Any],
              errors: dict[str, str]) -> dict[str, Any]:
    problems: list[InputError | InputTypeError] = []
    out = registry.check_record(specs, raw, errors=problems)
    for p in problems:
        errors.setdefault(p.field, str(p))
    return out


@router.post("/patients/new")
async def patient_new_submit(request: Request) -> Response:
    form = await checked_form(request)
    state = web_state(request)
    values = form_dict(form, PATIENT_FORM + DIAGNOSIS_FORM)
    with state.db.session() as s:
        user = current_user(request, s)
        require_role(user, "clinician", "admin")
        errors: dict[str, str] = {}
        p_raw: dict[str, Any] = {k: values[k] for k in PATIENT_FORM}
        p_raw["consent_registry"] = _tristate(values["consent_registry"])
        d_raw: dict[str, Any] = {k: values[k] for k in DIAGNOSIS_FORM}
        for k in ("anti_scl70", "anti_centromere", "anti_rna_pol3", "ild"):
            d_raw[k] = _tristate(values[k])
        p_vals = _validate(registry.PATIENT_FIELDS, p_raw, errors)
        d_vals = _validate(registry.DIAGNOSIS_FIELDS, d_raw, errors)
        if not errors and user.role == "clinician" and user.centre and p_vals.get("centre") != user.centre:
            errors["centre"] = str(InputError("centre", p_vals.get("centre"),
                                              f"your own centre {user.centre!r}"))
        if errors:
            return _new_patient_page(request, user, values, errors, status_code=422)
        try:
            patient = _create_patient(s, user.model, p_vals, d_vals)
        except (InputError, InputTypeError) as exc:
            errors[exc.field if exc.field in values else "form"] = str(exc)
            s.rollback()
            return _new_patient_page(request, user, values, errors, status_code=422)
        except SclerostemError as exc:
            s.rollback()
            errors["form"] = str(exc)
            return _new_patient_page(request, user, values, errors, status_code=409)
        pid = patient.id
    return RedirectResponse(f"/patients/{pid}", status_code=303)


def _create_patient(s: Any, actor: User, p_vals: dict[str, Any], d_vals: dict[str, Any]) -> Any:
    """Create the patient and its diagnosis through the registry services (audited, one transaction)."""
    p_vals = {k: v for k, v in p_vals.items() if v is not None}
    d_vals = {k: v for k, v in d_vals.items() if v is not None}
    patient = registry.create_patient(s, actor, **p_vals)
    if d_vals:
        registry.add_diagnosis(s, actor, patient.id, **d_vals)
    return patient


def _not_found(request: Request, user: WebUser, patient_id: int) -> Response:
    return render(request, "error.html", {"title": "Patient not found",
                  "message": f"No patient {patient_id} visible to you."}, user=user, status_code=404)


def _visible_view_sync(request: Request, patient_id: int, build: bool) -> tuple[
        WebUser, PatientView | None, dict[str, Any] | None, bool]:
    state = web_state(request)
    with state.db.read_session() as s:
        user = current_user(request, s)
        stamp, view = state.patient_views.lookup(s, patient_id)
        if view is None and not build:
            return user, None, None, False
        if view is None:
            view = state.patient_views.build(s, patient_id, stamp)
        summ = view.summary_for(user.model) if view is not None else None
    return user, view, summ, True


async def _visible_view(request: Request, patient_id: int) -> tuple[
        WebUser, PatientView | None, dict[str, Any] | None]:
    """The signed-in user, the patient's current view and the summary this user may see.

    The view is rebuilt when any registry change was committed since it was
    cached; the user (role, centre, still active) is re-read and access checked
    on every request. A cache hit costs two indexed queries and runs on the
    event loop; building a view (tens of queries) runs in the thread pool.
    """
    user, view, summ, done = _visible_view_sync(request, patient_id, build=False)
    if not done:
        user, view, summ, _ = await run_in_threadpool(_visible_view_sync, request, patient_id, True)
    return user, view, summ


@router.get("/patients/{patient_id}", name="patient")
async def patient_page(request: Request, patient_id: int) -> Response:
    user, view, summ = await _visible_view(request, patient_id)
    if view is None or summ is None:
        return _not_found(request, user, patient_id)
    patient = dict(summ["patient"])
    patient.update({k: summ[k] for k in ("diagnoses", "visits", "treatments", "transplants",
                                         "events")})
    ctx = {
        "section": "patients", "patient": patient, "summary": summ,
        "identifying_visible": summ["identifying_visible"], "measures": MEASURES,
        "series_counts": {k: len(v.points) for k, v in view.plots.items()},
        "can_edit": user.can_edit,
    }
    # The body (everything but the header, flash and navigation) depends only on the view
    # this user may see and on whether they may edit: rendered once per registry stamp.
    key = ("patient_body", summ["identifying_visible"], user.can_edit)
    body = view.fragments.get(key)
    if body is None:
        body = Markup(web_state(request).templates.env.get_template("_patient_body.html")
                      .render(ctx))
        view.fragments[key] = body
    ctx["body_html"] = body
    ctx["saved"] = request.query_params.get("saved")
    return render(request, "patient.html", ctx, user=user)


@router.get("/patients/{patient_id}/plots/{measure}.svg", name="patient_plot")
async def patient_plot(request: Request, patient_id: int, measure: str) -> Response:
    if measure not in MEASURES:
        return Response("unknown measure", status_code=404, media_type="text/plain")
    _user, view, summ = await _visible_view(request, patient_id)
    if view is None or summ is None:
        return Response("not found", status_code=404, media_type="text/plain")
    data = view.plots[measure]
    svg = cached_svg(MEASURES[measure], data.points, data.transplant_dates, data.ranges)
    if svg is None:  # not rendered yet: render off the event loop
        svg = await run_in_threadpool(trajectory_svg, MEASURES[measure], data.points,
                                      data.transplant_dates, data.ranges)
    return Response(svg, media_type="image/svg+xml", headers={
        "content-security-policy": SVG_CONTENT_SECURITY_POLICY, "cache-control": "private, no-store"})
