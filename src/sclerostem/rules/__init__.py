"""HSCT candidacy: criteria sets as data, three-valued rule checks, risks and evidence.

Every criteria set (EBMT 2025, EBMT 2017 cardiopulmonary work-up, ASTCT/ASBMT
2018, ASSIST, ASTIS, SCOT, UPSIDE) is one YAML file in
``sclerostem/data/criteria``; each rule cites its source key and confirmation
status from ``shared/spec/hsct.md``. The engine evaluates each rule to
met / not met / unknown (a :class:`~sclerostem.result.Result`) and each set to
eligible / eligible after MDT review / undetermined / not eligible, naming the examination that would
settle every unknown.

Examples
--------
>>> from sclerostem.rules import assess
>>> a = assess({"age_years": 72, "sex": "male"})
>>> a.verdict("SCOT").verdict
'not eligible'
>>> a.verdict("SCOT").failed
('SCOT.age_max',)
"""

from sclerostem.rules._assessment import Assessment, TrialEvidence, assess
from sclerostem.rules._criteria import (
    PARAMETERS,
    CriteriaFileError,
    CriteriaSet,
    Rule,
    criteria_sets,
    load_criteria_dir,
    load_criteria_file,
)
from sclerostem.rules._derived import derived_inputs
from sclerostem.rules._engine import VERDICTS, MissingItem, SetVerdict, evaluate_rule, evaluate_set
from sclerostem.rules._patient import Patient, patient_from_json
from sclerostem.rules._schema import patient_json_schema

__all__ = [
    "PARAMETERS",
    "VERDICTS",
    "Assessment",
    "CriteriaFileError",
    "CriteriaSet",
    "MissingItem",
    "Patient",
    "Rule",
    "SetVerdict",
    "TrialEvidence",
    "assess",
    "criteria_sets",
    "derived_inputs",
    "evaluate_rule",
    "evaluate_set",
    "load_criteria_dir",
    "load_criteria_file",
    "patient_from_json",
    "patient_json_schema",
]
