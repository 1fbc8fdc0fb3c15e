"""Response and event definitions used in HSCT-for-SSc trials and EUSTAR analyses.

Source: spec scores.md §10, built on Walker UA, Saketkoo LA, Distler O.
"Haematopoietic stem cell transplantation in systemic sclerosis." RMD Open
2018;4:e000533, Table 1 (trial outcome definitions) and the EUSTAR analyses cited
there. Each definition is a named :class:`EndpointDefinition` (trial, rule,
thresholds, source, status) so that every result says which one was applied.

* ASSIST improvement at 12 months: > 25 % fall in mRSS (if baseline mRSS
  > 14) **or** > 10 % rise in FVC [SECONDARY: review tables, hsct.md §C4 —
  RDCNA-2015, Walker-2018]. With a baseline mRSS ≤ 14 the skin arm is not
  applicable and only the FVC arm decides. Whether the FVC rise is relative
  or in percentage points is not stated in the spec: read as relative (caveat).
* ASSIST progression (> 25 % mRSS rise or > 10 % FVC fall) [UNCONFIRMED].
* Significant FVC decline ≥ 10 % relative (EUSTAR analyses) [CONFIRMED, PMC6517861].

ASTIS event-free survival and the SCOT global rank composite score are
time-to-event / pairwise-comparison outcomes over a cohort, not per-visit rules;
their organ-failure thresholds are UNCONFIRMED (spec §10) and are not
implemented here. The EUSTAR skin improvement/progression rules are in
:func:`~sclerostem.scores.mrss_change`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import polars as pl

from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column
from sclerostem.scores._definitions import resolve_definition
from sclerostem.scores._models import ColumnModel
from sclerostem.scores._mrss import ASSIST_MIN_BASELINE_EXCLUSIVE

__all__ = [
    "COLUMNS",
    "ENDPOINT_DEFINITIONS",
    "EndpointDefinition",
    "EndpointInputs",
    "response_endpoint",
    "score_frame",
]

_SRC_WALKER = "Walker2018_RMDOpen_4_e000533 Table 1"
_SRC_ASSIST = f"{_SRC_WALKER}; RDCNA-2015 (hsct.md §C4)"
_SRC_EUSTAR_FVC = "EUSTAR FVC decline >= 10 % relative (PMC6517861)"

Arm = tuple[Literal["mrss", "fvc"], Literal["fall", "rise"], float, bool]


@dataclass(frozen=True, slots=True)
class EndpointDefinition:
    """A per-patient response or event rule comparing baseline and follow-up.

    Attributes
    ----------
    name : str
        Identifier; the table output column is ``response_<name>``.
    trial : str
        Trial or registry that defined it.
    rule : str
        The rule in words.
    arms : tuple of (measure, direction, relative threshold, strict)
        Conditions joined by OR; each compares the relative change
        (follow-up − baseline) / baseline of ``"mrss"`` or ``"fvc"`` with the
        threshold (a fraction), ``strict`` meaning "more than".
    source : str
        Citation key.
    status : Evidence
        Confirmation status of the rule.
    note : str or None
        Caveat shown with every result.
    mrss_applies_above_baseline : int or None
        The mRSS arm applies only when the baseline mRSS is strictly above this
        value (ASSIST: 14, hsct.md §C4); otherwise it is *not applicable* and
        left out of the OR (the other arms decide).
    """

    name: str
    trial: str
    rule: str
    arms: tuple[Arm, ...]
    source: str
    status: Evidence
    note: str | None = None
    mrss_applies_above_baseline: int | None = None


#: Endpoint definitions of spec §10 that can be evaluated per patient.
ENDPOINT_DEFINITIONS: dict[str, EndpointDefinition] = {
    d.name: d
    for d in (
        EndpointDefinition(
            "assist_improvement", "ASSIST (Burt 2011)",
            "improvement at 12 months: mRSS fall > 25 % (if baseline mRSS > 14) or FVC rise > 10 %",
            (("mrss", "fall", 0.25, True), ("fvc", "rise", 0.10, True)),
            _SRC_ASSIST, Evidence.SECONDARY,
            "Read in secondary review tables only (hsct.md §C4 [S]). The mRSS arm applies only if "
            "baseline mRSS > 14. The FVC arm (> 10 % rise) is read as a relative change of FVC % "
            "predicted; the source table does not say whether it is relative or in percentage "
            "points.",
            mrss_applies_above_baseline=ASSIST_MIN_BASELINE_EXCLUSIVE,
        ),
        EndpointDefinition(
            "assist_progression", "ASSIST (Burt 2011)",
            "progression: mRSS rise > 25 % or FVC fall > 10 %",
            (("mrss", "rise", 0.25, True), ("fvc", "fall", 0.10, True)),
            "Burt2011_Lancet_ASSIST", Evidence.UNCONFIRMED,
            "UNCONFIRMED: the ASSIST progression rule was not found in any retrieved source "
            "(spec §10); treat it as a parameter, not a published rule.",
        ),
        EndpointDefinition(
            "eustar_fvc_decline", "EUSTAR",
            "significant FVC decline: fall of at least 10 % (relative) in FVC % predicted",
            (("fvc", "fall", 0.10, False),),
            _SRC_EUSTAR_FVC, Evidence.CONFIRMED,
        ),
    )
}

_FIELDS: tuple[Column, ...] = (
    Column("baseline_mrss_total", "int", 0, 51, "points",
           description="mRSS total at the baseline visit", source=_SRC_WALKER),
    Column("followup_mrss_total", "int", 0, 51, "points",
           description="mRSS total at follow-up (CRISS, ASSIST response)", source=_SRC_WALKER),
    Column("baseline_fvc_percent_predicted", "float", 10.0, 200.0, "% predicted",
           description="FVC % predicted at baseline", source=_SRC_WALKER),
    Column("followup_fvc_percent_predicted", "float", 10.0, 200.0, "% predicted",
           description="FVC % predicted at follow-up", source=_SRC_WALKER),
)

#: Table columns read by :func:`score_frame` (shared with the CRISS module).
COLUMNS: tuple[Column, ...] = _FIELDS


@dataclass(frozen=True, slots=True)
class EndpointInputs(ColumnModel):
    """Baseline and follow-up measures for the §10 endpoint rules; ``None`` = not recorded.

    Attributes
    ----------
    baseline_mrss_total, followup_mrss_total : int or None
        mRSS totals, points 0–51.
    baseline_fvc_percent_predicted, followup_fvc_percent_predicted : float or None
        FVC in % of predicted (10–200), from one reference equation for both visits.
    """

    FIELDS: ClassVar[tuple[Column, ...]] = _FIELDS

    baseline_mrss_total: int | None = None
    followup_mrss_total: int | None = None
    baseline_fvc_percent_predicted: float | None = None
    followup_fvc_percent_predicted: float | None = None


def _arm_met(arm: Arm, base: float | None, fu: float | None) -> bool | None:
    """One arm: ``True``/``False``, ``None`` if a value is missing (scalar twin of the table path)."""
    _, direction, threshold, strict = arm
    if base is None or fu is None:
        return None
    if base == 0:  # only the mRSS can be 0: a rise from 0 is unbounded, a fall impossible
        return direction == "rise" and fu > 0
    rel = (fu - base) / base
    size = -rel if direction == "fall" else rel
    return size > threshold if strict else size >= threshold


def response_endpoint(
    inputs: EndpointInputs, *, definition: str | EndpointDefinition = "assist_improvement"
) -> Result:
    """Evaluate a trial response/event definition of spec §10 for one patient.

    Parameters
    ----------
    inputs : EndpointInputs
        Baseline and follow-up mRSS and FVC % predicted.
    definition : str or EndpointDefinition
        ``"assist_improvement"``, ``"assist_progression"`` (UNCONFIRMED) or
        ``"eustar_fvc_decline"``, or a custom definition.

    Returns
    -------
    Result
        ``value``: ``True`` (met), ``False`` (not met) or ``None`` (unknown).
        Arms are joined by OR: one arm met is enough even if the other arm's
        data are missing; "not met" needs every applicable arm evaluated. An
        arm outside its scope (ASSIST mRSS arm with baseline mRSS ≤ 14) is
        not applicable: it is left out, reported as
        ``components["mrss_fall_applicable"] = False`` with a caveat.
        ``interpretation``: ``"met"``, ``"not met"`` or ``"unknown"``.
        ``components``: each arm's relative change and result.

    References
    ----------
    .. [1] Walker UA, Saketkoo LA, Distler O. Haematopoietic stem cell
       transplantation in systemic sclerosis. RMD Open 2018;4:e000533, Table 1.
    .. [2] Burt RK et al. Lancet 2011;378:498–506 (ASSIST); primary end point
       as given in ``shared/spec/hsct.md`` §C4 [SECONDARY: RDCNA-2015,
       Walker-2018].

    Examples
    --------
    >>> r = response_endpoint(EndpointInputs(baseline_mrss_total=20, followup_mrss_total=14))
    >>> (r.value, r.interpretation)
    (True, 'met')
    """
    defn = resolve_definition(definition, ENDPOINT_DEFINITIONS, EndpointDefinition)
    v = inputs.recorded()
    components: dict[str, object] = {"definition": defn.name, "trial": defn.trial,
                                     "rule": defn.rule}
    results: list[bool | None] = []
    missing: list[str] = []
    caveats: list[Caveat] = []
    if defn.note:
        caveats.append(Caveat(f"response.{defn.name}", defn.note, defn.source, defn.status))
    for arm in defn.arms:
        measure = "mrss_total" if arm[0] == "mrss" else "fvc_percent_predicted"
        base, fu = v[f"baseline_{measure}"], v[f"followup_{measure}"]
        missing += [f"{p}_{measure}" for p, x in (("baseline", base), ("followup", fu)) if x is None]
        floor = defn.mrss_applies_above_baseline if arm[0] == "mrss" else None
        rel = None if base is None or fu is None or base == 0 else (fu - base) / base
        components[f"{arm[0]}_relative_change"] = rel
        if floor is not None and base is not None and base <= floor:
            # arm not applicable: left out of the OR (hsct.md §C4 "if baseline mRSS > 14")
            components[f"{arm[0]}_{arm[1]}_met"] = None
            components[f"{arm[0]}_{arm[1]}_applicable"] = False
            caveats.append(Caveat(
                f"response.{defn.name}.mrss_arm_not_applicable",
                f"The mRSS arm applies only if baseline mRSS > {floor}; baseline here: {base:g}. "
                "It is left out and the other arm(s) decide.",
                defn.source, defn.status,
            ))
            continue
        met = _arm_met(arm, base, fu)
        components[f"{arm[0]}_{arm[1]}_met"] = met
        results.append(met)
    value: bool | None
    if any(r is True for r in results):
        value = True
    elif results and all(r is False for r in results):
        value = False
    else:
        value = None
    if results:
        interpretation = {True: "met", False: "not met", None: "unknown"}[value]
    else:
        interpretation = "not applicable: no arm of the definition applies"
    return Result(
        name=f"response.{defn.name}",
        value=value,
        interpretation=interpretation,
        components=components,
        missing=tuple(missing),
        caveats=tuple(caveats),
        sources=(defn.source,),
        unit=None,
    )


def score_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Vectorised :func:`response_endpoint` for every definition.

    Returns one Boolean column ``response_<name>`` per entry of
    :data:`ENDPOINT_DEFINITIONS` (null = unknown or not applicable); same results as the one-visit
    function (relative changes computed with numpy, as in Python).
    """
    def arr(name: str) -> np.ndarray:
        return df.get_column(name).cast(pl.Float64).fill_null(np.nan).to_numpy()

    data = {m: (arr(f"baseline_{c}"), arr(f"followup_{c}"))
            for m, c in (("mrss", "mrss_total"), ("fvc", "fvc_percent_predicted"))}
    out = []
    for name, defn in ENDPOINT_DEFINITIONS.items():
        any_true = np.zeros(df.height, dtype=bool)
        all_false = np.ones(df.height, dtype=bool)
        any_applicable = np.zeros(df.height, dtype=bool)
        for measure, direction, threshold, strict in defn.arms:
            base, fu = data[measure]
            known = ~np.isnan(base) & ~np.isnan(fu)
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = (fu - base) / np.where(base == 0, 1.0, base)
            size = -rel if direction == "fall" else rel
            met = size > threshold if strict else size >= threshold
            met = np.where(base == 0, (direction == "rise") & (fu > 0), met) & known
            floor = defn.mrss_applies_above_baseline if measure == "mrss" else None
            if floor is not None:  # not applicable (baseline <= floor): arm left out
                applicable = ~(base <= floor)  # NaN baseline stays applicable (unknown)
                met &= applicable
                known = known | ~applicable
            else:
                applicable = np.ones(df.height, dtype=bool)
            any_applicable |= applicable
            any_true |= met
            all_false &= known & ~met
        all_false &= any_applicable
        code = np.where(any_true, 0, np.where(all_false, 1, 2))
        labels = pl.Series([True, False, None], dtype=pl.Boolean)
        out.append(labels.gather(code).alias(f"response_{name}"))
    return pl.DataFrame(out, height=df.height)
