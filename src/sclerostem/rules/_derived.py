"""Derived inputs of the candidacy rules, computed by the scores engine.

The rules read age, disease duration, mRSS total, cutaneous subset and the
2013 ACR/EULAR classification. Each may be typed in directly or computed from
its raw inputs by :mod:`sclerostem.scores`; when both are present they must
agree (:class:`~sclerostem.errors.ConsistencyError` otherwise) and the rules
read the computed value.

Disease duration is passed to the rules unrounded (rounding 4.0027 years to
4.0 would meet "<= 4 years"); reports round it for display only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

from sclerostem.errors import ConsistencyError, UnknownFieldError
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores import (
    MRSS_SITES,
    AcrEular2013Items,
    acr_eular_2013,
    disease_duration,
    leroy_subset,
    mrss,
)

if TYPE_CHECKING:
    from sclerostem.rules._patient import Patient

__all__ = ["DURATION_TOLERANCE_YEARS", "completed_years", "derived_inputs", "duration_thresholds", "rule_values"]

#: Largest accepted gap between a typed disease duration and the one computed from the dates.
DURATION_TOLERANCE_YEARS = 0.005  #: half the last digit of a 2-decimal duration (about 1.8 days)

_SUBSET_CODE = {"dcSSc": "diffuse", "lcSSc": "limited", "none": "sine"}
_ACR_ITEMS = tuple(c.name for c in AcrEular2013Items.FIELDS)


def completed_years(born: date, on: date) -> int:
    """Age in completed years (age at the last birthday) on a date."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@cache
def duration_thresholds() -> tuple[float, ...]:
    """Every disease-duration threshold encoded in the shipped criteria sets (years, sorted).

    A typed duration may not lie on the other side of any of them from the
    duration computed from the dates.
    """
    # imported here: the criteria module loads Patient, which imports this module
    from sclerostem.rules._criteria import AllOf, AnyOf, Leaf, criteria_sets

    found: set[float] = set()

    def walk(c: Any) -> None:
        if isinstance(c, Leaf):
            if c.parameter == "disease_duration_years" and isinstance(c.threshold, int | float):
                found.add(float(c.threshold))
        elif isinstance(c, AllOf | AnyOf):
            for part in c.conditions:
                walk(part)

    for cs in criteria_sets():
        for rule in cs.rules:
            walk(rule.condition)
            for alt in rule.conflict:
                walk(alt.condition)
    return tuple(sorted(found))


def _check_typed_duration(typed: float, computed: float) -> None:
    """A typed duration must match the dates (tolerance) and fall on the same side of every threshold."""
    where = f"the duration from date_first_non_raynaud_symptom and visit_date ({computed:.4f} years)"
    if abs(typed - computed) > DURATION_TOLERANCE_YEARS:
        raise ConsistencyError("disease_duration_years", typed, f"{where}, or leave it empty")
    for t in duration_thresholds():
        if (typed < t) != (computed < t) or (typed <= t) != (computed <= t):
            raise ConsistencyError(
                "disease_duration_years", typed,
                f"{where}, or leave it empty: the typed value lies on the other side of the "
                f"{t:g}-year criteria threshold")


def _given(name: str, value: Any, unit: str | None = None) -> Result:
    return Result(name=name, value=value, interpretation="given", unit=unit)


