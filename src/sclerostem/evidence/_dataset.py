"""Loading the evidence dataset shipped as package data (``sclerostem/data/evidence``).

Reading packaged data files is the only I/O here; the result is cached and
immutable.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from sclerostem.errors import ConsistencyError, InputError, UnknownFieldError
from sclerostem.evidence._model import DISEASES, KINDS, MEASURES, OUTCOMES, OutcomeRow, Reference
from sclerostem.evidence._parse import ParsedReference, parse_reference_list
from sclerostem.result import Caveat, Evidence

__all__ = [
    "ARMS",
    "dataset_version",
    "get",
    "outcome_rows",
    "references",
    "review_references",
]

#: Arms an outcome row can belong to.
ARMS: tuple[str, ...] = ("hsct", "control", "treatment", "pooled")

_DATA = "data/evidence"


def _read_text(name: str) -> str:
    return (resources.files("sclerostem") / _DATA / name).read_text(encoding="utf-8")


@functools.cache
def _references_yaml() -> dict[str, Any]:
    return yaml.safe_load(_read_text("references.yaml"))


@functools.cache
def _outcomes_yaml() -> dict[str, Any]:
    return yaml.safe_load(_read_text("outcomes.yaml"))


@functools.cache
def review_references() -> tuple[ParsedReference, ...]:
    """The review's reference list, parsed from the shipped copy of the review page."""
    meta = _references_yaml()
    return tuple(parse_reference_list(_read_text(meta["source"])))


def dataset_version() -> str:
    """Version string of the shipped dataset.

    Raises
    ------
    ConsistencyError
        If ``references.yaml`` and ``outcomes.yaml`` carry different versions.
    """
    ref_v, out_v = str(_references_yaml()["dataset_version"]), str(_outcomes_yaml()["dataset_version"])
    if ref_v != out_v:
        raise ConsistencyError("outcomes.yaml dataset_version", out_v, f"the version of references.yaml ({ref_v})")
    return ref_v


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _check_typing(key: str, kind: str, therapies: list[str], diseases: list[str]) -> None:
    if kind not in KINDS:
        raise InputError(f"{key}.kind", kind, "one of " + ", ".join(KINDS))
    for d in diseases:
        if d not in DISEASES:
            raise InputError(f"{key}.diseases", d, "one of " + ", ".join(DISEASES))
    prefixes = ("hsct-auto", "msc", "svf-auto", "fat-graft-auto", "exosome-msc-at", "adrc-auto")
    for t in therapies:
        if not t.startswith(prefixes):
            raise InputError(f"{key}.therapies", t, "a code starting with " + ", ".join(prefixes))


@functools.cache
def _reference_table() -> dict[str, Reference]:
    meta = _references_yaml()
    parsed = {p.number: p for p in review_references()}
    table: dict[str, Reference] = {}
    for number, ann in meta["cited"].items():
        p = parsed[int(number)]
        key = ann["key"]
        _check_typing(key, ann["kind"], ann["therapies"], ann["diseases"])
        other = list(ann.get("other_ids", []))
        if p.pii:
            other.append(f"PII {p.pii}")
        table[key] = Reference(
            key=key,
            number=p.number,
            authors=p.authors,
            et_al=p.et_al,
            title=p.title,
            journal=p.journal,
            year=p.year,
            volume=p.volume,
            issue=p.issue,
            pages=p.pages,
            doi=p.doi or _str_or_none(ann.get("doi")),
            pmid=p.pmid or _str_or_none(ann.get("pmid")),
            other_ids=tuple(other),
            kind=ann["kind"],
            therapies=tuple(ann["therapies"]),
            diseases=tuple(ann["diseases"]),
            cited_by_review=True,
            status=Evidence.SECONDARY,
            spec_ref=ann.get("spec_ref"),
            notes=ann.get("notes"),
        )
    for ann in meta["uncited"]:
        key = ann["key"]
        if key in table:
            raise InputError("references.yaml key", key, "a key used once")
        _check_typing(key, ann["kind"], ann["therapies"], ann["diseases"])
        table[key] = Reference(
            key=key,
            number=None,
            authors=tuple(ann.get("authors", [])),
            et_al=bool(ann.get("et_al", False)),
            title=ann["title"],
            journal=ann.get("journal"),
            year=ann.get("year"),
            volume=_str_or_none(ann.get("volume")),
            issue=_str_or_none(ann.get("issue")),
            pages=_str_or_none(ann.get("pages")),
            doi=_str_or_none(ann.get("doi")),
            pmid=_str_or_none(ann.get("pmid")),
            other_ids=tuple(ann.get("other_ids", [])),
            kind=ann["kind"],
            therapies=tuple(ann["therapies"]),
            diseases=tuple(ann["diseases"]),
            cited_by_review=False,
            status=Evidence(ann["status"]),
            spec_ref=ann.get("spec_ref"),
            notes=ann.get("notes"),
        )
    return table


