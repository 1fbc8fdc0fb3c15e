"""Competing risks: Aalen-Johansen cumulative incidence and Gray's k-sample test.

Matches R cmprsk 2.2 ``cuminc`` (Fortran ``cinc`` and ``crstm``), which is what
R users compare against:

* the cumulative incidence of cause k is the Aalen-Johansen estimate
  ``F_k(t) = sum_{t_j <= t} S(t_j-) d_kj / n_j`` with ``S`` the all-cause
  Kaplan-Meier; tied times are handled exactly (all deaths at one time together)
  - no random tie-breaking, unlike lifelines' ``AalenJohansenFitter``, which
  jitters tied times and so changes the estimate (shared/spec/outcomes.md §2.2);
* the variance is cmprsk's (Gray 1988 / Aalen-type delta-method estimator with
  cmprsk's tie correction ``1 - (d - 1) / (n - 1)``), reported at the jump times of
  the cause; between jumps it is carried forward from the last jump of that cause
  (as ``cmprsk::timepoints`` does);
* values asked for after the group's largest follow-up time are missing (NaN), as
  in ``cmprsk::timepoints``;
* Gray's test (``rho = 0`` by default) compares the subdistribution hazards of
  one cause across k groups; groups are sorted as R's ``factor`` sorts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from sclerostem._validation import check_number
from sclerostem.errors import InputError
from sclerostem.stats.survival._inputs import as_causes, as_groups, as_times, check_same_length

__all__ = ["CumulativeIncidence", "GrayTest", "cumulative_incidence", "gray_test"]


def _list(a: NDArray[Any]) -> list[Any]:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=float).tolist()]


@dataclass(frozen=True, slots=True)
class CumulativeIncidence:
    """Cumulative incidence of one cause in one group (Aalen-Johansen).

    Attributes
    ----------
    cause : int
        Cause code (1, 2, ...).
    group : str or None
        Group label, ``None`` for all subjects together.
    time : ndarray
        Distinct times at which this cause occurred.
    cif, variance : ndarray
        Cumulative incidence just after each of ``time`` and its variance (cmprsk).
    n_event : ndarray
        Events of this cause at each of ``time``.
    n : int
        Subjects in the group.
    max_time : float
        Largest follow-up time in the group (values beyond it are missing).
    """

    cause: int
    group: str | None
    time: NDArray[np.float64]
    cif: NDArray[np.float64]
    variance: NDArray[np.float64]
    n_event: NDArray[np.int64]
    n: int
    max_time: float

    def at(self, times: ArrayLike) -> dict[str, NDArray[np.float64]]:
        """CIF and variance at chosen times (``cmprsk::timepoints`` rule)."""
        t = as_times(times, "at")
        idx = np.searchsorted(self.time, t, side="right") - 1
        safe = np.maximum(idx, 0)
        cif = np.where(idx < 0, 0.0, self.cif[safe] if self.cif.size else 0.0)
        var = np.where(idx < 0, 0.0, self.variance[safe] if self.variance.size else 0.0)
        beyond = t > self.max_time
        return {"time": t, "cif": np.where(beyond, np.nan, cif), "variance": np.where(beyond, np.nan, var)}

    def to_dict(self, at: ArrayLike | None = None) -> dict[str, Any]:
        """Plain-JSON form (NaN -> null)."""
        out: dict[str, Any] = {
            "cause": self.cause,
            "group": self.group,
            "n": self.n,
            "events": int(self.n_event.sum()),
            "table": {
                "time": _list(self.time),
                "n_event": [int(v) for v in self.n_event],
                "cif": _list(self.cif),
                "variance": _list(self.variance),
            },
        }
        if at is not None:
            out["at"] = {k: _list(v) for k, v in self.at(at).items()}
        return out


@dataclass(frozen=True, slots=True)
class GrayTest:
    """Gray's test for one cause across groups."""

    cause: int
    groups: tuple[str, ...]
    statistic: float
    df: int
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"test": "gray", "cause": self.cause, "groups": list(self.groups),
                "statistic": self.statistic, "df": self.df, "p_value": self.p_value}


