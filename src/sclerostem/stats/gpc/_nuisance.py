"""Influence of the Kaplan-Meier estimates on Péron scores (delta method).

Under the Péron rule a pair's score depends on the arm-specific Kaplan-Meier
curves, which are themselves estimated. BuyseTest's first-order U-statistic
variance adds, to the H-projection of the pair scores, the term
``sum_p (d Delta / d S_p) * IF(S_p)`` over the survival values ``S_p`` at the
jump times of each arm (its ``iidNuisance``); this module computes that term.

The derivative of each score with respect to the survival values it reads is
the chain rule applied to the formulas of :mod:`._scoring`. The weight with
which a pair reaches a later level (``P(neutral) + P(uninformative)`` at the
earlier levels) depends on the curves too, and is differentiated as well
(without it the cumulative SEs of outcomes.md 1.4 are not reproduced).

References
----------
Ozenne B, Budtz-Jørgensen E, Péron J. The asymptotic distribution of the
Net Benefit estimator in presence of right-censoring. Stat Methods Med Res
2021. Influence function of the Kaplan-Meier estimator:
``IF_i(S(t)) = -exp(-Lambda(t)) sum_{t_l <= t} (dN_i(t_l) - Y_i(t_l) dLambda(t_l)) / Y(t_l)``
with ``Lambda`` the Nelson-Aalen cumulative hazard, which is the form BuyseTest
3.3.9 uses by default (its option ``iid.surv = "exp"``; the spec's Péron SEs
are reproduced only with it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sclerostem.stats.gpc._km import KaplanMeier
from sclerostem.stats.gpc._scoring import PreparedLevel

__all__ = ["km_iid_contract", "peron_derivatives_block"]

Array = NDArray[np.float64]


def km_iid_contract(km: KaplanMeier, time: Array, status: Array, deriv: Array) -> Array:
    """Per-observation ``sum_k deriv[k] * iid_i(S(t_k))`` without forming the iid matrix.

    ``deriv[0]`` (the constant ``S(0) = 1``) is ignored; ``deriv[k]`` is the
    derivative with respect to ``S`` just after the ``k``-th jump. The iid is
    scaled so that the variance is the sum of squares (i.e. it carries 1/n).
    """
    k = km.jump_times.size
    if k == 0:
        return np.zeros(time.size)
    # BuyseTest multiplies by exp(-Nelson-Aalen) rather than by the KM value itself
    g = deriv[1:] * np.exp(-np.cumsum(km.n_event / km.n_risk))  # D_k S_k
    gsuf = np.cumsum(g[::-1])[::-1]  # G_l = sum_{k >= l} D_k S_k
    lam = km.n_event / km.n_risk
    prefix = np.concatenate(([0.0], np.cumsum(gsuf * lam / km.n_risk)))
    t = np.nan_to_num(np.asarray(time, dtype=float), nan=-np.inf)
    at_risk = np.searchsorted(km.jump_times, t, side="right")  # jumps with t_l <= time_i
    out = prefix[at_risk]
    ev = (np.asarray(status) == 1) & (at_risk > 0)
    pos = np.clip(at_risk - 1, 0, k - 1)
    hit = ev & (km.jump_times[pos] == t)
    out = out - np.where(hit, gsuf[pos] / km.n_risk[pos], 0.0)
    return out


def _scatter(target: Array, index: NDArray[np.intp], values: Array) -> None:
    """``target[m, index[j]] += values[m, j]`` for every weight set ``m``."""
    values = np.asarray(values)
    if values.ndim == 1:
        values = values[None, :]
    size = target.shape[-1]
    for m in range(target.shape[0]):
        target[m] += np.bincount(index, weights=values[m], minlength=size)[:size]


def _integral_deriv(
    jumps: KaplanMeier,
    other: KaplanMeier,
    tau: float,
    starts: Array,
    agg: Array,
    d_jumps: Array,
    d_other: Array,
) -> None:
    """Add the derivative of ``-sum_s agg_s * I(start_s)`` (lower-bound integral)."""
    t = jumps.jump_times
    if t.size == 0 or not np.any(agg):
        return
    order = np.argsort(starts, kind="stable")
    s_sorted = starts[order]
    zeros = np.zeros((agg.shape[0], 1))
    csum = np.concatenate((zeros, np.cumsum(agg[:, order], axis=1)), axis=1)
    a_k = csum[:, np.searchsorted(s_sorted, t, side="left")]  # sum of agg over starts < t_k
    vals = other(t + tau)
    known = ~np.isnan(vals)
    a_k = np.where(known[None, :], a_k, 0.0)
    v = np.nan_to_num(vals)
    # dI/dS_other(t_k + tau) = dS_jumps(t_k)
    idx_other = np.minimum(other.index(t + tau), other.jump_times.size)
    _scatter(d_other, idx_other, -a_k * jumps.dsurv[None, :])
    # dI/dS_jumps(t_k) = v_k ; dI/dS_jumps(t_{k-1}) = -v_k
    k_idx = np.arange(1, t.size + 1)
    _scatter(d_jumps, k_idx, -a_k * v[None, :])
    _scatter(d_jumps, k_idx - 1, a_k * v[None, :])


def peron_derivatives_block(
    lv: PreparedLevel, rows: slice, w: Array
) -> tuple[Array, Array, Array, Array]:
    """Derivatives of the block's weighted win and loss sums w.r.t. the KM values.

    Parameters
    ----------
    lv : PreparedLevel
        A Péron time-to-event level.
    rows : slice
        Treated rows of the block.
    w : ndarray, shape (M, rows, n_C)
        ``M`` sets of pair weights; each gives its own derivatives.

    Returns
    -------
    dwin_c, dloss_c, dwin_t, dloss_t : ndarray, shape (M, K + 1)
        Derivatives with respect to the control-arm survival values (``K_C + 1``
        columns) and the treated-arm ones (``K_T + 1``).
    """
    assert lv.km_c is not None
    assert lv.km_t is not None
    assert lv.s_t is not None
    assert lv.s_c is not None
    kc, kt = lv.km_c.jump_times.size, lv.km_t.jump_times.size
    n_sets = w.shape[0]
    dfc, dlc = np.zeros((n_sets, kc + 1)), np.zeros((n_sets, kc + 1))
    dft, dlt = np.zeros((n_sets, kt + 1)), np.zeros((n_sets, kt + 1))
    r, c, ix = lv.row, lv.col, lv.idx
    x = lv.x_t[rows][:, None]
    d = x - lv.x_c[None, :]
    ok = ~np.isnan(d)
    tau = lv.tau
    et = lv.s_t[rows][:, None]
    ec = lv.s_c[None, :]
    ge = d >= tau
    le = d <= -tau
    sc_xm = r["sc_xm"][rows][:, None]
    a_val = np.where(np.isnan(sc_xm), lv.last_sc, sc_xm)
    sc_xp = r["sc_xp"][rows][:, None]
    st_x = r["st_x"][rows][:, None]
    sc_y = c["sc_y"][None, :]
    st_yp = c["st_yp"][None, :]
    st_ym = c["st_ym"][None, :]
    b_val = np.where(np.isnan(st_ym), lv.last_st, st_ym)
    ok_xp = ~np.isnan(sc_xp) & (sc_xp > 0)
    ok_yp = ~np.isnan(st_yp) & (st_yp > 0)
    i_cxm = ix["c_xm"][rows]
    i_cxp = ix["c_xp"][rows]
    i_tx = ix["t_x"][rows]
    i_cy, i_typ, i_tym = ix["c_y"], ix["t_yp"], ix["t_ym"]
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_sc = np.where(sc_y > 0, 1.0 / sc_y, 0.0)
        inv_st = np.where(st_x > 0, 1.0 / st_x, 0.0)
        denom = st_x * sc_y
        inv_den = np.where(denom > 0, 1.0 / denom, 0.0)
    m10 = et & ~ec & ok
    m01 = ~et & ec & ok
    m00 = ~et & ~ec & ok
    # selections of the terms (boolean pair matrices)
    s_fa = (m10 | m00) & ge  # win = 1 - A / S_C(y) ...
    s_lc = m10 & ~le & ok_xp  # loss = S_C(x + tau) / S_C(y)
    s_ft = m01 & ~ge & ok_yp  # win = S_T(y + tau) / S_T(x)
    s_lb = (m01 | m00) & le  # loss = 1 - B / S_T(x) ...
    # both censored: ... - I / (S_T(x) S_C(y)), four integrals
    s1, s2, s3, s4 = m00 & ge, m00 & ~ge, m00 & le, m00 & ~le
    gi1 = s1 * (r["if_lo"][rows][:, None] * inv_den)
    gi2 = s2 * (c["if0_lo"][None, :] * inv_den)
    gi3 = s3 * (c["iu_lo"][None, :] * inv_den)
    gi4 = s4 * (r["iu0_lo"][rows][:, None] * inv_den)
    inv_st2 = inv_st**2
    inv_sc2 = inv_sc**2
    # coefficient matrices aggregated over columns (one value per treated row) ...
    shape = (6, *d.shape)
    row_coef = np.empty(shape)
    np.multiply(s_fa, -inv_sc, out=row_coef[0])  # -> d win / d S_C(x - tau)
    np.multiply(s_lc, inv_sc, out=row_coef[1])  # -> d loss / d S_C(x + tau)
    gi12 = gi1 + gi2
    gi34 = gi3 + gi4
    np.multiply(gi12, inv_st, out=row_coef[2])  # -> d win / d S_T(x)
    row_coef[2] -= s_ft * (np.nan_to_num(st_yp) * inv_st2)
    np.multiply(gi34, inv_st, out=row_coef[3])  # -> d loss / d S_T(x)
    row_coef[3] += s_lb * (b_val * inv_st2)
    np.multiply(s1, inv_den, out=row_coef[4])  # integral weights, start x - tau (wins)
    np.multiply(s4, inv_den, out=row_coef[5])  # integral weights, start x (losses)
    # ... and over rows (one value per control column)
    col_coef = np.empty(shape)
    np.multiply(gi12, inv_sc, out=col_coef[0])  # -> d win / d S_C(y)
    col_coef[0] += s_fa * (a_val * inv_sc2)
    np.multiply(gi34, inv_sc, out=col_coef[1])  # -> d loss / d S_C(y)
    col_coef[1] -= s_lc * (np.nan_to_num(sc_xp) * inv_sc2)
    np.multiply(s_ft, inv_st, out=col_coef[2])  # -> d win / d S_T(y + tau)
    np.multiply(s_lb, -inv_st, out=col_coef[3])  # -> d loss / d S_T(y - tau)
    np.multiply(s2, inv_den, out=col_coef[4])  # integral weights, start y (wins)
    np.multiply(s3, inv_den, out=col_coef[5])  # integral weights, start y - tau (losses)
    row_agg = np.einsum("mrc,trc->tmr", w, row_coef, optimize=True)
    col_agg = np.einsum("mrc,trc->tmc", w, col_coef, optimize=True)
    _scatter(dfc, i_cxm, row_agg[0])
    _scatter(dlc, i_cxp, row_agg[1])
    _scatter(dft, i_tx, row_agg[2])
    _scatter(dlt, i_tx, row_agg[3])
    _scatter(dfc, i_cy, col_agg[0])
    _scatter(dlc, i_cy, col_agg[1])
    _scatter(dft, i_typ, col_agg[2])
    _scatter(dlt, i_tym, col_agg[3])
    x_row = np.nan_to_num(lv.x_t[rows], nan=np.inf)
    x_col = np.nan_to_num(lv.x_c, nan=np.inf)
    _integral_deriv(lv.km_c, lv.km_t, tau, x_row - tau, row_agg[4], dfc, dft)
    _integral_deriv(lv.km_c, lv.km_t, tau, x_col, col_agg[4], dfc, dft)
    _integral_deriv(lv.km_t, lv.km_c, tau, x_col - tau, col_agg[5], dlt, dlc)
    _integral_deriv(lv.km_t, lv.km_c, tau, x_row, row_agg[5], dlt, dlc)
    if lv.swap:
        dfc, dlc, dft, dlt = dlc, dfc, dlt, dft
    return dfc, dlc, dft, dlt
