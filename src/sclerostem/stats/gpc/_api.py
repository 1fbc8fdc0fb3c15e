"""Public entry point: :func:`gpc` (generalized pairwise comparisons)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sclerostem.errors import InputError, InputTypeError
from sclerostem.result import Caveat, Evidence
from sclerostem.stats.gpc._data import GPCData, prepare_data
from sclerostem.stats.gpc._endpoints import Endpoint
from sclerostem.stats.gpc._engine import PairTotals, level_matrix, run_pairs
from sclerostem.stats.gpc._inference import bootstrap_summary, permutation_summary, wald
from sclerostem.stats.gpc._result import GPCLevel, GPCResult
from sclerostem.stats.gpc._scoring import PreparedLevel, prepare_level

__all__ = ["INFERENCES", "SCORINGS", "STRATA_WEIGHTS", "gpc", "participant_scores"]

SCORINGS: tuple[str, ...] = ("gehan", "peron")
INFERENCES: tuple[str, ...] = ("ustat", "exact-permutation", "permutation", "bootstrap")
STRATA_WEIGHTS: tuple[str, ...] = ("pairs", "cmh", "equal")
FAST_PERMUTATION_MAX_N = (
    3000  #: pooled decision matrix (N x N int8 + float32 copies) above this: re-score instead
)
FAST_BOOTSTRAP_MAX_PAIRS = (
    9_000_000  #: treated x control decision matrix size limit of the bootstrap shortcut
)
_BATCH = 500  #: resamples handled per matrix product

Progress = Callable[[int, int], None]
Array = NDArray[np.float64]

_SRC = "outcomes.md §1.1 (Buyse 2010; Péron 2018; Finkelstein-Schoenfeld 1999; BuyseTest 3.3.9)"


def _choice(field: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(field, value, "one of " + ", ".join(repr(a) for a in allowed))
    return str(value)


def _levels_for(
    d: GPCData,
    endpoints: Sequence[Endpoint],
    rows_t: NDArray[np.intp],
    rows_c: NDArray[np.intp],
    scoring: str,
) -> list[PreparedLevel]:
    out = []
    for k, ep in enumerate(endpoints):
        x = d.values[k]
        s = d.status[k]
        out.append(
            prepare_level(
                ep.kind,
                ep.direction,
                ep.threshold,
                x[rows_t],
                x[rows_c],
                None if s is None else s[rows_t],
                None if s is None else s[rows_c],
                scoring,
            )
        )
    return out


def _stratum_rows(d: GPCData) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    out = []
    for j in range(len(d.strata_labels)):
        in_s = d.stratum == j
        out.append((np.flatnonzero(in_s & d.treated), np.flatnonzero(in_s & ~d.treated)))
    return out


def _weights(sizes: list[tuple[int, int]], kind: str) -> Array:
    if kind == "pairs":
        w = np.array([a * b for a, b in sizes], dtype=float)
    elif kind == "cmh":
        w = np.array([a * b / (a + b) for a, b in sizes], dtype=float)
    else:
        w = np.ones(len(sizes))
    return w / w.sum()


def _totals(
    d: GPCData, endpoints: Sequence[Endpoint], scoring: str, chunk: int | None, nuisance: bool
) -> list[PairTotals]:
    out = []
    for rows_t, rows_c in _stratum_rows(d):
        levels = _levels_for(d, endpoints, rows_t, rows_c, scoring)
        out.append(
            run_pairs(
                levels,
                rows_t.size,
                rows_c.size,
                probabilistic=scoring == "peron",
                chunk_pairs=chunk,
                nuisance=nuisance,
            )
        )
    return out


def _win_loss(totals: list[PairTotals], w: Array) -> tuple[Array, Array]:
    """Cumulative weighted win and loss proportions per level."""
    win = sum(
        wi * np.cumsum(t.counts[:, 0]) / (t.n_t * t.n_c) for wi, t in zip(w, totals, strict=True)
    )
    loss = sum(
        wi * np.cumsum(t.counts[:, 1]) / (t.n_t * t.n_c) for wi, t in zip(w, totals, strict=True)
    )
    return np.asarray(win, dtype=float), np.asarray(loss, dtype=float)


def _ratio(a: float, b: float) -> float:
    if b == 0:
        return float("inf") if a > 0 else float("nan")
    return float(a / b)


def _stats(win: Array, loss: Array) -> tuple[Array, Array, Array]:
    nb = win - loss
    with np.errstate(divide="ignore", invalid="ignore"):
        wr = win / loss
        wo = (1 + nb) / (1 - nb)
    return nb, wr, wo


def _ustat_se(
    totals: list[PairTotals], w: Array, win: Array, loss: Array
) -> tuple[Array, Array, Array]:
    """First-order H-projection SEs of net benefit, win ratio and win odds per level."""
    k = win.size
    var_nb = np.zeros(k)
    var_wr = np.zeros(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        for wi, t in zip(w, totals, strict=True):
            n_pairs = t.n_t * t.n_c
            f_s = np.cumsum(t.counts[:, 0]) / n_pairs
            l_s = np.cumsum(t.counts[:, 1]) / n_pairs
            parts = []
            for rw, rl, n_other, n_own, nw, nl in (
                (t.row_win, t.row_loss, t.n_c, t.n_t, t.nuis_row_win, t.nuis_row_loss),
                (t.col_win, t.col_loss, t.n_t, t.n_c, t.nuis_col_win, t.nuis_col_loss),
            ):
                iw = (np.cumsum(rw, axis=0) / n_other - f_s[:, None]) / n_own
                il = (np.cumsum(rl, axis=0) / n_other - l_s[:, None]) / n_own
                if nw is not None and nl is not None:
                    iw = iw + nw / n_pairs
                    il = il + nl / n_pairs
                parts.append((wi * iw, wi * il))
            for iw, il in parts:
                var_nb += ((iw - il) ** 2).sum(axis=1)
                var_wr += ((iw / loss[:, None] - win[:, None] * il / loss[:, None] ** 2) ** 2).sum(
                    axis=1
                )
        se_nb = np.sqrt(var_nb)
        se_wr = np.sqrt(var_wr)
        se_wo = 2 * se_nb / (1 - (win - loss)) ** 2
    return se_nb, se_wr, se_wo


def _fs_se(d: GPCData, endpoints: Sequence[Endpoint], w: Array, chunk: int | None) -> Array:
    """Finkelstein-Schoenfeld exact permutation SE of the net benefit, per level."""
    var = 0.0
    for (rows_t, rows_c), wi in zip(_stratum_rows(d), w, strict=True):
        rows = np.concatenate((rows_t, rows_c))
        n1, n2 = rows_t.size, rows_c.size
        big_n = n1 + n2
        levels = _levels_for(d, endpoints, rows, rows, "gehan")
        pooled = run_pairs(levels, big_n, big_n, probabilistic=False, chunk_pairs=chunk)
        u = np.cumsum(pooled.row_win - pooled.row_loss, axis=0)  # U_i per level
        var_t = (
            n1 * n2 / (big_n * (big_n - 1)) * (u**2).sum(axis=1)
            if big_n > 1
            else np.zeros(u.shape[0])
        )
        var = var + wi**2 * var_t / (n1 * n2) ** 2
    return np.sqrt(np.asarray(var, dtype=float))


def _fast_ok(d: GPCData, scoring: str, inference: str) -> bool:
    if scoring != "gehan":
        return False
    rows = _stratum_rows(d)
    if inference == "permutation":
        return all(a.size + b.size <= FAST_PERMUTATION_MAX_N for a, b in rows)
    return all(a.size * b.size <= FAST_BOOTSTRAP_MAX_PAIRS for a, b in rows)


def _cum_masks(
    m: NDArray[np.int8], k_levels: int, losses: bool
) -> list[tuple[NDArray[np.float32], NDArray[np.float32] | None]]:
    """Per level ``k``: float masks of the pairs won (and lost) at levels ``<= k``."""
    return [
        (
            ((m > 0) & (m <= k)).astype(np.float32),
            ((m < 0) & (m >= -k)).astype(np.float32) if losses else None,
        )
        for k in range(1, k_levels + 1)
    ]


def _resample(
    d: GPCData,
    endpoints: Sequence[Endpoint],
    scoring: str,
    inference: str,
    w: Array,
    n_resamples: int,
    rng: np.random.Generator,
    chunk: int | None,
    progress: Progress | None,
) -> tuple[Array, Array]:
    """Win and loss proportions (B x K) over permutations or bootstrap samples."""
    k_levels = len(endpoints)
    wins = np.zeros((n_resamples, k_levels))
    losses = np.zeros((n_resamples, k_levels))
    strata_rows = _stratum_rows(d)
    if _fast_ok(d, scoring, inference):
        for (rows_t, rows_c), wi in zip(strata_rows, w, strict=True):
            n1, n2 = rows_t.size, rows_c.size
            if inference == "permutation":
                rows = np.concatenate((rows_t, rows_c))
                masks = _cum_masks(
                    level_matrix(
                        _levels_for(d, endpoints, rows, rows, scoring), rows.size, rows.size
                    ),
                    k_levels,
                    losses=False,
                )
            else:
                masks = _cum_masks(
                    level_matrix(_levels_for(d, endpoints, rows_t, rows_c, scoring), n1, n2),
                    k_levels,
                    losses=True,
                )
            for b0 in range(0, n_resamples, _BATCH):
                nb = min(_BATCH, n_resamples - b0)
                if inference == "permutation":
                    z = np.zeros((nb, n1 + n2), dtype=np.float32)
                    perm = np.argsort(rng.random((nb, n1 + n2)), axis=1)[:, :n1]
                    np.put_along_axis(z, perm, 1.0, axis=1)
                    left, right = z, 1 - z
                else:
                    left = rng.multinomial(n1, np.full(n1, 1 / n1), size=nb).astype(np.float32)
                    right = rng.multinomial(n2, np.full(n2, 1 / n2), size=nb).astype(np.float32)
                for k, (a_win, a_loss) in enumerate(masks):
                    if inference == "permutation":
                        win_k = ((left @ a_win) * right).sum(axis=1)
                        loss_k = ((right @ a_win) * left).sum(axis=1)
                    else:
                        assert a_loss is not None
                        win_k = ((left @ a_win) * right).sum(axis=1)
                        loss_k = ((left @ a_loss) * right).sum(axis=1)
                    wins[b0 : b0 + nb, k] += wi * win_k / (n1 * n2)
                    losses[b0 : b0 + nb, k] += wi * loss_k / (n1 * n2)
                if progress is not None:
                    progress(min(b0 + nb, n_resamples), n_resamples)
        return wins, losses
    for b in range(n_resamples):
        if inference == "permutation":
            treated = d.treated.copy()
            for rows_t, rows_c in strata_rows:
                rows = np.concatenate((rows_t, rows_c))
                treated[rows] = rng.permutation(d.treated[rows])
            sub = replace(d, treated=treated)
        else:
            pick = np.concatenate(
                [rng.choice(r, size=r.size, replace=True) for pair in strata_rows for r in pair]
            )
            sub = GPCData(
                d.treated[pick],
                tuple(v[pick] for v in d.values),
                tuple(None if s is None else s[pick] for s in d.status),
                d.stratum[pick],
                d.strata_labels,
                d.treated_label,
                d.control_label,
            )
        win, loss = _win_loss(_totals(sub, endpoints, scoring, chunk, nuisance=False), w)
        wins[b], losses[b] = win, loss
        if progress is not None:
            progress(b + 1, n_resamples)
    return wins, losses


def gpc(
    data: Any,
    *,
    arm: str,
    treated: Any,
    endpoints: Sequence[Endpoint],
    scoring: str = "gehan",
    inference: str = "ustat",
    strata: str | None = None,
    strata_weights: str = "pairs",
    n_resamples: int = 1000,
    seed: int | None = None,
    confidence: float = 0.95,
    chunk_pairs: int | None = None,
    progress: Progress | None = None,
) -> GPCResult:
    """Generalized pairwise comparisons of prioritized outcomes (net benefit, win ratio, win odds).

    Every treated patient is compared with every control patient (within
    strata) on the endpoints in priority order; a pair decided at one level
    (a win or a loss) is not looked at again, neutral and uninformative pairs
    go on to the next level.

    Parameters
    ----------
    data : polars.DataFrame, pandas.DataFrame or mapping of columns
        One row per patient.
    arm : str
        Column with the treatment arm (exactly two distinct values).
    treated : Any
        Value of ``arm`` that marks the treated (experimental) group.
    endpoints : sequence of Endpoint
        Endpoints in priority order.
    scoring : {"gehan", "peron"}
        Rule for censored time-to-event pairs (Péron: Kaplan-Meier per arm).
    inference : {"ustat", "exact-permutation", "permutation", "bootstrap"}
        See :mod:`sclerostem.stats.gpc._inference`. ``exact-permutation`` needs
        ``scoring="gehan"`` (the closed form is invalid with the Péron rule).
    strata : str, optional
        Column defining strata; pairs are formed within strata only.
    strata_weights : {"pairs", "cmh", "equal"}
        Stratum weights: proportional to the number of pairs (BuyseTest's
        default, equal to pooling the pairs), to ``n1 n2 / (n1 + n2)``, or equal.
    n_resamples : int
        Number of permutations / bootstrap samples.
    seed : int, optional
        Seed of the resampling random generator (reproducible results).
    confidence : float
        Confidence level of the intervals (0.5 to 0.999).
    chunk_pairs : int, optional
        Pairs scored per block (memory bound; results do not depend on it; default
        chosen per scoring rule).
    progress : callable, optional
        ``progress(done, total)`` called during resampling.

    Returns
    -------
    GPCResult

    References
    ----------
    Buyse M. Stat Med 2010. Péron J et al. Stat Methods Med Res 2018.
    Finkelstein DM, Schoenfeld DA. Stat Med 1999 (as cited in outcomes.md 1.1).
    BuyseTest 3.3.9 (reference values in ``shared/spec/outcomes.md`` 1.4).
    """
    scoring = _choice("scoring", scoring, SCORINGS)
    inference = _choice("inference", inference, INFERENCES)
    strata_weights = _choice("strata_weights", strata_weights, STRATA_WEIGHTS)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int):
        raise InputTypeError("n_resamples", n_resamples, "a whole number from 1 to 1000000")
    if not 1 <= n_resamples <= 1_000_000:
        raise InputError("n_resamples", n_resamples, "a whole number from 1 to 1000000")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not 0.5 <= confidence <= 0.999
    ):
        raise InputError("confidence", confidence, "a number from 0.5 to 0.999")
    if chunk_pairs is not None and (
        isinstance(chunk_pairs, bool) or not isinstance(chunk_pairs, int) or chunk_pairs < 1
    ):
        raise InputError("chunk_pairs", chunk_pairs, "a whole number of at least 1")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InputError("seed", seed, "a whole number of at least 0")
    for k, ep in enumerate(endpoints, start=1):
        if not isinstance(ep, Endpoint):
            raise InputTypeError(f"endpoints[{k}]", ep, "an Endpoint")
    if inference == "exact-permutation" and scoring != "gehan":
        raise InputError(
            "inference",
            inference,
            "'exact-permutation' only with scoring 'gehan' (its closed form is invalid with the Péron rule)",
        )
    d = prepare_data(data, arm, treated, endpoints, strata)
    sizes = [(a.size, b.size) for a, b in _stratum_rows(d)]
    w = _weights(sizes, strata_weights)
    totals = _totals(d, endpoints, scoring, chunk_pairs, nuisance=inference == "ustat")
    win, loss = _win_loss(totals, w)
    nb, wr, wo = _stats(win, loss)
    k_levels = len(endpoints)
    nan = np.full(k_levels, np.nan)
    caveats: list[Caveat] = []
    n_res: int | None = None
    used_seed: int | None = None
    if inference == "ustat":
        se_nb, se_wr, se_wo = _ustat_se(totals, w, win, loss)
        nb_ci = wald(nb, se_nb, "atanh", confidence)
        wr_ci = wald(wr, se_wr, "log", confidence)
        wo_ci = wald(wo, se_wo, "log", confidence)
        caveats.append(
            Caveat(
                "gpc.ustat_first_order",
                "First-order H-projection standard errors are slightly downward biased in small samples; "
                "consider permutation or bootstrap inference for small trials.",
                "outcomes.md §1.1",
                Evidence.SECONDARY,
            )
        )
    elif inference == "exact-permutation":
        se_nb = _fs_se(d, endpoints, w, chunk_pairs)
        lo, hi, _ = wald(nb, se_nb, "atanh", confidence)
        p = wald(nb, se_nb, "none", confidence)[2]
        nb_ci = (lo, hi, p)
        se_wo = 2 * se_nb / (1 - nb) ** 2
        wo_lo, wo_hi, _ = wald(wo, se_wo, "log", confidence)
        wo_ci = (wo_lo, wo_hi, p)
        se_wr = nan
        wr_ci = (nan, nan, nan)
        caveats.append(
            Caveat(
                "gpc.exact_permutation_net_benefit",
                "The exact permutation (Finkelstein-Schoenfeld) variance is for the net benefit (and the win odds, "
                "a function of it) under the null hypothesis of no difference; the win ratio gets no SE, CI or p-value.",
                "outcomes.md §1.1",
                Evidence.SECONDARY,
            )
        )
    else:
        rng = np.random.default_rng(seed)
        n_res, used_seed = n_resamples, seed
        rw, rl = _resample(
            d, endpoints, scoring, inference, w, n_resamples, rng, chunk_pairs, progress
        )
        r_nb, r_wr, r_wo = _stats(rw, rl)
        with np.errstate(divide="ignore", invalid="ignore"):
            if inference == "permutation":
                se_nb, p_nb = permutation_summary(nb, r_nb)
                se_wr, p_wr = permutation_summary(np.log(wr), np.log(r_wr))
                se_wr = np.nanstd(np.where(np.isfinite(r_wr), r_wr, np.nan), axis=0, ddof=1)
                se_wo, _ = permutation_summary(wo, r_wo)
                nb_ci = (nan, nan, p_nb)
                wr_ci = (nan, nan, p_wr)
                wo_ci = (nan, nan, p_nb)
                caveats.append(
                    Caveat(
                        "gpc.permutation_no_ci",
                        "Permutation inference tests the null hypothesis of no difference; the SE is that of the "
                        "permutation (null) distribution and no confidence interval is given.",
                        "outcomes.md §1.1",
                        Evidence.SECONDARY,
                    )
                )
            else:
                se_nb, lo, hi, p = bootstrap_summary(r_nb, 0.0, confidence)
                nb_ci = (lo, hi, p)
                se_wr, lo, hi, p = bootstrap_summary(r_wr, 1.0, confidence)
                wr_ci = (lo, hi, p)
                se_wo, lo, hi, p = bootstrap_summary(r_wo, 1.0, confidence)
                wo_ci = (lo, hi, p)
    if len(sizes) > 1:
        caveats.append(
            Caveat(
                "gpc.strata_counts",
                f"Pair counts are summed over strata; the statistics use {strata_weights!r} stratum weights.",
                "outcomes.md §1.2",
                Evidence.SECONDARY,
            )
        )
    counts = np.sum([t.counts for t in totals], axis=0)
    level_win = np.diff(win, prepend=0.0)
    level_loss = np.diff(loss, prepend=0.0)
    levels = []
    for k, ep in enumerate(endpoints):
        levels.append(
            GPCLevel(
                level=k + 1,
                endpoint=ep.name,
                kind=ep.kind,
                threshold=float(ep.threshold),
                direction=ep.direction,
                wins=float(counts[k, 0]),
                losses=float(counts[k, 1]),
                neutral=float(counts[k, 2]),
                uninformative=float(counts[k, 3]),
                level_net_benefit=float(level_win[k] - level_loss[k]),
                level_win_ratio=_ratio(level_win[k], level_loss[k]),
                net_benefit=float(nb[k]),
                net_benefit_se=float(se_nb[k]),
                net_benefit_ci_low=float(nb_ci[0][k]),
                net_benefit_ci_high=float(nb_ci[1][k]),
                net_benefit_p=float(nb_ci[2][k]),
                win_ratio=float(wr[k]),
                win_ratio_se=float(se_wr[k]),
                win_ratio_ci_low=float(wr_ci[0][k]),
                win_ratio_ci_high=float(wr_ci[1][k]),
                win_ratio_p=float(wr_ci[2][k]),
                win_odds=float(wo[k]),
                win_odds_se=float(se_wo[k]),
                win_odds_ci_low=float(wo_ci[0][k]),
                win_odds_ci_high=float(wo_ci[1][k]),
                win_odds_p=float(wo_ci[2][k]),
            )
        )
    return GPCResult(
        levels=tuple(levels),
        scoring=scoring,
        inference=inference,
        n_treated=int(d.treated.sum()),
        n_control=int((~d.treated).sum()),
        treated_label=d.treated_label,
        control_label=d.control_label,
        n_pairs=int(sum(a * b for a, b in sizes)),
        strata=d.strata_labels,
        strata_weights=strata_weights,
        confidence=float(confidence),
        n_resamples=n_res,
        seed=used_seed,
        caveats=tuple(caveats),
        sources=(_SRC,),
    )


def participant_scores(
    data: Any,
    *,
    endpoints: Sequence[Endpoint],
    arm: str,
    treated: Any,
    chunk_pairs: int | None = None,
) -> Array:
    """Per-participant wins minus losses against every other participant of both arms (Gehan rule).

    This is the Finkelstein-Schoenfeld ``U_i`` of the whole hierarchy; SCOT's
    per-participant GRCS is read as this count (``shared/spec/hsct.md`` C2,
    a [D] reading, not verbatim from the paper).

    Returns
    -------
    ndarray of float
        One score per row of ``data``, in row order.
    """
    d = prepare_data(data, arm, treated, endpoints, None)
    rows = np.arange(d.treated.size)
    levels = _levels_for(d, endpoints, rows, rows, "gehan")
    pooled = run_pairs(levels, rows.size, rows.size, probabilistic=False, chunk_pairs=chunk_pairs)
    return (pooled.row_win - pooled.row_loss).sum(axis=0)
