"""Endpoint declarations for generalized pairwise comparisons (GPC).

An :class:`Endpoint` names one column of the analysis table, its kind
(time-to-event, continuous or binary), the direction of benefit and the
threshold of minimal important difference. Endpoints are given to the engine
as a sequence in priority order (the first one is compared first).

References
----------
Buyse M. Generalized pairwise comparisons of prioritized outcomes in the
two-sample problem. Stat Med 2010 (restated in
``shared/spec/outcomes.md`` section 1.1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sclerostem.errors import InputError, InputTypeError, UnknownFieldError

__all__ = ["DIRECTIONS", "KINDS", "Endpoint", "endpoints_from_spec"]

Kind = Literal["tte", "continuous", "binary"]
Direction = Literal["higher", "lower"]

KINDS: tuple[str, ...] = ("tte", "continuous", "binary")
DIRECTIONS: tuple[str, ...] = ("higher", "lower")
_SPEC_KEYS: tuple[str, ...] = ("column", "type", "status", "threshold", "direction", "label")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One prioritized endpoint of a GPC hierarchy.

    Attributes
    ----------
    column : str
        Column of the analysis table holding the outcome (for ``tte``: the
        follow-up time, in the unit the threshold is given in).
    kind : {"tte", "continuous", "binary"}
        Time-to-event (needs ``status``), continuous, or binary (0/1).
    threshold : float
        Minimal difference that counts as a win or a loss (same unit as the
        column; ignored for binary endpoints). ``0`` means any difference.
    direction : {"higher", "lower"}
        Whether a higher or a lower value is better for the patient. For a
        time-to-event endpoint ``"higher"`` means a longer time is better.
    status : str or None
        Event-indicator column for ``tte`` (1 = event observed, 0 = censored).
    label : str or None
        Display name (defaults to ``column``).
    """

    column: str
    kind: Kind
    threshold: float = 0.0
    direction: Direction = "higher"
    status: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise InputTypeError("column", self.column, "a non-empty column name")
        if self.kind not in KINDS:
            raise InputError("type", self.kind, "one of " + ", ".join(repr(k) for k in KINDS))
        if self.direction not in DIRECTIONS:
            raise InputError(
                "direction", self.direction, "one of " + ", ".join(repr(d) for d in DIRECTIONS)
            )
        thr = self.threshold
        if isinstance(thr, bool) or not isinstance(thr, int | float):
            raise InputTypeError("threshold", thr, "a number of at least 0")
        if math.isnan(thr) or math.isinf(thr) or thr < 0:
            raise InputError("threshold", thr, "a number of at least 0")
        if self.kind == "tte" and not self.status:
            raise InputError(
                "status", self.status, f"the event-indicator column of tte endpoint {self.column!r}"
            )
        if self.kind != "tte" and self.status is not None:
            raise InputError(
                "status", self.status, "no status column for a non-tte endpoint (leave it out)"
            )

    @property
    def name(self) -> str:
        """Display name of the endpoint."""
        return self.label or self.column


def endpoints_from_spec(spec: Any) -> tuple[Endpoint, ...]:
    """Build endpoints from a parsed YAML/JSON specification.

    Parameters
    ----------
    spec : list of mapping, or mapping with key ``endpoints``
        Each item has ``column``, ``type`` (``tte``, ``continuous`` or
        ``binary``), ``status`` (tte only), ``threshold`` and ``direction``
        (``higher`` or ``lower``), and optionally ``label``.

    Returns
    -------
    tuple of Endpoint
        In the order given (priority order).
    """
    if isinstance(spec, Mapping) and "endpoints" in spec:
        spec = spec["endpoints"]
    if not isinstance(spec, list) or not spec:
        raise InputTypeError("endpoints", spec, "a non-empty list of endpoint mappings")
    out = []
    for i, item in enumerate(spec, start=1):
        if not isinstance(item, Mapping):
            raise InputTypeError(
                f"endpoints[{i}]", item, "a mapping with keys " + ", ".join(_SPEC_KEYS)
            )
        for key in item:
            if key not in _SPEC_KEYS:
                raise UnknownFieldError(
                    f"endpoints[{i}]", key, "one of " + ", ".join(repr(k) for k in _SPEC_KEYS)
                )
        if "column" not in item or "type" not in item:
            raise InputError(
                f"endpoints[{i}]", dict(item), "a mapping with at least 'column' and 'type'"
            )
        out.append(
            Endpoint(
                column=item["column"],
                kind=item["type"],
                threshold=item.get("threshold", 0.0),
                direction=item.get("direction", "higher"),
                status=item.get("status"),
                label=item.get("label"),
            )
        )
    return tuple(out)
