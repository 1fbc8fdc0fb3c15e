"""Conflicting and UNCONFIRMED thresholds: shown as such, never silently decided.

Tests here check the mechanism (both published thresholds are evaluated, a
disagreement leaves the rule unknown with a caveat naming both sources); they
do not lock in which threshold is right (shared/spec/hsct.md §A2, §G item 1).
"""

from __future__ import annotations

from sclerostem.result import Evidence
from tests.rules._base import rule_value, run


def _codes(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.code for c in result.caveats}


def test_scot_duration_sources_agree_below_both_limits() -> None:
    """hsct.md A2: Walker-2018 T1 <= 4 y vs RDCNA-2015 T3 <= 5 y; 3.9 y passes under both."""
    a = run(disease_duration_years=3.9)
    r = a.verdict("SCOT").rule("SCOT.duration")
    assert r.value is True
    assert {"rules.unconfirmed", "rules.conflicting_sources"} <= _codes(r)


def test_scot_duration_between_the_two_limits_is_undetermined() -> None:
    a = run(disease_duration_years=4.5)
    v = a.verdict("SCOT")
    r = v.rule("SCOT.duration")
    assert r.value is None
    assert r.components["finding"] == "sources disagree"
    assert v.verdict == "undetermined"
    assert v.conflicts == ("SCOT.duration",)
    assert v.missing == ()  # no measurement would settle it
    messages = " ".join(c.message for c in r.caveats)
    assert "Walker-2018" in messages
    assert "RDCNA-2015" in messages
    assert "sources disagree on SCOT.duration" in v.summary()


def test_scot_duration_above_both_limits_needs_review_not_exclusion() -> None:
    """Both published limits (4 and 5 y) are UNCONFIRMED (hsct.md A2): not met, yet never the sole reason
    for "not eligible" — the set is undetermined with the rule listed for review, with its caveat."""
    a = run(disease_duration_years=5.5)
    v = a.verdict("SCOT")
    r = v.rule("SCOT.duration")
    assert r.value is False
    assert "rules.unconfirmed_not_met" in _codes(r)
    assert v.verdict == "undetermined"
    assert v.unconfirmed == ("SCOT.duration",)
    assert v.failed == ()
    assert "unconfirmed threshold not met, review against the primary source: SCOT.duration" in v.summary()


def test_unconfirmed_failure_does_not_hide_a_confirmed_one() -> None:
    """SCOT age 18-69 is [P] (SCOT abstract/registry): a 70-year-old with 5.5 y disease is not eligible."""
    v = run(disease_duration_years=5.5, age_years=70).verdict("SCOT")
    assert v.verdict == "not eligible"
    assert v.failed == ("SCOT.age_max",)
    assert v.unconfirmed == ("SCOT.duration",)


def test_scot_duration_unknown_when_missing() -> None:
    a = run(disease_duration_years=None, date_first_non_raynaud_symptom=None)
    r = a.verdict("SCOT").rule("SCOT.duration")
    assert r.value is None
    assert r.missing == ("disease_duration_years",)


def test_assist_age_60_falls_between_the_two_reviews() -> None:
    """hsct.md A2: ASSIST age < 60 (Walker-2018 T1) vs 18-60 (RDCNA-2015 T3)."""
    a = run(age_years=60)
    assert rule_value(a, "ASSIST.age_max") is None
    assert a.verdict("ASSIST").conflicts == ("ASSIST.age_max",)


def test_assist_prior_cyclophosphamide_courses_vs_months() -> None:
    """Walker-2018 counts > 6 courses, RDCNA-2015 > 6 months: 6 courses over 8 months disagree."""
    a = run(prior_cyclophosphamide_iv_courses=6, prior_cyclophosphamide_iv_months=8, prior_alkylating_agent=True)
    assert rule_value(a, "ASSIST.prior_cyclophosphamide") is None
    assert "ASSIST.prior_cyclophosphamide" in a.verdict("ASSIST").conflicts


def test_upside_duration_amendment_is_unconfirmed() -> None:
    """UPSIDE protocol <= 2 y [P] vs later registry <= 3 y [U]: 2.5 y is undecided, with an UNCONFIRMED caveat."""
    a = run("early-untreated", disease_duration_years=2.5)
    r = a.verdict("UPSIDE").rule("UPSIDE.duration")
    assert r.value is None
    conflict = [c for c in r.caveats if c.code == "rules.conflicting_sources"]
    assert conflict
    assert conflict[0].status is Evidence.UNCONFIRMED


def test_tapse_rule_is_unconfirmed_and_says_so() -> None:
    """JSRD-2023 T3: TAPSE column placement inferred [U] — caveat shown whatever the value."""
    for tapse in (1.0, 2.5):
        r = run(tapse_cm=tapse).verdict("EBMT-cardio-2017").rule("EBMT-cardio-2017.tapse")
        assert "rules.unconfirmed" in _codes(r)
        assert r.components["status"] == "unconfirmed"


