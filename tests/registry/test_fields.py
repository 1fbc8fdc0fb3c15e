"""Property tests of the field declarations shared by services, API and importers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sclerostem.errors import InputError, InputTypeError
from sclerostem.registry import VISIT_FIELDS
from sclerostem.registry._fields import converter, parse_value

NUMERIC = [f for f in VISIT_FIELDS if f.kind in ("int", "float")]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_numbers_inside_range_round_trip_as_text(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(NUMERIC))
    if spec.kind == "int":
        v = data.draw(st.integers(int(spec.lo), int(spec.hi)))
    else:
        v = data.draw(st.floats(spec.lo, spec.hi, allow_nan=False))
    assert parse_value(spec, v) == v
    assert parse_value(spec, repr(v)) == v  # the CSV path
    assert converter(spec)(repr(v)) == v  # the bulk-import fast path agrees


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_numbers_outside_range_refused_with_the_one_wording(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(NUMERIC))
    above = data.draw(st.booleans())
    delta = data.draw(st.integers(1, 10**6))
    v = spec.hi + delta if above else spec.lo - delta
    for conv in (lambda x: parse_value(spec, x, 7), lambda x: converter(spec)(x, 7)):
        with pytest.raises(InputError) as exc:
            conv(str(v))
        assert str(exc.value) == f"row 7, field {spec.name!r}: got {str(v)!r}; allowed: {spec.allowed()}."


@given(text=st.text(min_size=1).filter(lambda t: t.strip() != ""))
def test_text_that_is_not_a_number_is_a_type_error(text: str) -> None:
    spec = next(f for f in VISIT_FIELDS if f.name == "crp_mg_dl")
    try:
        value = float(text)
    except ValueError:
        with pytest.raises(InputTypeError):
            parse_value(spec, text)
        with pytest.raises(InputTypeError):
            converter(spec)(text)
    else:
        if 0 <= value <= 50:
            assert converter(spec)(text) == parse_value(spec, text)


def test_dates_and_booleans() -> None:
    date = next(f for f in VISIT_FIELDS if f.name == "visit_date")
    flag = next(f for f in VISIT_FIELDS if f.name == "digital_ulcers")
    assert parse_value(date, "2024-02-29") == dt.date(2024, 2, 29)
    with pytest.raises(InputError) as exc:
        parse_value(date, "2023-02-29")
    assert str(exc.value) == "field 'visit_date': got '2023-02-29'; allowed: a date YYYY-MM-DD."
    assert [parse_value(flag, x) for x in ("1", "0", "true", "False", "", None)] == [True, False, True, False, None, None]
    with pytest.raises(InputError):
        parse_value(flag, "maybe")


def test_registry_public_api_matches_all() -> None:
    """``sclerostem.registry.__all__`` lists exactly its public names (what the web and API import)."""
    import inspect

    from sclerostem import registry

    public = {n for n, v in vars(registry).items() if not n.startswith("_") and not inspect.ismodule(v)}
    assert set(registry.__all__) == public
    assert {"DISEASES", "SUBSETS", "CRISS_EVENTS", "CandidacyInput", "candidacy_input", "check_record",
            "parse_value"} <= public