def references(
    *,
    therapy: str | None = None,
    disease: str | None = None,
    kind: str | None = None,
    cited_by_review: bool | None = None,
) -> list[Reference]:
    """All references of the dataset, review order first, then uncited records.

    Parameters
    ----------
    therapy : str, optional
        Keep references with a therapy code starting with this (``"hsct"``,
        ``"msc-bm"``, ``"svf"``, ...).
    disease : str, optional
        One of ``"ssc"``, ``"morphea"``.
    kind : str, optional
        One of :data:`~sclerostem.evidence.KINDS`.
    cited_by_review : bool, optional
        Keep only cited (``True``) or uncited (``False``) records.

    Raises
    ------
    InputError
        If ``disease`` or ``kind`` is not a known code.
    """
    if disease is not None and disease not in DISEASES:
        raise InputError("disease", disease, "one of " + ", ".join(repr(d) for d in DISEASES))
    if kind is not None and kind not in KINDS:
        raise InputError("kind", kind, "one of " + ", ".join(repr(k) for k in KINDS))
    out = []
    for ref in _reference_table().values():
        if therapy is not None and not any(t.startswith(therapy) for t in ref.therapies):
            continue
        if disease is not None and disease not in ref.diseases:
            continue
        if kind is not None and ref.kind != kind:
            continue
        if cited_by_review is not None and ref.cited_by_review != cited_by_review:
            continue
        out.append(ref)
    return out


def get(key: str) -> Reference:
    """The reference with citation key ``key`` (e.g. ``"SCOT"``, ``"Farge-2022"``).

    Raises
    ------
    UnknownFieldError
        If no reference has that key.
    """
    table = _reference_table()
    try:
        return table[key]
    except KeyError:
        raise UnknownFieldError("key", key, "a reference key listed by `sclerostem evidence list`") from None


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


#: Code of the caveat a row must carry when its population is less certain than its numbers.
POPULATION_CAVEAT = "evidence.population_status"


def _caveat_library(data: dict[str, Any]) -> dict[str, Caveat]:
    out = {}
    for name, c in (data.get("caveats") or {}).items():
        out[name] = Caveat(code=c["code"], message=c["message"], source=c.get("source"), status=Evidence(c["status"]))
    return out


