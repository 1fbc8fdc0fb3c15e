"""Kaplan-Meier and cumulative-incidence figures (matplotlib, Agg, no pyplot state).

``km_figure`` draws survival step curves with their pointwise confidence bands,
censoring marks and a number-at-risk table under the time axis;
``cif_figure`` draws Aalen-Johansen cumulative incidence curves per cause and
group. Both return a :class:`matplotlib.figure.Figure`; the caller saves it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from sclerostem.errors import InputError
from sclerostem.stats.survival import CumulativeIncidence, GrayTest, KaplanMeier, LogRank

__all__ = ["cif_figure", "km_figure"]

_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
_STYLES = ("-", "--", ":", "-.")


def _ticks(max_time: float, n: int = 6) -> np.ndarray:
    step = float(np.ceil(max_time / (n - 1))) if max_time > 0 else 1.0
    nice = [1, 2, 2.5, 3, 5, 6, 10, 12, 20, 24, 25, 50, 100, 200, 250, 500, 1000]
    step = next((v for v in nice if v >= step), step)
    return np.arange(0, max_time + 1e-9, step)


def km_figure(
    curves: Sequence[KaplanMeier],
    *,
    time_unit: str = "months",
    risk_times: Sequence[float] | None = None,
    title: str | None = None,
    show_ci: bool = True,
    logrank: LogRank | None = None,
    group_name: str | None = None,
) -> Figure:
    """Kaplan-Meier curves with confidence bands and a number-at-risk table.

    Parameters
    ----------
    curves : sequence of KaplanMeier
        One per group (from :func:`sclerostem.stats.survival.kaplan_meier_by_group`).
    time_unit : str
        Unit of the time axis, e.g. ``"months"``.
    risk_times : sequence of float, optional
        Times of the number-at-risk columns (default: the axis ticks).
    title : str, optional
    show_ci : bool
        Draw the pointwise CI bands of each curve (its ``conf_type``).
    logrank : LogRank, optional
        Printed on the plot when given.
    group_name : str, optional
        Name of the grouping column, shown in the legend (``"fin = 1"``).
    """
    if not curves:
        raise InputError("curves", "none", "at least one Kaplan-Meier curve")
    k = len(curves)
    max_time = max(float(c.time.max()) for c in curves)
    ticks = np.asarray(risk_times, dtype=float) if risk_times is not None else _ticks(max_time)
    fig = Figure(figsize=(7.5, 5.0 + 0.28 * k), layout="constrained")
    gs = fig.add_gridspec(2, 1, height_ratios=[4.0, 0.45 + 0.28 * k])
    ax = fig.add_subplot(gs[0])
    tab = fig.add_subplot(gs[1], sharex=ax)
    for i, c in enumerate(curves):
        colour = _COLOURS[i % len(_COLOURS)]
        label = c.group if c.group is not None else "all"
        if group_name and c.group is not None:
            label = f"{group_name} = {label}"
        x = np.concatenate(([0.0], c.time))
        y = np.concatenate(([1.0], c.survival))
        ax.step(x, y, where="post", color=colour, linestyle=_STYLES[i % len(_STYLES)], lw=1.8,
                label=f"{label} (n={c.n}, events={c.events})")
        if show_ci:
            lo = np.concatenate(([1.0], np.nan_to_num(c.ci_low, nan=np.nan)))
            hi = np.concatenate(([1.0], np.nan_to_num(c.ci_high, nan=np.nan)))
            ax.fill_between(x, lo, hi, step="post", color=colour, alpha=0.15, lw=0)
        cens = c.n_censor > 0
        ax.plot(c.time[cens], c.survival[cens], "|", color=colour, ms=6, mew=1)
    ax.set_ylim(0, 1.02)
    span = max_time if max_time > 0 else 1.0
    ax.set_xlim(-0.03 * span, 1.03 * span)
    ax.set_ylabel("Survival probability")
    ci_note = f"{round(curves[0].conf_level * 100)}% CI, {curves[0].conf_type}" if show_ci else ""
    ax.set_title(title or "Kaplan-Meier estimate" + (f" ({ci_note})" if ci_note else ""))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", frameon=False, fontsize=9)
    if logrank is not None:
        ax.text(0.98, 0.97, f"log-rank χ² = {logrank.chisq:.2f}, df = {logrank.df}, p = {logrank.p_value:.3g}",
                transform=ax.transAxes, ha="right", va="top", fontsize=9)
    ax.tick_params(labelbottom=False)
    # number-at-risk table
    tab.set_ylim(-0.5, k - 0.5)
    tab.set_yticks(range(k))
    tab.set_yticklabels([c.group if c.group is not None else "all" for c in reversed(curves)], fontsize=9)
    for i, c in enumerate(curves):
        row = k - 1 - i
        for t, n in zip(ticks, c.n_at_risk(ticks), strict=True):
            tab.text(t, row, str(int(n)), ha="center", va="center", fontsize=9, color=_COLOURS[i % len(_COLOURS)])
    tab.set_xticks(ticks)
    tab.set_xlabel(f"Time ({time_unit})")
    tab.set_title("Number at risk", fontsize=9, loc="left")
    for side in ("top", "right", "left"):
        tab.spines[side].set_visible(False)
    tab.tick_params(axis="y", length=0, pad=14)
    return fig


def cif_figure(
    curves: Sequence[CumulativeIncidence],
    *,
    time_unit: str = "months",
    title: str | None = None,
    cause_labels: dict[int, str] | None = None,
    show_ci: bool = True,
    conf_level: float = 0.95,
    tests: Sequence[GrayTest] = (),
) -> Figure:
    """Cumulative incidence curves (Aalen-Johansen), one line per cause and group.

    Bands, when shown, are pointwise ``cif -/+ z sqrt(variance)`` clipped to [0, 1]
    (normal approximation with the cmprsk variance).
    """
    if not curves:
        raise InputError("curves", "none", "at least one cumulative incidence curve")
    z = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    causes = sorted({c.cause for c in curves})
    groups = list(dict.fromkeys(c.group for c in curves))
    fig = Figure(figsize=(7.5, 5.0), layout="constrained")
    ax = fig.add_subplot()
    max_time = max(c.max_time for c in curves)
    for c in curves:
        gi = groups.index(c.group)
        colour = _COLOURS[gi % len(_COLOURS)]
        style = _STYLES[causes.index(c.cause) % len(_STYLES)]
        name = (cause_labels or {}).get(c.cause, f"cause {c.cause}")
        label = name if c.group is None else f"{name}, {c.group}"
        x = np.concatenate(([0.0], c.time, [c.max_time]))
        y = np.concatenate(([0.0], c.cif, [c.cif[-1] if c.cif.size else 0.0]))
        ax.step(x, y, where="post", color=colour, linestyle=style, lw=1.8, label=label)
        if show_ci and c.cif.size:
            se = np.sqrt(np.concatenate(([0.0], c.variance, [c.variance[-1]])))
            ax.fill_between(x, np.clip(y - z * se, 0, 1), np.clip(y + z * se, 0, 1), step="post",
                            color=colour, alpha=0.12, lw=0)
    ax.set_xlim(0, max_time * 1.02 if max_time > 0 else 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"Time ({time_unit})")
    ax.set_ylabel("Cumulative incidence (probability)")
    ax.set_title(title or "Cumulative incidence (Aalen-Johansen)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False, fontsize=9)
    if tests:
        txt = "\n".join(f"Gray's test, cause {g.cause}: χ² = {g.statistic:.2f}, df = {g.df}, p = {g.p_value:.3g}"
                        for g in tests)
        ax.text(0.98, 0.03, txt, transform=ax.transAxes, ha="right", va="bottom", fontsize=8)
    return fig
