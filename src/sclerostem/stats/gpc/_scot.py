"""SCOT preset: the Global Rank Composite Score hierarchy (HSCT vs cyclophosphamide).

Hierarchy, highest priority first [P]: death; event-free survival (alive and
free of respiratory, renal or cardiac failure); forced vital capacity; HAQ-DI;
modified Rodnan skin score, at 54 months (``shared/spec/hsct.md`` C2, from
Sullivan KM et al. NEJM 2018;378:35-47 and PMC5846574 Table 2).

The per-level thresholds, whether death and event-free survival are compared
by time or by status at 54 months, the tie rule and the handling of missing
54-month values are **not** confirmed by any source read [U]; they are
parameters here and every result carries UNCONFIRMED caveats saying so.
"""

from __future__ import annotations

from typing import Any

from sclerostem.result import Caveat, Evidence
from sclerostem.stats.gpc._api import gpc
from sclerostem.stats.gpc._endpoints import Endpoint
from sclerostem.stats.gpc._result import GPCResult

__all__ = ["SCOT_COLUMNS", "scot_endpoints", "scot_grcs"]

_SRC = "hsct.md C2 (Sullivan 2018 NEJM; PMC5846574 Table 2)"

#: Default column names of the preset (override any of them by keyword).
SCOT_COLUMNS: dict[str, str] = {
    "death_time": "death_time_months",
    "death_status": "death",
    "efs_time": "efs_time_months",
    "efs_status": "efs_event",
    "fvc": "fvc_change_percent_predicted",
    "haq": "haq_di_change",
    "mrss": "mrss_change",
}


def scot_endpoints(
    *,
    death_threshold_months: float = 0.0,
    efs_threshold_months: float = 0.0,
    fvc_threshold_percent_predicted: float = 0.0,
    haq_di_threshold: float = 0.0,
    mrss_threshold: float = 0.0,
    columns: dict[str, str] | None = None,
) -> tuple[Endpoint, ...]:
    """The five SCOT GRCS levels as :class:`Endpoint` objects.

    Parameters
    ----------
    death_threshold_months, efs_threshold_months : float
        Minimal difference in time to death / to first event that counts [U].
    fvc_threshold_percent_predicted : float
        Minimal difference in FVC change (percentage points of predicted) [U];
        higher is better.
    haq_di_threshold : float
        Minimal difference in HAQ-DI change (points, 0-3 scale) [U]; lower is better.
    mrss_threshold : float
        Minimal difference in mRSS change (points, 0-51 scale) [U]; lower is better.
    columns : dict, optional
        Column names overriding :data:`SCOT_COLUMNS`.

    References
    ----------
    Sullivan KM et al. Myeloablative autologous stem-cell transplantation for
    severe scleroderma. N Engl J Med 2018;378:35-47 (hierarchy, ``hsct.md`` C2).
    """
    c = {**SCOT_COLUMNS, **(columns or {})}
    return (
        Endpoint(
            c["death_time"], "tte", death_threshold_months, "higher", c["death_status"], "death"
        ),
        Endpoint(
            c["efs_time"],
            "tte",
            efs_threshold_months,
            "higher",
            c["efs_status"],
            "event-free survival",
        ),
        Endpoint(
            c["fvc"],
            "continuous",
            fvc_threshold_percent_predicted,
            "higher",
            None,
            "FVC % predicted change",
        ),
        Endpoint(c["haq"], "continuous", haq_di_threshold, "lower", None, "HAQ-DI change"),
        Endpoint(c["mrss"], "continuous", mrss_threshold, "lower", None, "mRSS change"),
    )


def scot_grcs(
    data: Any,
    *,
    arm: str = "arm",
    treated: Any = "HSCT",
    death_threshold_months: float = 0.0,
    efs_threshold_months: float = 0.0,
    fvc_threshold_percent_predicted: float = 0.0,
    haq_di_threshold: float = 0.0,
    mrss_threshold: float = 0.0,
    columns: dict[str, str] | None = None,
    **options: Any,
) -> GPCResult:
    """SCOT-style Global Rank Composite Score analysis by generalized pairwise comparisons.

    Runs :func:`sclerostem.stats.gpc.gpc` on :func:`scot_endpoints` and adds
    the UNCONFIRMED caveats of ``hsct.md`` C2. ``options`` are passed on
    (``scoring``, ``inference``, ``n_resamples``, ``seed`` ...).

    References
    ----------
    Sullivan KM et al. N Engl J Med 2018;378:35-47; PMC5846574 Table 2
    (``shared/spec/hsct.md`` C2).
    """
    eps = scot_endpoints(
        death_threshold_months=death_threshold_months,
        efs_threshold_months=efs_threshold_months,
        fvc_threshold_percent_predicted=fvc_threshold_percent_predicted,
        haq_di_threshold=haq_di_threshold,
        mrss_threshold=mrss_threshold,
        columns=columns,
    )
    res = gpc(data, arm=arm, treated=treated, endpoints=eps, **options)
    used = (
        f"death {death_threshold_months:g} months, event-free survival {efs_threshold_months:g} months, "
        f"FVC {fvc_threshold_percent_predicted:g} percentage points, HAQ-DI {haq_di_threshold:g}, "
        f"mRSS {mrss_threshold:g} points"
    )
    extra = (
        Caveat(
            "scot.thresholds_unconfirmed",
            f"The per-level thresholds used ({used}) are not SCOT's published values: the protocol "
            "thresholds were not read (values sometimes quoted, 10 points FVC, 0.4 HAQ-DI, 25 % mRSS, "
            "are not confirmed for SCOT).",
            _SRC,
            Evidence.UNCONFIRMED,
        ),
        Caveat(
            "scot.time_vs_status_unconfirmed",
            "Death and event-free survival are compared by time to event here; whether SCOT compared "
            "them by time or only by status at 54 months is not confirmed.",
            _SRC,
            Evidence.UNCONFIRMED,
        ),
        Caveat(
            "scot.ties_missing_unconfirmed",
            "SCOT's tie rule, its handling of missing 54-month values and the test behind P = 0.01 "
            "are not confirmed; the published 67 % / 33 % split of 1,404 comparisons adds to 100 %, "
            "so ties were left out or split.",
            _SRC,
            Evidence.UNCONFIRMED,
        ),
    )
    return GPCResult(
        levels=res.levels,
        scoring=res.scoring,
        inference=res.inference,
        n_treated=res.n_treated,
        n_control=res.n_control,
        treated_label=res.treated_label,
        control_label=res.control_label,
        n_pairs=res.n_pairs,
        strata=res.strata,
        strata_weights=res.strata_weights,
        confidence=res.confidence,
        n_resamples=res.n_resamples,
        seed=res.seed,
        caveats=res.caveats + extra,
        sources=(*res.sources, _SRC),
    )
