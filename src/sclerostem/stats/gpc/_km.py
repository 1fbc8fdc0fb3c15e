"""Kaplan-Meier step functions with the conventions of BuyseTest's Péron rule.

The survival curve is right-continuous (``S(t)`` includes the jump at ``t``),
equals 1 before the first event, and is *unknown* (NaN) after the last
follow-up time when the curve has not reached 0 (last observation censored).
These conventions decide which pairs stay partly uninformative under the
Péron scoring rule.

References
----------
Péron J, Buyse M, Ozenne B, Roche L, Roy P. An extension of generalized
pairwise comparisons for prioritized outcomes in the presence of censoring.
Stat Methods Med Res 2018 (summarised in ``shared/spec/outcomes.md``
section 1.1). BuyseTest 3.3.9 documentation (``predict.BuyseTTEM``) for the
step-function conventions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["KaplanMeier", "fit_km"]

_TOL_LAST = 1e-11  #: times within this of the last follow-up still read the last KM value


@dataclass(frozen=True, slots=True)
class KaplanMeier:
    """A fitted Kaplan-Meier curve of one arm.

    Attributes
    ----------
    jump_times : ndarray
        Distinct event times, increasing.
    surv : ndarray
        ``S`` just after each jump time (same length as ``jump_times``).
    n_risk, n_event : ndarray
        Numbers at risk and events at each jump time.
    last_time : float
        Largest follow-up time in the arm.
    last_surv : float
        Survival after the last jump (0 when the curve reaches 0).
    """

    jump_times: NDArray[np.float64]
    surv: NDArray[np.float64]
    n_risk: NDArray[np.float64]
    n_event: NDArray[np.float64]
    last_time: float
    last_surv: float

    @property
    def complete(self) -> bool:
        """``True`` when the curve reaches 0 (known for every time)."""
        return self.last_surv <= 0.0

    def index(self, t: NDArray[np.float64]) -> NDArray[np.intp]:
        """Number of jump times ``<= t`` (0 = before the first jump)."""
        return np.searchsorted(self.jump_times, t, side="right")

    def __call__(self, t: NDArray[np.float64]) -> NDArray[np.float64]:
        """Evaluate ``S(t)``; NaN beyond the last follow-up of an incomplete curve."""
        t = np.asarray(t, dtype=float)
        ext = np.concatenate(([1.0], self.surv))
        out = ext[self.index(t)]
        if not self.complete:
            out = np.where(t > self.last_time + _TOL_LAST, np.nan, out)
        return out

    @property
    def dsurv(self) -> NDArray[np.float64]:
        """Jump of ``S`` at each jump time (negative numbers)."""
        ext = np.concatenate(([1.0], self.surv))
        return np.diff(ext)


def fit_km(time: NDArray[np.float64], status: NDArray[np.float64]) -> KaplanMeier:
    """Fit the Kaplan-Meier estimator.

    Parameters
    ----------
    time : ndarray
        Follow-up times (any unit).
    status : ndarray
        1 = event, 0 = censored.

    Returns
    -------
    KaplanMeier
    """
    time = np.asarray(time, dtype=float)
    status = np.asarray(status, dtype=float)
    ok = ~np.isnan(time)
    time, status = time[ok], status[ok]
    if time.size == 0:
        empty = np.zeros(0)
        return KaplanMeier(empty, empty, empty, empty, 0.0, 1.0)
    ev_times = np.unique(time[status == 1])
    sorted_t = np.sort(time)
    n_risk = (time.size - np.searchsorted(sorted_t, ev_times, side="left")).astype(float)
    ev_sorted = np.sort(time[status == 1])
    n_event = (
        np.searchsorted(ev_sorted, ev_times, side="right")
        - np.searchsorted(ev_sorted, ev_times, side="left")
    ).astype(float)
    surv = np.cumprod(1.0 - n_event / n_risk)
    last_surv = float(surv[-1]) if surv.size else 1.0
    return KaplanMeier(ev_times, surv, n_risk, n_event, float(time.max()), last_surv)
