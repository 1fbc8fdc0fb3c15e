"""Icon arrays (decision aids): ``count`` of ``per`` people with the good outcome, per arm.

Icon arrays show absolute risks the way patient-decision-aid guidance recommends:
one grid of 100 people per treatment arm, the people with the good outcome in
one colour and the rest in grey, with the time point and the source printed on
the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, Patch

from sclerostem._validation import check_number
from sclerostem.errors import InputError

__all__ = ["GOOD_COLOUR", "OTHER_COLOUR", "OTHER_LABELS", "IconArm", "icon_array_figure", "trial_icon_arms"]

GOOD_COLOUR = "#1b7837"  #: colour of people with the good outcome (colour-blind safe green)
OTHER_COLOUR = "#c7c7c7"  #: colour of everyone else


def _person(ax, x: float, y: float, colour: str) -> None:
    """Draw one stylised person (head + body) centred at ``(x, y)`` in a unit cell."""
    ax.add_patch(Circle((x, y + 0.22), 0.13, facecolor=colour, edgecolor="none"))
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.17, y - 0.36),
            0.34,
            0.42,
            boxstyle="round,pad=0,rounding_size=0.12",
            facecolor=colour,
            edgecolor="none",
        )
    )


def icon_array_figure(
    arms: Sequence[tuple[str, int]],
    *,
    per: int = 100,
    outcome_label: str,
    time_label: str,
    source: str,
    other_label: str | None = None,
) -> Figure:
    """Draw one icon grid per arm with ``count`` of ``per`` icons coloured for the good outcome.

    Parameters
    ----------
    arms : sequence of (label, count)
        Arm label (e.g. ``"HSCT"``) and the number of people out of ``per``
        with the good outcome.
    per : int
        People per grid (100 draws a 10 x 10 grid).
    outcome_label : str
        Name of the good outcome, e.g. ``"alive without organ failure"``.
    time_label : str
        Time point, e.g. ``"at 72 months"``; printed on the picture.
    source : str
        Source citation; printed on the picture.
    other_label : str, optional
        Legend text of the grey icons (default ``"not <outcome_label>"``).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        If ``arms`` is empty, ``per`` is not a whole number from 1 to 1000, or a
        count is outside 0..``per``.
    """
    check_number("per", per, 1, 1000, integer=True)
    if not arms:
        raise InputError("arms", list(arms), "at least one (label, count) pair")
    for i, (_label, count) in enumerate(arms):
        check_number(f"arms[{i}].count", count, 0, per, integer=True)
    ncol = 10 if per % 10 == 0 else math.ceil(math.sqrt(per))
    nrow = math.ceil(per / ncol)
    fig = Figure(figsize=(3.6 * len(arms) + 0.4, 0.34 * nrow + 1.9), dpi=100)
    axes = fig.subplots(1, len(arms), squeeze=False)[0]
    for ax, (label, count) in zip(axes, arms, strict=True):
        for k in range(per):
            row, col = divmod(k, ncol)
            colour = GOOD_COLOUR if k < count else OTHER_COLOUR
            _person(ax, col + 0.5, nrow - row - 0.5, colour)
        ax.set_xlim(0, ncol)
        ax.set_ylim(0, nrow)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"{label}\n{count} of {per} {outcome_label}", fontsize=10)
    fig.legend(
        handles=[
            Patch(facecolor=GOOD_COLOUR, label=outcome_label),
            Patch(facecolor=OTHER_COLOUR, label=other_label or f"not {outcome_label}"),
        ],
        loc="lower center",
        ncol=2,
        frameon=False,
        fontsize=9,
        bbox_to_anchor=(0.5, 0.06),
    )
    fig.text(0.5, 0.015, f"{time_label}. Source: {source}", ha="center", va="bottom", fontsize=8, wrap=True)
    fig.subplots_adjust(left=0.03, right=0.97, top=0.86, bottom=0.17, wspace=0.15)
    return fig


@dataclass(frozen=True, slots=True)
class IconArm:
    """One arm of a trial icon array, derived from an evidence outcome row."""

    label: str
    count: int
    status: str
    derivation: str


_GOOD_LABELS = {
    "efs": "alive without organ failure",
    "os": "alive",
    "trm": "no treatment-related death",
}
#: Legend text of the grey icons per outcome.
OTHER_LABELS = {
    "efs": "died or had major organ failure",
    "os": "died",
    "trm": "treatment-related death",
}


def trial_icon_arms(study: str, outcome: str, *, time: str | None = None) -> tuple[list[IconArm], str, str, str]:
    """Per-100 icon counts for the HSCT and control arms of a trial from the evidence dataset.

    Parameters
    ----------
    study : str
        ``"ASTIS"`` or ``"SCOT"`` (or any study with two-arm rows).
    outcome : str
        ``"efs"``, ``"os"`` or ``"trm"``.
    time : str, optional
        Row time code (e.g. ``"72m"``); default: the longest time with both arms.

    Returns
    -------
    arms, outcome_label, time_label, source
        ``arms`` holds the per-100 counts (rounded; derived from counts or
        percentages in the dataset, see ``derivation``).

    Raises
    ------
    InputError
        If the dataset has no count or percentage rows for both arms.
    """
    from sclerostem.evidence import OutcomeRow, get, outcome_rows

    if outcome not in _GOOD_LABELS:
        raise InputError("outcome", outcome, "one of 'efs', 'os', 'trm'")
    rows = [
        r
        for r in outcome_rows(study, outcome)
        if r.arm in ("hsct", "control")
        and ((r.measure == "percent" and r.estimate is not None) or (r.measure == "count" and r.n))
    ]
    by_time: dict[str, dict[str, OutcomeRow]] = {}
    for r in rows:
        by_time.setdefault(r.time_code, {})[r.arm] = r
    complete = {t: v for t, v in by_time.items() if {"hsct", "control"} <= set(v)}
    if time is not None:
        complete = {t: v for t, v in complete.items() if t == time}
    if not complete:
        raise InputError("study/outcome", f"{study}/{outcome}", "a study with count or percent rows for both arms")
    chosen = complete[max(complete, key=lambda t: complete[t]["hsct"].time_months or 0.0)]
    arms: list[IconArm] = []
    for arm, label in (("hsct", "HSCT"), ("control", "Cyclophosphamide")):
        r = chosen[arm]
        if r.measure == "percent" and r.estimate is not None:
            pct = r.estimate
            how = f"{pct:g} %"
        else:
            events, n = r.events or 0, r.n or 1
            pct = 100.0 * events / n
            how = f"{events}/{n}"
        if outcome == "trm":
            pct = 100.0 - pct
            how = f"100 % minus {how}"
        arms.append(IconArm(label, round(pct), r.status.value, how))
    r0 = chosen["hsct"]
    pop = {"itt": ", intention-to-treat", "pp": ", per-protocol"}.get(r0.population or "", "")
    if pop and r0.population_derived and r0.population_status is not None:  # e.g. SCOT 72-month KM: population [D]
        pop += f" (population {r0.population_status.value})"
    ref = get(study)
    status = ", ".join(sorted({a.status for a in arms}))
    source = f"{ref.key} ({ref.journal} {ref.year}), {r0.spec_ref} [{status}]"
    time_label = f"At {r0.time_label}{pop}"
    return arms, _GOOD_LABELS[outcome], time_label, source
