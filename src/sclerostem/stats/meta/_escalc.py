"""Effect sizes and sampling variances from study summaries (metafor ``escalc`` conventions).

Zero cells
----------
For the 2x2 measures (RR, OR, RD) metafor's defaults are followed: ``add=0.5``
is added to **all four cells** of a study that has a zero in any cell
(``to="only0"``); other studies are untouched. ``to="all"`` adds to every study,
``to="if0all"`` to every study when any study has a zero, ``to="none"`` never
(then a zero cell gives an infinite log ratio and an :class:`InputError`).
Studies with no events in either arm ("double zero") are kept (metafor's
``drop00=False``) unless ``drop00=True``. The Mantel-Haenszel and Peto
methods pool the raw counts and need no correction (see ``_rma``).

References
----------
Viechtbauer W. Conducting meta-analyses in R with the metafor package.
J Stat Softw 2010;36(3):1-48. ``escalc`` help page, metafor 3.8-1.
Hedges LV. Distribution theory for Glass's estimator of effect size and related
estimators. J Educ Stat 1981;6:107-128 (small-sample correction of the SMD).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats

from sclerostem._validation import check_choice, check_number
from sclerostem.errors import ConsistencyError, InputError

__all__ = ["MEASURES", "EffectSizes", "escalc", "hedges_correction", "hr_effect_sizes", "loghr_from_ci"]

#: Effect-size measures and whether they are analysed on the log scale.
MEASURES: dict[str, bool] = {"RR": True, "OR": True, "RD": False, "MD": False, "SMD": False, "GEN": False}

_TO = ("only0", "all", "if0all", "none")


@dataclass(frozen=True)
class EffectSizes:
    """Observed effect sizes ``yi`` and sampling variances ``vi`` of ``k`` studies.

    Attributes
    ----------
    yi, vi : numpy.ndarray
        Effect sizes (log scale for RR/OR) and their variances.
    measure : str
        ``"RR"``, ``"OR"``, ``"RD"``, ``"MD"``, ``"SMD"`` or ``"GEN"`` (given yi/vi).
    labels : tuple of str
        Study labels.
    counts : numpy.ndarray or None
        The uncorrected 2x2 table (k x 4: ai, bi, ci, di) for count measures.
    corrected : tuple of bool
        Whether a continuity correction was added to each study.
    dropped : tuple of str
        Labels of studies removed by ``drop00``.
    """

    yi: np.ndarray
    vi: np.ndarray
    measure: str
    labels: tuple[str, ...]
    counts: np.ndarray | None = None
    corrected: tuple[bool, ...] = ()
    dropped: tuple[str, ...] = field(default_factory=tuple)

    @property
    def k(self) -> int:
        """Number of studies."""
        return int(self.yi.shape[0])

    @property
    def log_scale(self) -> bool:
        """``True`` for ratio measures, analysed as logarithms."""
        return MEASURES.get(self.measure, False)

    def subset(self, mask: Sequence[bool] | np.ndarray) -> EffectSizes:
        """The studies where ``mask`` is true."""
        m = np.asarray(mask, dtype=bool)
        return EffectSizes(
            yi=self.yi[m],
            vi=self.vi[m],
            measure=self.measure,
            labels=tuple(lbl for lbl, keep in zip(self.labels, m, strict=True) if keep),
            counts=None if self.counts is None else self.counts[m],
            corrected=tuple(c for c, keep in zip(self.corrected, m, strict=True) if keep)
            if self.corrected
            else (),
            dropped=self.dropped,
        )


def _labels(labels: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(f"Study {i + 1}" for i in range(k))
    if len(labels) != k:
        raise ConsistencyError("labels", len(labels), f"one label per study ({k})")
    return tuple(str(x) for x in labels)


def _column(name: str, values: Sequence[float] | np.ndarray, k: int | None, *, lo: float | None,
            integer: bool = False, positive: bool = False) -> np.ndarray:
    vals = list(np.asarray(values, dtype=object).tolist()) if not isinstance(values, list) else values
    if k is not None and len(vals) != k:
        raise ConsistencyError(name, len(vals), f"{k} values, one per study")
    out = []
    for i, v in enumerate(vals):
        if isinstance(v, np.generic):
            v = v.item()
        if v is None:
            raise InputError(name, v, "a number for every study", row=i + 1)
        if integer and isinstance(v, float) and v.is_integer():
            v = int(v)
        checked = check_number(name, v, lo, None, integer=integer, row=i + 1)
        if positive and checked is not None and checked <= 0:
            raise InputError(name, v, "a number greater than 0", row=i + 1)
        out.append(float(checked))  # type: ignore[arg-type]
    if not out:
        raise InputError(name, [], "at least one study")
    return np.asarray(out, dtype=float)


def hedges_correction(m: np.ndarray | float) -> np.ndarray:
    """Exact small-sample correction factor J(m) = Γ(m/2) / (√(m/2) Γ((m-1)/2)), m = n1 + n2 - 2.

    References
    ----------
    Hedges 1981, J Educ Stat 6:107-128, eq. 6e (the exact form used by metafor).
    """
    m = np.asarray(m, dtype=float)
    return np.exp(special.gammaln(m / 2) - 0.5 * np.log(m / 2) - special.gammaln((m - 1) / 2))


def escalc(
    measure: str,
    *,
    ai: Sequence[float] | np.ndarray | None = None,
    bi: Sequence[float] | np.ndarray | None = None,
    ci: Sequence[float] | np.ndarray | None = None,
    di: Sequence[float] | np.ndarray | None = None,
    n1i: Sequence[float] | np.ndarray | None = None,
    n2i: Sequence[float] | np.ndarray | None = None,
    m1i: Sequence[float] | np.ndarray | None = None,
    sd1i: Sequence[float] | np.ndarray | None = None,
    m2i: Sequence[float] | np.ndarray | None = None,
    sd2i: Sequence[float] | np.ndarray | None = None,
    yi: Sequence[float] | np.ndarray | None = None,
    vi: Sequence[float] | np.ndarray | None = None,
    labels: Sequence[str] | None = None,
    add: float = 0.5,
    to: str = "only0",
    drop00: bool = False,
) -> EffectSizes:
    """Compute effect sizes and sampling variances, like ``metafor::escalc``.

    Parameters
    ----------
    measure : str
        ``"RR"`` (log risk ratio), ``"OR"`` (log odds ratio), ``"RD"`` (risk
        difference), ``"MD"`` (raw mean difference), ``"SMD"`` (Hedges' g) or
        ``"GEN"`` (given ``yi``/``vi``).
    ai, bi, ci, di : sequences of int
        2x2 counts: treated events, treated non-events, control events, control
        non-events. Alternatively give ``ai``, ``n1i``, ``ci``, ``n2i``
        (events and arm sizes).
    m1i, sd1i, n1i, m2i, sd2i, n2i : sequences of float
        Means, standard deviations and sizes of the two arms (MD, SMD).
    yi, vi : sequences of float
        Precomputed effect sizes and variances (``measure="GEN"``).
    labels : sequence of str, optional
        Study labels.
    add, to, drop00
        Zero-cell handling (see the module docstring); metafor's defaults.

    Returns
    -------
    EffectSizes

    Raises
    ------
    InputError
        Negative or non-integer counts, events above the arm size, negative SDs,
        non-positive variances, unknown measure.

    Notes
    -----
    RR: yi = log((ai/n1)/(ci/n2)), vi = 1/ai - 1/n1 + 1/ci - 1/n2.
    OR: yi = log(ai di/(bi ci)), vi = 1/ai + 1/bi + 1/ci + 1/di.
    RD: yi = ai/n1 - ci/n2, vi = p1(1-p1)/n1 + p2(1-p2)/n2.
    MD: yi = m1 - m2, vi = sd1²/n1 + sd2²/n2.
    SMD: yi = J(m) (m1 - m2)/s_pooled, vi = 1/n1 + 1/n2 + yi²/(2(n1 + n2)), m = n1 + n2 - 2.

    References
    ----------
    metafor 3.8-1 ``escalc``; Hedges 1981; Borenstein M et al. Introduction to
    Meta-Analysis, Wiley 2009, chapters 4-5.
    """
    check_choice("measure", measure, tuple(MEASURES))
    check_choice("to", to, _TO)
    check_number("add", add, 0, None)
    if measure == "GEN" or (yi is not None and measure not in ("RR", "OR", "RD", "MD", "SMD")):
        if yi is None or vi is None:
            raise InputError("yi/vi", None, "both yi and vi columns for precomputed effect sizes")
        y = _column("yi", yi, None, lo=None)
        v = _column("vi", vi, len(y), lo=None, positive=True)
        return EffectSizes(y, v, "GEN", _labels(labels, len(y)))
    if measure in ("RR", "OR", "RD"):
        return _escalc_counts(measure, ai, bi, ci, di, n1i, n2i, labels, add, to, drop00)
    return _escalc_means(measure, m1i, sd1i, n1i, m2i, sd2i, n2i, labels)


def _escalc_counts(measure, ai, bi, ci, di, n1i, n2i, labels, add, to, drop00) -> EffectSizes:
    if ai is None or ci is None:
        raise InputError("ai/ci", None, "event counts of both arms (columns ai and ci)")
    a = _column("ai", ai, None, lo=0, integer=True)
    k = len(a)
    c = _column("ci", ci, k, lo=0, integer=True)
    if bi is not None and di is not None:
        b = _column("bi", bi, k, lo=0, integer=True)
        d = _column("di", di, k, lo=0, integer=True)
    elif n1i is not None and n2i is not None:
        n1 = _column("n1i", n1i, k, lo=1, integer=True)
        n2 = _column("n2i", n2i, k, lo=1, integer=True)
        for i in range(k):
            if a[i] > n1[i]:
                raise ConsistencyError("ai", int(a[i]), f"at most the arm size n1i = {int(n1[i])}", row=i + 1)
            if c[i] > n2[i]:
                raise ConsistencyError("ci", int(c[i]), f"at most the arm size n2i = {int(n2[i])}", row=i + 1)
        b, d = n1 - a, n2 - c
    else:
        raise InputError("bi/di", None, "non-event counts (bi, di) or arm sizes (n1i, n2i)")
    for i in range(k):
        if a[i] + b[i] == 0:
            raise InputError("n1i", 0, "an arm with at least one participant", row=i + 1)
        if c[i] + d[i] == 0:
            raise InputError("n2i", 0, "an arm with at least one participant", row=i + 1)
    lab = _labels(labels, k)
    counts = np.column_stack([a, b, c, d])
    keep = np.ones(k, dtype=bool)
    dropped: tuple[str, ...] = ()
    if drop00:
        keep = ~(((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
        dropped = tuple(lbl for lbl, kp in zip(lab, keep, strict=True) if not kp)
        if not keep.any():
            raise InputError("ai/ci", "all studies double-zero", "at least one study with events")
        counts, lab = counts[keep], tuple(lbl for lbl, kp in zip(lab, keep, strict=True) if kp)
    has0 = (counts == 0).any(axis=1)
    if to == "only0":
        corr = has0
    elif to == "all":
        corr = np.ones(len(counts), dtype=bool)
    elif to == "if0all":
        corr = np.full(len(counts), bool(has0.any()))
    else:
        corr = np.zeros(len(counts), dtype=bool)
    cc = counts + np.where(corr, add, 0.0)[:, None]
    a2, b2, c2, d2 = cc.T
    n1, n2 = a2 + b2, c2 + d2
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "RR":
            y = np.log((a2 / n1) / (c2 / n2))
            v = 1 / a2 - 1 / n1 + 1 / c2 - 1 / n2
        elif measure == "OR":
            y = np.log((a2 * d2) / (b2 * c2))
            v = 1 / a2 + 1 / b2 + 1 / c2 + 1 / d2
        else:
            p1, p2 = a2 / n1, c2 / n2
            y = p1 - p2
            v = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    for i in range(len(y)):
        if not (np.isfinite(y[i]) and np.isfinite(v[i]) and v[i] > 0):
            raise InputError(
                "ai/bi/ci/di",
                tuple(int(x) for x in counts[i]),
                f"counts giving a finite {measure} with positive variance "
                "(a zero cell needs a continuity correction: add > 0, to != 'none')",
                row=i + 1,
            )
    return EffectSizes(y, v, measure, lab, counts, tuple(bool(x) for x in corr), dropped)


def _escalc_means(measure, m1i, sd1i, n1i, m2i, sd2i, n2i, labels) -> EffectSizes:
    if any(x is None for x in (m1i, sd1i, n1i, m2i, sd2i, n2i)):
        raise InputError("m1i/sd1i/n1i/m2i/sd2i/n2i", None, "all six columns for a mean-based measure")
    m1 = _column("m1i", m1i, None, lo=None)
    k = len(m1)
    m2 = _column("m2i", m2i, k, lo=None)
    s1 = _column("sd1i", sd1i, k, lo=0)
    s2 = _column("sd2i", sd2i, k, lo=0)
    n1 = _column("n1i", n1i, k, lo=1, integer=True)
    n2 = _column("n2i", n2i, k, lo=1, integer=True)
    if measure == "MD":
        y = m1 - m2
        v = s1**2 / n1 + s2**2 / n2
    else:
        for i in range(k):
            if n1[i] + n2[i] < 4:
                raise InputError("n1i+n2i", int(n1[i] + n2[i]), "at least 4 participants for the SMD", row=i + 1)
        mi = n1 + n2 - 2
        sp = np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / mi)
        for i in range(k):
            if sp[i] <= 0:
                raise InputError("sd1i/sd2i", (s1[i], s2[i]), "standard deviations giving a pooled SD > 0", row=i + 1)
        y = hedges_correction(mi) * (m1 - m2) / sp
        v = 1 / n1 + 1 / n2 + y**2 / (2 * (n1 + n2))
    for i in range(k):
        if not v[i] > 0:
            raise InputError("vi", float(v[i]), "a sampling variance greater than 0 (check the SDs)", row=i + 1)
    return EffectSizes(y, v, measure, _labels(labels, k))


def loghr_from_ci(hr: float, ci_low: float, ci_high: float, *, level: float = 0.95) -> tuple[float, float]:
    """Log hazard ratio and its variance from a reported HR and confidence interval.

    ``yi = log(hr)``, ``se = (log(ci_high) - log(ci_low)) / (2 z)``, z the normal
    quantile for ``level`` (1.959964 for 95 %); returns ``(yi, se**2)``.

    Raises
    ------
    InputError
        Non-positive values, or limits that do not enclose the HR.

    References
    ----------
    Parmar MKB, Torri V, Stewart L. Extracting summary statistics to perform
    meta-analyses of the published literature for survival endpoints.
    Stat Med 1998;17:2815-2834.
    """
    for name, val in (("hr", hr), ("ci_low", ci_low), ("ci_high", ci_high)):
        check_number(name, val, None, None)
        if val <= 0:
            raise InputError(name, val, "a number greater than 0")
    check_number("level", level, 0.5, 0.999)
    if not ci_low < hr < ci_high:
        raise ConsistencyError("hr", hr, f"a value strictly between ci_low = {ci_low:g} and ci_high = {ci_high:g}")
    z = float(stats.norm.ppf(0.5 + level / 2))
    se = (math.log(ci_high) - math.log(ci_low)) / (2 * z)
    return math.log(hr), se * se


def hr_effect_sizes(
    hr: Sequence[float] | np.ndarray,
    ci_low: Sequence[float] | np.ndarray,
    ci_high: Sequence[float] | np.ndarray,
    *,
    labels: Sequence[str] | None = None,
    level: float = 0.95,
) -> EffectSizes:
    """Log hazard ratios and variances of k studies from reported HRs and confidence limits.

    Applies :func:`loghr_from_ci` per study; the result has ``measure="HR"``
    (analysed on the log scale, back-transformed for display).

    Raises
    ------
    InputError
        A non-positive value, or limits that do not enclose the HR (with its row).
    """
    h = _column("hr", hr, None, lo=None, positive=True)
    k = len(h)
    lo = _column("ci_low", ci_low, k, lo=None, positive=True)
    hi = _column("ci_high", ci_high, k, lo=None, positive=True)
    y, v = np.empty(k), np.empty(k)
    for i in range(k):
        if not lo[i] < h[i] < hi[i]:
            raise ConsistencyError(
                "hr", float(h[i]), f"a value strictly between ci_low = {lo[i]:g} and ci_high = {hi[i]:g}", row=i + 1
            )
        y[i], v[i] = loghr_from_ci(float(h[i]), float(lo[i]), float(hi[i]), level=level)
    return EffectSizes(y, v, "HR", _labels(labels, k))
