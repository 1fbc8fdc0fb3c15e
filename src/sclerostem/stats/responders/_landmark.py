"""Responder rates at landmark times from a long visits table.

Conventions (project decisions, reported with every result):

* baseline value of a measure = its non-missing value at the visit closest to
  time 0 within ``baseline_window_months``; landmark value = the non-missing value
  at the visit closest to the landmark within ``window_months`` (the earlier
  visit on a tie);
* a patient without both values is *not evaluable*; with ``missing="exclude"``
  (default) the patient is left out of the denominator and counted in
  ``n_not_evaluable``; with ``missing="non_responder"`` (non-responder
  imputation) the patient counts as a non-responder;
* a relative threshold with a baseline of 0 cannot be met (counted as not
  improved and reported in a caveat);
* comparisons allow 1e-9 for floating-point noise (``-0.1 - 0.025`` style).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import InputError, UnknownFieldError
from sclerostem.result import Caveat, Evidence
from sclerostem.stats._binomial import clopper_pearson
from sclerostem.stats.responders._definitions import ResponderDefinition

__all__ = ["ResponderAnalysis", "ResponderRate", "responder_flags", "responder_rates"]

_EPS = 1e-9  #: floating-point slack in threshold comparisons
Missing = Literal["exclude", "non_responder"]


@dataclass(frozen=True, slots=True)
class ResponderRate:
    """Responder proportion for one definition, landmark and group."""

    definition: str
    landmark_months: float
    group: str | None
    n_patients: int
    n_evaluable: int
    n_not_evaluable: int
    n_responders: int
    proportion: float
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (NaN -> null)."""
        def f(x: float) -> float | None:
            return None if np.isnan(x) else float(x)

        return {
            "definition": self.definition, "landmark_months": self.landmark_months,
            "group": self.group, "n_patients": self.n_patients, "n_evaluable": self.n_evaluable,
            "n_not_evaluable": self.n_not_evaluable, "n_responders": self.n_responders,
            "proportion": f(self.proportion), "ci_low": f(self.ci_low), "ci_high": f(self.ci_high),
        }


@dataclass(frozen=True, slots=True)
class ResponderAnalysis:
    """All responder rates of one call, with the parameters and caveats."""

    rates: tuple[ResponderRate, ...]
    definitions: tuple[ResponderDefinition, ...]
    parameters: dict[str, Any]
    caveats: tuple[Caveat, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "analysis": "responders",
            "parameters": self.parameters,
            "definitions": [d.to_dict() for d in self.definitions],
            "rates": [r.to_dict() for r in self.rates],
            "caveats": [c.to_dict() for c in self.caveats],
        }


def _check_columns(visits: pl.DataFrame, cols: Sequence[str]) -> None:
    for c in cols:
        if c not in visits.columns:
            raise UnknownFieldError(c, "missing column", "a column of the visits table: " + ", ".join(visits.columns))


def _numeric(visits: pl.DataFrame, col: str) -> pl.Series:
    s = visits.get_column(col)
    if s.dtype == pl.Null:
        return s.cast(pl.Float64)
    cast = s.cast(pl.Float64, strict=False)
    bad = (cast.is_null() & s.is_not_null()) | cast.is_nan().fill_null(False)
    if bad.any():
        i = int(bad.arg_true()[0])
        raise InputError(col, s[i], "a number, empty if not recorded", i + 1)
    return cast


def _closest(work: pl.DataFrame, target: float, window: float, name: str) -> pl.DataFrame:
    return (
        work.filter(pl.col("_v").is_not_null() & ((pl.col("_t") - target).abs() <= window + _EPS))
        .with_columns((pl.col("_t") - target).abs().alias("_d"))
        .sort(["_pid", "_d", "_t"])
        .group_by("_pid", maintain_order=True)
        .first()
        .select(["_pid", pl.col("_v").alias(name)])
    )


def _meets(x: np.ndarray, thr: float, strict: bool) -> np.ndarray:
    return x > thr + _EPS if strict else x >= thr - _EPS


