"""Three-valued evaluation of criteria rules and sets.

A condition evaluates to ``True``, ``False`` or ``None`` (unknown: a parameter
it needs was not recorded), combined with Kleene's strong three-valued logic:
``all_of`` is false as soon as one part is false, ``any_of`` is true as soon
as one part is true, and unknown otherwise when a part is unknown. A missing
measurement therefore makes a rule unknown only when it could change the
answer.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sclerostem.result import Caveat, Evidence, Result
from sclerostem.rules._criteria import (
    AllOf,
    AnyScaleOf,
    Condition,
    CriteriaSet,
    Leaf,
    Rule,
    SetRef,
    label,
)

__all__ = ["VERDICTS", "MissingItem", "SetVerdict", "evaluate_rule", "evaluate_set", "evaluate_sets"]

Verdict = Literal["eligible", "eligible after MDT review", "not eligible", "undetermined"]

#: Every verdict a criteria set can reach, from best to worst.
VERDICTS: tuple[str, ...] = ("eligible", "eligible after MDT review", "undetermined", "not eligible")

#: Verdicts that count as eligible where one set refers to another (``criteria_set`` conditions).
ELIGIBLE_VERDICTS: frozenset[str] = frozenset({"eligible", "eligible after MDT review"})

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge, "==": op.eq,
}


@dataclass(frozen=True, slots=True)
class MissingItem:
    """A measurement that would settle at least one unknown rule."""

    parameter: str
    label: str
    examination: str
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"parameter": self.parameter, "label": self.label, "examination": self.examination,
                "rules": list(self.rules)}


@dataclass(frozen=True, slots=True)
class SetVerdict:
    """The verdict of one criteria set for one patient.

    Attributes
    ----------
    set_id, title, kind, version, source
        Identify the criteria set (and the version of its encoding).
    verdict : {"eligible", "eligible after MDT review", "undetermined", "not eligible"}
        ``not eligible`` when a rule fails whose threshold is confirmed or
        secondary (``failed``); otherwise ``undetermined`` when some rules are
        unknown (missing measurements or conflicting sources) or fail only
        under an UNCONFIRMED threshold (``unconfirmed``); otherwise
        ``eligible after MDT review`` when some failed rules are ones the
        guideline lets a multidisciplinary team go beyond (``mdt_review``);
        ``eligible`` when every rule is met.
    rules : tuple of Result
        One :class:`~sclerostem.result.Result` per rule, in file order.
    failed : tuple of str
        Ids of the rules that make the patient not eligible.
    mdt_review : tuple of str
        Ids of failed rules that the guideline lets a multidisciplinary team override.
    unknown : tuple of str
        Ids of the rules that could not be decided.
    conflicts : tuple of str
        Ids of unknown rules whose published thresholds disagree for this patient.
    missing : tuple of MissingItem
        Measurements that would decide the unknown rules, with their examination.
    unconfirmed : tuple of str
        Ids of rules not met only under an UNCONFIRMED threshold: they need
        review against the primary source and never make the patient
        ``not eligible`` on their own.
    """

    set_id: str
    title: str
    kind: str
    version: str
    source: str
    verdict: Verdict
    rules: tuple[Result, ...]
    failed: tuple[str, ...] = ()
    mdt_review: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    missing: tuple[MissingItem, ...] = field(default=())
    unconfirmed: tuple[str, ...] = ()

    @property
    def examinations(self) -> tuple[str, ...]:
        """The examinations that would provide the missing measurements (sorted)."""
        return tuple(sorted({m.examination for m in self.missing}))

    def rule(self, rule_id: str) -> Result:
        """The result of one rule (``KeyError`` if absent)."""
        for r in self.rules:
            if r.name == rule_id:
                return r
        raise KeyError(rule_id)

    def _reasons(self, rule_ids: tuple[str, ...]) -> str:
        """Failed rule ids, each group followed by its summary text (e.g. a protocol-scoped limit)."""
        groups: dict[str | None, list[str]] = {}
        for rule_id in rule_ids:
            groups.setdefault(self.rule(rule_id).components.get("summary"), []).append(rule_id)
        return "; ".join(", ".join(ids) + (f" ({reason})" if reason else "") for reason, ids in groups.items())

    def summary(self) -> str:
        """One line: the verdict and its reasons."""
        review = self._reasons(self.mdt_review)
        unconfirmed = ("unconfirmed threshold not met, review against the primary source: "
                       + ", ".join(self.unconfirmed)) if self.unconfirmed else ""
        if self.verdict == "not eligible":
            text = "not eligible: " + self._reasons(self.failed)
            if unconfirmed:
                text += "; " + unconfirmed
        elif self.verdict == "undetermined":
            parts = []
            if self.examinations:
                parts.append("needs " + ", ".join(self.examinations))
            if self.conflicts:
                parts.append("sources disagree on " + ", ".join(self.conflicts))
            if unconfirmed:
                parts.append(unconfirmed)
            if not parts:
                parts.append("could not decide " + ", ".join(self.unknown))
            text = "undetermined: " + "; ".join(parts)
        elif self.verdict == "eligible after MDT review":
            return "eligible after MDT review: " + review
        else:
            text = "eligible"
        if self.mdt_review:
            text += " (multidisciplinary review needed: " + review + ")"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "set_id": self.set_id,
            "title": self.title,
            "kind": self.kind,
            "version": self.version,
            "source": self.source,
            "verdict": self.verdict,
            "summary": self.summary(),
            "failed": list(self.failed),
            "mdt_review": list(self.mdt_review),
            "unknown": list(self.unknown),
            "conflicts": list(self.conflicts),
            "missing": [m.to_dict() for m in self.missing],
            "unconfirmed": list(self.unconfirmed),
            "examinations": list(self.examinations),
            "rules": [r.to_dict() for r in self.rules],
        }


# --------------------------------------------------------------------------------------------
# conditions


@dataclass(frozen=True, slots=True)
class _Eval:
    value: bool | None
    missing: tuple[str, ...]  # parameters whose absence left it unknown
    examinations: tuple[tuple[str, str], ...]  # (parameter, examination) of every leaf
    caveats: tuple[Caveat, ...] = ()  # carried from referenced criteria sets


def _leaf(c: Leaf, values: Mapping[str, Any]) -> _Eval:
    exams = ((c.parameter, c.examination),)
    v = values.get(c.parameter)
    if c.operator == "recorded":
        return _Eval(True if v is not None else None, () if v is not None else (c.parameter,), exams)
    if v is None:
        return _Eval(None, (c.parameter,), exams)
    if c.operator == "in":
        return _Eval(v in c.threshold, (), exams)
    return _Eval(bool(_COMPARE[c.operator](v, c.threshold)), (), exams)


def _condition(c: Condition, values: Mapping[str, Any], sets: Mapping[str, SetVerdict]) -> _Eval:
    if isinstance(c, Leaf):
        return _leaf(c, values)
    if isinstance(c, SetRef):
        return _set_ref(c, sets)
    parts = [_condition(part, values, sets) for part in c.conditions]
    exams = tuple(e for p in parts for e in p.examinations)
    caveats = tuple(dict.fromkeys(cv for p in parts for cv in p.caveats))
    if isinstance(c, AnyScaleOf):  # alternative scales of one finding: the recorded ones decide
        if any(p.value is True for p in parts):
            return _Eval(True, (), exams, caveats)
        if any(p.value is not None for p in parts):
            return _Eval(False, (), exams, caveats)
        return _Eval(None, tuple(dict.fromkeys(m for p in parts for m in p.missing)), exams, caveats)
    decisive = not isinstance(c, AllOf)
    if any(p.value is decisive for p in parts):
        return _Eval(decisive, (), exams, caveats)
    if all(p.value is not None for p in parts):
        return _Eval(not decisive, (), exams, caveats)
    missing = tuple(dict.fromkeys(m for p in parts if p.value is None for m in p.missing))
    return _Eval(None, missing, exams, caveats)


def _set_ref(c: SetRef, sets: Mapping[str, SetVerdict]) -> _Eval:
    """A referenced set's verdict, carrying its rules' caveats (UNCONFIRMED, conflicts) along."""
    sv = sets[c.set_id]
    value = True if sv.verdict in ELIGIBLE_VERDICTS else False if sv.verdict == "not eligible" else None
    missing = tuple(m.parameter for m in sv.missing) if value is None else ()
    exams = tuple((m.parameter, m.examination) for m in sv.missing)
    caveats = [cv for r in sv.rules for cv in r.caveats]
    if sv.verdict == "eligible after MDT review":
        caveats.append(Caveat(
            "rules.referenced_set_review",
            f"{sv.set_id} is met only after multidisciplinary review ({sv.summary()}).",
            sv.source, Evidence.DERIVED))
    return _Eval(value, missing, exams, tuple(dict.fromkeys(caveats)))


def _format_value(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


def _params(c: Condition) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.parameters()))


def evaluate_rule(rule: Rule, values: Mapping[str, Any],
                  sets: Mapping[str, SetVerdict] | None = None) -> Result:
    """Evaluate one rule for one patient.

    Parameters
    ----------
    rule : Rule
        The rule (from a loaded :class:`~sclerostem.rules.CriteriaSet`).
    values : Mapping[str, Any]
        Parameter values (``None`` = not recorded), see
        :func:`~sclerostem.rules.derived_inputs`.
    sets : Mapping[str, SetVerdict], optional
        Verdicts of the sets a ``criteria_set`` condition refers to.

    Returns
    -------
    Result
        ``value`` ``True`` (met: an inclusion is satisfied, or an exclusion is
        absent), ``False`` (not met) or ``None`` (unknown); ``interpretation``
        ``"met"``, ``"not met"`` or ``"unknown"``; ``missing`` the parameters
        that would decide it; ``components`` the rule's text, kind, status,
        the values read and, for conflicting sources, each alternative's answer.
    """
    sets = sets or {}
    primary = _condition(rule.condition, values, sets)
    alternatives = [(alt, _condition(alt.condition, values, sets)) for alt in rule.conflict]
    holds: bool | None = primary.value
    missing = list(primary.missing)
    conflict_unresolved = False
    if alternatives:
        answers = [primary.value, *(e.value for _, e in alternatives)]
        if any(a is None for a in answers):
            holds = None
            for _, e in alternatives:
                missing.extend(e.missing)
        elif len(set(answers)) > 1:
            holds = None
            conflict_unresolved = True
    if rule.kind == "inclusion":
        passed = holds
        finding = {True: "met", False: "not met", None: "unknown"}[holds]
    else:
        passed = None if holds is None else not holds
        finding = {True: "exclusion present", False: "no exclusion", None: "unknown"}[holds]
    if conflict_unresolved:
        finding = "sources disagree"
    exams: dict[str, str] = {}
    for param, exam in primary.examinations + tuple(x for _, e in alternatives for x in e.examinations):
        exams.setdefault(param, exam)
    params = list(dict.fromkeys([*_params(rule.condition), *(p for a in rule.conflict for p in _params(a.condition))]))
    caveats: list[Caveat] = []
    if rule.status is Evidence.UNCONFIRMED:
        caveats.append(Caveat(
            "rules.unconfirmed",
            f"{rule.id}: threshold not confirmed against the primary source ({rule.source}, {rule.ref})"
            + (f". {rule.note}" if rule.note else "."),
            rule.source, Evidence.UNCONFIRMED))
    for alt, e in alternatives:
        answer = {True: "holds", False: "does not hold", None: "unknown"}[e.value]
        mine = {True: "holds", False: "does not hold", None: "unknown"}[primary.value]
        caveats.append(Caveat(
            "rules.conflicting_sources",
            f"{rule.id}: sources disagree — '{rule.condition.text()}' ({rule.source}, {rule.ref}; {mine}) vs "
            f"'{alt.condition.text()}' ({alt.source}, {alt.ref}; {answer})" + (f". {alt.note}" if alt.note else "."),
            alt.source, alt.status if alt.status is Evidence.UNCONFIRMED else rule.status))
    # A failure is only as firm as the sources that agree on it: when the rule and every
    # agreeing alternative are UNCONFIRMED, it needs review and is never a reason for "not eligible".
    unconfirmed_failure = passed is False and all(
        s is Evidence.UNCONFIRMED for s in (rule.status, *(alt.status for alt in rule.conflict)))
    if unconfirmed_failure:
        caveats.append(Caveat(
            "rules.unconfirmed_not_met",
            f"{rule.id}: not met, but only under an UNCONFIRMED threshold — needs review against the "
            "primary source; not counted as a reason for 'not eligible'.",
            rule.source, Evidence.UNCONFIRMED))
    for e in (primary, *(e for _, e in alternatives)):
        caveats.extend(cv for cv in e.caveats if cv not in caveats)
    components: dict[str, Any] = {
        "set": rule.id.split(".")[0],
        "title": rule.title,
        "kind": rule.kind,
        "condition": rule.text(),
        "finding": finding,
        "status": rule.status.value,
        "source": rule.source,
        "ref": rule.ref,
        "via": list(rule.via),
        "on_fail": rule.on_fail,
        "unconfirmed_failure": unconfirmed_failure,
        "summary": rule.summary,
        "note": rule.note,
        "values": {p: _format_value(values.get(p)) for p in params},
        "examinations": exams,
        "conflict": [
            {"condition": alt.condition.text(), "source": alt.source, "ref": alt.ref,
             "status": alt.status.value, "holds": e.value}
            for alt, e in alternatives
        ],
    }
    return Result(
        name=rule.id,
        value=passed,
        interpretation={True: "met", False: "not met", None: "unknown"}[passed],
        components=components,
        missing=tuple(dict.fromkeys(missing)),
        caveats=tuple(caveats),
        sources=rule.sources,
        unit=None,
    )


def evaluate_set(cs: CriteriaSet, values: Mapping[str, Any],
                 sets: Mapping[str, SetVerdict] | None = None) -> SetVerdict:
    """Evaluate every rule of a set and reach the set's verdict."""
    results = tuple(evaluate_rule(r, values, sets) for r in cs.rules)
    pairs = tuple(zip(results, cs.rules, strict=True))
    failed = tuple(r.name for r, rule in pairs if r.value is False and rule.on_fail == "ineligible"
                   and not r.components["unconfirmed_failure"])
    unconfirmed = tuple(r.name for r, rule in pairs if r.value is False and rule.on_fail == "ineligible"
                        and r.components["unconfirmed_failure"])
    mdt = tuple(r.name for r, rule in pairs if r.value is False and rule.on_fail == "mdt_review")
    unknown = tuple(r.name for r in results if r.value is None)
    conflicts = tuple(r.name for r in results if r.components["finding"] == "sources disagree")
    by_param: dict[str, list[str]] = {}
    exam_of: dict[str, str] = {}
    for r in results:
        if r.value is not None:
            continue
        for p in r.missing:
            by_param.setdefault(p, []).append(r.name)
            exam_of.setdefault(p, r.components["examinations"].get(p, "clinical history"))
    missing = tuple(MissingItem(p, label(p), exam_of[p], tuple(rs)) for p, rs in by_param.items())
    verdict: Verdict = ("not eligible" if failed else "undetermined" if unknown or unconfirmed
                        else "eligible after MDT review" if mdt else "eligible")
    return SetVerdict(cs.id, cs.title, cs.kind, cs.version, cs.source, verdict, results,
                      failed, mdt, unknown, conflicts, missing, unconfirmed)


def evaluate_sets(sets: tuple[CriteriaSet, ...], values: Mapping[str, Any]) -> tuple[SetVerdict, ...]:
    """Evaluate several sets, each after the sets it refers to; results in the given order."""
    done: dict[str, SetVerdict] = {}
    by_id = {s.id: s for s in sets}

    def run(s: CriteriaSet) -> None:
        if s.id in done:
            return
        for dep in s.depends_on():
            run(by_id[dep])
        done[s.id] = evaluate_set(s, values, done)

    for s in sets:
        run(s)
    return tuple(done[s.id] for s in sets)
