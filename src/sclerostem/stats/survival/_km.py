"""Kaplan-Meier estimator with Greenwood variance, R ``survfit`` conventions.

Conventions (all as R survival 3.5 ``survfit``/``summary.survfit``/``quantile.survfit``):

* one row per distinct observed time (event or censoring), ``n_risk`` = number
  with time >= t, ties of events and censorings at one time: events first
  (censored subjects are still at risk at their own time);
* ``std_err`` is the Greenwood standard error of the cumulative hazard
  ``-log S(t)``: ``sqrt(sum d / (n (n - d)))``;
* confidence intervals (``conf_type``):
  ``"log"`` (R's default) ``exp(log S -/+ z se)``, upper capped at 1, missing where S = 0;
  ``"log-log"`` ``S ** exp(+/- z se / log S)``, missing where S is 0 or 1 (lifelines'
  and scikit-survival's only choice); ``"plain"`` ``S -/+ z se S`` clipped to [0, 1];
* median = R's ``quantile.survfit`` rule: the first time where S <= 0.5; when S
  equals 0.5 (within sqrt(machine epsilon)) on a flat stretch, the midpoint of that
  stretch; the median's CI is read the same way off the CI curves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sclerostem._validation import check_choice, check_number
from sclerostem.stats.survival._inputs import as_events, as_groups, as_times, check_same_length

__all__ = ["CONF_TYPES", "KaplanMeier", "kaplan_meier", "kaplan_meier_by_group"]

ConfType = Literal["log", "log-log", "plain"]
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain")
_TOL = float(np.sqrt(np.finfo(float).eps))  #: R quantile.survfit tolerance


def _none_if_nan(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _list(a: NDArray[Any]) -> list[Any]:
    if a.dtype.kind == "f":
        return [None if not np.isfinite(v) else float(v) for v in a.tolist()]
    return [int(v) for v in a.tolist()]


def confidence_limits(
    surv: NDArray[np.float64], se: NDArray[np.float64], conf_type: str, z: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Pointwise limits of S(t) from the Greenwood SE of -log S(t) (R ``survfit_confint``)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type == "log":
            xx = np.where(surv == 0, np.nan, surv)
            lower = np.exp(np.log(xx) - z * se)
            upper = np.minimum(np.exp(np.log(xx) + z * se), 1.0)
            upper = np.where(np.isnan(xx), np.nan, upper)
        elif conf_type == "log-log":
            xx = np.where((surv == 0) | (surv == 1), np.nan, surv)
            se2 = z * se / np.log(xx)
            lower = np.exp(-np.exp(np.log(-np.log(xx)) - se2))
            upper = np.exp(-np.exp(np.log(-np.log(xx)) + se2))
        else:
            se2 = se * surv * z
            lower = np.maximum(surv - se2, 0.0)
            upper = np.minimum(surv + se2, 1.0)
            bad = np.isnan(se2)
            lower = np.where(bad, np.nan, lower)
            upper = np.where(bad, np.nan, upper)
    return lower, upper


def _findq(x: NDArray[np.float64], y: NDArray[np.float64], p: float) -> float:
    """R survival ``findq``: where the CDF curve ``y`` (= 1 - S) crosses ``p``."""
    finite = y[~np.isnan(y)]
    if finite.size == 0 or finite.max() < p:
        return float("nan")
    xmax = x[-1]
    # drop duplicated y values, keeping the first (R ``duplicated``: all NaN count as one
    # value). Non-missing y never decreases, so a duplicate equals the previous non-missing value.
    nan = np.isnan(y)
    keep = np.ones(y.size, dtype=bool)
    if nan.any():
        keep[nan] = False
        keep[int(np.flatnonzero(nan)[0])] = True
    prev_idx = np.maximum.accumulate(np.where(~nan, np.arange(y.size), -1))  # last non-missing index <= i
    prev = np.concatenate(([-1], prev_idx[:-1]))  # ... strictly before i
    has_prev = prev >= 0
    dup = np.zeros(y.size, dtype=bool)
    dup[has_prev] = y[has_prev] == y[prev[has_prev]]
    keep &= ~(dup & ~nan)
    xd, yd = x[keep], y[keep]
    ok = ~np.isnan(yd)
    idx = np.flatnonzero(ok)
    yo = yd[ok]

    def first_at_least(v: NDArray[np.float64]) -> float:
        j = np.flatnonzero(v >= p)
        return float(xd[idx[j[0]]]) if j.size else float("nan")

    x1 = first_at_least(yo + _TOL)
    x2 = first_at_least(yo - _TOL)
    quant = (x1 + x2) / 2
    if p == 0:
        quant = float(xd[0])
    if not np.isnan(yd[-1]) and abs(p - yd[-1]) < _TOL:
        quant = (x1 + xmax) / 2
    return quant


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """One Kaplan-Meier curve (one group).

    Attributes
    ----------
    group : str or None
        Group label, ``None`` for an ungrouped fit.
    time, n_risk, n_event, n_censor, survival, std_err, ci_low, ci_high : ndarray
        One row per distinct observed time (R ``survfit`` layout); ``std_err`` is
        the Greenwood SE of the cumulative hazard; missing limits are NaN.
    conf_type : {"log", "log-log", "plain"}
        Interval type.
    conf_level : float
        Coverage of the pointwise intervals (0.95 by default).
    n : int
        Subjects in the curve.
    """

    group: str | None
    time: NDArray[np.float64]
    n_risk: NDArray[np.int64]
    n_event: NDArray[np.int64]
    n_censor: NDArray[np.int64]
    survival: NDArray[np.float64]
    std_err: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    conf_type: str
    conf_level: float
    n: int

    @property
    def events(self) -> int:
        """Total number of events."""
        return int(self.n_event.sum())

    def quantile(self, p: float) -> tuple[float, float, float]:
        """Time by which a fraction ``p`` has had the event, with its CI (R rule).

        Returns ``(estimate, ci_low, ci_high)``; NaN where the curve (or its limit)
        never reaches ``1 - p``.
        """
        check_number("p", p, 0, 1)
        x = np.concatenate(([0.0], self.time))
        est = _findq(x, np.concatenate(([0.0], 1 - self.survival)), p)
        lo = _findq(x, np.concatenate(([0.0], 1 - self.ci_low)), p)
        hi = _findq(x, np.concatenate(([0.0], 1 - self.ci_high)), p)
        return est, lo, hi

    @property
    def median(self) -> tuple[float, float, float]:
        """Median survival time with its CI ``(estimate, ci_low, ci_high)``; NaN if not reached."""
        return self.quantile(0.5)

    def n_at_risk(self, times: ArrayLike) -> NDArray[np.int64]:
        """Number still at risk (time >= t) at each of ``times``."""
        t = as_times(times, "at")
        idx = np.searchsorted(self.time, t, side="left")
        before = np.concatenate(([0], np.cumsum(self.n_event + self.n_censor)))
        return (self.n - before[idx]).astype(np.int64)

    def at(self, times: ArrayLike) -> dict[str, NDArray[Any]]:
        """Survival and CI at chosen times (R ``summary(fit, times=, extend=TRUE)``).

        The value at ``t`` is the curve's value at the last observed time <= t;
        before the first observed time survival and both limits are 1 (as R
        reports them for every CI type); ``n_risk`` is the number with time >= t.
        """
        t = as_times(times, "at")
        idx = np.searchsorted(self.time, t, side="right") - 1
        pre = idx < 0
        safe = np.where(pre, 0, idx)
        surv = np.where(pre, 1.0, self.survival[safe])
        lo = np.where(pre, 1.0, self.ci_low[safe])
        hi = np.where(pre, 1.0, self.ci_high[safe])
        return {"time": t, "n_risk": self.n_at_risk(t), "survival": surv, "ci_low": lo, "ci_high": hi}

    def to_dict(self, at: ArrayLike | None = None) -> dict[str, Any]:
        """Plain-JSON form (NaN -> null)."""
        med, mlo, mhi = self.median
        out: dict[str, Any] = {
            "group": self.group,
            "n": self.n,
            "events": self.events,
            "conf_type": self.conf_type,
            "conf_level": self.conf_level,
            "median": _none_if_nan(med),
            "median_ci_low": _none_if_nan(mlo),
            "median_ci_high": _none_if_nan(mhi),
            "table": {
                "time": _list(self.time),
                "n_risk": _list(self.n_risk),
                "n_event": _list(self.n_event),
                "n_censor": _list(self.n_censor),
                "survival": _list(self.survival),
                "std_err": _list(self.std_err),
                "ci_low": _list(self.ci_low),
                "ci_high": _list(self.ci_high),
            },
        }
        if at is not None:
            out["at"] = {k: _list(np.asarray(v)) for k, v in self.at(at).items()}
        return out


def _fit(
    time: NDArray[np.float64], event: NDArray[np.int64], group: str | None, conf_type: str, conf_level: float
) -> KaplanMeier:
    ut, inv = np.unique(time, return_inverse=True)
    total = np.bincount(inv, minlength=ut.size)
    d = np.bincount(inv, weights=event, minlength=ut.size).astype(np.int64)
    n = time.size
    n_risk = n - np.concatenate(([0], np.cumsum(total)[:-1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - d / n_risk)
        inc = np.where(d > 0, d / (n_risk * (n_risk - d).astype(float)), 0.0)
    var = np.cumsum(inc)
    se = np.sqrt(var)
    z = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    lo, hi = confidence_limits(surv, se, conf_type, z)
    return KaplanMeier(
        group=group, time=ut, n_risk=n_risk.astype(np.int64), n_event=d,
        n_censor=(total - d).astype(np.int64), survival=surv, std_err=se, ci_low=lo, ci_high=hi,
        conf_type=conf_type, conf_level=conf_level, n=n,
    )


def _check_conf(conf_type: str, conf_level: float) -> None:
    check_choice("conf_type", conf_type, CONF_TYPES)
    check_number("conf_level", conf_level, 0.5, 0.999)


def kaplan_meier(
    time: ArrayLike,
    event: ArrayLike,
    *,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
    time_field: str = "time",
    event_field: str = "event",
) -> KaplanMeier:
    """Kaplan-Meier survival curve with Greenwood variance.

    Parameters
    ----------
    time : array_like of float
        Follow-up time of each subject (>= 0; any unit, e.g. months).
    event : array_like of {0, 1}
        1 if the event was observed at ``time``, 0 if censored.
    conf_type : {"log", "log-log", "plain"}
        Pointwise CI type; ``"log"`` is R's default (lifelines uses log-log).
    conf_level : float
        Coverage of the intervals, default 0.95.
    time_field, event_field : str
        Names used in error messages (the CSV column names).

    Returns
    -------
    KaplanMeier

    References
    ----------
    Kaplan EL, Meier P. J Am Stat Assoc 1958;53:457-81. Greenwood M. Reports on
    Public Health and Medical Subjects 1926;33. Therneau TM, R package survival
    3.5 (``survfit``, ``quantile.survfit``), the oracle in shared/spec/outcomes.md §2.
    """
    _check_conf(conf_type, conf_level)
    t = as_times(time, time_field)
    e = as_events(event, event_field)
    check_same_length(**{time_field: t, event_field: e})
    return _fit(t, e, None, conf_type, conf_level)


def kaplan_meier_by_group(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    conf_type: ConfType = "log",
    conf_level: float = 0.95,
    time_field: str = "time",
    event_field: str = "event",
    group_field: str = "group",
) -> dict[str, KaplanMeier]:
    """One Kaplan-Meier curve per group (groups in sorted order); see :func:`kaplan_meier`."""
    _check_conf(conf_type, conf_level)
    t = as_times(time, time_field)
    e = as_events(event, event_field)
    g = list(np.asarray(group, dtype=object).tolist())
    check_same_length(**{time_field: t, event_field: e, group_field: g})
    codes, labels = as_groups(g, group_field)
    return {
        lab: _fit(t[codes == k], e[codes == k], lab, conf_type, conf_level)
        for k, lab in enumerate(labels)
    }
