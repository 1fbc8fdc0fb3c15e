"""Declarations of the input columns of the vectorised (table) scoring path.

Every instrument module declares the table columns it reads as :class:`Column`
objects; :func:`validate_frame` checks a whole table against them at once and
raises the package's one error wording with the 1-based data row number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from sclerostem._validation import check_choice, check_number, describe_range
from sclerostem.errors import InputError, InputTypeError

__all__ = ["Column", "check_value", "coerce_frame", "validate_frame"]

Kind = Literal["int", "float", "bool", "category", "date", "text"]


@dataclass(frozen=True, slots=True)
class Column:
    """One input column of a visits table.

    Attributes
    ----------
    name : str
        Column name (snake case, unit in the name: ``crp_mg_dl``).
    kind : {"int", "float", "bool", "category", "date", "text"}
        Data kind. Booleans are 0/1 or true/false; empty means not recorded.
        ``text`` is free text that no score reads (identifiers such as
        ``patient_id``); it is carried through unchanged.
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
        if self.kind == "text":
            return "any text"
        return describe_range(self.lo, self.hi, self.unit, integer=self.kind == "int")


_NUMERIC = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64,
            pl.Float32, pl.Float64)


#: Text accepted for booleans (no per-cell lower-casing: a hash look-up is much faster).
_BOOL_MAP: dict[str, bool] = {
    **{t: True for t in ("1", "1.0", "true", "True", "TRUE")},
    **{t: False for t in ("0", "0.0", "false", "False", "FALSE")},
}


_INTEGER = _NUMERIC[:8]
_Exc = type[InputError] | type[InputTypeError]


def _checks(col: Column, dtype: pl.DataType) -> list[tuple[_Exc, pl.Expr, pl.Expr]]:
    """Checks of one column, in reporting order: (error class, any-bad flag, bad-cell mask).

    The flag is a cheap aggregate (min/max for typed numbers); the mask is only
    evaluated for a column whose flag fired, to find the first bad row.
    """
    c = pl.col(col.name)
    if dtype == pl.Null or col.kind == "text":
        return []
    masks: list[tuple[_Exc, pl.Expr]] = []
    flag: pl.Expr | None = None
    if col.kind in ("int", "float"):
        if dtype not in _NUMERIC:
            masks.append((InputTypeError, c.cast(pl.Float64, strict=False).is_null() & c.is_not_null()))
        f = c.cast(pl.Float64, strict=False)
        bad = f.is_nan()
        if col.lo is not None:
            bad = bad | (f < col.lo)
        if col.hi is not None:
            bad = bad | (f > col.hi)
        if col.kind == "int":
            bad = bad | (f.round(0) != f)
        masks.append((InputError, bad))
        if dtype in _INTEGER:
            flag = pl.lit(False)
            if col.lo is not None:
                flag = flag | (c.min() < col.lo)
            if col.hi is not None:
                flag = flag | (c.max() > col.hi)
    elif col.kind == "bool":
        if dtype != pl.Boolean:
            masks.append((InputError, ~c.cast(pl.Utf8).is_in(list(_BOOL_MAP))))
    elif col.kind == "category":
        masks.append((InputError, ~c.cast(pl.Utf8).is_in(list(col.choices))))
    elif col.kind == "date" and dtype not in (pl.Date, pl.Datetime):
        txt = c.cast(pl.Utf8)
        masks.append((InputError, txt.str.to_date("%Y-%m-%d", strict=False).is_null()
                      & txt.is_not_null()))
    out = []
    for exc, mask in masks:
        mask = mask.fill_null(False)
        out.append((exc, (flag if flag is not None else mask.any()).fill_null(False), mask))
    return out


