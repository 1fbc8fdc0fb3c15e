"""Column declarations: table validation, casting, and one-value checks."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from sclerostem.errors import InputError, InputTypeError
from sclerostem.scores._columns import Column, check_value, coerce_frame, validate_frame

GRADE = Column("g", "int", 0, 3, "grade")
FLAG = Column("f", "bool")
DAY = Column("d", "date")
KIND = Column("k", "category", choices=("deep", "superficial"))
ALL = (GRADE, FLAG, DAY, KIND, Column("x", "float", 0, 50, "mg/dL"), Column("t", "text"))


def test_typed_int_out_of_range_names_first_bad_row():
    df = pl.DataFrame({"g": pl.Series([0, 3, 5, 7], dtype=pl.Int8)})
    with pytest.raises(InputError) as exc:
        validate_frame(df, ALL)
    assert str(exc.value) == "row 3, field 'g': got 5; allowed: a whole number from 0 to 3 (grade)."


def test_first_bad_column_in_declaration_order():
    df = pl.DataFrame({"k": ["shallow"], "g": [9]})
    with pytest.raises(InputError, match=r"^row 1, field 'g': got 9;"):
        validate_frame(df, ALL)


def test_category_message():
    with pytest.raises(InputError) as exc:
        validate_frame(pl.DataFrame({"k": ["deep", "shallow"]}), ALL)
    assert str(exc.value) == (
        "row 2, field 'k': got 'shallow'; allowed: one of 'deep', 'superficial'."
    )


def test_coerce_text_table():
    df = pl.DataFrame({"g": ["1", None], "f": ["TRUE", "0"], "d": ["2024-02-29", None],
                       "t": ["a", "b"]})
    validate_frame(df, ALL)
    out = coerce_frame(df, ALL)
    assert out.schema == pl.Schema({"g": pl.Int64, "f": pl.Boolean, "d": pl.Date,
                                    "k": pl.Utf8, "x": pl.Float64, "t": pl.Utf8})
    assert out.row(0) == (1, True, dt.date(2024, 2, 29), None, None, "a")
    assert out.row(1) == (None, False, None, None, None, "b")


def test_coerce_datetime_and_empty_frame():
    df = pl.DataFrame({"d": [dt.datetime(2024, 1, 2, 13, 0)]})
    assert coerce_frame(df, (DAY,))["d"].to_list() == [dt.date(2024, 1, 2)]
    assert coerce_frame(pl.DataFrame(), ALL).height == 0


@pytest.mark.parametrize(("col", "value", "exc_type", "message"), [
    (GRADE, 4, InputError, "field 'g': got 4; allowed: a whole number from 0 to 3 (grade)."),
    (FLAG, 1, InputTypeError, "field 'f': got 1; allowed: True or False (None if not recorded)."),
    (KIND, "x", InputError, "field 'k': got 'x'; allowed: one of 'deep', 'superficial'."),
    (DAY, "2024-01-01", InputTypeError,
     "field 'd': got '2024-01-01'; allowed: a datetime.date (None if not recorded)."),
])
def test_check_value_messages(col, value, exc_type, message):
    with pytest.raises(exc_type) as exc:
        check_value(col, value)
    assert str(exc.value) == message


def test_check_value_passes_none_and_converts_datetime():
    assert check_value(GRADE, None) is None
    assert check_value(DAY, dt.datetime(2024, 1, 2, 8)) == dt.date(2024, 1, 2)
