"""LeRoy cutaneous subset (limited vs diffuse cutaneous SSc) from the skin examination.

Sources: LeRoy EC, Black C, Fleischmajer R, et al. J Rheumatol 1988;15(2):202–5
[CONFIRMED citation]; rules [SECONDARY – consistent across secondary
summaries], spec scores.md §7: diffuse = skin thickening proximal to the elbows
or knees or on the trunk (upper arm, thigh, chest, abdomen, back); limited =
thickening restricted to sites distal to elbows and knees, with or without face
and neck. In mRSS terms any score > 0 in upper arms, thighs, anterior chest or
abdomen means diffuse; the back is not an mRSS site and is a separate input.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column, check_value
from sclerostem.scores._mrss import MRSS_SITES, SITE_COLUMNS, mrss, site_column

__all__ = ["COLUMNS", "leroy_subset", "score_frame"]

_SRC = "LeRoy1988_JRheumatol_15_202 (rules SECONDARY, spec scores.md §7)"

#: mRSS sites whose involvement makes the subset diffuse [SECONDARY, spec §7].
PROXIMAL_SITES: tuple[str, ...] = (
    "anterior_chest", "abdomen", "upper_arm_right", "upper_arm_left", "thigh_right", "thigh_left",
)
_OTHER_SITES = tuple(s for s in MRSS_SITES if s not in PROXIMAL_SITES)

_BACK = Column(
    "skin_thickening_back", "bool",
    description="skin thickening on the back (not an mRSS site; makes the LeRoy subset diffuse)",
    source=_SRC,
)

#: Table columns read by :func:`score_frame`: the 17 mRSS site columns and the back.
COLUMNS: tuple[Column, ...] = (*SITE_COLUMNS, _BACK)

_LABEL = {
    "dcSSc": "diffuse cutaneous SSc",
    "lcSSc": "limited cutaneous SSc",
    "none": "no skin thickening recorded",
    None: "unknown",
}


def leroy_subset(
    sites: Mapping[str, int | None], *, skin_thickening_back: bool | None = None
) -> Result:
    """LeRoy cutaneous subset from the 17 mRSS site grades and the back.

    Parameters
    ----------
    sites : Mapping[str, int or None]
        mRSS grade (0–3) per site, keyed by :data:`~sclerostem.scores.MRSS_SITES`
        names; absent or ``None`` = not examined.
    skin_thickening_back : bool or None
        Skin thickening on the back (not scored by the mRSS); ``None`` = not examined.

    Returns
    -------
    Result
        ``value``: ``True`` for diffuse cutaneous involvement, ``False`` for
        limited or no skin thickening, ``None`` if undetermined.
        ``components["subset"]``: ``"dcSSc"``, ``"lcSSc"``, ``"none"`` or ``None``.
        Diffuse is reported as soon as any proximal site is involved, even when
        other sites are missing; limited needs every proximal site (and the back)
        examined and free of thickening.

    Raises
    ------
    UnknownFieldError
        A site name that is not an mRSS site.

    References
    ----------
    .. [1] LeRoy EC, Black C, Fleischmajer R, et al. Scleroderma (systemic
       sclerosis): classification, subsets and pathogenesis. J Rheumatol
       1988;15(2):202–5.

    Examples
    --------
    >>> leroy_subset({s: 0 for s in MRSS_SITES} | {"fingers_left": 2},
    ...              skin_thickening_back=False).interpretation
    'limited cutaneous SSc'
    """
    grades = mrss(sites).components  # validates names and grades
    back = check_value(_BACK, skin_thickening_back)
    proximal = [grades[s] for s in PROXIMAL_SITES]
    other = [grades[s] for s in _OTHER_SITES]
    if any(g is not None and g > 0 for g in proximal) or back is True:
        subset: str | None = "dcSSc"
    elif any(g is None for g in proximal) or back is None:
        subset = None
    elif any(g is not None and g > 0 for g in other):
        subset = "lcSSc"
    elif all(g is not None for g in other):
        subset = "none"
    else:
        subset = None
    missing = tuple(s for s in MRSS_SITES if grades[s] is None)
    if back is None:
        missing = (*missing, "skin_thickening_back")
    caveats: tuple[Caveat, ...] = ()
    if subset == "none":
        caveats = (Caveat(
            "leroy.no_thickening",
            "No skin thickening recorded: LeRoy subsets do not apply (SSc sine scleroderma is "
            "classified by the 2001 early-SSc criteria, out of scope).", _SRC, Evidence.SECONDARY),)
    return Result(
        name="leroy_subset",
        value=None if subset is None else subset == "dcSSc",
        interpretation=_LABEL[subset],
        components={"subset": subset, "proximal_involvement": subset == "dcSSc" if subset else None},
        missing=missing,
        caveats=caveats,
        sources=(_SRC,),
        unit=None,
    )


def score_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Vectorised :func:`leroy_subset`; returns ``leroy_subset`` (Utf8, null if unknown)."""
    prox = [pl.col(site_column(s)) for s in PROXIMAL_SITES]
    other = [pl.col(site_column(s)) for s in _OTHER_SITES]
    back = pl.col(_BACK.name)
    diffuse = pl.any_horizontal([(c > 0).fill_null(False) for c in prox]) | back.fill_null(False)
    prox_unknown = pl.any_horizontal([c.is_null() for c in [*prox, back]])
    other_pos = pl.any_horizontal([(c > 0).fill_null(False) for c in other])
    other_complete = pl.all_horizontal([c.is_not_null() for c in other])
    return df.select(
        pl.when(diffuse).then(pl.lit("dcSSc"))
        .when(prox_unknown).then(None)
        .when(other_pos).then(pl.lit("lcSSc"))
        .when(other_complete).then(pl.lit("none"))
        .cast(pl.Utf8)
        .alias("leroy_subset")
    )
