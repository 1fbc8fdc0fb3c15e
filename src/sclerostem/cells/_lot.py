"""The test results of one cell-therapy lot, as typed input.

Every field is optional: a result that was not reported stays ``None`` and a
release check that needs it reports the lot as *not releasable* (missing
result), never as passing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import InputError, InputTypeError, UnknownFieldError

__all__ = ["MARKERS", "TISSUE_SOURCES", "LotResults", "lot_from_dict"]

#: Flow-cytometry markers with a ``<marker>_percent`` field (msc.md §1.1, §2.2).
MARKERS = ("cd105", "cd73", "cd90", "cd45", "cd34", "cd14", "cd11b", "cd79a", "cd19", "hla_dr", "cd31")

#: Tissue sources; the nomenclature check requires one (Horwitz 2005, msc.md §1.2).
TISSUE_SOURCES = ("bone_marrow", "adipose", "umbilical_cord", "wharton_jelly", "placenta", "other")

#: Cell-concentration units accepted, with their factor to cells/mL.
CONCENTRATION_UNITS = {"cells/mL": 1.0, "cells/uL": 1e3, "10^6 cells/mL": 1e6}


class LotResults(BaseModel):
    """Test results of one MSC (or other cell-therapy) lot.

    Percentages are 0-100 (``cd73_percent``: percent of the population
    positive). Booleans are ``True``/``False`` when reported, ``None`` when not.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    lot_id: str
    product_label: str | None = None
    tissue_source: Literal["bone_marrow", "adipose", "umbilical_cord", "wharton_jelly", "placenta", "other"] | None = None
    donor: Literal["autologous", "allogeneic"] | None = None
    passage: int | None = None
    stem_cell_criteria_shown: bool | None = None
    din: str | None = None

    cd105_percent: float | None = None
    cd73_percent: float | None = None
    cd90_percent: float | None = None
    cd45_percent: float | None = None
    cd34_percent: float | None = None
    cd14_percent: float | None = None
    cd11b_percent: float | None = None
    cd79a_percent: float | None = None
    cd19_percent: float | None = None
    hla_dr_percent: float | None = None
    cd31_percent: float | None = None

    viability_percent: float | None = None
    total_viable_cells: float | None = None
    concentration_cells_per_ml: float | None = None
    endotoxin_eu_ml: float | None = None
    endotoxin_eu_per_kg: float | None = None
    potency_pbmc_inhibition_percent: float | None = None

    sterility_negative: bool | None = None
    mycoplasma_negative: bool | None = None
    karyotype_normal: bool | None = None
    plastic_adherent: bool | None = None
    trilineage_differentiation: bool | None = None
    bsa_not_detected: bool | None = None


_PERCENT_FIELDS = (*tuple(f"{m}_percent" for m in MARKERS), "viability_percent", "potency_pbmc_inhibition_percent")
_BOOL_FIELDS = ("sterility_negative", "mycoplasma_negative", "karyotype_normal", "plastic_adherent",
                "trilineage_differentiation", "bsa_not_detected", "stem_cell_criteria_shown")


def lot_from_dict(data: dict[str, Any]) -> LotResults:
    """Validate a lot's results given as a plain mapping (e.g. parsed JSON).

    ``concentration`` may be given as ``{"value": 2.5, "unit": "10^6 cells/mL"}``
    (units: cells/mL, cells/uL, 10^6 cells/mL); it is converted to
    ``concentration_cells_per_ml``. Giving both forms, a missing unit or an
    unknown unit is an error.

    Raises
    ------
    UnknownFieldError, InputError, InputTypeError
        Naming the field, the value received and what is allowed.
    """
    if not isinstance(data, dict):
        raise InputTypeError("lot", data, "a JSON object of test results")
    data = dict(data)
    known = set(LotResults.model_fields) | {"concentration"}
    for key in data:
        if key not in known:
            raise UnknownFieldError(key, data[key], "one of the documented lot fields (see docs/cells.md)")
    if "lot_id" not in data or not isinstance(data["lot_id"], str) or not data["lot_id"].strip():
        raise InputError("lot_id", data.get("lot_id"), "a non-empty lot identifier")
    conc = data.pop("concentration", None)
    if conc is not None:
        if "concentration_cells_per_ml" in data:
            raise InputError("concentration", conc, "either 'concentration' with a unit or 'concentration_cells_per_ml', not both")
        if not isinstance(conc, dict) or "value" not in conc or "unit" not in conc:
            raise InputError("concentration", conc, 'an object {"value": number, "unit": one of ' + ", ".join(CONCENTRATION_UNITS) + "}")
        unit = check_choice("concentration.unit", conc["unit"], tuple(CONCENTRATION_UNITS))
        value = check_number("concentration.value", conc["value"], 0, None, unit=str(unit))
        if unit is None or value is None:
            raise InputError("concentration", conc, "a value and a unit, both given")
        data["concentration_cells_per_ml"] = float(value) * CONCENTRATION_UNITS[unit]
    for name in _PERCENT_FIELDS:
        check_number(name, data.get(name), 0, 100, unit="%")
    check_number("passage", data.get("passage"), 0, 100, integer=True)
    for name in ("total_viable_cells", "concentration_cells_per_ml", "endotoxin_eu_ml", "endotoxin_eu_per_kg"):
        check_number(name, data.get(name), 0, None)
    for name in _BOOL_FIELDS:
        if data.get(name) is not None and not isinstance(data[name], bool):
            raise InputTypeError(name, data[name], "true, false, or null if not reported")
    check_choice("tissue_source", data.get("tissue_source"), TISSUE_SOURCES)
    check_choice("donor", data.get("donor"), ("autologous", "allogeneic"))
    try:
        return LotResults(**data)
    except ValidationError as exc:  # pragma: no cover - the checks above cover the fields
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InputError(field, err.get("input"), err["msg"]) from None