def _check_names(field: str, names: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in names:
        if key not in allowed:
            raise UnknownFieldError(f"{field}.{key}", names[key], "one of " + ", ".join(allowed))


def derived_inputs(p: Patient) -> dict[str, Result]:
    """Compute (or echo) the derived inputs of the rules, each as a :class:`Result`.

    Parameters
    ----------
    p : Patient
        The patient.

    Returns
    -------
    dict of str to Result
        Keys ``age_years``, ``disease_duration_years``, ``mrss_total``,
        ``cutaneous_subset``, ``acr_eular_2013_classified``,
        ``prior_cyclophosphamide_total_months`` and ``prior_alkylating_agent``.
        ``interpretation`` says whether the value was ``"given"`` or
        ``"computed"``; ``value`` is ``None`` when neither is possible.

    Raises
    ------
    ConsistencyError
        When a given value contradicts the one computed from raw inputs.
    UnknownFieldError
        An unknown mRSS site or ACR/EULAR item name.

    References
    ----------
    .. [1] shared/spec/scores.md §1 (mRSS), §2 (2013 ACR/EULAR), §7 (LeRoy subset,
       disease duration from the first non-Raynaud manifestation).
    """
    out: dict[str, Result] = {}

    # age
    if p.age_years is not None:
        out["age_years"] = _given("age_years", p.age_years, "years")
    elif p.date_of_birth is not None and p.visit_date is not None:
        out["age_years"] = Result("age_years", completed_years(p.date_of_birth, p.visit_date),
                                  "computed from date_of_birth and visit_date (completed years)", unit="years")
    else:
        out["age_years"] = Result("age_years", None, "unknown", missing=("age_years",), unit="years")

    # disease duration (scores.disease_duration)
    computed = disease_duration(p.visit_date, p.date_first_non_raynaud_symptom) \
        if p.visit_date is not None and p.date_first_non_raynaud_symptom is not None else None
    if computed is not None and computed.value is not None:  # dates win over a typed value
        years = float(computed.value)
        how = "computed from date_first_non_raynaud_symptom and visit_date (scores.disease_duration)"
        if p.disease_duration_years is not None:
            _check_typed_duration(p.disease_duration_years, years)
            how += f"; the typed {p.disease_duration_years:g} years agrees"
        out["disease_duration_years"] = Result(
            "disease_duration_years", years, how, components={"days": computed.components.get("days")},
            caveats=computed.caveats, sources=computed.sources, unit="years")
    elif p.disease_duration_years is not None:
        out["disease_duration_years"] = _given("disease_duration_years", p.disease_duration_years, "years")
    else:
        out["disease_duration_years"] = Result("disease_duration_years", None, "unknown",
                                               missing=("disease_duration_years",), unit="years")

    # mRSS total and LeRoy subset (scores.mrss, scores.leroy_subset)
    sites_total: int | None = None
    subset_code: str | None = None
    subset_result: Result | None = None
    if p.mrss_sites is not None:
        _check_names("mrss_sites", p.mrss_sites, MRSS_SITES)
        total_result = mrss(p.mrss_sites)
        sites_total = total_result.value if isinstance(total_result.value, int) else None
        subset_result = leroy_subset(p.mrss_sites, skin_thickening_back=p.skin_thickening_back)
        subset_code = _SUBSET_CODE.get(str(subset_result.components.get("subset")))
        if p.mrss_total is not None and sites_total is not None and sites_total != p.mrss_total:
            raise ConsistencyError("mrss_total", p.mrss_total,
                                   f"the sum of mrss_sites ({sites_total}), or leave mrss_total empty")
        if p.mrss_total is None:
            out["mrss_total"] = Result("mrss_total", sites_total,
                                       "computed from mrss_sites (scores.mrss)" if sites_total is not None
                                       else "unknown", components=dict(total_result.components),
                                       missing=total_result.missing, caveats=total_result.caveats,
                                       sources=total_result.sources, unit="points")
    if "mrss_total" not in out:
        out["mrss_total"] = _given("mrss_total", p.mrss_total, "points") if p.mrss_total is not None else \
            Result("mrss_total", None, "unknown", missing=("mrss_total",), unit="points")

    if p.cutaneous_subset is not None:
        if subset_code is not None and subset_code != p.cutaneous_subset:
            raise ConsistencyError("cutaneous_subset", p.cutaneous_subset,
                                   f"{subset_code!r} (the subset given by mrss_sites), or leave it empty")
        out["cutaneous_subset"] = _given("cutaneous_subset", p.cutaneous_subset)
    elif subset_result is not None and subset_code is not None:
        caveats = subset_result.caveats
        if subset_code == "sine":
            caveats = (*caveats, Caveat(
                "rules.subset_sine",
                "No skin thickening on any mRSS site: treated as SSc sine scleroderma (not diffuse) by the rules.",
                "scores.md §7", Evidence.DERIVED))
        out["cutaneous_subset"] = Result("cutaneous_subset", subset_code,
                                         "computed from mrss_sites (scores.leroy_subset)",
                                         caveats=caveats, sources=subset_result.sources)
    else:
        missing = subset_result.missing if subset_result is not None else ("cutaneous_subset",)
        out["cutaneous_subset"] = Result("cutaneous_subset", None, "unknown", missing=missing)

    # 2013 ACR/EULAR classification (scores.acr_eular_2013)
    if p.acr_eular_2013_items is not None:
        _check_names("acr_eular_2013_items", p.acr_eular_2013_items, _ACR_ITEMS)
        acr = acr_eular_2013(AcrEular2013Items.from_mapping(p.acr_eular_2013_items))
        classified = acr.components.get("classified")
        if acr.interpretation == "not applicable":
            classified = False
        if p.acr_eular_2013_classified is not None and classified is not None \
                and classified != p.acr_eular_2013_classified:
            raise ConsistencyError(
                "acr_eular_2013_classified", p.acr_eular_2013_classified,
                f"{str(classified).lower()} (the result of acr_eular_2013_items: {acr.interpretation}), "
                "or leave it empty")
        if p.acr_eular_2013_classified is None:
            out["acr_eular_2013_classified"] = Result(
                "acr_eular_2013_classified", classified,
                f"computed from acr_eular_2013_items (scores.acr_eular_2013): {acr.interpretation}",
                components=dict(acr.components), missing=acr.missing if classified is None else (),
                caveats=acr.caveats, sources=acr.sources)
    if "acr_eular_2013_classified" not in out:
        value = p.acr_eular_2013_classified
        out["acr_eular_2013_classified"] = _given("acr_eular_2013_classified", value) if value is not None \
            else Result("acr_eular_2013_classified", None, "unknown", missing=("acr_eular_2013_classified",))

    # cyclophosphamide: IV + oral months (SCOT: "oral + IV combined > 6 months")
    iv, oral = p.prior_cyclophosphamide_iv_months, p.prior_cyclophosphamide_oral_months
    if iv is not None and oral is not None:
        out["prior_cyclophosphamide_total_months"] = Result(
            "prior_cyclophosphamide_total_months", iv + oral,
            "computed: prior_cyclophosphamide_iv_months + prior_cyclophosphamide_oral_months", unit="months")
    else:
        out["prior_cyclophosphamide_total_months"] = Result(
            "prior_cyclophosphamide_total_months", None, "unknown",
            missing=tuple(n for n, v in (("prior_cyclophosphamide_iv_months", iv),
                                         ("prior_cyclophosphamide_oral_months", oral)) if v is None),
            unit="months")

    # alkylating agent: any cyclophosphamide received implies it
    if p.prior_alkylating_agent is not None:
        out["prior_alkylating_agent"] = _given("prior_alkylating_agent", p.prior_alkylating_agent)
    else:
        cyc = [n for n in ("prior_cyclophosphamide_iv_courses", "prior_cyclophosphamide_iv_months",
                           "prior_cyclophosphamide_iv_cumulative_g", "prior_cyclophosphamide_iv_cumulative_g_m2",
                           "prior_cyclophosphamide_oral_months") if (getattr(p, n) or 0) > 0]
        out["prior_alkylating_agent"] = Result(
            "prior_alkylating_agent", True if cyc else None,
            f"computed: {cyc[0]} > 0 (cyclophosphamide is an alkylating agent)" if cyc else "unknown",
            missing=() if cyc else ("prior_alkylating_agent",))
    return out


def rule_values(p: Patient, derived: Mapping[str, Result]) -> dict[str, Any]:
    """Every rule parameter's value: the patient's scalar fields overlaid with the derived inputs."""
    values: dict[str, Any] = {name: getattr(p, name) for name in type(p).model_fields}
    for name, result in derived.items():
        values[name] = result.value
    return values
