"""ACR-CRISS (2016) and the revised CRISS (rCRISS) for early dcSSc trials.

Every clinical number comes from ``shared/spec/scores.md`` §4:

* ACR-CRISS [CONFIRMED - Khanna D et al. Arthritis Rheumatol 2016;68(2):299-311,
  author manuscript PMC4826472, Table 4 "Application of CRISS in a clinical
  trial"; simultaneous Arthritis Care Res 2016;68(2):167-78, PMC4818571]:
  step 1 - a new SSc renal crisis, a confirmed FVC decline >= 15 % (relative)
  with ILD and FVC < 80 %, new left-ventricular failure (LVEF <= 45 %) or new PAH
  (mPAP >= 25 mm Hg, PAWP <= 15 mm Hg, PVR > 3 Wood units) sets the probability
  to 0.0; step 2 - ``LP = -5.54 - 0.81 dmRSS + 0.21 dFVC%pred - 0.40 dPtGlobal
  - 0.44 dMDGlobal - 3.41 dHAQ-DI`` (d = follow-up - baseline, globals on
  0-10 cm VAS), probability ``exp(LP) / (1 + exp(LP))``, improved if >= 0.60.
* rCRISS [CONFIRMED: ">= 3 of 5 core measures improved by a chosen
  percentage" - Khanna D et al. Ann Rheum Dis 2021;80(5):641-50, PMID 33257497;
  SECONDARY: the two-step form and the FVC 5 % threshold (ACR Convergence 2021
  abstract 0398, 2023 abstract 1515); UNCONFIRMED: a single adopted
  percentage, FVC relative vs absolute, a worsening veto and the revised
  step-1 list - all parameters with caveats].
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import polars as pl

from sclerostem._validation import check_choice, check_number, describe_range
from sclerostem.errors import ConsistencyError, InputError, InputTypeError
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column
from sclerostem.scores._models import ColumnModel

__all__ = [
    "COLUMNS",
    "CrissStep1Events",
    "CrissVisit",
    "acr_criss",
    "criss_fvc_decline_criterion",
    "revised_criss",
    "score_frame",
]

CRISS_SOURCE = (
    "Khanna2016-CRISS: Arthritis Rheumatol 2016;68(2):299-311, doi:10.1002/art.39501 "
    "(author manuscript PMC4826472), Table 4"
)
RCRISS_SOURCE = (
    "Khanna2021-rCRISS: Ann Rheum Dis 2021;80(5):641-50, doi:10.1136/annrheumdis-2020-219100, "
    "PMID 33257497"
)
RCRISS_SECONDARY_SOURCE = (
    "Khanna2021-ACR-abstract-0398 / Khanna2023-ACR-abstract-1515 (rCRISS FVC 5 %, two-step form)"
)

# Step 2 coefficients, CONFIRMED (Khanna 2016, author manuscript Table 4; spec §4).
INTERCEPT = -5.54
COEF_MRSS = -0.81  #: per point of dmRSS (0-51 scale)
COEF_FVC = 0.21  #: per percentage point of dFVC % predicted (absolute change)
COEF_PATIENT_GLOBAL = -0.40  #: per cm of d patient global (0-10 cm VAS)
COEF_PHYSICIAN_GLOBAL = -0.44  #: per cm of d physician global (0-10 cm VAS)
COEF_HAQ = -3.41  #: per point of dHAQ-DI (0-3)
IMPROVED_MIN_PROBABILITY = 0.60  #: improved if probability >= 0.60 [CONFIRMED]

# Step-1 FVC helper, CONFIRMED (Khanna 2016 Table 4; spec §4 step 1 item 2).
FVC_STEP1_MIN_RELATIVE_DECLINE_PCT = 15.0
FVC_STEP1_BELOW_PCT_PRED = 80.0

MM_PER_CM = 10.0
#: Relative changes are rounded to this many decimals before comparison with a
#: threshold so that e.g. 1.0 -> 0.8 counts as exactly 20 % (binary floats).
CHANGE_DECIMALS = 9

# Plausible ranges of the inputs [project decision, mRSS 0-51 CONFIRMED spec §1].
MRSS_RANGE = (0, 51)
FVC_RANGE = (10.0, 200.0)
GLOBAL_CM_RANGE = (0.0, 10.0)
GLOBAL_MM_RANGE = (0.0, 100.0)
HAQ_RANGE = (0.0, 3.0)

#: Core measures, with whether a *decrease* is an improvement.
CORE_MEASURES: dict[str, bool] = {
    "mrss_total": True,
    "fvc_percent_predicted": False,
    "patient_global_vas_cm": True,
    "physician_global_vas_cm": True,
    "haq_di": True,
}
STEP1_EVENTS: tuple[str, ...] = (
    "new_renal_crisis",
    "fvc_decline_with_ild",
    "new_lv_failure",
    "new_pah",
)


_VISIT_FIELDS: tuple[Column, ...] = (
    Column("mrss_total", "int", *MRSS_RANGE, "points", description="mRSS total", source=CRISS_SOURCE),
    Column("fvc_percent_predicted", "float", *FVC_RANGE, "% predicted",
           description="FVC % predicted (one reference equation for both visits)", source=CRISS_SOURCE),
    Column("patient_global_vas_cm", "float", *GLOBAL_CM_RANGE, "cm",
           description="patient global assessment, 0-10 cm VAS", source=CRISS_SOURCE),
    Column("physician_global_vas_cm", "float", *GLOBAL_CM_RANGE, "cm",
           description="physician global assessment, 0-10 cm VAS", source=CRISS_SOURCE),
    Column("haq_di", "float", *HAQ_RANGE, "points", description="HAQ-DI", source=CRISS_SOURCE),
    Column("patient_global_vas_mm", "float", *GLOBAL_MM_RANGE, "mm",
           description="patient global assessment, 0-100 mm VAS (instead of cm)", source=CRISS_SOURCE),
    Column("physician_global_vas_mm", "float", *GLOBAL_MM_RANGE, "mm",
           description="physician global assessment, 0-100 mm VAS (instead of cm)", source=CRISS_SOURCE),
)
_EVENT_DESCRIPTIONS = {
    "new_renal_crisis": "new scleroderma renal crisis",
    "fvc_decline_with_ild": "FVC decline >= 15 % relative, confirmed, with ILD and FVC < 80 %",
    "new_lv_failure": "new left ventricular failure (LVEF <= 45 %) requiring treatment",
    "new_pah": "new PAH on right heart catheterisation requiring treatment",
}
_EVENT_FIELDS: tuple[Column, ...] = tuple(
    Column(n, "bool", description=f"CRISS step-1 event during the interval: {d}", source=CRISS_SOURCE)
    for n, d in _EVENT_DESCRIPTIONS.items()
)


@dataclass(frozen=True, slots=True)
class CrissVisit(ColumnModel):
    """Core-set measurements of one visit (baseline or follow-up).

    Attributes
    ----------
    mrss_total : int or None
        Modified Rodnan skin score, 0-51 points.
    fvc_percent_predicted : float or None
        FVC in % predicted (10-200); use one reference equation for both visits.
    patient_global_vas_cm, physician_global_vas_cm : float or None
        Patient / physician global assessment on a 0-10 cm VAS (higher = worse),
        the scale of the CRISS derivation cohort [CONFIRMED, spec §4].
    patient_global_vas_mm, physician_global_vas_mm : float or None
        The same on a 0-100 mm VAS; divided by 10 before use. Give either the
        cm or the mm field of a global, not both.
    haq_di : float or None
        HAQ-DI, 0-3 points.
    """

    mrss_total: int | None = None
    fvc_percent_predicted: float | None = None
    patient_global_vas_cm: float | None = None
    physician_global_vas_cm: float | None = None
    haq_di: float | None = None
    patient_global_vas_mm: float | None = None
    physician_global_vas_mm: float | None = None

    FIELDS: ClassVar[tuple[Column, ...]] = _VISIT_FIELDS

    def __post_init__(self) -> None:
        ColumnModel.__post_init__(self)
        for who in ("patient", "physician"):
            cm_name, mm_name = f"{who}_global_vas_cm", f"{who}_global_vas_mm"
            mm = getattr(self, mm_name)
            if getattr(self, cm_name) is not None and mm is not None:
                raise ConsistencyError(mm_name, mm, f"empty when {cm_name} is given (one scale per global)")

    def value_of(self, measure: str) -> float | None:
        """Value of a core measure in CRISS units (globals in cm)."""
        if measure.endswith("_global_vas_cm"):
            cm = getattr(self, measure)
            mm = getattr(self, measure[:-2] + "mm")
            return cm if mm is None else mm / MM_PER_CM
        return getattr(self, measure)

    @property
    def uses_mm(self) -> bool:
        """Whether a global was given on the 0-100 mm scale."""
        return self.patient_global_vas_mm is not None or self.physician_global_vas_mm is not None


@dataclass(frozen=True, slots=True)
class CrissStep1Events(ColumnModel):
    """CRISS step-1 events during the interval, attributable to SSc.

    Each is ``True`` (occurred), ``False`` (did not occur) or ``None`` (not
    recorded). The clinician adjudicates confirmation and attribution; the
    toolkit cannot. Definitions [CONFIRMED, Khanna 2016 Table 4]:

    new_renal_crisis
        New scleroderma renal crisis.
    fvc_decline_with_ild
        FVC % predicted decline >= 15 % relative, confirmed by a second FVC
        within a month, HRCT confirming ILD (if a previous HRCT did not) and
        FVC < 80 % predicted (see :func:`criss_fvc_decline_criterion`).
    new_lv_failure
        New-onset left ventricular failure (LVEF <= 45 %) requiring treatment.
    new_pah
        New-onset PAH on right heart catheterisation requiring treatment
        (mPAP >= 25 mm Hg at rest, PAWP <= 15 mm Hg, PVR > 3 Wood units).
    """

    new_renal_crisis: bool | None = None
    fvc_decline_with_ild: bool | None = None
    new_lv_failure: bool | None = None
    new_pah: bool | None = None

    FIELDS: ClassVar[tuple[Column, ...]] = _EVENT_FIELDS

    @classmethod
    def none_occurred(cls) -> CrissStep1Events:
        """All four events recorded as not having occurred."""
        return cls(False, False, False, False)

    def status(self) -> bool | None:
        """``True`` if any event occurred, ``False`` if none did, ``None`` if undecided."""
        values = [getattr(self, n) for n in STEP1_EVENTS]
        if any(v is True for v in values):
            return True
        return None if any(v is None for v in values) else False

    def missing(self) -> tuple[str, ...]:
        return tuple(n for n in STEP1_EVENTS if getattr(self, n) is None)


def _logistic(d_mrss: Any, d_fvc: Any, d_pt: Any, d_md: Any, d_haq: Any) -> tuple[Any, Any]:
    """Linear predictor and probability (numpy float64; shared by both paths)."""
    lp = (
        INTERCEPT
        + COEF_MRSS * d_mrss
        + COEF_FVC * d_fvc
        + COEF_PATIENT_GLOBAL * d_pt
        + COEF_PHYSICIAN_GLOBAL * d_md
        + COEF_HAQ * d_haq
    )
    with np.errstate(over="ignore"):
        p = 1.0 / (1.0 + np.exp(-lp))
    return lp, p


def _check_inputs(baseline: Any, follow_up: Any, events: Any, events_optional: bool) -> None:
    for name, value in (("baseline", baseline), ("follow_up", follow_up)):
        if not isinstance(value, CrissVisit):
            raise InputTypeError(name, value, "a CrissVisit")
    if not (isinstance(events, CrissStep1Events) or (events_optional and events is None)):
        raise InputTypeError("events", events, "a CrissStep1Events (CrissStep1Events() if none recorded)")


def _population_caveat() -> Caveat:
    return Caveat(
        "criss.population",
        "CRISS was developed for 1-year change in early diffuse cutaneous SSc trials; it has "
        "strong floor/ceiling effects, so read the underlying changes alongside.",
        CRISS_SOURCE,
        Evidence.CONFIRMED,
    )


def _mm_caveat() -> Caveat:
    return Caveat(
        "criss.global_mm_rescaled",
        "A global assessment given on 0-100 mm was divided by 10 to the 0-10 cm scale of the "
        "CRISS derivation cohort.",
        CRISS_SOURCE,
        Evidence.DERIVED,
    )


def acr_criss(baseline: CrissVisit, follow_up: CrissVisit, *, events: CrissStep1Events) -> Result:
    """ACR Composite Response Index in SSc (CRISS) between two visits.

    Parameters
    ----------
    baseline, follow_up : CrissVisit
        Core-set measurements at baseline and at follow-up (usually 1 year).
    events : CrissStep1Events
        Step-1 organ events during the interval (keyword-only, required: the
        index cannot be given without them; use
        :meth:`CrissStep1Events.none_occurred` when none occurred).

    Returns
    -------
    Result
        ``value`` = probability of improvement (0-1; 0.0 when a step-1 event
        occurred; ``None`` when not computable), ``interpretation`` =
        ``"improved"`` (>= 0.60) / ``"not improved"``. ``components`` hold each
        change (follow-up - baseline), the linear predictor (log-odds) and the
        step-2 probability.

    Notes
    -----
    A step-1 event gives 0.0 even if core measures are missing. If no event is
    recorded as occurred but one is not recorded, the value is ``None``; the
    interpretation is still ``"not improved"`` when step 2 alone gives < 0.60.

    References
    ----------
    .. [1] Khanna D, Berrocal VJ, Giannini EH, et al. The American College of
       Rheumatology Provisional Composite Response Index for Clinical Trials in
       Early Diffuse Cutaneous Systemic Sclerosis. Arthritis Rheumatol
       2016;68(2):299-311 (PMC4826472, Table 4); Arthritis Care Res
       2016;68(2):167-78 (PMC4818571).

    Examples
    --------
    >>> b = CrissVisit(20, 70.0, 5.0, 5.0, 1.0)
    >>> f = CrissVisit(14, 72.0, 5.0, 4.0, 0.875)
    >>> round(acr_criss(b, f, events=CrissStep1Events.none_occurred()).value, 6)
    0.647085
    """
    _check_inputs(baseline, follow_up, events, events_optional=False)
    step1 = events.status()
    missing = [f"{when}.{m}" for when, v in (("baseline", baseline), ("follow_up", follow_up))
               for m in CORE_MEASURES if v.value_of(m) is None]
    missing.extend(f"events.{n}" for n in events.missing())
    components: dict[str, Any] = {"step1": {True: "positive", False: "negative", None: "unknown"}[step1]}
    components.update({f"event_{n}": getattr(events, n) for n in STEP1_EVENTS})
    caveats = [_population_caveat()]
    if baseline.uses_mm or follow_up.uses_mm:
        caveats.append(_mm_caveat())

    deltas: dict[str, float] | None = None
    if not any(m.startswith(("baseline.", "follow_up.")) for m in missing):
        deltas = {m: follow_up.value_of(m) - baseline.value_of(m) for m in CORE_MEASURES}  # type: ignore[operator]
        lp, p = _logistic(*(np.float64(deltas[m]) for m in CORE_MEASURES))
        components.update({f"delta_{m}": d for m, d in deltas.items()})
        components["linear_predictor"] = float(lp)
        components["step2_probability"] = float(p)

    value: float | None
    if step1 is True:
        value, interpretation = 0.0, "not improved"
    elif deltas is None:
        value, interpretation = None, None
    else:
        p2 = components["step2_probability"]
        if step1 is False:
            value = p2
            interpretation = "improved" if p2 >= IMPROVED_MIN_PROBABILITY else "not improved"
        else:
            value = None
            interpretation = None if p2 >= IMPROVED_MIN_PROBABILITY else "not improved"
    return Result(
        name="acr_criss",
        value=value,
        interpretation=interpretation,
        components=components,
        missing=tuple(missing),
        caveats=tuple(caveats),
        sources=(CRISS_SOURCE,),
        unit="probability",
    )


def _round_change(x: Any) -> Any:
    return np.round(x, CHANGE_DECIMALS)


def criss_fvc_decline_criterion(
    baseline_fvc_percent_predicted: float, follow_up_fvc_percent_predicted: float
) -> Result:
    """Numeric part of CRISS step-1 item 2: FVC decline >= 15 % relative and FVC < 80 %.

    Parameters
    ----------
    baseline_fvc_percent_predicted, follow_up_fvc_percent_predicted : float
        FVC % predicted (10-200) at baseline and follow-up.

    Returns
    -------
    Result
        ``value`` True when the relative decline is >= 15 % and the follow-up
        FVC is < 80 % predicted. The full step-1 item also needs a confirming
        FVC within a month and HRCT-confirmed ILD: the clinician decides the
        flag :attr:`CrissStep1Events.fvc_decline_with_ild`.

    References
    ----------
    .. [1] Khanna D et al. Arthritis Rheumatol 2016;68(2):299-311, Table 4.
    """
    b = check_number("baseline_fvc_percent_predicted", baseline_fvc_percent_predicted, *FVC_RANGE, unit="% predicted")
    f = check_number("follow_up_fvc_percent_predicted", follow_up_fvc_percent_predicted, *FVC_RANGE, unit="% predicted")
    if b is None or f is None:
        raise InputError(
            "baseline_fvc_percent_predicted" if b is None else "follow_up_fvc_percent_predicted",
            None,
            describe_range(*FVC_RANGE, "% predicted"),
        )
    decline = float(_round_change(100.0 * (b - f) / b))
    met = decline >= FVC_STEP1_MIN_RELATIVE_DECLINE_PCT and f < FVC_STEP1_BELOW_PCT_PRED
    return Result(
        name="criss.step1_fvc_decline",
        value=met,
        interpretation="met" if met else "not met",
        components={"relative_decline_pct": decline, "follow_up_below_80": f < FVC_STEP1_BELOW_PCT_PRED},
        caveats=(
            Caveat(
                "criss.step1_fvc_adjudication",
                "Step 1 also needs a confirming FVC within a month and ILD on HRCT, attributable "
                "to SSc; set the event flag after clinical review.",
                CRISS_SOURCE,
                Evidence.CONFIRMED,
            ),
        ),
        sources=(CRISS_SOURCE,),
    )


FvcMode = Literal["relative", "absolute"]


def _item_changes(
    b: np.ndarray, f: np.ndarray, lower_is_better: bool, threshold: float, mode: str, veto: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Improved / worsened masks for one core measure (numpy, shared by both paths).

    Returns (known, improved, worsened, undefined) boolean arrays. ``undefined``
    marks a relative change from a baseline of 0.
    """
    known = ~(np.isnan(b) | np.isnan(f))
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "absolute":
            gain = _round_change(f - b)  # percentage points
            undefined = np.zeros_like(known)
        else:
            sign = -1.0 if lower_is_better else 1.0
            gain = _round_change(100.0 * sign * (f - b) / b)
            undefined = known & (b == 0)
    improved = known & ~undefined & (gain >= threshold)
    if veto is None:
        worsened = np.zeros_like(known)
    else:
        # relative worsening from a baseline of 0 is any rise
        worsened = known & np.where(undefined, f > 0, -gain >= veto)
    return known, improved, worsened, undefined


