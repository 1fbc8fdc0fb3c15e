"""Forest and funnel plots of a :class:`~sclerostem.stats.meta.MetaResult` (matplotlib, Agg).

The forest plot follows the layout clinicians know from RevMan and R's ``meta``:
one row per study with (for 2x2 data) events/total per arm, the weight, the
estimate with its confidence interval as text and as a square + whisker, the
pooled estimate as a diamond, the prediction interval as a bar under it, and a
heterogeneity line (tau², I², Q with df and P) and the test for the overall effect.

References
----------
Schwarzer G, Carpenter JR, Rücker G. Meta-Analysis with R. Springer 2015, chapter 2
(forest plot layout); Sterne JAC et al. Recommendations for examining and
interpreting funnel plot asymmetry. BMJ 2011;343:d4002 (funnel plot).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle

from sclerostem.errors import InputError
from sclerostem.stats.meta import MetaResult

__all__ = ["MEASURE_LABELS", "forest_figure", "funnel_figure"]

#: Axis label per measure.
MEASURE_LABELS = {
    "RR": "Risk ratio",
    "OR": "Odds ratio",
    "PETO": "Peto odds ratio",
    "RD": "Risk difference",
    "MD": "Mean difference",
    "SMD": "Standardised mean difference (Hedges' g)",
    "GEN": "Effect size",
    "HR": "Hazard ratio",
}

_METHOD_TEXT = {
    "FE": "Common effect (inverse variance)",
    "MH": "Common effect (Mantel-Haenszel)",
    "PETO": "Common effect (Peto)",
}


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def forest_figure(
    result: MetaResult,
    *,
    counts: Sequence[tuple[int, int, int, int]] | None = None,
    arm_labels: tuple[str, str] = ("Treatment", "Control"),
    favours: tuple[str, str] | None = None,
    title: str | None = None,
    source: str | None = None,
    digits: int | None = None,
    xlabel: str | None = None,
    transform: str | None = None,
) -> Figure:
    """Draw a RevMan / R-meta style forest plot.

    Parameters
    ----------
    result : MetaResult
        Fitted model; ratio measures are drawn on a log axis and labelled
        back-transformed.
    counts : sequence of (ai, bi, ci, di), optional
        2x2 counts per study, shown as events/total columns.
    arm_labels : (str, str)
        Column titles of the two arms.
    favours : (str, str), optional
        Labels under the axis, left and right of the null line.
    title, source : str, optional
        Printed above / below the plot.
    digits : int, optional
        Decimals of the estimate text (default 3 for risk differences, else 2).
    xlabel : str, optional
        Axis label (default: the measure's name).
    transform : {"exp", "none"}, optional
        Force (``"exp"``) or suppress (``"none"``) back-transformation of the
        axis and text; default: ``"exp"`` for ratio measures, else none.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        If ``counts`` does not have one row per study.
    """
    k = len(result.labels)
    if counts is not None and len(counts) != k:
        raise InputError("counts", len(counts), f"one (ai, bi, ci, di) row per study ({k})")
    if transform not in (None, "exp", "none"):
        raise InputError("transform", transform, "one of 'exp', 'none'")
    log = result.log_scale if transform is None else transform == "exp"

    def tr(x: float) -> float:
        return math.exp(x) if log else x

    z = 1.959963984540054
    if digits is None:
        digits = 3 if result.measure == "RD" else 2

    class _Fmt:
        """Fixed-decimals formatter that never prints a negative zero ("-0.00")."""

        @staticmethod
        def format(x: float) -> str:
            text = f"{x:.{digits}f}"
            return text[1:] if text.startswith("-") and float(text) == 0 else text

    est_txt = _Fmt()
    n_extra = 2 + (1 if result.random_effects else 0)
    nrows = k + n_extra + 3
    height = 0.32 * nrows + 1.6
    fig = Figure(figsize=(11.5, height), dpi=110)
    ax_t = fig.add_axes((0.01, 0.17, 0.62, 0.73))
    ax_p = fig.add_axes((0.64, 0.17, 0.34, 0.73), sharey=ax_t)
    ax_t.axis("off")
    top = nrows - 1
    cols = {"study": 0.0, "arm1": 0.41, "arm2": 0.54, "weight": 0.665, "est": 0.74}
    header_y = top
    ax_t.text(cols["study"], header_y, "Study", weight="bold", va="center")
    if counts is not None:
        ax_t.text(cols["arm1"], header_y, f"{arm_labels[0]}\nEvents/Total", weight="bold", va="center", ha="center",
                  fontsize=8.5)
        ax_t.text(cols["arm2"], header_y, f"{arm_labels[1]}\nEvents/Total", weight="bold", va="center", ha="center",
                  fontsize=8.5)
    ax_t.text(cols["weight"], header_y, "Weight", weight="bold", va="center", ha="center")
    name = MEASURE_LABELS.get(result.measure, result.measure)
    ax_t.text(cols["est"], header_y, f"{name}\n[95% CI]", weight="bold", va="center", ha="left", fontsize=8.5)

    xs_lo, xs_hi = [], []
    for i in range(k):
        y = top - 1.2 - i
        yi, vi, w = result.yi[i], result.vi[i], result.weights[i]
        ax_t.text(cols["study"], y, result.labels[i], va="center")
        if counts is not None:
            a, b, c, d = counts[i]
            ax_t.text(cols["arm1"], y, f"{a}/{a + b}", va="center", ha="center")
            ax_t.text(cols["arm2"], y, f"{c}/{c + d}", va="center", ha="center")
        ax_t.text(cols["weight"], y, f"{w:.1f}%", va="center", ha="center")
        if not (np.isfinite(yi) and np.isfinite(vi)):
            ax_t.text(cols["est"], y, "not estimable", va="center", ha="left", color="0.4")
            continue
        lo, hi = yi - z * math.sqrt(vi), yi + z * math.sqrt(vi)
        ax_t.text(cols["est"], y, f"{est_txt.format(tr(yi))} [{est_txt.format(tr(lo))}; {est_txt.format(tr(hi))}]",
                  va="center", ha="left", family="monospace", fontsize=8.5)
        ax_p.plot([lo, hi], [y, y], color="black", lw=1)
        ax_p.plot([yi], [y], marker="s", color="0.35", markersize=4 + 14 * math.sqrt(w / 100), ls="none")
        xs_lo.append(lo)
        xs_hi.append(hi)

    y_pool = top - 1.2 - k - 0.6
    label = _METHOD_TEXT.get(result.method, f"Random effects ({result.method}"
                             + (", Hartung-Knapp" if result.test == "knha" else "") + ")")
    ax_t.text(cols["study"], y_pool, label, weight="bold", va="center")
    if counts is not None:
        tot = np.asarray(counts).sum(axis=0)
        ax_t.text(cols["arm1"], y_pool, f"{int(tot[0])}/{int(tot[0] + tot[1])}", va="center", ha="center", weight="bold")
        ax_t.text(cols["arm2"], y_pool, f"{int(tot[2])}/{int(tot[2] + tot[3])}", va="center", ha="center", weight="bold")
    ax_t.text(cols["weight"], y_pool, "100.0%", va="center", ha="center", weight="bold")
    ax_t.text(cols["est"], y_pool,
              f"{est_txt.format(tr(result.estimate))} [{est_txt.format(tr(result.ci_low))}; "
              f"{est_txt.format(tr(result.ci_high))}]", va="center", ha="left", weight="bold",
              family="monospace", fontsize=8.5)
    ax_p.add_patch(Polygon([(result.ci_low, y_pool), (result.estimate, y_pool + 0.3), (result.ci_high, y_pool),
                            (result.estimate, y_pool - 0.3)], closed=True, facecolor="#2c5d8a", edgecolor="black"))
    xs_lo.append(result.ci_low)
    xs_hi.append(result.ci_high)
    y_next = y_pool - 1
    if result.random_effects and result.pi_low is not None and result.pi_high is not None:
        ax_t.text(cols["study"], y_next, "Prediction interval", va="center", style="italic")
        ax_t.text(cols["est"], y_next, f"{'':>{digits + 2}} [{est_txt.format(tr(result.pi_low))}; "
                  f"{est_txt.format(tr(result.pi_high))}]", va="center", ha="left", family="monospace", fontsize=8.5)
        ax_p.add_patch(Rectangle((result.pi_low, y_next - 0.12), result.pi_high - result.pi_low, 0.24,
                                 facecolor="#b22222", edgecolor="none", alpha=0.85))
        xs_lo.append(result.pi_low)
        xs_hi.append(result.pi_high)
        y_next -= 1
    het = (f"Heterogeneity: $\\tau^2$ = {result.tau2:.4f}; $I^2$ = {result.i2:.0f}%; "
           f"Q = {result.q:.2f} (df = {result.q_df}, {_fmt_p(result.q_p)})")
    if result.tau2_ci is not None:
        het += f"; $\\tau^2$ 95% CI [{result.tau2_ci[0]:.4f}; {result.tau2_ci[1]:.4f}]"
    ax_t.text(cols["study"], y_next, het, va="center", fontsize=8.5)
    stat_name = "t" if result.test == "knha" else "z"
    df = f"$_{{{result.df}}}$" if result.df is not None else ""
    ax_t.text(cols["study"], y_next - 0.8,
              f"Test for overall effect: {stat_name}{df} = {result.stat:.2f} ({_fmt_p(result.pval)})",
              va="center", fontsize=8.5)

    null = 0.0
    ax_p.axvline(null, color="black", lw=0.8)
    ax_p.axvline(result.estimate, color="#2c5d8a", lw=0.8, ls=":")
    lo_all, hi_all = min(*xs_lo, null), max(*xs_hi, null)
    pad = 0.05 * (hi_all - lo_all or 1.0)
    ax_p.set_xlim(lo_all - pad, hi_all + pad)
    ax_p.set_ylim(y_next - 1.4, top + 0.7)
    for side in ("top", "right", "left"):
        ax_p.spines[side].set_visible(False)
    ax_p.tick_params(axis="y", left=False, labelleft=False)
    if log:
        ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
                 if lo_all - pad <= math.log(t) <= hi_all + pad]
        ax_p.set_xticks([math.log(t) for t in ticks], [f"{t:g}" for t in ticks])
    ax_p.set_xlabel(xlabel or name, fontsize=9)
    if favours:
        ax_p.text(0.02, -0.1, f"← {favours[0]}", transform=ax_p.transAxes, ha="left", fontsize=8)
        ax_p.text(0.98, -0.1, f"{favours[1]} →", transform=ax_p.transAxes, ha="right", fontsize=8)
    ax_t.set_xlim(0, 1)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=11, weight="bold")
    foot = []
    if source:
        foot.append(f"Source: {source}")
    foot.extend(result.notes)
    if foot:
        fig.text(0.01, 0.01, "\n".join(foot), fontsize=7, va="bottom", ha="left", wrap=True)
    return fig


def funnel_figure(result: MetaResult, *, title: str | None = None) -> Figure:
    """Funnel plot: study effect sizes against their standard errors (inverted axis).

    The dashed triangle is the pseudo 95 % confidence region around the pooled
    estimate (estimate ± 1.96 SE), as in metafor's ``funnel()``.

    Raises
    ------
    InputError
        If fewer than 2 studies have an estimable effect size.
    """
    ok = np.isfinite(result.yi) & np.isfinite(result.vi)
    if ok.sum() < 2:
        raise InputError("k", int(ok.sum()), "at least 2 studies with estimable effect sizes for a funnel plot")
    yi, se = result.yi[ok], np.sqrt(result.vi[ok])
    fig = Figure(figsize=(6, 5), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    smax = float(se.max()) * 1.1
    s = np.linspace(0, smax, 50)
    z = 1.959963984540054
    ax.fill_betweenx(s, result.estimate - z * s, result.estimate + z * s, color="0.93")
    ax.plot(result.estimate - z * s, s, ls="--", color="0.4", lw=0.8)
    ax.plot(result.estimate + z * s, s, ls="--", color="0.4", lw=0.8)
    ax.axvline(result.estimate, color="#2c5d8a", lw=1)
    ax.scatter(yi, se, color="black", zorder=3, s=22)
    ax.set_ylim(smax, 0)
    name = MEASURE_LABELS.get(result.measure, result.measure)
    ax.set_xlabel(f"log {name.lower()}" if result.log_scale else name)
    ax.set_ylabel("Standard error")
    ax.set_title(title or f"Funnel plot ({result.method}, k = {result.k})", fontsize=10)
    fig.tight_layout()
    return fig
