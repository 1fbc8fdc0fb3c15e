"""Outcome rows: every row traces to the spec text it was read from."""

from __future__ import annotations

import dataclasses

import pytest

from sclerostem import evidence
from sclerostem.errors import ConsistencyError, UnknownFieldError
from sclerostem.evidence import _dataset
from sclerostem.result import Evidence
from tests.evidence._trace import section, signed_numbers, trace_problems

ROWS = evidence.outcome_rows()


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.key)
def test_row_traces_to_spec(row):
    """Each number (signed), in its own arm's part of the quote, and the P value (see tests/evidence/_trace.py)."""
    assert trace_problems(row, ROWS) == []


def test_reference_spec_refs_point_at_existing_sections():
    for ref in evidence.references():
        if ref.spec_ref:
            assert section(ref.spec_ref)


def test_row_keys_unique_and_documented():
    keys = [r.key for r in ROWS]
    assert len(keys) == len(set(keys))
    for r in ROWS:
        assert r.outcome in evidence.OUTCOMES
        assert r.measure in evidence.MEASURES
        assert r.arm in evidence.ARMS
        if r.measure == "count":
            assert r.events is not None, r.key
            assert r.n is not None, r.key
            assert 0 <= r.events <= r.n, r.key


def test_derived_rows_show_their_arithmetic():
    for r in ROWS:
        if r.status is Evidence.DERIVED:
            assert r.note
            assert "[D]" in r.note


def test_astis_trm_rows():
    """ASTIS treatment-related deaths at 12 months 8/79 vs 0/77 (hsct.md C6, [S] Walker-2018)."""
    rows = evidence.outcome_rows("ASTIS", "trm")
    assert [(r.arm, r.events, r.n, r.time_months) for r in rows] == [("hsct", 8, 79, 12.0), ("control", 0, 77, 12.0)]
    assert {r.status for r in rows} == {Evidence.SECONDARY}
    assert {r.spec_ref for r in rows} == {"hsct.md C6"}


def test_scot_72_month_km_rows():
    """SCOT 72-month per-protocol KM estimates EFS 74 % vs 47 %, OS 86 % vs 51 % (hsct.md C2/C6, [P])."""
    efs = {r.arm: r.estimate for r in evidence.outcome_rows("SCOT", "efs") if r.time_months == 72}
    os_ = {r.arm: r.estimate for r in evidence.outcome_rows("SCOT", "os") if r.time_months == 72}
    assert efs == {"hsct": 74.0, "control": 47.0}
    assert os_ == {"hsct": 86.0, "control": 51.0}


def test_astis_hazard_ratio_row():
    """ASTIS EFS HR at 2 years 0.35 (0.16-0.74), P .006 (hsct.md C3 table / C6, [P] JAMA Figure 2 legend)."""
    (r,) = [r for r in evidence.outcome_rows("ASTIS", "efs") if r.measure == "hr" and r.time_months == 24]
    assert (r.estimate, r.ci_low, r.ci_high, r.arm, r.status) == (0.35, 0.16, 0.74, "pooled", Evidence.CONFIRMED)


def test_unknown_study_and_outcome():
    with pytest.raises(UnknownFieldError) as exc:
        evidence.outcome_rows("SCOT-2018")
    assert str(exc.value) == "field 'study': got 'SCOT-2018'; allowed: a reference key listed by `sclerostem evidence list`."
    with pytest.raises(UnknownFieldError):
        evidence.outcome_rows(outcome="mortality")


# ---- the trace check rejects swapped arms, flipped signs, wrong P values ----

def _row(key: str) -> evidence.OutcomeRow:
    (r,) = [r for r in ROWS if r.key == key]
    return r


def _with(rows: list[evidence.OutcomeRow], **changes: evidence.OutcomeRow) -> list[evidence.OutcomeRow]:
    """Copy of ``rows`` with the rows named by key (``.`` written as ``__``) replaced."""
    by_key = {k.replace("__", "."): v for k, v in changes.items()}
    return [by_key.get(r.key, r) for r in rows]


def _abs_numbers(text: str) -> set[float]:
    return {abs(v) for v, _ in signed_numbers(text)}


def _invisible_to_a_set_check(row: evidence.OutcomeRow) -> bool:
    """True if every number of ``row`` is (as an absolute value) somewhere in its quote: the old check's test."""
    found = _abs_numbers(row.spec_quote)
    return all(abs(getattr(row, f)) in found for f in ("n", "events", "estimate", "ci_low", "ci_high", "sd")
               if getattr(row, f) is not None)