def _rcriss_decide(
    n_improved: np.ndarray,
    n_unknown: np.ndarray,
    any_worsened: np.ndarray,
    step1: np.ndarray,
    min_items: int,
    veto_on: bool,
) -> np.ndarray:
    """Responder status: 1 responder, 0 non-responder, -1 undecided (missing data).

    ``step1`` is 1 (event), 0 (none) or -1 (not recorded). Non-responder when
    ``min_items`` cannot be reached even if every unknown measure improved, when
    vetoed, or after a step-1 event; responder only when nothing unknown could
    change that.
    """
    can_reach = n_improved + n_unknown >= min_items
    reached = n_improved >= min_items
    vetoed = any_worsened if veto_on else np.zeros_like(reached)
    non = (~can_reach) | vetoed | (step1 == 1)
    sure = reached & (step1 == 0) & ((n_unknown == 0) | (not veto_on))
    return np.where(non, 0, np.where(sure, 1, -1))


def _check_threshold(field: str, value: Any, unit: str) -> float:
    """A change threshold of rCRISS: a number > 0 and ≤ 100.

    0 is refused: with a threshold of 0 an unchanged measure would count as
    improved (or, for the veto, as worsened).
    """
    allowed = f"a number greater than 0 and at most 100 ({unit})"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputTypeError(field, value, allowed)
    if not 0 < value <= 100:  # also refuses NaN
        raise InputError(field, value, allowed)
    return float(value)


