"""BCG oracle of shared/spec/outcomes.md section 3.3 (metafor 3.8-1, log risk ratio, 5 decimals)."""

from __future__ import annotations

import pytest

from sclerostem.stats import meta

#: BCG vaccine trials (tpos, tneg, cpos, cneg), outcomes.md 3.3.
BCG = [(4, 119, 11, 128), (6, 300, 29, 274), (3, 228, 11, 209), (62, 13536, 248, 12619),
       (33, 5036, 47, 5761), (180, 1361, 372, 1079), (8, 2537, 10, 619), (505, 87886, 499, 87892),
       (29, 7470, 45, 7232), (17, 1699, 65, 1600), (186, 50448, 141, 27197), (5, 2493, 3, 2338),
       (27, 16886, 29, 17825)]

TOL_PRINTED = 5e-6  #: the oracle is printed to 5 decimals: half a unit in the last place
#: metafor's PM uses uniroot with its default tol (.Machine$double.eps^0.25 ~ 1.2e-4), so the
#: printed PM values carry root-finder error: R gives tau2 0.3180937 by default and 0.3180685
#: with control=list(tol=1e-12) (checked with metafor 3.8-1 here); we solve to 1e-12.
TOL_PM_DEFAULT = 5e-5

# (method, test): estimate, se, tau2, ci_low, ci_high, pi_low, pi_high   (outcomes.md 3.3)
ORACLE = {
    ("FE", "z"): (-0.43029, 0.04050, None, None, None, None, None),
    ("DL", "z"): (-0.71412, 0.17874, 0.30876, -1.06445, -0.36379, -1.85815, 0.42992),
    ("REML", "z"): (-0.71453, 0.17978, 0.31324, -1.06690, -0.36217, -1.86669, 0.43763),
    ("PM", "z"): (-0.71497, 0.18090, 0.31809, -1.06952, -0.36042, -1.87585, 0.44591),
    ("REML", "knha"): (-0.71453, 0.18079, 0.31324, -1.10844, -0.32062, None, None),
    ("DL", "knha"): (-0.71412, 0.18070, 0.30876, -1.10782, -0.32041, -1.98721, 0.55897),
}


@pytest.fixture(scope="module")
def es():
    a, b, c, d = zip(*BCG, strict=True)
    return meta.escalc("RR", ai=a, bi=b, ci=c, di=d)


@pytest.mark.parametrize(("method", "test"), list(ORACLE))
def test_bcg_oracle(es, method, test):
    res = meta.rma(es, method=method, test=test)
    tol = TOL_PM_DEFAULT if method == "PM" else TOL_PRINTED
    got = (res.estimate, res.se, res.tau2, res.ci_low, res.ci_high, res.pi_low, res.pi_high)
    for name, g, want in zip(("estimate", "se", "tau2", "ci_low", "ci_high", "pi_low", "pi_high"),
                             got, ORACLE[(method, test)], strict=True):
        if want is not None:
            assert g == pytest.approx(want, abs=tol), name


def test_pm_solves_the_q_equation_exactly(es):
    """The PM estimate is the root of Q_gen(tau2) = k - 1 (Paule & Mandel 1982)."""
    res = meta.rma(es, method="PM")
    assert meta.q_generalised(res.tau2, es.yi, es.vi) == pytest.approx(es.k - 1, abs=1e-9)
    assert res.tau2 == pytest.approx(0.3180685, abs=1e-7)  # R: control=list(tol=1e-12)
