"""Build the HSCT-candidacy input (``sclerostem.rules``) from a registry patient.

Maps the newest visit and the diagnosis onto the rules engine's patient
fields. Unit conversions: CRP mg/dL -> mg/L (x 10); serum creatinine
mg/dL -> µmol/L (x 88.4, molar mass of creatinine 113.12 g/mol). Unknown stays
unknown: a field absent from the registry is simply not passed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["CREATININE_MG_DL_TO_UMOL_L", "candidacy_input"]

#: 1 mg/dL creatinine = 10 mg/L / 113.12 g/mol = 88.4 µmol/L.
CREATININE_MG_DL_TO_UMOL_L = 88.4
_SUBSET = {"dcSSc": "diffuse", "lcSSc": "limited", "ssc_sine_scleroderma": "sine"}


def candidacy_input(summary: dict[str, Any], date_of_birth: dt.date | None = None,
                    on: dt.date | None = None) -> dict[str, Any]:
    """Rules-engine patient mapping from a :func:`patient_summary` dict.

    ``date_of_birth`` (identifying) is used only to compute ``age_years``
    (completed years at the newest visit) and is not passed on.
    """
    p = summary["patient"]
    visits = summary["visits"]
    last = visits[-1] if visits else {}
    out: dict[str, Any] = {"patient_label": p["study_id"]}
    visit_date = dt.date.fromisoformat(last["visit_date"]) if last else (on or dt.date.today())
    out["visit_date"] = visit_date
    if date_of_birth is not None:
        had_birthday = (visit_date.month, visit_date.day) >= (date_of_birth.month, date_of_birth.day)
        out["age_years"] = visit_date.year - date_of_birth.year - (0 if had_birthday else 1)
    if p.get("sex") in ("female", "male"):
        out["sex"] = p["sex"]
    dx = next((d for d in summary["diagnoses"] if d["disease"] == "ssc"), None)
    if dx:
        if dx.get("first_non_raynaud_date"):
            out["date_first_non_raynaud_symptom"] = dt.date.fromisoformat(dx["first_non_raynaud_date"])
        if dx.get("subset") in _SUBSET:
            out["cutaneous_subset"] = _SUBSET[dx["subset"]]
        if dx.get("ild") is not None:
            out["ild_on_hrct"] = dx["ild"]
    simple = {"fvc_percent_predicted": "fvc_percent_predicted",
              "dlco_percent_predicted": "dlco_percent_predicted", "lvef_percent": "lvef_percent",
              "spap_mmhg": "echo_pasp_mmhg", "mpap_mmhg": "rhc_mpap_rest_mmhg",
              "creatinine_clearance_ml_min": "creatinine_clearance_ml_min", "mrss_total": "mrss_total"}
    for src, dst in simple.items():
        if last.get(src) is not None:
            out[dst] = last[src]
    if last.get("crp_mg_dl") is not None:
        out["crp_mg_l"] = round(last["crp_mg_dl"] * 10, 4)
    if last.get("creatinine_mg_dl") is not None:
        out["serum_creatinine_umol_l"] = round(last["creatinine_mg_dl"] * CREATININE_MG_DL_TO_UMOL_L, 1)
    cyc = [t for t in summary["treatments"] if t["agent"] == "cyclophosphamide" and t.get("route") == "iv"]
    if cyc and all(t.get("courses") is not None for t in cyc):
        out["prior_cyclophosphamide_iv_courses"] = sum(t["courses"] for t in cyc)
    return out
