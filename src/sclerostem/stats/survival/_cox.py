"""Cox proportional-hazards regression with Efron (default) or Breslow ties.

* ``ties="efron"`` wraps :class:`lifelines.CoxPHFitter` (Efron only), which agrees
  with R ``coxph(ties="efron")`` to about 1e-7 relative on the Rossi and lung data
  (tests/stats/test_cox_r.py) - shared/spec/outcomes.md §2.2 reports the same.
* ``ties="breslow"`` is computed here (lifelines has no Breslow option) by
  Newton-Raphson on the Breslow partial likelihood, matching R
  ``coxph(ties="breslow")``.

Standard errors are from the inverse observed information (model-based, not
robust); ``p`` is the two-sided Wald p-value; CIs are ``exp(coef -/+ z se)``.
Rows with a missing covariate are dropped (complete-case, as R's
``na.action = na.omit``) and counted in ``n_dropped``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import InputError
from sclerostem.result import Caveat
from sclerostem.stats.survival._inputs import as_events, as_times
from sclerostem.stats.survival._regression import (
    complete_cases,
    newton_raphson,
    numeric_covariate,
    rows_dropped_caveats,
)

__all__ = ["TIES", "CoxModel", "cox_ph"]

TIES: tuple[str, ...] = ("efron", "breslow")
_TOL_LOGLIK = 1e-13  #: relative change in log partial likelihood at convergence


@dataclass(frozen=True, slots=True)
class CoxModel:
    """Fitted Cox model.

    Attributes
    ----------
    terms : tuple of str
        Covariate names, in the order given.
    coef, se, z, p_value, hr, hr_ci_low, hr_ci_high : ndarray
        Per term: log hazard ratio, its SE, Wald z, two-sided p, hazard ratio and
        its CI.
    loglik_null, loglik : float
        Log partial likelihood at beta = 0 and at the estimate.
    n, n_event, n_dropped : int
        Rows used, events among them, rows dropped for a missing covariate.
    ties : {"efron", "breslow"}
    conf_level : float
    caveats : tuple of Caveat
    """

    terms: tuple[str, ...]
    coef: NDArray[np.float64]
    se: NDArray[np.float64]
    z: NDArray[np.float64]
    p_value: NDArray[np.float64]
    hr: NDArray[np.float64]
    hr_ci_low: NDArray[np.float64]
    hr_ci_high: NDArray[np.float64]
    loglik_null: float
    loglik: float
    n: int
    n_event: int
    n_dropped: int
    ties: str
    conf_level: float
    caveats: tuple[Caveat, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: one row per term."""
        rows = [
            {
                "term": t, "coef": float(self.coef[i]), "se": float(self.se[i]),
                "hr": float(self.hr[i]), "ci_low": float(self.hr_ci_low[i]),
                "ci_high": float(self.hr_ci_high[i]), "z": float(self.z[i]),
                "p": float(self.p_value[i]),
            }
            for i, t in enumerate(self.terms)
        ]
        return {
            "model": "cox", "ties": self.ties, "conf_level": self.conf_level,
            "n": self.n, "n_event": self.n_event, "n_dropped": self.n_dropped,
            "loglik_null": self.loglik_null, "loglik": self.loglik, "terms": rows,
            "caveats": [c.to_dict() for c in self.caveats],
        }


