"""The patient model read by the HSCT candidacy rules.

Every measurement carries its unit in its name and a declared plausible range.
``None`` means *not recorded*: it is never read as normal, absent or ``False``;
the rules report it as unknown and name the examination that would provide it.

Errors use the package's one wording (:mod:`sclerostem.errors`): pydantic's
validation errors are translated into :class:`~sclerostem.errors.InputError`,
:class:`~sclerostem.errors.InputTypeError`,
:class:`~sclerostem.errors.UnknownFieldError` or, for values that contradict
each other, :class:`~sclerostem.errors.ConsistencyError`.
"""

from __future__ import annotations

import json
import typing
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sclerostem._validation import describe_range
from sclerostem.errors import (
    ConsistencyError,
    InputError,
    InputTypeError,
    SclerostemError,
    UnknownFieldError,
)
from sclerostem.rules._derived import completed_years, derived_inputs

__all__ = ["Patient", "completed_years", "field_allowed", "patient_from_json"]


def _num(lo: float, hi: float, unit: str, description: str, *, examination: str | None = None) -> Any:
    extra: dict[str, Any] = {"unit": unit}
    if examination:
        extra["examination"] = examination
    return Field(default=None, ge=lo, le=hi, strict=True, description=f"{description} ({unit}).",
                 json_schema_extra=extra)


def _int(lo: int, hi: int, unit: str, description: str, *, examination: str | None = None) -> Any:
    return _num(lo, hi, unit, description, examination=examination)


def _flag(description: str, *, examination: str | None = None) -> Any:
    extra: dict[str, Any] = {}
    if examination:
        extra["examination"] = examination
    return Field(default=None, strict=True, description=description + " (true/false; null = not recorded).",
                 json_schema_extra=extra or None)