def validate_frame(df: pl.DataFrame, columns: Iterable[Column]) -> None:
    """Check every declared column present in ``df``; raise on the first bad cell.

    Missing columns and null cells are allowed (not recorded). Raises
    :class:`~sclerostem.errors.InputTypeError` for a non-numeric column where a
    number is required and :class:`~sclerostem.errors.InputError` for a value out
    of range or not among the allowed codes, naming the 1-based data row.
    Columns are checked in declaration order; all checks run in one parallel
    pass over the table, and only a failing column is searched for its row.
    """
    schema = dict(df.schema)  # df.schema is rebuilt on every access
    checks = [
        (col, exc, flag, mask)
        for col in columns
        if col.name in schema
        for exc, flag, mask in _checks(col, schema[col.name])
    ]
    if not checks or df.height == 0:
        return
    hits = df.select([flag.alias(f"c{i}") for i, (_, _, flag, _) in enumerate(checks)]).row(0)
    for (col, exc, _, mask), hit in zip(checks, hits, strict=True):
        if hit:
            idx = int(df.select(pl.arg_where(mask).first()).item())
            raise exc(col.name, df.get_column(col.name)[idx], col.allowed(), row=idx + 1)


_DTYPES: dict[str, pl.DataType] = {
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "category": pl.Utf8(),
    "date": pl.Date(),
    "text": pl.Utf8(),
}


def _coerce(col: Column, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(col.name)
    if col.kind == "int":
        return c.cast(pl.Int64) if dtype in _INTEGER else c.cast(pl.Float64, strict=False).cast(pl.Int64)
    if col.kind == "float":
        return c.cast(pl.Float64, strict=False)
    if col.kind == "bool":
        if dtype in (pl.Boolean, pl.Null):
            return c.cast(pl.Boolean)
        return c.cast(pl.Utf8).replace_strict(_BOOL_MAP, default=None, return_dtype=pl.Boolean)
    if col.kind == "date":
        if dtype in (pl.Date, pl.Null):
            return c.cast(pl.Date)
        if dtype == pl.Datetime:
            return c.dt.date()
        return c.cast(pl.Utf8).str.to_date("%Y-%m-%d", strict=False)
    return c.cast(pl.Utf8)


def coerce_frame(df: pl.DataFrame, columns: Iterable[Column]) -> pl.DataFrame:
    """Return the declared columns of ``df`` cast to their canonical dtypes.

    Call after :func:`validate_frame`. Declared columns absent from ``df`` are
    added as all-null columns (not recorded), so that every instrument sees every
    column it reads; undeclared columns are dropped. Canonical dtypes:
    int -> Int64, float -> Float64, bool -> Boolean, category/text -> Utf8,
    date -> Date.
    """
    schema = dict(df.schema)  # df.schema is rebuilt on every access
    exprs = [
        _coerce(col, schema[col.name]).alias(col.name) if col.name in schema
        else pl.repeat(None, pl.len(), dtype=_DTYPES[col.kind]).alias(col.name)
        for col in columns
    ]
    if not df.columns:  # a frame without columns still has a height
        df = pl.DataFrame({"__rows__": pl.repeat(0, df.height, eager=True)})
    return df.select(exprs)


def check_value(col: Column, value: Any, row: int | None = None) -> Any:
    """Validate one value of ``col`` for the one-visit API; ``None`` passes through.

    The wording matches :func:`validate_frame`'s for numbers and codes, so a
    value refused in a table is refused with the same message in a model.

    Raises
    ------
    InputTypeError
        Wrong Python type (e.g. ``"yes"`` for a boolean, text for a number).
    InputError
        Out of range, not whole, or not an allowed code.
    """
    if value is None:
        return None
    if col.kind in ("int", "float"):
        return check_number(col.name, value, col.lo, col.hi, unit=col.unit,
                            integer=col.kind == "int", row=row)
    if col.kind == "bool":
        if not isinstance(value, bool):
            raise InputTypeError(col.name, value, "True or False (None if not recorded)", row)
        return value
    if col.kind == "category":
        return check_choice(col.name, value, col.choices, row)
    if col.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if not isinstance(value, dt.date):
            raise InputTypeError(col.name, value, "a datetime.date (None if not recorded)", row)
        return value
    if not isinstance(value, str):
        raise InputTypeError(col.name, value, "text", row)
    return value
