"""Revised EUSTAR activity index (2017).

Source: Valentini G et al. Ann Rheum Dis 2017;76(1):270–6, abstract (PMID
27621285): weights, strict cut-points, active ≥ 2.5; worked examples
(constructed) of spec scores.md §3a.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sclerostem.scores._eustar_ai as eustar_module
from sclerostem.errors import InputError
from sclerostem.result import Evidence
from sclerostem.scores import EustarActivityInputs, eustar_activity_index
from sclerostem.scores._eustar_ai import CONTINUOUS_SKIN_SLOPE

RTOL_FLOAT = 1e-12  #: one multiplication in double precision

NOTHING = EustarActivityInputs(
    skin_worsening_patient_last_month=False, mrss_total=0, digital_ulcers_current=False,
    tendon_friction_rubs_current=False, crp_mg_dl=0.2, dlco_percent_predicted=90.0,
)


def ai(**kw):
    return eustar_activity_index(dataclasses.replace(NOTHING, **kw))


def test_worked_example_4_active():
    # spec §3a: Δ-skin yes, mRSS 22, CRP 0.5, DLCO 62 % -> 1.5 + 1.5 + 1.0 = 4.0 -> active.
    r = ai(skin_worsening_patient_last_month=True, mrss_total=22, crp_mg_dl=0.5,
           dlco_percent_predicted=62.0)
    assert (r.value, r.interpretation) == (4.0, "active")


def test_worked_example_crp_only_not_active():
    # spec §3a: only CRP 1.4 mg/dL -> 2.25 -> not active (< 2.5).
    assert (ai(crp_mg_dl=1.4).value, ai(crp_mg_dl=1.4).interpretation) == (2.25, "not active")


def test_worked_example_mrss_18_is_zero():
    # spec §3a: mRSS exactly 18 -> 0 (strictly > 18).
    assert ai(mrss_total=18).value == 0.0
    assert ai(mrss_total=19).value == 1.5


@pytest.mark.parametrize(("kw", "points"), [
    ({"crp_mg_dl": 1.0}, 0.0), ({"crp_mg_dl": 1.01}, 2.25),          # CRP > 1 mg/dL, strict
    ({"dlco_percent_predicted": 70.0}, 0.0), ({"dlco_percent_predicted": 69.9}, 1.0),  # < 70 %
    ({"tendon_friction_rubs_current": True}, 2.25),
    ({"digital_ulcers_current": True}, 1.5),
    ({"skin_worsening_patient_last_month": True}, 1.5),
])
def test_item_cutoffs(kw, points):
    assert ai(**kw).value == points


@pytest.mark.parametrize(("kw", "label"), [
    # active >= 2.5 [CONFIRMED]: 2.5 exactly (DU 1.5 + DLCO 1.0) vs 2.25.
    ({"digital_ulcers_current": True, "dlco_percent_predicted": 60.0}, "active"),
    ({"tendon_friction_rubs_current": True}, "not active"),
])
def test_active_threshold_both_sides(kw, label):
    assert ai(**kw).interpretation == label


def test_maximum_is_10():
    r = ai(skin_worsening_patient_last_month=True, mrss_total=51, digital_ulcers_current=True,
           tendon_friction_rubs_current=True, crp_mg_dl=5.0, dlco_percent_predicted=40.0)
    assert r.value == 10.0


def test_missing_item_value_none_but_interpretation_when_decided():
    r = eustar_activity_index(EustarActivityInputs(tendon_friction_rubs_current=True, crp_mg_dl=2.0))
    assert r.value is None
    assert r.interpretation == "active"  # 4.5 already
    assert set(r.missing) == {"skin_worsening_patient_last_month", "mrss_total",
                              "digital_ulcers_current", "dlco_percent_predicted"}
    r = eustar_activity_index(dataclasses.replace(NOTHING, dlco_percent_predicted=None))
    assert (r.value, r.interpretation) == (None, "not active")  # at most 1.0
    r = eustar_activity_index(dataclasses.replace(NOTHING, crp_mg_dl=None))
    assert (r.value, r.interpretation) == (None, "not active")  # at most 2.25
    r = eustar_activity_index(dataclasses.replace(NOTHING, crp_mg_dl=None,
                                                  digital_ulcers_current=True))
    assert (r.value, r.interpretation) == (None, "unknown")  # 1.5 known, up to 3.75


def test_continuous_variant_is_opt_in_with_caveat():
    # spec §3a: UNCONFIRMED variant slope × mRSS when mRSS ≤ 18 — mechanism only: the
    # slope is read from the module parameter, never restated here as a published number.
    assert ai(mrss_total=18).caveats == ()
    r = eustar_activity_index(dataclasses.replace(NOTHING, mrss_total=10), variant="continuous_skin")
    assert r.components["mrss_total"] == pytest.approx(10 * CONTINUOUS_SKIN_SLOPE, rel=RTOL_FLOAT)
    assert [c.status for c in r.caveats] == [Evidence.UNCONFIRMED]
    assert "UNCONFIRMED" in r.caveats[0].message


def test_continuous_variant_follows_the_slope_parameter(monkeypatch):
    # Mechanism: the item is slope × mRSS for mRSS ≤ 18, whatever the (UNCONFIRMED) slope is.
    monkeypatch.setattr(eustar_module, "CONTINUOUS_SKIN_SLOPE", 0.5)
    r = eustar_activity_index(dataclasses.replace(NOTHING, mrss_total=10), variant="continuous_skin")
    assert r.components["mrss_total"] == pytest.approx(5.0, rel=RTOL_FLOAT)
    assert r.caveats[0].status is Evidence.UNCONFIRMED
    assert "0.5 × mRSS" in r.caveats[0].message  # the caveat states the slope actually used


def test_crp_out_of_range_message():
    with pytest.raises(InputError) as exc:
        EustarActivityInputs(crp_mg_dl=-1.0)
    assert str(exc.value) == "field 'crp_mg_dl': got -1.0; allowed: a number from 0 to 50 (mg/dL)."


def test_bad_variant_message():
    with pytest.raises(InputError) as exc:
        eustar_activity_index(NOTHING, variant="continuous")
    assert str(exc.value) == (
        "field 'variant': got 'continuous'; allowed: 'binary' or 'continuous_skin'."
    )


@given(st.booleans(), st.integers(0, 51), st.booleans(), st.booleans(),
       st.floats(0, 50), st.floats(0, 200))
def test_range_0_to_10(skin, m, du, tfr, crp, dlco):
    r = eustar_activity_index(EustarActivityInputs(skin, m, du, tfr, crp, dlco))
    assert 0.0 <= r.value <= 10.0
    assert (r.value >= 2.5) == (r.interpretation == "active")
