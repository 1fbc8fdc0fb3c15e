"""Fixed-effect and random-effects meta-analysis (metafor ``rma.uni``, ``rma.mh``, ``rma.peto``).

References
----------
Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw 2010;36(3).
Hartung J, Knapp G. A refined method for the meta-analysis of controlled clinical trials with
binary outcome. Stat Med 2001;20:3875-3889; Sidik K, Jonkman JN. A simple confidence interval
for meta-analysis. Stat Med 2002;21:3153-3159 (HKSJ).
Higgins JPT, Thompson SG, Spiegelhalter DJ. A re-evaluation of random-effects meta-analysis.
J R Stat Soc A 2009;172:137-159 (prediction interval).
Viechtbauer W. Confidence intervals for the amount of heterogeneity in meta-analysis.
Stat Med 2007;26:37-52 (Q-profile).
Mantel N, Haenszel W. J Natl Cancer Inst 1959;22:719-748; Robins J, Breslow N, Greenland S.
Biometrics 1986;42:311-323; Greenland S, Robins JM. Biometrics 1985;41:55-68 (MH variances).
Yusuf S, Peto R, Lewis J, Collins R, Sleight P. Prog Cardiovasc Dis 1985;27:335-371 (Peto).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import InputError
from sclerostem.stats.meta._escalc import EffectSizes, escalc
from sclerostem.stats.meta._result import MetaResult
from sclerostem.stats.meta._tau2 import TAU2_METHODS, ConvergenceError, q_generalised, tau2_estimate

__all__ = ["METHODS", "TESTS", "confint_tau2", "meta_analysis", "rma", "rma_mh", "rma_peto"]

#: Every pooling method: fixed effect (inverse variance, Mantel-Haenszel, Peto) and the tau² estimators.
METHODS: tuple[str, ...] = ("REML", "DL", "PM", "ML", "SJ", "HE", "FE", "MH", "PETO")
#: Tests for the pooled effect.
TESTS: tuple[str, ...] = ("z", "knha")


def _crit(test: str, df: int, level: float) -> float:
    p = 0.5 + level / 2
    return float(stats.t.ppf(p, df)) if test == "knha" else float(stats.norm.ppf(p))


def _pval(test: str, stat: float, df: int) -> float:
    if test == "knha":
        return float(2 * stats.t.sf(abs(stat), df))
    return float(2 * stats.norm.sf(abs(stat)))


def _q_fe(yi: np.ndarray, vi: np.ndarray) -> float:
    return q_generalised(0.0, yi, vi)


def _typical_v(vi: np.ndarray) -> float:
    """metafor's 'typical' within-study variance s² = (k-1) Σw / ((Σw)² - Σw²)."""
    w = 1.0 / vi
    k = len(vi)
    return float((k - 1) * w.sum() / (w.sum() ** 2 - np.sum(w**2)))


def _check_es(es: EffectSizes) -> None:
    for i, (y, v) in enumerate(zip(es.yi, es.vi, strict=True)):
        if not math.isfinite(y):
            raise InputError("yi", float(y), "a finite number", row=i + 1)
        if not (math.isfinite(v) and v > 0):
            raise InputError("vi", float(v), "a number greater than 0", row=i + 1)


def confint_tau2(yi: np.ndarray, vi: np.ndarray, *, level: float = 0.95, tol: float = 1e-12) -> tuple[float, float]:
    """Q-profile confidence interval for tau² (metafor ``confint.rma.uni``).

    The limits solve Q_gen(τ²) = χ²_{k-1} quantiles (upper 2.5 % for the lower
    limit, lower 2.5 % for the upper limit); a limit whose equation has no
    non-negative root is 0.

    Raises
    ------
    InputError
        If fewer than 2 studies are given.
    """
    k = len(yi)
    if k < 2:
        raise InputError("k", k, "at least 2 studies for a confidence interval of tau²")
    alpha = 1 - level
    q_hi = stats.chi2.ppf(1 - alpha / 2, k - 1)
    q_lo = stats.chi2.ppf(alpha / 2, k - 1)

    def solve(target: float) -> float:
        def f(t: float) -> float:
            return q_generalised(t, yi, vi) - target

        if f(0.0) <= 0:
            return 0.0
        hi = 1.0
        for _ in range(200):
            if f(hi) < 0:
                break
            hi *= 2.0
        else:  # pragma: no cover - Q_gen falls to 0 as tau² grows
            raise ConvergenceError("Q-profile: could not bracket the tau² confidence limit")
        return float(optimize.brentq(f, 0.0, hi, xtol=tol, rtol=4 * np.finfo(float).eps, maxiter=1000))

    return solve(q_hi), solve(q_lo)


