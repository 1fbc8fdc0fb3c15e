"""Revised EUSTAR disease activity index (2017).

Source: Valentini G, Iudici M, Walker UA, et al. Ann Rheum Dis 2017;76(1):270–6,
doi:10.1136/annrheumdis-2016-209768, PMID 27621285 — item weights, range 0–10
and activity cut-off ≥ 2.5 read in the official abstract [CONFIRMED, spec
scores.md §3a]. The continuous skin variant (0.084 × mRSS when mRSS ≤ 18) is
[UNCONFIRMED] and opt-in only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import polars as pl

from sclerostem.errors import InputError
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column
from sclerostem.scores._models import ColumnModel
from sclerostem.scores._mrss import SITE_COLUMNS, mrss_total_expr

__all__ = ["COLUMNS", "EustarActivityInputs", "eustar_activity_index", "score_frame"]

_SRC = "Valentini2017_ARD_76_270 abstract (PMID 27621285)"

#: Item weights [CONFIRMED, abstract PMID 27621285, spec §3a table].
W_SKIN_WORSENING = 1.5
W_MRSS = 1.5
W_DIGITAL_ULCERS = 1.5
W_TENDON_FRICTION_RUBS = 2.25
W_CRP = 2.25
W_DLCO = 1.0
#: Cut-points, all strict [CONFIRMED, spec §3a]: mRSS > 18, CRP > 1 mg/dL, DLCO < 70 %.
MRSS_CUT = 18
CRP_CUT_MG_DL = 1.0
DLCO_CUT_PERCENT = 70.0
#: Active disease: index ≥ 2.5 [CONFIRMED].
ACTIVE_CUT = 2.5
#: Slope of the continuous skin variant [UNCONFIRMED — Norwegian clinical page, spec §3a].
CONTINUOUS_SKIN_SLOPE = 0.084

Variant = Literal["binary", "continuous_skin"]

_FIELDS: tuple[Column, ...] = (
    Column("skin_worsening_patient_last_month", "bool",
           description="patient reports worsening of the skin during the previous month "
                       "(EUSTAR-AI Δ-skin, 1.5 points)", source=_SRC),
    Column("mrss_total", "int", 0, 51, "points",
           description="mRSS total (EUSTAR-AI: > 18 gives 1.5 points)", source=_SRC),
    Column("digital_ulcers_current", "bool",
           description="digital ulcers present at the visit (EUSTAR-AI, 1.5 points)", source=_SRC),
    Column("tendon_friction_rubs_current", "bool",
           description="tendon friction rubs present at the visit (EUSTAR-AI, 2.25 points)",
           source=_SRC),
    Column("crp_mg_dl", "float", 0, 50, "mg/dL",
           description="C-reactive protein in mg/dL (mg/L ÷ 10; EUSTAR-AI: > 1 mg/dL gives 2.25 points)",
           source=_SRC),
    Column("dlco_percent_predicted", "float", 0, 200, "% predicted",
           description="DLCO in % of predicted (EUSTAR-AI: < 70 % gives 1.0 point)", source=_SRC),
)

#: Table columns read by :func:`score_frame`. The mRSS comes from the 17 site
#: columns of the mRSS module (``mrss_face`` ...), not from an input column.
COLUMNS: tuple[Column, ...] = (*SITE_COLUMNS, *(c for c in _FIELDS if c.name != "mrss_total"))


@dataclass(frozen=True, slots=True)
class EustarActivityInputs(ColumnModel):
    """Inputs of the revised EUSTAR activity index; ``None`` = not recorded.

    Attributes
    ----------
    skin_worsening_patient_last_month : bool or None
        Patient-judged worsening of the skin over the previous month.
    mrss_total : int or None
        Modified Rodnan skin score, points 0–51.
    digital_ulcers_current : bool or None
        Digital ulcers at the visit.
    tendon_friction_rubs_current : bool or None
        Tendon friction rubs at the visit.
    crp_mg_dl : float or None
        C-reactive protein, mg/dL (0–50); divide mg/L by 10.
    dlco_percent_predicted : float or None
        DLCO, % of predicted (0–200).
    """

    FIELDS: ClassVar[tuple[Column, ...]] = _FIELDS

    skin_worsening_patient_last_month: bool | None = None
    mrss_total: int | None = None
    digital_ulcers_current: bool | None = None
    tendon_friction_rubs_current: bool | None = None
    crp_mg_dl: float | None = None
    dlco_percent_predicted: float | None = None


def eustar_activity_index(
    inputs: EustarActivityInputs, *, variant: Variant = "binary"
) -> Result:
    """Revised EUSTAR activity index (2017), range 0–10, active if ≥ 2.5.

    Items: patient-reported skin worsening in the previous month 1.5; mRSS > 18
    1.5; digital ulcers 1.5; tendon friction rubs 2.25; CRP > 1 mg/dL 2.25;
    DLCO < 70 % predicted 1.0. Comparisons are strict.

    Parameters
    ----------
    inputs : EustarActivityInputs
        Item values; ``None`` = not recorded.
    variant : {"binary", "continuous_skin"}
        ``"binary"`` (default, the published abstract rule) or
        ``"continuous_skin"``: the mRSS item scores 0.084 × mRSS when mRSS ≤ 18.
        That variant is UNCONFIRMED and adds a caveat to the result.

    Returns
    -------
    Result
        ``value``: index in points, or ``None`` if any item is missing (no
        published missing-data rule; spec §3a). ``interpretation``:
        ``"active"`` / ``"not active"``, or ``"unknown"``. As missing items can
        only add points, ``"active"`` is reported when the recorded items
        already reach 2.5 and ``"not active"`` when all missing items together
        could not. ``components``: points per item, ``points_known``,
        ``points_max_possible``.

    References
    ----------
    .. [1] Valentini G, Iudici M, Walker UA, et al. The European Scleroderma
       Trials and Research group (EUSTAR) task force for the development of
       revised activity criteria for systemic sclerosis. Ann Rheum Dis
       2017;76(1):270–6. doi:10.1136/annrheumdis-2016-209768 (abstract).

    Examples
    --------
    >>> r = eustar_activity_index(EustarActivityInputs(   # spec §3a worked example
    ...     skin_worsening_patient_last_month=True, mrss_total=22,
    ...     digital_ulcers_current=False, tendon_friction_rubs_current=False,
    ...     crp_mg_dl=0.5, dlco_percent_predicted=62.0))
    >>> (r.value, r.interpretation)
    (4.0, 'active')
    """
    if variant not in ("binary", "continuous_skin"):
        raise InputError("variant", variant, "'binary' or 'continuous_skin'")
    v = inputs.recorded()
    items: dict[str, tuple[float, float]] = {}  # name -> (lowest, highest) points

    def flag(name: str, weight: float, present: bool | None) -> None:
        items[name] = (weight if present is True else 0.0, weight if present is not False else 0.0)

    def cut(name: str, weight: float, value: float | None, above: float | None, below: float | None) -> None:
        if value is None:
            items[name] = (0.0, weight)
        else:
            hit = value > above if above is not None else value < below  # type: ignore[operator]
            items[name] = (weight, weight) if hit else (0.0, 0.0)

    flag("skin_worsening_patient_last_month", W_SKIN_WORSENING, v["skin_worsening_patient_last_month"])
    m = v["mrss_total"]
    if variant == "continuous_skin" and m is not None and m <= MRSS_CUT:
        items["mrss_total"] = (CONTINUOUS_SKIN_SLOPE * m,) * 2
    else:
        cut("mrss_total", W_MRSS, m, MRSS_CUT, None)
    flag("digital_ulcers_current", W_DIGITAL_ULCERS, v["digital_ulcers_current"])
    flag("tendon_friction_rubs_current", W_TENDON_FRICTION_RUBS, v["tendon_friction_rubs_current"])
    cut("crp_mg_dl", W_CRP, v["crp_mg_dl"], CRP_CUT_MG_DL, None)
    cut("dlco_percent_predicted", W_DLCO, v["dlco_percent_predicted"], None, DLCO_CUT_PERCENT)

    lo = 0.0
    hi = 0.0
    for a, b in items.values():
        lo += a
        hi += b
    missing = inputs.missing_fields()
    components: dict[str, object] = {k: (a if a == b else None) for k, (a, b) in items.items()}
    components |= {"points_known": lo, "points_max_possible": hi, "variant": variant}
    if lo >= ACTIVE_CUT:
        interpretation = "active"
    elif hi < ACTIVE_CUT:
        interpretation = "not active"
    else:
        interpretation = "unknown"
    caveats: tuple[Caveat, ...] = ()
    if variant == "continuous_skin":
        caveats = (Caveat(
            "eustar_ai.continuous_skin_unconfirmed",
            f"UNCONFIRMED variant: the mRSS item scores {CONTINUOUS_SKIN_SLOPE:g} × mRSS when "
            f"mRSS ≤ {MRSS_CUT:g}. It is not in "
            "the published abstract (which scores mRSS > 18 as 1.5, otherwise 0); check the "
            "paper's table before relying on it.",
            "bindevevssykdommer.no (spec scores.md §3a)", Evidence.UNCONFIRMED),)
    return Result(
        name="eustar_ai",
        value=lo if not missing else None,
        interpretation=interpretation,
        components=components,
        missing=missing,
        caveats=caveats,
        sources=(_SRC,),
        unit="points",
    )


def _flag(name: str, weight: float, missing_as: bool) -> pl.Expr:
    return pl.col(name).fill_null(missing_as).cast(pl.Float64) * weight


def _cut(hit: pl.Expr, weight: float, missing_as: bool) -> pl.Expr:
    return hit.fill_null(missing_as).cast(pl.Float64) * weight


def _index(missing_as: bool) -> pl.Expr:
    """Lowest (missing = absent) or highest (missing = present) possible index."""
    return pl.sum_horizontal(
        _flag("skin_worsening_patient_last_month", W_SKIN_WORSENING, missing_as),
        _cut(mrss_total_expr() > MRSS_CUT, W_MRSS, missing_as),
        _flag("digital_ulcers_current", W_DIGITAL_ULCERS, missing_as),
        _flag("tendon_friction_rubs_current", W_TENDON_FRICTION_RUBS, missing_as),
        _cut(pl.col("crp_mg_dl") > CRP_CUT_MG_DL, W_CRP, missing_as),
        _cut(pl.col("dlco_percent_predicted") < DLCO_CUT_PERCENT, W_DLCO, missing_as),
    )


def score_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Vectorised :func:`eustar_activity_index` (binary rule) for a visits table.

    The mRSS item uses the total of the 17 mRSS site columns. Returns
    ``eustar_ai`` (Float64, null if any item is missing) and ``eustar_active``
    (Boolean, null when missing items could decide either way). The item
    points are multiples of 0.25, so sums are exact in any order.
    """
    lo, hi = pl.col("_lo"), pl.col("_hi")
    return (
        df.lazy()
        .select(_index(False).alias("_lo"), _index(True).alias("_hi"))
        .select(
            pl.when(lo == hi).then(lo).alias("eustar_ai"),
            pl.when(lo >= ACTIVE_CUT).then(True).when(hi < ACTIVE_CUT).then(False)
            .alias("eustar_active"),
        )
        .collect()
    )
