"""GPC engine: hand-computable cases and properties (Gehan and Péron scoring)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sclerostem.stats.gpc import Endpoint, fit_km, gpc

RTOL_FLOAT = 1e-12  #: sums of a few hundred floats: only rounding differs


def _table(times_t, status_t, times_c, status_c, cont_t=None, cont_c=None):
    data = {
        "arm": ["T"] * len(times_t) + ["C"] * len(times_c),
        "time": list(times_t) + list(times_c),
        "status": list(status_t) + list(status_c),
    }
    if cont_t is not None:
        data["y"] = list(cont_t) + list(cont_c)
    return data


TTE = Endpoint("time", "tte", 0.0, "higher", "status")


def test_continuous_hand_case() -> None:
    # T = {3, 1}, C = {2}: one win, one loss -> net benefit 0, win ratio 1.
    data = {"arm": ["T", "T", "C"], "y": [3.0, 1.0, 2.0]}
    res = gpc(data, arm="arm", treated="T", endpoints=[Endpoint("y", "continuous")])
    lv = res.final
    assert (lv.wins, lv.losses, lv.neutral, lv.uninformative) == (1, 1, 0, 0)
    assert lv.net_benefit == 0.0
    assert lv.win_ratio == 1.0
    assert lv.win_odds == 1.0


@pytest.mark.parametrize(
    ("diff", "expected"),
    [(4.99, (0, 0, 1)), (5.0, (1, 0, 0)), (-4.99, (0, 0, 1)), (-5.0, (0, 1, 0))],
)
def test_threshold_boundary_is_inclusive(diff: float, expected: tuple[int, int, int]) -> None:
    # A difference of exactly tau counts (BuyseTest: diff >= threshold is a win).
    data = {"arm": ["T", "C"], "y": [10.0 + diff, 10.0]}
    lv = gpc(data, arm="arm", treated="T", endpoints=[Endpoint("y", "continuous", 5.0)]).final
    assert (lv.wins, lv.losses, lv.neutral) == expected


def test_lower_is_better_swaps_wins_and_losses() -> None:
    data = {"arm": ["T", "C"], "y": [1.0, 3.0]}
    lv = gpc(
        data, arm="arm", treated="T", endpoints=[Endpoint("y", "continuous", 0, "lower")]
    ).final
    assert (lv.wins, lv.losses) == (1, 0)


def test_binary_endpoint() -> None:
    data = {"arm": ["T", "T", "C", "C"], "resp": [1, 0, 0, 1]}
    lv = gpc(data, arm="arm", treated="T", endpoints=[Endpoint("resp", "binary")]).final
    # pairs: (1,0) win, (1,1) neutral, (0,0) neutral, (0,1) loss
    assert (lv.wins, lv.losses, lv.neutral, lv.uninformative) == (1, 1, 2, 0)


def test_gehan_censoring_rules() -> None:
    # T(4, censored) vs C(3, event): treated outlived the control's event -> win.
    # T(2, event) vs C(3, censored): treated died before the control was censored -> loss.
    # T(5, event) vs C(3, censored): unknown -> uninformative.  T(4, cens) vs C(3, cens) too.
    data = _table([4, 2, 5], [0, 1, 1], [3], [1])
    lv = gpc(data, arm="arm", treated="T", endpoints=[TTE]).final
    assert (lv.wins, lv.losses, lv.neutral, lv.uninformative) == (2, 1, 0, 0)
    data = _table([4, 2, 5], [0, 1, 1], [3], [0])
    lv = gpc(data, arm="arm", treated="T", endpoints=[TTE]).final
    assert (lv.wins, lv.losses, lv.neutral, lv.uninformative) == (0, 1, 0, 2)


def test_zero_threshold_event_at_censoring_time_is_a_loss() -> None:
    # BuyseTest: with a zero threshold, an event at the very time the other patient
    # was censored counts against the patient with the event.
    data = _table([3], [1], [3], [0])
    lv = gpc(data, arm="arm", treated="T", endpoints=[TTE]).final
    assert (lv.wins, lv.losses) == (0, 1)


def test_peron_hand_case() -> None:
    # T = {4 censored, 5 event, 8 event}, C = {6 event}. KM of T: S(5) = 1/2, S(8) = 0.
    # T4+ vs C6: P(X_T >= 6 | X_T > 4) = S_T(6)/S_T(4) = 1/2 win, 1/2 loss.
    # T5 vs C6: loss; T8 vs C6: win.  -> wins 1.5, losses 1.5, net benefit 0.
    data = _table([4, 5, 8], [0, 1, 1], [6], [1])
    lv = gpc(data, arm="arm", treated="T", endpoints=[TTE], scoring="peron").final
    assert lv.wins == pytest.approx(1.5, rel=RTOL_FLOAT)
    assert lv.losses == pytest.approx(1.5, rel=RTOL_FLOAT)
    assert lv.uninformative == pytest.approx(0.0, abs=1e-15)
    gehan = gpc(data, arm="arm", treated="T", endpoints=[TTE]).final
    assert (gehan.wins, gehan.losses, gehan.uninformative) == (1, 1, 1)


def test_kaplan_meier_conventions() -> None:
    km = fit_km(np.array([1.0, 2.0, 2.0, 3.0, 4.0]), np.array([1, 1, 0, 1, 0]))
    # S(1) = 4/5; S(2) = 4/5 * 3/4 = 3/5; S(3) = 3/5 * 1/2 = 3/10; last obs censored -> NaN after 4.
    np.testing.assert_allclose(
        km(np.array([0.5, 1.0, 2.0, 3.0, 4.0])), [1, 0.8, 0.6, 0.3, 0.3], rtol=RTOL_FLOAT
    )
    assert np.isnan(km(np.array([4.5]))[0])


# ---- properties -------------------------------------------------------------

_arm_data = st.integers(min_value=1, max_value=7).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(1, 12), min_size=n, max_size=n),
        st.lists(st.integers(0, 1), min_size=n, max_size=n),
        st.lists(st.integers(-5, 5), min_size=n, max_size=n),
    )
)


def _two_level(t_arm, c_arm):
    (tt, ts, ty), (ct, cs, cy) = t_arm, c_arm
    data = _table(tt, ts, ct, cs, ty, cy)
    eps = [
        Endpoint("time", "tte", 2.0, "higher", "status"),
        Endpoint("y", "continuous", 1.0, "lower"),
    ]
    return data, eps


@settings(max_examples=60, deadline=None)
@given(_arm_data, _arm_data, st.sampled_from(["gehan", "peron"]))
def test_pairs_add_up_per_level(t_arm, c_arm, scoring) -> None:
    data, eps = _two_level(t_arm, c_arm)
    res = gpc(data, arm="arm", treated="T", endpoints=eps, scoring=scoring)
    n_pairs = len(t_arm[0]) * len(c_arm[0])
    decided = 0.0
    for lv in res.levels:
        decided += lv.wins + lv.losses
        # cumulative wins + cumulative losses + this level's neutral + uninformative = n1 * n2
        assert decided + lv.neutral + lv.uninformative == pytest.approx(n_pairs, rel=1e-9)
    first = res.levels[0]
    assert first.wins + first.losses + first.neutral + first.uninformative == pytest.approx(
        n_pairs, rel=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(_arm_data, _arm_data, st.sampled_from(["gehan", "peron"]))
def test_swapping_arms_negates_net_benefit(t_arm, c_arm, scoring) -> None:
    data, eps = _two_level(t_arm, c_arm)
    a = gpc(data, arm="arm", treated="T", endpoints=eps, scoring=scoring)
    b = gpc(data, arm="arm", treated="C", endpoints=eps, scoring=scoring)
    for la, lb in zip(a.levels, b.levels, strict=True):
        assert la.net_benefit == pytest.approx(-lb.net_benefit, abs=1e-12)
        assert la.net_benefit_se == pytest.approx(lb.net_benefit_se, abs=1e-12)
        if 0 < la.win_ratio < np.inf:
            assert la.win_ratio == pytest.approx(1 / lb.win_ratio, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(_arm_data, _arm_data, st.sampled_from(["gehan", "peron"]), st.integers(1, 20))
def test_chunked_equals_unchunked(t_arm, c_arm, scoring, chunk) -> None:
    data, eps = _two_level(t_arm, c_arm)
    a = gpc(data, arm="arm", treated="T", endpoints=eps, scoring=scoring)
    b = gpc(data, arm="arm", treated="T", endpoints=eps, scoring=scoring, chunk_pairs=chunk)
    for la, lb in zip(a.levels, b.levels, strict=True):
        for name in (
            "wins",
            "losses",
            "neutral",
            "uninformative",
            "net_benefit",
            "net_benefit_se",
            "win_ratio_se",
        ):
            va, vb = getattr(la, name), getattr(lb, name)
            assert va == pytest.approx(vb, rel=1e-10, abs=1e-12, nan_ok=True)


def test_large_input_chunked_equals_unchunked() -> None:
    rng = np.random.default_rng(7)
    n = 300
    data = {
        "arm": ["T"] * n + ["C"] * n,
        "time": rng.exponential(10, 2 * n).round(1).tolist(),
        "status": rng.integers(0, 2, 2 * n).tolist(),
        "y": rng.normal(0, 3, 2 * n).tolist(),
    }
    eps = [Endpoint("time", "tte", 1.0, "higher", "status"), Endpoint("y", "continuous", 1.0)]
    for scoring in ("gehan", "peron"):
        a = gpc(data, arm="arm", treated="T", endpoints=eps, scoring=scoring)
        b = gpc(data, arm="arm", treated="T", endpoints=eps, scoring=scoring, chunk_pairs=777)
        assert a.final.net_benefit == pytest.approx(b.final.net_benefit, rel=1e-12)
        assert a.final.net_benefit_se == pytest.approx(b.final.net_benefit_se, rel=1e-10)


def test_missing_values_are_uninformative() -> None:
    data = {"arm": ["T", "T", "C"], "y": [None, 5.0, 1.0]}
    lv = gpc(data, arm="arm", treated="T", endpoints=[Endpoint("y", "continuous")]).final
    assert (lv.wins, lv.losses, lv.neutral, lv.uninformative) == (1, 0, 0, 1)


def test_summary_and_to_dict() -> None:
    data = {"arm": ["T", "T", "C", "C"], "y": [3.0, 1.0, 2.0, 0.0]}
    res = gpc(data, arm="arm", treated="T", endpoints=[Endpoint("y", "continuous")])
    assert res.summary.columns[:5] == ["level", "endpoint", "kind", "threshold", "direction"]
    d = res.to_dict()
    assert d["n_pairs"] == 4
    assert d["levels"][0]["wins"] == 3.0
    assert {c["code"] for c in d["caveats"]} == {"gpc.ustat_first_order"}


@settings(max_examples=30, deadline=None)
@given(_arm_data, _arm_data, st.sampled_from(["gehan", "peron"]))
def test_tte_lower_is_better_equals_swapped_arms(t_arm, c_arm, scoring) -> None:
    # "Shorter time is better for T" is "longer time is better for C": same net benefit and SE
    # (exercises the swap of wins/losses and of their Kaplan-Meier derivatives).
    (tt, ts, _), (ct, cs, _) = t_arm, c_arm
    data = _table(tt, ts, ct, cs)
    lower = gpc(
        data,
        arm="arm",
        treated="T",
        endpoints=[Endpoint("time", "tte", 1.0, "lower", "status")],
        scoring=scoring,
    )
    higher = gpc(
        data,
        arm="arm",
        treated="C",
        endpoints=[Endpoint("time", "tte", 1.0, "higher", "status")],
        scoring=scoring,
    )
    assert lower.final.net_benefit == pytest.approx(higher.final.net_benefit, abs=1e-12)
    assert lower.final.net_benefit_se == pytest.approx(higher.final.net_benefit_se, abs=1e-12)


def test_peron_stratified_ustat_runs() -> None:
    rng = np.random.default_rng(3)
    n = 40
    data = {
        "arm": ["T", "C"] * n,
        "time": rng.exponential(5, 2 * n).round(1).tolist(),
        "status": rng.integers(0, 2, 2 * n).tolist(),
        "site": ["a"] * n + ["b"] * n,
    }
    res = gpc(data, arm="arm", treated="T", endpoints=[TTE], scoring="peron", strata="site")
    assert 0 < res.final.net_benefit_se < 1


def test_pandas_and_polars_inputs_agree() -> None:
    import pandas as pd
    import polars as pl

    data = {
        "arm": [1, 1, 0, 0, 1],
        "time": [5.0, 3.0, 4.0, 6.0, 2.0],
        "status": [1, 0, 1, 0, 1],
        "y": [1.0, None, 3.0, 4.0, 0.5],
    }
    eps = [TTE, Endpoint("y", "continuous", 0.5)]
    a = gpc(pl.DataFrame(data), arm="arm", treated=1, endpoints=eps)
    b = gpc(pd.DataFrame(data), arm="arm", treated="1", endpoints=eps)
    c = gpc(data, arm="arm", treated=1, endpoints=eps)
    assert a.to_dict() == b.to_dict() == c.to_dict()
    assert a.treated_label == "1"