def revised_criss(
    baseline: CrissVisit,
    follow_up: CrissVisit,
    *,
    events: CrissStep1Events | None = None,
    pct: float = 20.0,
    fvc_pct: float = 5.0,
    fvc_mode: FvcMode = "relative",
    min_items: int = 3,
    apply_step1: bool = True,
    worsening_veto_pct: float | None = None,
) -> Result:
    """Revised CRISS: responder if >= ``min_items`` of 5 core measures improve.

    Parameters
    ----------
    baseline, follow_up : CrissVisit
        Core-set measurements (mRSS, FVC % predicted, patient and physician
        global, HAQ-DI) at baseline and follow-up (1 year).
    events : CrissStep1Events, optional
        Step-1 events; required (not ``None``) when ``apply_step1``.
    pct : float
        Relative improvement (%) required of mRSS, HAQ-DI and both globals
        (decrease). The paper reports several cut-offs and adopts none
        [UNCONFIRMED]; 20 is a project display default (the paper's headline
        example), 25 and 30 are common sensitivity variants. Must be > 0 and
        ≤ 100: with 0 an unchanged measure would count as improved.
    fvc_pct : float
        Improvement (increase) required of FVC % predicted; 5 [SECONDARY].
        Must be > 0 and ≤ 100.
    fvc_mode : {"relative", "absolute"}
        Whether ``fvc_pct`` is % of baseline or percentage points [UNCONFIRMED].
    min_items : int
        Core measures that must improve (1-5); 3 [CONFIRMED, PMID 33257497].
    apply_step1 : bool
        Classify patients with a step-1 event as non-responders (two-step
        form, SECONDARY); the step-1 list is taken from ACR-CRISS [UNCONFIRMED].
    worsening_veto_pct : float, optional
        If given, a patient with any core measure worsened by at least this
        relative percentage (FVC per ``fvc_mode``) is a non-responder
        [UNCONFIRMED; off by default]. Must be > 0 and ≤ 100.

    Returns
    -------
    Result
        ``value`` True (responder) / False (non-responder) / None (undecided
        because of missing data), with each measure's improved flag and every parameter
        used in ``components``. A measure with baseline 0 cannot improve
        relatively; it counts as not improved and is flagged.

    References
    ----------
    .. [1] Khanna D, Huang S, Lin CJF, Spino C. Ann Rheum Dis
       2021;80(5):641-50 (PMID 33257497).
    .. [2] Khanna D et al. ACR Convergence 2021 abstract 0398; ACR
       Convergence 2023 abstract 1515 (two-step form, FVC 5 %).
    """
    _check_inputs(baseline, follow_up, events, events_optional=True)
    _check_threshold("pct", pct, "%")
    _check_threshold("fvc_pct", fvc_pct, "% or percentage points")
    check_choice("fvc_mode", fvc_mode, ("relative", "absolute"))
    check_number("min_items", min_items, 1, 5, integer=True)
    if worsening_veto_pct is not None:
        _check_threshold("worsening_veto_pct", worsening_veto_pct, "%")
    if apply_step1 and events is None:
        raise InputError("events", None, "step-1 events (CrissStep1Events) when apply_step1 is True")

    n_improved = n_unknown = 0
    any_worsened = False
    components: dict[str, Any] = {}
    flagged: list[str] = []
    missing: list[str] = []
    for m, lower_better in CORE_MEASURES.items():
        b, f = baseline.value_of(m), follow_up.value_of(m)
        if b is None:
            missing.append(f"baseline.{m}")
        if f is None:
            missing.append(f"follow_up.{m}")
        is_fvc = m == "fvc_percent_predicted"
        known, imp, wors, undef = _item_changes(
            np.array([np.nan if b is None else b], dtype=np.float64),
            np.array([np.nan if f is None else f], dtype=np.float64),
            lower_better,
            fvc_pct if is_fvc else pct,
            fvc_mode if is_fvc else "relative",
            worsening_veto_pct,
        )
        n_improved += int(imp[0])
        n_unknown += int(not known[0])
        any_worsened = any_worsened or bool(wors[0])
        if undef[0]:
            flagged.append(m)
        components[f"improved_{m}"] = bool(imp[0]) if known[0] else None
    step1 = events.status() if (apply_step1 and events is not None) else False
    if apply_step1 and events is not None:
        missing.extend(f"events.{n}" for n in events.missing())
    code = int(
        _rcriss_decide(
            np.array([n_improved]),
            np.array([n_unknown]),
            np.array([any_worsened]),
            np.array([{True: 1, False: 0, None: -1}[step1]]),
            min_items,
            worsening_veto_pct is not None,
        )[0]
    )
    value = {1: True, 0: False, -1: None}[code]
    components.update(
        items_improved=n_improved,
        items_unknown=n_unknown,
        step1={True: "positive", False: "negative", None: "unknown"}[step1] if apply_step1 else "not applied",
        pct=pct,
        fvc_pct=fvc_pct,
        fvc_mode=fvc_mode,
        min_items=min_items,
        apply_step1=apply_step1,
        worsening_veto_pct=worsening_veto_pct,
    )
    caveats = [
        Caveat(
            "rcriss.pct_not_fixed",
            f"The revised CRISS paper adopts no single improvement percentage; {pct:g} % was used.",
            RCRISS_SOURCE,
            Evidence.UNCONFIRMED,
        ),
        Caveat(
            "rcriss.fvc_threshold",
            f"FVC improvement threshold {fvc_pct:g} ({fvc_mode}); 5 % is from secondary sources and "
            "whether it is relative or absolute is not stated in them.",
            RCRISS_SECONDARY_SOURCE,
            Evidence.UNCONFIRMED,
        ),
    ]
    if apply_step1:
        caveats.append(
            Caveat(
                "rcriss.step1_list",
                "Step 1 uses the ACR-CRISS event list; the revised list was not seen in any source.",
                RCRISS_SECONDARY_SOURCE,
                Evidence.UNCONFIRMED,
            )
        )
    if worsening_veto_pct is not None:
        caveats.append(
            Caveat(
                "rcriss.worsening_veto",
                f"A worsening of >= {worsening_veto_pct:g} % in any core measure vetoes response; "
                "no such clause was found in any source.",
                RCRISS_SOURCE,
                Evidence.UNCONFIRMED,
            )
        )
    if flagged:
        caveats.append(
            Caveat(
                "rcriss.zero_baseline",
                "Baseline 0 makes a relative improvement undefined; counted as not improved: "
                + ", ".join(flagged)
                + ".",
                None,
                Evidence.DERIVED,
            )
        )
    if baseline.uses_mm or follow_up.uses_mm:
        caveats.append(_mm_caveat())
    return Result(
        name="revised_criss",
        value=value,
        interpretation={True: "responder", False: "non-responder", None: None}[value],
        components=components,
        missing=tuple(missing),
        caveats=tuple(caveats),
        sources=(RCRISS_SOURCE, RCRISS_SECONDARY_SOURCE),
    )


