"""Fine-Gray proportional subdistribution-hazards regression (R ``cmprsk::crr``).

The estimate maximises the weighted partial likelihood of Fine & Gray (1999):
at each distinct time ``c`` of the cause of interest the risk set holds everyone
still event-free (weight 1) and everyone who failed earlier from another cause,
with weight ``G(c-) / G(t_i-)``, ``G`` the Kaplan-Meier estimate of the censoring
distribution just before the time. Tied failures enter Breslow-style (as in crr).
The variance is crr's sandwich estimator ``H^-1 (sum_i (eta_i + psi_i)(eta_i + psi_i)') H^-1``,
where ``psi_i`` accounts for the estimated censoring distribution. One censoring
group (crr's ``cengroup`` is not offered), fixed covariates only (no ``cov2``/``tf``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sclerostem._validation import check_number
from sclerostem.errors import InputError
from sclerostem.result import Caveat
from sclerostem.stats.survival._inputs import as_causes, as_times
from sclerostem.stats.survival._regression import (
    complete_cases,
    newton_raphson,
    numeric_covariate,
    rows_dropped_caveats,
)

__all__ = ["FineGrayModel", "fine_gray"]



@dataclass(frozen=True, slots=True)
class FineGrayModel:
    """Fitted Fine-Gray model for one cause.

    Attributes
    ----------
    terms : tuple of str
    coef, se, z, p_value, shr, shr_ci_low, shr_ci_high : ndarray
        Log subdistribution hazard ratio, robust SE, Wald z, two-sided p,
        subdistribution hazard ratio and its CI.
    variance : ndarray
        Sandwich variance matrix of ``coef``.
    loglik : float
        Log pseudo-likelihood at the estimate.
    cause : int
    n, n_event, n_dropped : int
    conf_level : float
    caveats : tuple of Caveat
    """

    terms: tuple[str, ...]
    coef: NDArray[np.float64]
    se: NDArray[np.float64]
    z: NDArray[np.float64]
    p_value: NDArray[np.float64]
    shr: NDArray[np.float64]
    shr_ci_low: NDArray[np.float64]
    shr_ci_high: NDArray[np.float64]
    variance: NDArray[np.float64]
    loglik: float
    cause: int
    n: int
    n_event: int
    n_dropped: int
    conf_level: float
    caveats: tuple[Caveat, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: one row per term."""
        rows = [
            {"term": t, "coef": float(self.coef[i]), "se": float(self.se[i]), "shr": float(self.shr[i]),
             "ci_low": float(self.shr_ci_low[i]), "ci_high": float(self.shr_ci_high[i]),
             "z": float(self.z[i]), "p": float(self.p_value[i])}
            for i, t in enumerate(self.terms)
        ]
        return {"model": "fine-gray", "cause": self.cause, "conf_level": self.conf_level, "n": self.n,
                "n_event": self.n_event, "n_dropped": self.n_dropped, "loglik": self.loglik, "terms": rows,
                "caveats": [c.to_dict() for c in self.caveats]}


def _censoring_km_before(t: NDArray[np.float64], cens: NDArray[np.bool_]) -> NDArray[np.float64]:
    """KM of the censoring distribution just before each t_i (data sorted ascending)."""
    ut, inv = np.unique(t, return_inverse=True)
    total = np.bincount(inv, minlength=ut.size)
    dc = np.bincount(inv, weights=cens, minlength=ut.size)
    at_risk = t.size - np.concatenate(([0], np.cumsum(total)[:-1]))
    g_after = np.cumprod(1 - dc / at_risk)
    g_before = np.concatenate(([1.0], g_after[:-1]))
    return g_before[inv]


