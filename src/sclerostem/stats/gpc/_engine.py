"""The pair-grid engine: walk the hierarchy over blocks of treated x control pairs.

Memory stays bounded: only a block of about ``chunk_pairs`` pairs (times a few
arrays) is held at a time, whatever the sample size. What is kept per
endpoint level is the total of each score and its row and column margins
(per treated and per control patient), which is all the first-order
U-statistic variance needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sclerostem.stats.gpc._nuisance import km_iid_contract, peron_derivatives_block
from sclerostem.stats.gpc._scoring import PreparedLevel, score_block_bool, score_block_float

__all__ = [
    "DEFAULT_CHUNK_PAIRS",
    "DEFAULT_CHUNK_PAIRS_PROBABILISTIC",
    "PairTotals",
    "level_matrix",
    "run_pairs",
]

DEFAULT_CHUNK_PAIRS = (
    1 << 18
)  #: boolean rules: 262,144 pairs per block (cache-friendly; fastest measured)
DEFAULT_CHUNK_PAIRS_PROBABILISTIC = (
    1 << 20
)  #: Péron rule: about 1 million pairs per block (fastest measured)


@dataclass(frozen=True, slots=True)
class PairTotals:
    """Per-level totals of one comparison of a treated with a control group.

    ``counts[k]`` holds the (weighted) numbers of wins, losses, neutral and
    uninformative pairs decided at level ``k`` (not cumulative);
    ``row_win[k, i]`` / ``row_loss[k, i]`` the wins / losses of treated patient
    ``i`` at level ``k``, and ``col_win`` / ``col_loss`` the same per control.
    ``nuis_*[k]`` (Péron with nuisance only) is the Kaplan-Meier part of each
    patient's influence on the *cumulative* win / loss sums up to level ``k``
    (sums over pairs, not yet divided by the number of pairs).
    """

    n_t: int
    n_c: int
    counts: NDArray[np.float64]
    row_win: NDArray[np.float64]
    row_loss: NDArray[np.float64]
    col_win: NDArray[np.float64]
    col_loss: NDArray[np.float64]
    nuis_row_win: NDArray[np.float64] | None = None
    nuis_row_loss: NDArray[np.float64] | None = None
    nuis_col_win: NDArray[np.float64] | None = None
    nuis_col_loss: NDArray[np.float64] | None = None


def _rows_per_block(n_c: int, chunk_pairs: int) -> int:
    return max(1, chunk_pairs // max(n_c, 1))


def run_pairs(
    levels: Sequence[PreparedLevel],
    n_t: int,
    n_c: int,
    *,
    probabilistic: bool,
    chunk_pairs: int | None = None,
    nuisance: bool = False,
) -> PairTotals:
    """Score every treated x control pair through the hierarchy.

    Parameters
    ----------
    levels : sequence of PreparedLevel
        Endpoints in priority order.
    n_t, n_c : int
        Group sizes.
    probabilistic : bool
        ``True`` for fractional scores (Péron rule): a pair goes on to the next
        level with weight ``P(neutral) + P(uninformative)``. ``False`` uses the
        faster boolean path (Gehan rule, continuous and binary endpoints).
    chunk_pairs : int, optional
        Approximate number of pairs per block (default: ``DEFAULT_CHUNK_PAIRS``
        for boolean rules, ``DEFAULT_CHUNK_PAIRS_PROBABILISTIC`` for Péron).
    nuisance : bool
        Also compute the Kaplan-Meier (nuisance) part of the influence function
        of the Péron scores (see :mod:`._nuisance`).
    """
    if chunk_pairs is None:
        chunk_pairs = DEFAULT_CHUNK_PAIRS_PROBABILISTIC if probabilistic else DEFAULT_CHUNK_PAIRS
    k_levels = len(levels)
    counts = np.zeros((k_levels, 4))
    row_win = np.zeros((k_levels, n_t))
    row_loss = np.zeros((k_levels, n_t))
    col_win = np.zeros((k_levels, n_c))
    col_loss = np.zeros((k_levels, n_c))
    nuisance = nuisance and probabilistic and any(lv.kind == "peron" for lv in levels)
    if nuisance:  # the derivative pass holds up to 2K weight sets per block
        chunk_pairs = max(1, chunk_pairs // (2 * k_levels))
    # acc[m][K]: derivatives of the cumulative win / loss sums up to level K w.r.t. level m's curves
    acc: dict[int, dict[int, list[NDArray[np.float64]]]] = {}
    for m, lv in enumerate(levels):
        if nuisance and lv.kind == "peron" and lv.km_c is not None and lv.km_t is not None:
            kc, kt = lv.km_c.jump_times.size + 1, lv.km_t.jump_times.size + 1
            acc[m] = {
                big_k: [np.zeros(kc), np.zeros(kc), np.zeros(kt), np.zeros(kt)]
                for big_k in range(m, k_levels)
            }
    step = _rows_per_block(n_c, chunk_pairs)
    for r0 in range(0, n_t, step):
        rows = slice(r0, min(n_t, r0 + step))
        nr = rows.stop - rows.start
        if probabilistic:
            w = np.ones((nr, n_c))
            kept: list[tuple[NDArray[np.float64], ...]] = []
            for k, lv in enumerate(levels):
                f, lo, ne, un = score_block_float(lv, rows)
                wf = w * f
                wl = w * lo
                rw = wf.sum(axis=1)
                rl = wl.sum(axis=1)
                row_win[k, rows] = rw
                row_loss[k, rows] = rl
                col_win[k] += wf.sum(axis=0)
                col_loss[k] += wl.sum(axis=0)
                wn = float((w * ne).sum())
                wu = float((w * un).sum())
                counts[k] += (rw.sum(), rl.sum(), wn, wu)
                if nuisance:
                    kept.append((w, f, lo, ne + un))
                w = w * (ne + un)
            if nuisance:
                _nuisance_block(levels, rows, kept, acc)
        else:
            active = np.ones((nr, n_c), dtype=bool)
            n_active = nr * n_c
            for k, lv in enumerate(levels):
                if n_active == 0:
                    break
                win, loss, neutral = score_block_bool(lv, rows)
                np.logical_and(win, active, out=win)
                np.logical_and(loss, active, out=loss)
                win_u8 = win.view(np.uint8)
                loss_u8 = loss.view(np.uint8)
                rw = win_u8.sum(axis=1, dtype=np.int64)
                rl = loss_u8.sum(axis=1, dtype=np.int64)
                nw = int(rw.sum())
                nl = int(rl.sum())
                if neutral is None:
                    nn = n_active - nw - nl
                else:
                    nn = int(np.count_nonzero(np.logical_and(neutral, active, out=neutral)))
                row_win[k, rows] = rw
                row_loss[k, rows] = rl
                col_win[k] += win_u8.sum(axis=0, dtype=np.int64)
                col_loss[k] += loss_u8.sum(axis=0, dtype=np.int64)
                counts[k] += (nw, nl, nn, n_active - nw - nl - nn)
                active ^= win  # decided pairs leave (win and loss are subsets of active)
                active ^= loss
                n_active -= nw + nl
    if not nuisance:
        return PairTotals(n_t, n_c, counts, row_win, row_loss, col_win, col_loss)
    nrw, nrl = np.zeros((k_levels, n_t)), np.zeros((k_levels, n_t))
    ncw, ncl = np.zeros((k_levels, n_c)), np.zeros((k_levels, n_c))
    for m, per_k in acc.items():
        lv = levels[m]
        assert lv.km_c is not None
        assert lv.km_t is not None
        st, sc = lv.row["status"], lv.col["status"]
        for big_k, (dwc, dlc, dwt, dlt) in per_k.items():
            nrw[big_k] += km_iid_contract(lv.km_t, lv.x_t, st, dwt)
            nrl[big_k] += km_iid_contract(lv.km_t, lv.x_t, st, dlt)
            ncw[big_k] += km_iid_contract(lv.km_c, lv.x_c, sc, dwc)
            ncl[big_k] += km_iid_contract(lv.km_c, lv.x_c, sc, dlc)
    return PairTotals(n_t, n_c, counts, row_win, row_loss, col_win, col_loss, nrw, nrl, ncw, ncl)


def _nuisance_block(
    levels: Sequence[PreparedLevel],
    rows: slice,
    kept: list[tuple[NDArray[np.float64], ...]],
    acc: dict[int, dict[int, list[NDArray[np.float64]]]],
) -> None:
    """Add one block's derivatives of the cumulative win/loss sums w.r.t. each Péron level's curves.

    For level ``m`` with pair weight ``w_m``, win/loss scores ``f, l`` and
    pass-through ``p = 1 - f - l``, the cumulative win sum up to level ``K``
    has derivative ``w_m [df_m - (df_m + dl_m) R_m^K]`` with
    ``R_m^K = sum_{m < k <= K} f_k prod_{m < j < k} p_j`` (losses alike).
    """
    k_levels = len(levels)
    for m, per_k in acc.items():
        w_m = kept[m][0]
        sets = np.empty((1 + 2 * (k_levels - m - 1), *w_m.shape))
        sets[0] = w_m
        r_win = np.zeros_like(w_m)
        r_loss = np.zeros_like(w_m)
        prod = np.ones_like(w_m)
        tmp = np.empty_like(w_m)
        for j, k in enumerate(range(m + 1, k_levels)):
            _, f_k, l_k, p_k = kept[k]
            r_win += np.multiply(prod, f_k, out=tmp)
            r_loss += np.multiply(prod, l_k, out=tmp)
            prod *= p_k
            np.multiply(w_m, r_win, out=sets[1 + 2 * j])
            np.multiply(w_m, r_loss, out=sets[2 + 2 * j])
        dwc, dlc, dwt, dlt = peron_derivatives_block(levels[m], rows, sets)
        for big_k, target in per_k.items():
            if big_k == m:
                parts = (dwc[0], dlc[0], dwt[0], dlt[0])
            else:
                j = 1 + 2 * (big_k - m - 1)
                parts = (
                    dwc[0] - dwc[j] - dlc[j],
                    dlc[0] - dwc[j + 1] - dlc[j + 1],
                    dwt[0] - dwt[j] - dlt[j],
                    dlt[0] - dwt[j + 1] - dlt[j + 1],
                )
            for a, b in zip(target, parts, strict=True):
                a += b


def level_matrix(levels: Sequence[PreparedLevel], n_t: int, n_c: int) -> NDArray[np.int8]:
    """Pair matrix of decisions: ``+k`` win at level ``k`` (1-based), ``-k`` loss, 0 undecided.

    Boolean rules only (Gehan, continuous, binary); used by the permutation and
    bootstrap shortcuts, which re-weight a fixed matrix instead of re-scoring.
    """
    out = np.zeros((n_t, n_c), dtype=np.int8)
    active = np.ones((n_t, n_c), dtype=bool)
    rows = slice(0, n_t)
    for k, lv in enumerate(levels, start=1):
        win, loss, _ = score_block_bool(lv, rows)
        win &= active
        loss &= active
        out[win] = k
        out[loss] = -k
        active &= ~(win | loss)
    return out
