"""Criteria sets as data: the YAML schema, its validation and its loading.

Each criteria set (a guideline or a trial's eligibility) is one YAML file in
``sclerostem/data/criteria/``. A new guideline version is a new file (with its
tests); the engine does not change. The file format::

    id: SCOT                      # set identifier, prefix of every rule id
    title: SCOT trial eligibility
    kind: trial                   # trial | guideline
    version: "1"                  # version of this encoding of the set
    source: SCOT                  # source-register key of the set itself
    spec_ref: hsct.md §A2-A3      # where the rules are given in shared/spec
    description: ...
    rules:
      - id: SCOT.skin
        title: Skin score
        kind: inclusion           # inclusion | exclusion ("exclude if ...")
        condition: {parameter: mrss_total, operator: ">=", threshold: 16,
                    examination: skin examination (mRSS)}
        source: Walker-2018       # source-register key of what was read
        ref: Table 1
        status: SECONDARY         # CONFIRMED | SECONDARY | UNCONFIRMED
        via: RDCNA-2015           # optional: further source(s) read
        on_fail: ineligible       # ineligible (default) | mdt_review
        note: ...                 # optional sentence shown with the rule
        summary: ...              # optional short reason shown in the set's summary
                                  # when the rule fails (e.g. a protocol-scoped limit)
        conflict:                 # optional: other published thresholds
          - condition: {...}
            source: RDCNA-2015
            ref: Table 3
            status: SECONDARY

A ``condition`` is a leaf ``{parameter, operator, threshold, examination}``,
``{all_of: [conditions]}``, ``{any_of: [conditions]}``,
``{any_scale_of: [leaves]}`` (one finding measured on alternative scales, e.g.
ECOG or Karnofsky: decided by whichever scales are recorded, unknown only when
none is) or
``{criteria_set: SET_ID}`` (met when that set's verdict is eligible).
Operators: ``<``, ``<=``, ``>``, ``>=``, ``==``, ``in`` and ``recorded`` (met
when the parameter is recorded; used for work-up items).
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from sclerostem.errors import SclerostemError
from sclerostem.result import Evidence
from sclerostem.rules._patient import Patient
from sclerostem.rules._sources import EXAMINATIONS, SOURCE_KEYS

__all__ = [
    "PARAMETERS",
    "AllOf",
    "Alternative",
    "AnyOf",
    "AnyScaleOf",
    "Condition",
    "CriteriaFileError",
    "CriteriaSet",
    "Leaf",
    "Rule",
    "SetRef",
    "criteria_sets",
    "label",
    "load_criteria_dir",
    "load_criteria_file",
    "parse_criteria",
]

OPERATORS: tuple[str, ...] = ("<", "<=", ">", ">=", "==", "in", "recorded")
_STATUSES = {"CONFIRMED": Evidence.CONFIRMED, "SECONDARY": Evidence.SECONDARY,
             "UNCONFIRMED": Evidence.UNCONFIRMED}

#: Parameters computed from other patient fields only (not a Patient field).
DERIVED_ONLY: dict[str, tuple[type, str, str]] = {
    "prior_cyclophosphamide_total_months": (
        float, "months", "Duration of cyclophosphamide, intravenous plus oral"),
}


def _parameter_table() -> dict[str, tuple[type | tuple[str, ...], str | None, str]]:
    """Rule parameters: name -> (type or allowed codes, unit, label)."""
    table: dict[str, tuple[type | tuple[str, ...], str | None, str]] = {}
    for name, info in Patient.model_fields.items():
        args = typing.get_args(info.annotation)
        inner = next((a for a in args if a is not type(None)), info.annotation)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = extra.get("unit")
        label = (info.description or name).split(" (")[0].rstrip(".")
        kind: type | tuple[str, ...]
        if typing.get_origin(inner) is Literal:
            kind = tuple(str(a) for a in typing.get_args(inner))
        elif inner in (int, float, bool):
            kind = inner  # type: ignore[assignment]
        else:  # dates, mappings, labels: not usable as rule parameters
            continue
        table[name] = (kind, str(unit) if unit else None, label)
    for name, (kind, unit, label) in DERIVED_ONLY.items():
        table[name] = (kind, unit, label)
    return table


#: Every parameter a rule may read.
PARAMETERS = _parameter_table()

#: Short labels for rule texts (the Patient field description is the long form).
LABELS: dict[str, str] = {
    "age_years": "age",
    "disease_duration_years": "disease duration",
    "mrss_total": "mRSS",
    "cutaneous_subset": "cutaneous subset",
    "acr_eular_2013_classified": "meets 2013 ACR/EULAR criteria",
    "pulmonary_involvement": "lung involvement",
    "ild_on_hrct": "ILD on HRCT",
    "progressive_ild": "progressive CT-confirmed ILD",
    "heart_involvement": "heart involvement",
    "kidney_involvement": "kidney involvement",
    "other_visceral_organ_involvement": "other visceral organ involvement",
    "fvc_percent_predicted": "FVC",
    "dlco_percent_predicted": "DLCO",
    "fvc_relative_decline_12m_percent": "12-month relative FVC decline",
    "dlco_relative_decline_12m_percent": "12-month relative DLCO decline",
    "tlc_relative_decline_12m_percent": "12-month relative TLC decline",
    "pao2_mmhg": "PaO2",
    "crp_mg_l": "CRP",
    "crp_other_causes_excluded": "infection/other causes of raised CRP excluded",
    "acute_phase_reaction": "raised acute-phase reactants",
    "proteinuria": "proteinuria",
    "lvef_percent": "LVEF",
    "echo_pasp_mmhg": "echo PASP",
    "tapse_cm": "TAPSE",
    "rhc_mpap_rest_mmhg": "RHC mPAP at rest",
    "rhc_mpap_fluid_challenge_mmhg": "RHC mPAP after fluid challenge",
    "rhc_mpap_exercise_mmhg": "RHC mPAP on exercise",
    "rhc_pasp_rest_mmhg": "RHC PASP at rest",
    "rhc_pasp_fluid_challenge_mmhg": "RHC PASP after fluid challenge",
    "rhc_pvr_wood_units": "PVR",
    "rhc_cardiac_output_rises_after_fluid": "cardiac output rise after fluid challenge",
    "cmr_septal_bounce_or_d_sign": "septal bounce or D-sign on cardiac MRI",
    "constrictive_pericarditis": "constrictive pericarditis",
    "cardiac_tamponade": "cardiac tamponade",
    "unrevascularised_severe_cad": "unrevascularised severe coronary disease",
    "untreated_severe_arrhythmia": "untreated severe arrhythmia",
    "uncontrolled_arrhythmia": "uncontrolled arrhythmia",
    "symptomatic_cardiac_disease": "symptomatic cardiac disease",
    "nyha_class": "NYHA class",
    "who_functional_class": "WHO functional class",
    "on_pa_pressure_lowering_drugs": "on PA-pressure-lowering drugs",
    "uncontrolled_hypertension": "uncontrolled hypertension",
    "creatinine_clearance_ml_min": "creatinine clearance",
    "serum_creatinine_umol_l": "serum creatinine",
    "active_gave": "active GAVE",
    "prior_cyclophosphamide_iv_courses": "prior IV cyclophosphamide",
    "prior_cyclophosphamide_iv_months": "prior IV cyclophosphamide",
    "prior_cyclophosphamide_iv_cumulative_g": "cumulative IV cyclophosphamide",
    "prior_cyclophosphamide_iv_cumulative_g_m2": "cumulative IV cyclophosphamide",
    "prior_cyclophosphamide_oral_months": "prior oral cyclophosphamide",
    "prior_cyclophosphamide_total_months": "prior cyclophosphamide, IV + oral",
    "prior_alkylating_agent": "prior alkylating agent",
    "prior_immunosuppressant_months": "prior immunosuppressants",
    "prior_tli_or_tbi": "prior TLI or TBI",
    "first_line_therapy_months": "first-line therapy",
    "disease_progressing_despite_therapy": "progressing despite therapy",
    "first_line_therapy_intolerant": "intolerant of first-line therapy",
    "prednisone_equivalent_mg_day": "prednisone equivalent",
    "smoking_status": "smoking status",
    "contraception_willing": "willing to use contraception",
    "ecog_performance_status": "ECOG performance status",
    "karnofsky_percent": "Karnofsky performance status",
    "skin_thickening_back": "skin thickening on the back",
    "skin_thickening_neck": "skin thickening on the neck",
    "sex": "sex",
}


def label(parameter: str) -> str:
    """Short label of a rule parameter (falls back to its description)."""
    return LABELS.get(parameter) or PARAMETERS[parameter][2]


class CriteriaFileError(SclerostemError, ValueError):
    """A criteria-set file that does not follow the schema.

    The message names the file, the rule (if any), the field, the value found
    and what is allowed::

        criteria file 'scot.yaml', rule 'SCOT.skin', field 'operator': got '=>'; allowed: one of '<', ...
    """

    def __init__(self, file: str, rule: str | None, field: str, value: Any, allowed: str) -> None:
        self.file = file
        self.rule = rule
        self.field = field
        self.value = value
        self.allowed = allowed
        where = f"criteria file {file!r}" + (f", rule {rule!r}" if rule else "")
        super().__init__(f"{where}, field {field!r}: got {value!r}; allowed: {allowed}.")


# --------------------------------------------------------------------------------------------
# model


@dataclass(frozen=True, slots=True)
class Leaf:
    """Compare one patient parameter with a threshold."""

    parameter: str
    operator: str
    threshold: Any
    examination: str

    def parameters(self) -> tuple[str, ...]:
        return (self.parameter,)

    def text(self) -> str:
        """Human-readable form, e.g. ``'Left ventricular ejection fraction < 50 %'``."""
        unit = PARAMETERS[self.parameter][1]
        name = label(self.parameter)
        if self.operator == "recorded":
            return f"{name} recorded"
        if self.operator == "in":
            return f"{name} is one of " + ", ".join(str(t) for t in self.threshold)
        if isinstance(self.threshold, bool):
            return name if self.threshold else f"no {name}"
        if isinstance(self.threshold, str):
            return f"{name} {self.threshold}"
        op = {"<=": "≤", ">=": "≥", "==": "="}.get(self.operator, self.operator)
        suffix = f" {unit}" if unit and unit not in ("NYHA class", "WHO class", "ECOG grade") else ""
        return f"{name} {op} {self.threshold:g}{suffix}"


@dataclass(frozen=True, slots=True)
class AllOf:
    """Met when every part is met (three-valued: unknown if none fails and one is unknown)."""

    conditions: tuple[Condition, ...]

    def parameters(self) -> tuple[str, ...]:
        return tuple(p for c in self.conditions for p in c.parameters())

    def text(self) -> str:
        return " AND ".join(_paren(c) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Met when one part is met (three-valued: unknown if none is met and one is unknown)."""

    conditions: tuple[Condition, ...]

    def parameters(self) -> tuple[str, ...]:
        return tuple(p for c in self.conditions for p in c.parameters())

    def text(self) -> str:
        return " OR ".join(_paren(c) for c in self.conditions)


