"""Result object of a generalized pairwise comparison."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import polars as pl

from sclerostem.result import Caveat

__all__ = ["GPCLevel", "GPCResult"]


@dataclass(frozen=True, slots=True)
class GPCLevel:
    """One endpoint level: its own pair counts and the cumulative statistics.

    Counts (``wins`` ... ``uninformative``) are the pairs decided at this
    level (fractional under the Péron rule; summed over strata).
    ``level_net_benefit`` / ``level_win_ratio`` are this level's own
    contribution (its wins and losses only); ``net_benefit``, ``win_ratio``,
    ``win_odds`` and their se / CI / p are cumulative over this and all
    higher-priority levels.
    """

    level: int
    endpoint: str
    kind: str
    threshold: float
    direction: str
    wins: float
    losses: float
    neutral: float
    uninformative: float
    level_net_benefit: float
    level_win_ratio: float
    net_benefit: float
    net_benefit_se: float
    net_benefit_ci_low: float
    net_benefit_ci_high: float
    net_benefit_p: float
    win_ratio: float
    win_ratio_se: float
    win_ratio_ci_low: float
    win_ratio_ci_high: float
    win_ratio_p: float
    win_odds: float
    win_odds_se: float
    win_odds_ci_low: float
    win_odds_ci_high: float
    win_odds_p: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict (NaN and infinities become ``None``)."""
        return {f.name: _json_number(getattr(self, f.name)) for f in fields(self)}


def _json_number(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


@dataclass(frozen=True, slots=True)
class GPCResult:
    """Outcome of :func:`sclerostem.stats.gpc.gpc`.

    Attributes
    ----------
    levels : tuple of GPCLevel
        One entry per endpoint, in priority order.
    scoring : {"gehan", "peron"}
    inference : {"ustat", "exact-permutation", "permutation", "bootstrap"}
    n_treated, n_control : int
    treated_label, control_label : str
    n_pairs : int
        Number of treated x control pairs compared (within strata when stratified).
    strata : tuple of str
        Stratum labels (``("all",)`` without stratification).
    strata_weights : str
    confidence : float
        Confidence level of the intervals.
    n_resamples : int or None
    seed : int or None
    caveats : tuple of Caveat
    sources : tuple of str
    """

    levels: tuple[GPCLevel, ...]
    scoring: str
    inference: str
    n_treated: int
    n_control: int
    treated_label: str
    control_label: str
    n_pairs: int = 0
    strata: tuple[str, ...] = ("all",)
    strata_weights: str = "pairs"
    confidence: float = 0.95
    n_resamples: int | None = None
    seed: int | None = None
    caveats: tuple[Caveat, ...] = ()
    sources: tuple[str, ...] = ()

    @property
    def final(self) -> GPCLevel:
        """The last level (statistics over the whole hierarchy)."""
        return self.levels[-1]

    @property
    def summary(self) -> pl.DataFrame:
        """One row per level: counts and cumulative statistics with se, CI and p."""
        return pl.DataFrame([lv.to_dict() for lv in self.levels])

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation (for ``--json`` and reports)."""
        return {
            "scoring": self.scoring,
            "inference": self.inference,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "treated_label": self.treated_label,
            "control_label": self.control_label,
            "n_pairs": self.n_pairs,
            "strata": list(self.strata),
            "strata_weights": self.strata_weights,
            "confidence": self.confidence,
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "levels": [lv.to_dict() for lv in self.levels],
            "caveats": [c.to_dict() for c in self.caveats],
            "sources": list(self.sources),
        }