def rma(
    es: EffectSizes,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    threshold: float = 1e-10,
    maxiter: int = 100,
    on_nonconvergence: str = "fallback",
) -> MetaResult:
    """Inverse-variance fixed-effect (``method="FE"``) or random-effects model.

    Parameters
    ----------
    es : EffectSizes
        From :func:`escalc`.
    method : str
        ``"FE"`` or a tau² estimator: ``"REML"`` (default, as RevMan 2025 and
        metafor), ``"DL"``, ``"PM"``, ``"ML"``, ``"SJ"``, ``"HE"``.
    test : str
        ``"z"`` or ``"knha"`` (HKSJ: variance scaled by the weighted residual
        mean square, t with k-1 df; metafor 3.8 applies no truncation).
    level : float
        Confidence level.
    threshold, maxiter
        Convergence control of iterative estimators.
    on_nonconvergence : str
        ``"fallback"`` (default; reported in ``notes``) or ``"error"`` — see
        :func:`~sclerostem.stats.meta.tau2_estimate`.

    Raises
    ------
    InputError
        Unknown method/test, k = 1 with a random-effects model or HKSJ, bad yi/vi.
    ConvergenceError
        If an iterative estimator does not converge.
    """
    check_choice("method", method, ("FE", *TAU2_METHODS))
    check_choice("test", test, TESTS)
    check_number("level", level, 0.5, 0.999)
    _check_es(es)
    yi, vi, k = es.yi, es.vi, es.k
    notes: list[str] = []
    if k < 2 and method != "FE":
        raise InputError("k", k, f"at least 2 studies for a random-effects model (method {method!r}); use method 'FE'")
    if k < 2 and test == "knha":
        raise InputError("k", k, "at least 2 studies for the Hartung-Knapp (knha) test")
    tau2, iters = 0.0, 0
    if method != "FE":
        fit = tau2_estimate(yi, vi, method, threshold=threshold, maxiter=maxiter, on_nonconvergence=on_nonconvergence)
        tau2, iters = fit.tau2, fit.iterations
        if fit.note:
            notes.append(fit.note)
    w = 1.0 / (vi + tau2)
    est = float(np.sum(w * yi) / w.sum())
    var = 1.0 / float(w.sum())
    df = k - 1
    if test == "knha":
        s2w = float(np.sum(w * (yi - est) ** 2)) / df
        var *= s2w
        if method == "FE":
            notes.append("the Hartung-Knapp (knha) adjustment is not meant for fixed-effect models")
    se = math.sqrt(var)
    crit = _crit(test, df, level)
    stat = est / se
    q = _q_fe(yi, vi) if k > 1 else 0.0
    q_p = float(stats.chi2.sf(q, df)) if k > 1 else 1.0
    if method == "FE":
        i2 = max(0.0, 100 * (q - df) / q) if k > 1 and q > 0 else 0.0
        h2 = q / df if k > 1 else 1.0
        tau2_ci = None
        pi: tuple[float | None, float | None] = (None, None)
    else:
        s2 = _typical_v(vi)
        i2 = 100 * tau2 / (tau2 + s2)
        h2 = (tau2 + s2) / s2
        tau2_ci = confint_tau2(yi, vi, level=level)
        half = crit * math.sqrt(var + tau2)
        pi = (est - half, est + half)
    return MetaResult(
        method=method,
        test=test,
        measure=es.measure,
        k=k,
        estimate=est,
        se=se,
        ci_low=est - crit * se,
        ci_high=est + crit * se,
        stat=stat,
        pval=_pval(test, stat, df),
        df=df if test == "knha" else None,
        tau2=tau2,
        tau2_ci=tau2_ci,
        i2=i2,
        h2=h2,
        q=q,
        q_df=df,
        q_p=q_p,
        pi_low=pi[0],
        pi_high=pi[1],
        weights=100 * w / w.sum(),
        yi=yi,
        vi=vi,
        labels=es.labels,
        level=level,
        iterations=iters,
        notes=tuple(notes) + _es_notes(es),
    )


def _es_notes(es: EffectSizes) -> tuple[str, ...]:
    notes = []
    if es.corrected and any(es.corrected):
        names = ", ".join(lbl for lbl, c in zip(es.labels, es.corrected, strict=True) if c)
        notes.append(f"0.5 added to every cell of studies with a zero cell: {names}")
    if es.dropped:
        notes.append("studies without events in either arm left out: " + ", ".join(es.dropped))
    return tuple(notes)


def _heterogeneity_from_es(es: EffectSizes, beta: float) -> tuple[float, int, float, float, float]:
    k = es.k
    if k > 1:
        q = max(0.0, float(np.sum((es.yi - beta) ** 2 / es.vi)))
        q_p = float(stats.chi2.sf(q, k - 1))
        i2 = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
        h2 = q / (k - 1)
        return q, k - 1, q_p, i2, h2
    return 0.0, 0, 1.0, 0.0, 1.0