def _counts(t: NDArray[np.float64], c: NDArray[np.int64], cause: int) -> tuple[
    NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]
]:
    """Distinct times, number at risk, events of ``cause`` and of other causes."""
    ut, inv = np.unique(t, return_inverse=True)
    total = np.bincount(inv, minlength=ut.size)
    d1 = np.bincount(inv, weights=(c == cause), minlength=ut.size)
    d2 = np.bincount(inv, weights=(c != cause) & (c != 0), minlength=ut.size)
    rs = t.size - np.concatenate(([0], np.cumsum(total)[:-1]))
    return ut, rs.astype(float), d1, d2


def _cinc(t: NDArray[np.float64], c: NDArray[np.int64], cause: int) -> tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]
]:
    ut, rs, d1, d2 = _counts(t, c, cause)
    nd = d1 + d2
    ev = nd > 0
    ut, rs, d1, d2, nd = ut[ev], rs[ev], d1[ev], d2[ev], nd[ev]
    fkn = np.cumprod((rs - nd) / rs)  # all-cause KM after t_j
    fk = np.concatenate(([1.0], fkn[:-1]))  # ... just before t_j
    f = np.cumsum(fk * d1 / rs)  # CIF after t_j
    with np.errstate(divide="ignore", invalid="ignore"):
        # other causes at t_j (only while the KM stays positive)
        t5 = np.where(d2 > 1, 1 - (d2 - 1) / (rs - 1), 1.0)
        t6 = fk * fk * t5 * d2 / (rs * rs)
        use2 = (d2 > 0) & (fkn > 0)
        t3 = np.where(fkn > 0, 1 / fkn, 0.0)
        t4 = f * t3
        a1 = np.where(use2, t4 * t4 * t6, 0.0)
        a2 = np.where(use2, t3 * t4 * t6, 0.0)
        a3 = np.where(use2, t3 * t3 * t6, 0.0)
        # the cause of interest at t_j
        t5 = np.where(d1 > 1, 1 - (d1 - 1) / (rs - 1), 1.0)
        t6 = fk * fk * t5 * d1 / (rs * rs)
        t4 = 1 + t3 * f
        use1 = d1 > 0
        a1 = a1 + np.where(use1, t4 * t4 * t6, 0.0)
        a2 = a2 + np.where(use1, t3 * t4 * t6, 0.0)
        a3 = a3 + np.where(use1, t3 * t3 * t6, 0.0)
    v1, v2, v3 = np.cumsum(a1), np.cumsum(a2), np.cumsum(a3)
    var = v1 + f * f * v3 - 2 * f * v2
    return ut[use1], f[use1], var[use1], d1[use1].astype(np.int64)


def _validate(time: ArrayLike, cause: ArrayLike, group: ArrayLike | None, fields: tuple[str, str, str]) -> tuple[
    NDArray[np.float64], NDArray[np.int64], NDArray[np.int64] | None, tuple[str, ...]
]:
    t = as_times(time, fields[0])
    c = as_causes(cause, fields[1])
    if group is None:
        check_same_length(**{fields[0]: t, fields[1]: c})
        return t, c, None, ()
    g = list(np.asarray(group, dtype=object).tolist())
    check_same_length(**{fields[0]: t, fields[1]: c, fields[2]: g})
    codes, labels = as_groups(g, fields[2])
    return t, c, codes, labels


