"""Trial response/event definitions of spec scores.md §10.

Sources: Walker UA et al. RMD Open 2018;4:e000533 Table 1 and RDCNA-2015 as given
in hsct.md §C4 (ASSIST improvement: > 25 % mRSS fall if baseline mRSS > 14, or
> 10 % FVC rise; SECONDARY, review tables); EUSTAR FVC decline ≥ 10 %
relative (PMC6517861, CONFIRMED); ASSIST progression UNCONFIRMED (mechanism and
caveat only).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sclerostem.errors import InputError, UnknownFieldError
from sclerostem.result import Evidence
from sclerostem.scores import (
    ENDPOINT_DEFINITIONS,
    EndpointDefinition,
    EndpointInputs,
    response_endpoint,
    score_table,
)


def run(definition: str, **kw):
    return response_endpoint(EndpointInputs(**kw), definition=definition)


@pytest.mark.parametrize(("base", "fu", "met"), [
    # ASSIST skin arm "> 25 % decrease": strict
    (20, 15, False),   # exactly -25 %
    (20, 14, True),    # -30 % (spec §1 worked example: meets the ASSIST skin criterion)
])
def test_assist_skin_arm(base, fu, met):
    r = run("assist_improvement", baseline_mrss_total=base, followup_mrss_total=fu,
            baseline_fvc_percent_predicted=70.0, followup_fvc_percent_predicted=70.0)
    assert r.value is met


@pytest.mark.parametrize(("base", "fu", "met"), [
    # ASSIST FVC arm "> 10 % increase" (read as relative): strict
    (70.0, 77.0, False),   # exactly +10 %
    (70.0, 77.7, True),    # +11 %
])
def test_assist_fvc_arm(base, fu, met):
    r = run("assist_improvement", baseline_mrss_total=20, followup_mrss_total=20,
            baseline_fvc_percent_predicted=base, followup_fvc_percent_predicted=fu)
    assert r.value is met
    assert r.caveats[0].code == "response.assist_improvement"


def test_or_rule_with_missing_arm():
    # one arm met is enough; "not met" needs both arms
    met = run("assist_improvement", baseline_mrss_total=20, followup_mrss_total=10)
    assert (met.value, met.interpretation) == (True, "met")
    assert met.missing == ("baseline_fvc_percent_predicted", "followup_fvc_percent_predicted")
    unknown = run("assist_improvement", baseline_mrss_total=20, followup_mrss_total=19)
    assert (unknown.value, unknown.interpretation) == (None, "unknown")


@pytest.mark.parametrize(("base", "fvc_fu", "value", "applicable"), [
    # hsct.md §C4: the mRSS arm applies only "if baseline mRSS > 14" (integer: 14 vs 15).
    # mRSS falls by 50 % in every case; FVC 70 -> fvc_fu.
    (14, 70.0, False, False),   # skin arm not applicable, FVC unchanged -> not met
    (14, 77.7, True, False),    # FVC arm alone decides: +11 %
    (14, None, None, False),    # FVC arm unknown and skin arm out -> unknown
    (15, 70.0, True, True),     # skin arm applies: -53 % -> met
])
def test_assist_skin_arm_needs_baseline_above_14(base, fvc_fu, value, applicable):
    r = run("assist_improvement", baseline_mrss_total=base, followup_mrss_total=base // 2,
            baseline_fvc_percent_predicted=70.0, followup_fvc_percent_predicted=fvc_fu)
    assert r.value is value
    assert r.components.get("mrss_fall_applicable", True) is applicable
    codes = [c.code for c in r.caveats]
    assert ("response.assist_improvement.mrss_arm_not_applicable" in codes) is not applicable
    if not applicable:
        assert r.components["mrss_fall_met"] is None


def test_assist_improvement_is_secondary():
    # hsct.md §C4 tags the ASSIST end point [S] (review tables), not confirmed.
    d = ENDPOINT_DEFINITIONS["assist_improvement"]
    assert d.status is Evidence.SECONDARY
    assert d.mrss_applies_above_baseline == 14
    r = run("assist_improvement", baseline_mrss_total=20, followup_mrss_total=14)
    assert r.caveats[0].status is Evidence.SECONDARY


def test_assist_table_respects_baseline_condition():
    df = pl.DataFrame({
        "baseline_mrss_total": [14, 14, 14, 15, 14],
        "followup_mrss_total": [7, 7, 7, 7, None],
        "baseline_fvc_percent_predicted": [70.0, 70.0, 70.0, 70.0, 70.0],
        "followup_fvc_percent_predicted": [70.0, 77.7, None, 70.0, 70.0],
    })
    out = score_table(df)
    assert out["response_assist_improvement"].to_list() == [False, True, None, True, False]
    for row, got in zip(df.iter_rows(named=True), out["response_assist_improvement"], strict=True):
        assert got == response_endpoint(EndpointInputs(**row)).value


def test_custom_definition_with_no_applicable_arm_is_not_applicable():
    only_skin = EndpointDefinition("skin_only", "test", "mRSS fall > 25 % if baseline > 14",
                                   (("mrss", "fall", 0.25, True),), "test", Evidence.DERIVED,
                                   mrss_applies_above_baseline=14)
    r = response_endpoint(EndpointInputs(baseline_mrss_total=10, followup_mrss_total=2),
                          definition=only_skin)
    assert (r.value, r.interpretation) == (None, "not applicable: no arm of the definition applies")


@pytest.mark.parametrize(("base", "fu", "met"), [
    # EUSTAR significant FVC decline ">= 10 %" relative: inclusive
    (80.0, 72.0, True),    # exactly -10 %
    (80.0, 72.1, False),
])
def test_eustar_fvc_decline(base, fu, met):
    r = run("eustar_fvc_decline", baseline_fvc_percent_predicted=base,
            followup_fvc_percent_predicted=fu)
    assert r.value is met


def test_assist_progression_unconfirmed():
    r = run("assist_progression", baseline_mrss_total=20, followup_mrss_total=26)
    assert r.value is True
    assert r.caveats[0].status is Evidence.UNCONFIRMED
    assert ENDPOINT_DEFINITIONS["assist_progression"].status is Evidence.UNCONFIRMED


def test_errors():
    with pytest.raises(UnknownFieldError) as exc:
        run("scot")
    assert str(exc.value) == (
        "field 'definition': got 'scot'; allowed: one of assist_improvement, "
        "assist_progression, eustar_fvc_decline."
    )
    with pytest.raises(InputError) as exc:
        EndpointInputs(followup_fvc_percent_predicted=5.0)
    assert str(exc.value) == (
        "field 'followup_fvc_percent_predicted': got 5.0; allowed: a number from 10 to 200 "
        "(% predicted)."
    )


def test_batch_parity():
    rng = np.random.default_rng(7)
    n = 500

    def col(values, p=0.1):
        return [None if m else v for v, m in zip(values.tolist(), rng.random(n) < p, strict=True)]

    base_m = rng.integers(0, 52, n)
    df = pl.DataFrame({
        "baseline_mrss_total": col(base_m),
        "followup_mrss_total": col(np.clip(base_m + rng.integers(-15, 16, n), 0, 51)),
        "baseline_fvc_percent_predicted": col(np.round(rng.uniform(40, 120, n), 1)),
        "followup_fvc_percent_predicted": col(np.round(rng.uniform(40, 120, n), 1)),
    })
    out = score_table(df)
    seen = set()
    for row, res in zip(df.iter_rows(named=True), out.iter_rows(named=True), strict=True):
        for name in ENDPOINT_DEFINITIONS:
            expected = response_endpoint(EndpointInputs(**row), definition=name).value
            assert res[f"response_{name}"] == expected, (row, name)
            seen.add(expected)
    assert seen == {True, False, None}
