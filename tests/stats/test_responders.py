"""Responder analyses: thresholds from shared/spec/scores.md, exact binomial CIs.

Each preset is tested on both sides of its cut-off. Expected CIs: R 4.2.2
``binom.test(k, n)$conf.int`` (printed to 7 significant digits) and scipy's
``binomtest(k, n).proportion_ci("exact")``.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sclerostem.errors import ConsistencyError, InputError, UnknownFieldError
from sclerostem.result import Evidence
from sclerostem.stats._binomial import clopper_pearson
from sclerostem.stats.responders import (
    PRESETS,
    custom_definition,
    get_definition,
    responder_flags,
    responder_rates,
)

RTOL_R_PRINT = 1e-6  #: R prints 7 significant digits
RTOL_SCIPY = 1e-8  #: scipy finds the limits by root-finding on the binomial CDF, we use beta quantiles


def _visits(measure: str, pairs: list[tuple[float, float | None]], landmark: float = 12.0) -> pl.DataFrame:
    rows = []
    for i, (b, f) in enumerate(pairs):
        rows.append({"patient_id": f"p{i}", "time_months": 0.0, measure: b})
        rows.append({"patient_id": f"p{i}", "time_months": landmark, measure: f})
    return pl.DataFrame(rows, schema={"patient_id": pl.Utf8, "time_months": pl.Float64, measure: pl.Float64})


def _flags(name: str, pairs: list[tuple[float, float | None]]) -> list[bool | None]:
    d = get_definition(name)
    return responder_flags(_visits(d.measure, pairs), d, 12).get_column("responder").to_list()


def test_clopper_pearson_matches_r_binom_test() -> None:
    """R: binom.test(1, 3)$conf.int = 0.008403759 0.905700676; binom.test(7, 20) = 0.1539092 0.5921885."""
    np.testing.assert_allclose(clopper_pearson(1, 3), [0.008403759, 0.905700676], rtol=RTOL_R_PRINT)
    np.testing.assert_allclose(clopper_pearson(7, 20), [0.1539092, 0.5921885], rtol=RTOL_R_PRINT)
    assert clopper_pearson(0, 10)[0] == 0.0
    assert clopper_pearson(10, 10)[1] == 1.0


@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_clopper_pearson_equals_scipy(kn: tuple[int, int]) -> None:
    k, n = kn
    ci = stats.binomtest(k, n).proportion_ci(method="exact")
    np.testing.assert_allclose(clopper_pearson(k, n), [ci.low, ci.high], rtol=RTOL_SCIPY, atol=1e-15)


def test_clopper_pearson_errors() -> None:
    with pytest.raises(ConsistencyError) as exc:
        clopper_pearson(4, 3)
    assert str(exc.value) == "field 'k': got 4; allowed: at most n = 3."


def test_mrss_spec_worked_examples() -> None:
    """scores.md §1: 20 -> 14 meets EUSTAR improvement and the dcSSc MCID (5); 8 -> 5 meets neither.

    ASSIST applies only when baseline mRSS > 14 (hsct.md §C4): 8 -> 5 is not evaluable (None).
    """
    assert _flags("mrss_eustar_improvement", [(20, 14), (8, 5)]) == [True, False]
    assert _flags("mrss_mcid_dcssc", [(20, 14), (8, 5)]) == [True, False]
    assert _flags("mrss_assist", [(20, 14), (8, 5)]) == [True, None]


def test_mrss_mcid_both_sides() -> None:
    """Khanna 2019: 5 units in dcSSc; a fall of exactly 5 counts ('at least', project convention)."""
    assert _flags("mrss_mcid_dcssc", [(20, 15), (20, 16), (20, 25)]) == [True, False, False]


def test_eustar_both_sides() -> None:
    """Dobrota 2016: decrease > 5 points and >= 25 %."""
    # 24 -> 18: -6 points, -25 % exactly -> yes; 20 -> 15: -5 points -> no; 40 -> 31: -9, -22.5 % -> no
    assert _flags("mrss_eustar_improvement", [(24, 18), (20, 15), (40, 31)]) == [True, False, False]


def test_assist_both_sides() -> None:
    """Walker 2018 Table 1 (ASSIST): mRSS decrease > 25 % if baseline > 14 (hsct.md §C4), FVC increase > 10 %."""
    assert _flags("mrss_assist", [(20, 15), (20, 14)]) == [False, True]
    assert _flags("mrss_assist", [(15, 11), (14, 10)]) == [True, None]
    assert _flags("fvc_assist", [(70, 77), (70, 77.1)]) == [False, True]


def test_haq_and_criss_both_sides() -> None:
    """Fairley 2025: HAQ-DI improvement 0.125; Khanna 2016 Table 4: CRISS probability >= 0.60."""
    assert _flags("haq_di_mcid", [(1.5, 1.375), (1.5, 1.4)]) == [True, False]
    d = get_definition("acr_criss")
    v = pl.DataFrame({"patient_id": ["a", "a", "b", "b"], "time_months": [0.0, 12.0, 0.0, 12.0],
                      "criss_probability": [None, 0.60, None, 0.599]})
    assert responder_flags(v, d, 12).get_column("responder").to_list() == [True, False]


def test_statuses_follow_the_spec() -> None:
    assert {k: v.status for k, v in PRESETS.items()} == {
        "acr_criss": Evidence.CONFIRMED,
        "mrss_mcid_dcssc": Evidence.CONFIRMED,
        "mrss_eustar_improvement": Evidence.CONFIRMED,
        "mrss_assist": Evidence.SECONDARY,
        "fvc_assist": Evidence.SECONDARY,
        "fvc_rcriss_5pct": Evidence.SECONDARY,
        "haq_di_mcid": Evidence.CONFIRMED,
    }
    assert any(c.status is Evidence.UNCONFIRMED for c in PRESETS["fvc_rcriss_5pct"].caveats)


def test_custom_fvc_mcid_is_unconfirmed_with_caveat() -> None:
    """No FVC MCID in the spec: a caller-supplied threshold (here 3 points, a parameter) carries a caveat."""
    d = custom_definition("fvc_mcid", "fvc_percent_predicted", "increase", min_change=3, unit="% predicted")
    assert d.status is Evidence.UNCONFIRMED
    res = responder_rates(_visits("fvc_percent_predicted", [(70, 73), (70, 72.9)]), [d], [12])
    assert [r.n_responders for r in res.rates] == [1]
    assert [c.code for c in res.caveats] == ["responders.fvc_mcid.threshold_unconfirmed"]
    assert res.caveats[0].status is Evidence.UNCONFIRMED


def test_rates_windows_groups_and_missing() -> None:
    v = pl.DataFrame({
        "patient_id": ["1", "1", "1", "2", "2", "3", "3", "4"],
        "time_months": [0.0, 6.0, 13.0, 0.5, 10.0, 0.0, 16.0, 0.0],
        "mrss_total": [20, 18, 14, 8, 5, 30, 20, 10],
        "arm": ["hsct", "hsct", "hsct", "cyc", "cyc", "hsct", "hsct", "cyc"],
    })
    d = get_definition("mrss_mcid_dcssc")
    flags = responder_flags(v, d, 12, group_col="arm")
    # patient 3's 16-month visit is outside the +/-3-month window; patient 4 has no follow-up
    assert flags.get_column("responder").to_list() == [True, False, None, None]
    res = responder_rates(v, [d], [12], group_col="arm")
    rows = {r.group: r for r in res.rates}
    assert (rows[None].n_patients, rows[None].n_evaluable, rows[None].n_responders) == (4, 2, 1)
    assert rows[None].proportion == 0.5
    np.testing.assert_allclose([rows[None].ci_low, rows[None].ci_high], clopper_pearson(1, 2))
    assert (rows["cyc"].n_evaluable, rows["hsct"].n_evaluable) == (1, 1)
    nri = responder_rates(v, [d], [12], missing="non_responder")
    assert nri.rates[0].proportion == 0.25
    wide = responder_rates(v, [d], [12], window_months=4)
    assert wide.rates[0].n_evaluable == 3


def test_zero_baseline_relative_rule_caveat() -> None:
    res = responder_rates(_visits("mrss_total", [(0, 0), (20, 10)]), [get_definition("mrss_eustar_improvement")], [12])
    assert res.rates[0].n_responders == 1
    assert any(c.code.startswith("responders.mrss_eustar_improvement.zero_baseline") for c in res.caveats)


def test_errors() -> None:
    with pytest.raises(UnknownFieldError) as exc:
        get_definition("mcid")
    assert str(exc.value).startswith("field 'definition': got 'mcid'; allowed: one of 'acr_criss', ")
    v = _visits("mrss_total", [(20, 14)])
    with pytest.raises(UnknownFieldError) as exc:
        responder_rates(v, [get_definition("haq_di_mcid")], [12])
    assert str(exc.value) == (
        "field 'haq_di': got 'missing column'; allowed: a column of the visits table: patient_id, time_months, mrss_total."
    )
    with pytest.raises(InputError) as exc:
        responder_rates(v, [get_definition("mrss_assist")], [12], missing="worst")  # type: ignore[arg-type]
    assert str(exc.value) == "field 'missing': got 'worst'; allowed: one of 'exclude', 'non_responder'."
    bad = v.with_columns(pl.Series("mrss_total", ["20", "x"]))
    with pytest.raises(InputError) as exc:
        responder_rates(bad, [get_definition("mrss_assist")], [12])
    assert str(exc.value) == "row 2, field 'mrss_total': got 'x'; allowed: a number, empty if not recorded."