def cumulative_incidence(
    time: ArrayLike,
    cause: ArrayLike,
    group: ArrayLike | None = None,
    *,
    time_field: str = "time",
    cause_field: str = "cause",
    group_field: str = "group",
) -> list[CumulativeIncidence]:
    """Aalen-Johansen cumulative incidence per cause (and group), cmprsk variance.

    Parameters
    ----------
    time : array_like of float
        Follow-up time (>= 0, any unit).
    cause : array_like of int
        0 = censored, 1, 2, ... = cause of the event.
    group : array_like, optional
        Group label per subject; curves are then estimated within each group.
    time_field, cause_field, group_field : str
        Names used in error messages.

    Returns
    -------
    list of CumulativeIncidence
        Ordered by cause, then group (cmprsk order is group within cause too).

    References
    ----------
    Aalen OO, Johansen S. Scand J Stat 1978;5:141-50. Gray RJ. Ann Stat
    1988;16:1141-54. Gray RJ, R package cmprsk 2.2 (``cuminc``), the oracle in
    shared/spec/outcomes.md §2.
    """
    t, c, codes, labels = _validate(time, cause, group, (time_field, cause_field, group_field))
    causes = sorted(int(v) for v in np.unique(c[c != 0]))
    if not causes:
        raise InputError(cause_field, "only 0 (censored)", "at least one event with a cause code 1, 2, ...")
    out = []
    for k in causes:
        parts = [(None, np.ones(t.size, dtype=bool))] if codes is None else [
            (lab, codes == j) for j, lab in enumerate(labels)
        ]
        for lab, m in parts:
            tt, cc = t[m], c[m]
            ut, f, v, d = _cinc(tt, cc, k)
            out.append(CumulativeIncidence(k, lab, ut, f, v, d, int(tt.size), float(tt.max())))
    return out


