"""k-sample log-rank test (R ``survdiff`` with ``rho = 0``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sclerostem.stats.survival._inputs import as_events, as_groups, as_times, check_same_length

__all__ = ["LogRank", "logrank_test"]


@dataclass(frozen=True, slots=True)
class LogRank:
    """Result of the log-rank test.

    Attributes
    ----------
    groups : tuple of str
        Group labels, sorted.
    n, observed, expected : ndarray
        Subjects, observed and expected events per group.
    variance : ndarray
        k x k variance matrix of ``observed - expected``.
    chisq : float
        Test statistic, chi-squared with ``df`` degrees of freedom under H0.
    df : int
        Number of groups with expected events > 0, minus 1.
    p_value : float
        Upper-tail chi-squared probability.
    """

    groups: tuple[str, ...]
    n: NDArray[np.int64]
    observed: NDArray[np.float64]
    expected: NDArray[np.float64]
    variance: NDArray[np.float64]
    chisq: float
    df: int
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "test": "log-rank",
            "groups": list(self.groups),
            "n": [int(v) for v in self.n],
            "observed": [float(v) for v in self.observed],
            "expected": [float(v) for v in self.expected],
            "chisq": self.chisq,
            "df": self.df,
            "p_value": self.p_value,
        }


def logrank_test(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    time_field: str = "time",
    event_field: str = "event",
    group_field: str = "group",
) -> LogRank:
    """Log-rank test of equal hazards across k >= 2 groups.

    At each distinct event time with ``n`` at risk and ``d`` events, group ``k``
    contributes ``E_k = d n_k / n`` and the hypergeometric covariance
    ``d (n - d) / (n - 1) * n_k / n * (delta_kl - n_l / n)``. The statistic is
    ``(O - E)' V^- (O - E)`` over all groups but the first (R ``survdiff``).

    Parameters
    ----------
    time, event, group : array_like
        Follow-up time (>= 0), event indicator (1 event, 0 censored), group label.
    time_field, event_field, group_field : str
        Names used in error messages.

    Returns
    -------
    LogRank

    References
    ----------
    Mantel N. Cancer Chemother Rep 1966;50:163-70. Peto R, Peto J. J R Stat Soc A
    1972;135:185-207. R survival 3.5 ``survdiff`` (shared/spec/outcomes.md §2).
    """
    t = as_times(time, time_field)
    e = as_events(event, event_field)
    g = list(np.asarray(group, dtype=object).tolist())
    check_same_length(**{time_field: t, event_field: e, group_field: g})
    codes, labels = as_groups(g, group_field)
    k = len(labels)
    ut, inv = np.unique(t, return_inverse=True)
    nt = ut.size
    flat = inv * k + codes
    total = np.bincount(flat, minlength=nt * k).reshape(nt, k)
    dk = np.bincount(flat, weights=e, minlength=nt * k).reshape(nt, k)
    # at risk per group: subjects with time >= t
    nk = total[::-1].cumsum(axis=0)[::-1].astype(float)
    n = nk.sum(axis=1)
    d = dk.sum(axis=1)
    m = d > 0
    nk, n, d, dk = nk[m], n[m], d[m], dk[m]
    observed = dk.sum(axis=0)
    frac = nk / n[:, None]
    expected = (d[:, None] * frac).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > 1, d * (n - d) / (n - 1), 0.0)
    variance = np.einsum("t,tk->k", w, frac) * np.eye(k) - np.einsum("t,tk,tl->kl", w, frac, frac)
    use = expected > 0
    df = int(use.sum()) - 1
    if df < 1:
        chisq = 0.0
    else:
        diff = (observed - expected)[use][1:]
        vv = variance[np.ix_(use, use)][1:, 1:]
        chisq = float(diff @ np.linalg.solve(vv, diff))
    p = float(stats.chi2.sf(chisq, df)) if df >= 1 else 1.0
    return LogRank(
        groups=labels, n=total.sum(axis=0).astype(np.int64), observed=observed, expected=expected,
        variance=variance, chisq=chisq, df=max(df, 0), p_value=p,
    )