@dataclass(frozen=True, slots=True)
class AnyScaleOf(AnyOf):
    """One finding on alternative scales (e.g. poor performance status: ECOG or Karnofsky).

    Met when a recorded scale meets its part; not met when at least one scale is
    recorded and none meets its part; unknown only when no scale is recorded
    (one recorded scale is enough to decide, unlike :class:`AnyOf`).
    """

    def text(self) -> str:
        return " OR ".join(_paren(c) for c in self.conditions) + " (whichever scale is recorded)"


@dataclass(frozen=True, slots=True)
class SetRef:
    """Met when another criteria set's verdict is ``eligible``."""

    set_id: str

    def parameters(self) -> tuple[str, ...]:
        return ()

    def text(self) -> str:
        return f"eligible for {self.set_id}"


Condition = Leaf | AllOf | AnyOf | SetRef


def _paren(c: Condition) -> str:
    return f"({c.text()})" if isinstance(c, AllOf | AnyOf) and len(c.conditions) > 1 else c.text()


@dataclass(frozen=True, slots=True)
class Alternative:
    """A different published threshold for the same rule (a conflict between sources)."""

    condition: Condition
    source: str
    ref: str
    status: Evidence
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One inclusion or exclusion criterion.

    For an ``exclusion`` the condition describes the excluding finding
    ("exclude if LVEF < 50 %"); the rule is *met* when that finding is absent.
    """

    id: str
    title: str
    kind: Literal["inclusion", "exclusion"]
    condition: Condition
    source: str
    ref: str
    status: Evidence
    via: tuple[str, ...] = ()
    on_fail: Literal["ineligible", "mdt_review"] = "ineligible"
    note: str | None = None
    conflict: tuple[Alternative, ...] = ()
    summary: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source key this rule cites (own, via and conflicting)."""
        keys = [self.source, *self.via, *(a.source for a in self.conflict)]
        return tuple(dict.fromkeys(keys))

    def text(self) -> str:
        """The condition as a sentence fragment, prefixed for exclusions."""
        body = self.condition.text()
        return f"exclude if {body}" if self.kind == "exclusion" else body


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    """One guideline or trial eligibility set, loaded from its YAML file."""

    id: str
    title: str
    kind: Literal["guideline", "trial"]
    version: str
    source: str
    spec_ref: str
    description: str
    rules: tuple[Rule, ...]
    file: str
    reviewed: date | None = None

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (``KeyError`` if absent)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def depends_on(self) -> tuple[str, ...]:
        """Ids of the other sets referenced by ``criteria_set`` conditions."""
        out: list[str] = []

        def walk(c: Condition) -> None:
            if isinstance(c, SetRef):
                out.append(c.set_id)
            elif isinstance(c, AllOf | AnyOf):
                for part in c.conditions:
                    walk(part)

        for r in self.rules:
            walk(r.condition)
        return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------------------------