def _counts(ai, bi, ci, di, n1i, n2i, labels) -> tuple[np.ndarray, tuple[str, ...]]:
    """Validate 2x2 input (counts or events + arm sizes) and return the raw k x 4 table."""
    raw = escalc("RD", ai=ai, bi=bi, ci=ci, di=di, n1i=n1i, n2i=n2i, labels=labels, add=0.5, to="all")
    return np.asarray(raw.counts, dtype=float), raw.labels


def rma_mh(
    ai=None, bi=None, ci=None, di=None, *, n1i=None, n2i=None, labels=None, measure: str = "OR",
    level: float = 0.95,
) -> MetaResult:
    """Mantel-Haenszel fixed-effect model for OR, RR or RD (metafor ``rma.mh``).

    The pooled estimate uses the raw counts (no continuity correction);
    variances: Robins-Breslow-Greenland (OR), Greenland-Robins (RR, RD).
    Q, I² and H² use the study effect sizes from :func:`escalc` with metafor's
    ``rma.mh`` defaults (add 0.5 to studies with a zero cell, double-zero
    studies left out).

    Raises
    ------
    InputError
        Bad counts, or an estimate that cannot be computed (e.g. no events at all).
    """
    check_choice("measure", measure, ("OR", "RR", "RD"))
    check_number("level", level, 0.5, 0.999)
    tab, labs = _counts(ai, bi, ci, di, n1i, n2i, labels)
    a, b, c, d = (tab[:, j] for j in range(4))
    n1, n2 = a + b, c + d
    n = n1 + n2
    if measure == "OR":
        p_, q_ = (a + d) / n, (b + c) / n
        r_, s_ = a * d / n, b * c / n
        big_r, big_s = r_.sum(), s_.sum()
        if big_r == 0 or big_s == 0:
            raise InputError("ai/ci", "no discordant information", "counts giving a Mantel-Haenszel odds ratio (events and non-events in both arms)")
        beta = math.log(big_r / big_s)
        se = math.sqrt(0.5 * (np.sum(p_ * r_) / big_r**2 + np.sum(p_ * s_ + q_ * r_) / (big_r * big_s)
                              + np.sum(q_ * s_) / big_s**2))
        w = b * c / n
    elif measure == "RR":
        big_r, big_s = np.sum(a * n2 / n), np.sum(c * n1 / n)
        if a.sum() == 0 or c.sum() == 0:
            raise InputError("ai/ci", "no events in one arm of every study", "events in both arms for a Mantel-Haenszel risk ratio; use measure 'RD'")
        beta = math.log(big_r / big_s)
        se = math.sqrt(np.sum(n1 / n * n2 / n * (a + c) - a / n * c) / (big_r * big_s))
        w = c * n1 / n
    else:
        den = np.sum(n1 * n2 / n)
        beta = float(np.sum(a * n2 / n - c * n1 / n) / den)
        se = math.sqrt((beta * np.sum(c * (n1 / n) ** 2 - a * (n2 / n) ** 2 + n1 / n * n2 / n * (n2 - n1) / 2)
                        + np.sum(a * (n2 - c) / n + c * (n1 - a) / n) / 2) / den**2)
        w = n1 * n2 / n
    if not (math.isfinite(se) and se > 0):
        raise InputError("ai/ci", "no events in any study", "at least one study with events for a Mantel-Haenszel estimate")
    es = escalc(measure, ai=a, bi=b, ci=c, di=d, labels=labs, add=0.5, to="only0", drop00=True)
    q, q_df, q_p, i2, h2 = _heterogeneity_from_es(es, beta)
    keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    crit = float(stats.norm.ppf(0.5 + level / 2))
    notes = ["Mantel-Haenszel estimate from the raw counts (no continuity correction)", *_es_notes(es)]
    return MetaResult(
        method="MH", test="z", measure=measure, k=len(a), estimate=beta, se=se,
        ci_low=beta - crit * se, ci_high=beta + crit * se, stat=beta / se,
        pval=float(2 * stats.norm.sf(abs(beta / se))), df=None, tau2=0.0, tau2_ci=None,
        i2=i2, h2=h2, q=q, q_df=q_df, q_p=q_p, pi_low=None, pi_high=None,
        weights=100 * w / w.sum(), yi=_full(es, keep, len(a)), vi=_full(es, keep, len(a), var=True),
        labels=labs, level=level, notes=tuple(notes),
    )


