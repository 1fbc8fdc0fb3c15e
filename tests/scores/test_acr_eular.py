"""2013 ACR/EULAR classification criteria.

Source: van den Hoogen F et al. Arthritis Rheum 2013;65(11):2737–47 criteria
table (weights, domain maxima, caps, threshold ≥ 9), and the worked examples
(constructed) of spec scores.md §2.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sclerostem.errors import ConsistencyError, InputTypeError, UnknownFieldError
from sclerostem.scores import AcrEular2013Items, acr_eular_2013

FIELDS = [f.name for f in dataclasses.fields(AcrEular2013Items)]
NONE_PRESENT = AcrEular2013Items(**dict.fromkeys(FIELDS, False))


def items(**present: bool) -> AcrEular2013Items:
    return dataclasses.replace(NONE_PRESENT, **present)


def test_sufficient_criterion_alone_classifies():
    # spec §2 worked example 1: thickening proximal to MCPs both hands -> sufficient (>= 9).
    r = acr_eular_2013(items(skin_thickening_proximal_to_mcp_ever=True))
    assert (r.value, r.interpretation) == (9, "classified")
    assert r.components["classified"] is True


def test_example_puffy_sclerodactyly_raynaud_aca_10():
    # spec §2 worked example 2: puffy + sclerodactyly (max 4), Raynaud 3, ACA 3 = 10 -> SSc.
    r = acr_eular_2013(items(puffy_fingers_ever=True, sclerodactyly_ever=True,
                             raynaud_ever=True, anti_centromere_positive=True))
    assert (r.value, r.interpretation) == (10, "classified")
    assert r.components["finger_skin_thickening"] == 4


def test_example_raynaud_nfc_aca_8_not_classified():
    # spec §2 worked example 3: 3 + 2 + 3 = 8 -> not classified (one below the threshold 9).
    r = acr_eular_2013(items(raynaud_ever=True, abnormal_nailfold_capillaries_ever=True,
                             anti_centromere_positive=True))
    assert (r.value, r.interpretation) == (8, "not classified")


def test_example_caps_10():
    # spec §2 worked example 4: DU + pitting (max 3), telangiectasia 2, PAH + ILD (cap 2),
    # anti-topo I + anti-RNAP III (cap 3) = 10 -> SSc.
    r = acr_eular_2013(items(digital_tip_ulcers_ever=True, fingertip_pitting_scars_ever=True,
                             telangiectasia_ever=True, pah_ever=True, ild_ever=True,
                             anti_topoisomerase_i_positive=True,
                             anti_rna_polymerase_iii_positive=True))
    assert (r.value, r.interpretation) == (10, "classified")
    assert r.components["fingertip_lesions"] == 3
    assert r.components["pah_or_ild"] == 2
    assert r.components["ssc_autoantibodies"] == 3


def test_example_all_non_sufficient_items_19():
    # spec §2 worked example 5: maximum without the sufficient criterion = 19.
    present = {f: True for f in FIELDS if f.endswith(("_ever", "_positive"))}
    present["skin_thickening_proximal_to_mcp_ever"] = False
    r = acr_eular_2013(items(**present))
    assert (r.value, r.interpretation) == (19, "classified")


def test_example_exclusion_not_applicable():
    # spec §2 worked example 6: any items + exclusion (e.g. scleromyxedema) -> not applicable.
    r = acr_eular_2013(items(raynaud_ever=True, sclerodactyly_ever=True, ssc_like_disorder=True))
    assert r.value is None
    assert r.interpretation == "not applicable"


def test_finger_sparing_not_applicable():
    # spec §2 applicability: not applicable when skin thickening spares the fingers.
    r = acr_eular_2013(items(raynaud_ever=True, skin_thickening_spares_fingers=True))
    assert r.interpretation == "not applicable"


@pytest.mark.parametrize(("present", "points", "label"), [
    # threshold >= 9 [CONFIRMED]: both sides.
    ({"sclerodactyly_ever": True, "raynaud_ever": True, "telangiectasia_ever": True}, 9,
     "classified"),
    ({"sclerodactyly_ever": True, "raynaud_ever": True}, 7, "not classified"),
    ({"puffy_fingers_ever": True, "raynaud_ever": True, "anti_centromere_positive": True}, 8,
     "not classified"),
    ({"puffy_fingers_ever": True, "raynaud_ever": True, "anti_centromere_positive": True,
      "ild_ever": True}, 10, "classified"),
])
def test_threshold_both_sides(present, points, label):
    r = acr_eular_2013(items(**present))
    assert (r.value, r.interpretation) == (points, label)


def test_sufficient_plus_other_items_adds_up():
    # each item of the published table adds its weight (spec §2 allows 9 or 9 + others).
    r = acr_eular_2013(items(skin_thickening_proximal_to_mcp_ever=True, raynaud_ever=True))
    assert r.value == 12


def test_missing_items_known_points_already_classify():
    # 4 + 3 + 3 = 10 known points (criteria table); other items missing can only add points.
    r = acr_eular_2013(AcrEular2013Items(sclerodactyly_ever=True, raynaud_ever=True,
                                         anti_centromere_positive=True,
                                         ssc_like_disorder=False,
                                         skin_thickening_spares_fingers=False))
    assert r.value is None
    assert r.interpretation == "classified"
    assert r.components["points_known"] == 10
    assert "telangiectasia_ever" in r.missing


def test_unrecorded_applicability_is_undetermined():
    # Unknown stays unknown: with an exclusion flag not recorded the criteria may not apply
    # (van den Hoogen 2013 criteria table: not applicable to SSc-like disorders or finger
    # sparing), so 10 known points do not classify; the points stay in components.
    r = acr_eular_2013(AcrEular2013Items(sclerodactyly_ever=True, raynaud_ever=True,
                                         anti_centromere_positive=True))
    assert (r.value, r.interpretation) == (None, "undetermined: applicability not recorded")
    assert r.components["classified"] is None
    assert r.components["points_known"] == 10
    assert {"ssc_like_disorder", "skin_thickening_spares_fingers"} <= set(r.missing)
    assert any(c.code == "acr_eular_2013.exclusions_not_recorded" for c in r.caveats)


@pytest.mark.parametrize(("flag", "value", "interpretation", "points"), [
    # both sides of each applicability flag, with the sufficient criterion met (9 points)
    ("ssc_like_disorder", None, "undetermined: applicability not recorded", None),
    ("ssc_like_disorder", False, "classified", 9),
    ("ssc_like_disorder", True, "not applicable", None),
    ("skin_thickening_spares_fingers", None, "undetermined: applicability not recorded", None),
    ("skin_thickening_spares_fingers", False, "classified", 9),
])
def test_each_applicability_flag(flag, value, interpretation, points):
    r = acr_eular_2013(items(skin_thickening_proximal_to_mcp_ever=True, **{flag: value}))
    assert (r.value, r.interpretation) == (points, interpretation)
    assert r.components["classified"] is (True if interpretation == "classified" else None)
    if value is None:
        assert r.components["points_known"] == 9


def test_unrecorded_flag_with_the_other_true_is_not_applicable():
    # one exclusion present decides "not applicable" whatever the other flag is
    r = acr_eular_2013(items(raynaud_ever=True, ssc_like_disorder=True,
                             skin_thickening_spares_fingers=None))
    assert (r.value, r.interpretation) == (None, "not applicable")


def test_unrecorded_flag_below_threshold_is_not_not_classified():
    # 3 points, everything else absent: still undetermined, never "not classified"
    r = acr_eular_2013(items(raynaud_ever=True, ssc_like_disorder=None))
    assert (r.value, r.interpretation) == (None, "undetermined: applicability not recorded")
    assert r.components["points_max_possible"] == 3


def test_missing_items_undecided():
    r = acr_eular_2013(dataclasses.replace(NONE_PRESENT, raynaud_ever=True, telangiectasia_ever=None))
    assert (r.value, r.interpretation) == (None, "not classified")  # 3 + 2 max = 5 < 9
    r = acr_eular_2013(dataclasses.replace(NONE_PRESENT, raynaud_ever=True, sclerodactyly_ever=None,
                                           anti_centromere_positive=True))
    assert (r.value, r.interpretation) == (None, "unknown")  # 6 known, up to 10
    assert r.components["finger_skin_thickening"] is None


def test_missing_item_that_cannot_matter_keeps_points():
    # pitting scars (3) present: a missing digital-ulcer item (2) cannot change the domain.
    r = acr_eular_2013(dataclasses.replace(NONE_PRESENT, fingertip_pitting_scars_ever=True,
                                           digital_tip_ulcers_ever=None))
    assert r.value == 3
    assert r.missing == ("digital_tip_ulcers_ever",)


def test_contradiction_message():
    with pytest.raises(ConsistencyError) as exc:
        items(sclerodactyly_ever=True, skin_thickening_spares_fingers=True)
    assert str(exc.value) == (
        "field 'skin_thickening_spares_fingers': got True; allowed: False or empty when "
        "sclerodactyly_ever is True (finger thickening contradicts sparing)."
    )


def test_wrong_type_message():
    with pytest.raises(InputTypeError) as exc:
        AcrEular2013Items(raynaud_ever="yes")
    assert str(exc.value) == (
        "field 'raynaud_ever': got 'yes'; allowed: True or False (None if not recorded)."
    )


def test_from_mapping_refuses_unknown_field():
    with pytest.raises(UnknownFieldError) as exc:
        AcrEular2013Items.from_mapping({"raynaud": True})
    assert str(exc.value).startswith(
        "field 'raynaud': got True; allowed: no such field in AcrEular2013Items; its fields are "
        "skin_thickening_proximal_to_mcp_ever, puffy_fingers_ever,"
    )


@given(st.fixed_dictionaries({f: st.booleans() for f in FIELDS
                              if f not in ("ssc_like_disorder", "skin_thickening_spares_fingers")}))
def test_points_range_and_monotone(flags):
    base = AcrEular2013Items(**flags, ssc_like_disorder=False, skin_thickening_spares_fingers=False)
    r = acr_eular_2013(base)
    assert 0 <= r.value <= 28
    assert (r.value >= 9) == (r.interpretation == "classified")
    for f, v in flags.items():
        if not v:
            assert acr_eular_2013(dataclasses.replace(base, **{f: True})).value >= r.value
