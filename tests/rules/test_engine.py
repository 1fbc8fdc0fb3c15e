"""Three-valued (Kleene) evaluation: properties that hold for every rule and every input."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sclerostem.rules import criteria_sets, evaluate_rule
from sclerostem.rules._criteria import AllOf, AnyOf, AnyScaleOf, Leaf
from sclerostem.rules._engine import SetVerdict

RULES = [r for s in criteria_sets() for r in s.rules if not s.depends_on()]


def _has_scales(c) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(c, AnyScaleOf):
        return True
    return isinstance(c, AllOf | AnyOf) and any(_has_scales(p) for p in c.conditions)


#: Rules whose conditions are monotone in their inputs. ``any_scale_of`` (ECOG or Karnofsky) is decided
#: by one recorded scale and is deliberately not: a second scale can overturn it (tested below).
MONOTONE_RULES = [r for r in RULES if not _has_scales(r.condition)]


def _leaf(value: bool | None) -> tuple[Leaf, dict[str, Any]]:
    return Leaf("ild_on_hrct", "==", True, "HRCT"), {"ild_on_hrct": value}


def _kleene_and(vs: list[bool | None]) -> bool | None:
    return False if False in vs else (None if None in vs else True)


def _kleene_or(vs: list[bool | None]) -> bool | None:
    return True if True in vs else (None if None in vs else False)


@given(st.lists(st.sampled_from([True, False, None]), min_size=2, max_size=5))
def test_all_of_and_any_of_follow_kleene_logic(values: list[bool | None]) -> None:
    from sclerostem.rules._engine import _condition

    params = [f"p{i}" for i in range(len(values))]
    # each part: a numeric leaf on its own parameter, true when value is 1, false when 0, unknown when None
    parts = tuple(Leaf("age_years", ">=", 18, "clinical history") for _ in params)
    results = []
    for v in values:
        results.append(_condition(parts[0], {"age_years": None if v is None else (30 if v else 10)}, {}).value)
    assert results == values
    # combine with real leaves on distinct parameters
    names = ["ild_on_hrct", "proteinuria", "active_gave", "prior_tli_or_tbi", "cardiac_tamponade"][: len(values)]
    leaves = tuple(Leaf(n, "==", True, "clinical history") for n in names)
    env = dict(zip(names, values, strict=True))
    assert _condition(AllOf(leaves), env, {}).value is _kleene_and(values)
    assert _condition(AnyOf(leaves), env, {}).value is _kleene_or(values)


def _value_for(param: str, draw_num: float, draw_bool: bool) -> Any:
    from sclerostem.rules import PARAMETERS

    kind = PARAMETERS[param][0]
    if kind is bool:
        return draw_bool
    if isinstance(kind, tuple):
        return kind[int(draw_num) % len(kind)]
    return round(draw_num, 1) if kind is float else int(draw_num)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_filling_in_a_missing_value_never_changes_a_decided_rule(data: st.DataObject) -> None:
    """Monotonicity: a rule decided with some inputs missing stays decided the same way whatever they are."""
    rule = data.draw(st.sampled_from(MONOTONE_RULES))
    params = sorted(set(rule.condition.parameters()) | {p for a in rule.conflict for p in a.condition.parameters()})
    values: dict[str, Any] = {}
    for p in params:
        if data.draw(st.booleans()):
            values[p] = _value_for(p, data.draw(st.floats(0, 100)), data.draw(st.booleans()))
    first = evaluate_rule(rule, values)
    if first.value is None:
        return
    filled = dict(values)
    for p in params:
        if p not in filled:
            filled[p] = _value_for(p, data.draw(st.floats(0, 100)), data.draw(st.booleans()))
    assert evaluate_rule(rule, filled).value is first.value


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_unknown_rule_lists_what_is_missing_or_a_conflict(data: st.DataObject) -> None:
    rule = data.draw(st.sampled_from(RULES))
    params = sorted(set(rule.condition.parameters()))
    values = {p: _value_for(p, data.draw(st.floats(0, 100)), data.draw(st.booleans()))
              for p in params if data.draw(st.booleans())}
    r = evaluate_rule(rule, values)
    if r.value is None:
        assert r.missing or r.components["finding"] == "sources disagree"
        assert set(r.missing) <= set(params) | {p for a in rule.conflict for p in a.condition.parameters()}


def test_exclusion_result_is_inverted_finding() -> None:
    sets = {s.id: s for s in criteria_sets()}
    rule = sets["SCOT"].rule("SCOT.fvc")
    present = evaluate_rule(rule, {"fvc_percent_predicted": 30})
    assert (present.value, present.interpretation, present.components["finding"]) == (
        False, "not met", "exclusion present")
    absent = evaluate_rule(rule, {"fvc_percent_predicted": 80})
    assert (absent.value, absent.components["finding"]) == (True, "no exclusion")
    unknown = evaluate_rule(rule, {})
    assert (unknown.value, unknown.interpretation, unknown.missing) == (None, "unknown", ("fvc_percent_predicted",))


def test_set_verdict_prefers_failure_over_unknown() -> None:
    """A set with one failed rule is 'not eligible' even when other rules are unknown."""
    from sclerostem.rules import evaluate_set

    scot = next(s for s in criteria_sets() if s.id == "SCOT")
    v: SetVerdict = evaluate_set(scot, {"age_years": 75})
    assert v.verdict == "not eligible"
    assert v.failed == ("SCOT.age_max",)
    assert v.unknown  # the rest is still listed
    assert "pulmonary function tests" in v.examinations


def test_rule_result_is_a_result_with_sources() -> None:
    scot = next(s for s in criteria_sets() if s.id == "SCOT")
    r = evaluate_rule(scot.rule("SCOT.skin"), {"mrss_total": 20})
    d = r.to_dict()
    assert d["name"] == "SCOT.skin"
    assert d["value"] is True
    assert d["sources"] == ["Walker-2018", "RDCNA-2015"]
    assert d["components"]["status"] == "secondary"


def test_any_scale_of_is_decided_by_the_recorded_scale() -> None:
    """EBMT-2025 T2 (hsct.md A1): poor performance status = ECOG >= 2 or Karnofsky <= 60 %. One recorded
    scale decides; poor on either counts; unknown only when neither is recorded."""
    rule = next(s for s in criteria_sets() if s.id == "EBMT-2025").rule("EBMT-2025.performance_status")
    assert isinstance(rule.condition, AnyScaleOf)
    assert evaluate_rule(rule, {"ecog_performance_status": 1}).value is True  # exclusion absent
    assert evaluate_rule(rule, {"karnofsky_percent": 70}).value is True
    assert evaluate_rule(rule, {"karnofsky_percent": 60}).value is False
    assert evaluate_rule(rule, {"ecog_performance_status": 1, "karnofsky_percent": 60}).value is False
    unknown = evaluate_rule(rule, {})
    assert unknown.value is None
    assert unknown.missing == ("ecog_performance_status", "karnofsky_percent")
    assert len(MONOTONE_RULES) == len(RULES) - 1
