"""The Assessment object: JSON form, risks (with their published numbers) and evidence."""

from __future__ import annotations

import json

import pytest

from sclerostem._version import __version__
from sclerostem.errors import InputTypeError
from sclerostem.rules import assess, criteria_sets
from tests.rules._base import ASSESSED_ON, run, variant


def test_to_dict_is_json_and_complete() -> None:
    a = run()
    d = json.loads(json.dumps(a.to_dict()))
    assert d["assessed_on"] == ASSESSED_ON.isoformat()
    assert d["software_version"] == __version__
    assert d["criteria_versions"] == {s.id: s.version for s in criteria_sets()}
    assert [v["set_id"] for v in d["verdicts"]] == [s.id for s in criteria_sets()]
    scot = next(v for v in d["verdicts"] if v["set_id"] == "SCOT")
    assert scot["verdict"] == "eligible"
    assert len(scot["rules"]) == len(next(s for s in criteria_sets() if s.id == "SCOT").rules)
    assert d["derived"]["mrss_total"]["value"] == 25
    assert {e["study"] for e in d["evidence"]} == {"ASSIST", "ASTIS", "SCOT"}


def test_assess_accepts_mapping_and_refuses_other_types() -> None:
    assert assess(variant(), assessed_on=ASSESSED_ON).verdict("SCOT").verdict == "eligible"
    with pytest.raises(InputTypeError) as info:
        assess([1, 2])  # type: ignore[arg-type]
    assert str(info.value) == "field 'patient': got 'list'; allowed: a Patient or a mapping of patient fields."


def test_male_sex_and_low_lvef_risk_factors() -> None:
    """vanBijnen-2020 (hsct.md D1): male sex, LVEF < 50 % and older age associated with events;
    the HR 8.7 (1.1-68.9) for male sex is the EULAR 2019 abstract's (hsct.md D1)."""
    a = run("older-man-low-lvef")
    male = a.risk("risk.male_sex")
    assert male.value is True
    assert "HR 8.7 (95 % CI 1.1-68.9)" in male.components["numbers"]
    assert "risk.effect_size_unconfirmed" in {c.code for c in male.caveats}
    assert a.risk("risk.lvef_below_50").value is True
    assert a.risk("risk.older_age").components["patient_value"] == 63
    b = run()
    assert b.risk("risk.male_sex").value is False
    assert b.risk("risk.lvef_below_50").value is False
    assert run(sex=None).risk("risk.male_sex").value is None


def test_lvef_risk_threshold_both_sides() -> None:
    """vanBijnen-2020 abstract: LVEF < 50 %."""
    assert run(lvef_percent=50).risk("risk.lvef_below_50").value is False
    assert run(lvef_percent=49.9).risk("risk.lvef_below_50").value is True


def test_pooled_trm_from_higashitani() -> None:
    """Higashitani-2023 (hsct.md D2): 6.30 % (95 % CI 4.21-8.38), 700 patients."""
    r = run().risk("risk.trm.pooled")
    assert r.value == pytest.approx(6.30)
    assert r.components["numbers"] == "6.30 % (95 % CI 4.21-8.38)"
    assert r.components["n"] == 700


def test_trial_trm_rows_come_from_the_evidence_dataset() -> None:
    """hsct.md C6: ASTIS 8/79 at 12 months [S]; SCOT 1/36 at 54 months ITT [P]; 6 % at 72 months [P]."""
    a = run()
    assert "8/79 = 10.1 % at 12 months" in a.risk("risk.trm.ASTIS").components["numbers"]
    scot = a.risk("risk.trm.SCOT").components["numbers"]
    assert "1/36 = 2.8 % at 54 months ITT" in scot
    assert "6 % at 72 months" in scot


def test_cardiac_exclusions_unknown_names_examinations() -> None:
    r = run("no-right-heart-catheterisation").risk("risk.cardiac_exclusions")
    assert r.value is None
    assert "right heart catheterisation with fluid challenge" in r.components["examinations"]
    assert run().risk("risk.cardiac_exclusions").value is False


def test_subset_of_sets_pulls_in_dependencies() -> None:
    asbmt = next(s for s in criteria_sets() if s.id == "ASBMT-2018")
    a = assess(variant(), sets=[asbmt], assessed_on=ASSESSED_ON)
    assert [v.set_id for v in a.verdicts] == ["ASSIST", "ASTIS", "SCOT", "ASBMT-2018"]
    assert a.verdict("ASBMT-2018").verdict == "eligible"


def test_smoking_is_shown_as_information_not_as_a_factor() -> None:
    """vanBijnen-EULAR-2019 (hsct.md D1): TRM not associated with smoking."""
    r = run("older-man-low-lvef").risk("risk.smoking")
    assert r.value is None
    assert r.components["patient_value"] == "former"
    assert run(smoking_status=None).risk("risk.smoking").missing == ("smoking_status",)


def test_trial_trm_value_is_the_twelve_month_row() -> None:
    """hsct.md C6: the value of risk.trm.<trial> is the 12-month HSCT-arm row, named in its label —
    ASTIS 8/79 [S], ASSIST 0/10 [S], SCOT 1/36 at 12 months [S] (not the first row in file order,
    which for SCOT is the 54-month ITT row)."""
    a = run()
    for study, events, n in (("ASTIS", 8, 79), ("ASSIST", 0, 10), ("SCOT", 1, 36)):
        r = a.risk(f"risk.trm.{study}")
        assert r.value == pytest.approx(round(100.0 * events / n, 1)), study
        assert r.components["time_months"] == 12, study
        assert r.interpretation == "treatment-related mortality at 12 months, HSCT arm"


def test_trial_trm_without_a_twelve_month_row_is_none() -> None:
    """Mechanism: rows at other time points only -> no value (never another time point's number)."""
    from types import SimpleNamespace

    from sclerostem.rules._risk import _twelve_month_row

    rows = [SimpleNamespace(time_months=54.0, population="itt"), SimpleNamespace(time_months=72.0, population=None)]
    assert _twelve_month_row(rows) is None
    itt = SimpleNamespace(time_months=12.0, population="itt")
    assert _twelve_month_row([SimpleNamespace(time_months=12.0, population="pp"), itt, *rows]) is itt


def test_unconfirmed_cardiac_failure_is_not_a_present_exclusion() -> None:
    """TAPSE < 1.8 cm is [U] (hsct.md A3): listed for review, the cardiac-exclusion factor stays unknown."""
    r = run(tapse_cm=1.5).risk("risk.cardiac_exclusions")
    assert r.value is None
    assert r.components["present"] == []
    assert r.components["unconfirmed"] == ["EBMT-cardio-2017.tapse"]