def test_checker_rejects_swapped_arms_in_a_table_row():
    """SCOT 72-month EFS 74 % HSCT vs 47 % control (hsct.md C6), arms swapped in memory."""
    h, c = _row("SCOT.efs.pp.72m.hsct"), _row("SCOT.efs.pp.72m.control")
    bad_h, bad_c = dataclasses.replace(h, estimate=47.0), dataclasses.replace(c, estimate=74.0)
    assert _invisible_to_a_set_check(bad_h)
    assert _invisible_to_a_set_check(bad_c)
    rows = _with(ROWS, SCOT__efs__pp__72m__hsct=bad_h, SCOT__efs__pp__72m__control=bad_c)
    assert trace_problems(bad_h, rows) == [
        "SCOT.efs.pp.72m.hsct: estimate=47 not in its own part of the quote: '74 %'"]
    assert trace_problems(bad_c, rows) == [
        "SCOT.efs.pp.72m.control: estimate=74 not in its own part of the quote: '47 %'"]


def test_checker_rejects_swapped_arms_in_running_text():
    """ASTIS event-free 57/79 HSCT vs 46/77 cyclophosphamide (hsct.md C3): values swapped, then fragments too."""
    h, c = _row("ASTIS.efs.all.5.8y.hsct"), _row("ASTIS.efs.all.5.8y.control")
    bad_h = dataclasses.replace(h, events=c.events, n=c.n)
    bad_c = dataclasses.replace(c, events=h.events, n=h.n)
    assert _invisible_to_a_set_check(bad_h)
    rows = _with(ROWS, ASTIS__efs__all__5__8y__hsct=bad_h, ASTIS__efs__all__5__8y__control=bad_c)
    assert len(trace_problems(bad_h, rows)) == 2  # events and n
    # a consistent swap of values and fragments is caught by the order (the specs write "HSCT vs control")
    both_h = dataclasses.replace(bad_h, arm_quote=c.arm_quote)
    both_c = dataclasses.replace(bad_c, arm_quote=h.arm_quote)
    rows = _with(ROWS, ASTIS__efs__all__5__8y__hsct=both_h, ASTIS__efs__all__5__8y__control=both_c)
    assert trace_problems(both_h, rows) == [
        "ASTIS.efs.all.5.8y.hsct: active-arm fragment '60 % (46/77) cyclophosphamide' comes after "
        "control fragment '72 % (57/79) HSCT'"]


def test_checker_rejects_a_flipped_sign():
    """Daumas 2022 CHFS change −9.2 (SD 12.2) SVF (msc.md 3.1): +9.2 must fail."""
    r = _row("Daumas-2022.chfs_change.all.3m.treatment")
    bad = dataclasses.replace(r, estimate=9.2)
    assert _invisible_to_a_set_check(bad)
    rows = _with(ROWS, **{"Daumas-2022__chfs_change__all__3m__treatment": bad})
    assert trace_problems(bad, rows) == [
        "Daumas-2022.chfs_change.all.3m.treatment: estimate=9.2 not in its own part of the quote: "
        "'−9.2 (SD 12.2) SVF'"]


def test_checker_rejects_efs_and_os_swapped():
    """ASTIS 2-year HRs, EFS 0.35 (0.16–0.74) vs OS 0.29 (0.13–0.65) (hsct.md C3 table): OS numbers on the EFS row."""
    r = _row("ASTIS.efs.all.2y.pooled")
    bad = dataclasses.replace(r, estimate=0.29, ci_low=0.13, ci_high=0.65, p_value=".002")
    assert _invisible_to_a_set_check(bad)
    problems = trace_problems(bad, _with(ROWS, ASTIS__efs__all__2y__pooled=bad))
    assert [p.split(":")[1].strip() for p in problems] == [
        "estimate=0.29 not in its own part of the quote", "ci_low=0.13 not in its own part of the quote",
        "ci_high=0.65 not in its own part of the quote", "p_value '.002' not in its part of the quote"]


@pytest.mark.parametrize(("key", "p_value"), [
    ("SCOT.efs.pp.72m.hsct", "0.02"),            # C6 row prints P = 0.03
    ("Liu-2024.losdi_decrease.all.12m.treatment", ".13"),  # that P belongs to mLoSSI in the same quote
    ("Liu-2024.losdi_decrease.all.12m.treatment", ".001"),  # printed "P < .001": the comparator matters
    ("ASTIS.os.all.1y.pooled", ".04"),           # the EFS column's P on the same C3 table line
])
def test_checker_rejects_a_wrong_p_value(key, p_value):
    bad = dataclasses.replace(_row(key), p_value=p_value)
    problems = trace_problems(bad, [bad if r.key == key else r for r in ROWS])
    assert len(problems) == 1
    assert f"p_value {p_value!r} not in its part of the quote" in problems[0]


