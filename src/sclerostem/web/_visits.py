"""Visit entry: the mRSS body map, the other score inputs, live scores, validation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sclerostem import registry
from sclerostem.errors import InputError, InputTypeError, SclerostemError
from sclerostem.web._auth import current_user, require_role
from sclerostem.web._bodymap import GRADES, MRSS_SITES
from sclerostem.web._deps import WebUser, checked_form, render, web_state
from sclerostem.web._live import live_scores
from sclerostem.web._queries import as_date, summary

__all__ = ["FORM_GROUPS", "router"]

router = APIRouter()

_SPECS = {f.name: f for f in registry.VISIT_FIELDS}

LABELS: dict[str, str] = {
    "visit_date": "Visit date",
    "visit_label": "Visit label",
    "fvc_percent_predicted": "FVC (% predicted)",
    "dlco_percent_predicted": "DLCO (% predicted)",
    "tlc_relative_decline_12m_percent": "TLC relative fall over 12 months (%; 0 if stable)",
    "crp_mg_dl": "CRP (mg/dL)",
    "esr_mm_h": "ESR (mm/h)",
    "acute_phase_reaction": "Raised acute-phase reactants (ESR and/or CRP)",
    "crp_other_causes_excluded": "Infection / other causes of raised CRP excluded",
    "digital_ulcers": "Digital ulcers now",
    "skin_worsening_patient_last_month": "Skin worse in the last month (patient-judged)",
    "tendon_friction_rubs": "Tendon friction rubs",
    "haq_di": "HAQ-DI (0–3)",
    "patient_global_0_10": "Patient global (0–10)",
    "physician_global_0_10": "Physician global (0–10)",
    "karnofsky_percent": "Karnofsky performance status (%)",
    "ecog_performance_status": "ECOG performance status (0–4)",
    "pulmonary_involvement": "Lung involvement by SSc",
    "progressive_ild": "Progressive ILD (CT-confirmed)",
    "heart_involvement": "Heart involvement by SSc",
    "kidney_involvement": "Kidney involvement by SSc (incl. prior renal crisis)",
    "other_visceral_organ_involvement": "Other visceral involvement (e.g. gut)",
    "proteinuria": "Proteinuria",
    "lvef_percent": "LVEF, echo (%)",
    "echo_spap_mmhg": "sPAP estimated by echo (mmHg)",
    "rhc_mpap_mmhg": "mPAP at rest, right-heart catheter only (mmHg)",
    "creatinine_mg_dl": "Creatinine (mg/dL)",
    "creatinine_clearance_ml_min": "Creatinine clearance (mL/min)",
    "weight_kg": "Weight (kg)",
    "notes": "Notes",
    "criss_new_renal_crisis": "New renal crisis",
    "criss_fvc_decline_with_ild": "FVC fall ≥ 15 % with ILD (confirmed)",
    "criss_new_lv_failure": "New LV failure (LVEF ≤ 45 %)",
    "criss_new_pah": "New PAH (right-heart catheter)",
}

FORM_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Lung function", ("fvc_percent_predicted", "dlco_percent_predicted",
                       "tlc_relative_decline_12m_percent")),
    ("Activity", ("crp_mg_dl", "esr_mm_h", "acute_phase_reaction", "crp_other_causes_excluded",
                  "digital_ulcers", "skin_worsening_patient_last_month", "tendon_friction_rubs")),
    ("Function and global assessments", ("haq_di", "patient_global_0_10", "physician_global_0_10",
                                         "karnofsky_percent", "ecog_performance_status")),
    ("Organ involvement by SSc", ("pulmonary_involvement", "progressive_ild", "heart_involvement",
                                  "kidney_involvement", "other_visceral_organ_involvement",
                                  "proteinuria")),
    ("Heart, kidney, weight", ("lvef_percent", "echo_spap_mmhg", "rhc_mpap_mmhg", "creatinine_mg_dl",
                               "creatinine_clearance_ml_min", "weight_kg")),
    ("CRISS step 1: since the baseline visit, attributable to SSc", tuple(registry.CRISS_EVENTS)),
)
_MRSS_FIELDS = tuple(s.field for s in MRSS_SITES)
_GROUPED = {n for _, names in FORM_GROUPS for n in names}


def _form_groups() -> list[tuple[str, list[registry.FieldSpec]]]:
    """Groups of the non-mRSS inputs; any visit field the registry adds appears under 'Other'."""
    groups = []
    for title, names in FORM_GROUPS:
        groups.append((title, [_SPECS[n] for n in names if n in _SPECS]))
    other = [f for f in registry.VISIT_FIELDS
             if f.name not in _GROUPED and f.name not in _MRSS_FIELDS
             and f.name not in ("visit_date", "visit_label", "notes")]
    if other:
        groups.append(("Other", other))
    return groups


def _all_names() -> list[str]:
    return [f.name for f in registry.VISIT_FIELDS]


def _parse(form: FormData) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """Submitted text, validated values and per-field error messages."""
    raw: dict[str, str] = {}
    for name in _all_names():
        v = form.get(name)
        raw[name] = v.strip() if isinstance(v, str) else ""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, text in raw.items():
        try:
            values[name] = registry.parse_value(_SPECS[name], text)
        except (InputError, InputTypeError) as exc:
            errors[name] = str(exc)
            values[name] = None
    return raw, values, errors


def _baseline(visits: list[dict[str, Any]], before: dt.date | None) -> dict[str, Any] | None:
    """The first recorded visit (before ``before`` when given), for change-based indices."""
    earlier = [v for v in visits if before is None or (as_date(v["visit_date"]) or before) < before]
    if not earlier:
        return None
    return dict(min(earlier, key=lambda v: str(v["visit_date"])))


def _page(request: Request, user: WebUser, summ: dict[str, Any], raw: dict[str, str],
          errors: dict[str, str], scores: list[Any], status_code: int = 200) -> Response:
    p = summ["patient"]
    return render(request, "visit_form.html", {
        "section": "patients",
        "patient": {"id": p["id"], "study_id": p["study_id"], "name": p.get("name")},
        "values": raw, "errors": errors, "sites": MRSS_SITES, "grades": GRADES,
        "groups": _form_groups(), "labels": LABELS, "live": scores,
    }, user=user, status_code=status_code)


def _not_found(request: Request, user: WebUser, patient_id: int) -> Response:
    return render(request, "error.html", {"title": "Patient not found",
                  "message": f"No patient {patient_id} visible to you."}, user=user, status_code=404)


@router.get("/patients/{patient_id}/visits/new", name="visit_new")
def visit_new(request: Request, patient_id: int) -> Response:
    state = web_state(request)
    with state.db.read_session() as s:
        user = current_user(request, s)
        require_role(user, "clinician", "admin")
        summ = summary(s, user, patient_id)
    if summ is None:
        return _not_found(request, user, patient_id)
    raw = {n: "" for n in _all_names()}
    raw["visit_date"] = dt.date.today().isoformat()
    raw["visit_label"] = "baseline" if not summ["visits"] else ""
    return _page(request, user, summ, raw, {}, live_scores({}, _baseline(summ["visits"], None)))


@router.post("/patients/{patient_id}/visits/preview", name="visit_preview")
async def visit_preview(request: Request, patient_id: int) -> Response:
    """HTMX partial: the live scores of what has been typed so far (nothing is saved)."""
    form = await checked_form(request)
    state = web_state(request)
    _raw, values, errors = _parse(form)
    with state.db.read_session() as s:
        user = current_user(request, s)
        require_role(user, "clinician", "admin")
        summ = summary(s, user, patient_id)
    if summ is None:
        return Response("not found", status_code=404, media_type="text/plain")
    scores = live_scores(values, _baseline(summ["visits"], values.get("visit_date")))
    return render(request, "_live_scores.html", {"live": scores, "errors": errors}, user=user)


@router.post("/patients/{patient_id}/visits/new")
async def visit_save(request: Request, patient_id: int) -> Response:
    form = await checked_form(request)
    state = web_state(request)
    raw, values, errors = _parse(form)
    if values.get("visit_date") is None and "visit_date" not in errors:
        errors["visit_date"] = str(InputError("visit_date", raw.get("visit_date", ""),
                                              "a date YYYY-MM-DD (required)"))
    with state.db.session() as s:
        user = current_user(request, s)
        require_role(user, "clinician", "admin")
        summ = summary(s, user, patient_id)
        if summ is None:
            return _not_found(request, user, patient_id)
        vd = values.get("visit_date")
        if vd is not None and any(as_date(v["visit_date"]) == vd for v in summ["visits"]):
            errors["visit_date"] = str(InputError(
                "visit_date", raw["visit_date"], "a date without a visit already recorded for this patient"))
        baseline = _baseline(summ["visits"], vd)
        if errors:
            return _page(request, user, summ, raw, errors, live_scores(values, baseline), status_code=422)
        stored = {k: v for k, v in values.items() if k in _SPECS and v is not None}
        try:
            registry.add_visit(s, user.model, patient_id, **stored)
        except (InputError, InputTypeError) as exc:
            s.rollback()
            errors[exc.field if exc.field in raw else "form"] = str(exc)
            return _page(request, user, summ, raw, errors, live_scores(values, baseline), status_code=422)
        except SclerostemError as exc:
            s.rollback()
            errors["form"] = f"The visit could not be saved: {exc}"
            return _page(request, user, summ, raw, errors, live_scores(values, baseline), status_code=409)
    return RedirectResponse(f"/patients/{patient_id}?saved=visit", status_code=303)
