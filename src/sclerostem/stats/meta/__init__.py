"""Meta-analysis: effect sizes, fixed/random-effects pooling, heterogeneity, subgroups.

Agrees with R's metafor 3.8-1 to 1e-6 (see ``tests/stats/test_meta_metafor.py``
and ``validation/metafor/make_reference.R``).

Examples
--------
>>> from sclerostem.stats import meta
>>> es = meta.escalc("RR", ai=[4, 6], bi=[119, 300], ci=[11, 29], di=[128, 274])
>>> round(meta.rma(es, method="FE").estimate, 4)
-1.325
"""

from __future__ import annotations

from sclerostem.stats.meta._analyses import LeaveOneOut, SubgroupResult, leave_one_out, subgroup
from sclerostem.stats.meta._escalc import (
    MEASURES,
    EffectSizes,
    escalc,
    hedges_correction,
    hr_effect_sizes,
    loghr_from_ci,
)
from sclerostem.stats.meta._result import MetaResult
from sclerostem.stats.meta._rma import (
    METHODS,
    TESTS,
    confint_tau2,
    meta_analysis,
    rma,
    rma_mh,
    rma_peto,
)
from sclerostem.stats.meta._tau2 import (
    TAU2_METHODS,
    ConvergenceError,
    Tau2Fit,
    q_generalised,
    tau2_estimate,
)

__all__ = [
    "MEASURES",
    "METHODS",
    "TAU2_METHODS",
    "TESTS",
    "ConvergenceError",
    "EffectSizes",
    "LeaveOneOut",
    "MetaResult",
    "SubgroupResult",
    "Tau2Fit",
    "confint_tau2",
    "escalc",
    "hedges_correction",
    "hr_effect_sizes",
    "leave_one_out",
    "loghr_from_ci",
    "meta_analysis",
    "q_generalised",
    "rma",
    "rma_mh",
    "rma_peto",
    "subgroup",
    "tau2_estimate",
]