# --------------------------------------------------------------------------- table path

_PREFIXES = {"baseline": "CRISS baseline", "followup": "CRISS follow-up"}

#: Table columns: each visit field as ``baseline_<field>`` and ``followup_<field>``,
#: then the step-1 flags as ``criss_<event>``.
COLUMNS: tuple[Column, ...] = (
    *(
        dataclasses.replace(c, name=f"{prefix}_{c.name}", description=f"{label}: {c.description}")
        for prefix, label in _PREFIXES.items()
        for c in _VISIT_FIELDS
    ),
    *(dataclasses.replace(c, name=f"criss_{c.name}") for c in _EVENT_FIELDS),
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "criss_linear_predictor",
    "criss_probability",
    "criss_improved",
    "rcriss_responder",
)


def _frame_measure(df: pl.DataFrame, prefix: str, measure: str) -> np.ndarray:
    """One core measure as float64 (nan = missing), globals in cm; checks cm/mm clashes."""
    values = df.get_column(f"{prefix}_{measure}").cast(pl.Float64).fill_null(np.nan).to_numpy()
    if not measure.endswith("_global_vas_cm"):
        return values
    mm_name = f"{prefix}_{measure[:-2]}mm"
    mm = df.get_column(mm_name).cast(pl.Float64).fill_null(np.nan).to_numpy()
    clash = ~np.isnan(values) & ~np.isnan(mm)
    if clash.any():
        i = int(np.argmax(clash))
        raise ConsistencyError(
            mm_name, float(mm[i]), f"empty when {prefix}_{measure} is given (one scale per global)", row=i + 1
        )
    return np.where(np.isnan(mm), values, mm / MM_PER_CM)


