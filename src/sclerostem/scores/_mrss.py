"""Modified Rodnan skin score (mRSS) and its published change definitions.

Sources (``shared/spec/scores.md`` §1 and §10):

* 17 sites, each 0–3, total 0–51 [CONFIRMED]; site names [SECONDARY] —
  Clements 1993/1995 (J Rheumatol), Khanna 2017 (J Scleroderma Relat Disord
  2(1):11–18, doi:10.5301/jsrd.5000231).
* No published imputation rule: a missing site makes the total not computable
  [project decision, spec §1 "Missing data"].
* Change thresholds: spec §1 table "Change thresholds published" and §10; the
  ASSIST skin arm with its baseline condition (baseline mRSS > 14) from
  hsct.md §C4 [SECONDARY, review tables].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import polars as pl

from sclerostem.errors import UnknownFieldError
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column, check_value
from sclerostem.scores._definitions import resolve_definition

__all__ = [
    "COLUMNS",
    "MRSS_CHANGE_DEFINITIONS",
    "MRSS_SITES",
    "MrssChangeDefinition",
    "mrss",
    "mrss_change",
    "score_frame",
]

#: The 17 scored body areas, in the order of spec §1's table (face, anterior
#: chest, abdomen, then right/left pairs from fingers to dorsum of feet).
#: Source: Khanna 2017 standardisation paper, site names SECONDARY (spec §1).
MRSS_SITES: tuple[str, ...] = (
    "face",
    "anterior_chest",
    "abdomen",
    "fingers_right",
    "fingers_left",
    "hand_dorsum_right",
    "hand_dorsum_left",
    "forearm_right",
    "forearm_left",
    "upper_arm_right",
    "upper_arm_left",
    "thigh_right",
    "thigh_left",
    "lower_leg_right",
    "lower_leg_left",
    "foot_dorsum_right",
    "foot_dorsum_left",
)

_SITE_LABEL = {
    "face": "face",
    "anterior_chest": "anterior chest",
    "abdomen": "abdomen",
    "fingers": "fingers",
    "hand_dorsum": "dorsum of hand",
    "forearm": "forearm",
    "upper_arm": "upper arm",
    "thigh": "thigh",
    "lower_leg": "lower leg",
    "foot_dorsum": "dorsum of foot",
}

_SRC_MRSS = "Khanna2017_JSRD_mRSS_standardisation; Clements1993_JRheumatol"


def _site_description(site: str) -> str:
    for stem, label in _SITE_LABEL.items():
        if site == stem:
            return f"mRSS grade, {label} (0 normal, 1 mild, 2 moderate, 3 severe thickening)"
        if site.startswith(stem + "_"):
            side = site.rsplit("_", 1)[1]
            return f"mRSS grade, {label}, {side} (0 normal, 1 mild, 2 moderate, 3 severe thickening)"
    raise KeyError(site)  # pragma: no cover - MRSS_SITES is fixed


def site_column(site: str) -> str:
    """Table column holding the grade of one mRSS site, e.g. ``mrss_face``."""
    return f"mrss_{site}"


_SITE_COLUMNS: tuple[Column, ...] = tuple(
    Column(site_column(s), "int", 0, 3, "grade", description=_site_description(s), source=_SRC_MRSS)
    for s in MRSS_SITES
)
_SITE_BY_NAME = {s: c for s, c in zip(MRSS_SITES, _SITE_COLUMNS, strict=True)}
#: The 17 site columns (also read by the EUSTAR-AI and LeRoy modules).
SITE_COLUMNS = _SITE_COLUMNS

_BASELINE = Column(
    "baseline_mrss_total", "int", 0, 51, "points",
    description="mRSS total at the baseline visit (mRSS change definitions, spec §1/§10; "
                "also the CRISS baseline)",
    source=_SRC_MRSS,
)
_TOTAL = Column("mrss_total", "int", 0, 51, "points", description="mRSS total (0–51)", source=_SRC_MRSS)

#: Table columns read by :func:`score_frame`.
COLUMNS: tuple[Column, ...] = (*_SITE_COLUMNS, _BASELINE)


# --------------------------------------------------------------------------- total
def mrss(sites: Mapping[str, int | None]) -> Result:
    """Modified Rodnan skin score: sum of 17 site grades (0–3), range 0–51.

    Parameters
    ----------
    sites : Mapping[str, int or None]
        Grade per site, keyed by the names in :data:`MRSS_SITES`
        (``"face"``, ``"fingers_right"``, ...). A site that is absent or
        ``None`` was not recorded.

    Returns
    -------
    Result
        ``value`` is the total in points, or ``None`` when any site is missing
        (no published imputation rule; the missing sites are listed in
        ``missing`` and the sum of the recorded sites is given as
        ``components["partial_total"]`` with a caveat). ``components`` holds
        the grade of each site.

    Raises
    ------
    UnknownFieldError
        A site name that is not one of the 17 sites.
    InputError, InputTypeError
        A grade that is not a whole number from 0 to 3.

    References
    ----------
    .. [1] Khanna D et al. Standardization of the modified Rodnan skin score for
       use in clinical trials of systemic sclerosis. J Scleroderma Relat Disord
       2017;2(1):11–18. doi:10.5301/jsrd.5000231 (17 sites, 0–3, total 0–51).
    .. [2] Clements PJ et al. J Rheumatol 1993;20(11):1892–6.

    Examples
    --------
    >>> r = mrss({s: 0 for s in MRSS_SITES} | {"face": 1, "fingers_right": 2})
    >>> r.value
    3
    """
    for name in sites:
        if name not in _SITE_BY_NAME:
            raise UnknownFieldError(
                "site", name, "one of the 17 mRSS sites: " + ", ".join(MRSS_SITES)
            )
    grades: dict[str, int | None] = {}
    for site in MRSS_SITES:
        grades[site] = check_value(_SITE_BY_NAME[site], sites.get(site))
    missing = tuple(s for s, g in grades.items() if g is None)
    partial = sum(g for g in grades.values() if g is not None)
    components: dict[str, object] = dict(grades)
    caveats: tuple[Caveat, ...] = ()
    if missing:
        components["partial_total"] = partial
        caveats = (
            Caveat(
                "mrss.partial",
                f"{len(missing)} of 17 sites not recorded; the total is not computable "
                f"(sum of the recorded sites: {partial}). No imputation rule is published.",
                "spec scores.md §1 (project decision)",
                Evidence.DERIVED,
            ),
        )
    return Result(
        name="mrss",
        value=None if missing else partial,
        interpretation=None,
        components=components,
        missing=missing,
        caveats=caveats,
        sources=(_SRC_MRSS,),
        unit="points",
    )


# --------------------------------------------------------------------------- change
Direction = Literal["improvement", "progression"]


@dataclass(frozen=True, slots=True)
class MrssChangeDefinition:
    """A published rule classifying a change of the mRSS between two visits.

    Δ = follow-up − baseline (spec general conventions); relative change =
    Δ / baseline.

    Attributes
    ----------
    name : str
        Identifier, also the suffix of the table output column ``mrss_<name>``.
    direction : {"improvement", "progression"}
        Improvement rules look at falls of the score, progression rules at rises.
    min_points : float or None
        Size of the change in points (absolute value) the rule requires.
    points_strict : bool
        ``True`` for "more than ``min_points``", ``False`` for "at least".
    min_relative : float or None
        Size of the relative change (fraction of baseline) the rule requires.
    relative_strict : bool
        ``True`` for "more than", ``False`` for "at least".
    window_months : tuple of float or None
        (lowest, highest) follow-up interval, in months, the rule was defined for.
    label : str
        One line for users.
    source : str
        Citation key (spec §1 / §10).
    status : Evidence
        Confirmation status of the thresholds.
    note : str or None
        Caveat shown with every result (e.g. which end of a published range is used).
    min_baseline : int or None
        Lowest baseline mRSS of the population the rule was derived in; a
        smaller baseline adds a caveat.
    applies_above_baseline : int or None
        The rule is defined only for a baseline mRSS strictly above this value
        (ASSIST: "if baseline mRSS > 14", hsct.md §C4). With a baseline at or
        below it the result is *not applicable*: ``value`` ``None`` and an
        interpretation saying why.
    """

    name: str
    direction: Direction
    min_points: float | None
    points_strict: bool
    min_relative: float | None
    relative_strict: bool
    window_months: tuple[float, float] | None
    label: str
    source: str
    status: Evidence
    note: str | None = None
    min_baseline: int | None = None
    applies_above_baseline: int | None = None


#: ASSIST skin arm applies only "if baseline mRSS > 14" [SECONDARY: hsct.md §C4,
#: RDCNA-2015 and Walker-2018 review tables].
ASSIST_MIN_BASELINE_EXCLUSIVE = 14

#: Published change definitions (spec scores.md §1 table "Change thresholds
#: published", and §10 for ASSIST). Keys are the ``definition`` argument of
#: :func:`mrss_change` and the suffix of the table columns ``mrss_<key>``.
MRSS_CHANGE_DEFINITIONS: dict[str, MrssChangeDefinition] = {
    d.name: d
    for d in (
        MrssChangeDefinition(
            "mid_2006", "improvement", 3.2, False, None, False, None,
            "fall of at least 3.2 points (lower end of the published MID range 3.2–5.3)",
            "Khanna2006_ARD_65_1325 (PMID 16540546)", Evidence.CONFIRMED,
            "The 2006 D-penicillamine MID is a range (3.2–5.3 points); its lower end is applied. "
            "Pass a custom MrssChangeDefinition to use another value.",
        ),
        MrssChangeDefinition(
            "mcid_2019", "improvement", 3.0, False, None, False, None,
            "fall of at least 3 points (lower end of the SLS MCID range 3–4, all SSc)",
            "Khanna2019_ArthritisResTher (doi:10.1186/s13075-019-1809-y)", Evidence.CONFIRMED,
            "The SLS-I/II MCID for all SSc is a range (3–4 points); its lower end is applied.",
        ),
        MrssChangeDefinition(
            "mcid_2019_dcssc", "improvement", 5.0, False, None, False, None,
            "fall of at least 5 points (SLS MCID in dcSSc)",
            "Khanna2019_ArthritisResTher (doi:10.1186/s13075-019-1809-y)", Evidence.CONFIRMED,
        ),
        MrssChangeDefinition(
            "eustar_improvement", "improvement", 5.0, True, 0.25, False, (10.0, 14.0),
            "fall of more than 5 points and at least 25 % at 12 ± 2 months",
            "Dobrota2016_ARD (PMID 27016052, doi:10.1136/annrheumdis-2015-208024) abstract",
            Evidence.CONFIRMED, None, 7,
        ),
        MrssChangeDefinition(
            "eustar_progression", "progression", 5.0, True, 0.25, False, (9.0, 15.0),
            "rise of more than 5 points and at least 25 % at 12 ± 3 months",
            "Wu2019_ARD_78_648 (doi:10.1136/annrheumdis-2018-213455)", Evidence.CONFIRMED, None, 7,
        ),
        MrssChangeDefinition(
            "assist_improvement", "improvement", None, False, 0.25, True, None,
            "fall of more than 25 % if baseline mRSS > 14 (skin arm of the ASSIST response; "
            "the FVC arm is separate)",
            "Burt2011_Lancet_ASSIST via Walker2018_RMDOpen Table 1 and RDCNA-2015 (hsct.md §C4)",
            Evidence.SECONDARY,
            "ASSIST response is '> 25 % fall in mRSS (if baseline mRSS > 14) OR > 10 % rise in FVC', "
            "read in secondary review tables only (hsct.md §C4 [S]); only the skin arm is "
            "evaluated here.",
            applies_above_baseline=ASSIST_MIN_BASELINE_EXCLUSIVE,
        ),
        MrssChangeDefinition(
            "assist_progression", "progression", None, False, 0.25, True, None,
            "rise of more than 25 % (skin arm of the ASSIST progression rule)",
            "Burt2011_Lancet_ASSIST", Evidence.UNCONFIRMED,
            "UNCONFIRMED: the ASSIST progression rule (> 25 % mRSS rise or > 10 % FVC fall) was not "
            "found in any retrieved source (spec §10); treat as a parameter, not a published rule.",
        ),
    )
}

_CHANGE_INPUT_BASE = Column("baseline", "int", 0, 51, "points")
_CHANGE_INPUT_FU = Column("follow_up", "int", 0, 51, "points")
_INTERVAL = Column("interval_months", "float", 0, 600, "months")


def _meets(defn: MrssChangeDefinition, delta: float, relative: float | None, baseline: int) -> bool:
    """Apply one definition to a change (scalar twin of :func:`_meets_expr`)."""
    sign = -1.0 if defn.direction == "improvement" else 1.0
    size = sign * delta  # positive when the change goes the rule's way
    ok = True
    if defn.min_points is not None:
        ok = ok and (size > defn.min_points if defn.points_strict else size >= defn.min_points)
    if defn.min_relative is not None:
        if baseline == 0:
            # Relative change undefined: a rise from 0 counts as an unbounded relative
            # rise; a fall from 0 is impossible (project decision, see caveat).
            ok = ok and size > 0 and defn.direction == "progression"
        else:
            rel = sign * (relative if relative is not None else 0.0)
            ok = ok and (rel > defn.min_relative if defn.relative_strict else rel >= defn.min_relative)
    return ok


def mrss_change(
    baseline: int | None,
    follow_up: int | None,
    *,
    definition: str | MrssChangeDefinition = "eustar_improvement",
    interval_months: float | None = None,
) -> Result:
    """Classify the change of mRSS between two visits by a published definition.

    Parameters
    ----------
    baseline, follow_up : int or None
        mRSS totals (points, 0–51) at baseline and at follow-up; ``None`` if not
        recorded.
    definition : str or MrssChangeDefinition
        A key of :data:`MRSS_CHANGE_DEFINITIONS` (``"mid_2006"``, ``"mcid_2019"``,
        ``"mcid_2019_dcssc"``, ``"eustar_improvement"``, ``"eustar_progression"``,
        ``"assist_improvement"``, ``"assist_progression"``) or a custom definition.
    interval_months : float, optional
        Months between the two visits. When the definition has a time window
        (EUSTAR: 12 ± 2 months for improvement, 12 ± 3 for progression) and the
        interval is outside it or not given, a caveat says so; the
        classification itself is still made.

    Returns
    -------
    Result
        ``value`` is ``True`` (definition met), ``False`` (not met) or ``None``
        (a total missing, or the definition not applicable). ``interpretation``
        is ``"improved"`` / ``"not improved"``, ``"progressed"`` /
        ``"not progressed"``, ``"unknown"``, or ``"not applicable: ..."`` when
        the baseline is outside the rule's scope (ASSIST: baseline mRSS must be
        > 14, hsct.md §C4 [SECONDARY]).
        ``components`` holds ``delta_points`` (follow-up − baseline),
        ``relative_change`` (fraction of baseline; ``None`` when baseline is 0)
        and the definition's thresholds.

    Notes
    -----
    Comparisons follow the wording of each source: "more than 5 points" is
    strict, "at least 25 %" is inclusive, "> 25 %" (ASSIST) is strict. An MCID
    or MID is met by a change at least as large as it (project reading).
    With a baseline of 0 the relative change is undefined: a rise counts as
    meeting any relative-rise condition and a fall is impossible (project
    decision, stated as a caveat).

    References
    ----------
    .. [1] Khanna D et al. Ann Rheum Dis 2006;65(10):1325–9 (MID 3.2–5.3).
    .. [2] Khanna D et al. Arthritis Res Ther 2019 (MCID 3–4; 5 in dcSSc).
    .. [3] Dobrota R et al. Prediction of improvement in skin fibrosis in diffuse
       cutaneous systemic sclerosis: a EUSTAR analysis. Ann Rheum Dis 2016,
       PMID 27016052 (skin improvement: fall > 5 points and ≥ 25 %, 12 ± 2 months).
    .. [4] Ann Rheum Dis 2019;78(5):648–56 (EUSTAR progressive skin fibrosis).
    .. [5] Walker UA et al. RMD Open 2018;4:e000533, Table 1 (ASSIST response),
       with the baseline condition "if baseline mRSS > 14" as given in
       ``shared/spec/hsct.md`` §C4 (RDCNA-2015, Walker-2018) [SECONDARY].

    Examples
    --------
    >>> mrss_change(20, 14).interpretation  # spec §1 worked example
    'improved'
    """
    defn = resolve_definition(definition, MRSS_CHANGE_DEFINITIONS, MrssChangeDefinition)
    base = check_value(_CHANGE_INPUT_BASE, baseline)
    fu = check_value(_CHANGE_INPUT_FU, follow_up)
    interval = check_value(_INTERVAL, interval_months)
    missing = tuple(n for n, v in (("baseline", base), ("follow_up", fu)) if v is None)

    caveats: list[Caveat] = []
    if defn.note:
        caveats.append(Caveat(f"mrss_change.{defn.name}", defn.note, defn.source, defn.status))
    if defn.window_months is not None:
        lo, hi = defn.window_months
        if interval is None or not lo <= interval <= hi:
            got = "not given" if interval is None else f"{interval:g} months"
            caveats.append(Caveat(
                "mrss_change.window",
                f"The definition was validated for an interval of {lo:g}–{hi:g} months; "
                f"interval here: {got}.",
                defn.source, defn.status,
            ))
    if defn.min_baseline is not None and base is not None and base < defn.min_baseline:
        caveats.append(Caveat(
            "mrss_change.population",
            f"The definition was derived in dcSSc patients with a baseline mRSS of at least "
            f"{defn.min_baseline}; baseline here: {base}.",
            defn.source, defn.status,
        ))
    components: dict[str, object] = {
        "definition": defn.name,
        "rule": defn.label,
        "min_points": defn.min_points,
        "min_relative": defn.min_relative,
    }
    pos, neg = (("improved", "not improved") if defn.direction == "improvement"
                else ("progressed", "not progressed"))
    floor = defn.applies_above_baseline
    if floor is not None:
        components["applies_above_baseline"] = floor
    if floor is not None and base is not None and base <= floor:
        caveats.append(Caveat(
            "mrss_change.not_applicable",
            f"The definition applies only if baseline mRSS > {floor}; baseline here: {base}.",
            defn.source, defn.status,
        ))
        return Result(f"mrss_change.{defn.name}", None,
                      f"not applicable: baseline mRSS {base} is not above {floor}",
                      components, missing, tuple(caveats), (defn.source,), None)
    if base is None or fu is None:
        return Result(f"mrss_change.{defn.name}", None, "unknown", components, missing,
                      tuple(caveats), (defn.source,), None)
    delta = fu - base
    relative = None if base == 0 else delta / base
    if base == 0 and defn.min_relative is not None:
        caveats.append(Caveat(
            "mrss_change.zero_baseline",
            "Baseline mRSS is 0, so the relative change is undefined; a rise is counted as "
            "meeting a relative-rise condition and no fall is possible.",
            "project decision", Evidence.DERIVED,
        ))
    met = _meets(defn, delta, relative, base)
    components |= {"delta_points": delta, "relative_change": relative}
    return Result(
        name=f"mrss_change.{defn.name}",
        value=met,
        interpretation=pos if met else neg,
        components=components,
        missing=(),
        caveats=tuple(caveats),
        sources=(defn.source,),
        unit=None,
    )


# --------------------------------------------------------------------------- table
def _meets_expr(defn: MrssChangeDefinition, delta: pl.Expr, base: pl.Expr) -> pl.Expr:
    """Vectorised twin of :func:`_meets` (same float operations, null where unknown)."""
    sign = -1.0 if defn.direction == "improvement" else 1.0
    size = delta.cast(pl.Float64) * sign
    ok = pl.lit(True)
    if defn.min_points is not None:
        ok = ok & (size > defn.min_points if defn.points_strict else size >= defn.min_points)
    if defn.min_relative is not None:
        rel = (delta.cast(pl.Float64) / base.cast(pl.Float64)) * sign
        rel_ok = rel > defn.min_relative if defn.relative_strict else rel >= defn.min_relative
        zero_ok = (size > 0) & pl.lit(defn.direction == "progression")
        ok = ok & pl.when(base == 0).then(zero_ok).otherwise(rel_ok)
    known = delta.is_not_null()
    if defn.applies_above_baseline is not None:  # not applicable -> null, as value None
        known = known & (base > defn.applies_above_baseline)
    return pl.when(known).then(ok)


def mrss_total_expr() -> pl.Expr:
    """mRSS total of a coerced visits table (null when a site is missing)."""
    return pl.sum_horizontal([pl.col(c.name) for c in _SITE_COLUMNS], ignore_nulls=False)


def score_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Vectorised mRSS for a visits table (columns already validated and coerced).

    Returns ``mrss_total`` (null if any site is missing), ``mrss_change_points``
    and ``mrss_change_relative`` (against ``baseline_mrss_total``) and one
    boolean column ``mrss_<definition>`` per entry of
    :data:`MRSS_CHANGE_DEFINITIONS` (null = unknown or not applicable, e.g.
    ASSIST with a baseline mRSS ≤ 14); same numbers as :func:`mrss` and
    :func:`mrss_change`.
    """
    total, delta, base = pl.col("mrss_total"), pl.col("mrss_change_points"), pl.col(_BASELINE.name)
    return (
        df.lazy()
        .select(mrss_total_expr().cast(pl.Int64).alias("mrss_total"), base)
        .with_columns((total - base).alias("mrss_change_points"))
        .select(
            total,
            delta,
            pl.when(base != 0).then(delta.cast(pl.Float64) / base.cast(pl.Float64))
            .alias("mrss_change_relative"),
            *(_meets_expr(d, delta, base).alias(f"mrss_{name}")
              for name, d in MRSS_CHANGE_DEFINITIONS.items()),
        )
        .collect()
    )