def _breslow_parts(
    x: NDArray[np.float64], t: NDArray[np.float64], e: NDArray[np.int64], beta: NDArray[np.float64]
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """Breslow log partial likelihood, score and information (data sorted by time descending)."""
    eta = x @ beta
    w = np.exp(eta)
    s0 = np.cumsum(w)
    s1 = np.cumsum(w[:, None] * x, axis=0)
    s2 = np.cumsum(w[:, None, None] * x[:, :, None] * x[:, None, :], axis=0)
    # last row of each tie block (descending order) holds the full risk set
    last = np.r_[t[1:] != t[:-1], True]
    blk = np.cumsum(np.r_[True, t[1:] != t[:-1]]) - 1
    d = np.bincount(blk, weights=e)
    s0b, s1b, s2b = s0[last], s1[last], s2[last]
    m = d > 0
    d, s0b, s1b, s2b = d[m], s0b[m], s1b[m], s2b[m]
    ev = e == 1
    loglik = float(eta[ev].sum() - (d * np.log(s0b)).sum())
    mean = s1b / s0b[:, None]
    score = x[ev].sum(axis=0) - (d[:, None] * mean).sum(axis=0)
    info = (d[:, None, None] * (s2b / s0b[:, None, None] - mean[:, :, None] * mean[:, None, :])).sum(axis=0)
    return loglik, score, info


def _fit_breslow(x: NDArray[np.float64], t: NDArray[np.float64], e: NDArray[np.int64]) -> tuple[
    NDArray[np.float64], NDArray[np.float64], float, float
]:
    order = np.argsort(-t, kind="stable")
    xc = x[order] - x.mean(axis=0)
    ts, es = t[order], e[order]
    beta, ll, info, ll0 = newton_raphson(
        lambda b: _breslow_parts(xc, ts, es, b),
        x.shape[1],
        lambda ll_old, ll_new, step, _beta: bool(
            abs(ll_new - ll_old) <= _TOL_LOGLIK * abs(ll_old) and np.max(np.abs(step)) < 1e-10
        ),
    )
    cov = np.linalg.inv(info)
    return beta, np.sqrt(np.diag(cov)), ll0, ll


def _fit_efron(x: NDArray[np.float64], t: NDArray[np.float64], e: NDArray[np.int64], terms: Sequence[str]) -> tuple[
    NDArray[np.float64], NDArray[np.float64], float, float
]:
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceWarning

    cols = [f"x{i}" for i in range(len(terms))]
    df = pd.DataFrame(x, columns=cols)
    df["_time"] = t
    df["_event"] = e
    cph = CoxPHFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        cph.fit(df, "_time", "_event", fit_options={"precision": 1e-12})
    beta = cph.params_[cols].to_numpy()
    se = cph.standard_errors_[cols].to_numpy()
    return beta, se, float(cph.log_likelihood_ratio_test().test_statistic * -0.5 + cph.log_likelihood_), float(
        cph.log_likelihood_
    )


def cox_ph(
    time: ArrayLike,
    event: ArrayLike,
    covariates: Mapping[str, ArrayLike],
    *,
    ties: Literal["efron", "breslow"] = "efron",
    conf_level: float = 0.95,
    time_field: str = "time",
    event_field: str = "event",
) -> CoxModel:
    """Fit a Cox proportional-hazards model.

    Parameters
    ----------
    time : array_like of float
        Follow-up time (>= 0, any unit).
    event : array_like of {0, 1}
        1 = event, 0 = censored.
    covariates : mapping of str to array_like of float
        Numeric covariates by name (encode categories as 0/1 columns); ``None``
        or NaN marks a missing value (the row is dropped).
    ties : {"efron", "breslow"}
        Handling of tied event times; Efron is R's and lifelines' default.
    conf_level : float
        Coverage of the hazard-ratio CIs (default 0.95).
    time_field, event_field : str
        Names used in error messages.

    Returns
    -------
    CoxModel

    References
    ----------
    Cox DR. J R Stat Soc B 1972;34:187-220. Efron B. J Am Stat Assoc
    1977;72:557-65. Breslow N. Biometrics 1974;30:89-99. R survival 3.5 ``coxph``
    and lifelines 0.30 ``CoxPHFitter`` (shared/spec/outcomes.md §2).
    """
    check_choice("ties", ties, TIES)
    check_number("conf_level", conf_level, 0.5, 0.999)
    if not covariates:
        raise InputError("covariates", "", "at least one covariate column")
    t = as_times(time, time_field)
    e = as_events(event, event_field)
    terms = tuple(covariates)
    cols = [numeric_covariate(name, covariates[name]) for name in terms]
    x, t, e, n_dropped = complete_cases(t, e, dict(zip(terms, cols, strict=True)), time_field, event_field)
    if e.sum() == 0:
        raise InputError(event_field, "no events", "at least one event (1) among complete rows")
    for j, name in enumerate(terms):
        if np.ptp(x[:, j]) == 0:
            raise InputError(name, float(x[0, j]), "a covariate that varies between rows")
    if ties == "efron":
        beta, se, ll0, ll = _fit_efron(x, t, e, terms)
    else:
        beta, se, ll0, ll = _fit_breslow(x, t, e)
    z = beta / se
    p = 2 * stats.norm.sf(np.abs(z))
    q = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    caveats = rows_dropped_caveats("cox", n_dropped)
    return CoxModel(
        terms=terms, coef=beta, se=se, z=z, p_value=p, hr=np.exp(beta),
        hr_ci_low=np.exp(beta - q * se), hr_ci_high=np.exp(beta + q * se),
        loglik_null=ll0, loglik=ll, n=int(t.size), n_event=int(e.sum()), n_dropped=n_dropped,
        ties=ties, conf_level=conf_level, caveats=caveats,
    )
