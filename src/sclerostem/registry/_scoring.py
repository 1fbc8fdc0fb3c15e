"""Scores of a visit, computed by the scores engine and stored with its version.

The registry does not compute clinical scores itself: it hands the visit's
inputs to :mod:`sclerostem.scores` (one-row table through
``sclerostem.scores._batch.score_table`` when that exists) and stores the
results with the engine version. While the engine is not available, only the
mRSS total is computed here — the plain sum of the 17 site grades, ``None``
when any site is missing (shared/spec/scores.md §1: "mRSS = Σ of the 17 area
scores; range 0–51" [CONFIRMED]; missing-site rule is the spec's project
decision) — and the stored engine version says so (``registry-fallback``).

Scores are recomputed automatically whenever a score input of a visit changes
(a ``before_flush`` hook), and :func:`recompute_all` refreshes every visit
scored by an older engine version.
"""

from __future__ import annotations

import importlib
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session

from sclerostem._version import __version__
from sclerostem.registry._fields import MRSS_SITES, VISIT_FIELDS
from sclerostem.registry.models import Visit

__all__ = ["DEFER_KEY", "compute_scores", "compute_scores_table", "engine_version", "install", "recompute_all"]

log = logging.getLogger(__name__)

_INPUTS = tuple(f.name for f in VISIT_FIELDS if f.name not in ("notes", "visit_label"))
_MRSS_COLS = tuple(f"mrss_{s}" for s in MRSS_SITES)


#: registry visit field -> column of the scores engine's visits table
_ENGINE_COLUMNS: dict[str, str] = {
    **{c: c for c in _MRSS_COLS},
    "visit_date": "visit_date",
    "crp_mg_dl": "crp_mg_dl",
    "dlco_percent_predicted": "dlco_percent_predicted",
    "digital_ulcers": "digital_ulcers_current",
}


def _score_table() -> Callable[[Any], Any] | None:
    try:
        mod = importlib.import_module("sclerostem.scores._batch")
    except ImportError:
        return None
    fn = getattr(mod, "score_table", None)
    return fn if callable(fn) else None


def engine_version() -> str:
    """Version label stored with computed scores."""
    if _score_table() is None:
        return f"registry-fallback-{__version__}"
    scores = importlib.import_module("sclerostem.scores")
    return f"scores-{getattr(scores, '__version__', __version__)}"


def _fallback(values: dict[str, Any]) -> dict[str, Any]:
    grades = [values.get(c) for c in _MRSS_COLS]
    total = None if any(g is None for g in grades) else int(sum(grades))  # type: ignore[arg-type]
    return {"mrss_total": total}


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def compute_scores_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Scores for many visits at once, through the engine's vectorised path.

    Returns one flat ``{output column: value}`` dict per input row, holding the
    engine's non-empty outputs (``mrss_total``, ``eustar_ai``, ...).
    """
    fn = _score_table()
    if fn is None or not rows:
        return [_fallback(r) for r in rows]
    import polars as pl

    data = {dst: [r.get(src) for r in rows] for src, dst in _ENGINE_COLUMNS.items()}
    data["visit_date"] = [None if d is None else str(d) for d in data["visit_date"]]
    schema = {dst: (pl.Int64 if src.startswith("mrss_") else pl.Boolean if src == "digital_ulcers"
                    else pl.Utf8 if src == "visit_date" else pl.Float64)
              for src, dst in _ENGINE_COLUMNS.items()}
    frame = pl.DataFrame(data, schema=schema)
    try:
        out = fn(frame)
    except Exception:  # never block data entry on an engine fault; log without patient data
        log.exception("scores engine failed; storing the registry fallback (mRSS total only)")
        return [_fallback(r) for r in rows]
    new_cols = [c for c in out.columns if c not in frame.columns]
    return [{k: _clean(v) for k, v in rec.items() if v is not None and v != "unknown"}
            for rec in out.select(new_cols).to_dicts()]


def compute_scores(values: dict[str, Any]) -> dict[str, Any]:
    """Scores of one visit (``{output column: value}``)."""
    return compute_scores_table([values])[0]


def _mrss_total(scores: dict[str, Any]) -> int | None:
    v = scores.get("mrss_total")
    return int(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def apply(visit: Visit) -> None:
    """(Re)compute and store the scores of one visit."""
    values = {c: getattr(visit, c) for c in _INPUTS}
    scores = compute_scores(values)
    visit.scores = scores
    visit.mrss_total = _mrss_total(scores)
    visit.scores_engine_version = engine_version()


def apply_many(visits: Iterable[Visit]) -> None:
    visits = list(visits)
    all_scores = compute_scores_table([{c: getattr(v, c) for c in _INPUTS} for v in visits])
    ver = engine_version()
    for v, s in zip(visits, all_scores, strict=True):
        v.scores = s
        v.mrss_total = _mrss_total(s)
        v.scores_engine_version = ver


#: ``session.info`` key: when true, scoring is batched at commit (bulk loads).
DEFER_KEY = "sclerostem_defer_scoring"
_PENDING_KEY = "sclerostem_scoring_pending"


def _before_flush(session: Session, _ctx: Any, _inst: Any) -> None:
    todo = [o for o in session.new if isinstance(o, Visit)]
    for o in session.dirty:
        if isinstance(o, Visit):
            st = inspect(o)
            if any(st.attrs[c].history.has_changes() for c in _INPUTS):
                todo.append(o)
    if not todo:
        return
    if session.info.get(DEFER_KEY):
        pending = session.info.setdefault(_PENDING_KEY, [])
        pending.extend(v for v in todo if all(v is not p for p in pending))
    else:
        apply_many(todo)


def _before_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        live = [v for v in pending if inspect(v).persistent or inspect(v).pending]
        for i in range(0, len(live), 5000):
            apply_many(live[i : i + 5000])


def _after_rollback(session: Session, _prev: Any) -> None:
    session.info.pop(_PENDING_KEY, None)


def install(session_class: type[Session]) -> None:
    """Recompute a visit's scores whenever its inputs change.

    Immediately by default; batched once at commit when the session sets
    ``session.info[DEFER_KEY] = True`` (bulk loads: the engine scores a whole
    table in about the time of one row).
    """
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "before_commit", _before_commit)
    event.listen(session_class, "after_soft_rollback", _after_rollback)


def recompute_all(session: Session, *, stale_only: bool = True) -> int:
    """Recompute stored scores (only those from another engine version by default)."""
    ver = engine_version()
    q = select(Visit)
    if stale_only:
        q = q.where(or_(Visit.scores_engine_version.is_(None), Visit.scores_engine_version != ver))
    visits = list(session.execute(q).scalars())
    for i in range(0, len(visits), 1000):
        apply_many(visits[i : i + 1000])
    return len(visits)
