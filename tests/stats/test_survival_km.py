"""Kaplan-Meier against R survival (reference JSON from validation/survival/make_reference.R).

Expected values: R survival ``survfit``/``summary``/``quantile`` (versions in each
JSON's ``versions``); spec values from shared/spec/outcomes.md §2.2.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sclerostem.errors import InputError
from sclerostem.stats.survival import kaplan_meier, kaplan_meier_by_group

REF = Path(__file__).resolve().parents[1] / "data" / "survival"
DATASETS = resources.files("sclerostem") / "data" / "datasets"
RTOL_R = 1e-6  #: R references are stored with 15 significant digits; 1e-6 is the project default
RTOL_SPEC = 5e-5  #: the spec prints 5 significant digits


def _ref(name: str) -> dict:
    return json.loads((REF / name).read_text())


def _arr(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _close(mine: np.ndarray, theirs: list, rtol: float = RTOL_R) -> None:
    np.testing.assert_allclose(np.asarray(mine, dtype=float), _arr(theirs), rtol=rtol, atol=0, equal_nan=True)


def _lung() -> pl.DataFrame:
    return pl.read_csv(DATASETS / "lung.csv")


def _rossi() -> pl.DataFrame:
    return pl.read_csv(DATASETS / "rossi.csv")


def assert_km_matches_r(km, case: dict) -> None:
    t = case["table"]
    _close(km.time, t["time"])
    np.testing.assert_array_equal(km.n_risk, t["n_risk"])
    np.testing.assert_array_equal(km.n_event, t["n_event"])
    np.testing.assert_array_equal(km.n_censor, t["n_censor"])
    _close(km.survival, t["surv"])
    # R writes an infinite SE (after S reaches 0) as null
    _close(np.where(np.isinf(km.std_err), np.nan, km.std_err), t["std_err"])
    _close(km.ci_low, t["lower"])
    _close(km.ci_high, t["upper"])
    med, lo, hi = km.median
    _close([med, lo, hi], [case["median"], case["median_lower"], case["median_upper"]])
    a = km.at(case["at"]["time"])
    _close(a["survival"], case["at"]["surv"])
    _close(a["ci_low"], case["at"]["lower"])
    _close(a["ci_high"], case["at"]["upper"])
    np.testing.assert_array_equal(a["n_risk"], case["at"]["n_risk"])


@pytest.mark.parametrize("i", [0, 1, 2], ids=["log", "log-log", "plain"])
def test_lung_km_matches_r(i: int) -> None:
    case = _ref("km_lung.json")["cases"][i]
    d = _lung()
    km = kaplan_meier(d["time"].to_numpy(), (d["status"] == 2).cast(int).to_numpy(), conf_type=case["conf_type"])
    assert_km_matches_r(km, case)


def test_lung_km_by_sex_matches_r() -> None:
    ref = _ref("km_lung.json")["by_sex"]
    d = _lung()
    curves = kaplan_meier_by_group(d["time"], (d["status"] == 2).cast(int), d["sex"].to_list())
    assert list(curves) == ["1", "2"]
    for case in ref:
        assert_km_matches_r(curves[str(case["sex"])], case)


@pytest.mark.parametrize("i", [0, 1, 2], ids=["log", "log-log", "plain"])
def test_rossi_km_matches_r(i: int) -> None:
    case = _ref("km_rossi.json")["cases"][i]
    d = _rossi()
    assert_km_matches_r(kaplan_meier(d["week"], d["arrest"], conf_type=case["conf_type"]), case)


def test_toy_cases_cover_r_median_rules() -> None:
    """Flat stretch at 0.5 -> midpoint; curve ending at 0.5; median not reached; ties; S = 1 rows."""
    cases = _ref("km_toy.json")["cases"]
    assert {c["name"] for c in cases} == {"flat_half", "ends_at_half", "not_reached", "ties", "censored_first"}
    for case in cases:
        km = kaplan_meier(case["data"]["time"], case["data"]["status"], conf_type=case["conf_type"])
        assert_km_matches_r(km, case)


def test_flat_half_median_is_midpoint() -> None:
    """R: survfit(Surv(1:4, rep(1, 4)) ~ 1) has median 2.5 (S = 0.5 on [2, 3))."""
    assert kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1]).median[0] == 2.5


def test_spec_rossi_oracle() -> None:
    """outcomes.md §2.2: S(52) = 0.73611, CI log (0.69570, 0.77887), log-log (0.69186, 0.77506)."""
    d = _rossi()
    log = kaplan_meier(d["week"], d["arrest"]).at([52])
    loglog = kaplan_meier(d["week"], d["arrest"], conf_type="log-log").at([52])
    np.testing.assert_allclose(log["survival"], [0.73611], rtol=RTOL_SPEC)
    np.testing.assert_allclose([log["ci_low"][0], log["ci_high"][0]], [0.69570, 0.77887], rtol=RTOL_SPEC)
    np.testing.assert_allclose([loglog["ci_low"][0], loglog["ci_high"][0]], [0.69186, 0.77506], rtol=RTOL_SPEC)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 1)), min_size=1, max_size=60),
    st.sampled_from(["log", "log-log", "plain"]),
)
def test_km_properties(rows: list[tuple[int, int]], conf_type: str) -> None:
    t = np.array([r[0] for r in rows], dtype=float)
    e = np.array([r[1] for r in rows])
    km = kaplan_meier(t, e, conf_type=conf_type)
    assert np.all(np.diff(km.survival) <= 0)
    assert np.all((km.survival >= 0) & (km.survival <= 1))
    ok = ~np.isnan(km.ci_low)
    assert np.all(km.ci_low[ok] <= km.survival[ok] + 1e-12)
    assert np.all(km.ci_high[ok] >= km.survival[ok] - 1e-12)
    assert km.n_event.sum() == e.sum()
    assert km.n_risk[0] == len(rows)
    # without censoring the KM is the empirical survival function
    if e.all():
        np.testing.assert_allclose(km.survival, [np.mean(t > x) for x in km.time], atol=1e-12)
    # row order does not matter
    perm = np.random.default_rng(0).permutation(len(rows))
    np.testing.assert_array_equal(kaplan_meier(t[perm], e[perm], conf_type=conf_type).survival, km.survival)


def test_error_wording_event_value() -> None:
    with pytest.raises(InputError) as exc:
        kaplan_meier([1, 2, 3], [0, 2, 1], event_field="status")
    assert str(exc.value) == "row 2, field 'status': got 2.0; allowed: 0 (censored) or 1 (event)."


def test_error_wording_negative_time() -> None:
    with pytest.raises(InputError) as exc:
        kaplan_meier([1, -2, 3], [0, 1, 1], time_field="weeks")
    assert str(exc.value) == (
        "row 2, field 'weeks': got -2.0; allowed: a number of at least 0 (follow-up time; empty cells are not allowed)."
    )


def test_error_wording_conf_type_and_length() -> None:
    with pytest.raises(InputError) as exc:
        kaplan_meier([1, 2], [1, 1], conf_type="arcsin")  # type: ignore[arg-type]
    assert str(exc.value) == "field 'conf_type': got 'arcsin'; allowed: one of 'log', 'log-log', 'plain'."
    with pytest.raises(InputError) as exc:
        kaplan_meier([1, 2], [1])
    assert str(exc.value) == "field 'event': got '1 values'; allowed: 2 values, one per row of 'time'."