class Patient(BaseModel):
    """One patient at one visit, as read by the candidacy rules.

    All fields are optional; a field left out (or ``null``) is *not recorded*.
    Derived inputs (age, disease duration, mRSS total, cutaneous subset,
    classification) may be given directly or computed from their raw inputs
    (:func:`sclerostem.rules.derived_inputs`); when both are given they must
    agree, otherwise :class:`~sclerostem.errors.ConsistencyError` is raised.

    Construct with keywords (``Patient(age_years=45, ...)``) or from JSON text
    with :func:`patient_from_json`; both raise the package's errors, never a
    pydantic ``ValidationError``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, title="Patient",
                              json_schema_extra={"$comment": "Generated from sclerostem.rules.Patient; "
                                                 "regenerate with `python -m sclerostem.rules._schema > docs/patient.schema.json`."})

    # -- identification and visit ----------------------------------------------------------
    patient_label: str | None = Field(default=None, max_length=64, description=(
        "Pseudonymous label shown on the report (no name or record number)."))
    visit_date: date | None = Field(default=None, description="Date of the assessment (YYYY-MM-DD).")
    date_of_birth: date | None = Field(default=None, description=(
        "Date of birth (YYYY-MM-DD); used only to compute age_years."))
    age_years: int | None = _int(0, 120, "years", "Age at the visit in completed years")
    sex: Literal["female", "male"] | None = Field(default=None, description="Sex.")

    # -- disease definition -----------------------------------------------------------------
    date_first_non_raynaud_symptom: date | None = Field(default=None, description=(
        "Date of the first SSc manifestation other than Raynaud phenomenon (YYYY-MM-DD); "
        "disease duration is counted from it (scores.md §7)."))
    disease_duration_years: float | None = _num(0, 80, "years", (
        "Disease duration from the first non-Raynaud manifestation to the visit"))
    mrss_total: int | None = _int(0, 51, "points", "Modified Rodnan skin score, total of 17 sites",
                                  examination="skin examination (mRSS)")
    mrss_sites: dict[str, int | None] | None = Field(default=None, description=(
        "mRSS per body site, 17 sites scored 0-3 (scores.md §1; null or absent = not examined); "
        "gives mrss_total and the cutaneous subset."))
    cutaneous_subset: Literal["diffuse", "limited", "sine"] | None = Field(default=None, description=(
        "LeRoy subset: diffuse cutaneous, limited cutaneous or SSc sine scleroderma (scores.md §7)."))
    skin_thickening_back: bool | None = _flag("Skin thickening on the back (not scored by the mRSS)")
    skin_thickening_neck: bool | None = _flag("Skin thickening on the neck (not scored by the mRSS)")
    acr_eular_2013_classified: bool | None = _flag(
        "Meets the 2013 ACR/EULAR classification criteria for SSc (score >= 9)")
    acr_eular_2013_items: dict[str, bool] | None = Field(default=None, description=(
        "Items of the 2013 ACR/EULAR classification criteria (scores.md §2); gives acr_eular_2013_classified."))

    # -- organ involvement ------------------------------------------------------------------
    pulmonary_involvement: bool | None = _flag(
        "Lung involvement by SSc (interstitial lung disease on HRCT and/or reduced FVC/DLCO)",
        examination="HRCT and pulmonary function tests")
    ild_on_hrct: bool | None = _flag("Interstitial lung disease on high-resolution CT", examination="HRCT")
    progressive_ild: bool | None = _flag("Progressive, CT-confirmed interstitial lung disease",
                                         examination="HRCT and pulmonary function tests")
    heart_involvement: bool | None = _flag("Cardiac involvement by SSc", examination="echocardiography")
    kidney_involvement: bool | None = _flag("Renal involvement by SSc, including prior scleroderma renal crisis")
    other_visceral_organ_involvement: bool | None = _flag(
        "Visceral organ involvement other than lung, heart and kidney (e.g. gastrointestinal)")
    fvc_percent_predicted: float | None = _num(10, 160, "% predicted", "Forced vital capacity",
                                               examination="pulmonary function tests")
    dlco_percent_predicted: float | None = _num(5, 160, "% predicted", "Diffusing capacity for carbon monoxide",
                                                examination="pulmonary function tests")
    fvc_relative_decline_12m_percent: float | None = _num(0, 100, "%", (
        "Relative fall of FVC over the last 12 months (0 if stable or improved)"))
    dlco_relative_decline_12m_percent: float | None = _num(0, 100, "%", (
        "Relative fall of DLCO over the last 12 months (0 if stable or improved)"))
    tlc_relative_decline_12m_percent: float | None = _num(0, 100, "%", (
        "Relative fall of total lung capacity (% predicted) over the last 12 months (0 if stable or improved)"))
    pao2_mmhg: float | None = _num(20, 150, "mmHg", "Resting arterial oxygen tension", examination="arterial blood gas")
    crp_mg_l: float | None = _num(0, 500, "mg/L", "C-reactive protein", examination="blood tests")
    crp_other_causes_excluded: bool | None = _flag(
        "Infection and other causes of a raised CRP have been excluded (CRP attributed to SSc inflammation)",
        examination="clinical history")
    acute_phase_reaction: bool | None = _flag("Raised laboratory acute-phase reactants (ESR and/or CRP)")
    proteinuria: bool | None = _flag("Proteinuria", examination="urinalysis")

    # -- heart and pulmonary circulation ----------------------------------------------------
    lvef_percent: float | None = _num(5, 90, "%", "Left ventricular ejection fraction",
                                      examination="echocardiography")
    echo_pasp_mmhg: float | None = _num(5, 150, "mmHg", "Pulmonary artery systolic pressure estimated by echocardiography",
                                        examination="echocardiography")
    tapse_cm: float | None = _num(0.3, 4.0, "cm", "Tricuspid annular plane systolic excursion",
                                  examination="echocardiography")
    rhc_mpap_rest_mmhg: float | None = _num(3, 100, "mmHg", "Mean pulmonary artery pressure at rest (right heart catheterisation)")
    rhc_mpap_fluid_challenge_mmhg: float | None = _num(3, 100, "mmHg", "Mean pulmonary artery pressure after fluid challenge")
    rhc_mpap_exercise_mmhg: float | None = _num(3, 120, "mmHg", "Mean pulmonary artery pressure on exercise")
    rhc_pasp_rest_mmhg: float | None = _num(5, 150, "mmHg", "Pulmonary artery systolic pressure at rest (right heart catheterisation)")
    rhc_pasp_fluid_challenge_mmhg: float | None = _num(5, 150, "mmHg", "Pulmonary artery systolic pressure after fluid challenge")
    rhc_pvr_wood_units: float | None = _num(0, 30, "Wood units", "Pulmonary vascular resistance")
    rhc_cardiac_output_rises_after_fluid: bool | None = _flag(
        "Cardiac output rises after the fluid challenge at right heart catheterisation")
    cmr_septal_bounce_or_d_sign: bool | None = _flag("Septal bounce or D-sign on cardiac MRI", examination="cardiac MRI")
    constrictive_pericarditis: bool | None = _flag("Constrictive pericarditis")
    cardiac_tamponade: bool | None = _flag("Cardiac tamponade")
    unrevascularised_severe_cad: bool | None = _flag("Severe coronary artery disease not revascularised")
    untreated_severe_arrhythmia: bool | None = _flag("Severe cardiac arrhythmia, untreated")
    uncontrolled_arrhythmia: bool | None = _flag("Uncontrolled cardiac arrhythmia")
    symptomatic_cardiac_disease: bool | None = _flag("Symptomatic cardiac disease")
    nyha_class: int | None = _int(1, 4, "NYHA class", "New York Heart Association functional class of heart failure")
    who_functional_class: int | None = _int(1, 4, "WHO class", "WHO functional class of pulmonary hypertension symptoms")
    on_pa_pressure_lowering_drugs: bool | None = _flag("Taking drugs that lower pulmonary artery pressure")
    uncontrolled_hypertension: bool | None = _flag("Uncontrolled arterial hypertension")

    # -- kidney, gut ------------------------------------------------------------------------
    creatinine_clearance_ml_min: float | None = _num(0, 250, "mL/min", "Creatinine clearance",
                                                     examination="creatinine clearance")
    serum_creatinine_umol_l: float | None = _num(10, 2000, "µmol/L", "Serum creatinine", examination="blood tests")
    active_gave: bool | None = _flag("Active gastric antral vascular ectasia", examination="upper GI endoscopy")

    # -- treatment history ------------------------------------------------------------------
    prior_cyclophosphamide_iv_courses: int | None = _int(0, 100, "courses", "Intravenous cyclophosphamide courses received")
    prior_cyclophosphamide_iv_months: float | None = _num(0, 240, "months", "Duration of intravenous cyclophosphamide")
    prior_cyclophosphamide_iv_cumulative_g: float | None = _num(0, 200, "g", "Cumulative intravenous cyclophosphamide dose")
    prior_cyclophosphamide_iv_cumulative_g_m2: float | None = _num(0, 100, "g/m²", (
        "Cumulative intravenous cyclophosphamide dose per body-surface area"))
    prior_cyclophosphamide_oral_months: float | None = _num(0, 240, "months", "Duration of oral cyclophosphamide")
    prior_alkylating_agent: bool | None = _flag("Any alkylating agent ever received, cyclophosphamide included")
    prior_immunosuppressant_months: float | None = _num(0, 600, "months", "Total duration of prior immunosuppressive therapy")
    prior_tli_or_tbi: bool | None = _flag("Prior total lymphoid or total body irradiation")
    first_line_therapy_months: float | None = _num(0, 600, "months", "Duration of guideline first-line therapy so far")
    disease_progressing_despite_therapy: bool | None = _flag("Disease active or progressing despite first-line therapy")
    first_line_therapy_intolerant: bool | None = _flag("Intolerant of first-line therapy")
    prednisone_equivalent_mg_day: float | None = _num(0, 1000, "mg/day", "Current glucocorticoid dose, prednisone equivalent")
    smoking_status: Literal["never", "former", "current"] | None = Field(default=None, description="Smoking status.")
    smoking_cessation_date: date | None = Field(default=None, description="Date a former smoker stopped (YYYY-MM-DD).")

    # -- other ------------------------------------------------------------------------------
    contraception_willing: bool | None = _flag("Willing to use contraception for at least 15 months after treatment starts")
    ecog_performance_status: int | None = _int(0, 4, "ECOG grade", "ECOG performance status",
                                               examination="performance status")
    karnofsky_percent: int | None = _int(0, 100, "%", "Karnofsky performance status",
                                         examination="performance status")

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _translate(exc) from None

    @model_validator(mode="after")
    def _consistent(self) -> Patient:
        _check_consistency(self)
        derived_inputs(self)  # given vs computed derived inputs must agree
        return self


# --------------------------------------------------------------------------------------------
# consistency


def _iso(d: date) -> str:
    return d.isoformat()


def _check_consistency(p: Patient) -> None:
    visit = p.visit_date
    if visit is not None:
        for name in ("date_first_non_raynaud_symptom", "date_of_birth", "smoking_cessation_date"):
            value = getattr(p, name)
            if value is not None and value > visit:
                raise ConsistencyError(name, _iso(value), f"a date on or before visit_date ({_iso(visit)})")
    if p.date_of_birth is not None and p.date_first_non_raynaud_symptom is not None \
            and p.date_first_non_raynaud_symptom < p.date_of_birth:
        raise ConsistencyError("date_first_non_raynaud_symptom", _iso(p.date_first_non_raynaud_symptom),
                               f"a date on or after date_of_birth ({_iso(p.date_of_birth)})")
    if p.age_years is not None and p.date_of_birth is not None and visit is not None:
        computed = completed_years(p.date_of_birth, visit)
        if computed != p.age_years:
            raise ConsistencyError("age_years", p.age_years,
                                   f"the age from date_of_birth and visit_date ({computed} years), or leave it empty")
    if p.disease_duration_years is not None and p.age_years is not None \
            and p.disease_duration_years > p.age_years:
        raise ConsistencyError("disease_duration_years", p.disease_duration_years,
                               f"a duration no longer than age_years ({p.age_years:g})")
    if p.mrss_sites is not None:
        for site, grade in p.mrss_sites.items():
            if grade is None:
                continue
            if isinstance(grade, bool) or not isinstance(grade, int):
                raise InputTypeError(f"mrss_sites.{site}", grade, "a whole number from 0 to 3 (points)")
            if not 0 <= grade <= 3:
                raise InputError(f"mrss_sites.{site}", grade, "a whole number from 0 to 3 (points)")
    if p.cutaneous_subset == "sine" and p.mrss_total is not None and p.mrss_total > 0:
        raise ConsistencyError("cutaneous_subset", "sine",
                               f"'diffuse' or 'limited' when mrss_total is {p.mrss_total} (skin thickening present)")
    cyc_given = [n for n in ("prior_cyclophosphamide_iv_courses", "prior_cyclophosphamide_iv_months",
                             "prior_cyclophosphamide_iv_cumulative_g", "prior_cyclophosphamide_iv_cumulative_g_m2",
                             "prior_cyclophosphamide_oral_months") if (getattr(p, n) or 0) > 0]
    if p.prior_alkylating_agent is False and cyc_given:
        raise ConsistencyError("prior_alkylating_agent", False,
                               f"true, since {cyc_given[0]} shows cyclophosphamide (an alkylating agent) was given")
    if p.prior_cyclophosphamide_iv_courses == 0:
        for name in ("prior_cyclophosphamide_iv_months", "prior_cyclophosphamide_iv_cumulative_g",
                     "prior_cyclophosphamide_iv_cumulative_g_m2"):
            value = getattr(p, name)
            if value is not None and value > 0:
                raise ConsistencyError(name, value, "0 when prior_cyclophosphamide_iv_courses is 0")
    if p.smoking_cessation_date is not None and p.smoking_status in ("never", "current"):
        raise ConsistencyError("smoking_cessation_date", _iso(p.smoking_cessation_date),
                               f"no date when smoking_status is {p.smoking_status!r} (only for 'former')")


# --------------------------------------------------------------------------------------------
# error translation


def field_allowed(name: str) -> str:
    """The 'allowed' phrase of a patient field, as used in error messages.

    Parameters
    ----------
    name : str
        A field of :class:`Patient`.
    """
    info = Patient.model_fields[name]
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = extra.get("unit")
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    annotation = info.annotation
    args = typing.get_args(annotation)
    inner = next((a for a in args if a is not type(None)), annotation)
    if inner is bool:
        return "true or false (null if not recorded)"
    if inner is date:
        return "a date YYYY-MM-DD"
    if typing.get_origin(inner) is Literal:
        return "one of " + ", ".join(repr(c) for c in typing.get_args(inner))
    if inner is int:
        return describe_range(lo, hi, str(unit) if unit else None, integer=True)
    if inner is float:
        return describe_range(lo, hi, str(unit) if unit else None)
    if name == "mrss_sites":
        return "an object mapping each mRSS site to a whole number from 0 to 3"
    if name == "acr_eular_2013_items":
        return "an object mapping each 2013 ACR/EULAR item to true or false"
    if inner is str:
        return "text of at most 64 characters"
    return str(annotation)


_TYPE_ERRORS = ("_type", "_parsing", "is_instance_of")


def _translate(exc: ValidationError) -> SclerostemError:
    """The first pydantic error of ``exc`` as one of the package's errors."""
    err = exc.errors()[0]
    ctx = err.get("ctx") or {}
    original = ctx.get("error")
    if isinstance(original, SclerostemError):
        return original
    loc = [str(part) for part in err.get("loc", ())]
    value = err.get("input")
    if err["type"] == "extra_forbidden":
        return UnknownFieldError(loc[0] if loc else "?", value,
                                 "a field of the patient schema (docs/patient.schema.json)")
    if not loc:  # whole-object problem, e.g. not a mapping
        return InputTypeError("patient", value, "an object of patient fields")
    name = loc[0]
    field = ".".join(loc)
    if name in Patient.model_fields:
        allowed = field_allowed(name)
        if len(loc) > 1 and name == "mrss_sites":
            allowed = "a whole number from 0 to 3 (points)"
        elif len(loc) > 1 and name == "acr_eular_2013_items":
            allowed = "true or false"
    else:  # pragma: no cover - pydantic reports only declared fields here
        allowed = "a valid value"
    kind = err["type"]
    if any(kind.endswith(suffix) for suffix in _TYPE_ERRORS) or kind in ("dict_type", "model_type"):
        return InputTypeError(field, value, allowed)
    return InputError(field, value, allowed)


def patient_from_json(text: str | bytes) -> Patient:
    """Parse a patient from JSON text (the ``sclerostem assess`` file format).

    Raises
    ------
    InputTypeError
        If the text is not a JSON object.
    InputError, UnknownFieldError, ConsistencyError
        For an invalid, unknown or contradictory field.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputTypeError("patient", f"invalid JSON at line {exc.lineno} column {exc.colno}",
                             "a JSON object of patient fields") from None
    except UnicodeDecodeError:
        raise InputTypeError("patient", "text that is not UTF-8", "a JSON object of patient fields (UTF-8)") from None
    if not isinstance(data, dict):
        raise InputTypeError("patient", type(data).__name__, "a JSON object of patient fields")
    data = {k: v for k, v in data.items() if not k.startswith("$")}  # "$schema", "$comment"
    return Patient(**data)
