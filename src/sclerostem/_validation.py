"""Shared validation helpers producing the package's one error wording."""

from __future__ import annotations

import math
from typing import Any

from sclerostem.errors import InputError, InputTypeError

__all__ = ["check_choice", "check_number", "describe_range"]


def describe_range(lo: float | None, hi: float | None, unit: str | None = None, integer: bool = False) -> str:
    """Phrase an allowed range for an error message, e.g. ``'a number from 0 to 50 (mg/dL)'``."""
    kind = "a whole number" if integer else "a number"
    if lo is not None and hi is not None:
        text = f"{kind} from {lo:g} to {hi:g}"
    elif lo is not None:
        text = f"{kind} of at least {lo:g}"
    elif hi is not None:
        text = f"{kind} of at most {hi:g}"
    else:
        text = kind
    return f"{text} ({unit})" if unit else text


def check_number(
    field: str,
    value: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    unit: str | None = None,
    integer: bool = False,
    row: int | None = None,
) -> float | int | None:
    """Validate one numeric input; ``None`` (not recorded) passes through unchanged.

    Raises
    ------
    InputTypeError
        If ``value`` is not a number (booleans are refused too).
    InputError
        If ``value`` is NaN, not whole when ``integer``, or outside ``[lo, hi]``.
    """
    if value is None:
        return None
    allowed = describe_range(lo, hi, unit, integer)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputTypeError(field, value, allowed, row)
    if isinstance(value, float) and math.isnan(value):
        raise InputError(field, value, allowed + "; leave it empty if not recorded", row)
    if integer and float(value) != int(value):
        raise InputError(field, value, allowed, row)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InputError(field, value, allowed, row)
    return int(value) if integer else value


def check_choice(field: str, value: Any, choices: tuple[str, ...], row: int | None = None) -> str | None:
    """Validate a categorical input against its allowed codes."""
    if value is None:
        return None
    if value not in choices:
        raise InputError(field, value, "one of " + ", ".join(repr(c) for c in choices), row)
    return str(value)
