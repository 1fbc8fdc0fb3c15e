"""GPC / GRCS summary plot: wins, losses and ties by level, with the cumulative net benefit.

Adapter layer (matplotlib, Agg backend); it only reads a
:class:`sclerostem.stats.gpc.GPCResult`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from sclerostem.stats.gpc import GPCResult

__all__ = ["gpc_figure", "save_gpc_plot"]

_COLOURS = {
    "wins": "#1b7837",
    "losses": "#b2182b",
    "neutral": "#8c8c8c",
    "uninformative": "#d9d9d9",
}


def gpc_figure(result: GPCResult) -> Figure:
    """Build the figure: left, share of all pairs decided at each level; right, cumulative net benefit.

    Parameters
    ----------
    result : GPCResult
        Output of :func:`sclerostem.stats.gpc.gpc`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    levels = result.levels
    n_pairs = max(result.n_pairs, 1)
    labels = [f"{lv.level}. {lv.endpoint}" for lv in levels]
    y = np.arange(len(levels))[::-1]
    fig = Figure(figsize=(10, 1.2 + 0.7 * len(levels)))
    ax_bar, ax_nb = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    left = np.zeros(len(levels))
    for key, colour in _COLOURS.items():
        share = np.array([getattr(lv, key) for lv in levels]) / n_pairs * 100
        ax_bar.barh(y, share, left=left, color=colour, edgecolor="white", label=key)
        left += share
    ax_bar.set_yticks(y, labels)
    ax_bar.set_xlim(0, 100)
    ax_bar.set_xlabel("pairs decided at this level (% of all treated x control pairs)")
    ax_bar.set_ylabel("endpoint level (priority order)")
    ax_bar.legend(
        ncol=4, fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False
    )
    nb = np.array([lv.net_benefit for lv in levels])
    lo = np.array([lv.net_benefit_ci_low for lv in levels])
    hi = np.array([lv.net_benefit_ci_high for lv in levels])
    has_ci = np.isfinite(lo) & np.isfinite(hi)
    err = np.vstack([np.where(has_ci, nb - lo, 0), np.where(has_ci, hi - nb, 0)])
    ax_nb.errorbar(nb, y, xerr=err, fmt="o", color="black", capsize=3)
    ax_nb.axvline(0, color="grey", lw=0.8, ls="--")
    ax_nb.set_xlim(-1, 1)
    ci = f"{result.confidence:.0%} CI" if has_ci.any() else "no CI"
    ax_nb.set_xlabel(f"cumulative net benefit ({ci})")
    fig.suptitle(
        f"Generalized pairwise comparisons: {result.treated_label} (n={result.n_treated}) vs "
        f"{result.control_label} (n={result.n_control}), {result.scoring} scoring, {result.inference}",
        fontsize="medium",
    )
    fig.tight_layout()
    return fig


def save_gpc_plot(result: GPCResult, path: Path, fmt: str | None = None) -> None:
    """Write the figure to ``path`` (format from ``fmt`` or the file suffix)."""
    gpc_figure(result).savefig(path, format=fmt, dpi=150)
