"""Record types of the evidence dataset: references and outcome rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sclerostem.result import Caveat, Evidence

__all__ = [
    "DISEASES",
    "KINDS",
    "MEASURES",
    "OUTCOMES",
    "OutcomeRow",
    "Reference",
]

#: Study kinds a reference can be typed as.
KINDS: tuple[str, ...] = (
    "randomised-trial",
    "cohort",
    "case-report",
    "review",
    "guideline",
    "mechanistic",
    "meta-analysis",
)

#: Diseases a reference can be about.
DISEASES: tuple[str, ...] = ("ssc", "morphea")

#: Outcome codes of :class:`OutcomeRow` and what they mean.
OUTCOMES: dict[str, str] = {
    "efs": "event-free survival (alive without the trial's organ-failure events)",
    "os": "overall survival",
    "trm": "treatment-related death",
    "death": "death from any cause",
    "event": "death or major organ failure (the complement of event-free survival)",
    "grcs_wins": "share of pairwise comparisons won in SCOT's global rank composite score",
    "grcs_median": "median global rank composite score",
    "dmard": "initiated disease-modifying antirheumatic drugs",
    "improved": "improved (trial's primary improvement definition)",
    "mrss": "modified Rodnan skin score",
    "chfs_change": "change in Cochin Hand Function Scale (0-90)",
    "mlossi_decrease": "decrease in modified localized scleroderma skin severity index",
    "losdi_decrease": "decrease in localized scleroderma skin damage index",
    "du_healing": "digital-ulcer healing",
    "mhiss_change": "change in Mouth Handicap in SSc Scale",
    "mhiss_improvement": "improvement (decrease) in Mouth Handicap in SSc Scale",
    "chfs_improvement": "improvement (decrease) in Cochin Hand Function Scale (0-90)",
    "infection": "any infection",
    "serious_infection": "serious infection",
    "malignancy": "malignancy",
    "participants": "number of participants (design fact, no event)",
}

#: Measures of :class:`OutcomeRow` and how ``estimate``/``events``/``n`` read.
MEASURES: dict[str, str] = {
    "count": "events out of n participants (estimate empty)",
    "percent": "percentage (0-100) in the arm; n given when the spec gives it",
    "hr": "hazard ratio, HSCT vs control, with 95 % CI",
    "median": "median (range in ci_low/ci_high when given)",
    "mean": "mean value (sd given when the spec gives it)",
    "mean_change": "mean change from baseline (sd given when the spec gives it)",
}


@dataclass(frozen=True, slots=True)
class Reference:
    """One bibliographic record of the evidence dataset.

    Attributes
    ----------
    key : str
        Stable citation key; the key of ``hsct.md``'s source register where the
        study appears there (e.g. ``"SCOT"``), otherwise ``"Author-Year"``.
    number : int or None
        Position in the source review's reference list (1-43); ``None`` for
        records the review does not cite.
    authors : tuple of str
        Authors as printed (Vancouver style, e.g. ``"Sullivan KM"``).
    et_al : bool
        ``True`` when the printed list ends with "et al".
    title, journal, year, volume, issue, pages
        Bibliographic fields as printed (``None`` when not given).
    doi, pmid : str or None
        Identifiers where given (DOI only when it is a real ``10.`` DOI).
    other_ids : tuple of str
        Further identifiers (trial registry number, PMCID, a PII printed as a DOI).
    kind : str
        One of :data:`KINDS`.
    therapies : tuple of str
        Therapy codes (see ``docs/evidence.md``), e.g.
        ``"hsct-auto-myeloablative-cd34"``, ``"msc-bm-allo"``, ``"svf-auto"``.
    diseases : tuple of str
        Codes from :data:`DISEASES`.
    cited_by_review : bool
        ``False`` for records added from the specs that the review does not cite.
    status : Evidence
        Status of the bibliographic record: ``SECONDARY`` when it is as printed
        in the review's list, otherwise the status in the spec register.
    spec_ref : str or None
        Where the study appears in the specs, e.g. ``"hsct.md 0"``.
    notes : str or None
        Curator's notes (discrepancies between review and spec, typing caveats).
    """

    key: str
    number: int | None
    authors: tuple[str, ...]
    et_al: bool
    title: str
    journal: str | None
    year: int | None
    volume: str | None
    issue: str | None
    pages: str | None
    doi: str | None
    pmid: str | None
    other_ids: tuple[str, ...]
    kind: str
    therapies: tuple[str, ...]
    diseases: tuple[str, ...]
    cited_by_review: bool
    status: Evidence
    spec_ref: str | None = None
    notes: str | None = None

    @property
    def citation(self) -> str:
        """Short Vancouver-style citation, e.g. ``Sullivan KM, ... N Engl J Med 2018;378(1):35-47``."""
        authors = ", ".join(self.authors) + (", et al" if self.et_al else "")
        where = self.journal or ""
        loc = f"{self.year}" if self.year is not None else ""
        if self.volume:
            loc += f";{self.volume}"
            if self.issue:
                loc += f"({self.issue})"
            if self.pages:
                loc += f":{self.pages}"
        return f"{authors}. {self.title}. {where} {loc}".strip()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation."""
        return {
            "key": self.key,
            "number": self.number,
            "authors": list(self.authors),
            "et_al": self.et_al,
            "title": self.title,
            "journal": self.journal,
            "year": self.year,
            "volume": self.volume,
            "issue": self.issue,
            "pages": self.pages,
            "doi": self.doi,
            "pmid": self.pmid,
            "other_ids": list(self.other_ids),
            "kind": self.kind,
            "therapies": list(self.therapies),
            "diseases": list(self.diseases),
            "cited_by_review": self.cited_by_review,
            "status": self.status.value,
            "spec_ref": self.spec_ref,
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """One extracted result of one arm (or a between-arm effect) of one study.

    Attributes
    ----------
    key : str
        Unique row key, ``"<study>.<outcome>.<population>.<time>.<arm>"``.
    study : str
        Reference key (``hsct.md`` source-register key where there is one).
    outcome : str
        One of :data:`OUTCOMES`.
    arm : str
        ``"hsct"`` / ``"control"`` for HSCT trials, ``"treatment"`` for other
        cell therapies' active arm, ``"pooled"`` for single-arm or between-arm
        effects (e.g. a hazard ratio).
    time_months : float or None
        Time point in months (median follow-up when the spec gives only that).
    n : int or None
        Participants analysed in the arm.
    events : int or None
        Participants with the event (for ``measure == "count"``).
    estimate : float or None
        Point estimate in the unit of ``measure``.
    ci_low, ci_high : float or None
        95 % confidence limits (or range, for medians).
    measure : str
        One of :data:`MEASURES`.
    status : Evidence
        Confirmation status of the number in the spec.
    spec_ref : str
        Spec file and section, e.g. ``"hsct.md C2"``.
    spec_quote : str
        The exact text of the spec the numbers were read from.
    population : str or None
        ``"itt"`` or ``"pp"`` where the spec says.
    sd : float or None
        Standard deviation when given.
    p_value : str or None
        P value as printed (e.g. ``"0.02"``, ``"< 0.0001"``).
    time_label : str
        Time point as the spec words it (e.g. ``"72 months"``, ``"median 5.8 y"``).
    note : str or None
        Curator's note.
    time_code : str
        Short time code used in ``key`` (e.g. ``"72m"``, ``"5.8y"``, ``"3-10y"``).
    population_status : Evidence or None
        Confirmation status of ``population`` when it differs from ``status``
        (e.g. SCOT's 72-month Kaplan-Meier values are [P] but their
        per-protocol population is [D], hsct.md C2); ``None`` when the
        population is as certain as the numbers.
    caveats : tuple of Caveat
        Statements to show wherever the row is shown (e.g. an inferred
        figure-panel assignment, a derived population). Renderers must show
        them next to the row's numbers.
    arm_quote : tuple of str
        The fragments of ``spec_quote`` that hold this arm's own numbers, for
        quotes that give both arms in running text (empty when the quote is a
        spec table row, whose columns say which arm a number belongs to).
    """

    key: str
    study: str
    outcome: str
    arm: str
    time_months: float | None
    n: int | None
    events: int | None
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    measure: str
    status: Evidence
    spec_ref: str
    spec_quote: str
    population: str | None = None
    sd: float | None = None
    p_value: str | None = None
    time_label: str = ""
    note: str | None = None
    time_code: str = ""
    population_status: Evidence | None = None
    caveats: tuple[Caveat, ...] = ()
    arm_quote: tuple[str, ...] = ()

    @property
    def population_derived(self) -> bool:
        """``True`` when the population is less certain than the numbers (see ``population_status``)."""
        return self.population_status is not None and self.population_status is not self.status

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation."""
        return {
            "key": self.key,
            "study": self.study,
            "outcome": self.outcome,
            "arm": self.arm,
            "time_months": self.time_months,
            "time_label": self.time_label,
            "time_code": self.time_code,
            "population": self.population,
            "n": self.n,
            "events": self.events,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "sd": self.sd,
            "p_value": self.p_value,
            "measure": self.measure,
            "status": self.status.value,
            "spec_ref": self.spec_ref,
            "spec_quote": self.spec_quote,
            "note": self.note,
            "population_status": None if self.population_status is None else self.population_status.value,
            "caveats": [c.to_dict() for c in self.caveats],
            "arm_quote": list(self.arm_quote),
        }
