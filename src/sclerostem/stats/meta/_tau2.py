"""Between-study variance (tau²) estimators for the intercept-only random-effects model.

All estimators are truncated at 0 like metafor (``tau2.min = 0``). ML and REML
use Fisher scoring as metafor does (start at the HE estimate, step halving to
stay at or above 0); PM solves the generalised Q equation by bracketed root
finding. Failure to converge raises :class:`ConvergenceError` — never a silent NaN.

References
----------
DerSimonian R, Laird N. Meta-analysis in clinical trials. Control Clin Trials 1986;7:177-188 (DL).
Hedges LV. A random effects model for effect sizes. Psychol Bull 1983;93:388-395 (HE).
Sidik K, Jonkman JN. Simple heterogeneity variance estimation for meta-analysis.
J R Stat Soc C 2005;54:367-384 (SJ).
Paule RC, Mandel J. Consensus values and weighting factors. J Res Natl Bur Stand 1982;87:377-385 (PM).
Viechtbauer W. Bias and efficiency of meta-analytic variance estimators in the
random-effects model. J Educ Behav Stat 2005;30:261-293 (ML, REML, Fisher scoring).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from sclerostem.errors import InputError, SclerostemError

__all__ = ["TAU2_METHODS", "ConvergenceError", "Tau2Fit", "q_generalised", "tau2_estimate"]

#: Random-effects tau² estimators.
TAU2_METHODS: tuple[str, ...] = ("DL", "REML", "ML", "PM", "SJ", "HE")


class ConvergenceError(SclerostemError, ArithmeticError):
    """An iterative estimator did not converge; the message says which and how to proceed."""


def q_generalised(tau2: float, yi: np.ndarray, vi: np.ndarray) -> float:
    """Generalised Q statistic Σ wᵢ(yᵢ - μ̂)², wᵢ = 1/(vᵢ + τ²)."""
    w = 1.0 / (vi + tau2)
    mu = np.sum(w * yi) / np.sum(w)
    return float(np.sum(w * (yi - mu) ** 2))


def _bracket_upper(f, start: float) -> float:
    """Double ``hi`` from ``start`` until ``f(hi) < 0`` (f decreasing)."""
    hi = max(start, 1.0)
    for _ in range(200):
        if f(hi) < 0:
            return hi
        hi *= 2.0
    raise ConvergenceError("the root-finder could not bracket tau² (upper bound beyond 1e60); check the effect sizes")


def _score_and_loglik(tau2: float, yi: np.ndarray, vi: np.ndarray, reml: bool) -> tuple[float, float]:
    """Derivative of the (restricted) log-likelihood in tau² and the log-likelihood itself."""
    w = 1.0 / (vi + tau2)
    sw = w.sum()
    mu = np.sum(w * yi) / sw
    r2 = (yi - mu) ** 2
    score = 0.5 * (np.sum(w**2 * r2) - (sw - np.sum(w**2) / sw if reml else sw))
    ll = -0.5 * np.sum(np.log(vi + tau2)) - 0.5 * np.sum(w * r2) - (0.5 * np.log(sw) if reml else 0.0)
    return float(score), float(ll)


def _maximise_likelihood(yi: np.ndarray, vi: np.ndarray, reml: bool, threshold: float) -> float:
    """Global maximiser of the (restricted) likelihood over tau² >= 0 by bracketed root finding.

    The score is evaluated on a log-spaced grid from 0 to beyond the largest
    plausible tau² (where it is negative); every sign change from + to - is a
    local maximum refined by Brent's method; the best one (or 0) is returned.
    """
    hi = max(1.0, 10.0 * float(np.var(yi)) + 10.0 * float(vi.max()))
    while _score_and_loglik(hi, yi, vi, reml)[0] > 0:
        hi *= 2.0
        if hi > 1e60:  # pragma: no cover - the score is negative for large tau²
            raise ConvergenceError("tau²: the likelihood has no maximum below 1e60; check the effect sizes")
    grid = np.concatenate([[0.0], np.geomspace(1e-10 * hi, hi, 400)])
    scores = [_score_and_loglik(t, yi, vi, reml)[0] for t in grid]
    candidates = [0.0] if scores[0] <= 0 else []
    for lo_t, hi_t, s_lo, s_hi in zip(grid[:-1], grid[1:], scores[:-1], scores[1:], strict=True):
        if s_lo > 0 >= s_hi:
            candidates.append(float(optimize.brentq(lambda t: _score_and_loglik(t, yi, vi, reml)[0],
                                                     lo_t, hi_t, xtol=threshold, rtol=4 * np.finfo(float).eps)))
    return max(candidates, key=lambda t: _score_and_loglik(t, yi, vi, reml)[1])


def _fisher_scoring(yi: np.ndarray, vi: np.ndarray, reml: bool, *, init: float, threshold: float,
                    maxiter: int) -> tuple[float, int]:
    tau2 = init
    adj = 0.0
    for it in range(1, maxiter + 1):
        w = 1.0 / (vi + tau2)
        sw = w.sum()
        mu = np.sum(w * yi) / sw
        r = yi - mu
        ypp_y = np.sum(w**2 * r**2)  # Y'PPY for the intercept-only model
        if reml:
            sw2, sw3 = np.sum(w**2), np.sum(w**3)
            tr_p = sw - sw2 / sw
            tr_pp = sw2 - 2 * sw3 / sw + sw2**2 / sw**2
            adj = (ypp_y - tr_p) / tr_pp
        else:
            adj = (ypp_y - sw) / np.sum(w**2)
        while tau2 + adj < 0:
            adj /= 2.0
        new = tau2 + adj
        if abs(new - tau2) <= threshold * max(1.0, abs(tau2)):
            return max(0.0, float(new)), it
        tau2 = new
    raise ConvergenceError(
        f"Fisher scoring for the {'REML' if reml else 'ML'} estimate of tau² did not converge in "
        f"{maxiter} iteration(s) (last change {abs(adj):.3g}); raise maxiter, use "
        "on_nonconvergence='fallback', or use method='PM' or 'DL'"
    )


@dataclass(frozen=True, slots=True)
class Tau2Fit:
    """A tau² estimate with the iterations used and a note when a fallback was used."""

    tau2: float
    iterations: int = 0
    note: str | None = None


def tau2_estimate(
    yi: np.ndarray,
    vi: np.ndarray,
    method: str,
    *,
    threshold: float = 1e-10,
    maxiter: int = 100,
    on_nonconvergence: str = "fallback",
) -> Tau2Fit:
    """Estimate tau² with ``method`` (0 iterations for closed forms).

    Parameters
    ----------
    yi, vi : numpy.ndarray
        Effect sizes and sampling variances (k >= 2).
    method : str
        One of :data:`TAU2_METHODS`.
    threshold : float
        Convergence criterion on the change of tau² (ML, REML) / root tolerance (PM).
    maxiter : int
        Iteration limit of Fisher scoring.
    on_nonconvergence : str
        ``"fallback"`` (default): when Fisher scoring (ML, REML) does not
        converge, maximise the (restricted) likelihood by bracketed root finding
        on its score and say so in ``Tau2Fit.note``; ``"error"``: raise.

    Raises
    ------
    ConvergenceError
        If Fisher scoring does not converge and ``on_nonconvergence="error"``.
    """
    k = len(yi)
    if method == "DL":
        w = 1.0 / vi
        mu = np.sum(w * yi) / w.sum()
        q = np.sum(w * (yi - mu) ** 2)
        c = w.sum() - np.sum(w**2) / w.sum()
        return Tau2Fit(max(0.0, float((q - (k - 1)) / c)))
    if method == "HE":
        return Tau2Fit(max(0.0, float(np.sum((yi - yi.mean()) ** 2) / (k - 1) - vi.mean())))
    if method == "SJ":
        t0 = float(np.var(yi))  # var(yi) * (k-1)/k, the unweighted start value
        w = 1.0 / (vi + t0)
        mu = np.sum(w * yi) / w.sum()
        return Tau2Fit(max(0.0, t0 * float(np.sum(w * (yi - mu) ** 2)) / (k - 1)))
    if method == "PM":
        def f(t: float) -> float:
            return q_generalised(t, yi, vi) - (k - 1)

        if f(0.0) <= 0:
            return Tau2Fit(0.0)
        hi = _bracket_upper(f, 10.0 * float(np.var(yi)) + 1.0)
        root, info = optimize.brentq(f, 0.0, hi, xtol=threshold, rtol=4 * np.finfo(float).eps,
                                     maxiter=max(maxiter, 500), full_output=True)
        if not info.converged:  # pragma: no cover - brentq raises before this
            raise ConvergenceError("the Paule-Mandel root-finder did not converge")
        return Tau2Fit(float(root), int(info.iterations))
    if method in ("ML", "REML"):
        if on_nonconvergence not in ("fallback", "error"):
            raise InputError("on_nonconvergence", on_nonconvergence, "one of 'fallback', 'error'")
        init = tau2_estimate(yi, vi, "HE").tau2
        try:
            t, it = _fisher_scoring(yi, vi, method == "REML", init=init, threshold=threshold, maxiter=maxiter)
            return Tau2Fit(t, it)
        except ConvergenceError as exc:
            if on_nonconvergence == "error":
                raise
            t = _maximise_likelihood(yi, vi, method == "REML", threshold)
            return Tau2Fit(t, maxiter, f"{exc}; fallback used: tau² from bracketed maximisation of the "
                                       f"{'restricted ' if method == 'REML' else ''}likelihood")
    raise ValueError(method)  # pragma: no cover - callers validate the method