def responder_flags(
    visits: pl.DataFrame,
    definition: ResponderDefinition,
    landmark_months: float,
    *,
    patient_col: str = "patient_id",
    time_col: str = "time_months",
    group_col: str | None = None,
    window_months: float = 3.0,
    baseline_window_months: float = 1.0,
) -> pl.DataFrame:
    """Per patient: baseline, landmark value, change and responder flag (null = not evaluable).

    Parameters
    ----------
    visits : polars.DataFrame
        One row per visit: ``patient_col``, ``time_col`` (months since baseline,
        e.g. since HSCT or randomisation) and the measure column of ``definition``.
    definition : ResponderDefinition
    landmark_months : float
        Landmark time (months).
    group_col : str, optional
        Arm or group column (first value per patient is used).
    window_months, baseline_window_months : float
        Half-widths of the visit windows (months).

    Returns
    -------
    polars.DataFrame
        Columns ``patient_id``, ``group``, ``baseline``, ``value``, ``change``,
        ``relative_change_pct``, ``responder`` (Boolean, null if not evaluable).
    """
    check_number("landmark_months", landmark_months, 0, 1200, unit="months")
    check_number("window_months", window_months, 0, 120, unit="months")
    check_number("baseline_window_months", baseline_window_months, 0, 120, unit="months")
    cols = [patient_col, time_col, definition.measure] + ([group_col] if group_col else [])
    _check_columns(visits, cols)
    t = _numeric(visits, time_col)
    if t.is_null().any():
        i = int(t.is_null().arg_true()[0])
        raise InputError(time_col, None, "a number of months since baseline (empty is not allowed)", i + 1)
    pid = visits.get_column(patient_col).cast(pl.Utf8)
    if pid.is_null().any():
        i = int(pid.is_null().arg_true()[0])
        raise InputError(patient_col, None, "a patient identifier (empty is not allowed)", i + 1)
    work = pl.DataFrame({"_pid": pid, "_t": t, "_v": _numeric(visits, definition.measure)})
    if group_col:
        work = work.with_columns(visits.get_column(group_col).cast(pl.Utf8).alias("_g"))
    patients = work.group_by("_pid", maintain_order=True).agg(
        pl.col("_g").drop_nulls().first().alias("group") if group_col else pl.lit(None, pl.Utf8).alias("group")
    )
    fu = _closest(work, landmark_months, window_months, "value")
    out = patients.join(fu, on="_pid", how="left")
    if definition.kind == "level":
        out = out.with_columns(
            pl.lit(None, pl.Float64).alias("baseline"), pl.lit(None, pl.Float64).alias("change"),
            pl.lit(None, pl.Float64).alias("relative_change_pct"),
        )
        v = out.get_column("value").to_numpy().astype(float)
        resp = _meets(v, float(definition.threshold or 0.0), definition.strict)
        ok = ~np.isnan(v)
    else:
        base = _closest(work, 0.0, baseline_window_months, "baseline")
        out = out.join(base, on="_pid", how="left")
        b = out.get_column("baseline").to_numpy().astype(float)
        v = out.get_column("value").to_numpy().astype(float)
        sign = -1.0 if definition.direction == "decrease" else 1.0
        change = v - b
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(b != 0, 100 * change / b, np.nan)
        improvement = sign * change
        resp = np.ones(len(out), dtype=bool)
        if definition.min_change is not None:
            resp &= _meets(improvement, definition.min_change, definition.strict)
        if definition.min_relative_pct is not None:
            rel_imp = sign * rel
            resp &= np.where(np.isnan(rel_imp), False, _meets(np.nan_to_num(rel_imp), definition.min_relative_pct,
                                                                  definition.strict_relative))
        ok = ~np.isnan(b) & ~np.isnan(v)
        if definition.min_baseline_exclusive is not None:
            # The definition does not apply below its baseline condition: not evaluable.
            ok &= np.where(np.isnan(b), False, b > definition.min_baseline_exclusive)
        out = out.with_columns(pl.Series("change", change, nan_to_null=True),
                               pl.Series("relative_change_pct", rel, nan_to_null=True))
    flags = pl.Series("responder", [bool(r) if o else None for r, o in zip(resp, ok, strict=True)], dtype=pl.Boolean)
    return out.with_columns(flags).rename({"_pid": "patient_id"}).select(
        ["patient_id", "group", "baseline", "value", "change", "relative_change_pct", "responder"]
    )


