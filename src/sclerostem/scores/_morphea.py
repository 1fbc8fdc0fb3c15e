"""Morphea (localized scleroderma): LoSCAT activity/damage indices and Padua subtypes.

Every clinical number comes from ``shared/spec/scores.md`` §8:

* 18 anatomic sites [count CONFIRMED - LoSDI abstract, PMID 20008472; names
  SECONDARY - DermaScora site list].
* mLoSSI (activity, 2009): per site erythema 0-3 + skin thickness 0-3 + new or
  enlarging lesion in the past month 0 or 3 (0-9), summed over 18 sites (0-162)
  [ER/ST 0-3 and N/E 0/3 CONFIRMED - J Rheumatol 2012;39(2):286-94, PMC3744892,
  Table 3 legend; past-month window and 162 maximum SECONDARY].
* LoSDI (damage, 2010): per site dermal atrophy + subcutaneous atrophy +
  dyspigmentation, each 0-3, summed over 18 sites (0-162) [components and sum
  CONFIRMED - PMID 20008472; 0-3 grading SECONDARY].
* Revised LoSCAT (Teske & Jacobe 2020, via DermaScora) [SECONDARY]: LoSAI
  replaces skin thickness by induration at the lesion edge (0-162); LoSDI-2020
  adds central sclerosis (0-216); severity bands LoSAI 0-4/5-12/>=13, LoSDI
  0-10/11-15/>=16, PGA-A 0-10/11-30/>=31, PGA-D 0-18/19-30/>=31.
* PGA-A / PGA-D: physician global of activity / damage, 0-100 mm VAS
  [SECONDARY].
* Padua classification (Laxer RM, Zulian F. Curr Opin Rheumatol 2006;18:606-13)
  [five categories CONFIRMED via Prasad S et al. JAMA Dermatol 2021,
  PMID 33595618; generalized = >= 4 plaques each > 3 cm, becoming confluent, in
  >= 2 of 7 areas CONFIRMED; circumscribed depth subtypes and the pansclerotic
  description UNCONFIRMED (from recall)].

Several lesions in one site: score the most severe lesion (highest grade per
item) [SECONDARY]; the caller does that before filling a :class:`LoscatSite`.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from typing import Any, ClassVar, Literal

import polars as pl

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import InputTypeError, UnknownFieldError
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column
from sclerostem.scores._models import ColumnModel

__all__ = [
    "COLUMNS",
    "LOSCAT_SITES",
    "PADUA_AREAS",
    "LoscatSite",
    "MorpheaPresentation",
    "losai",
    "loscat",
    "losdi",
    "mlossi",
    "padua_subtype",
    "score_frame",
]

MLOSSI_SOURCE = (
    "Arkachaisri2009-LoSSI: J Rheumatol 2009;36(12):2819-29, PMID 19833758; "
    "Kelsey2012: J Rheumatol 2012;39(2):286-94 (PMC3744892), Table 3 legend"
)
LOSDI_SOURCE = "Arkachaisri2010-LoSDI: Rheumatology 2010;49(2):373-81, PMID 20008472"
LOSCAT2020_SOURCE = "Teske2020-LoSCAT: Br J Dermatol 2020;182:398-404, PMID 31049928 (via DermaScora)"
SITES_SOURCE = "DermaScora LoSCAT site list (berkanbostanci99/dermascora), 18 sites per PMID 20008472"
PADUA_SOURCE = (
    "Laxer2006-Padua: Curr Opin Rheumatol 2006;18:606-13 (categories via Prasad 2021, "
    "JAMA Dermatol, PMID 33595618)"
)

#: The 18 LoSCAT anatomic sites [count CONFIRMED, names SECONDARY; spec §8b].
LOSCAT_SITES: tuple[str, ...] = (
    "head_face",
    "neck",
    "chest",
    "abdomen",
    "upper_back",
    "lower_back",
    *(f"{side}_{part}" for part in ("upper_arm", "forearm", "hand", "thigh", "leg", "foot")
      for side in ("right", "left")),
)

GRADE_MAX = 3  #: every graded item 0-3 [spec §8b]
NEW_LESION_POINTS = 3  #: new or enlarging lesion scores 0 or 3 [CONFIRMED, PMC3744892 Table 3]
PGA_MAX_MM = 100.0  #: PGA-A / PGA-D on a 0-100 mm VAS [SECONDARY]

NEW_ITEM = "new_or_enlarging_past_month"

ActivityVersion = Literal["mLoSSI-2009", "LoSAI-2020"]
DamageVersion = Literal["LoSDI-2010", "LoSDI-2020"]
LoscatVersion = Literal["mLoSSI-2009", "LoSAI/LoSDI-2020"]

#: Items summed per site by each index.
INDEX_ITEMS: Mapping[str, tuple[str, ...]] = {
    "mLoSSI-2009": ("erythema", "skin_thickness", NEW_ITEM),
    "LoSAI-2020": ("erythema", "border_induration", NEW_ITEM),
    "LoSDI-2010": ("dermal_atrophy", "subcutaneous_atrophy", "dyspigmentation"),
    "LoSDI-2020": ("dermal_atrophy", "subcutaneous_atrophy", "dyspigmentation", "central_sclerosis"),
}
_INDEX_NAMES = {"mLoSSI-2009": "mlossi", "LoSAI-2020": "losai", "LoSDI-2010": "losdi", "LoSDI-2020": "losdi_2020"}
_INDEX_SOURCES = {
    "mLoSSI-2009": MLOSSI_SOURCE,
    "LoSAI-2020": LOSCAT2020_SOURCE,
    "LoSDI-2010": LOSDI_SOURCE,
    "LoSDI-2020": LOSCAT2020_SOURCE,
}

#: Severity bands of the revised LoSCAT (upper bounds of mild and moderate) [SECONDARY, Teske 2020].
#: Not treatment thresholds, and never applied to the historical mLoSSI / LoSDI-2010.
SEVERITY_BANDS: Mapping[str, tuple[float, float]] = {
    "LoSAI-2020": (4, 12),
    "LoSDI-2020": (10, 15),
    "pga_activity_mm": (10, 30),
    "pga_damage_mm": (18, 30),
}


def severity_band(index: str, value: float) -> str:
    """'mild' / 'moderate' / 'severe' by the revised-LoSCAT bands (SECONDARY, Teske 2020).

    Non-integer PGA values between two published integer bands (e.g. 10.5) go
    to the higher band [project decision].
    """
    mild_max, moderate_max = SEVERITY_BANDS[index]
    if value <= mild_max:
        return "mild"
    return "moderate" if value <= moderate_max else "severe"


_ITEM_DESCRIPTIONS = {
    "erythema": "erythema grade 0-3 (mLoSSI/LoSAI)",
    "skin_thickness": "skin thickness grade 0-3 (mLoSSI)",
    NEW_ITEM: "new or enlarging lesion in the past month, scores 0 or 3 (mLoSSI/LoSAI)",
    "border_induration": "induration at the lesion edge grade 0-3 (LoSAI-2020)",
    "dermal_atrophy": "dermal atrophy grade 0-3 (LoSDI)",
    "subcutaneous_atrophy": "subcutaneous atrophy grade 0-3 (LoSDI)",
    "dyspigmentation": "dyspigmentation grade 0-3 (LoSDI)",
    "central_sclerosis": "central sclerosis grade 0-3 (LoSDI-2020)",
}
_SITE_FIELDS: tuple[Column, ...] = tuple(
    Column(item, "bool", description=desc, source=MLOSSI_SOURCE)
    if item == NEW_ITEM
    else Column(item, "int", 0, GRADE_MAX, "grade", description=desc,
                source=LOSDI_SOURCE if item in INDEX_ITEMS["LoSDI-2020"] else MLOSSI_SOURCE)
    for item, desc in _ITEM_DESCRIPTIONS.items()
)


@dataclass(frozen=True, slots=True)
class LoscatSite(ColumnModel):
    """Findings at one anatomic site (most severe lesion per item).

    Every grade is an integer 0-3 or ``None`` (not recorded); fill the items of
    the index you score. Grades [SECONDARY, DermaScora]: erythema 0 none,
    1 slight/pink, 2 red, 3 dark red/violaceous; skin thickness 0 normal,
    1 mild, 2 moderate (impaired mobility), 3 marked (no mobility); dermal
    atrophy 0 none, 1 shiny skin, 2 visible vessels, 3 marked "cliff-drop";
    subcutaneous atrophy 0 none, 1 flat, 2 concave, 3 marked; dyspigmentation
    0 none to 3 marked.

    Attributes
    ----------
    erythema, skin_thickness : int or None
        mLoSSI activity items (0-3).
    new_or_enlarging_past_month : bool or None
        New lesion or extension of a lesion within the past month (scores 3).
    border_induration : int or None
        LoSAI-2020: induration at the lesion edge (0-3).
    dermal_atrophy, subcutaneous_atrophy, dyspigmentation : int or None
        LoSDI damage items (0-3).
    central_sclerosis : int or None
        LoSDI-2020: central sclerosis / skin thickness (0-3).
    """

    erythema: int | None = None
    skin_thickness: int | None = None
    new_or_enlarging_past_month: bool | None = None
    border_induration: int | None = None
    dermal_atrophy: int | None = None
    subcutaneous_atrophy: int | None = None
    dyspigmentation: int | None = None
    central_sclerosis: int | None = None

    FIELDS: ClassVar[tuple[Column, ...]] = _SITE_FIELDS

    @classmethod
    def clear(cls) -> LoscatSite:
        """A site examined and found unaffected (every item 0 / no new lesion)."""
        return cls(erythema=0, skin_thickness=0, new_or_enlarging_past_month=False,
                   border_induration=0, dermal_atrophy=0, subcutaneous_atrophy=0,
                   dyspigmentation=0, central_sclerosis=0)

    def points(self, item: str) -> int | None:
        """Points of one item (the new/enlarging flag scores 0 or 3)."""
        value = getattr(self, item)
        if item == NEW_ITEM:
            return None if value is None else NEW_LESION_POINTS * int(value)
        return value


def _check_sites(sites: Mapping[str, LoscatSite]) -> None:
    for name, site in sites.items():
        if name not in LOSCAT_SITES:
            raise UnknownFieldError("site", name, "one of " + ", ".join(repr(s) for s in LOSCAT_SITES))
        if not isinstance(site, LoscatSite):
            raise InputTypeError(name, site, "a LoscatSite")


def _site_index(
    version: str, sites: Mapping[str, LoscatSite], other_sites_clear: bool
) -> Result:
    """Sum the items of ``INDEX_ITEMS[version]`` over the 18 sites."""
    _check_sites(sites)
    items = INDEX_ITEMS[version]
    missing: list[str] = []
    per_site: dict[str, int | None] = {}
    for name in LOSCAT_SITES:
        site = sites.get(name)
        if site is None:
            if other_sites_clear:
                per_site[name] = 0
            else:
                per_site[name] = None
                missing.append(name)
            continue
        points = [site.points(i) for i in items]
        missing.extend(f"{name}.{i}" for i, p in zip(items, points, strict=True) if p is None)
        per_site[name] = None if None in points else sum(p for p in points if p is not None)
    value = None if missing else sum(v for v in per_site.values() if v is not None)
    recorded = sum(v for v in per_site.values() if v is not None)
    caveats: list[Caveat] = []
    if version.endswith("2020"):
        caveats.append(
            Caveat(
                "loscat.revised_form_secondary",
                "The revised LoSCAT (LoSAI / LoSDI with central sclerosis) and its severity bands "
                "were read only in a third-party implementation; verify against Teske & Jacobe 2020.",
                LOSCAT2020_SOURCE,
                Evidence.SECONDARY,
            )
        )
    if missing and not other_sites_clear and any("." not in m for m in missing):
        caveats.append(
            Caveat(
                "loscat.sites_not_recorded",
                "Sites not given are not recorded (unknown), not unaffected; pass "
                "other_sites_clear=True when every other site was examined and clear.",
                SITES_SOURCE,
                Evidence.DERIVED,
            )
        )
    band = severity_band(version, value) if value is not None and version in SEVERITY_BANDS else None
    return Result(
        name=_INDEX_NAMES[version],
        value=value,
        interpretation=band,
        components={"version": version, "sites": per_site, "sum_of_recorded_sites": recorded},
        missing=tuple(missing),
        caveats=tuple(caveats),
        sources=(_INDEX_SOURCES[version], SITES_SOURCE),
        unit="points",
    )


def mlossi(sites: Mapping[str, LoscatSite], *, other_sites_clear: bool = False) -> Result:
    """Modified Localized Scleroderma Skin Severity Index (activity, 0-162).

    Parameters
    ----------
    sites : mapping of str to LoscatSite
        Findings per anatomic site; keys from :data:`LOSCAT_SITES`.
    other_sites_clear : bool
        ``True`` when every site not in ``sites`` was examined and is
        unaffected (scores 0). ``False`` (default): such sites are not
        recorded, the index is not computable and they are listed in ``missing``.

    Returns
    -------
    Result
        ``value`` = sum over 18 sites of erythema + skin thickness + 3 x new or
        enlarging lesion (points, 0-162); per-site sums in
        ``components["sites"]``. No severity band: the revised-LoSCAT bands do
        not apply to the mLoSSI.

    Raises
    ------
    UnknownFieldError
        For a site name not in :data:`LOSCAT_SITES`.

    References
    ----------
    .. [1] Arkachaisri T et al. J Rheumatol 2009;36(12):2819-29 (PMID 19833758).
    .. [2] Kelsey CE, Torok KS et al. J Rheumatol 2012;39(2):286-94
       (PMC3744892), Table 3 legend (ER/ST 0-3, new/enlarged 0 or 3).

    Examples
    --------
    >>> mlossi({"right_thigh": LoscatSite(erythema=2, skin_thickness=1,
    ...         new_or_enlarging_past_month=True),
    ...         "left_forearm": LoscatSite(erythema=0, skin_thickness=1,
    ...         new_or_enlarging_past_month=False)}, other_sites_clear=True).value
    7
    """
    return _site_index("mLoSSI-2009", sites, other_sites_clear)


def losai(sites: Mapping[str, LoscatSite], *, other_sites_clear: bool = False) -> Result:
    """Localized Scleroderma Activity Index of the revised LoSCAT (0-162) [SECONDARY].

    Per site: erythema + induration at the lesion edge + 3 x new or enlarging
    lesion. Interpretation: severity band (0-4 mild, 5-12 moderate, >= 13
    severe). Parameters as :func:`mlossi`.

    References
    ----------
    .. [1] Teske NM, Jacobe HT. Br J Dermatol 2020;182:398-404 (PMID 31049928),
       as implemented by DermaScora [SECONDARY, spec §8b].
    """
    return _site_index("LoSAI-2020", sites, other_sites_clear)


def losdi(
    sites: Mapping[str, LoscatSite],
    *,
    version: DamageVersion = "LoSDI-2010",
    other_sites_clear: bool = False,
) -> Result:
    """Localized Scleroderma Skin Damage Index.

    Parameters
    ----------
    sites : mapping of str to LoscatSite
        Findings per anatomic site; keys from :data:`LOSCAT_SITES`.
    version : {"LoSDI-2010", "LoSDI-2020"}
        ``"LoSDI-2010"``: dermal atrophy + subcutaneous atrophy +
        dyspigmentation per site (0-162). ``"LoSDI-2020"`` adds central
        sclerosis (0-216) and the severity band 0-10 mild, 11-15 moderate,
        >= 16 severe [SECONDARY].
    other_sites_clear : bool
        As in :func:`mlossi`.

    References
    ----------
    .. [1] Arkachaisri T et al. Rheumatology 2010;49(2):373-81 (PMID 20008472).
    .. [2] Teske NM, Jacobe HT. Br J Dermatol 2020;182:398-404 [SECONDARY].

    Examples
    --------
    >>> losdi({"right_thigh": LoscatSite(dermal_atrophy=1, subcutaneous_atrophy=2,
    ...         dyspigmentation=2), "left_forearm": LoscatSite(dermal_atrophy=0,
    ...         subcutaneous_atrophy=0, dyspigmentation=1)}, other_sites_clear=True).value
    6
    """
    check_choice("version", version, ("LoSDI-2010", "LoSDI-2020"))
    return _site_index(version, sites, other_sites_clear)


def loscat(
    sites: Mapping[str, LoscatSite],
    *,
    pga_activity_mm: float | None,
    pga_damage_mm: float | None,
    version: LoscatVersion = "mLoSSI-2009",
    other_sites_clear: bool = False,
) -> Result:
    """Localized Scleroderma Cutaneous Assessment Tool: activity, damage and PGAs.

    Parameters
    ----------
    sites : mapping of str to LoscatSite
        Findings per anatomic site; keys from :data:`LOSCAT_SITES`.
    pga_activity_mm, pga_damage_mm : float or None
        Physician global assessment of activity / damage, 0-100 mm VAS
        (``None`` = not recorded).
    version : {"mLoSSI-2009", "LoSAI/LoSDI-2020"}
        ``"mLoSSI-2009"``: mLoSSI + LoSDI-2010 (no severity bands).
        ``"LoSAI/LoSDI-2020"``: revised LoSAI + LoSDI-2020 with severity bands
        for each part [SECONDARY].
    other_sites_clear : bool
        As in :func:`mlossi`.

    Returns
    -------
    Result
        LoSCAT has no single total. ``value`` is the activity index (mLoSSI or
        LoSAI, points); ``components`` hold ``activity``, ``damage``,
        ``pga_activity_mm``, ``pga_damage_mm`` and, for the 2020 version, the
        band of each (``interpretation`` summarises them).

    References
    ----------
    .. [1] Arkachaisri T et al. J Rheumatol 2009;36(12):2819-29; Rheumatology
       2010;49(2):373-81; Teske NM, Jacobe HT. Br J Dermatol 2020;182:398-404.
    """
    check_choice("version", version, ("mLoSSI-2009", "LoSAI/LoSDI-2020"))
    pga_a = check_number("pga_activity_mm", pga_activity_mm, 0, PGA_MAX_MM, unit="mm")
    pga_d = check_number("pga_damage_mm", pga_damage_mm, 0, PGA_MAX_MM, unit="mm")
    revised = version == "LoSAI/LoSDI-2020"
    act_version: ActivityVersion = "LoSAI-2020" if revised else "mLoSSI-2009"
    dmg_version: DamageVersion = "LoSDI-2020" if revised else "LoSDI-2010"
    activity = _site_index(act_version, sites, other_sites_clear)
    damage = _site_index(dmg_version, sites, other_sites_clear)
    components: dict[str, Any] = {
        "version": version,
        "activity_index": act_version,
        "activity": activity.value,
        "damage_index": dmg_version,
        "damage": damage.value,
        "pga_activity_mm": pga_a,
        "pga_damage_mm": pga_d,
        "activity_sites": activity.components["sites"],
        "damage_sites": damage.components["sites"],
    }
    missing = [f"activity.{m}" for m in activity.missing] + [f"damage.{m}" for m in damage.missing]
    missing += [n for n, v in (("pga_activity_mm", pga_a), ("pga_damage_mm", pga_d)) if v is None]
    interpretation = None
    if revised:
        bands = {
            "activity": activity.interpretation,
            "damage": damage.interpretation,
            "pga_activity": None if pga_a is None else severity_band("pga_activity_mm", pga_a),
            "pga_damage": None if pga_d is None else severity_band("pga_damage_mm", pga_d),
        }
        components.update({f"{k}_band": v for k, v in bands.items()})
        interpretation = "; ".join(f"{k} {v}" for k, v in bands.items() if v is not None) or None
    caveats = tuple(dict.fromkeys((*activity.caveats, *damage.caveats)))
    pga_caveat = Caveat(
        "loscat.pga_scale",
        "PGA-A / PGA-D 0-100 mm VAS scale read in a secondary source only.",
        LOSCAT2020_SOURCE,
        Evidence.SECONDARY,
    )
    return Result(
        name="loscat",
        value=activity.value,
        interpretation=interpretation,
        components=components,
        missing=tuple(missing),
        caveats=(*caveats, pga_caveat),
        sources=tuple(dict.fromkeys((*activity.sources, *damage.sources))),
        unit="points (activity index)",
    )


# --------------------------------------------------------------------------- Padua

#: The 7 anatomic areas of the generalized-morphea rule [CONFIRMED, spec §8a].
PADUA_AREAS: tuple[str, ...] = (
    "head_neck",
    "right_upper_limb",
    "left_upper_limb",
    "right_lower_limb",
    "left_lower_limb",
    "anterior_trunk",
    "posterior_trunk",
)
GENERALIZED_MIN_PLAQUES = 4  #: >= 4 plaques [CONFIRMED, spec §8a]
GENERALIZED_MIN_PLAQUE_CM = 3  #: each > 3 cm [CONFIRMED, spec §8a]
GENERALIZED_MIN_AREAS = 2  #: in >= 2 of 7 areas [CONFIRMED, spec §8a]
DEPTHS: tuple[str, ...] = ("superficial", "deep")
SUBTYPES: tuple[str, ...] = ("circumscribed", "linear", "generalized", "pansclerotic")


_PADUA_FIELDS: tuple[Column, ...] = (
    Column("plaques_present", "bool", description="circumscribed plaques present", source=PADUA_SOURCE),
    Column("plaque_depth", "category", choices=DEPTHS,
           description="deepest plaque, superficial or deep (UNCONFIRMED split)", source=PADUA_SOURCE),
    Column("plaques_over_3cm_count", "int", 0, 1000, "plaques",
           description=f"number of plaques larger than {GENERALIZED_MIN_PLAQUE_CM} cm", source=PADUA_SOURCE),
    Column("plaques_confluent", "bool", description="plaques becoming confluent", source=PADUA_SOURCE),
    Column("linear_trunk_limbs", "bool", description="linear scleroderma of trunk/limbs",
           source=PADUA_SOURCE),
    Column("linear_head", "bool", description="linear scleroderma of the head", source=PADUA_SOURCE),
    Column("pansclerotic", "bool",
           description="circumferential limb involvement (pansclerotic; UNCONFIRMED description)",
           source=PADUA_SOURCE),
)


@dataclass(frozen=True, slots=True)
class MorpheaPresentation(ColumnModel):
    """Clinical findings used by the Padua classification of localized scleroderma.

    ``None`` = not recorded, everywhere.

    Attributes
    ----------
    plaques_present : bool or None
        Circumscribed (plaque) lesions present.
    plaque_depth : {"superficial", "deep"} or None
        Deepest plaque: superficial (epidermis/dermis) or deep (subcutis,
        fascia, muscle) [UNCONFIRMED - from recall].
    plaques_over_3cm_count : int or None
        Number of plaques larger than 3 cm (0-1000).
    plaques_confluent : bool or None
        Plaques becoming confluent.
    generalized_areas : iterable of str or None
        Areas of :data:`PADUA_AREAS` holding such plaques.
    linear_trunk_limbs, linear_head : bool or None
        Linear scleroderma of the trunk/limbs, or of the head (en coup de
        sabre, progressive hemifacial atrophy).
    pansclerotic : bool or None
        Circumferential involvement of limb(s) affecting skin, subcutis, muscle
        and bone [description UNCONFIRMED - from recall].
    """

    plaques_present: bool | None = None
    plaque_depth: str | None = None
    plaques_over_3cm_count: int | None = None
    plaques_confluent: bool | None = None
    generalized_areas: frozenset[str] | None = None
    linear_trunk_limbs: bool | None = None
    linear_head: bool | None = None
    pansclerotic: bool | None = None

    FIELDS: ClassVar[tuple[Column, ...]] = _PADUA_FIELDS

    def __post_init__(self) -> None:
        ColumnModel.__post_init__(self)
        areas: Any = self.generalized_areas
        if areas is None:
            return
        if isinstance(areas, str) or not isinstance(areas, Iterable):
            raise InputTypeError("generalized_areas", areas, "a set of area names")
        for area in areas:
            if area not in PADUA_AREAS:
                raise UnknownFieldError(
                    "generalized_areas", area, "one of " + ", ".join(repr(a) for a in PADUA_AREAS)
                )
        object.__setattr__(self, "generalized_areas", frozenset(areas))


def _and(*xs: bool | None) -> bool | None:
    """Kleene AND (False wins, then unknown)."""
    if any(x is False for x in xs):
        return False
    return None if any(x is None for x in xs) else True


def _or(*xs: bool | None) -> bool | None:
    """Kleene OR (True wins, then unknown)."""
    if any(x is True for x in xs):
        return True
    return None if any(x is None for x in xs) else False


def _ge(x: int | None, lo: int) -> bool | None:
    return None if x is None else x >= lo


def _label(present: tuple[str, ...], depth: str | None, linear_trunk_limbs: bool, linear_head: bool) -> str:
    """Subtype label from the categories present (shared by both paths)."""
    parts = []
    for subtype in present:
        if subtype == "circumscribed" and depth is not None:
            parts.append(f"circumscribed ({depth})")
        elif subtype == "linear":
            where = [w for w, f in (("trunk/limbs", linear_trunk_limbs), ("head", linear_head)) if f]
            parts.append(f"linear ({', '.join(where)})")
        else:
            parts.append(subtype)
    if not parts:
        return "none"
    return parts[0] if len(parts) == 1 else "mixed (" + " + ".join(parts) + ")"


def padua_subtype(p: MorpheaPresentation) -> Result:
    """Padua (Laxer & Zulian 2006) subtype of localized scleroderma.

    Parameters
    ----------
    p : MorpheaPresentation
        The findings (``None`` = not recorded).

    Returns
    -------
    Result
        ``value`` True when a subtype is determined, False when no Padua
        category is met, None when missing findings leave it open;
        ``interpretation`` is the subtype label - ``"circumscribed (deep)"``,
        ``"linear (head)"``, ``"generalized"``, ``"pansclerotic"``,
        ``"mixed (circumscribed + linear (head))"`` or ``"none"``; each
        category's status (True / False / None) is in ``components``.

    Notes
    -----
    Generalized = plaques present, >= 4 plaques > 3 cm, confluent, in >= 2 of
    the 7 areas. When generalized, the plaques belong to it and do not count as
    a separate circumscribed subtype [project decision]. Mixed = two or more
    categories present; it is decided as soon as two are present even if
    others are unknown.

    References
    ----------
    .. [1] Laxer RM, Zulian F. Localized scleroderma. Curr Opin Rheumatol
       2006;18:606-13 [citation from recall].
    .. [2] Prasad S et al. JAMA Dermatol 2021;157(4) (PMID 33595618) - the
       five categories and the generalized rule [CONFIRMED, spec §8a].
    """
    if not isinstance(p, MorpheaPresentation):
        raise InputTypeError("presentation", p, "a MorpheaPresentation")
    n_areas = None if p.generalized_areas is None else len(p.generalized_areas)
    generalized = _and(
        p.plaques_present,
        _ge(p.plaques_over_3cm_count, GENERALIZED_MIN_PLAQUES),
        p.plaques_confluent,
        _ge(n_areas, GENERALIZED_MIN_AREAS),
    )
    status: dict[str, bool | None] = {
        # plaques count as circumscribed only when they are not generalized
        "circumscribed": _and(p.plaques_present, None if generalized is None else not generalized),
        "linear": _or(p.linear_trunk_limbs, p.linear_head),
        "generalized": generalized,
        "pansclerotic": p.pansclerotic,
    }
    present = [s for s in SUBTYPES if status[s]]
    unknown = [s for s in SUBTYPES if status[s] is None]
    value: bool | None
    if len(present) >= 2 or (present and not unknown):
        value = True  # mixed is decided by two categories whatever the unknowns
    elif not present and not unknown:
        value = False
    else:
        value = None  # an unknown category could still be present
    label = None if value is None else _label(
        tuple(present), p.plaque_depth, p.linear_trunk_limbs is True, p.linear_head is True
    )
    missing = [*p.missing_fields(), *(("generalized_areas",) if p.generalized_areas is None else ())]
    caveats = [
        Caveat(
            "padua.descriptions_from_recall",
            "The superficial/deep split of circumscribed morphea and the pansclerotic description "
            "are from recall, not read in the Padua paper.",
            PADUA_SOURCE,
            Evidence.UNCONFIRMED,
        )
    ]
    return Result(
        name="padua_subtype",
        value=value,
        interpretation=label,
        components={**status, "areas_involved": n_areas},
        missing=tuple(missing),
        caveats=tuple(caveats),
        sources=(PADUA_SOURCE,),
    )


# --------------------------------------------------------------------------- table path

def site_column(site: str, item: str) -> str:
    """Table column of one item at one site, e.g. ``loscat_right_thigh_erythema``."""
    return f"loscat_{site}_{item}"


#: Table columns: ``loscat_<site>_<item>`` for the 18 sites x 8 items, the two
#: PGAs, then the Padua fields prefixed ``padua_`` (areas as a count 0-7).
COLUMNS: tuple[Column, ...] = (
    *(
        dataclasses.replace(c, name=site_column(site, c.name),
                            description=f"LoSCAT {site.replace('_', ' ')}: {c.description}")
        for site in LOSCAT_SITES
        for c in _SITE_FIELDS
    ),
    Column("loscat_pga_activity_mm", "float", 0, PGA_MAX_MM, "mm",
           description="LoSCAT physician global of activity, 0-100 mm VAS", source=LOSCAT2020_SOURCE),
    Column("loscat_pga_damage_mm", "float", 0, PGA_MAX_MM, "mm",
           description="LoSCAT physician global of damage, 0-100 mm VAS", source=LOSCAT2020_SOURCE),
    *(dataclasses.replace(c, name=f"padua_{c.name}", description=f"Padua: {c.description}")
      for c in _PADUA_FIELDS),
    Column("padua_generalized_area_count", "int", 0, len(PADUA_AREAS), "areas",
           description=f"Padua: how many of the 7 areas hold plaques > {GENERALIZED_MIN_PLAQUE_CM} cm", source=PADUA_SOURCE),
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    "loscat_mlossi",
    "loscat_losdi",
    "loscat_losai",
    "loscat_losai_band",
    "loscat_losdi_2020",
    "loscat_losdi_2020_band",
    "loscat_pga_activity_band",
    "loscat_pga_damage_band",
    "morphea_padua_subtype",
)


def _item_total(item: str) -> pl.Expr:
    """Sum of one item over the 18 sites; null if any site is null (``+`` propagates nulls)."""
    cols = [pl.col(site_column(site, item)) for site in LOSCAT_SITES]
    if item == NEW_ITEM:
        cols = [c.cast(pl.Int64) * NEW_LESION_POINTS for c in cols]
    return reduce(operator.add, cols)


def _band_expr(value: pl.Expr, index: str) -> pl.Expr:
    mild_max, moderate_max = SEVERITY_BANDS[index]
    return (
        pl.when(value <= mild_max)
        .then(pl.lit("mild"))
        .when(value <= moderate_max)
        .then(pl.lit("moderate"))
        .when(value.is_not_null())
        .then(pl.lit("severe"))
    )


#: Label of every (categories present, depth, linear sites) combination, keyed by the
#: integer code built in :func:`_padua_expr`; labels come from :func:`_label` itself.
_DEPTH_CODES: tuple[str | None, ...] = (None, *DEPTHS)
_PADUA_LABELS: dict[int, str] = {
    bits | depth << 4 | trunk << 6 | head << 7: _label(
        tuple(s for i, s in enumerate(SUBTYPES) if bits >> i & 1), _DEPTH_CODES[depth], bool(trunk), bool(head)
    )
    for bits in range(16)
    for depth in range(len(_DEPTH_CODES))
    for trunk in (0, 1)
    for head in (0, 1)
}


def _padua_expr() -> pl.Expr:
    """Subtype label with the Kleene logic of :func:`padua_subtype` (polars and/or are Kleene)."""
    c = pl.col
    generalized = (
        c("padua_plaques_present")
        & (c("padua_plaques_over_3cm_count") >= GENERALIZED_MIN_PLAQUES)
        & c("padua_plaques_confluent")
        & (c("padua_generalized_area_count") >= GENERALIZED_MIN_AREAS)
    )
    status = {
        "circumscribed": c("padua_plaques_present") & ~generalized,
        "linear": c("padua_linear_trunk_limbs") | c("padua_linear_head"),
        "generalized": generalized,
        "pansclerotic": c("padua_pansclerotic"),
    }
    present = [status[s].fill_null(False).cast(pl.Int64) for s in SUBTYPES]
    bits = reduce(operator.or_, [p * (1 << i) for i, p in enumerate(present)])
    depth = (
        pl.when(c("padua_plaque_depth") == DEPTHS[0]).then(1)
        .when(c("padua_plaque_depth") == DEPTHS[1]).then(2)
        .otherwise(0)
    )
    flag = [c(n).fill_null(False).cast(pl.Int64) for n in ("padua_linear_trunk_limbs", "padua_linear_head")]
    code = bits + depth * 16 + flag[0] * 64 + flag[1] * 128
    decided = (reduce(operator.add, present) >= 2) | ~pl.any_horizontal([s.is_null() for s in status.values()])
    return pl.when(decided).then(code.replace_strict(_PADUA_LABELS, return_dtype=pl.Utf8))


def score_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Vectorised LoSCAT indices and Padua subtype for every row of a visits table.

    ``df`` must hold every column of :data:`COLUMNS`, checked by
    :func:`~sclerostem.scores._columns.validate_frame` and cast by
    :func:`~sclerostem.scores._columns.coerce_frame` (as
    :func:`~sclerostem.scores.score_table` does; null = not recorded). An index is
    null unless every item it sums is recorded at all 18 sites (a table has no
    ``other_sites_clear``: record unaffected sites as 0).

    Returns
    -------
    polars.DataFrame
        Same row count, columns :data:`OUTPUT_COLUMNS`, the same numbers as
        :func:`mlossi`, :func:`losdi` (both versions), :func:`losai`,
        :func:`loscat` (2020 bands) and the label of :func:`padua_subtype`.
    """
    # per-item totals over the 18 sites, shared by the four indices
    totals = df.select(_item_total(item).alias(item) for item in _ITEM_DESCRIPTIONS)
    t = pl.col
    damage = t("dermal_atrophy") + t("subcutaneous_atrophy") + t("dyspigmentation")
    indices = totals.select(
        (t("erythema") + t("skin_thickness") + t(NEW_ITEM)).alias("loscat_mlossi"),
        damage.alias("loscat_losdi"),
        (t("erythema") + t("border_induration") + t(NEW_ITEM)).alias("loscat_losai"),
        (damage + t("central_sclerosis")).alias("loscat_losdi_2020"),
    )
    others = df.select(
        _band_expr(t("loscat_pga_activity_mm"), "pga_activity_mm").alias("loscat_pga_activity_band"),
        _band_expr(t("loscat_pga_damage_mm"), "pga_damage_mm").alias("loscat_pga_damage_band"),
        _padua_expr().alias("morphea_padua_subtype"),
    )
    return pl.concat([indices, others], how="horizontal").with_columns(
        _band_expr(t("loscat_losai"), "LoSAI-2020").alias("loscat_losai_band"),
        _band_expr(t("loscat_losdi_2020"), "LoSDI-2020").alias("loscat_losdi_2020_band"),
    ).select(OUTPUT_COLUMNS)
