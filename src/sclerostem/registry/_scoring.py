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
from sqlalchemy.orm import Session, object_session

from sclerostem._version import __version__
from sclerostem.registry._fields import CRISS_EVENTS, MRSS_SITES, VISIT_FIELDS
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
    "skin_worsening_patient_last_month": "skin_worsening_patient_last_month",
    "tendon_friction_rubs": "tendon_friction_rubs_current",
    **{c: c for c in CRISS_EVENTS},
}
#: CRISS core measures: registry visit field -> engine measure (the registry's 0–10
#: patient/physician globals are the 0–10 cm VAS the CRISS was derived on, scores.md §4).
_CRISS_MEASURES: dict[str, str] = {
    "fvc_percent_predicted": "fvc_percent_predicted",
    "patient_global_0_10": "patient_global_vas_cm",
    "physician_global_0_10": "physician_global_vas_cm",
    "haq_di": "haq_di",
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


def compute_scores_table(rows: list[dict[str, Any]],
                         baselines: list[dict[str, Any] | None] | None = None) -> list[dict[str, Any]]:
    """Scores for many visits at once, through the engine's vectorised path.

    Parameters
    ----------
    rows : list of dict
        Visit values by registry field name.
    baselines : list of (dict or None), optional
        For each row, the patient's baseline visit (an earlier visit) or
        ``None``; change-based indices (CRISS) are computed only against it.

    Returns one flat ``{output column: value}`` dict per input row, holding the
    engine's non-empty outputs (``mrss_total``, ``eustar_ai``, ``criss_*``...).
    """
    fn = _score_table()
    if fn is None or not rows:
        return [_fallback(r) for r in rows]
    import polars as pl

    bools = {"digital_ulcers", "skin_worsening_patient_last_month", "tendon_friction_rubs", *CRISS_EVENTS}
    data = {dst: [r.get(src) for r in rows] for src, dst in _ENGINE_COLUMNS.items()}
    data["visit_date"] = [None if d is None else str(d) for d in data["visit_date"]]
    schema = {dst: (pl.Int64 if src.startswith("mrss_") else pl.Boolean if src in bools
                    else pl.Utf8 if src == "visit_date" else pl.Float64)
              for src, dst in _ENGINE_COLUMNS.items()}
    if baselines is not None and any(b is not None for b in baselines):
        pairs = list(zip(rows, baselines, strict=True))
        data["baseline_mrss_total"] = [None if b is None else _fallback(b)["mrss_total"] for _r, b in pairs]
        data["followup_mrss_total"] = [None if b is None else _fallback(r)["mrss_total"] for r, b in pairs]
        schema["baseline_mrss_total"] = schema["followup_mrss_total"] = pl.Int64
        for src, measure in _CRISS_MEASURES.items():
            data[f"baseline_{measure}"] = [None if b is None else b.get(src) for _r, b in pairs]
            data[f"followup_{measure}"] = [None if b is None else r.get(src) for r, b in pairs]
            schema[f"baseline_{measure}"] = schema[f"followup_{measure}"] = pl.Float64
        for c in CRISS_EVENTS:  # step-1 events only mean something against a baseline
            data[c] = [None if b is None else v for v, b in zip(data[c], baselines, strict=True)]
    else:
        for c in CRISS_EVENTS:
            data.pop(c)
            schema.pop(c)
    frame = pl.DataFrame(data, schema=schema)
    try:
        out = fn(frame)
    except Exception:  # never block data entry on an engine fault; log without patient data
        log.exception("scores engine failed; storing the registry fallback (mRSS total only)")
        return [_fallback(r) for r in rows]
    new_cols = [c for c in out.columns if c not in frame.columns]
    return [{k: _clean(v) for k, v in rec.items() if v is not None and v != "unknown"}
            for rec in out.select(new_cols).to_dicts()]


def compute_scores(values: dict[str, Any], baseline: dict[str, Any] | None = None) -> dict[str, Any]:
    """Scores of one visit (``{output column: value}``), CRISS against ``baseline`` when given."""
    return compute_scores_table([values], [baseline])[0]


def _mrss_total(scores: dict[str, Any]) -> int | None:
    v = scores.get("mrss_total")
    return int(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _values(v: Visit) -> dict[str, Any]:
    return {c: getattr(v, c) for c in _INPUTS}


def _baselines(session: Session | None, visits: list[Visit]) -> list[dict[str, Any] | None]:
    """For each visit, the patient's first visit when it is earlier than this one (else ``None``).

    The baseline of the CRISS is the patient's first recorded visit (scores.md §4:
    change from baseline); pending visits of the same flush count too.
    """
    pool: dict[int, list[Visit]] = {}
    for v in visits:
        if v.patient_id is not None:
            pool.setdefault(v.patient_id, []).append(v)
    if session is not None and pool:
        with session.no_autoflush:
            ids = list(pool)
            for i in range(0, len(ids), 1000):
                for v in session.execute(select(Visit).where(Visit.patient_id.in_(ids[i:i + 1000]))).scalars():
                    if v not in session.deleted and all(v is not o for o in pool[v.patient_id]):
                        pool[v.patient_id].append(v)
    first: dict[int, Visit] = {}
    for pid, vs in pool.items():
        dated = [v for v in vs if v.visit_date is not None]
        if dated:
            first[pid] = min(dated, key=lambda v: v.visit_date)
    out: list[dict[str, Any] | None] = []
    for v in visits:
        b = first.get(v.patient_id) if v.patient_id is not None else None
        if b is None or b is v or v.visit_date is None or not b.visit_date < v.visit_date:
            out.append(None)
        else:
            out.append(_values(b))
    return out


def apply(visit: Visit) -> None:
    """(Re)compute and store the scores of one visit."""
    apply_many([visit])


def apply_many(visits: Iterable[Visit]) -> None:
    visits = list(visits)
    session = object_session(visits[0]) if visits else None
    all_scores = compute_scores_table([_values(v) for v in visits], _baselines(session, visits))
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
    deleted = [o for o in session.deleted if isinstance(o, Visit)]
    if not todo and not deleted:
        return
    todo += _dependents(session, todo + deleted)
    todo = [v for v in todo if v not in session.deleted]
    if not todo:
        return
    if session.info.get(DEFER_KEY):
        pending = session.info.setdefault(_PENDING_KEY, [])
        pending.extend(v for v in todo if all(v is not p for p in pending))
    else:
        apply_many(todo)


def _dependents(session: Session, changed: list[Visit]) -> list[Visit]:
    """Stored visits whose CRISS baseline may have changed with ``changed``.

    Only a patient's first visit is a baseline, so the later visits of a
    patient are refreshed only when one of ``changed`` is (or was) its first.
    """
    pids = {v.patient_id for v in changed if v.patient_id is not None}
    if not pids:
        return []
    out: list[Visit] = []
    with session.no_autoflush:
        for pid in pids:
            mine = [v for v in changed if v.patient_id == pid]
            stored = list(session.execute(select(Visit).where(Visit.patient_id == pid)).scalars())
            others = [v for v in stored if all(v is not m for m in mine) and v not in session.deleted]
            if not others:
                continue
            first_other = min((v.visit_date for v in others if v.visit_date is not None), default=None)
            if first_other is None:
                continue
            touches_baseline = any(
                (v.visit_date is not None and v.visit_date <= first_other)
                or inspect(v).attrs.visit_date.history.deleted
                for v in mine)
            if touches_baseline:
                out += others
    return out


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
