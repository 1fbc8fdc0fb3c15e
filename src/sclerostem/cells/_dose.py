"""Cell dose, infusion volume and endotoxin limits (USP <85>).

References
----------
.. [1] USP <85> Bacterial Endotoxins Test: endotoxin limit = K/M, K = 5 EU/kg
   for parenteral routes other than intrathecal, 0.2 EU/kg intrathecal; M =
   maximum dose per kg given within one hour (shared/spec/msc.md §2.3, status C).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import InputError

__all__ = ["ENDOTOXIN_K_EU_PER_KG", "EndotoxinCheck", "InfusionPlan", "endotoxin_check", "plan_infusion"]

#: K in EU/kg per hour by route (USP <85>; msc.md §2.3, C).
ENDOTOXIN_K_EU_PER_KG: dict[str, float] = {"intravenous": 5.0, "intramuscular": 5.0, "subcutaneous": 5.0,
                                            "intradermal": 5.0, "intrathecal": 0.2}

Route = Literal["intravenous", "intramuscular", "subcutaneous", "intradermal", "intrathecal"]


@dataclass(frozen=True, slots=True)
class InfusionPlan:
    """A dose of cells for one patient.

    Attributes
    ----------
    total_cells : float
        Cells to give (cells).
    dose_cells_per_kg : float
        Dose per kg body weight (cells/kg).
    volume_ml : float or None
        Volume of product to draw (mL) when the concentration is known.
    """

    weight_kg: float
    dose_cells_per_kg: float
    total_cells: float
    concentration_cells_per_ml: float | None
    volume_ml: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_infusion(
    weight_kg: float,
    dose_cells_per_kg: float,
    concentration_cells_per_ml: float | None = None,
    available_cells: float | None = None,
) -> InfusionPlan:
    """Total cells and volume to infuse for a dose per kg.

    total = weight × dose per kg; volume = total ÷ concentration.

    Raises
    ------
    InputError
        Weight outside 1-300 kg, a non-positive dose or concentration, or a
        dose larger than the cells available in the lot.

    Examples
    --------
    70 kg at 2 × 10⁶ cells/kg from a 5 × 10⁶ cells/mL suspension: 1.4 × 10⁸ cells, 28 mL.

    >>> plan_infusion(70, 2e6, 5e6).volume_ml
    28.0
    """
    check_number("weight_kg", weight_kg, 1, 300, unit="kg")
    check_number("dose_cells_per_kg", dose_cells_per_kg, 1, None, unit="cells/kg")
    check_number("concentration_cells_per_ml", concentration_cells_per_ml, 1, None, unit="cells/mL")
    check_number("available_cells", available_cells, 0, None, unit="cells")
    total = float(weight_kg) * float(dose_cells_per_kg)
    if available_cells is not None and total > available_cells:
        raise InputError("dose_cells_per_kg", dose_cells_per_kg,
                         f"at most {available_cells / weight_kg:.3g} cells/kg: the lot holds {available_cells:.3g} cells for {weight_kg:g} kg")
    volume = total / concentration_cells_per_ml if concentration_cells_per_ml else None
    return InfusionPlan(float(weight_kg), float(dose_cells_per_kg), total, concentration_cells_per_ml, volume)


@dataclass(frozen=True, slots=True)
class EndotoxinCheck:
    """Endotoxin given with a dose against the USP <85> limit K.

    ``eu_per_kg_per_hour`` is the endotoxin per kg given in the first hour
    (the whole dose when infused within one hour).
    """

    route: str
    limit_eu_per_kg: float
    total_eu: float
    eu_per_kg_per_hour: float
    within_limit: bool
    max_volume_ml_per_hour: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def endotoxin_check(
    endotoxin_eu_ml: float,
    volume_ml: float,
    weight_kg: float,
    route: str = "intravenous",
    infusion_hours: float = 1.0,
) -> EndotoxinCheck:
    """Check the endotoxin of a planned dose against K/M (USP <85>).

    Parameters
    ----------
    endotoxin_eu_ml : float
        Measured endotoxin of the lot (EU/mL).
    volume_ml : float
        Volume to infuse (mL).
    weight_kg : float
        Patient weight (kg).
    route : str
        ``intravenous`` (K = 5 EU/kg) ... ``intrathecal`` (K = 0.2 EU/kg).
    infusion_hours : float
        Duration of the infusion (h); doses given within one hour count whole.

    Returns
    -------
    EndotoxinCheck
        With ``max_volume_ml_per_hour``: the largest volume per hour that keeps
        the dose within the limit.

    References
    ----------
    .. [1] USP <85>, K/M (msc.md §2.3, C).

    Examples
    --------
    0.5 EU/mL, 28 mL, 70 kg IV in 30 min: 14 EU, 0.2 EU/kg/h, within 5 EU/kg.

    >>> round(endotoxin_check(0.5, 28, 70).eu_per_kg_per_hour, 3)
    0.2
    """
    check_number("endotoxin_eu_ml", endotoxin_eu_ml, 0, None, unit="EU/mL")
    check_number("volume_ml", volume_ml, 0, 5000, unit="mL")
    check_number("weight_kg", weight_kg, 1, 300, unit="kg")
    check_choice("route", route, tuple(ENDOTOXIN_K_EU_PER_KG))
    check_number("infusion_hours", infusion_hours, 0.001, 48, unit="h")
    k = ENDOTOXIN_K_EU_PER_KG[route]
    total = float(endotoxin_eu_ml) * float(volume_ml)
    per_hour_fraction = 1.0 if infusion_hours <= 1 else 1.0 / float(infusion_hours)
    per_kg_hour = total * per_hour_fraction / float(weight_kg)
    max_vol = (k * float(weight_kg) / float(endotoxin_eu_ml)) if endotoxin_eu_ml > 0 else float("inf")
    return EndotoxinCheck(route, k, total, per_kg_hour, per_kg_hour <= k, max_vol)
