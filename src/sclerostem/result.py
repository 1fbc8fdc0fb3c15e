"""The one result type shared by every score and every rule check.

A :class:`Result` is immutable and carries everything a clinician or a program
needs to trust a number: the value, its per-component breakdown, the
interpretation, which inputs were missing, caveats (each with its source and
confirmation status), and the sources of the rule itself.

Rule checks (HSCT candidacy, lot release) use the same type: ``value`` is
``True`` (met), ``False`` (not met) or ``None`` (unknown: missing data), and
``interpretation`` is ``"met"``, ``"not met"`` or ``"unknown"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Caveat", "Evidence", "Result"]


class Evidence(StrEnum):
    """Confirmation status of a clinical fact, as tagged in ``shared/spec``.

    CONFIRMED   read in the primary source ([CONFIRMED], [P], **C**).
    SECONDARY   read only in a secondary source that cites the primary ([SECONDARY], [S]).
    DERIVED     arithmetic on confirmed numbers ([D]).
    UNCONFIRMED not seen in any source; a parameter, shown to the user with a caveat ([UNCONFIRMED], [U]).
    """

    CONFIRMED = "confirmed"
    SECONDARY = "secondary"
    DERIVED = "derived"
    UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True, slots=True)
class Caveat:
    """A statement the user must see next to a result.

    Attributes
    ----------
    code : str
        Stable machine-readable identifier, e.g. ``"criss.coefficients_unconfirmed"``.
    message : str
        Sentence for the clinician.
    source : str or None
        Citation key (from ``shared/spec``) the caveat is about.
    status : Evidence
        Confirmation status of the fact in question.
    """

    code: str
    message: str
    source: str | None = None
    status: Evidence = Evidence.UNCONFIRMED

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["status"] = self.status.value
        return d


@dataclass(frozen=True, slots=True)
class Result:
    """Outcome of one score or one rule check.

    Attributes
    ----------
    name : str
        Instrument or rule identifier, e.g. ``"mrss"`` or ``"scot.fvc_min"``.
    value : float, int, bool, str or None
        The score (``None`` when not computable) or, for a rule, ``True`` /
        ``False`` / ``None`` for met / not met / unknown; a date is given as
        an ISO 8601 string.
    interpretation : str or None
        Clinical reading, e.g. ``"active"``, ``"classified as SSc"``, ``"met"``.
    components : Mapping[str, Any]
        Per-component breakdown (points per item, per site, per domain).
    missing : tuple of str
        Names of the inputs that were not recorded.
    caveats : tuple of Caveat
        Everything the user must know before relying on the value.
    sources : tuple of str
        Citation keys (with table or page) the computation follows.
    unit : str or None
        Unit of ``value`` if any (e.g. ``"points"``, ``"probability"``).
    """

    name: str
    value: float | int | bool | str | None
    interpretation: str | None = None
    components: Mapping[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    caveats: tuple[Caveat, ...] = ()
    sources: tuple[str, ...] = ()
    unit: str | None = None

    @property
    def computable(self) -> bool:
        """``True`` when a value could be produced from the inputs given."""
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation (for the CLI ``--json``, REST API and reports)."""
        return {
            "name": self.name,
            "value": self.value,
            "interpretation": self.interpretation,
            "computable": self.computable,
            "unit": self.unit,
            "components": dict(self.components),
            "missing": list(self.missing),
            "caveats": [c.to_dict() for c in self.caveats],
            "sources": list(self.sources),
        }
