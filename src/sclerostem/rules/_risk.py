"""Risk section of the candidacy assessment: published risk factors, no risk score.

Every statement and number is from ``shared/spec/hsct.md`` §D (risk) and §A1;
trial treatment-related mortality and the pooled estimate come from the
evidence dataset (:func:`sclerostem.evidence.outcome_rows`). No score is
combined from them: the published abstracts give no effect sizes that would
allow it (hsct.md §G item 5).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sclerostem.evidence import outcome_rows
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.rules._engine import SetVerdict

__all__ = ["CARDIAC_PARAMETERS", "risk_section"]

#: Parameters whose rules are cardiac exclusions (EBMT-cardio-2017: cardiac causes dominate TRM).
CARDIAC_PARAMETERS = frozenset({
    "lvef_percent", "echo_pasp_mmhg", "tapse_cm", "rhc_mpap_rest_mmhg", "rhc_mpap_fluid_challenge_mmhg",
    "rhc_mpap_exercise_mmhg", "rhc_pasp_rest_mmhg", "rhc_pasp_fluid_challenge_mmhg", "rhc_pvr_wood_units",
    "rhc_cardiac_output_rises_after_fluid", "cmr_septal_bounce_or_d_sign", "constrictive_pericarditis",
    "cardiac_tamponade", "unrevascularised_severe_cad", "untreated_severe_arrhythmia", "uncontrolled_arrhythmia",
    "symptomatic_cardiac_disease", "nyha_class", "who_functional_class", "on_pa_pressure_lowering_drugs",
})

_UNCONFIRMED_EFFECTS = Caveat(
    "risk.effect_size_unconfirmed",
    "The paper's hazard ratios and confidence intervals were not readable (abstract only); "
    "no effect size is shown for this factor.",
    "vanBijnen-2020", Evidence.UNCONFIRMED)


def _flag(present: bool | None) -> str:
    return {True: "present", False: "absent", None: "unknown"}[present]


def _pct(events: int | None, n: int | None, estimate: float | None) -> float | None:
    if estimate is not None:
        return float(estimate)
    if events is not None and n:
        return round(100.0 * events / n, 1)
    return None


def _trm_rows(study: str) -> list[Any]:
    return [r for r in outcome_rows(study, "trm") if r.arm == "hsct"]


def _twelve_month_row(rows: Sequence[Any]) -> Any | None:
    """The 12-month row of a trial's HSCT-arm TRM rows (ITT first), or ``None`` when absent.

    Trials report TRM at different time points (SCOT: 12, 54 and 72 months); the
    value of ``risk.trm.<trial>`` is always the 12-month one, so trials compare alike.
    """
    at_12 = [r for r in rows if r.time_months == 12]
    at_12.sort(key=lambda r: {"itt": 0, None: 1}.get(r.population, 2))
    return at_12[0] if at_12 else None


def risk_section(values: Mapping[str, Any], verdicts: Sequence[SetVerdict]) -> tuple[Result, ...]:
    """Published risk factors and treatment-related mortality, applied to one patient.

    Parameters
    ----------
    values : Mapping[str, Any]
        Rule parameter values of the patient (``None`` = not recorded).
    verdicts : sequence of SetVerdict
        The patient's criteria-set verdicts (for the cardiac exclusions).

    Returns
    -------
    tuple of Result
        ``risk.male_sex``, ``risk.lvef_below_50``, ``risk.older_age``,
        ``risk.smoking`` (information only), ``risk.cardiac_exclusions`` (value ``True``/``False``/``None`` = factor
        present/absent/unknown, or ``None`` with the patient's value for age),
        then ``risk.trm.pooled`` and ``risk.trm.<trial>`` (value: % at 12 months, ``None`` when the
        trial reports no 12-month row; every time point is listed in ``components["statement"]``).

    References
    ----------
    .. [1] van Bijnen S et al. Ann Rheum Dis 2020;79(8):1084 (hsct.md §D1).
    .. [2] van Bijnen S et al. EULAR 2019 abstract SAT0259 (hsct.md §D1).
    .. [3] Higashitani 2023, Mod Rheumatol 33(2):330-337 (hsct.md §D2).
    .. [4] EBMT ADWP cardiopulmonary recommendations, Bone Marrow Transplant
       2017;52(11):1495-1503 (hsct.md §A1, §D4).
    """
    out: list[Result] = []
    sex = values.get("sex")
    male = None if sex is None else sex == "male"
    out.append(Result(
        "risk.male_sex", male, _flag(male),
        components={
            "title": "Male sex",
            "statement": "Events (death or major organ failure) after HSCT were independently associated with "
                         "male sex, LVEF < 50 % and older age (Dutch cohort, n = 92, median follow-up 4.6 years); "
                         "treatment-related mortality was more frequent in men.",
            "numbers": "Conference precursor: treatment-related mortality associated with male sex, "
                       "HR 8.7 (95 % CI 1.1-68.9); 9 of the 10 treatment-related deaths in year 1 were men.",
            "patient_value": sex,
        },
        missing=("sex",) if sex is None else (),
        caveats=(_UNCONFIRMED_EFFECTS, Caveat(
            "risk.conference_numbers",
            "The HR 8.7 is from the EULAR 2019 abstract (earlier data cut, numbers differ from the paper).",
            "vanBijnen-EULAR-2019", Evidence.CONFIRMED)),
        sources=("vanBijnen-2020 (abstract)", "vanBijnen-EULAR-2019 (SAT0259)")))

    lvef = values.get("lvef_percent")
    low = None if lvef is None else lvef < 50
    out.append(Result(
        "risk.lvef_below_50", low, _flag(low),
        components={"title": "LVEF < 50 %",
                    "statement": "LVEF < 50 % was independently associated with death or major organ failure.",
                    "numbers": None, "patient_value": lvef, "examination": "echocardiography"},
        missing=("lvef_percent",) if lvef is None else (),
        caveats=(_UNCONFIRMED_EFFECTS,), sources=("vanBijnen-2020 (abstract)",), unit=None))

    age = values.get("age_years")
    out.append(Result(
        "risk.older_age", None, "no published cut-off",
        components={"title": "Older age",
                    "statement": "Older age was independently associated with death or major organ failure; "
                                 "whether age entered the model per year or as a cut-off is not known.",
                    "numbers": None, "patient_value": age},
        missing=("age_years",) if age is None else (),
        caveats=(_UNCONFIRMED_EFFECTS,), sources=("vanBijnen-2020 (abstract)",), unit="years"))

    smoking = values.get("smoking_status")
    out.append(Result(
        "risk.smoking", None, "not a published risk factor for treatment-related mortality",
        components={"title": "Smoking",
                    "statement": "In the conference precursor of the Dutch cohort, treatment-related mortality "
                                 "was not associated with smoking; EBMT-2025 asks for smoking status with the "
                                 "date of cessation in the baseline work-up.",
                    "numbers": None, "patient_value": smoking},
        missing=("smoking_status",) if smoking is None else (),
        sources=("vanBijnen-EULAR-2019 (SAT0259)", "EBMT-2025 (Table 2)")))

    present: list[str] = []
    unknown: list[str] = []
    review: list[str] = []  # not met only under an UNCONFIRMED threshold (e.g. TAPSE): not "present"
    exams: set[str] = set()
    for sv in verdicts:
        for r in sv.rules:
            if r.components.get("kind") != "exclusion":
                continue
            params = set(r.components.get("values", {}))
            if not params & CARDIAC_PARAMETERS:
                continue
            if r.value is False and r.components.get("unconfirmed_failure"):
                review.append(r.name)
            elif r.value is False:
                present.append(r.name)
            elif r.value is None:
                unknown.append(r.name)
                exams.update(r.components["examinations"].get(p, "") for p in r.missing)
    cardiac = True if present else (None if unknown or review else False)
    out.append(Result(
        "risk.cardiac_exclusions", cardiac, _flag(cardiac),
        components={"title": "Cardiac exclusions",
                    "statement": "Cardiac causes are the main cause of both transplant-related and "
                                 "non-transplant-related death in SSc; transplant-related mortality in the "
                                 "randomised trials (ASTIS, SCOT) ranged 3-10 %.",
                    "numbers": None, "present": present, "unknown": unknown, "unconfirmed": review,
                    "examinations": sorted(e for e in exams if e)},
        sources=("EBMT-cardio-2017 (abstract)",)))

    for row in outcome_rows("Higashitani-2023", "trm"):
        out.append(Result(
            "risk.trm.pooled", row.estimate, "pooled treatment-related mortality",
            components={"title": "Pooled treatment-related mortality",
                        "statement": "Meta-analysis of 22 studies (3 RCTs, 19 observational; random effects, "
                                     "700 patients); the estimated frequency has fallen over the last decade.",
                        "numbers": f"{row.estimate:.2f} % (95 % CI {row.ci_low:.2f}-{row.ci_high:.2f})",
                        "ci_low": row.ci_low, "ci_high": row.ci_high, "n": row.n},
            sources=(f"{row.study} ({row.spec_ref})",), unit="%"))

    for study in ("ASSIST", "ASTIS", "SCOT"):
        rows = _trm_rows(study)
        if not rows:
            continue
        parts = []
        for r in sorted(rows, key=lambda r: (r.time_months or 0, r.population or "")):
            pct = _pct(r.events, r.n, r.estimate)
            count = f"{r.events}/{r.n} = " if r.events is not None and r.n else ""
            pop = {"itt": " ITT", "pp": " per-protocol"}.get(r.population or "", "")
            parts.append(f"{count}{pct:g} % at {r.time_label}{pop} [{r.status.value}]")
        at_12 = _twelve_month_row(rows)
        value = _pct(at_12.events, at_12.n, at_12.estimate) if at_12 is not None else None
        out.append(Result(
            f"risk.trm.{study}", value,
            "treatment-related mortality at 12 months, HSCT arm" if at_12 is not None
            else "no 12-month treatment-related mortality reported (see statement for other time points)",
            components={"title": f"{study}: treatment-related mortality (HSCT arm)",
                        "statement": "; ".join(parts), "numbers": "; ".join(parts),
                        "time_months": 12 if at_12 is not None else None,
                        "time_label": at_12.time_label if at_12 is not None else None},
            sources=tuple(dict.fromkeys(f"{r.study} ({r.spec_ref})" for r in rows)), unit="%"))
    return tuple(out)
