"""GPC inference: exact permutation variance vs brute force, resampling, strata."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from sclerostem.stats.gpc import Endpoint, gpc

RTOL_EXACT = 1e-10  #: closed form vs enumeration of all 70 assignments: rounding only
RTOL_MC = 0.06  #: 20,000 permutations: the SD estimate has ~0.5 % relative SE; 6 % is > 10 SE

EPS = [Endpoint("time", "tte", 1.0, "higher", "status"), Endpoint("y", "continuous", 2.0, "lower")]
TINY = {
    "arm": ["T", "T", "T", "T", "C", "C", "C", "C"],
    "time": [5.0, 3.0, 8.0, 2.0, 4.0, 6.0, 1.0, 7.0],
    "status": [1, 0, 1, 1, 1, 0, 1, 0],
    "y": [1.0, 4.0, -2.0, 0.0, 3.0, -1.0, 2.0, 5.0],
}


def _rng_data(n_t: int, n_c: int, seed: int):
    rng = np.random.default_rng(seed)
    n = n_t + n_c
    return {
        "arm": ["T"] * n_t + ["C"] * n_c,
        "time": rng.exponential(10, n).round(1).tolist(),
        "status": rng.integers(0, 2, n).tolist(),
        "y": rng.normal(0, 3, n).round(1).tolist(),
    }


def test_exact_permutation_variance_equals_enumeration() -> None:
    res = gpc(TINY, arm="arm", treated="T", endpoints=EPS, inference="exact-permutation")
    n = len(TINY["arm"])
    nbs = []
    for treated in combinations(range(n), 4):
        arm = ["T" if i in treated else "C" for i in range(n)]
        nbs.append(
            [
                lv.net_benefit
                for lv in gpc({**TINY, "arm": arm}, arm="arm", treated="T", endpoints=EPS).levels
            ]
        )
    brute_sd = np.array(nbs).std(axis=0, ddof=0)  # the full permutation distribution
    got = [lv.net_benefit_se for lv in res.levels]
    np.testing.assert_allclose(got, brute_sd, rtol=RTOL_EXACT)


def test_exact_permutation_refused_with_peron() -> None:
    with pytest.raises(ValueError, match="only with scoring 'gehan'") as exc:
        gpc(
            TINY,
            arm="arm",
            treated="T",
            endpoints=EPS,
            scoring="peron",
            inference="exact-permutation",
        )
    assert str(exc.value) == (
        "field 'inference': got 'exact-permutation'; allowed: 'exact-permutation' only with scoring "
        "'gehan' (its closed form is invalid with the Péron rule)."
    )


@pytest.mark.parametrize("scoring", ["gehan", "peron"])
@pytest.mark.parametrize("inference", ["permutation", "bootstrap"])
def test_resampling_reproducible_with_seed(scoring: str, inference: str) -> None:
    kw = {
        "arm": "arm",
        "treated": "T",
        "endpoints": EPS,
        "scoring": scoring,
        "inference": inference,
        "n_resamples": 200,
    }
    a = gpc(TINY, seed=11, **kw)
    b = gpc(TINY, seed=11, **kw)
    c = gpc(TINY, seed=12, **kw)
    assert a.to_dict() == b.to_dict()
    assert a.final.net_benefit_se != c.final.net_benefit_se
    assert a.seed == 11
    assert a.n_resamples == 200


def test_permutation_sd_matches_exact_permutation_se() -> None:
    data = _rng_data(36, 39, 3)
    exact = gpc(data, arm="arm", treated="T", endpoints=EPS, inference="exact-permutation")
    perm = gpc(
        data,
        arm="arm",
        treated="T",
        endpoints=EPS,
        inference="permutation",
        n_resamples=20000,
        seed=5,
    )
    for le, lp in zip(exact.levels, perm.levels, strict=True):
        assert lp.net_benefit_se == pytest.approx(le.net_benefit_se, rel=RTOL_MC)
    # permutation gives a test, no interval
    assert np.isnan(perm.final.net_benefit_ci_low)
    assert 0 < perm.final.net_benefit_p <= 1


def test_fast_and_generic_permutation_agree_in_distribution() -> None:
    # Gehan permutations use a pooled decision matrix; Péron re-scores. With a
    # continuous-only hierarchy both rules give the same pairs, so the two paths
    # must give the same null SD up to Monte Carlo error.
    data = _rng_data(15, 15, 9)
    eps = [Endpoint("y", "continuous", 1.0)]
    a = gpc(
        data,
        arm="arm",
        treated="T",
        endpoints=eps,
        inference="permutation",
        n_resamples=4000,
        seed=1,
    )
    b = gpc(
        data,
        arm="arm",
        treated="T",
        endpoints=eps,
        scoring="peron",
        inference="permutation",
        n_resamples=4000,
        seed=1,
    )
    assert a.final.net_benefit == b.final.net_benefit
    assert a.final.net_benefit_se == pytest.approx(b.final.net_benefit_se, rel=RTOL_MC)


def test_bootstrap_interval_brackets_estimate() -> None:
    data = _rng_data(40, 40, 4)
    res = gpc(
        data, arm="arm", treated="T", endpoints=EPS, inference="bootstrap", n_resamples=1000, seed=2
    )
    u = gpc(data, arm="arm", treated="T", endpoints=EPS)
    lv = res.final
    assert lv.net_benefit_ci_low < lv.net_benefit < lv.net_benefit_ci_high
    # bootstrap and U-statistic SEs estimate the same quantity (different small-sample behaviour)
    assert lv.net_benefit_se == pytest.approx(u.final.net_benefit_se, rel=0.2)


def test_progress_callback_reaches_total() -> None:
    seen = []
    gpc(
        TINY,
        arm="arm",
        treated="T",
        endpoints=EPS,
        inference="permutation",
        n_resamples=50,
        seed=1,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (50, 50)


def test_single_stratum_equals_unstratified() -> None:
    data = {**TINY, "site": ["a"] * 8}
    a = gpc(data, arm="arm", treated="T", endpoints=EPS)
    b = gpc(data, arm="arm", treated="T", endpoints=EPS, strata="site")
    assert a.final.net_benefit == b.final.net_benefit
    assert a.final.net_benefit_se == pytest.approx(b.final.net_benefit_se, rel=1e-12)


def test_two_identical_strata_halve_the_variance() -> None:
    # Two independent copies, each weighted 1/2: same estimate, variance / 2.
    doubled = {k: v + v for k, v in TINY.items()}
    doubled["site"] = ["a"] * 8 + ["b"] * 8
    one = gpc(TINY, arm="arm", treated="T", endpoints=EPS)
    for weights in ("pairs", "cmh", "equal"):
        two = gpc(
            doubled, arm="arm", treated="T", endpoints=EPS, strata="site", strata_weights=weights
        )
        assert two.final.net_benefit == pytest.approx(one.final.net_benefit, rel=1e-12)
        assert two.final.net_benefit_se == pytest.approx(
            one.final.net_benefit_se / np.sqrt(2), rel=1e-12
        )
        assert two.n_pairs == 32
        assert "gpc.strata_counts" in {c.code for c in two.caveats}
    ex1 = gpc(TINY, arm="arm", treated="T", endpoints=EPS, inference="exact-permutation")
    ex2 = gpc(
        doubled, arm="arm", treated="T", endpoints=EPS, strata="site", inference="exact-permutation"
    )
    assert ex2.final.net_benefit_se == pytest.approx(
        ex1.final.net_benefit_se / np.sqrt(2), rel=1e-12
    )


def test_stratified_pairs_weights_pool_pairs_within_strata() -> None:
    data = {**TINY, "site": ["a", "a", "b", "b", "a", "b", "b", "b"]}
    res = gpc(data, arm="arm", treated="T", endpoints=EPS, strata="site")
    # stratum a: 2 T x 1 C, stratum b: 2 T x 3 C -> 8 pairs; with 'pairs' weights the
    # net benefit is (all within-stratum wins - losses) / 8.
    wins = sum(lv.wins for lv in res.levels)
    losses = sum(lv.losses for lv in res.levels)
    assert res.n_pairs == 8
    assert res.final.net_benefit == pytest.approx((wins - losses) / 8, rel=1e-12)


def test_stratified_permutation_keeps_strata() -> None:
    data = {**TINY, "site": ["a", "a", "b", "b", "a", "a", "b", "b"]}
    res = gpc(
        data,
        arm="arm",
        treated="T",
        endpoints=EPS,
        strata="site",
        inference="permutation",
        n_resamples=300,
        seed=3,
    )
    assert 0 < res.final.net_benefit_p <= 1
