"""Validation of survival inputs (times, event indicators, causes, groups).

Every error names the field (the caller's column name), the 1-based row and
what is allowed, in the package's one wording (:mod:`sclerostem.errors`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sclerostem.errors import InputError, InputTypeError

__all__ = ["as_causes", "as_events", "as_groups", "as_times", "check_same_length"]


def _first(mask: NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def _as_float(values: Any, field: str, allowed: str) -> NDArray[np.float64]:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InputError(field, f"array of shape {arr.shape}", "a one-dimensional sequence")
    if arr.dtype.kind == "b":
        raise InputTypeError(field, bool(arr[0]) if arr.size else arr, allowed, 1)
    if arr.dtype.kind not in "iuf":
        for i, v in enumerate(arr.tolist()):
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise InputTypeError(field, v, allowed, i + 1)
        arr = arr.astype(np.float64)
    return arr.astype(np.float64, copy=False)


def as_times(values: Any, field: str = "time") -> NDArray[np.float64]:
    """Follow-up times: finite numbers >= 0 (any unit, the same for all rows)."""
    allowed = "a number of at least 0 (follow-up time; empty cells are not allowed)"
    arr = _as_float(values, field, allowed)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        i = _first(bad)
        raise InputError(field, float(arr[i]), allowed, i + 1)
    return arr


def as_events(values: Any, field: str = "event") -> NDArray[np.int64]:
    """Event indicators: 1 = event observed, 0 = censored."""
    allowed = "0 (censored) or 1 (event)"
    arr = _as_float(values, field, allowed)
    bad = ~np.isin(arr, (0.0, 1.0))
    if bad.any():
        i = _first(bad)
        raise InputError(field, float(arr[i]) if np.isfinite(arr[i]) else None, allowed, i + 1)
    return arr.astype(np.int64)


def as_causes(values: Any, field: str = "cause") -> NDArray[np.int64]:
    """Cause codes: 0 = censored, 1, 2, ... = cause of the event (whole numbers)."""
    allowed = "a whole number: 0 (censored) or a cause code 1, 2, ..."
    arr = _as_float(values, field, allowed)
    bad = ~np.isfinite(arr) | (arr < 0) | (np.floor(arr) != arr)
    if bad.any():
        i = _first(bad)
        raise InputError(field, float(arr[i]) if np.isfinite(arr[i]) else None, allowed, i + 1)
    return arr.astype(np.int64)


def as_groups(values: Any, field: str = "group") -> tuple[NDArray[np.int64], tuple[str, ...]]:
    """Group labels -> (codes 0..k-1, sorted labels).

    Labels are compared as text; numeric labels sort numerically (as R's
    ``factor`` does for a numeric vector), others alphabetically.
    """
    raw = list(np.asarray(values, dtype=object).tolist()) if not isinstance(values, list) else values
    for i, v in enumerate(raw):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v == "":
            raise InputError(field, v, "a group label (empty cells are not allowed)", i + 1)
    uniq = set(raw)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in uniq):
        order: Sequence[Any] = sorted(uniq)
    else:
        order = sorted(uniq, key=str)
    labels = tuple(_label(v) for v in order)
    index = {v: k for k, v in enumerate(order)}
    codes = np.fromiter((index[v] for v in raw), dtype=np.int64, count=len(raw))
    return codes, labels


def _label(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def check_same_length(**arrays: Any) -> int:
    """All arrays must have one length; return it."""
    items = list(arrays.items())
    n = len(items[0][1])
    for name, arr in items[1:]:
        if len(arr) != n:
            raise InputError(name, f"{len(arr)} values", f"{n} values, one per row of {items[0][0]!r}")
    if n == 0:
        raise InputError(items[0][0], "no rows", "at least one row")
    return n

