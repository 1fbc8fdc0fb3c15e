"""Lot release: check a lot's results against a specification, criterion by criterion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sclerostem.cells._lot import LotResults
from sclerostem.cells._specs import Criterion, ReleaseSpec
from sclerostem.result import Caveat, Evidence, Result

__all__ = ["LotReleaseReport", "check_lot", "check_nomenclature"]

_OPS = {
    ">=": lambda v, t: v >= t,
    ">": lambda v, t: v > t,
    "<=": lambda v, t: v <= t,
    "<": lambda v, t: v < t,
    "is": lambda v, t: v is t,
}


def _check(criterion: Criterion, lot: LotResults) -> Result:
    values = {p: getattr(lot, p) for p in criterion.parameters}
    reported = {p: v for p, v in values.items() if v is not None}
    thr = criterion.threshold
    shown = str(thr).lower() if isinstance(thr, bool) else f"{thr:g}"
    rule = f"{' or '.join(criterion.parameters)} {criterion.operator} {shown}{' ' + criterion.unit if criterion.unit else ''}"
    caveats: tuple[Caveat, ...] = ()
    if criterion.status is Evidence.UNCONFIRMED:
        caveats = (Caveat(f"cells.{criterion.id}.unconfirmed", f"The threshold of {criterion.id} is not confirmed from its primary source.", None, Evidence.UNCONFIRMED),)
    if not reported:
        return Result(name=criterion.id, value=None, interpretation="unknown", missing=criterion.parameters,
                      components={"rule": rule, "values": values, "test": criterion.test, "mandatory": criterion.mandatory},
                      caveats=caveats)
    # Either/or pairs ("CD14 or CD11b", Dominici 2006): one reported marker suffices, but a
    # reported marker above the limit is never outweighed by its partner (contamination shows
    # in either marker), so every reported marker must meet the threshold.
    met = all(_OPS[criterion.operator](v, thr) for v in reported.values())
    return Result(name=criterion.id, value=met, interpretation="met" if met else "not met",
                  components={"rule": rule, "values": values, "test": criterion.test, "mandatory": criterion.mandatory},
                  caveats=caveats)


def check_nomenclature(lot: LotResults) -> tuple[Caveat, ...]:
    """Naming checks: tissue source stated; "stem" only with stem-cell evidence.

    Horwitz 2005 (confirmed, msc.md §1.2): the cells are *multipotent
    mesenchymal stromal cells*; *mesenchymal stem cell* is reserved for cells
    meeting explicit stem-cell criteria. The ISCT 2019 wording that the tissue
    source must be in the name is UNCONFIRMED (msc.md §1.2), so a missing
    source is reported as a caveat, not a failed release criterion.
    """
    out: list[Caveat] = []
    if lot.tissue_source is None:
        out.append(Caveat("cells.nomenclature.tissue_source",
                          "Tissue source not stated; name the source (e.g. BM-, AT-, UC-MSC).",
                          "Viswanathan-2019", Evidence.UNCONFIRMED))
    label = (lot.product_label or "").lower()
    if "stem" in label and lot.stem_cell_criteria_shown is not True:
        out.append(Caveat("cells.nomenclature.stem",
                          f"Label {lot.product_label!r} says 'stem' but stem-cell criteria (self-renewal and differentiation) are not shown; use 'mesenchymal stromal cells'.",
                          "Horwitz-2005", Evidence.CONFIRMED))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class LotReleaseReport:
    """Outcome of a lot-release check.

    ``decision`` is ``"releasable"`` only when every mandatory criterion of a
    release specification is met; ``"not releasable"`` when one fails;
    ``"not releasable: results missing"`` when none fails but a mandatory
    result is not reported. An identity specification (ISCT 2006: "not a
    lot-release specification", msc.md §1.1) never makes a lot releasable; its
    decisions are ``"meets identity criteria"``, ``"does not meet identity
    criteria"`` and ``"identity not established: results missing"``.
    """

    lot_id: str
    spec: ReleaseSpec
    checks: tuple[Result, ...]
    nomenclature: tuple[Caveat, ...]

    @property
    def failed(self) -> tuple[Result, ...]:
        return tuple(c for c in self.checks if c.value is False and c.components["mandatory"])

    @property
    def missing(self) -> tuple[Result, ...]:
        return tuple(c for c in self.checks if c.value is None and c.components["mandatory"])

    @property
    def passed(self) -> bool:
        """Every mandatory criterion met."""
        return not self.failed and not self.missing

    @property
    def decision(self) -> str:
        identity = self.spec.kind != "release"
        if self.failed:
            return "does not meet identity criteria" if identity else "not releasable"
        if self.missing:
            return "identity not established: results missing" if identity else "not releasable: results missing"
        return "meets identity criteria" if identity else "releasable"

    @property
    def releasable(self) -> bool:
        """Only a release specification can make a lot releasable."""
        return self.passed and self.spec.kind == "release"

    def to_dict(self) -> dict[str, Any]:
        return {
            "lot_id": self.lot_id,
            "decision": self.decision,
            "releasable": self.releasable,
            "passed": self.passed,
            "spec": {"name": self.spec.name, "title": self.spec.title, "version": self.spec.version,
                     "kind": self.spec.kind, "source": self.spec.source, "spec_ref": self.spec.spec_ref,
                     "caveat": self.spec.caveat},
            "checks": [c.to_dict() for c in self.checks],
            "failed": [c.name for c in self.failed],
            "missing_results": sorted({p for c in self.missing for p in c.missing}),
            "nomenclature": [c.to_dict() for c in self.nomenclature],
        }


def check_lot(lot: LotResults, spec: ReleaseSpec) -> LotReleaseReport:
    """Check a lot against a release specification.

    Parameters
    ----------
    lot : LotResults
        The lot's reported results (validated with :func:`lot_from_dict`).
    spec : ReleaseSpec
        A shipped preset (:func:`load_spec`) or a centre's own file.

    Returns
    -------
    LotReleaseReport
        Per-criterion :class:`~sclerostem.result.Result` (met / not met /
        unknown), the overall decision, the missing results that block
        release, and nomenclature caveats.

    References
    ----------
    .. [1] Dominici M et al. Cytotherapy 2006;8(4):315-317 (msc.md §1.1).
    .. [2] Product specifications in msc.md §2.2.
    """
    checks = tuple(_check(c, lot) for c in spec.criteria)
    return LotReleaseReport(lot.lot_id, spec, checks, check_nomenclature(lot))
