"""Pieces shared by the Cox (Breslow) and Fine-Gray regressions.

* :func:`complete_cases`: one covariate matrix, rows with a missing value dropped
  and counted (complete-case analysis, as R's ``na.action = na.omit``), and
  :func:`rows_dropped_caveats` telling the user.
* :func:`newton_raphson` with step halving: each step solves ``info @ step = score``; while the objective at the new point is
not finite or falls below the current one (beyond a 1e-12 relative slack) the
step is halved, at most 30 times. The caller decides when the fit has converged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sclerostem.errors import InputError
from sclerostem.result import Caveat, Evidence
from sclerostem.stats.survival._inputs import check_same_length

__all__ = ["MAX_ITER", "Objective", "complete_cases", "newton_raphson", "rows_dropped_caveats"]

MAX_ITER = 50  #: Newton steps before the fit is declared non-convergent
_MAX_HALVINGS = 30

#: beta -> (log-likelihood, score vector, information matrix)
Objective = Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64], NDArray[np.float64]]]
#: (previous log-likelihood, new log-likelihood, step taken, new beta) -> converged?
Converged = Callable[[float, float, NDArray[np.floating[Any]], NDArray[np.floating[Any]]], bool]


def newton_raphson(
    objective: Objective, n_params: int, converged: Converged
) -> tuple[NDArray[np.float64], float, NDArray[np.float64], float]:
    """Maximise ``objective`` from ``beta = 0``.

    Returns
    -------
    beta : ndarray
        The estimate.
    loglik : float
        Objective at the estimate.
    info : ndarray
        Information matrix at the estimate.
    loglik_start : float
        Objective at ``beta = 0``.

    Raises
    ------
    InputError
        Field ``covariates`` when :data:`MAX_ITER` steps do not converge.
    """
    beta = np.zeros(n_params)
    ll0, score, info = objective(beta)
    ll = ll0
    for _ in range(MAX_ITER):
        step = np.linalg.solve(info, score)
        new = beta + step
        ll_new, s_new, i_new = objective(new)
        halvings = 0
        while (not np.isfinite(ll_new) or ll_new < ll - 1e-12 * abs(ll)) and halvings < _MAX_HALVINGS:
            step /= 2
            new = beta + step
            ll_new, s_new, i_new = objective(new)
            halvings += 1
        done = converged(ll, ll_new, step, new)
        beta, ll, score, info = new, ll_new, s_new, i_new
        if done:
            break
    else:
        raise InputError("covariates", "a model that did not converge in 50 Newton steps",
                         "covariates without separation or collinearity")
    return beta, ll, info, ll0


def complete_cases(
    time: NDArray[np.float64],
    outcome: NDArray[np.int64],
    covariates: dict[str, NDArray[np.float64]],
    time_field: str,
    outcome_field: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64], int]:
    """(covariate matrix, time, outcome, rows dropped) over the rows without a missing (NaN) covariate.

    Raises
    ------
    InputError
        Columns of different lengths, or no rows.
    """
    check_same_length(**{time_field: time, outcome_field: outcome}, **covariates)
    x = np.column_stack(list(covariates.values()))
    keep = ~np.isnan(x).any(axis=1)
    n_dropped = int((~keep).sum())
    return x[keep], time[keep], outcome[keep], n_dropped


def rows_dropped_caveats(model: str, n_dropped: int) -> tuple[Caveat, ...]:
    """The ``<model>.rows_dropped`` caveat when complete-case analysis left rows out, else none."""
    if not n_dropped:
        return ()
    return (Caveat(f"{model}.rows_dropped",
                   f"{n_dropped} row(s) with a missing covariate were left out (complete-case analysis).",
                   None, Evidence.DERIVED),)


def numeric_covariate(name: str, values: Any) -> NDArray[np.float64]:
    """One covariate column as floats; ``None`` becomes NaN (row dropped later).

    Booleans, text and infinite values are refused (``InputError`` naming the
    1-based row): categories must be encoded as 0/1 columns by the caller.
    """
    raw = np.asarray(values, dtype=object)
    vals = np.empty(raw.size)
    for i, v in enumerate(raw.tolist()):
        if v is None:
            vals[i] = np.nan
        elif isinstance(v, bool) or not isinstance(v, int | float):
            raise InputError(name, v, "a number (encode categories as 0/1 columns)", i + 1)
        else:
            vals[i] = float(v)
    if np.isinf(vals).any():
        i = int(np.flatnonzero(np.isinf(vals))[0])
        raise InputError(name, float(vals[i]), "a finite number", i + 1)
    return vals

