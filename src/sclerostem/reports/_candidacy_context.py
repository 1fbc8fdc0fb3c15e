"""The view model shared by the candidacy report's HTML, PDF and text renderings."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sclerostem.errors import InputError
from sclerostem.evidence import OUTCOMES, OutcomeRow
from sclerostem.result import Result
from sclerostem.rules import PARAMETERS, Assessment, Patient, SetVerdict
from sclerostem.rules._criteria import label

__all__ = ["IconPanel", "ReportContext", "build_context"]

#: Patient summary groups: (heading, fields in display order).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Disease", ("age_years", "sex", "disease_duration_years", "mrss_total", "cutaneous_subset",
                 "acr_eular_2013_classified", "crp_mg_l", "crp_other_causes_excluded", "acute_phase_reaction",
                 "ecog_performance_status", "karnofsky_percent")),
    ("Organ involvement", ("pulmonary_involvement", "ild_on_hrct", "progressive_ild", "heart_involvement",
                           "kidney_involvement", "other_visceral_organ_involvement", "proteinuria", "active_gave")),
    ("Lungs", ("fvc_percent_predicted", "dlco_percent_predicted", "fvc_relative_decline_12m_percent",
               "tlc_relative_decline_12m_percent", "dlco_relative_decline_12m_percent", "pao2_mmhg")),
    ("Heart and pulmonary circulation", (
        "lvef_percent", "echo_pasp_mmhg", "tapse_cm", "rhc_mpap_rest_mmhg", "rhc_mpap_fluid_challenge_mmhg",
        "rhc_mpap_exercise_mmhg", "rhc_pasp_rest_mmhg", "rhc_pasp_fluid_challenge_mmhg", "rhc_pvr_wood_units",
        "rhc_cardiac_output_rises_after_fluid", "cmr_septal_bounce_or_d_sign", "constrictive_pericarditis",
        "cardiac_tamponade", "unrevascularised_severe_cad", "untreated_severe_arrhythmia",
        "uncontrolled_arrhythmia", "symptomatic_cardiac_disease", "nyha_class", "who_functional_class",
        "on_pa_pressure_lowering_drugs", "uncontrolled_hypertension")),
    ("Kidneys", ("creatinine_clearance_ml_min", "serum_creatinine_umol_l")),
    ("Treatment history", (
        "prior_cyclophosphamide_iv_courses", "prior_cyclophosphamide_iv_months",
        "prior_cyclophosphamide_iv_cumulative_g", "prior_cyclophosphamide_iv_cumulative_g_m2",
        "prior_cyclophosphamide_oral_months", "prior_cyclophosphamide_total_months", "prior_alkylating_agent",
        "prior_immunosuppressant_months", "prior_tli_or_tbi", "first_line_therapy_months",
        "disease_progressing_despite_therapy", "first_line_therapy_intolerant", "prednisone_equivalent_mg_day",
        "smoking_status", "contraception_willing")),
)

_NO_UNIT = {"NYHA class", "WHO class", "ECOG grade"}
_VERDICT_CLASS = {"eligible": "ok", "eligible after MDT review": "warn", "not eligible": "bad",
                  "undetermined": "unknown"}
#: Short outcome names for the evidence tables (codes of sclerostem.evidence.OUTCOMES).
OUTCOME_LABELS = {
    "efs": "Event-free survival",
    "os": "Overall survival",
    "event": "Death or major organ failure",
    "death": "Death, any cause",
    "trm": "Treatment-related death",
    "grcs_wins": "GRCS: pairwise comparisons won",
    "improved": "Improved (primary end point)",
}


def fmt_value(value: Any, unit: str | None = None) -> str:
    """Format one value for the report ('not recorded' for None)."""
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    # 4 decimals: enough that a computed duration of 4.0027 years is not shown as "4" next to "<= 4 years"
    text = f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    if unit and unit not in _NO_UNIT:
        text += f" {unit}"
    return text


@dataclass(frozen=True, slots=True)
class IconPanel:
    """One icon array: a trial's good-outcome counts per 100 patients, per arm."""

    study: str
    sentence: str
    png: bytes
    source: str


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Everything the report templates show, as plain values."""

    title: str
    assessment: Assessment
    patient_label: str
    visit_date: str
    assessed_on: str
    software_version: str
    criteria_versions: list[tuple[str, str]]
    summary: list[dict[str, Any]]
    overview: list[dict[str, Any]]
    sets: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    risks: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    icons: list[IconPanel]
    caveats: list[dict[str, Any]]


def _summary(a: Assessment) -> list[dict[str, Any]]:
    p: Patient = a.patient
    groups = []
    for heading, fields in GROUPS:
        rows = []
        for name in fields:
            unit = PARAMETERS[name][1] if name in PARAMETERS else None
            if name in a.derived:
                d = a.derived[name]
                value = d.value
                how = "" if d.interpretation in ("given", "unknown") else "computed"
            else:
                value = getattr(p, name)
                how = ""
            if value is None:
                continue
            rows.append({"label": label(name), "value": fmt_value(value, unit), "how": how})
        if rows:
            groups.append({"heading": heading, "rows": rows})
    return groups


def _rule_row(r: Result) -> dict[str, Any]:
    c = r.components
    values = "; ".join(f"{label(k)}: {fmt_value(v, PARAMETERS[k][1])}" for k, v in c["values"].items()) \
        if c["values"] else ""
    sources = c["source"] + " " + c["ref"]
    if c["via"]:
        sources += "; see also " + ", ".join(c["via"])
    return {
        "id": r.name,
        "short_id": "." + r.name.split(".", 1)[1] if "." in r.name else r.name,
        "title": c["title"],
        "kind": c["kind"],
        "condition": c["condition"],
        "interpretation": r.interpretation,
        "finding": "" if c["finding"] == r.interpretation else c["finding"],
        "css": {"met": "ok",
                "not met": "bad" if c["on_fail"] == "ineligible" and not c.get("unconfirmed_failure") else "warn",
                "unknown": "unknown"}[r.interpretation or "unknown"],
        "patient_values": values,
        "status": c["status"],
        "source": sources,
        "note": c["note"],
        "mdt": c["on_fail"] == "mdt_review",
        "review_reason": c.get("summary") or "",
        "unconfirmed_failure": bool(c.get("unconfirmed_failure")),
        "conflict": [f"{x['condition']} ({x['source']}, {x['ref']}; {x['status']})" for x in c["conflict"]],
        "missing": [f"{label(m)} ({c['examinations'].get(m, 'clinical history')})" for m in r.missing],
        "caveats": [cv.message for cv in r.caveats],
    }


def _set_entry(v: SetVerdict, a: Assessment) -> dict[str, Any]:
    from sclerostem.rules import criteria_sets

    description = next((s.description for s in criteria_sets() if s.id == v.set_id), "")
    return {
        "id": v.set_id,
        "title": v.title,
        "version": v.version,
        "kind": v.kind,
        "verdict": v.verdict,
        "css": _VERDICT_CLASS[v.verdict],
        "summary": v.summary(),
        "description": description,
        "rules": [_rule_row(r) for r in v.rules],
    }


def _missing(a: Assessment) -> list[dict[str, Any]]:
    by_exam: dict[str, dict[str, Any]] = {}
    for v in a.verdicts:
        for m in v.missing:
            e = by_exam.setdefault(m.examination, {"examination": m.examination, "parameters": [], "sets": []})
            if m.label not in e["parameters"]:
                e["parameters"].append(m.label)
            if v.set_id not in e["sets"]:
                e["sets"].append(v.set_id)
    return [by_exam[k] for k in sorted(by_exam)]


def _risks(a: Assessment) -> list[dict[str, Any]]:
    out = []
    for r in a.risks:
        c = r.components
        if r.name.startswith("risk.trm"):
            finding = "applies to every patient"
        elif r.name == "risk.older_age":
            finding = f"patient: {fmt_value(c.get('patient_value'), 'years')}"
        elif r.name == "risk.smoking":
            finding = f"patient: {fmt_value(c.get('patient_value'))}"
        elif r.name == "risk.cardiac_exclusions":
            if c["present"]:
                finding = "present: " + ", ".join(c["present"])
            elif c["unknown"]:
                finding = "unknown: needs " + ", ".join(c["examinations"])
            elif c.get("unconfirmed"):
                finding = "none confirmed"
            else:
                finding = "none found"
            if c.get("unconfirmed"):
                finding += "; under an UNCONFIRMED threshold (review): " + ", ".join(c["unconfirmed"])
        else:
            unit = "%" if r.name == "risk.lvef_below_50" else None
            finding = f"{r.interpretation} (patient: {fmt_value(c.get('patient_value'), unit)})"
        out.append({
            "title": c["title"],
            "finding": finding,
            "css": ("bad" if r.value is True else "ok" if r.value is False else "unknown") if not r.name.startswith("risk.trm")
            and r.name not in ("risk.older_age", "risk.smoking") else "neutral",
            "statement": c["statement"] if not r.name.startswith("risk.trm.") or r.name == "risk.trm.pooled"
            else "",
            "numbers": c.get("numbers") or "",
            "sources": "; ".join(r.sources),
            "caveats": [cv.message for cv in r.caveats],
        })
    return out


def _row_text(r: OutcomeRow) -> str:
    if r.measure == "count" and r.n:
        return f"{r.events}/{r.n} ({100.0 * (r.events or 0) / r.n:.0f} %)"
    if r.measure == "percent":
        return f"{r.estimate:g} %" + (f" (95 % CI {r.ci_low:g}-{r.ci_high:g})" if r.ci_low is not None else "")
    if r.measure == "hr":
        return f"HR {r.estimate:g} (95 % CI {r.ci_low:g}-{r.ci_high:g})"
    if r.estimate is not None:
        return f"{r.estimate:g}"
    return "-"


def _evidence(a: Assessment) -> list[dict[str, Any]]:
    out = []
    for te in a.evidence:
        grouped: dict[tuple[str, str, str], dict[str, Any]] = {}
        for r in te.rows:
            key = (r.outcome, r.time_label or "", r.population or "")
            g = grouped.setdefault(key, {
                "outcome": OUTCOME_LABELS.get(r.outcome) or OUTCOMES.get(r.outcome, r.outcome),
                "time": r.time_label or "",
                "population": {"itt": "ITT", "pp": "PP"}.get(r.population or "", "")
                + (" [" + {"derived": "D", "secondary": "S", "unconfirmed": "U"}.get(r.population_status.value, "?") + "]"
                   if r.population_derived and r.population_status else ""),  # status of the population itself
                "hsct": "", "control": "", "effect": "", "status": set(), "ref": r.spec_ref, "caveats": [],
            })
            text = _row_text(r)
            if r.arm == "hsct":
                g["hsct"] = text
            elif r.arm == "control":
                g["control"] = text
            else:
                g["effect"] = text
            if r.p_value and r.arm != "control":
                g["effect"] = (g["effect"] + f" P = {r.p_value}").strip()
            g["status"].add(r.status.value)
            for cv in r.caveats:  # evidence-row caveats (inferred figure panels, derived populations)
                if cv.message not in g["caveats"]:
                    g["caveats"].append(cv.message)
        rows = []
        groups = list(grouped.values())
        for i, g in enumerate(groups):
            g["status"] = ", ".join(sorted(g["status"]))
            following = groups[i + 1]["caveats"] if i + 1 < len(groups) else None
            g["row_caveats"] = g["caveats"] if g["caveats"] != following else []  # once per run of rows
            rows.append(g)
        out.append({"study": te.study, "verdict": te.verdict, "rows": rows})
    return out


@lru_cache(maxsize=16)
def _icon_png(arms: tuple[tuple[str, int], ...], outcome_label: str, time_label: str, source: str) -> bytes:
    """PNG of one icon array (cached: the trial numbers are fixed data)."""
    from sclerostem.plots._icons import icon_array_figure

    fig = icon_array_figure(list(arms), outcome_label=outcome_label, time_label=time_label, source=source)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return buf.getvalue()


def _icons(a: Assessment, with_png: bool) -> list[IconPanel]:
    from sclerostem.plots._icons import trial_icon_arms

    panels = []
    times = {"SCOT": "54m"}  # SCOT's primary end point time (hsct.md C2)
    for te in a.evidence:
        try:
            arms, outcome_label, time_label, source = trial_icon_arms(te.study, "efs", time=times.get(te.study))
        except InputError:
            continue  # no two-arm event-free survival rows for this trial (e.g. ASSIST)
        hsct, control = arms[0], arms[1]
        when, _, population = time_label.partition(", ")
        when = when[0].lower() + when[1:]
        pop = f" ({population})" if population else ""
        sentence = (f"Of 100 patients like those in {te.study}{pop}, {hsct.count} were {outcome_label} {when} "
                    f"with HSCT vs {control.count} with cyclophosphamide.")
        png = _icon_png(tuple((a_.label, a_.count) for a_ in arms), outcome_label, time_label, source) \
            if with_png else b""
        panels.append(IconPanel(te.study, sentence, png, source))
    return panels


def _caveats(a: Assessment) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for v in a.verdicts:
        for r in v.rules:
            for cv in r.caveats:
                seen.setdefault(cv.message, {"message": cv.message, "status": cv.status.value})
    for d in a.derived.values():
        for cv in d.caveats:
            seen.setdefault(cv.message, {"message": cv.message, "status": cv.status.value})
    for te in a.evidence:
        for row in te.rows:
            for cv in row.caveats:
                seen.setdefault(cv.message, {"message": cv.message, "status": cv.status.value})
    return list(seen.values())


def build_context(a: Assessment, *, with_png: bool = True) -> ReportContext:
    """Collect the report content of an assessment (icon PNGs only when ``with_png``)."""
    return ReportContext(
        title="HSCT candidacy assessment",
        assessment=a,
        patient_label=a.patient.patient_label or "(no label)",
        visit_date=a.patient.visit_date.isoformat() if a.patient.visit_date else "not recorded",
        assessed_on=a.assessed_on.isoformat(),
        software_version=a.software_version,
        criteria_versions=list(a.criteria_versions.items()),
        summary=_summary(a),
        overview=[{"id": v.set_id, "title": v.title, "version": v.version, "verdict": v.verdict,
                   "css": _VERDICT_CLASS[v.verdict], "summary": v.summary()} for v in a.verdicts],
        sets=[_set_entry(v, a) for v in a.verdicts],
        missing=_missing(a),
        risks=_risks(a),
        evidence=_evidence(a),
        icons=_icons(a, with_png),
        caveats=_caveats(a),
    )
