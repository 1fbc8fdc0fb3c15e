"""Server-rendered SVG plots of a patient's measures over time (matplotlib, no pyplot state)."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

from sclerostem.errors import SclerostemError

__all__ = ["MEASURES", "Measure", "eustar_value", "trajectory_svg"]


@dataclass(frozen=True, slots=True)
class Measure:
    """A plotted measure: label with unit, axis range, optional reference line."""

    key: str
    title: str
    axis_label: str
    lo: float
    hi: float
    reference: float | None = None
    reference_label: str | None = None


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("mrss", "Modified Rodnan skin score", "mRSS (points, 0–51)", 0, 51),
        Measure("fvc", "Forced vital capacity", "FVC (% predicted)", 0, 140, 80.0,
                "80% predicted"),
        Measure("dlco", "Diffusing capacity (DLCO)", "DLCO (% predicted)", 0, 140, 70.0,
                "70% predicted (EUSTAR-AI item)"),
        Measure("haq_di", "HAQ disability index", "HAQ-DI (0–3)", 0, 3),
        # Active disease at >= 2.5: scores.md §3a (Valentini 2017) [CONFIRMED].
        Measure("eustar", "EUSTAR activity index", "EUSTAR-AI (points, 0–10)", 0, 10, 2.5,
                "active ≥ 2.5"),
    )
}


def eustar_value(visit: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    """EUSTAR activity index of a stored visit: (value, lowest, highest possible points).

    The value stored with the visit's scores (``scores["eustar_ai"]``) when
    there is one; otherwise computed by the scores engine from the visit's
    recorded items (visits stored before the activity items were); when some
    items are not recorded the value is ``None`` and the range the index must
    lie in is returned instead (missing items can only add points).
    """
    import importlib

    stored = (visit.get("scores") or {}).get("eustar_ai")
    if isinstance(stored, int | float) and not isinstance(stored, bool):
        # the value the registry stored (computed by the scores engine when the visit was saved)
        return float(stored), float(stored), float(stored)
    scores = importlib.import_module("sclerostem.scores")
    fn = getattr(scores, "eustar_activity_index", None)
    model = getattr(scores, "EustarActivityInputs", None)
    if fn is None or model is None:
        return None, None, None
    try:
        res = fn(model(
            skin_worsening_patient_last_month=visit.get("skin_worsening_patient_last_month"),
            mrss_total=visit.get("mrss_total"),
            digital_ulcers_current=visit.get("digital_ulcers"),
            tendon_friction_rubs_current=visit.get("tendon_friction_rubs"),
            crp_mg_dl=visit.get("crp_mg_dl"),
            dlco_percent_predicted=visit.get("dlco_percent_predicted"),
        ))
    except SclerostemError:
        return None, None, None
    lo = res.components.get("points_known")
    hi = res.components.get("points_max_possible")
    value = float(res.value) if isinstance(res.value, int | float) else None
    return value, (float(lo) if lo is not None else None), (float(hi) if hi is not None else None)


#: Rendered plots kept in memory, keyed by their data (about 35 kB each).
PLOT_CACHE_SIZE = 256


def trajectory_svg(
    measure: Measure,
    points: Sequence[tuple[dt.date, float]],
    transplant_dates: Sequence[dt.date] = (),
    ranges: Sequence[tuple[dt.date, float, float]] = (),
) -> bytes:
    """One measure over time as an SVG document (cached by content; see :func:`_render`)."""
    return _render(measure, tuple(sorted(points)), tuple(transplant_dates), tuple(ranges))


@functools.lru_cache(maxsize=PLOT_CACHE_SIZE)
def _render(
    measure: Measure,
    points: tuple[tuple[dt.date, float], ...],
    transplant_dates: tuple[dt.date, ...],
    ranges: tuple[tuple[dt.date, float, float], ...],
) -> bytes:
    """One measure over time as an SVG document, transplant day(s) marked.

    Parameters
    ----------
    measure : Measure
    points : sequence of (date, value)
        Recorded values (missing visits are simply absent).
    transplant_dates : sequence of date
        Day 0 of each transplant, drawn as a vertical dashed line.
    ranges : sequence of (date, low, high)
        Visits where the value is only known to lie in a range (some items not
        recorded), drawn as vertical bars.
    """
    fig = Figure(figsize=(5.6, 2.9), dpi=100)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.17)
    ax = fig.add_subplot()
    pts = sorted(points)
    if pts:
        xs = date2num([p[0] for p in pts])
        ys = [p[1] for p in pts]
        ax.plot(xs, ys, marker="o", color="#0a4f8a", linewidth=2, markersize=5, label=measure.title)
    if ranges:
        ax.vlines(date2num([r[0] for r in ranges]), [r[1] for r in ranges], [r[2] for r in ranges],
                  color="#6b7785", linewidth=3, alpha=0.7, label="range (items not recorded)")
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    if not pts and not ranges:
        ax.text(0.5, 0.5, "no values recorded", transform=ax.transAxes, ha="center", va="center",
                color="#4a5561")
    if measure.reference is not None:
        ax.axhline(measure.reference, color="#7a4d00", linestyle=":", linewidth=1.2)
        ax.annotate(measure.reference_label or "", xy=(0.99, measure.reference),
                    xycoords=("axes fraction", "data"), ha="right", va="bottom", fontsize=9,
                    color="#7a4d00")
    for i, d in enumerate(transplant_dates):
        ax.axvline(float(date2num(d)), color="#a3161a", linestyle="--", linewidth=1.5)
        ax.annotate("HSCT" if i == 0 else "", xy=(d, 0.98), xycoords=("data", "axes fraction"),
                    ha="left", va="top", fontsize=10, color="#a3161a", xytext=(3, 0),
                    textcoords="offset points")
    all_dates = [p[0] for p in pts] + [r[0] for r in ranges] + list(transplant_dates)
    if all_dates:
        lo_d, hi_d = min(all_dates), max(all_dates)
        pad = dt.timedelta(days=max(30, (hi_d - lo_d).days // 20))
        ax.set_xlim(float(date2num(lo_d - pad)), float(date2num(hi_d + pad)))
        locator = AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    else:
        ax.set_xticks([])
    hi = measure.hi
    if pts or ranges:
        hi = max(hi, max([p[1] for p in pts] + [r[2] for r in ranges]) * 1.05)
    ax.set_ylim(measure.lo, hi)
    ax.set_ylabel(measure.axis_label, fontsize=11)
    ax.set_xlabel("Visit date", fontsize=11)
    ax.set_title(measure.title, fontsize=12)
    ax.tick_params(labelsize=10)
    ax.grid(True, color="#e1e6eb", linewidth=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()
