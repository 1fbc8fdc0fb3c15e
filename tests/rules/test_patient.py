"""The patient model: ranges, types, unknown fields and contradictions, with exact messages."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sclerostem.errors import ConsistencyError, InputError, InputTypeError, UnknownFieldError
from sclerostem.rules import Patient, assess, derived_inputs, patient_from_json
from tests.rules._base import example

RTOL_EXACT = 1e-12  #: days / 365.25 in double precision, no rounding


def test_everything_optional_and_unknown_stays_unknown() -> None:
    p = Patient()
    assert p.lvef_percent is None
    assert p.cmr_septal_bounce_or_d_sign is None  # never defaulted to False
    a = assess(p)
    assert {v.verdict for v in a.verdicts} == {"undetermined"}


@pytest.mark.parametrize(("data", "error", "message"), [
    ({"age_years": 121}, InputError, "field 'age_years': got 121; allowed: a whole number from 0 to 120 (years)."),
    ({"age_years": "45"}, InputTypeError,
     "field 'age_years': got '45'; allowed: a whole number from 0 to 120 (years)."),
    ({"lvef_percent": True}, InputTypeError, "field 'lvef_percent': got True; allowed: a number from 5 to 90 (%)."),
    ({"crp_mg_l": -1.0}, InputError, "field 'crp_mg_l': got -1.0; allowed: a number from 0 to 500 (mg/L)."),
    ({"mrss_total": 52}, InputError, "field 'mrss_total': got 52; allowed: a whole number from 0 to 51 (points)."),
    ({"sex": "m"}, InputError, "field 'sex': got 'm'; allowed: one of 'female', 'male'."),
    ({"smoking_status": "yes"}, InputError,
     "field 'smoking_status': got 'yes'; allowed: one of 'never', 'former', 'current'."),
    ({"ild_on_hrct": "yes"}, InputTypeError,
     "field 'ild_on_hrct': got 'yes'; allowed: true or false (null if not recorded)."),
    ({"visit_date": "2026-13-01"}, InputTypeError, "field 'visit_date': got '2026-13-01'; allowed: a date YYYY-MM-DD."),
    ({"lvef": 55}, UnknownFieldError,
     "field 'lvef': got 55; allowed: a field of the patient schema (docs/patient.schema.json)."),
    ({"mrss_sites": {"face": 4}}, InputError, "field 'mrss_sites.face': got 4; allowed: a whole number from 0 to 3 (points)."),
    ({"mrss_sites": {"back": 1}}, UnknownFieldError, "field 'mrss_sites.back': got 1; allowed: one of face, "),
])
def test_invalid_values_name_field_value_and_allowed(data, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as info:
        Patient(**data)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(("data", "message"), [
    ({"visit_date": "2026-01-10", "date_first_non_raynaud_symptom": "2026-03-01"},
     "field 'date_first_non_raynaud_symptom': got '2026-03-01'; allowed: a date on or before visit_date (2026-01-10)."),
    ({"visit_date": "2026-01-10", "date_of_birth": "1980-01-11", "age_years": 46},
     "field 'age_years': got 46; allowed: the age from date_of_birth and visit_date (45 years), or leave it empty."),
    ({"visit_date": "2026-01-10", "date_first_non_raynaud_symptom": "2024-01-10", "disease_duration_years": 3},
     "field 'disease_duration_years': got 3.0; allowed: the duration from date_first_non_raynaud_symptom and "
     "visit_date (2.0014 years), or leave it empty."),
    ({"age_years": 30, "disease_duration_years": 31},
     "field 'disease_duration_years': got 31.0; allowed: a duration no longer than age_years (30)."),
    ({"prior_alkylating_agent": False, "prior_cyclophosphamide_oral_months": 2},
     "field 'prior_alkylating_agent': got False; allowed: true, since prior_cyclophosphamide_oral_months shows "
     "cyclophosphamide (an alkylating agent) was given."),
    ({"prior_cyclophosphamide_iv_courses": 0, "prior_cyclophosphamide_iv_months": 3},
     "field 'prior_cyclophosphamide_iv_months': got 3.0; allowed: 0 when prior_cyclophosphamide_iv_courses is 0."),
    ({"smoking_status": "never", "smoking_cessation_date": "2020-01-01"},
     "field 'smoking_cessation_date': got '2020-01-01'; allowed: no date when smoking_status is 'never' "
     "(only for 'former')."),
    ({"cutaneous_subset": "sine", "mrss_total": 4},
     "field 'cutaneous_subset': got 'sine'; allowed: 'diffuse' or 'limited' when mrss_total is 4 "
     "(skin thickening present)."),
    ({"mrss_total": 20, "mrss_sites": {**{s: 0 for s in example("scot-eligible")["mrss_sites"]}, "face": 1}},
     "field 'mrss_total': got 20; allowed: the sum of mrss_sites (1), or leave mrss_total empty."),
    ({"cutaneous_subset": "limited", "mrss_sites": example("scot-eligible")["mrss_sites"],
      "skin_thickening_back": False},
     "field 'cutaneous_subset': got 'limited'; allowed: 'diffuse' (the subset given by mrss_sites), or leave it empty."),
    ({"acr_eular_2013_classified": False, "acr_eular_2013_items": example("scot-eligible")["acr_eular_2013_items"]},
     "field 'acr_eular_2013_classified': got False; allowed: true (the result of acr_eular_2013_items: classified), "
     "or leave it empty."),
])
def test_contradictions_are_consistency_errors(data, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConsistencyError) as info:
        Patient(**data)
    assert str(info.value) == message


def test_patient_from_json_errors() -> None:
    with pytest.raises(InputTypeError) as info:
        patient_from_json("[1, 2]")
    assert str(info.value) == "field 'patient': got 'list'; allowed: a JSON object of patient fields."
    with pytest.raises(InputTypeError) as info:
        patient_from_json('{"age_years": 4')
    assert str(info.value) == ("field 'patient': got 'invalid JSON at line 1 column 16'; "
                               "allowed: a JSON object of patient fields.")


def test_non_utf8_file() -> None:
    with pytest.raises(InputTypeError) as info:
        patient_from_json(b'{"sex": "\xff"}')
    assert str(info.value) == ("field 'patient': got 'text that is not UTF-8'; "
                               "allowed: a JSON object of patient fields (UTF-8).")


def test_schema_key_is_ignored() -> None:
    assert patient_from_json(json.dumps({"$schema": "x", "age_years": 40})).age_years == 40


def test_derived_inputs_computed_by_the_scores_engine() -> None:
    """scot-eligible: 17 site grades sum to 25 (scores.md §1: mRSS = sum of sites); upper arms > 0 ->
    diffuse (scores.md §7); sufficient ACR/EULAR criterion -> classified (scores.md §2); onset
    2024-09-01 to visit 2026-10-15 = 774 days / 365.25 = 2.1191 years (passed to the rules unrounded)."""
    d = derived_inputs(Patient(**example("scot-eligible")))
    assert d["mrss_total"].value == 25
    assert d["mrss_total"].interpretation.startswith("computed")
    assert d["cutaneous_subset"].value == "diffuse"
    assert d["acr_eular_2013_classified"].value is True
    assert d["disease_duration_years"].value == pytest.approx(774 / 365.25, rel=RTOL_EXACT)
    assert d["age_years"].interpretation == "given"


def test_age_from_date_of_birth_is_completed_years() -> None:
    day_before = derived_inputs(Patient(date_of_birth="1980-05-02", visit_date="2026-05-01"))
    on_birthday = derived_inputs(Patient(date_of_birth="1980-05-02", visit_date="2026-05-02"))
    assert (day_before["age_years"].value, on_birthday["age_years"].value) == (45, 46)


def test_missing_mrss_site_leaves_total_unknown() -> None:
    sites = dict(example("scot-eligible")["mrss_sites"])
    del sites["face"]
    d = derived_inputs(Patient(mrss_sites=sites, skin_thickening_back=False))
    assert d["mrss_total"].value is None
    assert d["cutaneous_subset"].value == "diffuse"  # proximal involvement decides it anyway


def test_alkylating_agent_inferred_from_cyclophosphamide() -> None:
    d = derived_inputs(Patient(prior_cyclophosphamide_oral_months=2))
    assert d["prior_alkylating_agent"].value is True
    assert derived_inputs(Patient())["prior_alkylating_agent"].value is None


@given(st.integers(min_value=0, max_value=120))
def test_any_age_in_range_is_accepted(age: int) -> None:
    assert Patient(age_years=age).age_years == age


@given(st.floats(min_value=90.0001, max_value=1e6, allow_nan=False))
def test_lvef_above_range_is_refused(lvef: float) -> None:
    with pytest.raises(InputError):
        Patient(lvef_percent=lvef)


@given(st.fixed_dictionaries({}, optional={
    "age_years": st.integers(18, 80),
    "sex": st.sampled_from(["female", "male"]),
    "mrss_total": st.integers(0, 51),
    "lvef_percent": st.floats(5, 90, allow_nan=False),
    "rhc_mpap_rest_mmhg": st.floats(3, 100, allow_nan=False),
    "smoking_status": st.sampled_from(["never", "former", "current"]),
    "ild_on_hrct": st.booleans(),
}))
def test_json_round_trip(data: dict) -> None:
    p = Patient(**data)
    assert patient_from_json(p.model_dump_json(exclude_none=True)) == p
