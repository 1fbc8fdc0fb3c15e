"""Turn a user table into validated NumPy columns for the GPC engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sclerostem.errors import InputError, InputTypeError, UnknownFieldError
from sclerostem.stats.gpc._endpoints import Endpoint

__all__ = ["GPCData", "prepare_data"]


@dataclass(frozen=True, slots=True)
class GPCData:
    """Validated analysis columns.

    ``treated`` is a boolean vector; ``values[k]`` / ``status[k]`` hold the
    outcome (NaN = missing) and event indicator of endpoint ``k``;
    ``stratum`` holds integer stratum codes (all 0 without strata).
    """

    treated: NDArray[np.bool_]
    values: tuple[NDArray[np.float64], ...]
    status: tuple[NDArray[np.float64] | None, ...]
    stratum: NDArray[np.intp]
    strata_labels: tuple[str, ...]
    treated_label: str
    control_label: str


def _columns(data: Any) -> dict[str, list[Any]]:
    """Column name -> list of Python values, for polars, pandas or a mapping."""
    if hasattr(data, "to_dict") and hasattr(data, "columns"):
        mod = type(data).__module__
        if mod.startswith("polars"):
            return {c: data.get_column(c).to_list() for c in data.columns}
        if mod.startswith("pandas"):
            return {
                str(c): [None if _is_na(v) else v for v in data[c].tolist()] for c in data.columns
            }
    if isinstance(data, Mapping):
        out = {}
        for k, v in data.items():
            if isinstance(v, np.ndarray):
                out[str(k)] = v.tolist()
            elif isinstance(v, Sequence) and not isinstance(v, str):
                out[str(k)] = list(v)
            else:
                raise InputTypeError(str(k), v, "a sequence of values (one per patient)")
        return out
    raise InputTypeError(
        "data", type(data).__name__, "a polars or pandas DataFrame or a mapping of columns"
    )


def _py(v: Any) -> Any:
    """NumPy scalar -> Python scalar, for error messages."""
    return v.item() if isinstance(v, np.generic) else v


def _is_na(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _get(cols: dict[str, list[Any]], name: str, field: str) -> list[Any]:
    if name not in cols:
        raise UnknownFieldError(
            field, name, "one of the table's columns: " + ", ".join(repr(c) for c in cols)
        )
    return cols[name]


_NUMBER_TYPES = {int, float, type(None), np.float64, np.float32, np.int64, np.int32}


def _numeric(values: Any, column: str, allowed: str) -> NDArray[np.float64]:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        out = values.astype(float)
        bad = np.flatnonzero(np.isinf(out))
        if bad.size:
            raise InputError(column, float(out[bad[0]]), allowed, row=int(bad[0]) + 1)
        return out
    if set(map(type, values)) <= _NUMBER_TYPES:  # fast path: numbers and None only
        return _numeric(np.array(values, dtype=float), column, allowed)
    out = np.empty(len(values))
    for i, v in enumerate(values):
        if _is_na(v) or v == "":
            out[i] = np.nan
        elif isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise InputTypeError(column, v, allowed, row=i + 1)
        else:
            out[i] = float(v)
            if np.isinf(out[i]):
                raise InputError(column, v, allowed, row=i + 1)
    return out


def prepare_data(
    data: Any,
    arm: str,
    treated: Any,
    endpoints: Sequence[Endpoint],
    strata: str | None = None,
) -> GPCData:
    """Validate the table and extract the columns the endpoints need.

    Raises
    ------
    UnknownFieldError
        A column that is not in the table.
    InputTypeError
        Text where a number is required.
    InputError
        Not exactly two arms, an empty arm, a status other than 0/1, a missing
        status for a recorded time, a negative time, or a binary value other
        than 0/1.
    """
    if not endpoints:
        raise InputError("endpoints", list(endpoints), "at least one endpoint")
    cols = _columns(data)
    arm_values = _get(cols, arm, "arm")
    levels = sorted({str(v) for v in arm_values if not _is_na(v)})
    t_label = str(treated)
    if t_label not in levels:
        raise InputError(
            "treated", treated, f"a value of column {arm!r}: " + ", ".join(repr(v) for v in levels)
        )
    others = [v for v in levels if v != t_label]
    if len(others) != 1:
        raise InputError(arm, levels, "exactly two arms (the treated value and one control value)")
    for i, v in enumerate(arm_values):
        if _is_na(v):
            raise InputError(
                arm, None, f"{t_label!r} or {others[0]!r} (every patient needs an arm)", row=i + 1
            )
    is_t = np.array([str(v) == t_label for v in arm_values], dtype=bool)
    values = []
    status: list[NDArray[np.float64] | None] = []
    for k, ep in enumerate(endpoints, start=1):
        raw = _get(cols, ep.column, f"endpoints[{k}].column")
        if ep.kind == "tte":
            x = _numeric(raw, ep.column, "a follow-up time of at least 0")
            bad = np.flatnonzero(x < 0)
            if bad.size:
                raise InputError(
                    ep.column, raw[bad[0]], "a follow-up time of at least 0", row=int(bad[0]) + 1
                )
            assert ep.status is not None
            sraw = _get(cols, ep.status, f"endpoints[{k}].status")
            s = _numeric(sraw, ep.status, "1 (event) or 0 (censored)")
            for i, (sv, xv) in enumerate(zip(s, x, strict=True)):
                if np.isnan(sv):
                    if not np.isnan(xv):
                        raise InputError(
                            ep.status,
                            None,
                            "1 (event) or 0 (censored) when a time is recorded",
                            row=i + 1,
                        )
                elif sv not in (0.0, 1.0):
                    raise InputError(ep.status, sraw[i], "1 (event) or 0 (censored)", row=i + 1)
            x = np.where(np.isnan(s), np.nan, x)
            values.append(x)
            status.append(np.nan_to_num(s, nan=0.0))
        else:
            allowed = "0 or 1" if ep.kind == "binary" else "a number"
            x = _numeric(raw, ep.column, allowed)
            if ep.kind == "binary":
                bad = np.flatnonzero(~np.isnan(x) & (x != 0) & (x != 1))
                if bad.size:
                    raise InputError(ep.column, _py(raw[bad[0]]), allowed, row=int(bad[0]) + 1)
            values.append(x)
            status.append(None)
    if strata is None:
        code = np.zeros(is_t.size, dtype=np.intp)
        labels: tuple[str, ...] = ("all",)
    else:
        sv = _get(cols, strata, "strata")
        for i, v in enumerate(sv):
            if _is_na(v):
                raise InputError(strata, None, "a stratum for every patient", row=i + 1)
        labels = tuple(sorted({str(v) for v in sv}))
        lookup = {lab: j for j, lab in enumerate(labels)}
        code = np.array([lookup[str(v)] for v in sv], dtype=np.intp)
    for j, lab in enumerate(labels):
        in_s = code == j
        for group, name in ((is_t, t_label), (~is_t, others[0])):
            if not np.any(group & in_s):
                where = f"arm {name!r}" + ("" if strata is None else f" in stratum {lab!r}")
                raise InputError(arm, name, f"at least one patient in {where}")
    return GPCData(is_t, tuple(values), tuple(status), code, labels, t_label, others[0])
