"""Responder analyses over visits: ACR-CRISS and MCID responders at landmark times.

Thresholds come from shared/spec/scores.md with their status; exact
(Clopper-Pearson) binomial confidence intervals.
"""

from sclerostem.stats.responders._definitions import (
    PRESETS,
    ResponderDefinition,
    custom_definition,
    get_definition,
)
from sclerostem.stats.responders._landmark import (
    ResponderAnalysis,
    ResponderRate,
    responder_flags,
    responder_rates,
)

__all__ = [
    "PRESETS",
    "ResponderAnalysis",
    "ResponderDefinition",
    "ResponderRate",
    "custom_definition",
    "get_definition",
    "responder_flags",
    "responder_rates",
]
