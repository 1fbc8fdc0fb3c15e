"""Responder definitions (MCIDs and trial response rules) with their sources.

Every threshold carries its citation and confirmation status from
shared/spec/scores.md (§1 mRSS, §4 ACR-CRISS, §5 HAQ-DI, §10 response
definitions). Values not in the spec (e.g. an FVC MCID) can only be supplied
by the caller and are then reported with an UNCONFIRMED caveat.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import UnknownFieldError
from sclerostem.result import Caveat, Evidence

__all__ = ["PRESETS", "ResponderDefinition", "custom_definition", "get_definition"]

Direction = Literal["decrease", "increase"]


@dataclass(frozen=True, slots=True)
class ResponderDefinition:
    """A responder rule applied to one measure.

    Two kinds:

    * ``kind="change"``: improvement from baseline to the landmark visit in the
      better ``direction`` by at least ``min_change`` units (absolute) and/or at
      least ``min_relative_pct`` % of baseline; both must hold when both are set.
      ``strict=True`` means "more than" (``>``) for the absolute part, else "at
      least" (``>=``); ``strict_relative`` the same for the relative part.
    * ``kind="level"``: the landmark value itself is at least ``threshold``
      (e.g. the ACR-CRISS probability >= 0.60, computed between baseline and that
      visit).

    Attributes
    ----------
    name : str
        Identifier, e.g. ``"mrss_mcid_dcssc"``.
    measure : str
        Column of the visits table, unit in the name (``mrss_total``, ``haq_di``).
    kind : {"change", "level"}
    direction : {"decrease", "increase"}
        Direction of improvement (mRSS and HAQ-DI fall, FVC rises).
    min_change, min_relative_pct, threshold : float or None
        Thresholds (units of ``measure``; % of baseline; level).
    strict, strict_relative : bool
        ``>`` rather than ``>=`` for the absolute / relative threshold (``strict``
        also applies to ``threshold``).
    unit : str
    source : str
        Citation (shared/spec key and table).
    status : Evidence
        Confirmation status of the threshold.
    caveats : tuple of Caveat
        Shown with every result that uses this definition.
    """

    name: str
    measure: str
    kind: Literal["change", "level"]
    direction: Direction
    min_change: float | None = None
    min_relative_pct: float | None = None
    threshold: float | None = None
    strict: bool = False
    strict_relative: bool = False
    min_baseline_exclusive: float | None = None
    unit: str = ""
    source: str = ""
    status: Evidence = Evidence.UNCONFIRMED
    caveats: tuple[Caveat, ...] = field(default=())

    def describe(self) -> str:
        """Human-readable rule, e.g. ``'mrss_total decrease >= 5 points'``."""
        op = ">" if self.strict else ">="
        if self.kind == "level":
            return f"{self.measure} {op} {self.threshold:g} at the landmark visit"
        parts = []
        if self.min_change is not None:
            parts.append(f"{op} {self.min_change:g} {self.unit}".rstrip())
        if self.min_relative_pct is not None:
            rop = ">" if self.strict_relative else ">="
            parts.append(f"{rop} {self.min_relative_pct:g}% of baseline")
        rule = f"{self.measure} {self.direction} " + " and ".join(parts)
        if self.min_baseline_exclusive is not None:
            rule += f" (applies only when baseline > {self.min_baseline_exclusive:g})"
        return rule

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "name": self.name, "measure": self.measure, "kind": self.kind,
            "direction": self.direction, "min_change": self.min_change,
            "min_relative_pct": self.min_relative_pct, "threshold": self.threshold,
            "strict": self.strict, "strict_relative": self.strict_relative,
            "min_baseline_exclusive": self.min_baseline_exclusive, "unit": self.unit, "rule": self.describe(),
            "source": self.source, "status": self.status.value,
            "caveats": [c.to_dict() for c in self.caveats],
        }


_WALKER = "Walker2018-RMDOpen: RMD Open 2018;4:e000533, Table 1 (scores.md §10)"
_GE_CONVENTION = Caveat(
    "responders.at_least_convention",
    "The source gives the MCID as a size of change; counting a change of exactly the MCID as a "
    "response ('at least') is a project convention.",
    None, Evidence.DERIVED,
)

PRESETS: dict[str, ResponderDefinition] = {
    d.name: d
    for d in (
        ResponderDefinition(
            "acr_criss", "criss_probability", "level", "increase", threshold=0.60, unit="probability",
            source="Khanna2016-CRISS: Arthritis Rheumatol 2016;68(2):299-311, Table 4 (scores.md §4)",
            status=Evidence.CONFIRMED,
        ),
        ResponderDefinition(
            "mrss_mcid_dcssc", "mrss_total", "change", "decrease", min_change=5, unit="points",
            source="Khanna2019-SLS: Arthritis Res Ther 2019, doi:10.1186/s13075-019-1809-y (scores.md §1)",
            status=Evidence.CONFIRMED, caveats=(_GE_CONVENTION,),
        ),
        ResponderDefinition(
            "mrss_eustar_improvement", "mrss_total", "change", "decrease", min_change=5,
            min_relative_pct=25, strict=True, strict_relative=False, unit="points",
            source="Dobrota2016-EUSTAR: Ann Rheum Dis 2016 (scores.md §1): decrease > 5 points and >= 25%",
            status=Evidence.CONFIRMED,
        ),
        ResponderDefinition(
            "mrss_assist", "mrss_total", "change", "decrease", min_relative_pct=25, strict_relative=True,
            min_baseline_exclusive=14,
            unit="points", source=_WALKER + ": ASSIST skin criterion, decrease > 25% if baseline mRSS > 14 (hsct.md §C4)",
            status=Evidence.SECONDARY,
        ),
        ResponderDefinition(
            "fvc_assist", "fvc_percent_predicted", "change", "increase", min_relative_pct=10,
            strict_relative=True,
            unit="% predicted", source=_WALKER + ": ASSIST lung criterion, increase > 10% (hsct.md §C4)",
            status=Evidence.SECONDARY,
        ),
        ResponderDefinition(
            "fvc_rcriss_5pct", "fvc_percent_predicted", "change", "increase", min_relative_pct=5,
            unit="% predicted",
            source="Khanna2021-ACR-abstract-0398 (scores.md §4, rCRISS FVC item): improvement >= 5%",
            status=Evidence.SECONDARY,
            caveats=(Caveat("responders.fvc_5pct_mode",
                            "Whether the rCRISS 5 % FVC threshold is relative (% of baseline, used here) or "
                            "absolute (percentage points) is not stated in the retrieved sources.",
                            "Khanna2021-ACR-abstract-0398", Evidence.UNCONFIRMED),),
        ),
        ResponderDefinition(
            "haq_di_mcid", "haq_di", "change", "decrease", min_change=0.125, unit="points",
            source="Fairley2025: doi:10.1177/23971983251360883 (scores.md §5): improvement -0.125",
            status=Evidence.CONFIRMED,
            caveats=(Caveat("responders.haq_mid_range",
                            "The D-penicillamine trial MID was 0.10-0.14 (Khanna 2006, PMID 16540546); "
                            "0.125 (one HAQ-DI step) is the value used by Fairley et al. 2025.",
                            "Khanna2006-MID", Evidence.CONFIRMED), _GE_CONVENTION),
        ),
    )
}


def get_definition(name: str) -> ResponderDefinition:
    """Look up a preset definition by name."""
    if name not in PRESETS:
        raise UnknownFieldError("definition", name, "one of " + ", ".join(repr(k) for k in PRESETS))
    return PRESETS[name]


def custom_definition(
    name: str,
    measure: str,
    direction: Direction,
    *,
    min_change: float | None = None,
    min_relative_pct: float | None = None,
    strict: bool = False,
    strict_relative: bool = False,
    unit: str = "",
    source: str | None = None,
) -> ResponderDefinition:
    """A change-from-baseline rule with caller-supplied thresholds (e.g. an FVC MCID).

    The spec gives no MCID for FVC % predicted, so such a threshold is a
    parameter: the definition is tagged UNCONFIRMED and carries a caveat naming
    the value used.
    """
    check_choice("direction", direction, ("decrease", "increase"))
    check_number("min_change", min_change, 0, None)
    check_number("min_relative_pct", min_relative_pct, 0, 100, unit="%")
    if min_change is None and min_relative_pct is None:
        raise UnknownFieldError("min_change", None, "a threshold: min_change and/or min_relative_pct")
    d = ResponderDefinition(name, measure, "change", direction, min_change=min_change,
                            min_relative_pct=min_relative_pct, strict=strict,
                            strict_relative=strict_relative, unit=unit,
                            source=source or "caller-supplied", status=Evidence.UNCONFIRMED)
    cav = Caveat(f"responders.{name}.threshold_unconfirmed",
                 f"Threshold supplied by the user ({d.describe()}); not confirmed against a "
                 "published source in shared/spec.", source, Evidence.UNCONFIRMED)
    return replace(d, caveats=(cav,))
