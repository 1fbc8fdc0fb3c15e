"""ISBT 128 donation identification numbers (DIN) and their check character.

The DIN is 13 characters: a 5-character facility identification number (FIN),
a 2-digit year and a 6-digit sequence number. Printed eye-readable, it is
followed by a check character computed with ISO/IEC 7064 modulus 37-2 over the
13 characters (the leading ``=`` data identifier and the two flag characters
excluded); in the bar code the flags carry the checksum + 60.

References
----------
.. [1] JPAC, Guidelines for the Blood Transfusion Services in the UK (Red
   Book), Annex 2 "ISBT 128 check character calculation", Tables A2.1-A2.2
   (worked example G123 498 654 321 -> checksum 17, eye-readable ``H``,
   bar-code flag value 77). Source key ``JPAC-RedBook-Annex2`` (msc.md §5
   names ISBT 128 DS001 as the DIN data structure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sclerostem.errors import InputError

__all__ = ["DonationId", "iso7064_mod37_2", "parse_din"]

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
_DIN_RE = re.compile(r"^([A-Z0-9]{5})(\d{2})(\d{6})$")


def iso7064_mod37_2(data: str) -> int:
    """ISO/IEC 7064 MOD 37-2 checksum (0-36) of ``data`` (digits, A-Z).

    Each character's value (Table A2.1) is weighted by 2**n, n its position
    from the right (1-based); checksum = (38 - sum mod 37) mod 37.
    """
    total = 0
    for n, ch in enumerate(reversed(data), start=1):
        value = _ALPHABET.find(ch)
        if value < 0 or ch == "*":
            raise InputError("din", data, "digits 0-9 and capital letters A-Z")
        total += value * (1 << n)
    return (38 - total % 37) % 37


@dataclass(frozen=True, slots=True)
class DonationId:
    """A parsed ISBT 128 donation identification number.

    Attributes
    ----------
    facility : str
        Facility identification number (FIN), 5 characters.
    year : str
        Two-digit year of assignment.
    sequence : str
        Six-digit sequence number.
    check_character : str
        Eye-readable check character (ISO 7064 mod 37-2).
    """

    facility: str
    year: str
    sequence: str
    check_character: str

    @property
    def din(self) -> str:
        """The 13 data characters."""
        return f"{self.facility}{self.year}{self.sequence}"

    @property
    def flag_value(self) -> int:
        """Bar-code flag value: checksum + 60 (Red Book Annex 2)."""
        return _ALPHABET.index(self.check_character) + 60

    def __str__(self) -> str:
        return f"{self.facility} {self.year} {self.sequence} {self.check_character}"


def parse_din(text: str) -> DonationId:
    """Parse an ISBT 128 DIN as keyed or scanned, and verify its check character.

    Accepts spaces, a leading ``=`` data identifier, and either an eye-readable
    check character (14th character) or two bar-code flag digits (14th-15th
    characters, ``00`` meaning "no flag" or checksum+60).

    Raises
    ------
    InputError
        If the text is not a DIN, or the check character does not match: a
        mistyped or mis-scanned number must never be accepted.

    Examples
    --------
    >>> str(parse_din("G123 498 654 321 H"))
    'G1234 98 654321 H'
    """
    if not isinstance(text, str):
        raise InputError("din", text, "an ISBT 128 donation identification number as text")
    compact = re.sub(r"\s+", "", text.upper())
    if compact.startswith("="):
        compact = compact[1:]
    allowed = "13 characters (5-character facility code, 2-digit year, 6-digit sequence), optionally followed by the check character or two flag digits"
    data, tail = compact[:13], compact[13:]
    m = _DIN_RE.match(data)
    if not m or len(tail) > 2:
        raise InputError("din", text, allowed)
    expected = _ALPHABET[iso7064_mod37_2(data)]
    if len(tail) == 1:
        if tail != expected:
            raise InputError("din", text, f"a DIN whose check character is {expected!r} (check the number for a typing error)")
    elif len(tail) == 2:
        if not tail.isdigit():
            raise InputError("din", text, allowed)
        flag = int(tail)
        if flag not in (0, iso7064_mod37_2(data) + 60):
            raise InputError("din", text, f"flag digits '00' or '{iso7064_mod37_2(data) + 60}' for this DIN (check the scan)")
    return DonationId(m.group(1), m.group(2), m.group(3), expected)
