"""Result type of a meta-analysis."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["MetaResult"]


def _f(x: float | None) -> float | None:
    return None if x is None else float(x)


@dataclass(frozen=True)
class MetaResult:
    """A fitted fixed- or random-effects model (values on the analysis scale).

    Attributes
    ----------
    method : str
        ``FE``, ``MH``, ``PETO`` or a tau² estimator (``REML``, ``DL``, ``PM``, ``ML``, ``SJ``, ``HE``).
    test : str
        ``"z"`` (Wald, normal quantiles) or ``"knha"`` (Hartung-Knapp-Sidik-Jonkman, t with k-1 df).
    measure : str
        Effect measure; ratio measures (``RR``, ``OR``, ``PETO``) are on the log scale.
    k : int
        Number of studies in the model.
    estimate, se, ci_low, ci_high : float
        Pooled effect, its standard error and confidence interval.
    stat, pval : float
        z (or t) statistic and two-sided P value.
    df : int or None
        Degrees of freedom of the t reference (``knha``), else ``None``.
    tau2 : float
        Between-study variance (0 for fixed-effect models).
    tau2_ci : tuple of float or None
        Q-profile confidence interval of tau² (random-effects models).
    i2, h2 : float
        I² (percent) and H² as metafor computes them (from tau² for random
        effects; from Q for fixed-effect models).
    q, q_df, q_p : float, int, float
        Cochran's Q (fixed-effect weights), its df and P value.
    pi_low, pi_high : float or None
        95 % prediction interval (random-effects models only).
    weights : numpy.ndarray
        Study weights in percent.
    yi, vi : numpy.ndarray
        Study effect sizes and variances used for display and heterogeneity.
    labels : tuple of str
        Study labels.
    level : float
        Confidence level (0.95).
    iterations : int
        Iterations used by an iterative tau² estimator (0 for closed forms).
    notes : tuple of str
        Everything the user must know (continuity corrections, dropped studies,
        HKSJ used with a fixed-effect model, ...).
    """

    method: str
    test: str
    measure: str
    k: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    stat: float
    pval: float
    df: int | None
    tau2: float
    tau2_ci: tuple[float, float] | None
    i2: float
    h2: float
    q: float
    q_df: int
    q_p: float
    pi_low: float | None
    pi_high: float | None
    weights: np.ndarray
    yi: np.ndarray
    vi: np.ndarray
    labels: tuple[str, ...]
    level: float = 0.95
    iterations: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def log_scale(self) -> bool:
        """``True`` when the measure is a ratio analysed on the log scale."""
        return self.measure in ("RR", "OR", "PETO", "HR")

    @property
    def random_effects(self) -> bool:
        """``True`` for a random-effects model."""
        return self.method not in ("FE", "MH", "PETO")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation with the CLI's field names.

        Ratio measures also carry ``exp_*`` fields (back-transformed estimate,
        confidence and prediction limits).
        """
        d: dict[str, Any] = {
            "k": self.k,
            "measure": self.measure,
            "method": self.method,
            "test": self.test,
            "estimate": float(self.estimate),
            "se": float(self.se),
            "ci_low": float(self.ci_low),
            "ci_high": float(self.ci_high),
            "stat": float(self.stat),
            "pval": float(self.pval),
            "df": self.df,
            "tau2": float(self.tau2),
            "tau2_ci_low": None if self.tau2_ci is None else float(self.tau2_ci[0]),
            "tau2_ci_high": None if self.tau2_ci is None else float(self.tau2_ci[1]),
            "i2": float(self.i2),
            "h2": float(self.h2),
            "q": float(self.q),
            "q_df": self.q_df,
            "q_p": float(self.q_p),
            "pi_low": _f(self.pi_low),
            "pi_high": _f(self.pi_high),
            "level": self.level,
            "iterations": self.iterations,
            "studies": [
                {"study": lbl, "yi": float(y), "vi": float(v), "weight_percent": float(w)}
                for lbl, y, v, w in zip(self.labels, self.yi, self.vi, self.weights, strict=True)
            ],
            "notes": list(self.notes),
        }
        if self.log_scale:
            d["exp_estimate"] = math.exp(self.estimate)
            d["exp_ci_low"] = math.exp(self.ci_low)
            d["exp_ci_high"] = math.exp(self.ci_high)
            d["exp_pi_low"] = None if self.pi_low is None else math.exp(self.pi_low)
            d["exp_pi_high"] = None if self.pi_high is None else math.exp(self.pi_high)
        return d
