"""Leave-one-out and subgroup analyses built on :func:`meta_analysis`.

References
----------
Viechtbauer W, Cheung MWL. Outlier and influence diagnostics for meta-analysis.
Res Synth Methods 2010;1:112-125 (leave-one-out, metafor ``leave1out``).
Borenstein M, Higgins JPT. Meta-analysis and subgroups. Prev Sci 2013;14:134-143
(test for subgroup differences: Q between the subgroup estimates, G - 1 df,
separate tau² per subgroup as in RevMan and R's meta).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sclerostem.errors import ConsistencyError, InputError
from sclerostem.stats.meta._escalc import EffectSizes
from sclerostem.stats.meta._result import MetaResult
from sclerostem.stats.meta._rma import meta_analysis

__all__ = ["LeaveOneOut", "SubgroupResult", "leave_one_out", "subgroup"]


@dataclass(frozen=True)
class LeaveOneOut:
    """The model refitted without study ``omitted``."""

    omitted: str
    result: MetaResult


def leave_one_out(es: EffectSizes, *, method: str = "REML", test: str = "z", level: float = 0.95) -> list[LeaveOneOut]:
    """Refit the model k times, each time leaving one study out (metafor ``leave1out``).

    Raises
    ------
    InputError
        If fewer than 3 studies are given for a random-effects model (each refit
        needs 2), or fewer than 2 otherwise.
    """
    need = 2 if method in ("FE", "MH", "PETO") else 3
    if es.k < need:
        raise InputError("k", es.k, f"at least {need} studies for a leave-one-out analysis with method {method!r}")
    out = []
    for i, label in enumerate(es.labels):
        mask = np.ones(es.k, dtype=bool)
        mask[i] = False
        out.append(LeaveOneOut(label, meta_analysis(es.subset(mask), method=method, test=test, level=level)))
    return out


@dataclass(frozen=True)
class SubgroupResult:
    """Per-subgroup models, the overall model and the test for subgroup differences.

    Attributes
    ----------
    groups : dict of str to MetaResult
        One model per subgroup, in order of first appearance.
    overall : MetaResult
        The model over all studies.
    q_between : float
        Q statistic comparing the subgroup estimates (inverse-variance weights
        1/SE²), with ``df = G - 1``.
    df : int
    p_value : float
    notes : tuple of str
    """

    groups: dict[str, MetaResult]
    overall: MetaResult
    q_between: float
    df: int
    p_value: float
    notes: tuple[str, ...] = ()


def subgroup(
    es: EffectSizes,
    groups: Sequence[str],
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
) -> SubgroupResult:
    """Separate models per subgroup and the Q-between test for subgroup differences.

    A subgroup with a single study is pooled with ``method="FE"`` (tau² cannot be
    estimated from one study); this is reported in ``notes``.

    Raises
    ------
    ConsistencyError
        If ``groups`` does not have one entry per study.
    InputError
        If there are fewer than 2 subgroups.
    """
    if len(groups) != es.k:
        raise ConsistencyError("groups", len(groups), f"one subgroup label per study ({es.k})")
    names = list(dict.fromkeys(str(g) for g in groups))
    if len(names) < 2:
        raise InputError("groups", names, "at least 2 different subgroups")
    fits: dict[str, MetaResult] = {}
    notes = []
    garr = np.asarray([str(g) for g in groups])
    for name in names:
        sub = es.subset(garr == name)
        m = method
        if sub.k == 1 and method not in ("FE", "MH", "PETO"):
            m = "FE"
            notes.append(f"subgroup {name!r} has one study: pooled with a fixed-effect model")
        fits[name] = meta_analysis(sub, method=m, test=test if sub.k > 1 else "z", level=level)
    est = np.array([f.estimate for f in fits.values()])
    var = np.array([f.se**2 for f in fits.values()])
    w = 1 / var
    mu = np.sum(w * est) / w.sum()
    q = float(np.sum(w * (est - mu) ** 2))
    df = len(names) - 1
    overall = meta_analysis(es, method=method, test=test, level=level)
    return SubgroupResult(fits, overall, q, df, float(stats.chi2.sf(q, df)), tuple(notes))
