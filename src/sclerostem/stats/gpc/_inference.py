"""Standard errors, confidence intervals and p-values for GPC statistics.

* ``ustat``: first-order H-projection of the U-statistic (BuyseTest's
  ``method.inference = "u-statistic"``), plus the Kaplan-Meier nuisance term
  under the Péron rule; CIs and p-values on the transformed scale BuyseTest
  uses by default: ``atanh`` for the net benefit, ``log`` for the win ratio and
  the win odds.
* ``exact-permutation``: the closed-form permutation variance of the net
  benefit (Finkelstein-Schoenfeld; Anderson & Verbeeck 2023); z-test on the
  untransformed net benefit, as in outcomes.md 1.4.
* ``permutation``: arm labels shuffled (within strata); two-sided p-value
  ``(1 + #{|T*| >= |T|}) / (B + 1)``; no confidence interval.
* ``bootstrap``: patients resampled within arm (and stratum); percentile CI,
  SE = SD of the resampled statistics, p-value from the percentile
  distribution ``min(1, 2 min(P*(T* <= null), P*(T* >= null)))``.

References
----------
Finkelstein DM, Schoenfeld DA. Combining mortality and longitudinal measures
in clinical trials. Stat Med 1999. Ozenne B et al. Stat Methods Med
Res 2021. Anderson & Verbeeck 2023 (exact permutation variance),
all as summarised in ``shared/spec/outcomes.md`` section 1.1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

__all__ = ["bootstrap_summary", "permutation_summary", "wald"]

Array = NDArray[np.float64]
_ALIGN = 1e-12  #: float slack when comparing resampled and observed statistics


def wald(est: Array, se: Array, transform: str, confidence: float) -> tuple[Array, Array, Array]:
    """Wald CI and two-sided p-value (null 0 for ``atanh``/``none``, 1 for ``log``)."""
    z = norm.ppf(0.5 + confidence / 2)
    est = np.asarray(est, dtype=float)
    se = np.asarray(se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if transform == "atanh":
            t = np.arctanh(est)
            tse = se / (1 - est**2)
            lo, hi = np.tanh(t - z * tse), np.tanh(t + z * tse)
        elif transform == "log":
            t = np.log(est)
            tse = se / est
            lo, hi = np.exp(t - z * tse), np.exp(t + z * tse)
        else:
            t, tse = est, se
            lo, hi = est - z * se, est + z * se
        p = 2 * norm.sf(np.abs(t) / tse)
    bad = ~np.isfinite(t) | ~np.isfinite(tse) | (tse <= 0)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi), np.where(bad, np.nan, p)


def permutation_summary(observed: Array, resampled: Array) -> tuple[Array, Array]:
    """SD of the permutation distribution and the two-sided p-value, per column."""
    resampled = np.asarray(resampled, dtype=float)
    n = resampled.shape[0]
    finite = np.where(np.isfinite(resampled), resampled, np.nan)
    se = np.nanstd(finite, axis=0, ddof=1) if n > 1 else np.full(resampled.shape[1], np.nan)
    extreme = np.abs(resampled) >= np.abs(observed)[None, :] - _ALIGN
    p = (1 + extreme.sum(axis=0)) / (n + 1)
    return se, np.where(np.isfinite(observed), p, np.nan)


def bootstrap_summary(
    resampled: Array, null: float, confidence: float
) -> tuple[Array, Array, Array, Array]:
    """SE, percentile CI and percentile p-value of bootstrap statistics, per column."""
    resampled = np.asarray(resampled, dtype=float)
    finite = np.where(np.isfinite(resampled), resampled, np.nan)
    se = np.nanstd(finite, axis=0, ddof=1)
    alpha = 1 - confidence
    lo = np.nanquantile(resampled, alpha / 2, axis=0)
    hi = np.nanquantile(resampled, 1 - alpha / 2, axis=0)
    below = np.mean(resampled <= null, axis=0)
    above = np.mean(resampled >= null, axis=0)
    p = np.minimum(1.0, 2 * np.minimum(below, above))
    return se, lo, hi, p
