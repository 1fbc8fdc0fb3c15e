"""One patient's HSCT candidacy assessment: verdicts, risks and evidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sclerostem._version import __version__
from sclerostem.errors import InputError, InputTypeError, UnknownFieldError
from sclerostem.evidence import OutcomeRow, outcome_rows
from sclerostem.result import Result
from sclerostem.rules._criteria import CriteriaSet, criteria_sets
from sclerostem.rules._derived import derived_inputs, rule_values
from sclerostem.rules._engine import SetVerdict, evaluate_sets
from sclerostem.rules._patient import Patient
from sclerostem.rules._risk import risk_section

__all__ = ["Assessment", "TrialEvidence", "assess"]

#: Outcomes shown in the evidence section, in display order (codes of sclerostem.evidence.OUTCOMES).
EVIDENCE_OUTCOMES: tuple[str, ...] = ("efs", "os", "event", "death", "trm", "grcs_wins", "improved")


@dataclass(frozen=True, slots=True)
class TrialEvidence:
    """Published results of one trial whose population the patient matches (or may match)."""

    study: str
    verdict: str
    rows: tuple[OutcomeRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "verdict": self.verdict,
            "rows": [
                {"key": r.key, "outcome": r.outcome, "arm": r.arm, "time_label": r.time_label,
                 "time_months": r.time_months, "population": r.population, "n": r.n, "events": r.events,
                 "estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high, "measure": r.measure,
                 "p_value": r.p_value, "status": r.status.value, "spec_ref": r.spec_ref,
                 "population_status": None if r.population_status is None else r.population_status.value,
                 "caveats": [c.to_dict() for c in r.caveats]}
                for r in self.rows
            ],
        }


@dataclass(frozen=True, slots=True)
class Assessment:
    """The HSCT candidacy assessment of one patient.

    Attributes
    ----------
    patient : Patient
        The input.
    derived : Mapping[str, Result]
        Derived inputs (age, disease duration, mRSS, subset, classification,
        cyclophosphamide months), each given or computed by the scores engine.
    verdicts : tuple of SetVerdict
        One verdict per criteria set, guidelines first.
    risks : tuple of Result
        Published risk factors applied to the patient and treatment-related
        mortality (see :func:`sclerostem.rules._risk.risk_section`).
    evidence : tuple of TrialEvidence
        Trial results for the trial sets whose verdict is not ``not eligible``
        (eligible, eligible after MDT review, or undetermined).
    assessed_on : date
        Date of the assessment.
    software_version : str
        sclerostem version.
    criteria_versions : Mapping[str, str]
        Version of each criteria set used.
    """

    patient: Patient
    derived: Mapping[str, Result]
    verdicts: tuple[SetVerdict, ...]
    risks: tuple[Result, ...]
    evidence: tuple[TrialEvidence, ...]
    assessed_on: date
    software_version: str
    criteria_versions: Mapping[str, str]

    def verdict(self, set_id: str) -> SetVerdict:
        """The verdict of one criteria set (``KeyError`` if it was not assessed)."""
        for v in self.verdicts:
            if v.set_id == set_id:
                return v
        raise KeyError(set_id)

    def risk(self, name: str) -> Result:
        """One risk item by name, e.g. ``"risk.male_sex"`` (``KeyError`` if absent)."""
        for r in self.risks:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def examinations(self) -> tuple[str, ...]:
        """Every examination that would settle an unknown rule, over all sets (sorted)."""
        return tuple(sorted({e for v in self.verdicts for e in v.examinations}))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation (CLI ``--format json``, REST API, web app)."""
        return {
            "assessed_on": self.assessed_on.isoformat(),
            "software_version": self.software_version,
            "criteria_versions": dict(self.criteria_versions),
            "patient": self.patient.model_dump(mode="json", exclude_none=True),
            "derived": {k: v.to_dict() for k, v in self.derived.items()},
            "verdicts": [v.to_dict() for v in self.verdicts],
            "examinations": list(self.examinations),
            "risks": [r.to_dict() for r in self.risks],
            "evidence": [e.to_dict() for e in self.evidence],
        }


def _with_dependencies(chosen: Iterable[CriteriaSet], available: tuple[CriteriaSet, ...]) -> tuple[CriteriaSet, ...]:
    by_id = {s.id: s for s in available}
    out: dict[str, CriteriaSet] = {}

    def add(s: CriteriaSet) -> None:
        for dep in s.depends_on():
            add(by_id[dep])
        out.setdefault(s.id, s)

    chosen = list(chosen)
    for s in chosen:
        by_id.setdefault(s.id, s)
    for s in chosen:
        add(s)
    return tuple(out.values())


def _evidence(verdicts: tuple[SetVerdict, ...]) -> tuple[TrialEvidence, ...]:
    out: list[TrialEvidence] = []
    for v in verdicts:
        if v.kind != "trial" or v.verdict == "not eligible":
            continue
        try:  # results are filed under the trial's source key (a new set version keeps it)
            rows = tuple(r for oc in EVIDENCE_OUTCOMES for r in outcome_rows(v.source, oc))
        except UnknownFieldError:
            continue  # no results in the evidence dataset for this source
        if rows and v.source not in {e.study for e in out}:
            out.append(TrialEvidence(v.source, v.verdict, rows))
    return tuple(out)


def assess(patient: Patient | Mapping[str, Any], *, sets: Iterable[CriteriaSet] | None = None,
           assessed_on: date | None = None) -> Assessment:
    """Assess one patient against the HSCT criteria sets.

    Parameters
    ----------
    patient : Patient or mapping
        The patient (a mapping is validated into a :class:`Patient`).
    sets : iterable of CriteriaSet, optional
        Criteria sets to apply (default: every shipped set,
        :func:`criteria_sets`). Sets they refer to are added.
    assessed_on : date, optional
        Date printed on the assessment (default: today).

    Returns
    -------
    Assessment

    Raises
    ------
    InputError, InputTypeError, UnknownFieldError, ConsistencyError
        For an invalid patient.

    Examples
    --------
    >>> a = assess({"age_years": 45, "sex": "female"})
    >>> a.verdict("SCOT").verdict
    'undetermined'
    """
    if isinstance(patient, Mapping):
        patient = Patient(**patient)
    elif not isinstance(patient, Patient):
        raise InputTypeError("patient", type(patient).__name__, "a Patient or a mapping of patient fields")
    available = criteria_sets()
    chosen = available if sets is None else _with_dependencies(sets, available)
    if not chosen:
        raise InputError("sets", [], "at least one criteria set")
    derived = derived_inputs(patient)
    values = rule_values(patient, derived)
    verdicts = evaluate_sets(chosen, values)
    return Assessment(
        patient=patient,
        derived=derived,
        verdicts=verdicts,
        risks=risk_section(values, verdicts),
        evidence=_evidence(verdicts),
        assessed_on=assessed_on or date.today(),
        software_version=__version__,
        criteria_versions={s.id: s.version for s in chosen},
    )
