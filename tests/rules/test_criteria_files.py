"""Criteria files are validated on load; errors name the file, the rule and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sclerostem.rules import CriteriaFileError, criteria_sets, load_criteria_dir, load_criteria_file
from sclerostem.rules._sources import EXAMINATIONS

GOOD = {
    "id": "DEMO",
    "title": "Demo set",
    "kind": "guideline",
    "version": "1",
    "source": "EBMT-2025",
    "spec_ref": "hsct.md §A1",
    "rules": [{
        "id": "DEMO.age",
        "title": "Adult",
        "kind": "inclusion",
        "condition": {"parameter": "age_years", "operator": ">=", "threshold": 18,
                      "examination": "clinical history"},
        "source": "EBMT-2025",
        "ref": "Table 2",
        "status": "CONFIRMED",
    }],
}


def _write(tmp_path: Path, data: object, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _with_rule(**changes: object) -> dict:
    rule = {**GOOD["rules"][0], **changes}  # type: ignore[dict-item]
    return {**GOOD, "rules": [rule]}


def test_good_file_loads(tmp_path: Path) -> None:
    cs = load_criteria_file(_write(tmp_path, GOOD))
    assert (cs.id, cs.version, cs.rules[0].id, cs.rules[0].text()) == ("DEMO", "1", "DEMO.age", "age ≥ 18 years")


@pytest.mark.parametrize(("data", "message"), [
    (_with_rule(condition={"parameter": "age_years", "operator": "=>", "threshold": 18,
                           "examination": "clinical history"}),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'condition.operator': got '=>'; "
     "allowed: one of '<', '<=', '>', '>=', '==', 'in', 'recorded'."),
    (_with_rule(condition={"parameter": "age", "operator": ">=", "threshold": 18, "examination": "clinical history"}),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'condition.parameter': got 'age'; "
     "allowed: a patient parameter (docs/patient.schema.json)."),
    (_with_rule(condition={"parameter": "age_years", "operator": ">=", "threshold": "18",
                           "examination": "clinical history"}),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'condition.threshold': got '18'; allowed: a number (years)."),
    (_with_rule(condition={"parameter": "ild_on_hrct", "operator": ">", "threshold": 1, "examination": "HRCT"}),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'condition.operator': got '>'; "
     "allowed: '==', 'in' or 'recorded' for a non-numeric parameter."),
    (_with_rule(condition={"parameter": "age_years", "operator": ">=", "threshold": 18, "examination": "x-ray"}),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'condition.examination': got 'x-ray'; allowed: one of "
     + ", ".join(repr(e) for e in EXAMINATIONS) + "."),
    (_with_rule(status="PROBABLE"),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'status': got 'PROBABLE'; "
     "allowed: one of 'CONFIRMED', 'SECONDARY', 'UNCONFIRMED'."),
    (_with_rule(kind="include"),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'kind': got 'include'; "
     "allowed: one of 'inclusion', 'exclusion'."),
    (_with_rule(id="OTHER.age"),
     "criteria file 'demo.yaml', rule 'OTHER.age', field 'id': got 'OTHER.age'; "
     "allowed: an id starting with the set id ('DEMO.')."),
    (_with_rule(threshold=3),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'threshold': got 3; allowed: one of 'condition', "
     "'conflict', 'id', 'kind', 'note', 'on_fail', 'ref', 'source', 'status', 'summary', 'title', 'via'."),
    (_with_rule(summary=""),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'summary': got ''; allowed: a short non-empty text."),
    (_with_rule(condition={"any_scale_of": [
        {"parameter": "ecog_performance_status", "operator": ">=", "threshold": 2, "examination": "performance status"},
        {"any_of": [{"parameter": "karnofsky_percent", "operator": "<=", "threshold": 60,
                     "examination": "performance status"},
                    {"parameter": "age_years", "operator": ">", "threshold": 90, "examination": "clinical history"}]}]}),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'condition.any_scale_of': got [{'parameter': "
     "'ecog_performance_status', 'operator': '>=', 'threshold': 2, 'examination': 'performance status'}, "
     "{'any_of': [{'parameter': 'karnofsky_percent', 'operator': '<=', 'threshold': 60, 'examination': "
     "'performance status'}, {'parameter': 'age_years', 'operator': '>', 'threshold': 90, 'examination': "
     "'clinical history'}]}]; allowed: a list of parameter conditions (one per scale)."),
    ({**GOOD, "rules": [{k: v for k, v in GOOD["rules"][0].items() if k != "ref"}]},
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'ref': got None; allowed: a value (the field is required)."),
    ({**GOOD, "version": 1},
     "criteria file 'demo.yaml', field 'version': got 1; allowed: a version string in quotes, e.g. \"1\"."),
    ({**GOOD, "rules": [GOOD["rules"][0], GOOD["rules"][0]]},
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'id': got 'DEMO.age'; "
     "allowed: an id not used by another rule of the set."),
    (_with_rule(condition={"all_of": [{"parameter": "age_years", "operator": ">=", "threshold": 18,
                                       "examination": "clinical history"}]}),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'condition.all_of': got [{'parameter': 'age_years', "
     "'operator': '>=', 'threshold': 18, 'examination': 'clinical history'}]; allowed: a list of at least two "
     "conditions."),
    (_with_rule(conflict=[{"condition": GOOD["rules"][0]["condition"], "source": "Nobody-2020",
                           "ref": "T1", "status": "SECONDARY"}]),
     "criteria file 'demo.yaml', rule 'DEMO.age', field 'conflict[0].source': got 'Nobody-2020'; allowed: a "
     "source-register key of shared/spec/hsct.md §0 ("),
])
def test_invalid_file_names_file_rule_and_field(tmp_path: Path, data: dict, message: str) -> None:
    with pytest.raises(CriteriaFileError) as info:
        load_criteria_file(_write(tmp_path, data))
    assert str(info.value).startswith(message)


def test_unknown_source_key(tmp_path: Path) -> None:
    with pytest.raises(CriteriaFileError) as info:
        load_criteria_file(_write(tmp_path, _with_rule(source="Smith-2021")))
    assert info.value.file == "demo.yaml"
    assert info.value.rule == "DEMO.age"
    assert info.value.field == "source"


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: X\nrules: [\n", encoding="utf-8")
    with pytest.raises(CriteriaFileError) as info:
        load_criteria_file(path)
    assert str(info.value).startswith("criteria file 'broken.yaml', field 'yaml': got 'line ")


def test_reference_to_unknown_set(tmp_path: Path) -> None:
    data = _with_rule(condition={"criteria_set": "NOPE"})
    _write(tmp_path, data)
    with pytest.raises(CriteriaFileError) as info:
        load_criteria_dir(tmp_path)
    assert str(info.value) == "criteria file 'demo.yaml', field 'criteria_set': got 'NOPE'; allowed: one of ."


def test_reference_cycle(tmp_path: Path) -> None:
    a = {**_with_rule(condition={"criteria_set": "B"}), "id": "A"}
    a["rules"][0]["id"] = "A.x"
    b = {**_with_rule(condition={"criteria_set": "A"}), "id": "B"}
    b["rules"][0]["id"] = "B.x"
    _write(tmp_path, a, "a.yaml")
    _write(tmp_path, b, "b.yaml")
    with pytest.raises(CriteriaFileError) as info:
        load_criteria_dir(tmp_path)
    assert "references without a cycle" in str(info.value)


def test_new_guideline_version_is_a_new_file(tmp_path: Path) -> None:
    """A new version is data only: copy a shipped file, change version and a threshold, load it."""
    from importlib import resources

    src = resources.files("sclerostem") / "data" / "criteria" / "scot.yaml"
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data["id"] = "SCOT-v2"
    data["version"] = "2"
    for rule in data["rules"]:
        rule["id"] = rule["id"].replace("SCOT.", "SCOT-v2.")
    _write(tmp_path, data, "scot-v2.yaml")
    (cs,) = load_criteria_dir(tmp_path)
    from sclerostem.rules import assess

    a = assess({"age_years": 45}, sets=[cs])
    assert a.criteria_versions == {"SCOT-v2": "2"}
    assert a.verdicts[0].set_id == "SCOT-v2"


def test_shipped_sets_load_and_every_leaf_names_an_examination() -> None:
    from sclerostem.rules._criteria import AllOf, AnyOf, Leaf

    def leaves(c):  # type: ignore[no-untyped-def]
        if isinstance(c, Leaf):
            yield c
        elif isinstance(c, AllOf | AnyOf):
            for part in c.conditions:
                yield from leaves(part)

    n = 0
    for cs in criteria_sets():
        for rule in cs.rules:
            for leaf in leaves(rule.condition):
                assert leaf.examination in EXAMINATIONS
                n += 1
    assert n > 60
