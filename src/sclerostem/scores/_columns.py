"""Declarations of the input columns of the vectorised (table) scoring path.

Every instrument module declares the table columns it reads as :class:`Column`
objects; :func:`validate_frame` checks a whole table against them at once and
raises the package's one error wording with the 1-based data row number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from sclerostem._validation import describe_range
from sclerostem.errors import InputError, InputTypeError

__all__ = ["Column", "validate_frame"]

Kind = Literal["int", "float", "bool", "category", "date"]


@dataclass(frozen=True, slots=True)
class Column:
    """One input column of a visits table.

    Attributes
    ----------
    name : str
        Column name (snake case, unit in the name: ``crp_mg_dl``).
    kind : {"int", "float", "bool", "category", "date"}
        Data kind. Booleans are 0/1 or true/false; empty means not recorded.
    lo, hi : float, optional
        Plausible range (inclusive).
    unit : str, optional
        Unit for messages and documentation.
    choices : tuple of str
        Allowed codes for ``category`` columns.
    description : str
        One line for the README's column table.
    source : str, optional
        Citation key of the instrument that reads the column.
    """

    name: str
    kind: Kind
    lo: float | None = None
    hi: float | None = None
    unit: str | None = None
    choices: tuple[str, ...] = ()
    description: str = ""
    source: str | None = None

    def allowed(self) -> str:
        """The 'allowed' phrase used in error messages."""
        if self.kind == "category":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "0 or 1 (true/false), empty if not recorded"
        if self.kind == "date":
            return "a date YYYY-MM-DD"
        return describe_range(self.lo, self.hi, self.unit, integer=self.kind == "int")


_NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64,
            pl.Float32, pl.Float64)


def _first_bad(mask: pl.Series) -> int | None:
    idx = mask.arg_true()
    return int(idx[0]) if len(idx) else None


def validate_frame(df: pl.DataFrame, columns: Iterable[Column]) -> None:
    """Check every declared column present in ``df``; raise on the first bad cell.

    Missing columns and null cells are allowed (not recorded). Raises
    :class:`~sclerostem.errors.InputTypeError` for a non-numeric column where a
    number is required and :class:`~sclerostem.errors.InputError` for a value out
    of range or not among the allowed codes, naming the 1-based data row.
    """
    for col in columns:
        if col.name not in df.columns:
            continue
        s = df.get_column(col.name)
        if col.kind in ("int", "float"):
            if s.dtype == pl.Null:
                continue
            if s.dtype not in _NUMERIC:
                cast = s.cast(pl.Float64, strict=False)
                bad = _first_bad(cast.is_null() & s.is_not_null())
                if bad is not None:
                    raise InputTypeError(col.name, s[bad], col.allowed(), row=bad + 1)
                s = cast
            f = s.cast(pl.Float64)
            bad_mask = f.is_nan().fill_null(False)
            if col.lo is not None:
                bad_mask = bad_mask | (f < col.lo).fill_null(False)
            if col.hi is not None:
                bad_mask = bad_mask | (f > col.hi).fill_null(False)
            if col.kind == "int":
                bad_mask = bad_mask | (f.round(0) != f).fill_null(False)
            bad = _first_bad(bad_mask)
            if bad is not None:
                raise InputError(col.name, s[bad], col.allowed(), row=bad + 1)
        elif col.kind == "bool":
            if s.dtype in (pl.Boolean, pl.Null):
                continue
            txt = s.cast(pl.Utf8).str.to_lowercase()
            ok = txt.is_in(["0", "1", "true", "false", "0.0", "1.0"]) | txt.is_null()
            bad = _first_bad(~ok)
            if bad is not None:
                raise InputError(col.name, s[bad], col.allowed(), row=bad + 1)
        elif col.kind == "category":
            txt = s.cast(pl.Utf8)
            bad = _first_bad(~(txt.is_in(list(col.choices)) | txt.is_null()))
            if bad is not None:
                raise InputError(col.name, s[bad], col.allowed(), row=bad + 1)
