"""LeRoy subset and disease duration (spec scores.md §7)."""

from __future__ import annotations

import datetime as dt

import pytest

from sclerostem.errors import ConsistencyError, InputTypeError, UnknownFieldError
from sclerostem.result import Evidence
from sclerostem.scores import MRSS_SITES, disease_duration, leroy_subset

ZERO = dict.fromkeys(MRSS_SITES, 0)


@pytest.mark.parametrize("site", ["upper_arm_right", "upper_arm_left", "thigh_right",
                                  "thigh_left", "anterior_chest", "abdomen"])
def test_any_proximal_site_is_diffuse(site):
    # spec §7 [SECONDARY]: any mRSS > 0 in upper arms, thighs, anterior chest or abdomen => diffuse.
    r = leroy_subset(ZERO | {site: 1, "fingers_left": 2}, skin_thickening_back=False)
    assert (r.value, r.components["subset"]) == (True, "dcSSc")


@pytest.mark.parametrize("site", ["fingers_right", "hand_dorsum_left", "forearm_right",
                                  "lower_leg_left", "foot_dorsum_right", "face"])
def test_distal_or_face_only_is_limited(site):
    # spec §7: thickening distal to elbows/knees, with or without face -> limited.
    r = leroy_subset(ZERO | {site: 2}, skin_thickening_back=False)
    assert (r.value, r.components["subset"]) == (False, "lcSSc")
    assert r.interpretation == "limited cutaneous SSc"


def test_back_makes_diffuse():
    # spec §7: the back counts as truncal; not an mRSS site.
    r = leroy_subset(ZERO | {"fingers_left": 1}, skin_thickening_back=True)
    assert r.components["subset"] == "dcSSc"


def test_unexamined_back_leaves_limited_unknown():
    r = leroy_subset(ZERO | {"fingers_left": 1})
    assert (r.value, r.interpretation) == (None, "unknown")
    assert r.missing == ("skin_thickening_back",)


def test_diffuse_despite_missing_sites():
    r = leroy_subset({"thigh_left": 2})
    assert r.components["subset"] == "dcSSc"


def test_no_thickening():
    r = leroy_subset(ZERO, skin_thickening_back=False)
    assert (r.value, r.components["subset"]) == (False, "none")
    assert r.caveats[0].code == "leroy.no_thickening"


def test_unknown_site():
    with pytest.raises(UnknownFieldError, match=r"^field 'site': got 'back'; "):
        leroy_subset({"back": 1})


# ------------------------------------------------------------------ disease duration
def test_duration_years():
    # Years = days / 365.25 (project convention, spec §7 gives no formula): 2022 and 2023
    # are not leap years -> 730 days; 2020-01-01 to 2024-01-01 -> 1461 days.
    r = disease_duration(dt.date(2024, 1, 1), dt.date(2022, 1, 1),
                         first_raynaud_date=dt.date(2020, 1, 1))
    assert r.value == 730 / 365.25
    assert r.components["days"] == 730
    assert r.components["years_from_raynaud"] == 1461 / 365.25
    assert r.unit == "years"


@pytest.mark.parametrize(("onset", "early"), [
    # < 18 months for early dcSSc trials [CONFIRMED, PMC8677444]: both sides.
    (dt.date(2022, 7, 15), True),   # 535 days = 17.6 months
    (dt.date(2022, 7, 1), False),   # 549 days = 18.04 months
])
def test_early_18_months(onset, early):
    r = disease_duration(dt.date(2024, 1, 1), onset)
    assert r.components["early_lt_18_months"] is early


@pytest.mark.parametrize(("onset", "within"), [
    # <= 4 years entry window [SECONDARY: hsct.md §A2, ASSIST.duration / ASTIS.route_A from
    # Walker 2018 Table 1 and RDCNA-2015; SCOT.duration unresolved, <= 4 vs <= 5 y].
    (dt.date(2020, 1, 1), True),    # 1461 days = 4.0 years exactly
    (dt.date(2019, 12, 31), False),
])
def test_hsct_window_4_years(onset, within):
    r = disease_duration(dt.date(2024, 1, 1), onset)
    assert r.components["within_hsct_trial_window_4y"] is within


def test_hsct_window_is_secondary_and_names_the_scot_conflict():
    # hsct.md §A2: SCOT.duration is an unresolved conflict (<= 4 y Walker 2018 vs <= 5 y
    # RDCNA-2015 Table 3); nothing about the window may be presented as confirmed.
    r = disease_duration(dt.date(2024, 1, 1), dt.date(2022, 1, 1))
    window = [c for c in r.caveats if c.code == "disease_duration.hsct_window_secondary"]
    assert len(window) == 1
    assert window[0].status is Evidence.SECONDARY
    assert "SCOT" in window[0].message
    assert "≤ 5 years" in window[0].message
    assert all(c.status is not Evidence.CONFIRMED for c in r.caveats)
    assert "CONFIRMED" not in str(r.to_dict())


def test_no_window_caveat_without_a_duration():
    assert disease_duration(dt.date(2024, 1, 1), None).caveats == ()


def test_onset_after_visit_message():
    with pytest.raises(ConsistencyError) as exc:
        disease_duration(dt.date(2024, 1, 1), dt.date(2024, 1, 2))
    assert str(exc.value) == (
        "field 'first_non_raynaud_symptom_date': got '2024-01-02'; allowed: a date on or "
        "before the visit date 2024-01-01."
    )


def test_missing_onset():
    r = disease_duration(dt.date(2024, 1, 1), None)
    assert r.value is None
    assert r.missing == ("first_non_raynaud_symptom_date", "first_raynaud_date")


def test_text_date_refused():
    with pytest.raises(InputTypeError) as exc:
        disease_duration("2024-01-01", dt.date(2022, 1, 1))
    assert str(exc.value) == (
        "field 'visit_date': got '2024-01-01'; allowed: a datetime.date (None if not recorded)."
    )
