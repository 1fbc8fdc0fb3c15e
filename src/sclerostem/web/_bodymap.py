"""The 17 sites of the modified Rodnan skin score, laid out as a body map.

Sites and the 0–3 grade wording follow ``shared/spec/scores.md`` §1 (Clements
1993/1995; Khanna 2017, doi:10.5301/jsrd.5000231): 17 areas, each 0–3, total
0–51 [CONFIRMED]; site names [SECONDARY]. The back and neck are not scored.

Field names come from the registry (``registry.MRSS_SITES``, same order as
spec §1's table), so the form always matches what the registry stores.

The figure faces the viewer, so the patient's right side is drawn on the
viewer's left (as when examining the patient). Positions live in
``static/style.css`` (class ``site-<key>``), never in inline styles, so that
the content security policy can forbid them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sclerostem.registry import MRSS_SITES as REGISTRY_SITES

__all__ = ["GRADES", "MRSS_SITES", "Site", "site_field"]


@dataclass(frozen=True, slots=True)
class Site:
    """One mRSS body area.

    Attributes
    ----------
    key : str
        Registry site name, used in form fields (``mrss_<key>``).
    position : str
        Stable name of the CSS position class (``site-<position>``).
    label : str
        Name shown to the clinician.
    side : str or None
        ``"right"``/``"left"`` (the patient's side) or ``None`` for a midline area.
    """

    key: str
    position: str
    label: str
    side: str | None = None

    @property
    def field(self) -> str:
        return site_field(self.key)


def site_field(key: str) -> str:
    """Form field name of a site, e.g. ``'mrss_face'``."""
    return f"mrss_{key}"


_LAYOUT: tuple[tuple[str, str, str | None], ...] = (
    ("face", "Face", None),
    ("anterior_chest", "Anterior chest", None),
    ("abdomen", "Abdomen", None),
    ("fingers_right", "Fingers (right)", "right"),
    ("fingers_left", "Fingers (left)", "left"),
    ("hands_right", "Dorsum of hand (right)", "right"),
    ("hands_left", "Dorsum of hand (left)", "left"),
    ("forearms_right", "Forearm (right)", "right"),
    ("forearms_left", "Forearm (left)", "left"),
    ("upper_arms_right", "Upper arm (right)", "right"),
    ("upper_arms_left", "Upper arm (left)", "left"),
    ("thighs_right", "Thigh (right)", "right"),
    ("thighs_left", "Thigh (left)", "left"),
    ("lower_legs_right", "Lower leg (right)", "right"),
    ("lower_legs_left", "Lower leg (left)", "left"),
    ("feet_right", "Dorsum of foot (right)", "right"),
    ("feet_left", "Dorsum of foot (left)", "left"),
)

#: The 17 sites in spec order, each with its registry name, position and label.
MRSS_SITES: tuple[Site, ...] = tuple(
    Site(key, position, label, side)
    for key, (position, label, side) in zip(REGISTRY_SITES, _LAYOUT, strict=True)
)

#: Grade wording [SECONDARY], scores.md §1.
GRADES: tuple[tuple[int, str], ...] = (
    (0, "normal thickness"),
    (1, "mild: definite thickening, fold still easily raised"),
    (2, "moderate: fold difficult to raise, wrinkles lost"),
    (3, "severe: skin cannot be pinched into a fold"),
)
