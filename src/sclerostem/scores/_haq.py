"""HAQ-DI (Stanford Health Assessment Questionnaire disability index) and SHAQ scales.

Every clinical number here comes from ``shared/spec/scores.md`` §5:

* 20 items in 8 categories, each item 0-3 (0 without any difficulty, 1 with
  some difficulty, 2 with much difficulty, 3 unable to do) [CONFIRMED - Stanford
  20-item form].
* Category score = highest answered item; aids/devices and/or help from another
  person raise a category score of 0 or 1 to 2; HAQ-DI = sum of category scores
  / number of categories answered, computable only with >= 6 of 8 categories
  [CONFIRMED - LOINC 75874-8 and the ARAMIS conventions].
* The "alternative disability index" (HAQ-ADI) skips the aids/devices step
  [CONFIRMED - Khanna D et al., PMID 18085737].
* Disability bands 0-1.00 no-to-mild, 1.01-2.00 moderate, 2.01-3.00 severe
  [CONFIRMED - PMID 18085737].
* SHAQ: six visual analogue scales, each a 15 cm line scored 0-3 by dividing
  the cm value by 5 [SECONDARY - two secondary sources citing Steen & Medsger,
  Arthritis Rheum 1997;40(11):1984-91].

Unknown stays unknown: an item left ``None`` is not answered; an aids flag left
``None`` is not recorded and is never read as "no aid" (see :func:`haq_di`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import polars as pl

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import InputTypeError, UnknownFieldError
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column
from sclerostem.scores._models import ColumnModel

__all__ = [
    "COLUMNS",
    "HAQ_AIDS_FIELDS",
    "HAQ_CATEGORIES",
    "SHAQ_SCALES",
    "HaqDiItems",
    "haq_di",
    "haq_di_band",
    "score_frame",
    "shaq_vas",
]

HAQ_SOURCE = (
    "Fries1980-HAQ / Bruce2003-HAQ: Stanford 20-item HAQ-DI and ARAMIS scoring conventions; "
    "LOINC 75874-8 (spec scores.md §5)"
)
HAQ_BANDS_SOURCE = "Khanna2007-HAQ-SSc: PMID 18085737 (aids/devices in SSc; disability bands)"
SHAQ_SOURCE = "Steen1997-SHAQ: Arthritis Rheum 1997;40(11):1984-91 (via secondary sources; spec scores.md §5)"

#: Item fields of each HAQ-DI category, in the order of the Stanford form (spec §5 table).
HAQ_CATEGORIES: Mapping[str, tuple[str, ...]] = {
    "dressing": ("dress_self", "shampoo_hair"),
    "arising": ("stand_from_chair", "get_in_out_of_bed"),
    "eating": ("cut_meat", "lift_cup_to_mouth", "open_milk_carton"),
    "walking": ("walk_outdoors_flat", "climb_five_steps"),
    "hygiene": ("wash_dry_body", "take_tub_bath", "get_on_off_toilet"),
    "reach": ("reach_object_above_head", "bend_pick_up_clothing"),
    "grip": ("open_car_doors", "open_opened_jars", "turn_taps"),
    "activities": ("run_errands_shop", "get_in_out_of_car", "do_chores"),
}
#: One "aids/devices and/or help from another person" flag per category.
HAQ_AIDS_FIELDS: Mapping[str, str] = {cat: f"aids_or_help_{cat}" for cat in HAQ_CATEGORIES}

ITEM_MAX = 3  #: item scale 0-3 [CONFIRMED, spec §5]
AIDS_RAISE_TO = 2  #: aids/devices raise a category score of 0 or 1 to 2 [CONFIRMED, spec §5]
MIN_CATEGORIES = 6  #: at least 6 of 8 categories answered [CONFIRMED, spec §5]
BAND_MILD_MAX = 1.0  #: 0-1.00 no-to-mild disability [CONFIRMED, PMID 18085737]
BAND_MODERATE_MAX = 2.0  #: 1.01-2.00 moderate, 2.01-3.00 severe [CONFIRMED, PMID 18085737]

#: SHAQ visual analogue scales (spec §5, SECONDARY).
SHAQ_SCALES: tuple[str, ...] = (
    "pain",
    "gastrointestinal",
    "breathing",
    "raynauds",
    "digital_ulcers",
    "overall_severity",
)
SHAQ_VAS_MAX_CM = 15.0  #: 15 cm line [SECONDARY, spec §5]
SHAQ_CM_PER_POINT = 5.0  #: score 0-3 = cm / 5 [SECONDARY, spec §5]

Variant = Literal["HAQ-DI", "HAQ-ADI"]
_VARIANTS: tuple[str, ...] = ("HAQ-DI", "HAQ-ADI")


#: One-visit model fields: the 20 items (0-3) then the 8 aids/help flags.
_FIELDS: tuple[Column, ...] = (
    *(
        Column(item, "int", 0, ITEM_MAX, "points",
               description=f"HAQ-DI item '{item}' ({cat}): 0 no difficulty - 3 unable to do",
               source=HAQ_SOURCE)
        for cat, items in HAQ_CATEGORIES.items()
        for item in items
    ),
    *(
        Column(flag, "bool",
               description=f"HAQ-DI: aids/devices or help from another person used ({cat})",
               source=HAQ_SOURCE)
        for cat, flag in HAQ_AIDS_FIELDS.items()
    ),
)


@dataclass(frozen=True, slots=True)
class HaqDiItems(ColumnModel):
    """Answers to the 20 HAQ-DI items and the 8 aids/help flags of one visit.

    Each item is an integer 0-3 (0 without any difficulty, 1 with some
    difficulty, 2 with much difficulty, 3 unable to do) over the past week, or
    ``None`` when not answered. Each ``aids_or_help_<category>`` flag is
    ``True`` when an aid/device or help from another person is used for that
    category, ``False`` when the patient said none is used, and ``None`` when
    the question was not recorded. Help from another person counts for every
    category, including activities (which has no device), and permanent home
    adaptations count as devices [SECONDARY, ARAMIS conventions, spec §5].

    Use :meth:`from_mapping` to build one from a dict with name checking.
    """

    FIELDS: ClassVar[tuple[Column, ...]] = _FIELDS

    dress_self: int | None = None
    shampoo_hair: int | None = None
    stand_from_chair: int | None = None
    get_in_out_of_bed: int | None = None
    cut_meat: int | None = None
    lift_cup_to_mouth: int | None = None
    open_milk_carton: int | None = None
    walk_outdoors_flat: int | None = None
    climb_five_steps: int | None = None
    wash_dry_body: int | None = None
    take_tub_bath: int | None = None
    get_on_off_toilet: int | None = None
    reach_object_above_head: int | None = None
    bend_pick_up_clothing: int | None = None
    open_car_doors: int | None = None
    open_opened_jars: int | None = None
    turn_taps: int | None = None
    run_errands_shop: int | None = None
    get_in_out_of_car: int | None = None
    do_chores: int | None = None
    aids_or_help_dressing: bool | None = None
    aids_or_help_arising: bool | None = None
    aids_or_help_eating: bool | None = None
    aids_or_help_walking: bool | None = None
    aids_or_help_hygiene: bool | None = None
    aids_or_help_reach: bool | None = None
    aids_or_help_grip: bool | None = None
    aids_or_help_activities: bool | None = None


def haq_di_band(score: float) -> str:
    """Disability band of a HAQ-DI score (0-3).

    References
    ----------
    Khanna D et al., PMID 18085737: 0-1.00 no-to-mild, 1.01-2.00 moderate,
    2.01-3.00 severe disability [CONFIRMED, spec scores.md §5].
    """
    if score <= BAND_MILD_MAX:
        return "no-to-mild disability"
    if score <= BAND_MODERATE_MAX:
        return "moderate disability"
    return "severe disability"


def haq_di(items: HaqDiItems, *, variant: Variant = "HAQ-DI") -> Result:
    """Compute the HAQ disability index of one visit.

    Parameters
    ----------
    items : HaqDiItems
        The 20 item answers (0-3 or ``None``) and the 8 aids/help flags.
    variant : {"HAQ-DI", "HAQ-ADI"}
        ``"HAQ-DI"`` (default) applies the aids/devices rule; ``"HAQ-ADI"``
        (alternative disability index) does not. Always recorded in the result.

    Returns
    -------
    Result
        ``value`` is the index in points (0-3; ``None`` when not computable),
        ``components`` hold each category score, the categories answered and
        the categories raised by the aids rule.

    Notes
    -----
    Category score = highest answered item (unanswered items are ignored; a
    category without any answered item is not answered). With ``"HAQ-DI"``, a
    category whose highest item is 0 or 1 is raised to 2 when its aids/help
    flag is ``True``; when that flag is ``None`` the category score is unknown
    (it could be the item maximum or 2), so the index is not computable and the
    flag is listed in ``missing`` - unknown is never read as "no aid". The
    HAQ-ADI value is then still given in ``components["haq_adi"]``.

    The index is the sum of category scores divided by the number of categories
    answered, and needs at least 6 of the 8 categories.

    References
    ----------
    .. [1] Fries JF et al. Arthritis Rheum 1980;23:137-45.
    .. [2] Bruce B, Fries JF. J Rheumatol 2003;30:167-78; Stanford "HAQ
       Instructions (ARAMIS)" 2009; LOINC 75874-8 (scoring rules).
    .. [3] Khanna D et al. PMID 18085737 (aids/devices in SSc; HAQ-ADI; bands).

    Examples
    --------
    >>> r = haq_di(HaqDiItems(dress_self=1, stand_from_chair=0, cut_meat=2,
    ...     walk_outdoors_flat=1, wash_dry_body=0, reach_object_above_head=1,
    ...     open_car_doors=3, run_errands_shop=0, aids_or_help_dressing=True,
    ...     aids_or_help_arising=False, aids_or_help_eating=False,
    ...     aids_or_help_walking=True, aids_or_help_hygiene=False,
    ...     aids_or_help_reach=False, aids_or_help_grip=False,
    ...     aids_or_help_activities=False))
    >>> r.value
    1.25
    """
    if not isinstance(items, HaqDiItems):
        raise InputTypeError("items", items, "a HaqDiItems")
    check_choice("variant", variant, _VARIANTS)
    use_aids = variant == "HAQ-DI"
    missing: list[str] = []
    categories: dict[str, int | None] = {}
    raised: list[str] = []
    unknown_aids: list[str] = []
    plain_sum = 0
    answered = 0
    for cat, fields in HAQ_CATEGORIES.items():
        values = [getattr(items, f) for f in fields]
        missing.extend(f for f, v in zip(fields, values, strict=True) if v is None)
        given = [v for v in values if v is not None]
        if not given:
            categories[cat] = None
            continue
        answered += 1
        top = max(given)
        plain_sum += top
        score: int | None = top
        if use_aids and top < AIDS_RAISE_TO:
            aid = getattr(items, HAQ_AIDS_FIELDS[cat])
            if aid is None:
                unknown_aids.append(HAQ_AIDS_FIELDS[cat])
                score = None
            elif aid:
                raised.append(cat)
                score = AIDS_RAISE_TO
        categories[cat] = score
    missing.extend(unknown_aids)

    name = "haq_di" if use_aids else "haq_adi"
    components: dict[str, Any] = {
        "variant": variant,
        **{f"category_{cat}": score for cat, score in categories.items()},
        "categories_answered": answered,
        "raised_by_aids": tuple(raised),
    }
    caveats: list[Caveat] = []
    value: float | None = None
    if answered < MIN_CATEGORIES:
        caveats.append(
            Caveat(
                "haq.too_few_categories",
                f"Only {answered} of 8 categories answered; HAQ-DI needs at least {MIN_CATEGORIES}.",
                HAQ_SOURCE,
                Evidence.CONFIRMED,
            )
        )
    else:
        adi = plain_sum / answered
        if use_aids:
            components["haq_adi"] = adi
        if unknown_aids:
            caveats.append(
                Caveat(
                    "haq.aids_not_recorded",
                    "Aids/devices or help not recorded for a category scored 0 or 1 ("
                    + ", ".join(unknown_aids)
                    + "); the category could be 2, so HAQ-DI is not computable. "
                    "Record the flags, or use variant='HAQ-ADI' (no aids rule).",
                    HAQ_SOURCE,
                    Evidence.CONFIRMED,
                )
            )
        else:
            total = sum(s for s in categories.values() if s is not None)
            components["sum"] = total
            value = total / answered
    return Result(
        name=name,
        value=value,
        interpretation=haq_di_band(value) if value is not None else None,
        components=components,
        missing=tuple(missing),
        caveats=tuple(caveats),
        sources=(HAQ_SOURCE, HAQ_BANDS_SOURCE),
        unit="points (0-3)",
    )


def shaq_vas(scale: str, vas_cm: float | None) -> Result:
    """Score one SHAQ visual analogue scale (15 cm line) on 0-3.

    Parameters
    ----------
    scale : str
        One of :data:`SHAQ_SCALES` (pain, gastrointestinal, breathing,
        raynauds, digital_ulcers, overall_severity).
    vas_cm : float or None
        Mark position in cm from the left end of the 15 cm line (0-15), or
        ``None`` when not recorded. Lines of another length (e.g. 100 mm) are
        not converted: no conversion is given in the source.

    Returns
    -------
    Result
        ``value`` = ``vas_cm / 5`` in points (0-3).

    References
    ----------
    .. [1] Steen VD, Medsger TA Jr. Arthritis Rheum 1997;40(11):1984-91
       (SHAQ) - scale list and the cm/5 scoring read in secondary sources only
       [SECONDARY, spec scores.md §5].
    """
    if scale not in SHAQ_SCALES:
        raise UnknownFieldError("scale", scale, "one of " + ", ".join(repr(s) for s in SHAQ_SCALES))
    field = f"shaq_{scale}_vas_cm"
    cm = check_number(field, vas_cm, 0, SHAQ_VAS_MAX_CM, unit="cm")
    caveat = Caveat(
        "shaq.secondary",
        "SHAQ scale list and cm/5 scoring read only in secondary sources; no validated SHAQ "
        "total exists, so each scale is reported on its own.",
        SHAQ_SOURCE,
        Evidence.SECONDARY,
    )
    value = None if cm is None else cm / SHAQ_CM_PER_POINT
    return Result(
        name=f"shaq_{scale}",
        value=value,
        components={"vas_cm": cm},
        missing=(field,) if cm is None else (),
        caveats=(caveat,),
        sources=(SHAQ_SOURCE,),
        unit="points (0-3)",
    )


# --------------------------------------------------------------------------- table path

#: Table columns: the model fields prefixed ``haq_``, then the SHAQ scales.
COLUMNS: tuple[Column, ...] = (
    *(dataclasses.replace(c, name=f"haq_{c.name}") for c in _FIELDS),
    *(
        Column(f"shaq_{scale}_vas_cm", "float", 0, SHAQ_VAS_MAX_CM, "cm",
               description=f"SHAQ {scale.replace('_', ' ')} VAS, cm on a 15 cm line",
               source=SHAQ_SOURCE)
        for scale in SHAQ_SCALES
    ),
)

#: Output columns of :func:`score_frame`, in order.
OUTPUT_COLUMNS: tuple[str, ...] = (
    "haq_di",
    "haq_di_computable",
    "haq_di_band",
    "haq_adi",
    "haq_categories_answered",
    *(f"shaq_{scale}" for scale in SHAQ_SCALES),
)


def score_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Vectorised HAQ-DI, HAQ-ADI and SHAQ scales for every row of a visits table.

    Parameters
    ----------
    df : polars.DataFrame
        Visits table holding every column of :data:`COLUMNS`, already checked
        by :func:`~sclerostem.scores._columns.validate_frame` and cast by
        :func:`~sclerostem.scores._columns.coerce_frame` (as
        :func:`~sclerostem.scores.score_table` does; null = not recorded).

    Returns
    -------
    polars.DataFrame
        Same row count, columns :data:`OUTPUT_COLUMNS`; the same numbers as
        :func:`haq_di` (variant ``"HAQ-DI"`` and ``"HAQ-ADI"``) and :func:`shaq_vas`.
    """
    # category maxima (n x 8, nan = category not answered) and aid flags, then numpy
    top = df.select(
        pl.max_horizontal([pl.col(f"haq_{i}") for i in items]).cast(pl.Float64).fill_null(np.nan).alias(cat)
        for cat, items in HAQ_CATEGORIES.items()
    ).to_numpy()
    flags = df.select(pl.col(f"haq_{f}") for f in HAQ_AIDS_FIELDS.values())
    aid = flags.select(pl.all().fill_null(False)).to_numpy()
    aid_known = flags.select(pl.all().is_not_null()).to_numpy()
    answered = ~np.isnan(top)
    top0 = np.where(answered, top, 0.0)
    below = answered & (top0 < AIDS_RAISE_TO)
    n = answered.sum(axis=1)
    enough = n >= MIN_CATEGORIES
    plain = top0.sum(axis=1)
    aided = plain + ((AIDS_RAISE_TO - top0) * (below & aid)).sum(axis=1)
    undetermined = (below & ~aid_known).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        adi = np.where(enough, plain / n, np.nan)
        di = np.where(enough & ~undetermined, aided / n, np.nan)
        shaq = [
            pl.Series(f"shaq_{scale}", df.get_column(f"shaq_{scale}_vas_cm").fill_null(np.nan).to_numpy() / SHAQ_CM_PER_POINT)
            .fill_nan(None)
            for scale in SHAQ_SCALES
        ]
    haq = pl.col("haq_di")
    band = (
        pl.when(haq <= BAND_MILD_MAX)
        .then(pl.lit(haq_di_band(BAND_MILD_MAX)))
        .when(haq <= BAND_MODERATE_MAX)
        .then(pl.lit(haq_di_band(BAND_MODERATE_MAX)))
        .when(haq.is_not_null())
        .then(pl.lit(haq_di_band(ITEM_MAX)))
    )
    return pl.DataFrame(
        [
            pl.Series("haq_di", di).fill_nan(None),
            pl.Series("haq_adi", adi).fill_nan(None),
            pl.Series("haq_categories_answered", n.astype(np.int8)),
            *shaq,
        ],
        height=df.height,
    ).with_columns(haq.is_not_null().alias("haq_di_computable"), band.alias("haq_di_band")).select(
        OUTPUT_COLUMNS
    )