def responder_rates(
    visits: pl.DataFrame,
    definitions: Sequence[ResponderDefinition],
    landmarks_months: Sequence[float],
    *,
    patient_col: str = "patient_id",
    time_col: str = "time_months",
    group_col: str | None = None,
    window_months: float = 3.0,
    baseline_window_months: float = 1.0,
    missing: Missing = "exclude",
    conf_level: float = 0.95,
) -> ResponderAnalysis:
    """Responder proportions with exact (Clopper-Pearson) CIs, per definition, landmark and group.

    Parameters
    ----------
    visits : polars.DataFrame
        Long visits table (see :func:`responder_flags`).
    definitions : sequence of ResponderDefinition
        E.g. ``[PRESETS["acr_criss"], PRESETS["mrss_mcid_dcssc"]]``.
    landmarks_months : sequence of float
        Landmark times in months.
    group_col : str, optional
        Arm/group column; rates are given overall (group ``None``) and per group.
    window_months, baseline_window_months : float
        Visit windows (months, half-widths).
    missing : {"exclude", "non_responder"}
        Not-evaluable patients left out, or counted as non-responders.
    conf_level : float
        CI coverage (default 0.95).

    Returns
    -------
    ResponderAnalysis

    References
    ----------
    Clopper CJ, Pearson ES. Biometrika 1934;26:404-13. Thresholds: see each
    definition's ``source`` (shared/spec/scores.md §1, §4, §5, §10).
    """
    check_choice("missing", missing, ("exclude", "non_responder"))
    check_number("conf_level", conf_level, 0.5, 0.999)
    if not definitions:
        raise InputError("definitions", "none", "at least one responder definition")
    if not landmarks_months:
        raise InputError("landmarks_months", "none", "at least one landmark time (months)")
    rates: list[ResponderRate] = []
    caveats: list[Caveat] = []
    seen: set[str] = set()
    for d in definitions:
        for c in d.caveats:
            if c.code not in seen:
                caveats.append(c)
                seen.add(c.code)
        for lm in landmarks_months:
            flags = responder_flags(visits, d, lm, patient_col=patient_col, time_col=time_col,
                                    group_col=group_col, window_months=window_months,
                                    baseline_window_months=baseline_window_months)
            if d.kind == "change" and d.min_relative_pct is not None:
                zero = flags.filter((pl.col("baseline") == 0) & pl.col("value").is_not_null()).height
                if zero:
                    caveats.append(Caveat(
                        f"responders.{d.name}.zero_baseline.{lm:g}",
                        f"{zero} patient(s) had a baseline {d.measure} of 0, so a relative change is "
                        f"undefined; counted as not improved ({d.name}, {lm:g} months).",
                        None, Evidence.DERIVED))
            groups: list[tuple[str | None, pl.DataFrame]] = [(None, flags)]
            if group_col:
                labels = sorted(v for v in flags.get_column("group").unique().to_list() if v is not None)
                groups += [(g, flags.filter(pl.col("group") == g)) for g in labels]
            for g, sub in groups:
                r = sub.get_column("responder")
                n_pat = sub.height
                n_eval = int(r.is_not_null().sum())
                k = int(r.fill_null(False).sum())
                n = n_eval if missing == "exclude" else n_pat
                lo, hi = clopper_pearson(k, n, conf_level)
                rates.append(ResponderRate(d.name, float(lm), g, n_pat, n_eval, n_pat - n_eval, k,
                                           k / n if n else float("nan"), lo, hi))
    params = {"patient_col": patient_col, "time_col": time_col, "group_col": group_col,
              "landmarks_months": [float(x) for x in landmarks_months], "window_months": window_months,
              "baseline_window_months": baseline_window_months, "missing": missing, "conf_level": conf_level,
              "ci": "Clopper-Pearson exact"}
    return ResponderAnalysis(tuple(rates), tuple(definitions), params, tuple(caveats))
