"""The candidacy engine's input (:class:`sclerostem.rules.Patient`) from a registry patient.

The one mapping from the registry to the rules engine, used by the REST API
and the web app. The registry stores visits; the rules read one patient at one
time point, so each rules field takes the **latest recorded value** of its
measure (the visit it came from is kept in :attr:`CandidacyInput.origin`).

Unit conversions (definitions of the units):

* CRP: 1 mg/dL = 10 mg/L.
* Creatinine: 1 mg/dL = 88.4 µmol/L (molar mass of creatinine 113.12 g/mol:
  10 mg/L ÷ 113.12 g/mol = 88.4 µmol/L).

Pulmonary pressures: the registry's ``echo_spap_mmhg`` (echocardiographic
estimate) maps only to ``echo_pasp_mmhg`` and ``rhc_mpap_mmhg`` (right-heart
catheter, at rest) only to ``rhc_mpap_rest_mmhg``; an echo estimate never
becomes a catheter value.

Unknown stays unknown: a measure never recorded is not passed. A value the
rules engine refuses (outside its plausible range, or inconsistent with
another) is left out, so the rule that needs it becomes *unknown*, and the
refusal is listed in :attr:`CandidacyInput.refused` (never silently changed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sclerostem.errors import InputError, InputTypeError
from sclerostem.registry._fields import MRSS_SITES

__all__ = ["CREATININE_UMOL_L_PER_MG_DL", "CRP_MG_L_PER_MG_DL", "CandidacyInput", "candidacy_input"]

#: 1 mg/dL = 10 mg/L (definition of the units).
CRP_MG_L_PER_MG_DL = 10.0
#: 1 mg/dL creatinine = 10 mg/L ÷ 113.12 g/mol = 88.4 µmol/L.
CREATININE_UMOL_L_PER_MG_DL = 88.4
_SUBSET = {"dcSSc": "diffuse", "lcSSc": "limited", "ssc_sine_scleroderma": "sine"}
#: Registry visit field -> rules field (same unit, same meaning).
VISIT_TO_RULES: dict[str, str] = {
    "fvc_percent_predicted": "fvc_percent_predicted",
    "dlco_percent_predicted": "dlco_percent_predicted",
    "tlc_relative_decline_12m_percent": "tlc_relative_decline_12m_percent",
    "lvef_percent": "lvef_percent",
    "echo_spap_mmhg": "echo_pasp_mmhg",
    "rhc_mpap_mmhg": "rhc_mpap_rest_mmhg",
    "creatinine_clearance_ml_min": "creatinine_clearance_ml_min",
    "pulmonary_involvement": "pulmonary_involvement",
    "progressive_ild": "progressive_ild",
    "heart_involvement": "heart_involvement",
    "kidney_involvement": "kidney_involvement",
    "other_visceral_organ_involvement": "other_visceral_organ_involvement",
    "acute_phase_reaction": "acute_phase_reaction",
    "crp_other_causes_excluded": "crp_other_causes_excluded",
    "proteinuria": "proteinuria",
    "karnofsky_percent": "karnofsky_percent",
    "ecog_performance_status": "ecog_performance_status",
}


@dataclass
class CandidacyInput:
    """The mapped fields, where each came from, and the values the engine refused.

    Attributes
    ----------
    fields : dict
        Keyword arguments for :class:`sclerostem.rules.Patient` (accepted by it).
    origin : dict
        Rules field -> where the value came from (``"visit 2024-03-01"``...).
    refused : dict
        Rules field -> the engine's error message for a value left out.
    """

    fields: dict[str, Any]
    origin: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


def _by_date_desc(visits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(visits, key=lambda x: str(x["visit_date"]), reverse=True)


def _latest(visits: list[dict[str, Any]], key: str) -> tuple[Any, str | None]:
    for v in _by_date_desc(visits):
        if v.get(key) is not None:
            return v[key], str(v["visit_date"])
    return None, None


def _age_years(dob: dt.date | None, on: dt.date) -> int | None:
    if dob is None:
        return None
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def candidacy_input(summary: dict[str, Any], date_of_birth: dt.date | None = None,
                    on: dt.date | None = None) -> CandidacyInput:
    """Map a registry patient summary onto the rules engine's patient fields.

    Parameters
    ----------
    summary : dict
        :func:`sclerostem.registry.patient_summary` output.
    date_of_birth : date, optional
        Used only to compute the age in completed years at ``on`` (never
        passed on, so a report carries no date of birth).
    on : date, optional
        Assessment date (default: today); disease duration and age are counted to it.

    Returns
    -------
    CandidacyInput
    """
    on = on or dt.date.today()
    p = summary["patient"]
    visits = list(summary["visits"])
    out: dict[str, Any] = {"patient_label": p["study_id"], "visit_date": on}
    origin: dict[str, str] = {"patient_label": "registry study id",
                              "visit_date": "assessment date" if on != dt.date.today() else "today"}
    age = _age_years(date_of_birth, on)
    if age is not None:
        out["age_years"] = age
        origin["age_years"] = "date of birth"
    if p.get("sex") in ("female", "male"):
        out["sex"] = p["sex"]
        origin["sex"] = "registry"
    dx = next((d for d in summary["diagnoses"] if d.get("disease") == "ssc"), None)
    if dx:
        if dx.get("first_non_raynaud_date"):
            out["date_first_non_raynaud_symptom"] = dt.date.fromisoformat(str(dx["first_non_raynaud_date"]))
            origin["date_first_non_raynaud_symptom"] = "diagnosis"
        if dx.get("subset") in _SUBSET:
            out["cutaneous_subset"] = _SUBSET[dx["subset"]]
            origin["cutaneous_subset"] = "diagnosis"
        if dx.get("ild") is not None:
            out["ild_on_hrct"] = bool(dx["ild"])
            origin["ild_on_hrct"] = "diagnosis"
    # mRSS: the latest visit with all 17 sites graded (gives mrss_total in the engine).
    for v in _by_date_desc(visits):
        grades = {s: v.get(f"mrss_{s}") for s in MRSS_SITES}
        if all(g is not None for g in grades.values()):
            out["mrss_sites"] = {s: int(g) for s, g in grades.items() if g is not None}
            origin["mrss_sites"] = f"visit {v['visit_date']}"
            break
    for src, dst in VISIT_TO_RULES.items():
        val, when = _latest(visits, src)
        if val is not None:
            out[dst] = val
            origin[dst] = f"visit {when}"
    if "pulmonary_involvement" not in out and out.get("ild_on_hrct") is True:
        # ILD on HRCT is lung involvement by definition of the rules field; absence is not inferred.
        out["pulmonary_involvement"] = True
        origin["pulmonary_involvement"] = "diagnosis (ILD on HRCT)"
    crp, when = _latest(visits, "crp_mg_dl")
    if crp is not None:
        out["crp_mg_l"] = round(crp * CRP_MG_L_PER_MG_DL, 6)
        origin["crp_mg_l"] = f"visit {when} (CRP mg/dL × 10)"
    creat, when = _latest(visits, "creatinine_mg_dl")
    if creat is not None:
        out["serum_creatinine_umol_l"] = round(creat * CREATININE_UMOL_L_PER_MG_DL, 3)
        origin["serum_creatinine_umol_l"] = f"visit {when} (mg/dL × 88.4)"
    cyc = [t for t in summary["treatments"] if t.get("agent") == "cyclophosphamide"]
    iv = [t for t in cyc if t.get("route") == "iv"]
    if iv and all(t.get("courses") is not None for t in iv):
        out["prior_cyclophosphamide_iv_courses"] = sum(int(t["courses"]) for t in iv)
        origin["prior_cyclophosphamide_iv_courses"] = "treatments"
    if cyc:
        out["prior_alkylating_agent"] = True
        origin["prior_alkylating_agent"] = "treatments (cyclophosphamide)"
    return _accepted(CandidacyInput(out, origin))


def _accepted(ci: CandidacyInput) -> CandidacyInput:
    """Drop, one at a time, the fields the rules engine refuses; record why."""
    from sclerostem.rules import Patient

    for _ in range(len(ci.fields) + 1):
        try:
            Patient(**ci.fields)
        except (InputError, InputTypeError) as exc:
            name = exc.field.split(".")[0]
            if name not in ci.fields or name in ("patient_label", "visit_date"):
                raise
            ci.refused[name] = str(exc)
            ci.fields.pop(name)
            ci.origin.pop(name, None)
        else:
            return ci
    return ci  # pragma: no cover - loop always returns
