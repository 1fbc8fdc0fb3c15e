"""Survival analysis: Kaplan-Meier, log-rank, Cox, competing risks (R-matched).

Reference implementations: R survival 3.5 (``survfit``, ``survdiff``, ``coxph``)
and cmprsk 2.2 (``cuminc``, ``crr``); see shared/spec/outcomes.md §2 and
validation/survival/make_reference.R.
"""

from sclerostem.stats.survival._cif import (
    CumulativeIncidence,
    GrayTest,
    cumulative_incidence,
    gray_test,
)
from sclerostem.stats.survival._cox import TIES, CoxModel, cox_ph
from sclerostem.stats.survival._finegray import FineGrayModel, fine_gray
from sclerostem.stats.survival._km import (
    CONF_TYPES,
    KaplanMeier,
    kaplan_meier,
    kaplan_meier_by_group,
)
from sclerostem.stats.survival._logrank import LogRank, logrank_test

__all__ = [
    "CONF_TYPES",
    "TIES",
    "CoxModel",
    "CumulativeIncidence",
    "FineGrayModel",
    "GrayTest",
    "KaplanMeier",
    "LogRank",
    "cox_ph",
    "cumulative_incidence",
    "fine_gray",
    "gray_test",
    "kaplan_meier",
    "kaplan_meier_by_group",
    "logrank_test",
]