def test_failed_tapse_alone_never_makes_the_patient_not_eligible() -> None:
    """hsct.md A3: TAPSE < 1.8 cm "column placement inferred, not certain" [U]. Mechanism: one value
    below and one at the encoded threshold (read from the file, not locked in here)."""
    from sclerostem.rules import criteria_sets

    rule = next(s for s in criteria_sets() if s.id == "EBMT-cardio-2017").rule("EBMT-cardio-2017.tapse")
    threshold = rule.condition.threshold  # type: ignore[union-attr]
    below = run(tapse_cm=round(threshold - 0.1, 2)).verdict("EBMT-cardio-2017")
    assert below.rule("EBMT-cardio-2017.tapse").value is False
    assert below.verdict == "undetermined"
    assert below.failed == ()
    assert below.unconfirmed == ("EBMT-cardio-2017.tapse",)
    assert {"rules.unconfirmed", "rules.unconfirmed_not_met"} <= _codes(below.rule("EBMT-cardio-2017.tapse"))
    at = run(tapse_cm=threshold).verdict("EBMT-cardio-2017")
    assert at.verdict == "eligible"
    assert at.unconfirmed == ()


def test_unconfirmed_failure_is_general_not_tapse_specific() -> None:
    """Any UNCONFIRMED rule: a synthetic set whose only rule is UNCONFIRMED never reaches "not eligible",
    while the same rule tagged SECONDARY does (mechanism; threshold passed explicitly)."""
    from sclerostem.rules import evaluate_set
    from sclerostem.rules._criteria import parse_criteria

    def demo(status: str):  # type: ignore[no-untyped-def]
        return parse_criteria({
            "id": "DEMO", "title": "Demo", "kind": "trial", "version": "1", "source": "SCOT",
            "spec_ref": "test", "description": "mechanism test",
            "rules": [{"id": "DEMO.lvef", "title": "LVEF", "kind": "exclusion",
                       "condition": {"parameter": "lvef_percent", "operator": "<", "threshold": 50,
                                     "examination": "echocardiography"},
                       "source": "SCOT", "ref": "test", "status": status}],
        }, "demo.yaml")

    values = {"lvef_percent": 40.0}
    assert evaluate_set(demo("UNCONFIRMED"), values).verdict == "undetermined"
    assert evaluate_set(demo("SECONDARY"), values).verdict == "not eligible"
    assert evaluate_set(demo("UNCONFIRMED"), {"lvef_percent": 60.0}).verdict == "eligible"


def test_asbmt_carries_the_trial_sets_caveats() -> None:
    """The ASBMT rule refers to ASSIST/ASTIS/SCOT: their UNCONFIRMED and conflicting-source caveats are
    carried onto it, not only their verdicts (SCOT.duration is UNCONFIRMED, hsct.md A2)."""
    a = run()
    r = a.verdict("ASBMT-2018").rule("ASBMT-2018.rct_population")
    messages = [c.message for c in r.caveats]
    assert any(m.startswith("SCOT.duration: threshold not confirmed") for m in messages)
    assert any(m.startswith("SCOT.duration: sources disagree") for m in messages)
    assert any(m.startswith("ASBMT-2018.rct_population: threshold not confirmed") for m in messages)
    assert len(messages) == len(set(messages))


def test_tapse_mechanism_uses_the_encoded_parameter() -> None:
    """Mechanism only: the rule compares tapse_cm with the threshold stored in the file."""
    from sclerostem.rules import criteria_sets, evaluate_rule

    rule = next(s for s in criteria_sets() if s.id == "EBMT-cardio-2017").rule("EBMT-cardio-2017.tapse")
    threshold = rule.condition.threshold  # type: ignore[union-attr]
    assert evaluate_rule(rule, {"tapse_cm": threshold}).value is True
    assert evaluate_rule(rule, {"tapse_cm": threshold - 0.1}).value is False


def test_asbmt_follows_the_trial_sets_and_carries_caveat() -> None:
    eligible = run()
    r = eligible.verdict("ASBMT-2018").rule("ASBMT-2018.rct_population")
    assert r.value is True
    assert "rules.unconfirmed" in _codes(r)
    limited = run("limited-cutaneous")
    assert rule_value(limited, "ASBMT-2018.rct_population") is False
    no_rhc = run("no-right-heart-catheterisation")
    v = no_rhc.verdict("ASBMT-2018")
    assert v.verdict == "undetermined"
    assert "right heart catheterisation with fluid challenge" in v.examinations


def test_work_up_items_are_unknown_not_failed_when_missing() -> None:
    a = run(fvc_percent_predicted=None, smoking_status=None)
    assert rule_value(a, "EBMT-cardio-2017.pft_done") is None
    assert rule_value(a, "EBMT-2025.smoking_documented") is None
    assert "pulmonary function tests" in a.verdict("EBMT-cardio-2017").examinations


def test_cmr_and_pericardium_exclusions() -> None:
    """EBMT column (JSRD-2023 T3; EBMT-2025 T5): D-sign/septal bounce, tamponade, constriction."""
    assert rule_value(run(cmr_septal_bounce_or_d_sign=True), "EBMT-cardio-2017.cmr") is False
    assert rule_value(run(cardiac_tamponade=True), "EBMT-cardio-2017.pericardium") is False
    assert rule_value(run(constrictive_pericarditis=True), "EBMT-cardio-2017.pericardium") is False
    assert rule_value(run(), "EBMT-cardio-2017.pericardium") is True