def score_frame(
    df: pl.DataFrame,
    *,
    rcriss_pct: float = 20.0,
    rcriss_fvc_pct: float = 5.0,
    rcriss_fvc_mode: FvcMode = "relative",
    rcriss_min_items: int = 3,
) -> pl.DataFrame:
    """Vectorised ACR-CRISS and revised CRISS for every row of a visits table.

    Each row carries the baseline (``baseline_*``) and follow-up
    (``followup_*``) core measures and the four step-1 flags (``criss_*``),
    see :data:`COLUMNS`. ``df`` must hold every column of :data:`COLUMNS`,
    checked by :func:`~sclerostem.scores._columns.validate_frame` and cast by
    :func:`~sclerostem.scores._columns.coerce_frame` (as
    :func:`~sclerostem.scores.score_table` does; null = not recorded).

    Returns
    -------
    polars.DataFrame
        Same row count, columns :data:`OUTPUT_COLUMNS`: the linear predictor
        (null unless every change is known), the probability and improved flag
        exactly as :func:`acr_criss`, and the rCRISS responder flag exactly as
        :func:`revised_criss` with the given parameters (step 1 applied, no
        worsening veto).

    Raises
    ------
    ConsistencyError
        A row giving both the cm and the mm value of one global.
    InputError
        ``rcriss_pct`` or ``rcriss_fvc_pct`` not > 0 and ≤ 100 (as in
        :func:`revised_criss`).
    """
    _check_threshold("rcriss_pct", rcriss_pct, "%")
    _check_threshold("rcriss_fvc_pct", rcriss_fvc_pct, "% or percentage points")
    check_choice("rcriss_fvc_mode", rcriss_fvc_mode, ("relative", "absolute"))
    check_number("rcriss_min_items", rcriss_min_items, 1, 5, integer=True)
    base = {m: _frame_measure(df, "baseline", m) for m in CORE_MEASURES}
    foll = {m: _frame_measure(df, "followup", m) for m in CORE_MEASURES}

    ev = df.select([pl.col(f"criss_{n}") for n in STEP1_EVENTS])
    any_true = ev.select(pl.any_horizontal(pl.all()).fill_null(False)).to_series().to_numpy()
    all_known = ev.select(pl.all_horizontal(pl.all().is_not_null())).to_series().to_numpy()
    step1 = np.where(any_true, 1, np.where(all_known, 0, -1))

    lp, p = _logistic(*(foll[m] - base[m] for m in CORE_MEASURES))
    have_lp = ~np.isnan(lp)
    improved_step2 = p >= IMPROVED_MIN_PROBABILITY
    probability = np.where(step1 == 1, 0.0, np.where(step1 == 0, p, np.nan))
    improved = np.where(step1 == 1, 0, np.where(have_lp & ((step1 == 0) | ~improved_step2), improved_step2, -1))

    n_improved = np.zeros(df.height, dtype=np.int64)
    n_unknown = np.zeros(df.height, dtype=np.int64)
    for m, lower_better in CORE_MEASURES.items():
        is_fvc = m == "fvc_percent_predicted"
        known, imp, _, _ = _item_changes(
            base[m], foll[m], lower_better,
            rcriss_fvc_pct if is_fvc else rcriss_pct,
            rcriss_fvc_mode if is_fvc else "relative",
            None,
        )
        n_improved += imp
        n_unknown += ~known
    responder = _rcriss_decide(n_improved, n_unknown, np.zeros(df.height, dtype=bool), step1, rcriss_min_items, False)

    def _tri(code: np.ndarray, name: str) -> pl.Series:
        return pl.Series(name, code.astype(np.int8)).replace_strict({1: True, 0: False, -1: None}, return_dtype=pl.Boolean)

    return pl.DataFrame(
        [
            pl.Series("criss_linear_predictor", lp, dtype=pl.Float64).fill_nan(None),
            pl.Series("criss_probability", probability, dtype=pl.Float64).fill_nan(None),
            _tri(improved.astype(np.int64), "criss_improved"),
            _tri(responder, "rcriss_responder"),
        ]
    )
