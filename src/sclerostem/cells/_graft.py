"""Autologous HSCT graft: CD34+ dose, apheresis planning, CD34 selection, engraftment.

References
----------
.. [1] Neyrinck MM et al. Calculations in apheresis. J Clin Apher 2015;30(1):38-42:
   collection efficiency (msc.md §4.4, C).
.. [2] Ford CD, Pace N, Lehman C. Transfusion 1998 (DOI 10.1046/j.1537-2995.1998.38111299056315.x):
   blood volume to process; formula read in a secondary source (msc.md §4.4, S).
.. [3] Bone Marrow Transplant 2002;30(11):749-752, PMID 12439697: neutrophil engraftment
   = first of 3 consecutive days with ANC >= 0.5 x 10^9/L (msc.md §4.5, C).
.. [4] msc.md §4.2: no CD34+ minimum/target of the SSc trials or EBMT was confirmed; the
   2-5 x 10^6/kg window (Transfusion, DOI 10.1111/trf.12435) and the 1 x 10^6/kg engraftment
   minimum (CEPRATE series) are context values, configurable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sclerostem._validation import check_number
from sclerostem.errors import ConsistencyError, InputError
from sclerostem.result import Caveat, Evidence, Result

__all__ = [
    "Collection",
    "collection_efficiency_percent",
    "engraftment_day",
    "graft_cd34_dose",
    "selection_performance",
    "volume_to_process_ml",
]

_DOSE_CAVEAT = Caveat(
    "graft.cd34_thresholds_not_trial_values",
    "Target and minimum CD34+ doses are parameters: no SSc-trial or EBMT minimum was confirmed "
    "(the 2-5 x 10^6/kg window and the 1 x 10^6/kg engraftment minimum are general context values).",
    "msc.md §4.2",
    Evidence.UNCONFIRMED,
)


@dataclass(frozen=True, slots=True)
class Collection:
    """One apheresis product.

    Attributes
    ----------
    cd34_cells : float
        CD34+ cells in the product (cells, e.g. 3.1e8).
    litres_processed : float, optional
        Blood volume processed (L), for the collection efficiency.
    pre_cd34_per_ul : float, optional
        Peripheral-blood CD34+ count before the procedure (cells/uL).
    label : str
        Day or bag identifier.
    """

    cd34_cells: float
    litres_processed: float | None = None
    pre_cd34_per_ul: float | None = None
    label: str = ""


def collection_efficiency_percent(cd34_cells: float, litres_processed: float, pre_cd34_per_ul: float) -> float:
    """Collection efficiency CE2 (%) = CD34+ in product x 100 / (litres processed x PB CD34+/uL x 10^6).

    1 L x 1 cell/uL = 10^6 cells, so with the product in cells the formula is
    ``100 * cd34_cells / (litres * per_ul * 1e6)`` (Neyrinck 2015, msc.md §4.4, C).

    Examples
    --------
    2.4 x 10^8 CD34+ from 12 L at 40/uL: CE = 50 %.

    >>> collection_efficiency_percent(2.4e8, 12, 40)
    50.0
    """
    check_number("cd34_cells", cd34_cells, 0, None, unit="cells")
    check_number("litres_processed", litres_processed, 0.1, 50, unit="L")
    check_number("pre_cd34_per_ul", pre_cd34_per_ul, 0.1, 5000, unit="cells/uL")
    return 100.0 * float(cd34_cells) / (float(litres_processed) * float(pre_cd34_per_ul) * 1e6)


def volume_to_process_ml(weight_kg: float, target_cd34_per_kg: float, pb_cd34_per_ul: float,
                         collection_efficiency_pct: float) -> Result:
    """Blood volume to process for a target CD34+ dose.

    volume (mL) = weight x target / (PB CD34+/uL x 1000 x CE fraction)
    (Ford 1998 via a secondary source, msc.md §4.4, S).

    Examples
    --------
    70 kg, target 5 x 10^6/kg, 40/uL, CE 50 %: 3.5e8 / (40 x 1000 x 0.5) = 17,500 mL.

    >>> volume_to_process_ml(70, 5e6, 40, 50).value
    17500.0
    """
    check_number("weight_kg", weight_kg, 1, 300, unit="kg")
    check_number("target_cd34_per_kg", target_cd34_per_kg, 1e4, 1e8, unit="cells/kg")
    check_number("pb_cd34_per_ul", pb_cd34_per_ul, 0.1, 5000, unit="cells/uL")
    check_number("collection_efficiency_pct", collection_efficiency_pct, 1, 100, unit="%")
    needed = float(weight_kg) * float(target_cd34_per_kg)
    ml = needed / (float(pb_cd34_per_ul) * 1000.0 * float(collection_efficiency_pct) / 100.0)
    caveats = (Caveat("graft.volume_formula_secondary",
                      "Volume-to-process formula read in a secondary source citing Ford 1998; "
                      "collection efficiency falls with higher WBC, haematocrit and albumin.",
                      "Ford-1998", Evidence.SECONDARY),)
    return Result(name="volume_to_process", value=ml, unit="mL", interpretation=f"{ml / 1000:.1f} L to process",
                  components={"cd34_needed_cells": needed},
                  caveats=caveats, sources=("Neyrinck-2015", "Ford-1998"))


def graft_cd34_dose(collections: Sequence[Collection], weight_kg: float, *,
                    target_cd34_per_kg: float | None = None,
                    minimum_cd34_per_kg: float | None = None) -> Result:
    """CD34+ dose of a graft (sum of collections) per kg, against target and minimum.

    Parameters
    ----------
    collections : sequence of Collection
        The apheresis products that make up the graft.
    weight_kg : float
        Patient weight (kg).
    target_cd34_per_kg, minimum_cd34_per_kg : float, optional
        Centre parameters (cells/kg), e.g. 5e6 and 2e6. Not SSc-trial values
        (msc.md §4.2): a caveat says so.

    Returns
    -------
    Result
        ``value`` in cells/kg; interpretation ``"target reached"``,
        ``"minimum reached, below target"``, ``"below minimum"`` or
        ``"computed"`` when no threshold was given; components per collection
        with its collection efficiency when litres and pre-count are known.
    """
    check_number("weight_kg", weight_kg, 1, 300, unit="kg")
    if not collections:
        raise InputError("collections", [], "at least one apheresis product")
    check_number("target_cd34_per_kg", target_cd34_per_kg, 1e4, 1e8, unit="cells/kg")
    check_number("minimum_cd34_per_kg", minimum_cd34_per_kg, 1e4, 1e8, unit="cells/kg")
    if target_cd34_per_kg is not None and minimum_cd34_per_kg is not None and minimum_cd34_per_kg > target_cd34_per_kg:
        raise ConsistencyError("minimum_cd34_per_kg", minimum_cd34_per_kg, f"at most the target ({target_cd34_per_kg:g} cells/kg)")
    parts: list[dict[str, Any]] = []
    total = 0.0
    for i, c in enumerate(collections, start=1):
        check_number(f"collections[{i}].cd34_cells", c.cd34_cells, 0, 1e11, unit="cells")
        ce = None
        if c.litres_processed is not None and c.pre_cd34_per_ul is not None:
            ce = collection_efficiency_percent(c.cd34_cells, c.litres_processed, c.pre_cd34_per_ul)
        total += float(c.cd34_cells)
        parts.append({"label": c.label or f"collection {i}", "cd34_cells": c.cd34_cells,
                      "cd34_per_kg": c.cd34_cells / float(weight_kg), "collection_efficiency_percent": ce})
    dose = total / float(weight_kg)
    if target_cd34_per_kg is not None and dose >= target_cd34_per_kg:
        interp = "target reached"
    elif minimum_cd34_per_kg is not None and dose < minimum_cd34_per_kg:
        interp = "below minimum"
    elif minimum_cd34_per_kg is not None:
        interp = "minimum reached, below target" if target_cd34_per_kg is not None else "minimum reached"
    elif target_cd34_per_kg is not None:
        interp = "below target"
    else:
        interp = "computed"
    return Result(name="graft_cd34_dose", value=dose, unit="CD34+ cells/kg", interpretation=interp,
                  components={"collections": parts, "total_cd34_cells": total, "weight_kg": weight_kg,
                              "target_cd34_per_kg": target_cd34_per_kg, "minimum_cd34_per_kg": minimum_cd34_per_kg},
                  caveats=(_DOSE_CAVEAT,), sources=("msc.md §4.2", "Neyrinck-2015"))


def selection_performance(cd34_before: float, cd34_after: float, cd3_before: float | None = None,
                          cd3_after: float | None = None) -> Result:
    """CD34 selection: recovery (%) and log10 T-cell depletion.

    recovery = CD34+ after / before x 100; depletion = log10(CD3+ before / CD3+ after).
    Published performance for comparison (msc.md §4.3, C): CliniMACS recovery
    50-100 % with a consistent 3-log CD3+ reduction; CEPRATE/Isolex mean recovery
    61.2 %, mean 3.7-log depletion.

    Examples
    --------
    >>> r = selection_performance(4e8, 2.4e8, 1e10, 1e7)
    >>> r.value, r.components["log10_t_cell_depletion"]
    (60.0, 3.0)
    """
    check_number("cd34_before", cd34_before, 1, None, unit="cells")
    check_number("cd34_after", cd34_after, 0, None, unit="cells")
    if cd34_after > cd34_before * 1.2:
        raise ConsistencyError("cd34_after", cd34_after, f"at most the CD34+ count before selection ({cd34_before:g}) within counting error (20 %)")
    recovery = 100.0 * float(cd34_after) / float(cd34_before)
    depletion = None
    if cd3_before is not None or cd3_after is not None:
        check_number("cd3_before", cd3_before, 1, None, unit="cells")
        check_number("cd3_after", cd3_after, 1, None, unit="cells")
        if cd3_before is None or cd3_after is None:
            raise InputError("cd3_after" if cd3_after is None else "cd3_before", None, "both CD3+ counts, before and after")
        depletion = math.log10(float(cd3_before) / float(cd3_after))
    return Result(name="cd34_selection", value=recovery, unit="% CD34+ recovery",
                  interpretation=f"recovery {recovery:.1f} %" + (f", {depletion:.1f}-log T-cell depletion" if depletion is not None else ""),
                  components={"log10_t_cell_depletion": depletion},
                  sources=("msc.md §4.3",))


def engraftment_day(counts: Sequence[tuple[date | int, float | None]], *, threshold: float | None = None,
                    consecutive_days: int | None = None, lineage: str = "neutrophil",
                    transfusions: Sequence[date | int] = (), transfusion_free_days: int | None = None) -> Result:
    """First day of ``consecutive_days`` consecutive daily counts at or above ``threshold``.

    Neutrophils: ANC >= 0.5 x 10^9/L on 3 consecutive days, engraftment = the
    first of them (PMID 12439697, msc.md §4.5, C). Platelets: the threshold
    (20, 25 x 10^9/L ...) and the transfusion-free window are parameters
    (UNCONFIRMED, msc.md §4.5); a platelet count within ``transfusion_free_days``
    after a platelet transfusion does not count.

    Parameters
    ----------
    counts : sequence of (day, value)
        Daily counts (x 10^9/L) keyed by date or day number, one per day,
        in order; ``None`` for a day without a count breaks the run.
    threshold, consecutive_days : optional
        Neutrophils default to 0.5 x 10^9/L on 3 days (confirmed). Platelets
        have no default: both must be given, with ``transfusion_free_days``.

    Returns
    -------
    Result
        ``value`` the engraftment day (date or day number), ``None`` when not
        (yet) engrafted.
    """
    if lineage not in ("neutrophil", "platelet"):
        raise InputError("lineage", lineage, "'neutrophil' or 'platelet'")
    if lineage == "neutrophil":
        threshold = 0.5 if threshold is None else threshold
        consecutive_days = 3 if consecutive_days is None else consecutive_days
        transfusion_free_days = 0 if transfusion_free_days is None else transfusion_free_days
    else:
        # No confirmed platelet rule (msc.md §4.5): the centre must state its own.
        for name, given in (("threshold", threshold), ("consecutive_days", consecutive_days),
                            ("transfusion_free_days", transfusion_free_days)):
            if given is None:
                raise InputError(name, None, "a value chosen by the centre for platelet engraftment "
                                 "(no published default is confirmed; e.g. 20 x 10^9/L, 7 days, 7 transfusion-free days)")
    check_number("threshold", threshold, 0.01, 1000, unit="x 10^9/L")
    check_number("consecutive_days", consecutive_days, 1, 14, integer=True)
    check_number("transfusion_free_days", transfusion_free_days, 0, 30, integer=True)
    if threshold is None or consecutive_days is None or transfusion_free_days is None:  # narrowed above
        raise InputError("threshold", threshold, "a number")
    caveats: tuple[Caveat, ...] = ()
    if lineage == "platelet":
        caveats = (Caveat("graft.platelet_rule_unconfirmed",
                          f"Platelet engraftment rule (>= {threshold:g} x 10^9/L, {transfusion_free_days} transfusion-free days) is a parameter; "
                          "the 20 x 10^9/L 7-day rule is not confirmed (SSc studies used > 25 and >= 20).",
                          "msc.md §4.5", Evidence.UNCONFIRMED),)
    elif threshold != 0.5 or consecutive_days != 3:
        caveats = (Caveat("graft.anc_rule_changed", "Neutrophil rule differs from ANC >= 0.5 x 10^9/L on 3 consecutive days.",
                          "BMT-2002-Engraftment", Evidence.CONFIRMED),)
    previous = None
    run_start = None
    run = 0

    def _ordinal(day: date | int) -> int:
        return day.toordinal() if isinstance(day, date) else int(day)

    tx = sorted(_ordinal(t) for t in transfusions)
    for i, (day, value) in enumerate(counts):
        d = _ordinal(day)
        if previous is not None and d <= previous:
            raise ConsistencyError(f"counts[{i}].day", day, "days in increasing order, one count per day")
        check_number(f"counts[{i}].value", value, 0, 2000, unit="x 10^9/L")
        contiguous = previous is not None and d == previous + 1
        supported = any(0 <= d - t < transfusion_free_days for t in tx) if transfusion_free_days else False
        if value is not None and value >= threshold and not supported:
            if run and contiguous:
                run += 1
            else:
                run, run_start = 1, day
            if run >= consecutive_days:
                return Result(name=f"{lineage}_engraftment", value=run_start.isoformat() if isinstance(run_start, date) else run_start,
                              interpretation="engrafted", unit="day",
                              components={"threshold": threshold, "consecutive_days": consecutive_days},
                              caveats=caveats, sources=("msc.md §4.5",))
        else:
            run = 0
        previous = d
    return Result(name=f"{lineage}_engraftment", value=None, interpretation="not engrafted yet", unit="day",
                  components={"threshold": threshold, "consecutive_days": consecutive_days},
                  caveats=caveats, sources=("msc.md §4.5",))
