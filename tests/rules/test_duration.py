"""Disease duration reaches the rules unrounded, and the onset/visit dates win over a typed value.

Worked examples (days / 365.25, scores.md §7): onset 2022-10-14, visit 2026-10-15 = 1462 days =
4.0027 years, just over the "<= 4 years" limits of ASSIST (Walker-2018 T1 [S]) and ASTIS route A
(RDCNA-2015 T3 [S]); onset 2022-10-15 = 1461 days = 4.0000 years, on the limit.
"""

from __future__ import annotations

import pytest

from sclerostem.errors import ConsistencyError
from sclerostem.reports._candidacy_context import fmt_value
from sclerostem.rules import Patient, derived_inputs
from sclerostem.rules._derived import DURATION_TOLERANCE_YEARS, duration_thresholds
from tests.rules._base import rule_value, run

RTOL_EXACT = 1e-12  #: days / 365.25 in double precision, no rounding


def test_one_day_over_four_years_is_not_rounded_into_the_window() -> None:
    a = run(visit_date="2026-10-15", date_first_non_raynaud_symptom="2022-10-14")
    d = a.derived["disease_duration_years"]
    assert d.value == pytest.approx(1462 / 365.25, rel=RTOL_EXACT)
    assert d.value > 4
    assert rule_value(a, "ASSIST.duration") is False


def test_exactly_four_years_is_in_the_window() -> None:
    a = run(visit_date="2026-10-15", date_first_non_raynaud_symptom="2022-10-15")
    assert a.derived["disease_duration_years"].value == pytest.approx(1461 / 365.25, rel=RTOL_EXACT)
    assert rule_value(a, "ASSIST.duration") is True


def test_display_does_not_show_four_point_zero_zero_two_seven_as_four() -> None:
    assert fmt_value(1462 / 365.25, "years") == "4.0027 years"
    assert fmt_value(4.0, "years") == "4 years"


def _dated(typed: float, onset: str = "2022-10-14", visit: str = "2026-10-15") -> Patient:
    return Patient(visit_date=visit, date_first_non_raynaud_symptom=onset, disease_duration_years=typed)


def test_dates_win_over_a_typed_duration() -> None:
    """A typed value within the tolerance is accepted, but the rules read the computed one."""
    d = derived_inputs(_dated(4.003))["disease_duration_years"]
    assert d.value == pytest.approx(1462 / 365.25, rel=RTOL_EXACT)
    assert d.interpretation.startswith("computed")


def test_typed_duration_on_the_other_side_of_a_threshold_is_rejected() -> None:
    """4.0 is within 1 day of 4.0027 but on the other side of the 4-year criteria threshold."""
    with pytest.raises(ConsistencyError) as info:
        _dated(4.0)
    assert str(info.value) == (
        "field 'disease_duration_years': got 4.0; allowed: the duration from date_first_non_raynaud_symptom "
        "and visit_date (4.0027 years), or leave it empty: the typed value lies on the other side of the "
        "4-year criteria threshold.")


def test_typed_duration_more_than_the_tolerance_away_is_rejected() -> None:
    """2023-07-10 to 2026-01-10 = 915 days = 2.5051 years; 2.52 is 5.4 days away, beyond the tolerance."""
    assert DURATION_TOLERANCE_YEARS < 2.52 - 915 / 365.25
    with pytest.raises(ConsistencyError) as info:
        _dated(2.52, onset="2023-07-10", visit="2026-01-10")
    assert str(info.value) == (
        "field 'disease_duration_years': got 2.52; allowed: the duration from date_first_non_raynaud_symptom "
        "and visit_date (2.5051 years), or leave it empty.")
    _dated(2.505, onset="2023-07-10", visit="2026-01-10")  # 0.05 day away, no threshold between: accepted


def test_tolerance_is_about_a_day() -> None:
    assert DURATION_TOLERANCE_YEARS * 365.25 < 2


def test_duration_thresholds_are_read_from_the_criteria_files() -> None:
    """hsct.md A1-A3: EBMT < 5 y; ASSIST/ASTIS <= 4 y; ASTIS route B <= 2 y; SCOT 4 vs 5 y; UPSIDE 2 vs 3 y."""
    assert duration_thresholds() == (2.0, 3.0, 4.0, 5.0)


def test_typed_duration_alone_is_used_as_given() -> None:
    d = derived_inputs(Patient(disease_duration_years=4.0))["disease_duration_years"]
    assert (d.value, d.interpretation) == (4.0, "given")
