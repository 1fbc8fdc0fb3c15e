"""ISBT 128 DIN parsing and ISO 7064 mod 37-2 check characters.

Oracle: JPAC Red Book Annex 2, Table A2.2 — donation number G123 498 654 321,
weighted sum 148354, mod 37 = 21, checksum 17, eye-readable 'H', bar-code flag 77.
"""

import pytest

from sclerostem.cells import iso7064_mod37_2, parse_din
from sclerostem.errors import InputError


def test_red_book_worked_example_checksum() -> None:
    # JPAC Red Book Annex 2, Table A2.2.
    assert iso7064_mod37_2("G123498654321") == 17


def test_red_book_example_eye_readable_and_flag() -> None:
    din = parse_din("G123 498 654 321 H")
    assert din.check_character == "H"
    assert din.flag_value == 77
    assert (din.facility, din.year, din.sequence) == ("G1234", "98", "654321")


def test_scanned_with_data_identifier_and_flags() -> None:
    assert parse_din("=G12349865432177").check_character == "H"
    assert parse_din("=G12349865432100").check_character == "H"


def test_wrong_check_character_is_refused_with_the_expected_one() -> None:
    with pytest.raises(InputError) as exc:
        parse_din("G123498654321J")
    assert str(exc.value) == (
        "field 'din': got 'G123498654321J'; allowed: a DIN whose check character is 'H' "
        "(check the number for a typing error)."
    )


def test_single_transposition_is_detected() -> None:
    # ISO 7064 mod 37-2 detects all adjacent transpositions: swapping '9' and '8' changes the check.
    assert iso7064_mod37_2("G123489654321") != 17


def test_wrong_flag_digits_refused() -> None:
    with pytest.raises(InputError, match="flag digits '00' or '77'"):
        parse_din("=G12349865432176")


@pytest.mark.parametrize("bad", ["G12349865432", "G1234X8654321", "", "G123498654321HH1"])
def test_malformed_din(bad: str) -> None:
    with pytest.raises(InputError, match="field 'din'"):
        parse_din(bad)
