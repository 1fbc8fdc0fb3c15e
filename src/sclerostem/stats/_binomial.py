"""Exact (Clopper-Pearson) confidence interval for a binomial proportion."""

from __future__ import annotations

from scipy import stats

from sclerostem._validation import check_number
from sclerostem.errors import ConsistencyError

__all__ = ["clopper_pearson"]


def clopper_pearson(k: int, n: int, conf_level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided CI for a proportion ``k / n``.

    ``lower = Beta(a/2; k, n - k + 1)`` (0 when k = 0) and
    ``upper = Beta(1 - a/2; k + 1, n - k)`` (1 when k = n), a = 1 - conf_level.
    Returns ``(nan, nan)`` when ``n == 0``.

    References
    ----------
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in
    the case of the binomial. Biometrika 1934;26:404-13. Same as R
    ``binom.test(k, n)$conf.int`` and scipy ``binomtest(k, n).proportion_ci("exact")``.
    """
    check_number("n", n, 0, None, integer=True)
    check_number("k", k, 0, None, integer=True)
    check_number("conf_level", conf_level, 0.5, 0.999)
    if k > n:
        raise ConsistencyError("k", k, f"at most n = {n}")
    if n == 0:
        return float("nan"), float("nan")
    alpha = 1 - conf_level
    lo = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi
