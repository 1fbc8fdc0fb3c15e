"""Properties of the meta-analysis engine (hypothesis, fixed seed via derandomize)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sclerostem.stats import meta

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)
TOL = 1e-8  #: floating-point noise of sums over <= 12 studies

studies = st.lists(
    st.tuples(st.floats(-3, 3, allow_nan=False), st.floats(0.005, 2.0, allow_nan=False)),
    min_size=3,
    max_size=12,
)


@SETTINGS
@given(studies, st.sampled_from(meta.TAU2_METHODS), st.randoms(use_true_random=False))
def test_order_of_studies_does_not_matter(data, method, rnd):
    y, v = map(list, zip(*data, strict=True))
    a = meta.rma(meta.escalc("GEN", yi=y, vi=v), method=method)
    idx = list(range(len(y)))
    rnd.shuffle(idx)
    b = meta.rma(meta.escalc("GEN", yi=[y[i] for i in idx], vi=[v[i] for i in idx]), method=method)
    assert b.estimate == pytest.approx(a.estimate, abs=1e-7)
    assert b.tau2 == pytest.approx(a.tau2, abs=1e-7)


@SETTINGS
@given(studies, st.sampled_from(meta.TAU2_METHODS))
def test_ranges(data, method):
    y, v = map(list, zip(*data, strict=True))
    r = meta.rma(meta.escalc("GEN", yi=y, vi=v), method=method)
    assert r.tau2 >= 0
    assert 0 <= r.i2 <= 100
    assert min(y) - TOL <= r.estimate <= max(y) + TOL
    assert r.ci_low < r.estimate < r.ci_high
    assert r.pi_low <= r.ci_low + TOL
    assert r.pi_high >= r.ci_high - TOL
    lo, hi = r.tau2_ci
    assert 0 <= lo <= hi
    assert math.isclose(sum(r.weights), 100.0)


@SETTINGS
@given(studies)
def test_reml_solves_its_score_equation(data):
    """REML tau2 > 0 satisfies tau2 = sum w^2((y-mu)^2 - v)/sum w^2 + 1/sum w (Viechtbauer 2005)."""
    y, v = (np.asarray(x) for x in zip(*data, strict=True))
    t = meta.rma(meta.escalc("GEN", yi=y, vi=v), method="REML").tau2
    if t > 1e-6:
        w = 1 / (v + t)
        mu = np.sum(w * y) / w.sum()
        rhs = np.sum(w**2 * ((y - mu) ** 2 - v)) / np.sum(w**2) + 1 / w.sum()
        assert t == pytest.approx(rhs, rel=1e-7, abs=1e-9)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 40), st.integers(0, 30), st.integers(1, 40)),
                min_size=2, max_size=8))
def test_events_and_sizes_equal_two_by_two(rows):
    rows = [(min(a, n1), n1, min(c, n2), n2) for a, n1, c, n2 in rows]
    a, n1, c, n2 = (list(x) for x in zip(*rows, strict=True))
    x = meta.escalc("RD", ai=a, n1i=n1, ci=c, n2i=n2)
    y = meta.escalc("RD", ai=a, bi=[p - q for p, q in zip(n1, a, strict=True)], ci=c,
                    di=[p - q for p, q in zip(n2, c, strict=True)])
    np.testing.assert_allclose(x.yi, y.yi)
    np.testing.assert_allclose(x.vi, y.vi)


def test_homogeneous_studies_give_tau2_zero_and_fe_equals_re():
    es = meta.escalc("GEN", yi=[0.2, 0.2, 0.2], vi=[0.01, 0.02, 0.03])
    fe, re = meta.rma(es, method="FE"), meta.rma(es, method="REML")
    assert re.tau2 == 0.0
    assert re.estimate == pytest.approx(fe.estimate)
    assert re.se == pytest.approx(fe.se)


def test_loghr_from_ci_round_trip():
    """ASTIS EFS HR 0.35 (0.16-0.74), hsct.md C6: the rebuilt 95 % CI reproduces the limits' geometric mean."""
    yi, vi = meta.loghr_from_ci(0.35, 0.16, 0.74)
    z = 1.959963984540054
    assert math.exp(yi) == pytest.approx(0.35)
    assert math.exp(yi - z * math.sqrt(vi)) * math.exp(yi + z * math.sqrt(vi)) == pytest.approx(0.35**2)
    assert math.exp(z * math.sqrt(vi)) == pytest.approx(math.sqrt(0.74 / 0.16))


def test_hedges_correction_known_value():
    """J(m) for m = 10: R 4.2.2 gamma(5)/(sqrt(5)*gamma(4.5)) = 0.9227456081 (Hedges 1981 exact form)."""
    assert float(meta.hedges_correction(10)) == pytest.approx(0.9227456081, abs=1e-9)
