"""Cumulative incidence and Gray's test against R cmprsk ``cuminc`` (cuminc_ties.json).

The data (tests/data/survival/cr_ties.csv) are simulated and seeded by
validation/survival/make_reference.R: 600 subjects, 3 groups, 2 causes,
integer months, so tied times (also across causes and censoring) are common.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sclerostem.errors import InputError
from sclerostem.stats.survival import cumulative_incidence, gray_test, kaplan_meier

REF = Path(__file__).resolve().parents[1] / "data" / "survival"
RTOL_R = 1e-6  #: project default against R references stored with 15 significant digits
REFERENCE = json.loads((REF / "cuminc_ties.json").read_text())
DATA = pl.read_csv(REF / "cr_ties.csv")


def _arr(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _curve_points(ref_curve: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cmprsk stores corners (0, then (pre, post) pairs, then the last time); keep the post-jump points."""
    t, f, v = (np.array(ref_curve[k], dtype=float) for k in ("time", "est", "var"))
    idx = np.arange(2, len(t) - 1, 2)
    return t[idx], f[idx], v[idx]


def assert_curves_match_cuminc(curves: list, ref: dict) -> None:
    assert [f"{c.group if c.group else 1} {c.cause}" for c in curves] == [c["name"] for c in ref["curves"]]
    for c, rc in zip(curves, ref["curves"], strict=True):
        t, f, v = _curve_points(rc)
        np.testing.assert_allclose(c.time, t, rtol=RTOL_R)
        np.testing.assert_allclose(c.cif, f, rtol=RTOL_R)
        np.testing.assert_allclose(c.variance, v, rtol=RTOL_R)
    at = REFERENCE["at_times"]
    for i, c in enumerate(curves):
        a = c.at(at)
        np.testing.assert_allclose(a["cif"], _arr(ref["at"]["est"][i]), rtol=RTOL_R, equal_nan=True)
        np.testing.assert_allclose(a["variance"], _arr(ref["at"]["var"][i]), rtol=RTOL_R, equal_nan=True)


def test_overall_cif_matches_cuminc() -> None:
    assert_curves_match_cuminc(cumulative_incidence(DATA["time_months"], DATA["cause"]), REFERENCE["overall"])


def test_grouped_cif_matches_cuminc() -> None:
    curves = cumulative_incidence(DATA["time_months"], DATA["cause"], DATA["group"].to_list())
    assert_curves_match_cuminc(curves, REFERENCE["by_group"])


def test_gray_three_groups_matches_cuminc_tests() -> None:
    ref = REFERENCE["by_group"]["tests"]
    tests = gray_test(DATA["time_months"], DATA["cause"], DATA["group"].to_list())
    assert [str(g.cause) for g in tests] == ref["cause"]
    np.testing.assert_allclose([g.statistic for g in tests], ref["stat"], rtol=RTOL_R)
    np.testing.assert_allclose([g.p_value for g in tests], ref["pv"], rtol=RTOL_R)
    assert [g.df for g in tests] == ref["df"]


def test_gray_two_groups_matches_cuminc_tests() -> None:
    ref = REFERENCE["two_group"]
    d = DATA.filter(pl.col("group") != "B")
    tests = gray_test(d["time_months"], d["cause"], d["group"].to_list())
    assert tests[0].groups == tuple(ref["groups"])
    np.testing.assert_allclose([g.statistic for g in tests], ref["stat"], rtol=RTOL_R)
    np.testing.assert_allclose([g.p_value for g in tests], ref["pv"], rtol=RTOL_R)


def test_gray_stratified_matches_cuminc() -> None:
    ref = REFERENCE["stratified"]
    tests = gray_test(DATA["time_months"], DATA["cause"], DATA["group"].to_list(), strata=(DATA["id"] % 2).to_list())
    np.testing.assert_allclose([g.statistic for g in tests], ref["stat"], rtol=RTOL_R)
    np.testing.assert_allclose([g.p_value for g in tests], ref["pv"], rtol=RTOL_R)


def test_gray_rho1_matches_cuminc() -> None:
    ref = REFERENCE["rho1"]
    tests = gray_test(DATA["time_months"], DATA["cause"], DATA["group"].to_list(), rho=1)
    np.testing.assert_allclose([g.statistic for g in tests], ref["stat"], rtol=RTOL_R)
    np.testing.assert_allclose([g.p_value for g in tests], ref["pv"], rtol=RTOL_R)


def test_beyond_follow_up_is_missing() -> None:
    """cmprsk::timepoints gives NA after the group's largest time."""
    c = cumulative_incidence([1, 2, 3, 4], [1, 0, 2, 0])[0]
    a = c.at([0.5, 1, 4, 4.5])
    np.testing.assert_allclose(a["cif"], [0.0, 0.25, 0.25, np.nan], equal_nan=True)


def test_gray_stratified_sums_strata() -> None:
    """One stratum equals the unstratified test; a stratified test differs when strata matter."""
    t, c, g = DATA["time_months"], DATA["cause"], DATA["group"].to_list()
    plain = gray_test(t, c, g)
    one = gray_test(t, c, g, strata=["s"] * DATA.height)
    np.testing.assert_allclose([x.statistic for x in one], [x.statistic for x in plain], rtol=1e-12)
    halves = gray_test(t, c, g, strata=(DATA["id"] % 2).to_list())
    assert all(np.isfinite(x.statistic) for x in halves)
    assert halves[0].statistic != pytest.approx(plain[0].statistic, rel=1e-6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 1)), min_size=2, max_size=50))
def test_single_cause_cif_is_one_minus_km(rows: list[tuple[int, int]]) -> None:
    t = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows])
    if e.sum() == 0:
        return
    cif = cumulative_incidence(t, e)[0]
    km = kaplan_meier(t, e)
    np.testing.assert_allclose(cif.cif, 1 - km.at(cif.time)["survival"], atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 3)), min_size=3, max_size=60), st.integers(0, 2**31))
def test_cif_sums_below_one_and_ignores_row_order(rows: list[tuple[int, int]], seed: int) -> None:
    t = np.array([r[0] for r in rows], dtype=float)
    c = np.array([r[1] for r in rows])
    if (c == 0).all():
        return
    curves = cumulative_incidence(t, c)
    km = kaplan_meier(t, (c > 0).astype(int))
    grid = km.time
    total = sum(x.at(grid)["cif"] for x in curves)
    np.testing.assert_allclose(total, 1 - km.survival, atol=1e-12)  # AJ: sum of CIFs = 1 - all-cause KM
    perm = np.random.default_rng(seed).permutation(len(rows))
    again = cumulative_incidence(t[perm], c[perm])
    for a, b in zip(curves, again, strict=True):
        np.testing.assert_array_equal(a.cif, b.cif)  # no random tie-breaking
        np.testing.assert_allclose(a.variance, b.variance, rtol=1e-12)


def test_error_wording() -> None:
    with pytest.raises(InputError) as exc:
        cumulative_incidence([1, 2], [0, 1.5], cause_field="status")
    assert str(exc.value) == "row 2, field 'status': got 1.5; allowed: a whole number: 0 (censored) or a cause code 1, 2, ...."
    with pytest.raises(InputError) as exc:
        cumulative_incidence([1, 2], [0, 0])
    assert str(exc.value) == (
        "field 'cause': got 'only 0 (censored)'; allowed: at least one event with a cause code 1, 2, ...."
    )
    with pytest.raises(InputError) as exc:
        gray_test([1, 2], [1, 1], ["a", "a"], group_field="arm")
    assert str(exc.value) == "field 'arm': got 'a'; allowed: at least two groups."
