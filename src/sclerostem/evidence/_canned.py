"""Canned analysis data sets assembled from the outcome rows (pure data, no statistics)."""

from __future__ import annotations

from dataclasses import dataclass

from sclerostem.errors import InputError, UnknownFieldError
from sclerostem.evidence._dataset import outcome_rows
from sclerostem.result import Evidence

__all__ = ["CANNED", "CannedTable", "canned_table"]


@dataclass(frozen=True, slots=True)
class CannedTable:
    """A 2x2 table per study for a canned meta-analysis.

    Attributes
    ----------
    name, description : str
    labels : tuple of str
        Study keys.
    ai, bi, ci, di : tuple of int
        HSCT events, HSCT non-events, control events, control non-events.
    statuses : tuple of Evidence
        Confirmation status of each study's counts.
    spec_refs : tuple of str
    default_measure : str
        Measure used when the caller does not choose one.
    """

    name: str
    description: str
    labels: tuple[str, ...]
    ai: tuple[int, ...]
    bi: tuple[int, ...]
    ci: tuple[int, ...]
    di: tuple[int, ...]
    statuses: tuple[Evidence, ...]
    spec_refs: tuple[str, ...]
    default_measure: str

    def as_rows(self) -> list[dict[str, object]]:
        """One dict per study with metafor's column names (``study, ai, bi, ci, di``)."""
        return [
            {"study": s, "ai": a, "bi": b, "ci": c, "di": d, "status": st.value, "spec_ref": ref}
            for s, a, b, c, d, st, ref in zip(
                self.labels, self.ai, self.bi, self.ci, self.di, self.statuses, self.spec_refs, strict=True
            )
        ]


#: Canned analyses: name -> (outcome, time code, studies, description, default measure).
CANNED: dict[str, tuple[str, str, tuple[str, ...], str, str]] = {
    "hsct-trm": (
        "trm",
        "12m",
        ("ASSIST", "ASTIS", "SCOT"),
        "Treatment-related deaths at 12 months, autologous HSCT vs IV cyclophosphamide, "
        "in the three randomised trials (hsct.md C6)",
        "RD",
    ),
}


def canned_table(name: str) -> CannedTable:
    """The 2x2 table of a canned analysis (``"hsct-trm"``).

    Raises
    ------
    UnknownFieldError
        If ``name`` is not a canned analysis.

    References
    ----------
    shared/spec/hsct.md C6: ASSIST 0/10 vs 0/9 [S], ASTIS 8/79 vs 0/77 [S], SCOT 1/36 vs 0/39 [S].
    """
    if name not in CANNED:
        raise UnknownFieldError("canned", name, "one of " + ", ".join(repr(c) for c in CANNED))
    outcome, time, studies, description, measure = CANNED[name]
    labels, ai, bi, ci, di, statuses, refs = [], [], [], [], [], [], []
    for study in studies:
        rows = {r.arm: r for r in outcome_rows(study, outcome) if r.time_code == time and r.measure == "count"}
        h, c = rows["hsct"], rows["control"]
        if h.events is None or h.n is None or c.events is None or c.n is None:  # pragma: no cover - data invariant
            raise InputError("canned", name, f"count rows with events and n for {study}")
        labels.append(study)
        ai.append(h.events)
        bi.append(h.n - h.events)
        ci.append(c.events)
        di.append(c.n - c.events)
        statuses.append(min((h.status, c.status), key=_rank))
        refs.append(h.spec_ref)
    return CannedTable(name, description, tuple(labels), tuple(ai), tuple(bi), tuple(ci), tuple(di),
                       tuple(statuses), tuple(refs), measure)


def _rank(e: Evidence) -> int:
    """Weaker evidence sorts first, so ``min`` gives the weakest status of two."""
    return {Evidence.UNCONFIRMED: 0, Evidence.DERIVED: 1, Evidence.SECONDARY: 2, Evidence.CONFIRMED: 3}[e]
