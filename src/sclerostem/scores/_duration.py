"""Disease duration of SSc from the first non-Raynaud manifestation.

Source: spec scores.md §7 — duration is conventionally counted from the first
SSc-attributable symptom other than Raynaud to the assessment date; some trials
count from the first symptom of any kind, so both onsets are stored
[CONFIRMED, PMC8677444]. Context thresholds shown in ``components``: < 18 months
favoured for "early" dcSSc trials [CONFIRMED, PMC8677444]; ≤ 4 years as the
HSCT trial entry window [SECONDARY only: review tables, hsct.md §A2]. It is the
ASSIST and ASTIS (route A) limit in Walker 2018 RMD Open Table 1 and RDCNA-2015;
for SCOT the limit is an unresolved conflict (≤ 4 y in Walker 2018 Table 1 vs
≤ 5 y in RDCNA-2015 Table 3; SCOT.duration [U], no primary text read), and the
ASTIS route B limit is ≤ 2 y. Every result with the flag carries a caveat saying
so. Years = days / 365.25 (project convention).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sclerostem.errors import ConsistencyError
from sclerostem.result import Caveat, Evidence, Result
from sclerostem.scores._columns import Column, check_value

__all__ = ["COLUMNS", "disease_duration", "score_frame"]

_SRC = "spec scores.md §7 (PMC8677444); hsct.md §A2 (Walker2018_RMDOpen Table 1, RDCNA-2015 Table 3)"
_SRC_WINDOW = "hsct.md §A2: Walker2018_RMDOpen Table 1; RDCNA-2015 Table 3 (secondary reviews)"
#: Mean Julian year, days (project convention for converting days to years).
DAYS_PER_YEAR = 365.25
#: "Early" dcSSc for trials: < 18 months [CONFIRMED, PMC8677444].
EARLY_MONTHS = 18
#: HSCT trial entry window ≤ 4 years [SECONDARY, hsct.md §A2: ASSIST.duration and
#: ASTIS.route_A from review tables]; SCOT.duration is an unresolved conflict
#: (≤ 4 y Walker 2018 vs ≤ 5 y RDCNA-2015) — see :data:`HSCT_WINDOW_CAVEAT`.
HSCT_TRIAL_WINDOW_YEARS = 4

#: Shown with every result that carries ``within_hsct_trial_window_4y``.
HSCT_WINDOW_CAVEAT = Caveat(
    "disease_duration.hsct_window_secondary",
    "The ≤ 4-year HSCT trial entry window comes from secondary review tables only "
    "(Walker 2018 RMD Open Table 1; RDCNA-2015): ≤ 4 years for ASSIST and ASTIS (route A; "
    "route B ≤ 2 years). For SCOT the limit is unresolved: ≤ 4 years (Walker 2018) vs "
    "≤ 5 years (RDCNA-2015 Table 3); no primary text read. Check the trial protocol.",
    _SRC_WINDOW,
    Evidence.SECONDARY,
)

_VISIT = Column("visit_date", "date", description="date of the visit (YYYY-MM-DD)", source=_SRC)
_ONSET = Column("first_non_raynaud_symptom_date", "date",
                description="date of the first SSc manifestation other than Raynaud (YYYY-MM-DD)",
                source=_SRC)
_RAYNAUD = Column("first_raynaud_date", "date",
                  description="date of Raynaud phenomenon onset (YYYY-MM-DD)", source=_SRC)

#: Table columns read by :func:`score_frame`.
COLUMNS: tuple[Column, ...] = (_VISIT, _ONSET, _RAYNAUD)


def _after_visit(visit: dt.date) -> str:
    return f"a date on or before the visit date {visit.isoformat()}"


def disease_duration(
    visit_date: dt.date | None,
    first_non_raynaud_symptom_date: dt.date | None,
    *,
    first_raynaud_date: dt.date | None = None,
) -> Result:
    """Disease duration in years from the first non-Raynaud manifestation.

    Parameters
    ----------
    visit_date : datetime.date or None
        Assessment date.
    first_non_raynaud_symptom_date : datetime.date or None
        Onset of the first SSc manifestation other than Raynaud phenomenon.
    first_raynaud_date : datetime.date, optional
        Onset of Raynaud phenomenon; gives the alternative duration
        ``components["years_from_raynaud"]``.

    Returns
    -------
    Result
        ``value``: years (days / 365.25), ``None`` if a date is missing.
        ``components``: ``days``, ``years_from_raynaud``,
        ``early_lt_18_months`` and ``within_hsct_trial_window_4y`` (≤ 4 years:
        the ASSIST and ASTIS route-A entry window from secondary review tables;
        SCOT's limit is unresolved, ≤ 4 vs ≤ 5 years — the caveat
        ``disease_duration.hsct_window_secondary`` [SECONDARY] says so).

    Raises
    ------
    ConsistencyError
        An onset date after the visit date.

    References
    ----------
    .. [1] Domsic RT et al. (Pittsburgh cohort, onset definitions), PMC8677444.
    .. [2] Walker UA, Saketkoo LA, Distler O. RMD Open 2018;4:e000533, Table 1
       (secondary review; ≤ 4 y for all three trials).
    .. [3] RDCNA-2015 Table 3 (secondary review; SCOT ≤ 5 y), as summarised in
       ``shared/spec/hsct.md`` §A2 (SCOT.duration: unresolved conflict).

    Examples
    --------
    >>> disease_duration(dt.date(2024, 1, 1), dt.date(2022, 1, 1)).value
    1.998631074606434
    """
    visit = check_value(_VISIT, visit_date)
    onset = check_value(_ONSET, first_non_raynaud_symptom_date)
    raynaud = check_value(_RAYNAUD, first_raynaud_date)
    if visit is not None:
        for col, d in ((_ONSET, onset), (_RAYNAUD, raynaud)):
            if d is not None and d > visit:
                raise ConsistencyError(col.name, d.isoformat(), _after_visit(visit))
    missing = tuple(c.name for c, d in ((_VISIT, visit), (_ONSET, onset), (_RAYNAUD, raynaud))
                    if d is None)
    years_r = None if visit is None or raynaud is None else (visit - raynaud).days / DAYS_PER_YEAR
    if visit is None or onset is None:
        return Result("disease_duration", None, None, {"years_from_raynaud": years_r}, missing,
                      (), (_SRC,), "years")
    days = (visit - onset).days
    years = days / DAYS_PER_YEAR
    return Result(
        name="disease_duration",
        value=years,
        interpretation=None,
        components={
            "days": days,
            "years_from_raynaud": years_r,
            "early_lt_18_months": years * 12 < EARLY_MONTHS,
            "within_hsct_trial_window_4y": years <= HSCT_TRIAL_WINDOW_YEARS,
        },
        missing=missing,
        caveats=(HSCT_WINDOW_CAVEAT,),
        sources=(_SRC,),
        unit="years",
    )


def score_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Vectorised :func:`disease_duration`.

    Returns ``disease_duration_years`` and ``disease_duration_from_raynaud_years``
    (Float64, null when a date is missing). Raises
    :class:`~sclerostem.errors.ConsistencyError` naming the first row whose
    onset is after its visit.
    """
    visit = df.get_column(_VISIT.name)
    out = []
    for col, name in ((_ONSET, "disease_duration_years"),
                      (_RAYNAUD, "disease_duration_from_raynaud_years")):
        onset = df.get_column(col.name)
        days = (visit - onset).dt.total_days()
        bad = (days < 0).fill_null(False).arg_true()
        if len(bad):
            r = int(bad[0])
            raise ConsistencyError(col.name, onset[r].isoformat(), _after_visit(visit[r]), row=r + 1)
        # numpy division: polars may multiply by the reciprocal, which differs in the
        # last bit from the one-visit ``days / 365.25``
        years = days.cast(pl.Float64).fill_null(np.nan).to_numpy() / DAYS_PER_YEAR
        out.append(pl.Series(name, years, nan_to_null=True))
    return pl.DataFrame(out, height=df.height)
