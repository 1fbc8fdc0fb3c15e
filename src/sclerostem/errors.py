"""Exceptions raised by sclerostem.

Hierarchy::

    SclerostemError (Exception)            base of everything we raise on purpose
    ├── InputError (SclerostemError, ValueError)
    │   ├── UnknownFieldError              a column, site or field name we do not know
    │   └── ConsistencyError               values that contradict each other
    └── InputTypeError (SclerostemError, TypeError)

Every message names the field, the value received and what is allowed, in one
fixed form so that tests can pin the wording::

    row 12, field 'crp_mg_dl': got -1.0; allowed: a number from 0 to 50 (mg/dL).

The ``row`` part is present only for tabular input (1-based data row number,
header excluded).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConsistencyError",
    "InputError",
    "InputTypeError",
    "SclerostemError",
    "UnknownFieldError",
    "format_problem",
]


def format_problem(field: str, value: Any, allowed: str, row: int | None = None) -> str:
    """Render the one message form used throughout the package.

    Parameters
    ----------
    field : str
        Name of the input field, column or parameter.
    value : Any
        The value received (rendered with ``repr``).
    allowed : str
        What would have been accepted, phrased for a clinician.
    row : int, optional
        1-based data row of a table, if the value came from one.
    """
    where = f"row {row}, field {field!r}" if row is not None else f"field {field!r}"
    return f"{where}: got {value!r}; allowed: {allowed}."


class SclerostemError(Exception):
    """Base class of every error raised on purpose by sclerostem."""


class InputError(SclerostemError, ValueError):
    """A value the caller supplied is out of range, malformed or not allowed.

    Attributes
    ----------
    field, value, allowed, row
        The parts of the message, kept for programs (e.g. a web form that shows
        the message next to the field).
    """

    def __init__(self, field: str, value: Any, allowed: str, row: int | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.row = row
        super().__init__(format_problem(field, value, allowed, row))


class UnknownFieldError(InputError):
    """A column, body site or field name that the instrument does not define."""


class ConsistencyError(InputError):
    """Values that are each plausible but contradict each other (e.g. onset after visit)."""


class InputTypeError(SclerostemError, TypeError):
    """A value of the wrong type (e.g. text where a number is required)."""

    def __init__(self, field: str, value: Any, allowed: str, row: int | None = None) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.row = row
        super().__init__(format_problem(field, value, allowed, row))