def test_checker_wants_arm_fragments_for_two_arm_running_text():
    r = dataclasses.replace(_row("DelPapa-2019.du_healing.all.8w.control"), arm_quote=())
    problems = trace_problems(r, _with(ROWS, **{"DelPapa-2019__du_healing__all__8w__control": r}))
    assert problems == ["DelPapa-2019.du_healing.all.8w.control: a two-arm result quoted in running text needs "
                        "each arm's fragment (arm_quote)"]


def test_signed_numbers_reads_signs_and_ranges():
    """A minus after a digit is a range (1-109), an en dash always is; the unicode minus is a sign."""
    assert [v for v, _ in signed_numbers("−9.2 (SD 12.2); 0.74–5.49; 1-109; P < .001; PMC5846574")] == [
        -9.2, 12.2, 0.74, 5.49, 1.0, 109.0, 0.001]


# ---- caveats: inferred figure panels, derived populations ----

ASTIS_HR_KEYS = [r.key for r in ROWS if r.study == "ASTIS" and r.measure == "hr"]


def test_all_astis_hazard_ratios_carry_the_panel_caveat():
    """hsct.md C3: 'panel A = EFS, panel B = OS, inferred from the figure title order — confirm'."""
    assert len(ASTIS_HR_KEYS) == 10
    for r in ROWS:
        if r.key in ASTIS_HR_KEYS:
            (cv,) = r.caveats
            assert cv.code == "evidence.astis_hr_panels_inferred"
            assert cv.status is Evidence.UNCONFIRMED
            assert cv.source == "ASTIS"
            assert "inferred" in cv.message
            assert "hsct.md C3" in cv.message
            assert "inferred from the figure title order" in r.note
            assert r.to_dict()["caveats"] == [cv.to_dict()]


def test_astis_two_year_efs_hr_quotes_the_c3_row_with_its_p():
    """The P .006 is printed in hsct.md C3's table (JAMA Figure 2 legend), not in C6."""
    r = _row("ASTIS.efs.all.2y.pooled")
    assert (r.spec_ref, r.p_value) == ("hsct.md C3", ".006")
    assert r.spec_quote == "| 2 years | 0.35 (0.16–0.74), .006 | 0.29 (0.13–0.65), .002 |"
    assert ".006" not in section("hsct.md C6")


def test_scot_72_month_km_population_is_derived():
    """hsct.md C2/C6: 72-month KM values [P], per-protocol population [D]."""
    rows = [r for r in ROWS if r.study == "SCOT" and r.time_code == "72m" and r.outcome in ("efs", "os")]
    assert len(rows) == 4
    for r in rows:
        assert (r.status, r.population, r.population_status) == (Evidence.CONFIRMED, "pp", Evidence.DERIVED)
        assert r.population_derived
        assert [c.code for c in r.caveats] == ["evidence.population_status"]
        assert r.caveats[0].status is Evidence.DERIVED
        assert r.to_dict()["population_status"] == "derived"


def test_rows_with_a_less_certain_population_carry_the_population_caveat():
    for r in ROWS:
        if r.population_derived:
            assert any(c.code == _dataset.POPULATION_CAVEAT for c in r.caveats), r.key
        else:
            assert r.population_status in (None, r.status), r.key


def test_loader_refuses_a_derived_population_without_its_caveat(monkeypatch):
    data = _dataset._outcomes_yaml()
    rows = [dict(spec) for spec in data["rows"]]
    for spec in rows:
        if spec["study"] == "SCOT" and spec["time"] == "72m" and spec["outcome"] == "efs":
            spec.pop("caveats")
    monkeypatch.setattr(_dataset, "_outcomes_yaml", lambda: {**data, "rows": rows})
    _dataset._outcome_table.cache_clear()
    try:
        with pytest.raises(ConsistencyError) as exc:
            _dataset._outcome_table()
        assert str(exc.value) == (
            "field 'outcomes.yaml SCOT/efs/72m population_status': got 'derived'; allowed: a row whose population "
            "is less certain than its numbers (confirmed) to carry a caveat with code 'evidence.population_status'.")
    finally:
        monkeypatch.undo()
        _dataset._outcome_table.cache_clear()
