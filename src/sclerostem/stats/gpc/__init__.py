"""Generalized pairwise comparisons (GPC): net benefit, win ratio, win odds, SCOT's GRCS.

Public API::

    from sclerostem.stats.gpc import Endpoint, gpc
    res = gpc(df, arm="arm", treated="T", endpoints=[Endpoint("time", "tte", 6, status="status"), ...],
              scoring="peron", inference="ustat")
    res.summary          # polars DataFrame, one row per endpoint level
    res.to_dict()        # plain JSON

See ``docs/gpc.md`` and ``shared/spec/outcomes.md`` section 1.
"""

from sclerostem.stats.gpc._api import INFERENCES, SCORINGS, STRATA_WEIGHTS, gpc, participant_scores
from sclerostem.stats.gpc._endpoints import DIRECTIONS, KINDS, Endpoint, endpoints_from_spec
from sclerostem.stats.gpc._km import KaplanMeier, fit_km
from sclerostem.stats.gpc._result import GPCLevel, GPCResult
from sclerostem.stats.gpc._scot import SCOT_COLUMNS, scot_endpoints, scot_grcs

__all__ = [
    "DIRECTIONS",
    "INFERENCES",
    "KINDS",
    "SCORINGS",
    "SCOT_COLUMNS",
    "STRATA_WEIGHTS",
    "Endpoint",
    "GPCLevel",
    "GPCResult",
    "KaplanMeier",
    "endpoints_from_spec",
    "fit_km",
    "gpc",
    "participant_scores",
    "scot_endpoints",
    "scot_grcs",
]