def _crst(t: NDArray[np.float64], m: NDArray[np.int64], ig: NDArray[np.int64], ng: int, rho: float) -> tuple[
    NDArray[np.float64], NDArray[np.float64]
]:
    """Score and variance of Gray's test in one stratum.

    Vectorised over the distinct times; the same arithmetic as cmprsk's Fortran
    ``crst`` (Gray 1988), whose running sums become cumulative sums here.
    """
    ng1 = ng - 1
    ut, inv = np.unique(t, return_inverse=True)
    nt = ut.size
    counts = np.zeros((nt, 3, ng))
    np.add.at(counts, (inv, m, ig), 1.0)
    d1g, d2g = counts[:, 1, :], counts[:, 2, :]
    leaving = counts.sum(axis=1)
    n0 = np.bincount(ig, minlength=ng).astype(float)
    rs = n0 - np.vstack((np.zeros((1, ng)), np.cumsum(leaving, axis=0)[:-1]))  # at risk just before t_j
    pos = rs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(pos, (rs - d1g - d2g) / rs, 1.0)
        skmm = np.vstack((np.ones((1, ng)), np.cumprod(factor, axis=0)[:-1]))  # group KM, left-continuous
        skm = skmm * factor
        inc1 = np.where(pos, skmm * d1g / rs, 0.0)
        f1m = np.vstack((np.zeros((1, ng)), np.cumsum(inc1, axis=0)[:-1]))  # group CIF, left-continuous
        h = np.where(pos, rs / skmm, 0.0)
        tq = np.where(pos, rs * (1 - f1m) / skmm, 0.0).sum(axis=1)
    tr = h.sum(axis=1)
    nd1, nd2 = d1g.sum(axis=1), d2g.sum(axis=1)
    ev = (nd1 + nd2) > 0
    d1g, d2g, rs, pos, skmm, skm, f1m, h = (x[ev] for x in (d1g, d2g, rs, pos, skmm, skm, f1m, h))
    tr, tq, nd1, nd2 = tr[ev], tq[ev], nd1[ev], nd2[ev]
    f = np.cumsum(nd1 / tr)  # pooled CIF just after t_j
    fm = np.concatenate(([0.0], f[:-1]))
    fb = (1 - fm) ** rho
    a = -(fb / tr)[:, None, None] * h[:, :, None] * h[:, None, :]
    diag = np.arange(ng)
    a[:, diag, diag] = fb[:, None] * h * (1 - h / tr[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.cumsum(a * (nd1 / (tr * (1 - fm)))[:, None, None], axis=0)
        score_terms = np.where(pos, d1g - nd1[:, None] * rs * (1 - f1m) / (skmm * tq[:, None]), 0.0)
    s = (fb[:, None] * score_terms)[:, :ng1].sum(axis=0)
    # events of the cause of interest
    with np.errstate(divide="ignore", invalid="ignore"):
        t4 = np.where(skm > 0, 1 - (1 - f[:, None]) / skm, 1.0)
        t5 = np.where(nd1[:, None] > 1, 1 - (nd1[:, None] - 1) / (tr[:, None] * skmm - 1), 1.0)
        t3 = np.where(pos & (nd1[:, None] > 0), t5 * skmm * nd1[:, None] / (tr[:, None] * rs), 0.0)
    v3 = (t4 * t4 * t3).sum(axis=0)
    t1 = a[:, :ng1, :] - t4[:, None, :] * c[:, :ng1, :]
    v2 = (t1 * (t4 * t3)[:, None, :]).sum(axis=0)
    v = np.einsum("eik,ejk,ek->ij", t1, t1, t3)
    # events of the other causes
    ok = (skm > 0) & (d2g > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t4 = np.where(ok, (1 - f[:, None]) / skm, 0.0)
        t5 = np.where(d2g > 1, 1 - (d2g - 1) / (rs - 1), 1.0)
        t3 = np.where(ok, t5 * skmm**2 * d2g / rs**2, 0.0)
    v3 += (t4 * t4 * t3).sum(axis=0)
    t1 = t4[:, None, :] * c[:, :ng1, :]
    v2 -= (t1 * (t4 * t3)[:, None, :]).sum(axis=0)
    v += np.einsum("eik,ejk,ek->ij", t1, t1, t3)
    cf = c[-1, :ng1, :]
    v += (cf * v3[None, :]) @ cf.T + cf @ v2.T + v2 @ cf.T
    return s, v


def gray_test(
    time: ArrayLike,
    cause: ArrayLike,
    group: ArrayLike,
    *,
    strata: ArrayLike | None = None,
    rho: float = 0.0,
    time_field: str = "time",
    cause_field: str = "cause",
    group_field: str = "group",
) -> list[GrayTest]:
    """Gray's k-sample test of equal cumulative incidence, one test per cause.

    Parameters
    ----------
    time, cause, group : array_like
        Follow-up time (>= 0), cause (0 = censored, 1, 2, ...), group label.
    strata : array_like, optional
        Stratum label per subject; scores and variances are summed over strata.
    rho : float
        Power of the weight ``(1 - F(t-))**rho``; 0 (cmprsk's default) is the
        log-rank-type weight.

    Returns
    -------
    list of GrayTest
        One per cause, statistic ~ chi-squared with k - 1 df under H0.

    References
    ----------
    Gray RJ. A class of K-sample tests for comparing the cumulative incidence of a
    competing risk. Ann Stat 1988;16:1141-54. R cmprsk 2.2 ``cuminc`` Tests.
    """
    check_number("rho", rho, 0, 10)
    t, c, codes, labels = _validate(time, cause, group, (time_field, cause_field, group_field))
    if codes is None:
        raise InputError(group_field, None, "a group label per subject")
    ng = len(labels)
    if ng < 2:
        raise InputError(group_field, labels[0], "at least two groups")
    if strata is None:
        st = np.zeros(t.size, dtype=np.int64)
        nst = 1
    else:
        sv = list(np.asarray(strata, dtype=object).tolist())
        check_same_length(**{time_field: t, "strata": sv})
        st, slabels = as_groups(sv, "strata")
        nst = len(slabels)
    causes = sorted(int(v) for v in np.unique(c[c != 0]))
    out = []
    for k in causes:
        m = np.where(c == 0, 0, np.where(c == k, 1, 2)).astype(np.int64)
        s = np.zeros(ng - 1)
        v = np.zeros((ng - 1, ng - 1))
        for j in range(nst):
            sel = st == j
            ss, vv = _crst(t[sel], m[sel], codes[sel], ng, rho)
            s += ss
            v += vv
        try:
            stat = float(s @ np.linalg.solve(v, s))
        except np.linalg.LinAlgError:
            stat = float("nan")
        out.append(GrayTest(k, labels, stat, ng - 1, float(stats.chi2.sf(stat, ng - 1))))
    return out