def _arm_quote(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(str(v) for v in value)


@functools.cache
def _outcome_table() -> tuple[OutcomeRow, ...]:
    data = _outcomes_yaml()
    refs = _reference_table()
    library = _caveat_library(data)
    rows: list[OutcomeRow] = []
    seen: set[str] = set()
    for spec in data["rows"]:
        study = spec["study"]
        if study not in refs:
            raise UnknownFieldError("outcomes.yaml study", study, "a key of references.yaml")
        if spec["outcome"] not in OUTCOMES:
            raise UnknownFieldError("outcomes.yaml outcome", spec["outcome"], "a key of OUTCOMES")
        if spec["measure"] not in MEASURES:
            raise UnknownFieldError("outcomes.yaml measure", spec["measure"], "a key of MEASURES")
        caveats = []
        for name in spec.get("caveats", []):
            if name not in library:
                raise UnknownFieldError("outcomes.yaml caveats", name, "a name under the file's top-level `caveats`")
            caveats.append(library[name])
        status = Evidence(spec["status"])
        population_status = None if spec.get("population_status") is None else Evidence(spec["population_status"])
        if (population_status not in (None, status)
                and not any(c.code == POPULATION_CAVEAT for c in caveats)):
            raise ConsistencyError(
                f"outcomes.yaml {study}/{spec['outcome']}/{spec['time']} population_status", population_status.value,
                f"a row whose population is less certain than its numbers ({status.value}) to carry a "
                f"caveat with code {POPULATION_CAVEAT!r}")
        arms = spec.get("arms") or {spec["arm"]: spec}
        for arm, values in arms.items():
            if arm not in ARMS:
                raise InputError("outcomes.yaml arm", arm, "one of " + ", ".join(ARMS))
            population = spec.get("population")
            key = f"{study}.{spec['outcome']}.{population or 'all'}.{spec['time']}.{arm}"
            if key in seen:
                raise InputError("outcomes.yaml key", key, "a unique study/outcome/population/time/arm")
            seen.add(key)
            rows.append(
                OutcomeRow(
                    key=key,
                    study=study,
                    outcome=spec["outcome"],
                    arm=arm,
                    time_months=_opt_float(spec.get("time_months")),
                    n=_opt_int(values.get("n")),
                    events=_opt_int(values.get("events")),
                    estimate=_opt_float(values.get("estimate")),
                    ci_low=_opt_float(values.get("ci_low")),
                    ci_high=_opt_float(values.get("ci_high")),
                    measure=spec["measure"],
                    status=status,
                    spec_ref=spec["spec_ref"],
                    spec_quote=spec["spec_quote"],
                    population=population,
                    sd=_opt_float(values.get("sd")),
                    p_value=_str_or_none(spec.get("p_value")),
                    time_label=str(spec.get("time_label", "")),
                    note=spec.get("note"),
                    time_code=str(spec["time"]),
                    population_status=population_status,
                    caveats=tuple(caveats),
                    arm_quote=_arm_quote(values.get("quote")),
                )
            )
    return tuple(rows)


def outcome_rows(study: str | None = None, outcome: str | None = None) -> list[OutcomeRow]:
    """Extracted outcome rows, optionally for one study and/or one outcome.

    Parameters
    ----------
    study : str, optional
        Reference key, e.g. ``"SCOT"``, ``"ASTIS"``, ``"ASSIST"`` (``hsct.md``
        source-register keys).
    outcome : str, optional
        Outcome code, one of :data:`~sclerostem.evidence.OUTCOMES` (``"efs"``,
        ``"os"``, ``"trm"``, ``"death"``, ``"event"``, ``"grcs_wins"``, ...).

    Returns
    -------
    list of OutcomeRow
        In dataset order. Each row carries its confirmation ``status`` and
        ``spec_ref``.

    Raises
    ------
    UnknownFieldError
        If ``study`` or ``outcome`` is not known.

    References
    ----------
    shared/spec/hsct.md sections C1-C6, D; shared/spec/msc.md section 3.1.
    """
    if study is not None and study not in _reference_table():
        raise UnknownFieldError("study", study, "a reference key listed by `sclerostem evidence list`")
    if outcome is not None and outcome not in OUTCOMES:
        raise UnknownFieldError("outcome", outcome, "one of " + ", ".join(repr(o) for o in OUTCOMES))
    return [
        r
        for r in _outcome_table()
        if (study is None or r.study == study) and (outcome is None or r.outcome == outcome)
    ]
