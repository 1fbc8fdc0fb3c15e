"""Pair scoring of one endpoint: Gehan and Péron rules, vectorised over a block of pairs.

Every quantity a pair's score needs is either a property of the treated
patient (a row) or of the control patient (a column), so a block of
``rows x columns`` pairs is scored with broadcasting only.

Scores follow BuyseTest 3.3.9 (``shared/spec/outcomes.md`` section 1.1):

* continuous / binary: win if ``x_T - x_C >= tau``, loss if ``<= -tau``,
  neutral otherwise, uninformative if either value is missing;
* time-to-event, Gehan: a win/loss only if the earlier time is an event and the
  gap is at least ``tau``; neutral if both are events less than ``tau`` apart;
  otherwise uninformative;
* time-to-event, Péron: pairs with censoring get the probabilities of a win and
  a loss computed from the arm-specific Kaplan-Meier curves; what cannot be
  attributed because a curve stops before 0 stays uninformative.

A threshold of 0 is applied as ``1e-12`` (a strictly positive difference is
needed), as BuyseTest does; with a zero threshold an event at the very time the
other patient was censored counts against the patient with the event.

References
----------
Buyse M. Stat Med 2010. Péron J et al. Stat Methods Med Res 2018 (both as
cited in outcomes.md 1.1). BuyseTest 3.3.9 reference manual (scoring rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sclerostem.stats.gpc._km import KaplanMeier, fit_km

__all__ = ["PreparedLevel", "prepare_level", "score_block_bool", "score_block_float"]

ZERO_THRESHOLD = 1e-12  #: BuyseTest's stand-in for a zero threshold

Array = NDArray[np.float64]


@dataclass(slots=True)
class PreparedLevel:
    """One endpoint with the per-row / per-column data needed to score pairs."""

    kind: str  # "cont", "gehan" or "peron"
    swap: bool  # lower values are better: swap wins and losses
    tau: float
    thr0: bool
    x_t: Array
    x_c: Array
    s_t: NDArray[np.bool_] | None = None
    s_c: NDArray[np.bool_] | None = None
    row: dict[str, Array] = field(default_factory=dict)
    col: dict[str, Array] = field(default_factory=dict)
    last_sc: float = 1.0
    last_st: float = 1.0
    has_nan: bool = True
    km_t: KaplanMeier | None = None
    km_c: KaplanMeier | None = None
    idx: dict[str, NDArray[np.intp]] = field(default_factory=dict)


def _integral(
    jumps: KaplanMeier, other: KaplanMeier, tau: float, start: Array
) -> tuple[Array, Array]:
    """Lower/upper bounds of ``sum_{t_k > start} S_other(t_k + tau) dS_jumps(t_k)``.

    ``dS`` is negative, so both bounds are <= 0. Jump terms whose
    ``S_other(t_k + tau)`` is unknown enter the upper bound only (with the last
    known value of ``S_other``), and the mass left above the end of an
    incomplete ``jumps`` curve enters the upper bound too (BuyseTest's
    ``calcIntegralSurv_cpp``).
    """
    t = jumps.jump_times
    if t.size == 0:
        vals = np.array([1.0])
        ds = np.array([0.0])
        t = np.array([0.0])
    else:
        vals = other(t + tau)
        ds = jumps.dsurv
    known = ~np.isnan(vals)
    lo_terms = np.where(known, np.nan_to_num(vals) * ds, 0.0)
    up_terms = np.where(known, lo_terms, other.last_surv * ds)
    lo_suffix = np.concatenate((np.cumsum(lo_terms[::-1])[::-1], [0.0]))
    up_suffix = np.concatenate((np.cumsum(up_terms[::-1])[::-1], [0.0]))
    idx = np.searchsorted(t, start, side="right")
    lo = lo_suffix[idx]
    up = up_suffix[idx]
    if jumps.last_surv > 0:
        tail = other.last_surv if np.isnan(vals[-1]) else vals[-1]
        up = up - tail * jumps.last_surv
    return lo, up


def prepare_level(
    kind: str,
    direction: str,
    threshold: float,
    x_t: Array,
    x_c: Array,
    s_t: Array | None,
    s_c: Array | None,
    scoring: str,
) -> PreparedLevel:
    """Precompute what scoring a block of pairs of this endpoint needs."""
    thr0 = threshold == 0
    tau = ZERO_THRESHOLD if thr0 else float(threshold)
    if kind == "binary":
        tau, thr0 = 1.0, False
    swap = direction == "lower"
    if kind != "tte":
        has_nan = bool(np.isnan(x_t).any() or np.isnan(x_c).any())
        return PreparedLevel("cont", swap, tau, thr0, x_t, x_c, has_nan=has_nan)
    assert s_t is not None
    assert s_c is not None
    st = s_t == 1
    sc = s_c == 1
    if scoring == "gehan":
        return PreparedLevel("gehan", swap, tau, thr0, x_t, x_c, st, sc)
    km_t = fit_km(x_t, s_t)
    km_c = fit_km(x_c, s_c)
    row = {
        "sc_xm": km_c(x_t - tau),  # S_C(x - tau)
        "sc_xp": km_c(x_t + tau),  # S_C(x + tau)
        "st_x": km_t(x_t),  # S_T(x)
    }
    col = {
        "sc_y": km_c(x_c),  # S_C(y)
        "st_yp": km_t(x_c + tau),  # S_T(y + tau)
        "st_ym": km_t(x_c - tau),  # S_T(y - tau)
    }
    row["status"] = np.asarray(s_t, dtype=float)
    col["status"] = np.asarray(s_c, dtype=float)
    # a censored patient whose own arm's curve is already 0 is treated as an event
    st = st | ((row["st_x"] == 0) & ~np.isnan(x_t))
    sc = sc | ((col["sc_y"] == 0) & ~np.isnan(x_c))
    row["if_lo"], row["if_up"] = _integral(km_c, km_t, tau, x_t - tau)
    row["iu0_lo"], row["iu0_up"] = _integral(km_t, km_c, tau, x_t)
    col["if0_lo"], col["if0_up"] = _integral(km_c, km_t, tau, x_c)
    col["iu_lo"], col["iu_up"] = _integral(km_t, km_c, tau, x_c - tau)
    kc, kt = km_c.jump_times.size, km_t.jump_times.size
    idx = {  # index of the KM parameter each survival value reads (0 = S(0) = 1, K = last jump)
        "c_xm": np.where(np.isnan(row["sc_xm"]), kc, km_c.index(x_t - tau)),
        "c_xp": np.minimum(km_c.index(x_t + tau), kc),
        "t_x": km_t.index(x_t),
        "c_y": km_c.index(x_c),
        "t_yp": np.minimum(km_t.index(x_c + tau), kt),
        "t_ym": np.where(np.isnan(col["st_ym"]), kt, km_t.index(x_c - tau)),
    }
    return PreparedLevel(
        "peron",
        swap,
        tau,
        thr0,
        x_t,
        x_c,
        st,
        sc,
        row,
        col,
        last_sc=km_c.last_surv,
        last_st=km_t.last_surv,
        km_t=km_t,
        km_c=km_c,
        idx=idx,
    )


def score_block_bool(
    lv: PreparedLevel, rows: slice
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_] | None]:
    """Win, loss and neutral indicators of a block (Gehan or continuous).

    ``neutral`` is ``None`` for a continuous endpoint without missing values
    (then every pair that is neither a win nor a loss is neutral).
    """
    x = lv.x_t[rows][:, None]
    d = x - lv.x_c[None, :]
    tau = lv.tau
    if lv.kind == "cont":
        win = d >= tau
        loss = d <= -tau
        # without missing values every undecided pair is neutral: no array needed
        neutral = ~(win | loss) & ~np.isnan(d) if lv.has_nan else None
    else:
        assert lv.s_t is not None
        assert lv.s_c is not None
        et = lv.s_t[rows][:, None]
        ec = lv.s_c[None, :]
        if lv.thr0:
            zero = d == 0
            win = ec & ((d >= tau) | (~et & zero))
            loss = et & ((d <= -tau) | (~ec & zero))
        else:
            win = ec & (d >= tau)
            loss = et & (d <= -tau)
        neutral = et & ec & ~win & ~loss
    if lv.swap:
        win, loss = loss, win
    return win, loss, neutral


def score_block_float(lv: PreparedLevel, rows: slice) -> tuple[Array, Array, Array, Array]:
    """Win, loss, neutral and uninformative probabilities of a block (any rule)."""
    if lv.kind != "peron":
        win, loss, neutral = score_block_bool(lv, rows)
        fw = win.astype(float)
        fl = loss.astype(float)
        fn = (~(win | loss)).astype(float) if neutral is None else neutral.astype(float)
        return fw, fl, fn, 1.0 - fw - fl - fn
    assert lv.s_t is not None
    assert lv.s_c is not None
    idx_rows = np.arange(rows.start, rows.stop)
    x_rows = lv.x_t[rows]
    known_r = ~np.isnan(x_rows)
    known_c = ~np.isnan(lv.x_c)
    ev_r = lv.s_t[rows]
    row_groups = (idx_rows[known_r & ev_r], idx_rows[known_r & ~ev_r])
    col_groups = (np.flatnonzero(known_c & lv.s_c), np.flatnonzero(known_c & ~lv.s_c))
    shape = (idx_rows.size, lv.x_c.size)
    fav = np.zeros(shape)
    los = np.zeros(shape)
    neu = np.zeros(shape)
    uninf = np.ones(shape)  # pairs with a missing value stay uninformative
    for t_event, r_idx in zip((True, False), row_groups, strict=True):
        for c_event, c_idx in zip((True, False), col_groups, strict=True):
            if r_idx.size == 0 or c_idx.size == 0:
                continue
            f, lo, uf, ul = _peron_case(lv, t_event, c_event, r_idx, c_idx)
            ne = 1.0 - uf - ul
            ne = np.where(ne >= 0, ne, 0.0)
            un = 1.0 - f - lo - ne
            un = np.where(un >= 0, un, 0.0)
            where = np.ix_(r_idx - rows.start, c_idx)
            fav[where] = f
            los[where] = lo
            neu[where] = ne
            uninf[where] = un
    if lv.swap:
        fav, los = los, fav
    return fav, los, neu, uninf


def _peron_case(
    lv: PreparedLevel,
    t_event: bool,
    c_event: bool,
    r_idx: NDArray[np.intp],
    c_idx: NDArray[np.intp],
) -> tuple[Array, Array, Array, Array]:
    """Lower-bound win/loss probabilities and their upper bounds for one censoring pattern.

    Follows BuyseTest's ``calcOnePair_SurvPeron`` (score = lower bound; the
    neutral probability is ``1 - upper(win) - upper(loss)``).
    """
    r, c = lv.row, lv.col
    d = lv.x_t[r_idx][:, None] - lv.x_c[c_idx][None, :]
    tau = lv.tau
    ge = d >= tau
    le = d <= -tau
    with np.errstate(divide="ignore", invalid="ignore"):
        if t_event and c_event:
            f = ge.astype(float)
            lo = le.astype(float)
            return f, lo, f, lo
        if t_event:  # treated event, control censored
            sc_xm = r["sc_xm"][r_idx][:, None]
            sc_xp = r["sc_xp"][r_idx][:, None]
            sc_y = c["sc_y"][c_idx][None, :]
            nan_xm = np.isnan(sc_xm)
            f = np.where(ge, np.where(nan_xm, 1.0 - lv.last_sc / sc_y, 1.0 - sc_xm / sc_y), 0.0)
            uf = np.where(ge, np.where(nan_xm, 1.0, f), 0.0)
            ok_xp = ~np.isnan(sc_xp) & (sc_xp > 0)
            lo = np.where(le, 1.0, np.where(ok_xp, sc_xp / sc_y, 0.0))
            ul = np.where(le, 1.0, np.where(ok_xp, lo, lv.last_sc / sc_y))
            return f, lo, uf, ul
        st_x = r["st_x"][r_idx][:, None]
        st_ym = c["st_ym"][c_idx][None, :]
        nan_ym = np.isnan(st_ym)
        if c_event:  # treated censored, control event
            st_yp = c["st_yp"][c_idx][None, :]
            ok_yp = ~np.isnan(st_yp) & (st_yp > 0)
            f = np.where(ge, 1.0, np.where(ok_yp, st_yp / st_x, 0.0))
            uf = np.where(ge, 1.0, np.where(ok_yp, f, lv.last_st / st_x))
            lo = np.where(le, np.where(nan_ym, 1.0 - lv.last_st / st_x, 1.0 - st_ym / st_x), 0.0)
            ul = np.where(le, np.where(nan_ym, 1.0, lo), 0.0)
            return f, lo, uf, ul
        # both censored
        sc_xm = r["sc_xm"][r_idx][:, None]
        sc_y = c["sc_y"][c_idx][None, :]
        nan_xm = np.isnan(sc_xm)
        denom = st_x * sc_y
        base_f = np.where(nan_xm, 1.0 - lv.last_sc / sc_y, 1.0 - sc_xm / sc_y)
        ubase_f = np.where(nan_xm, 1.0, 1.0 - sc_xm / sc_y)
        f = np.where(
            ge, base_f - r["if_lo"][r_idx][:, None] / denom, -c["if0_lo"][c_idx][None, :] / denom
        )
        uf = np.where(
            ge, ubase_f - r["if_up"][r_idx][:, None] / denom, -c["if0_up"][c_idx][None, :] / denom
        )
        base_l = np.where(nan_ym, 1.0 - lv.last_st / st_x, 1.0 - st_ym / st_x)
        ubase_l = np.where(nan_ym, 1.0, 1.0 - st_ym / st_x)
        lo = np.where(
            le, base_l - c["iu_lo"][c_idx][None, :] / denom, -r["iu0_lo"][r_idx][:, None] / denom
        )
        ul = np.where(
            le, ubase_l - c["iu_up"][c_idx][None, :] / denom, -r["iu0_up"][r_idx][:, None] / denom
        )
        return f, lo, uf, ul