# parsing and validation

_SET_KEYS = {"id", "title", "kind", "version", "source", "spec_ref", "description", "rules", "reviewed"}
_SET_REQUIRED = _SET_KEYS - {"reviewed", "description"}
_RULE_KEYS = {"id", "title", "kind", "condition", "source", "ref", "status", "via", "on_fail", "note", "conflict",
              "summary"}
_RULE_REQUIRED = {"id", "title", "kind", "condition", "source", "ref", "status"}
_ALT_KEYS = {"condition", "source", "ref", "status", "note"}
_LEAF_KEYS = {"parameter", "operator", "threshold", "examination"}


class _Ctx:
    def __init__(self, file: str) -> None:
        self.file = file
        self.rule: str | None = None

    def fail(self, field: str, value: Any, allowed: str) -> CriteriaFileError:
        return CriteriaFileError(self.file, self.rule, field, value, allowed)


def _one_of(values: Iterable[str]) -> str:
    return "one of " + ", ".join(repr(v) for v in values)


def _text(ctx: _Ctx, data: Mapping[str, Any], key: str, field: str | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ctx.fail(field or key, value, "non-empty text")
    return value


def _check_keys(ctx: _Ctx, data: Any, allowed: set[str], required: set[str], where: str) -> None:
    if not isinstance(data, Mapping):
        raise ctx.fail(where, data, "a mapping of " + ", ".join(sorted(allowed)))
    for key in data:
        if key not in allowed:
            raise ctx.fail(f"{where}.{key}" if where else str(key), data[key], _one_of(sorted(allowed)))
    for key in sorted(required):
        if key not in data:
            raise ctx.fail(f"{where}.{key}" if where else key, None, "a value (the field is required)")


def _source_key(ctx: _Ctx, value: Any, field: str) -> str:
    if value not in SOURCE_KEYS:
        raise ctx.fail(field, value, "a source-register key of shared/spec/hsct.md §0 ("
                       + ", ".join(SOURCE_KEYS) + ")")
    return str(value)


def _status(ctx: _Ctx, value: Any, field: str) -> Evidence:
    if value not in _STATUSES:
        raise ctx.fail(field, value, _one_of(_STATUSES))
    return _STATUSES[value]


def _threshold(ctx: _Ctx, field: str, parameter: str, operator: str, value: Any) -> Any:
    kind, unit, _ = PARAMETERS[parameter]
    if operator == "recorded":
        if value is not None:
            raise ctx.fail(field, value, "no threshold (null) with operator 'recorded'")
        return None
    if operator == "in":
        if not isinstance(value, list) or not value:
            raise ctx.fail(field, value, "a non-empty list with operator 'in'")
        return tuple(_threshold(ctx, field, parameter, "==", v) for v in value)
    if kind is bool:
        if operator != "==" or not isinstance(value, bool):
            raise ctx.fail(field, value, f"true or false with operator '==' (parameter {parameter!r} is true/false)")
        return value
    if isinstance(kind, tuple):
        if operator != "==" or value not in kind:
            raise ctx.fail(field, value, f"{_one_of(kind)} with operator '==' or 'in'")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ctx.fail(field, value, f"a number ({unit})" if unit else "a number")
    return value


def _condition(ctx: _Ctx, data: Any, field: str) -> Condition:
    if isinstance(data, Mapping) and ("all_of" in data or "any_of" in data or "any_scale_of" in data):
        key = next(k for k in ("all_of", "any_of", "any_scale_of") if k in data)
        if len(data) != 1:
            raise ctx.fail(field, dict(data), f"a mapping with the single key {key!r}")
        parts = data[key]
        if not isinstance(parts, list) or len(parts) < 2:
            raise ctx.fail(f"{field}.{key}", parts, "a list of at least two conditions")
        conds = tuple(_condition(ctx, p, f"{field}.{key}[{i}]") for i, p in enumerate(parts))
        if key == "any_scale_of":
            if not all(isinstance(c, Leaf) for c in conds):
                raise ctx.fail(f"{field}.{key}", parts, "a list of parameter conditions (one per scale)")
            return AnyScaleOf(conds)
        return AllOf(conds) if key == "all_of" else AnyOf(conds)
    if isinstance(data, Mapping) and "criteria_set" in data:
        if len(data) != 1 or not isinstance(data["criteria_set"], str):
            raise ctx.fail(field, dict(data), "{criteria_set: SET_ID}")
        return SetRef(data["criteria_set"])
    _check_keys(ctx, data, _LEAF_KEYS, _LEAF_KEYS - {"threshold"}, field)
    parameter = data["parameter"]
    if parameter not in PARAMETERS:
        raise ctx.fail(f"{field}.parameter", parameter, "a patient parameter (docs/patient.schema.json)")
    operator = data["operator"]
    if operator not in OPERATORS:
        raise ctx.fail(f"{field}.operator", operator, _one_of(OPERATORS))
    kind = PARAMETERS[parameter][0]
    if operator in ("<", "<=", ">", ">=") and kind not in (int, float):
        raise ctx.fail(f"{field}.operator", operator, "'==', 'in' or 'recorded' for a non-numeric parameter")
    threshold = _threshold(ctx, f"{field}.threshold", parameter, operator, data.get("threshold"))
    examination = data["examination"]
    if examination not in EXAMINATIONS:
        raise ctx.fail(f"{field}.examination", examination, _one_of(EXAMINATIONS))
    return Leaf(parameter, operator, threshold, examination)


def _rule(ctx: _Ctx, data: Any, set_id: str, index: int) -> Rule:
    ctx.rule = data.get("id") if isinstance(data, Mapping) and isinstance(data.get("id"), str) else f"#{index + 1}"
    _check_keys(ctx, data, _RULE_KEYS, _RULE_REQUIRED, "")
    rule_id = _text(ctx, data, "id")
    if not rule_id.startswith(set_id + "."):
        raise ctx.fail("id", rule_id, f"an id starting with the set id ({set_id + '.'!r})")
    kind = data["kind"]
    if kind not in ("inclusion", "exclusion"):
        raise ctx.fail("kind", kind, _one_of(("inclusion", "exclusion")))
    on_fail = data.get("on_fail", "ineligible")
    if on_fail not in ("ineligible", "mdt_review"):
        raise ctx.fail("on_fail", on_fail, _one_of(("ineligible", "mdt_review")))
    via_raw = data.get("via", [])
    via_list = [via_raw] if isinstance(via_raw, str) else via_raw
    if not isinstance(via_list, list):
        raise ctx.fail("via", via_raw, "a source key or a list of source keys")
    via = tuple(_source_key(ctx, v, "via") for v in via_list)
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise ctx.fail("note", note, "text")
    summary = data.get("summary")
    if summary is not None and (not isinstance(summary, str) or not summary.strip()):
        raise ctx.fail("summary", summary, "a short non-empty text")
    conflict_raw = data.get("conflict", [])
    if not isinstance(conflict_raw, list):
        raise ctx.fail("conflict", conflict_raw, "a list of alternatives")
    conflict: list[Alternative] = []
    for i, alt in enumerate(conflict_raw):
        where = f"conflict[{i}]"
        _check_keys(ctx, alt, _ALT_KEYS, _ALT_KEYS - {"note"}, where)
        conflict.append(Alternative(
            condition=_condition(ctx, alt["condition"], f"{where}.condition"),
            source=_source_key(ctx, alt["source"], f"{where}.source"),
            ref=_text(ctx, alt, "ref", f"{where}.ref"),
            status=_status(ctx, alt["status"], f"{where}.status"),
            note=alt.get("note"),
        ))
    return Rule(
        id=rule_id,
        title=_text(ctx, data, "title"),
        kind=kind,
        condition=_condition(ctx, data["condition"], "condition"),
        source=_source_key(ctx, data["source"], "source"),
        ref=_text(ctx, data, "ref"),
        status=_status(ctx, data["status"], "status"),
        via=via,
        on_fail=on_fail,
        note=note,
        conflict=tuple(conflict),
        summary=summary,
    )


def parse_criteria(data: Any, file: str) -> CriteriaSet:
    """Validate the parsed YAML of one criteria file and build the set.

    Raises
    ------
    CriteriaFileError
        Naming the file, the rule and the field that break the schema.
    """
    ctx = _Ctx(file)
    _check_keys(ctx, data, _SET_KEYS, _SET_REQUIRED, "")
    set_id = _text(ctx, data, "id")
    kind = data["kind"]
    if kind not in ("guideline", "trial"):
        raise ctx.fail("kind", kind, _one_of(("guideline", "trial")))
    version = data["version"]
    if not isinstance(version, str) or not version:
        raise ctx.fail("version", version, "a version string in quotes, e.g. \"1\"")
    reviewed = data.get("reviewed")
    if reviewed is not None and not isinstance(reviewed, date):
        raise ctx.fail("reviewed", reviewed, "a date YYYY-MM-DD")
    rules_raw = data["rules"]
    if not isinstance(rules_raw, list) or not rules_raw:
        raise ctx.fail("rules", rules_raw, "a non-empty list of rules")
    source = _source_key(ctx, data["source"], "source")
    rules = []
    seen: set[str] = set()
    for i, r in enumerate(rules_raw):
        rule = _rule(ctx, r, set_id, i)
        if rule.id in seen:
            raise ctx.fail("id", rule.id, "an id not used by another rule of the set")
        seen.add(rule.id)
        rules.append(rule)
    ctx.rule = None
    return CriteriaSet(
        id=set_id,
        title=_text(ctx, data, "title"),
        kind=kind,
        version=version,
        source=source,
        spec_ref=_text(ctx, data, "spec_ref"),
        description=str(data.get("description") or "").strip(),
        rules=tuple(rules),
        file=file,
        reviewed=reviewed,
    )


def load_criteria_file(path: str | Path) -> CriteriaSet:
    """Load and validate one criteria-set YAML file.

    Raises
    ------
    CriteriaFileError
        For a YAML syntax error or a schema violation (the message names the
        file, the rule and the field).
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        raise CriteriaFileError(path.name, None, "yaml", where, "valid YAML") from None
    return parse_criteria(data, path.name)


def _check_references(sets: Iterable[CriteriaSet]) -> None:
    by_id = {s.id: s for s in sets}
    for s in by_id.values():
        for dep in s.depends_on():
            if dep not in by_id or dep == s.id:
                raise CriteriaFileError(s.file, None, "criteria_set", dep,
                                        _one_of(sorted(k for k in by_id if k != s.id)))
    # cycles
    state: dict[str, int] = {}

    def visit(set_id: str) -> None:
        if state.get(set_id) == 1:
            raise CriteriaFileError(by_id[set_id].file, None, "criteria_set", set_id,
                                    "references without a cycle")
        if state.get(set_id) == 2:
            return
        state[set_id] = 1
        for dep in by_id[set_id].depends_on():
            visit(dep)
        state[set_id] = 2

    for set_id in by_id:
        visit(set_id)


def load_criteria_dir(directory: str | Path) -> tuple[CriteriaSet, ...]:
    """Load every ``*.yaml`` file of ``directory`` (sorted by file name)."""
    sets = tuple(load_criteria_file(p) for p in sorted(Path(directory).glob("*.yaml")))
    ids = [s.id for s in sets]
    for s in sets:
        if ids.count(s.id) > 1:
            raise CriteriaFileError(s.file, None, "id", s.id, "an id used by one file only")
    _check_references(sets)
    return sets


@cache
def criteria_sets() -> tuple[CriteriaSet, ...]:
    """The criteria sets shipped with sclerostem, in display order.

    Guidelines first (newest first), then trials in publication order.
    """
    directory = resources.files("sclerostem") / "data" / "criteria"
    with resources.as_file(directory) as path:
        sets = load_criteria_dir(path)
    order = {"EBMT-2025": 0, "EBMT-cardio-2017": 1, "ASBMT-2018": 2,
             "ASSIST": 10, "ASTIS": 11, "SCOT": 12, "UPSIDE": 13}
    return tuple(sorted(sets, key=lambda s: (order.get(s.id, 50), s.id)))
