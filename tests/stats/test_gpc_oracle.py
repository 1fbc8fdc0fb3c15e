"""GPC engine against BuyseTest 3.3.9 on the 24-patient oracle of outcomes.md §1.4.

Expected values: ``tests/data/gpc/buysetest_oracle.json`` (the spec's printed
BuyseTest output; regenerate with ``validation/gpc/run_buysetest.R``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sclerostem.stats.gpc import endpoints_from_spec, gpc

DATA = Path(__file__).resolve().parents[1] / "data" / "gpc"
ATOL_PRINTED = 6e-7  #: the spec prints 6 decimals: half a unit in the last place, plus float slack

REF = json.loads((DATA / "buysetest_oracle.json").read_text())
TABLE = pl.read_csv(DATA / "oracle24.csv")
ENDPOINTS = endpoints_from_spec(REF["hierarchy"])


def _fit(scoring: str, inference: str = "ustat"):
    return gpc(
        TABLE, arm="arm", treated="T", endpoints=ENDPOINTS, scoring=scoring, inference=inference
    )


def test_reference_covers_both_rules_and_every_level() -> None:
    for rule in ("gehan", "peron"):
        for key in ("net_benefit", "net_benefit_se", "win_ratio", "win_ratio_se"):
            assert len(REF[rule][key]) == len(ENDPOINTS) == 3


@pytest.mark.parametrize("rule", ["gehan", "peron"])
@pytest.mark.parametrize("stat", ["net_benefit", "net_benefit_se", "win_ratio", "win_ratio_se"])
def test_cumulative_levels_match_buysetest(rule: str, stat: str) -> None:
    res = _fit(rule)
    got = [getattr(lv, stat) for lv in res.levels]
    np.testing.assert_allclose(got, REF[rule][stat], rtol=0, atol=ATOL_PRINTED)


def test_gehan_level_counts_by_hand() -> None:
    # Wins and losses follow from BuyseTest's cumulative net benefit and win ratio:
    # W - L = 144 * NB and W / L = WR give (32, 23), (62, 43), (77, 43) cumulatively.
    # Level-1 neutral pairs counted by hand: both patients died less than 6 apart,
    # T45-C41, T19-C17, T30-C26, T54-C52, T15-C17 = 5; the other 84 are uninformative.
    # At levels 2-3 every value is observed, so nothing is uninformative.
    res = _fit("gehan")
    counts = [(lv.wins, lv.losses, lv.neutral, lv.uninformative) for lv in res.levels]
    assert counts == [(32, 23, 5, 84), (30, 20, 39, 0), (15, 0, 24, 0)]


def test_finkelstein_schoenfeld_exact_permutation() -> None:
    res = _fit("gehan", "exact-permutation")
    ref = REF["finkelstein_schoenfeld"]
    assert res.final.net_benefit == pytest.approx(ref["net_benefit"], abs=ATOL_PRINTED)
    assert res.final.net_benefit_se == pytest.approx(ref["se"], abs=ATOL_PRINTED)
    assert res.final.net_benefit_p == pytest.approx(ref["p_two_sided"], abs=ATOL_PRINTED)


def test_ustat_interval_uses_atanh_and_log_transforms() -> None:
    # CI on the atanh scale for the net benefit and the log scale for the win ratio
    # (BuyseTest's default transformation), recomputed from the estimate and SE.
    from scipy.stats import norm

    lv = _fit("gehan").final
    z = norm.ppf(0.975)
    half = z * lv.net_benefit_se / (1 - lv.net_benefit**2)
    assert lv.net_benefit_ci_low == pytest.approx(
        np.tanh(np.arctanh(lv.net_benefit) - half), rel=1e-12
    )
    assert lv.net_benefit_ci_high == pytest.approx(
        np.tanh(np.arctanh(lv.net_benefit) + half), rel=1e-12
    )
    half = z * lv.win_ratio_se / lv.win_ratio
    assert lv.win_ratio_ci_low == pytest.approx(lv.win_ratio * np.exp(-half), rel=1e-12)
    assert lv.win_ratio_p == pytest.approx(
        2 * norm.sf(abs(np.log(lv.win_ratio)) / (lv.win_ratio_se / lv.win_ratio)), rel=1e-12
    )


def test_level_contributions_add_up_to_cumulative() -> None:
    res = _fit("gehan")
    assert sum(lv.level_net_benefit for lv in res.levels) == pytest.approx(
        res.final.net_benefit, abs=1e-15
    )
    # level 2: 30 wins / 20 losses (derived from the BuyseTest values, see the counts test)
    assert res.levels[1].level_win_ratio == pytest.approx(1.5, rel=1e-15)
    assert res.levels[2].level_win_ratio == float("inf")  # 15 wins, no loss
    assert res.to_dict()["levels"][2]["level_win_ratio"] is None  # JSON has no infinity