class _Data:
    """Sorted data and the per-time bookkeeping shared by likelihood and variance."""

    def __init__(self, t: NDArray[np.float64], ici: NDArray[np.int64], x: NDArray[np.float64]) -> None:
        order = np.argsort(t, kind="stable")
        self.t, self.ici, self.x = t[order], ici[order], x[order]
        self.g = _censoring_km_before(self.t, self.ici == 0)
        self.fail_times, self.d = np.unique(self.t[self.ici == 1], return_counts=True)
        # index of the first subject at each failure time, and of each subject's failure time
        self.first = np.searchsorted(self.t, self.fail_times, side="left")
        self.g_fail = self.g[self.first]

    def sums(self, beta: NDArray[np.float64]) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
        """Weighted risk-set sums S0, S1, S2 at each failure time, and exp(x beta)."""
        x, w = self.x, np.exp(self.x @ beta)
        wx = w[:, None] * x
        wxx = wx[:, :, None] * x[:, None, :]
        # those still at risk (t >= c): reverse cumulative sums from the first index at c
        r0 = np.concatenate((np.cumsum(w[::-1])[::-1], [0.0]))[self.first]
        r1 = np.vstack((np.cumsum(wx[::-1], axis=0)[::-1], np.zeros((1, x.shape[1]))))[self.first]
        r2 = np.concatenate((np.cumsum(wxx[::-1], axis=0)[::-1], np.zeros((1, *wxx.shape[1:]))))[self.first]
        # earlier failures from another cause (t < c), weighted G(c-)/G(t-)
        o = (self.ici == 2) / self.g
        c0 = np.concatenate(([0.0], np.cumsum(o * w)))[self.first]
        c1 = np.vstack((np.zeros((1, x.shape[1])), np.cumsum((o * w)[:, None] * x, axis=0)))[self.first]
        c2 = np.concatenate((np.zeros((1, *wxx.shape[1:])), np.cumsum(o[:, None, None] * wxx, axis=0)))[
            self.first
        ]
        gf = self.g_fail
        return r0 + gf * c0, r1 + gf[:, None] * c1, r2 + gf[:, None, None] * c2, w


def _objective(data: _Data, beta: NDArray[np.float64]) -> tuple[float, NDArray[Any], NDArray[Any]]:
    """Log pseudo-likelihood, score and information at ``beta``."""
    s0, s1, s2, _ = data.sums(beta)
    ev = data.ici == 1
    xbar = s1 / s0[:, None]
    loglik = float((data.x[ev] @ beta).sum() - (data.d * np.log(s0)).sum())
    score = data.x[ev].sum(axis=0) - (data.d[:, None] * xbar).sum(axis=0)
    info = (data.d[:, None, None] * (s2 / s0[:, None, None] - xbar[:, :, None] * xbar[:, None, :])).sum(axis=0)
    return loglik, score, info


def _sandwich_middle(data: _Data, beta: NDArray[np.float64]) -> NDArray[np.float64]:
    """Sum over subjects of (eta_i + psi_i)(eta_i + psi_i)' (crr's ``crrvv`` v2)."""
    s0, s1, _, w = data.sums(beta)
    t, ici, x, g = data.t, data.ici, data.x, data.g
    xbar = s1 / s0[:, None]
    d, gf = data.d.astype(float), data.g_fail
    a0, a1 = d / s0, (d / s0)[:, None] * xbar
    b0, b1 = d * gf / s0, (d * gf / s0)[:, None] * xbar
    # cumulative over failure times c_k <= t_i, and reverse over c_k > t_i / c_k >= t_i
    k_le = np.searchsorted(data.fail_times, t, side="right")  # number of c_k <= t_i
    cum_a0 = np.concatenate(([0.0], np.cumsum(a0)))[k_le]
    cum_a1 = np.vstack((np.zeros((1, x.shape[1])), np.cumsum(a1, axis=0)))[k_le]
    rev_b0 = np.concatenate((np.cumsum(b0[::-1])[::-1], [0.0]))
    rev_b1 = np.vstack((np.cumsum(b1[::-1], axis=0)[::-1], np.zeros((1, x.shape[1]))))
    eta = -w[:, None] * (x * cum_a0[:, None] - cum_a1)
    other = ici == 2
    eta[other] -= (w[other] / g[other])[:, None] * (x[other] * rev_b0[k_le[other]][:, None] - rev_b1[k_le[other]])
    fail = ici == 1
    idx = np.searchsorted(data.fail_times, t[fail])
    eta[fail] += x[fail] - xbar[idx]
    # censoring part: q(u) at each distinct censoring time u
    ut, inv = np.unique(t, return_inverse=True)
    total = np.bincount(inv, minlength=ut.size)
    dc = np.bincount(inv, weights=(ici == 0), minlength=ut.size)
    y = t.size - np.concatenate(([0], np.cumsum(total)[:-1]))
    o = other / g
    d0 = np.concatenate(([0.0], np.cumsum(o * w)))  # sums over t_j < u: index by first subject at u
    d1 = np.vstack((np.zeros((1, x.shape[1])), np.cumsum((o * w)[:, None] * x, axis=0)))
    first_u = np.searchsorted(t, ut, side="left")
    k_ge = np.searchsorted(data.fail_times, ut, side="left")  # c_k >= u start here
    q = d1[first_u] * rev_b0[k_ge][:, None] - d0[first_u][:, None] * rev_b1[k_ge]
    comp = np.cumsum((dc / y**2)[:, None] * q, axis=0)  # sum over u <= t of q dNc / Y^2
    psi = -comp[inv]
    cens = ici == 0
    psi[cens] += q[inv[cens]] / y[inv[cens]][:, None]
    u = eta + psi
    return u.T @ u


