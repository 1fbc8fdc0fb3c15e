"""2013 ACR/EULAR classification criteria for systemic sclerosis.

Source: van den Hoogen F, Khanna D, Fransen J, et al. Arthritis Rheum
2013;65(11):2737–47, doi:10.1002/art.38098, PMC3930146 — criteria table
(items, weights, "count only the higher score" domains, caps, sufficient
criterion, threshold ≥ 9) [CONFIRMED, spec scores.md §2]. Items count if ever
present [SECONDARY, French recommendations table, spec §2].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl

from sclerostem.errors import ConsistencyError
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column
from sclerostem.scores._models import ColumnModel

__all__ = ["COLUMNS", "AcrEular2013Items", "acr_eular_2013", "score_frame"]

_SRC = "vandenHoogen2013_ArthritisRheum_65_2737 criteria table (PMC3930146)"

#: Classification threshold: total ≥ 9 [CONFIRMED, spec §2 step 4].
THRESHOLD = 9
#: Weight of the sufficient criterion [CONFIRMED, spec §2 table].
SUFFICIENT_WEIGHT = 9
SUFFICIENT = "skin_thickening_proximal_to_mcp_ever"

#: Domains (only the highest item of a domain counts) and item weights
#: [CONFIRMED, spec §2 table]. Maximum without the sufficient criterion: 19.
DOMAINS: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    ("finger_skin_thickening", (("puffy_fingers_ever", 2), ("sclerodactyly_ever", 4))),
    ("fingertip_lesions", (("digital_tip_ulcers_ever", 2), ("fingertip_pitting_scars_ever", 3))),
    ("telangiectasia", (("telangiectasia_ever", 2),)),
    ("abnormal_nailfold_capillaries", (("abnormal_nailfold_capillaries_ever", 2),)),
    ("pah_or_ild", (("pah_ever", 2), ("ild_ever", 2))),
    ("raynaud_phenomenon", (("raynaud_ever", 3),)),
    ("ssc_autoantibodies", (
        ("anti_centromere_positive", 3),
        ("anti_topoisomerase_i_positive", 3),
        ("anti_rna_polymerase_iii_positive", 3),
    )),
)

#: Interpretation when an applicability exclusion (``ssc_like_disorder`` or
#: ``skin_thickening_spares_fingers``) is not recorded: the criteria might not
#: apply, so no classification is made (points stay in ``components``).
UNDETERMINED = "undetermined: applicability not recorded"

_EXCLUSION = "ssc_like_disorder"
_SPARES = "skin_thickening_spares_fingers"


def _b(name: str, description: str) -> Column:
    return Column(name, "bool", description=description, source=_SRC)


_ITEM_TEXT = {
    SUFFICIENT: "ever skin thickening of the fingers of both hands extending proximal to the MCP "
                "joints (sufficient criterion, 9 points)",
    "puffy_fingers_ever": "ever puffy fingers (2 points; finger-thickening domain, higher item counts)",
    "sclerodactyly_ever": "ever sclerodactyly, distal to MCP and proximal to PIP (4 points)",
    "digital_tip_ulcers_ever": "ever digital tip ulcers (2 points; fingertip domain, higher item counts)",
    "fingertip_pitting_scars_ever": "ever fingertip pitting scars (3 points)",
    "telangiectasia_ever": "ever scleroderma-pattern telangiectasia (2 points)",
    "abnormal_nailfold_capillaries_ever": "ever abnormal nailfold capillaries (2 points)",
    "pah_ever": "ever pulmonary arterial hypertension on right-heart catheter (2 points; PAH/ILD max 2)",
    "ild_ever": "ever interstitial lung disease (2 points; PAH/ILD max 2)",
    "raynaud_ever": "ever Raynaud phenomenon (3 points)",
    "anti_centromere_positive": "anticentromere antibody or centromere ANA pattern positive "
                                "(3 points; antibodies max 3)",
    "anti_topoisomerase_i_positive": "anti-topoisomerase I (anti-Scl-70) positive (3 points)",
    "anti_rna_polymerase_iii_positive": "anti-RNA polymerase III positive (3 points)",
    _EXCLUSION: "an SSc-like disorder better explains the findings (nephrogenic sclerosing fibrosis, "
                "generalized morphea, eosinophilic fasciitis, ...): criteria not applicable",
    _SPARES: "skin thickening spares the fingers: criteria not applicable",
}

_ITEM_NAMES: tuple[str, ...] = (
    SUFFICIENT, *(item for _, items in DOMAINS for item, _ in items), _EXCLUSION, _SPARES,
)

#: Table columns read by :func:`score_frame` (same names as the model fields).
COLUMNS: tuple[Column, ...] = tuple(_b(n, _ITEM_TEXT[n]) for n in _ITEM_NAMES)


@dataclass(frozen=True, slots=True)
class AcrEular2013Items(ColumnModel):
    """Items of the 2013 ACR/EULAR criteria, each ``True``/``False``/``None``.

    Items are "ever present" (history counts). ``None`` means not recorded and
    is never read as absent. See :data:`COLUMNS` for each field's meaning.
    """

    FIELDS: ClassVar[tuple[Column, ...]] = COLUMNS

    skin_thickening_proximal_to_mcp_ever: bool | None = None
    puffy_fingers_ever: bool | None = None
    sclerodactyly_ever: bool | None = None
    digital_tip_ulcers_ever: bool | None = None
    fingertip_pitting_scars_ever: bool | None = None
    telangiectasia_ever: bool | None = None
    abnormal_nailfold_capillaries_ever: bool | None = None
    pah_ever: bool | None = None
    ild_ever: bool | None = None
    raynaud_ever: bool | None = None
    anti_centromere_positive: bool | None = None
    anti_topoisomerase_i_positive: bool | None = None
    anti_rna_polymerase_iii_positive: bool | None = None
    ssc_like_disorder: bool | None = None
    skin_thickening_spares_fingers: bool | None = None

    def __post_init__(self) -> None:
        ColumnModel.__post_init__(self)
        if self.skin_thickening_spares_fingers:
            for name in (SUFFICIENT, "sclerodactyly_ever"):
                if getattr(self, name):
                    raise ConsistencyError(_SPARES, True, _spares_allowed(name))


def _spares_allowed(name: str) -> str:
    return f"False or empty when {name} is True (finger thickening contradicts sparing)"


def acr_eular_2013(items: AcrEular2013Items) -> Result:
    """2013 ACR/EULAR classification criteria for systemic sclerosis.

    Total = 9 for the sufficient criterion (skin thickening of the fingers of
    both hands proximal to the MCPs) + the highest item of each domain; an SSc
    classification needs a total ≥ 9. Not applicable when an SSc-like disorder
    explains the findings or skin thickening spares the fingers.

    Parameters
    ----------
    items : AcrEular2013Items
        The 13 items and 2 applicability flags; ``None`` = not recorded.

    Returns
    -------
    Result
        ``value``: total points (0–28; the sufficient criterion alone gives 9),
        or ``None`` when missing items could change it, the criteria are not
        applicable, or applicability is not recorded. ``interpretation``:
        ``"classified"`` (total ≥ 9), ``"not classified"``,
        ``"not applicable"``, ``"unknown"`` (missing items could decide either
        way) or ``"undetermined: applicability not recorded"`` (either
        exclusion flag, ``ssc_like_disorder`` or
        ``skin_thickening_spares_fingers``, is ``None`` and neither is
        ``True``: the criteria may not apply, so no classification is made;
        the points are still given in ``components``). Because a missing item
        can only add points, ``"classified"`` is reported when the recorded
        items already reach 9, and ``"not classified"`` when even all missing
        items could not. ``components``: points per domain (``None`` if
        undetermined), ``points_known`` and ``points_max_possible``,
        ``classified`` (``None`` unless decided and applicable).

    Notes
    -----
    The spec (§2 step 2) allows reporting either 9 or 9 + the other items when
    the sufficient criterion is met; this function reports 9 + the other
    domains (each item of the published table adds its weight), so the total is
    monotone in every item. The classification is the same either way.

    References
    ----------
    .. [1] van den Hoogen F, Khanna D, Fransen J, et al. 2013 classification
       criteria for systemic sclerosis: an American College of
       Rheumatology/European League Against Rheumatism collaborative
       initiative. Arthritis Rheum 2013;65(11):2737–47. doi:10.1002/art.38098
       (criteria table).

    Examples
    --------
    >>> r = acr_eular_2013(AcrEular2013Items(
    ...     skin_thickening_proximal_to_mcp_ever=False, puffy_fingers_ever=True,
    ...     sclerodactyly_ever=True, digital_tip_ulcers_ever=False,
    ...     fingertip_pitting_scars_ever=False, telangiectasia_ever=False,
    ...     abnormal_nailfold_capillaries_ever=False, pah_ever=False, ild_ever=False,
    ...     raynaud_ever=True, anti_centromere_positive=True,
    ...     anti_topoisomerase_i_positive=False, anti_rna_polymerase_iii_positive=False,
    ...     ssc_like_disorder=False, skin_thickening_spares_fingers=False))
    >>> (r.value, r.interpretation)
    (10, 'classified')
    """
    v = items.recorded()
    missing = items.missing_fields()
    caveats: list[Caveat] = []
    if v[_EXCLUSION] is None:
        caveats.append(Caveat(
            "acr_eular_2013.exclusions_not_recorded",
            "Whether an SSc-like disorder explains the findings was not recorded; the criteria "
            "apply only when none does.", _SRC, Evidence.CONFIRMED))
    if v[_SPARES] is None:
        caveats.append(Caveat(
            "acr_eular_2013.finger_sparing_not_recorded",
            "Whether skin thickening spares the fingers was not recorded; the criteria do not apply "
            "when it does.", _SRC, Evidence.CONFIRMED))
    if v[_EXCLUSION] or v[_SPARES]:
        return Result("acr_eular_2013", None, "not applicable", {"classified": None}, missing,
                      tuple(caveats), (_SRC,), "points")
    applicability_known = v[_EXCLUSION] is not None and v[_SPARES] is not None

    components: dict[str, object] = {}
    suff = v[SUFFICIENT]
    lo = SUFFICIENT_WEIGHT if suff is True else 0
    hi = SUFFICIENT_WEIGHT if suff is not False else 0
    components["sufficient_criterion"] = lo if lo == hi else None
    for domain, domain_items in DOMAINS:
        d_lo = max(w if v[name] is True else 0 for name, w in domain_items)
        d_hi = max(w if v[name] is not False else 0 for name, w in domain_items)
        components[domain] = d_lo if d_lo == d_hi else None
        lo += d_lo
        hi += d_hi
    components["points_known"] = lo
    components["points_max_possible"] = hi
    classified: bool | None
    if not applicability_known:
        # unknown stays unknown: the criteria may not apply at all (spec §2 exclusions)
        classified = None
        interpretation = UNDETERMINED
    else:
        classified = True if lo >= THRESHOLD else False if hi < THRESHOLD else None
        interpretation = {True: "classified", False: "not classified", None: "unknown"}[classified]
    components["classified"] = classified
    return Result(
        name="acr_eular_2013",
        value=lo if lo == hi and applicability_known else None,
        interpretation=interpretation,
        components=components,
        missing=missing,
        caveats=tuple(caveats),
        sources=(_SRC,),
        unit="points",
    )


# --------------------------------------------------------------------------- table
def _pts(name: str, weight: int, missing_as: bool) -> pl.Expr:
    """Points of one item, a missing item counted as ``missing_as``."""
    return pl.col(name).fill_null(missing_as).cast(pl.Int64) * weight


def _total(missing_as: bool) -> pl.Expr:
    """Lowest (missing = absent) or highest (missing = present) possible total."""
    return pl.sum_horizontal(
        _pts(SUFFICIENT, SUFFICIENT_WEIGHT, missing_as),
        *(pl.max_horizontal([_pts(n, w, missing_as) for n, w in items]) for _, items in DOMAINS),
    )


def _check_consistency(df: pl.DataFrame) -> None:
    for name in (SUFFICIENT, "sclerodactyly_ever"):
        bad = df.select(pl.arg_where(pl.col(_SPARES) & pl.col(name)).first()).item()
        if bad is not None:
            raise ConsistencyError(_SPARES, True, _spares_allowed(name), row=int(bad) + 1)


def score_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Vectorised :func:`acr_eular_2013` for a validated, coerced visits table.

    Returns ``acr_eular_2013_points`` (Int64, null when not computable),
    ``acr_eular_2013_classified`` (Boolean, null when unknown, not
    applicable or applicability not recorded) and ``acr_eular_2013_status``
    (the interpretation text), exactly as :func:`acr_eular_2013`.
    """
    _check_consistency(df)
    lo, hi, na, undet = pl.col("_lo"), pl.col("_hi"), pl.col("_na"), pl.col("_undet")
    not_applicable = pl.col(_EXCLUSION).fill_null(False) | pl.col(_SPARES).fill_null(False)
    unrecorded = pl.col(_EXCLUSION).is_null() | pl.col(_SPARES).is_null()
    return (
        df.lazy()
        .select(_total(False).alias("_lo"), _total(True).alias("_hi"), not_applicable.alias("_na"),
                (~not_applicable & unrecorded).alias("_undet"))
        .select(
            pl.when(~na & ~undet & (lo == hi)).then(lo).alias("acr_eular_2013_points"),
            pl.when(na | undet).then(None)
            .when(lo >= THRESHOLD).then(True)
            .when(hi < THRESHOLD).then(False)
            .alias("acr_eular_2013_classified"),
            pl.when(na).then(pl.lit("not applicable"))
            .when(undet).then(pl.lit(UNDETERMINED))
            .when(lo >= THRESHOLD).then(pl.lit("classified"))
            .when(hi < THRESHOLD).then(pl.lit("not classified"))
            .otherwise(pl.lit("unknown"))
            .alias("acr_eular_2013_status"),
        )
        .collect()
    )