def _full(es: EffectSizes, keep: np.ndarray, k: int, *, var: bool = False) -> np.ndarray:
    """Spread the kept studies' yi (or vi) back to all k studies (NaN for dropped ones)."""
    out = np.full(k, np.nan)
    out[keep] = es.vi if var else es.yi
    return out


def rma_peto(ai=None, bi=None, ci=None, di=None, *, n1i=None, n2i=None, labels=None, level: float = 0.95) -> MetaResult:
    """Peto's one-step log odds ratio, fixed effect (metafor ``rma.peto``).

    Pooled log OR = Σ(Oᵢ - Eᵢ) / ΣVᵢ, SE = 1/√ΣVᵢ, with Oᵢ = aᵢ,
    Eᵢ = (aᵢ + cᵢ) n1ᵢ / Nᵢ, Vᵢ = (aᵢ + cᵢ)(bᵢ + dᵢ) n1ᵢ n2ᵢ / (Nᵢ² (Nᵢ - 1)).
    Study-level values are the Peto log ORs (Oᵢ - Eᵢ)/Vᵢ with variance 1/Vᵢ
    (double-zero studies carry no information and are shown as empty).

    Raises
    ------
    InputError
        Bad counts or no study with information (ΣVᵢ = 0).
    """
    check_number("level", level, 0.5, 0.999)
    tab, labs = _counts(ai, bi, ci, di, n1i, n2i, labels)
    a, b, c, d = (tab[:, j] for j in range(4))
    n1, n2 = a + b, c + d
    n = n1 + n2
    xt, yt = a + c, b + d
    e = xt * n1 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(n > 1, xt * yt * (n1 / n) * (n2 / n) / (n - 1), 0.0)
    if v.sum() <= 0:
        raise InputError("ai/ci", "no events (or no non-events) in any study", "at least one study with both events and non-events")
    beta = float(np.sum(a - e) / v.sum())
    se = 1.0 / math.sqrt(v.sum())
    pos = v > 0
    q = max(0.0, float(np.sum((a[pos] - e[pos]) ** 2 / v[pos]) - np.sum(a - e) ** 2 / v.sum()))
    k_yi = int(pos.sum())
    q_df = max(k_yi - 1, 0)
    q_p = float(stats.chi2.sf(q, q_df)) if k_yi > 1 else 1.0
    i2 = max(0.0, 100 * (q - q_df) / q) if k_yi > 1 and q > 0 else 0.0
    h2 = q / q_df if k_yi > 1 else 1.0
    crit = float(stats.norm.ppf(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.where(pos, (a - e) / v, np.nan)
        vi = np.where(pos, 1.0 / v, np.nan)
    notes = ["Peto one-step odds ratio from the raw counts (no continuity correction)"]
    if (~pos).any():
        notes.append("studies without information (no events or no non-events) carry no weight: "
                     + ", ".join(lbl for lbl, p in zip(labs, pos, strict=True) if not p))
    return MetaResult(
        method="PETO", test="z", measure="PETO", k=len(a), estimate=beta, se=se,
        ci_low=beta - crit * se, ci_high=beta + crit * se, stat=beta / se,
        pval=float(2 * stats.norm.sf(abs(beta / se))), df=None, tau2=0.0, tau2_ci=None,
        i2=i2, h2=h2, q=q, q_df=q_df, q_p=q_p, pi_low=None, pi_high=None,
        weights=100 * v / v.sum(), yi=yi, vi=vi, labels=labs, level=level, notes=tuple(notes),
    )


def meta_analysis(
    es: EffectSizes,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    threshold: float = 1e-10,
    maxiter: int = 100,
    on_nonconvergence: str = "fallback",
) -> MetaResult:
    """Dispatch to :func:`rma`, :func:`rma_mh` or :func:`rma_peto` by ``method``.

    ``MH`` and ``PETO`` need count data (``es.counts``) and use ``test="z"``.

    Raises
    ------
    InputError
        Unknown method, MH/PETO without counts or with ``test="knha"``.
    """
    check_choice("method", method, METHODS)
    check_choice("test", test, TESTS)
    if method in ("MH", "PETO"):
        if es.counts is None:
            raise InputError("method", method, "'MH' and 'PETO' only with 2x2 counts (ai, bi, ci, di)")
        if test != "z":
            raise InputError("test", test, f"'z' with method {method!r}")
        a, b, c, d = (es.counts[:, j].astype(int).tolist() for j in range(4))
        if method == "PETO":
            return rma_peto(a, b, c, d, labels=list(es.labels), level=level)
        return rma_mh(a, b, c, d, labels=list(es.labels), measure=es.measure, level=level)
    return rma(es, method=method, test=test, level=level, threshold=threshold, maxiter=maxiter,
               on_nonconvergence=on_nonconvergence)