def fine_gray(
    time: ArrayLike,
    cause: ArrayLike,
    covariates: Mapping[str, ArrayLike],
    *,
    failcode: int = 1,
    conf_level: float = 0.95,
    time_field: str = "time",
    cause_field: str = "cause",
) -> FineGrayModel:
    """Fine-Gray regression of the subdistribution hazard of one cause.

    Parameters
    ----------
    time : array_like of float
        Follow-up time (>= 0).
    cause : array_like of int
        0 = censored, 1, 2, ... = cause.
    covariates : mapping of str to array_like of float
        Numeric covariates (categories as 0/1 columns); rows with a missing value
        are dropped and counted.
    failcode : int
        Cause of interest.
    conf_level : float
        Coverage of the subdistribution-hazard-ratio CIs.

    Returns
    -------
    FineGrayModel

    References
    ----------
    Fine JP, Gray RJ. A proportional hazards model for the subdistribution of a
    competing risk. J Am Stat Assoc 1999;94:496-509. R cmprsk 2.2 ``crr``
    (shared/spec/outcomes.md §2.1, the oracle for Fine-Gray).
    """
    check_number("failcode", failcode, 1, None, integer=True)
    check_number("conf_level", conf_level, 0.5, 0.999)
    if not covariates:
        raise InputError("covariates", "", "at least one covariate column")
    t = as_times(time, time_field)
    c = as_causes(cause, cause_field)
    terms = tuple(covariates)
    cols = [numeric_covariate(name, covariates[name]) for name in terms]
    x, t, c, n_dropped = complete_cases(t, c, dict(zip(terms, cols, strict=True)), time_field, cause_field)
    if not (c == failcode).any():
        raise InputError(cause_field, f"no events of cause {failcode}", "at least one event of the cause of interest")
    ici = np.where(c == 0, 0, np.where(c == failcode, 1, 2)).astype(np.int64)
    data = _Data(t, ici, x)
    beta, ll, info, _ = newton_raphson(
        lambda b: _objective(data, b),
        x.shape[1],
        lambda _ll_old, _ll_new, step, new: bool(np.max(np.abs(step)) < 1e-12 * max(1.0, float(np.max(np.abs(new))))),
    )
    h = np.linalg.inv(info)
    var = h @ _sandwich_middle(data, beta) @ h
    se = np.sqrt(np.diag(var))
    z = beta / se
    q = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    caveats = rows_dropped_caveats("fine_gray", n_dropped)
    return FineGrayModel(
        terms=terms, coef=beta, se=se, z=z, p_value=2 * stats.norm.sf(np.abs(z)), shr=np.exp(beta),
        shr_ci_low=np.exp(beta - q * se), shr_ci_high=np.exp(beta + q * se), variance=var, loglik=ll,
        cause=failcode, n=int(t.size), n_event=int((ici == 1).sum()), n_dropped=n_dropped,
        conf_level=conf_level, caveats=caveats,
    )
