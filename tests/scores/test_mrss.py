"""mRSS total and change definitions.

Sources: spec scores.md §1 (worked examples labelled *constructed*: the
published rule applied to invented inputs) and the thresholds table of §1/§10.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sclerostem.errors import InputError, InputTypeError, UnknownFieldError
from sclerostem.result import Evidence
from sclerostem.scores import MRSS_CHANGE_DEFINITIONS, MRSS_SITES, mrss, mrss_change
from sclerostem.scores._columns import coerce_frame
from sclerostem.scores._mrss import COLUMNS as MRSS_COLUMNS
from sclerostem.scores._mrss import score_frame as mrss_score_frame
from sclerostem.scores._mrss import site_column

ZERO = dict.fromkeys(MRSS_SITES, 0)


def test_seventeen_sites_range_0_to_51():
    # spec §1 [CONFIRMED]: 17 sites, total 0-51.
    assert len(MRSS_SITES) == 17
    assert mrss(ZERO).value == 0
    assert mrss(dict.fromkeys(MRSS_SITES, 3)).value == 51


def test_worked_example_total_9():
    # spec §1 worked example (constructed): fingers 2+2, hands 1+1, forearms 1+1, face 1 -> 9.
    sites = ZERO | {"fingers_right": 2, "fingers_left": 2, "hand_dorsum_right": 1,
                    "hand_dorsum_left": 1, "forearm_right": 1, "forearm_left": 1, "face": 1}
    r = mrss(sites)
    assert r.value == 9
    assert r.components["fingers_right"] == 2
    assert r.missing == ()
    assert r.unit == "points"


def test_missing_site_makes_total_not_computable():
    # spec §1 "Missing data": no imputation rule -> not computable (project decision).
    sites = dict(ZERO)
    del sites["abdomen"]
    sites["face"] = None
    sites["thigh_left"] = 2
    r = mrss(sites)
    assert r.value is None
    assert not r.computable
    assert r.missing == ("face", "abdomen")
    assert r.components["partial_total"] == 2
    assert r.caveats[0].code == "mrss.partial"


def test_unknown_site_message():
    with pytest.raises(UnknownFieldError) as exc:
        mrss(ZERO | {"neck": 1})
    assert str(exc.value) == (
        "field 'site': got 'neck'; allowed: one of the 17 mRSS sites: " + ", ".join(MRSS_SITES) + "."
    )


@pytest.mark.parametrize(("grade", "exc_type"), [(4, InputError), (-1, InputError),
                                                  (1.5, InputError), ("2", InputTypeError),
                                                  (True, InputTypeError)])
def test_bad_grade_message(grade, exc_type):
    with pytest.raises(exc_type) as exc:
        mrss(ZERO | {"face": grade})
    assert str(exc.value) == (
        f"field 'mrss_face': got {grade!r}; allowed: a whole number from 0 to 3 (grade)."
    )


@given(st.fixed_dictionaries({s: st.integers(0, 3) for s in MRSS_SITES}),
       st.sampled_from(MRSS_SITES))
def test_raising_one_site_never_lowers_total(sites, site):
    before = mrss(sites).value
    raised = sites | {site: min(3, sites[site] + 1)}
    after = mrss(raised).value
    assert 0 <= before <= after <= 51


# ---------------------------------------------------------------- change definitions
def test_worked_example_20_to_14():
    # spec §1 worked example (constructed): 20 -> 14, Δ -6, -30 %: meets EUSTAR
    # improvement, ASSIST skin criterion, exceeds the 2006 MID range and the dcSSc MCID 5.
    for d in ("eustar_improvement", "assist_improvement", "mid_2006", "mcid_2019",
              "mcid_2019_dcssc"):
        r = mrss_change(20, 14, definition=d, interval_months=12)
        assert r.value is True, d
        assert r.interpretation == "improved"
        assert r.components["delta_points"] == -6
        assert r.components["relative_change"] == pytest.approx(-0.30, rel=1e-12)
    assert mrss_change(20, 14, definition="eustar_progression").value is False


def test_worked_example_8_to_5_not_eustar():
    # spec §1 worked example (constructed): 8 -> 5, Δ -3, -37.5 %: NOT EUSTAR improvement
    # (needs > 5 points) although the relative fall is >= 25 %.
    r = mrss_change(8, 5, definition="eustar_improvement", interval_months=12)
    assert r.value is False
    assert r.interpretation == "not improved"
    assert r.components["relative_change"] == -0.375
    # ASSIST skin arm applies only "if baseline mRSS > 14" (hsct.md §C4): not applicable here.
    assist = mrss_change(8, 5, definition="assist_improvement")
    assert assist.value is None
    assert assist.interpretation == "not applicable: baseline mRSS 8 is not above 14"


@pytest.mark.parametrize(("baseline", "follow_up", "met"), [
    # EUSTAR improvement: fall > 5 points AND >= 25 % (Dobrota 2016, spec §1 table).
    (24, 18, True),    # -6, exactly -25 %: inclusive relative bound
    (24, 19, False),   # -5 points: not more than 5
    (25, 19, False),   # -6, -24 %: relative not reached
    (28, 22, False),   # -6, -21.4 %
    (40, 30, True),    # -10, -25 % exactly
])
def test_eustar_improvement_cutoffs(baseline, follow_up, met):
    assert mrss_change(baseline, follow_up, definition="eustar_improvement").value is met


@pytest.mark.parametrize(("baseline", "follow_up", "met"), [
    # EUSTAR progression: rise > 5 points AND >= 25 % (ARD 2019;78:648, spec §1 table).
    (24, 30, True),    # +6, +25 % exactly
    (24, 29, False),   # +5 points
    (25, 31, False),   # +6, +24 %
    (0, 6, True),      # from 0: relative rise unbounded (project decision, caveat)
    (0, 5, False),
])
def test_eustar_progression_cutoffs(baseline, follow_up, met):
    assert mrss_change(baseline, follow_up, definition="eustar_progression").value is met


@pytest.mark.parametrize(("baseline", "follow_up", "met"), [
    # ASSIST: "> 25 % decrease in mRSS" (Walker 2018 RMD Open Table 1, spec §10): strict.
    (20, 15, False),   # exactly -25 %
    (20, 14, True),    # -30 %
    (40, 29, True),    # -27.5 %
])
def test_assist_improvement_cutoff(baseline, follow_up, met):
    assert mrss_change(baseline, follow_up, definition="assist_improvement").value is met


@pytest.mark.parametrize(("baseline", "follow_up", "value", "interpretation"), [
    # ASSIST: "mRSS decrease > 25 % (if baseline mRSS > 14)" (hsct.md §C4 [S]); mRSS is an
    # integer, so both sides of the baseline condition are 14 and 15.
    (14, 10, None, "not applicable: baseline mRSS 14 is not above 14"),   # -28.6 %, n/a
    (15, 11, True, "improved"),                                           # -26.7 %
    (15, 12, False, "not improved"),                                      # -20 %
    (0, 0, None, "not applicable: baseline mRSS 0 is not above 14"),
    (14, None, None, "not applicable: baseline mRSS 14 is not above 14"),  # decided without FU
    (None, 10, None, "unknown"),
])
def test_assist_improvement_baseline_condition(baseline, follow_up, value, interpretation):
    r = mrss_change(baseline, follow_up, definition="assist_improvement")
    assert (r.value, r.interpretation) == (value, interpretation)
    assert r.components["applies_above_baseline"] == 14
    codes = {c.code: c.status for c in r.caveats}
    assert codes["mrss_change.assist_improvement"] is Evidence.SECONDARY
    assert ("mrss_change.not_applicable" in codes) == interpretation.startswith("not applicable")


def test_assist_improvement_is_secondary_not_confirmed():
    # hsct.md §C4: the ASSIST end point was read only in review tables [S].
    d = MRSS_CHANGE_DEFINITIONS["assist_improvement"]
    assert d.status is Evidence.SECONDARY
    assert d.applies_above_baseline == 14
    r = mrss_change(20, 14, definition="assist_improvement")
    assert all(c.status is not Evidence.CONFIRMED for c in r.caveats)


def test_assist_improvement_table_matches_one_visit():
    # vectorised twin: not applicable -> null, as value None (both sides of baseline > 14)
    pairs = [(14, 10), (15, 11), (15, 12), (0, 0), (20, 14), (20, 15)]
    rows = []
    for b, f in pairs:
        grades = {}
        for s in MRSS_SITES:  # spread the follow-up total over the sites, 3 at most each
            grades[site_column(s)] = min(3, f)
            f -= grades[site_column(s)]
        rows.append({**grades, "baseline_mrss_total": b})
    out = mrss_score_frame(coerce_frame(pl.DataFrame(rows), MRSS_COLUMNS))
    assert out["mrss_total"].to_list() == [f for _, f in pairs]
    for (b, f), got in zip(pairs, out.iter_rows(named=True), strict=True):
        assert got["mrss_assist_improvement"] == mrss_change(b, f, definition="assist_improvement").value
    assert out["mrss_assist_improvement"].to_list() == [None, True, False, None, True, False]


@pytest.mark.parametrize(("definition", "baseline", "follow_up", "met"), [
    # MCID dcSSc 5 units (Khanna 2019): a fall of at least 5.
    ("mcid_2019_dcssc", 20, 15, True), ("mcid_2019_dcssc", 20, 16, False),
    # MCID all SSc 3-4 units (Khanna 2019): lower end 3.
    ("mcid_2019", 20, 17, True), ("mcid_2019", 20, 18, False),
    # MID 3.2-5.3 (Khanna 2006): lower end 3.2 -> integer falls of 4 or more.
    ("mid_2006", 20, 16, True), ("mid_2006", 20, 17, False),
])
def test_mcid_cutoffs(definition, baseline, follow_up, met):
    assert mrss_change(baseline, follow_up, definition=definition).value is met


def test_range_lower_bound_is_a_caveat():
    r = mrss_change(20, 16, definition="mid_2006")
    assert any(c.code == "mrss_change.mid_2006" and "3.2–5.3" in c.message for c in r.caveats)


def test_assist_progression_is_unconfirmed_with_caveat():
    # spec §10: the ASSIST progression rule is UNCONFIRMED -> caveat, mechanism only.
    r = mrss_change(20, 26, definition="assist_progression")
    assert r.value is True
    assert any(c.status is Evidence.UNCONFIRMED for c in r.caveats)
    assert MRSS_CHANGE_DEFINITIONS["assist_progression"].status is Evidence.UNCONFIRMED


def test_window_caveat():
    inside = mrss_change(20, 14, interval_months=12.0)
    outside = mrss_change(20, 14, interval_months=6.0)
    assert not any(c.code == "mrss_change.window" for c in inside.caveats)
    assert [c.message for c in outside.caveats if c.code == "mrss_change.window"] == [
        "The definition was validated for an interval of 10–14 months; interval here: 6 months."
    ]


def test_missing_total_gives_unknown():
    r = mrss_change(None, 14)
    assert r.value is None
    assert r.interpretation == "unknown"
    assert r.missing == ("baseline",)


def test_unknown_definition_message():
    with pytest.raises(UnknownFieldError) as exc:
        mrss_change(1, 2, definition="eustar")
    assert str(exc.value) == (
        "field 'definition': got 'eustar'; allowed: one of " + ", ".join(MRSS_CHANGE_DEFINITIONS) + "."
    )


def test_out_of_range_total_message():
    with pytest.raises(InputError) as exc:
        mrss_change(52, 2)
    assert str(exc.value) == (
        "field 'baseline': got 52; allowed: a whole number from 0 to 51 (points)."
    )


def test_eustar_population_caveat():
    # Dobrota 2016 (PMID 27016052, abstract): derived in dcSSc with baseline mRSS >= 7.
    low = mrss_change(6, 0, definition="eustar_improvement", interval_months=12)
    ok = mrss_change(7, 1, definition="eustar_improvement", interval_months=12)
    assert [c.code for c in low.caveats] == ["mrss_change.population"]
    assert low.caveats[0].message == (
        "The definition was derived in dcSSc patients with a baseline mRSS of at least 7; "
        "baseline here: 6."
    )
    assert ok.caveats == ()
