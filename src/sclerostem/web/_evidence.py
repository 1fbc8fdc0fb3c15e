"""Evidence page: the review's references (searchable), trial results, forest plots."""

from __future__ import annotations

import importlib
import io
import logging
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sclerostem.errors import SclerostemError
from sclerostem.web._auth import current_user
from sclerostem.web._deps import render, web_state
from sclerostem.web._security import SVG_CONTENT_SECURITY_POLICY

__all__ = ["FOREST_OUTCOMES", "forest_studies", "pooled", "router"]

log = logging.getLogger(__name__)

router = APIRouter()

#: Outcomes offered as forest plots: risk ratio HSCT vs control from two-arm count rows.
FOREST_OUTCOMES = {"death": "Death from any cause", "event": "Death or major organ failure",
                   "trm": "Treatment-related death"}
THERAPY_PREFIXES = ("hsct", "msc", "svf", "fat-graft", "adrc", "exosome")


def _matches(ref: Any, q: str) -> bool:
    text = " ".join(str(x) for x in (ref.key, ref.citation, ref.doi or "", ref.pmid or "",
                                      ref.notes or "", " ".join(ref.therapies), ref.kind))
    return all(word in text.lower() for word in q.lower().split())


def forest_studies(outcome: str) -> list[tuple[str, str, int, int, int, int]]:
    """(study, time label, events HSCT, n HSCT, events control, n control), longest time per study.

    Only studies whose evidence rows give counts for both arms at one time point.
    """
    from sclerostem import evidence

    by_study: dict[str, dict[str, dict[str, Any]]] = {}
    for r in evidence.outcome_rows(outcome=outcome):
        if r.measure != "count" or r.n is None or r.events is None or r.arm not in ("hsct", "control"):
            continue
        if r.population not in (None, "itt", "all"):
            continue
        parts = r.key.split(".")  # study.outcome.population.time.arm (time may hold a dot)
        tcode = ".".join(parts[3:-1])
        slot = by_study.setdefault(parts[0], {}).setdefault(tcode, {})
        slot.setdefault(r.arm, r)
    out = []
    for study, times in by_study.items():
        complete = [(t, v) for t, v in times.items() if {"hsct", "control"} <= set(v)]
        if not complete:
            continue
        _t, v = max(complete, key=lambda tv: tv[1]["hsct"].time_months or 0.0)
        h, c = v["hsct"], v["control"]
        out.append((study, h.time_label or "", int(h.events), int(h.n), int(c.events), int(c.n)))
    return out


def pooled(outcome: str) -> dict[str, Any] | None:
    """Per-trial and pooled risk ratios (HSCT vs control), random effects (REML), 95 % CIs.

    Uses :func:`sclerostem.stats.meta.escalc` (log risk ratio; 0.5 added to
    every cell of a study with a zero cell, metafor's default) and
    :func:`sclerostem.stats.meta.rma`. ``None`` with fewer than two trials.
    """
    import math

    from scipy.stats import norm

    from sclerostem.stats import meta

    studies = forest_studies(outcome)
    if len(studies) < 2:
        return None
    try:
        es = meta.escalc("RR", ai=[x[2] for x in studies], bi=[x[3] - x[2] for x in studies],
                         ci=[x[4] for x in studies], di=[x[5] - x[4] for x in studies],
                         labels=[x[0] for x in studies])
        res = meta.rma(es, method="REML")
    except SclerostemError as exc:
        log.info("pooled estimate not computed: %s", exc)
        return None
    z = float(norm.ppf(0.975))
    rows = []
    for x, yi, vi in zip(studies, es.yi, es.vi, strict=True):
        se = math.sqrt(vi)
        rows.append({"study": x[0], "time": x[1], "hsct": f"{x[2]}/{x[3]}", "control": f"{x[4]}/{x[5]}",
                     "rr": math.exp(yi), "low": math.exp(yi - z * se), "high": math.exp(yi + z * se)})
    return {"rows": rows, "rr": math.exp(res.estimate), "low": math.exp(res.ci_low),
            "high": math.exp(res.ci_high), "i2": res.i2, "tau2": res.tau2, "k": res.k,
            "pval": res.pval}


@router.get("/evidence", name="evidence")
def evidence_page(request: Request) -> Response:
    from sclerostem import evidence

    state = web_state(request)
    with state.db.read_session() as s:
        user = current_user(request, s)
    qp = request.query_params
    q = (qp.get("q") or "").strip()
    kind = qp.get("kind") if qp.get("kind") in evidence.KINDS else None
    disease = qp.get("disease") if qp.get("disease") in evidence.DISEASES else None
    therapy = qp.get("therapy") if qp.get("therapy") in THERAPY_PREFIXES else None
    outcome = qp.get("outcome") if qp.get("outcome") in evidence.OUTCOMES else "efs"
    refs = evidence.references(kind=kind, disease=disease, therapy=therapy)
    if q:
        refs = [r for r in refs if _matches(r, q)]
    rows = evidence.outcome_rows(outcome=outcome)
    ctx = {
        "section": "evidence", "refs": refs, "n_total": len(evidence.references()),
        "filters": {"q": q, "kind": kind or "", "disease": disease or "", "therapy": therapy or "",
                    "outcome": outcome},
        "kinds": evidence.KINDS, "diseases": evidence.DISEASES, "therapies": THERAPY_PREFIXES,
        "outcomes": evidence.OUTCOMES, "rows": rows, "forest": FOREST_OUTCOMES,
        "forest_available": _forest_plotter() is not None,
        "pooled": {k: pooled(k) for k in FOREST_OUTCOMES},
        "dataset_version": evidence.dataset_version(),
    }
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "evidence-results":
        return render(request, "_evidence_results.html", ctx, user=user)
    return render(request, "evidence.html", ctx, user=user)


def _forest_plotter() -> Any:
    try:
        mod = importlib.import_module("sclerostem.plots._forest")
    except ImportError:
        return None
    return getattr(mod, "forest_figure", None)


@router.get("/evidence/forest/{outcome}.svg", name="evidence_forest")
def evidence_forest(request: Request, outcome: str) -> Response:
    """Forest plot: risk ratio HSCT vs control per trial, random-effects pooled (REML)."""
    from sclerostem.stats import meta

    state = web_state(request)
    with state.db.read_session() as s:
        current_user(request, s)
    plot = _forest_plotter()
    if outcome not in FOREST_OUTCOMES or plot is None:
        return Response("no forest plot", status_code=404, media_type="text/plain")
    studies = forest_studies(outcome)
    if len(studies) < 2:
        return Response("fewer than two trials", status_code=404, media_type="text/plain")
    try:
        es = meta.escalc("RR", ai=[x[2] for x in studies], bi=[x[3] - x[2] for x in studies],
                         ci=[x[4] for x in studies], di=[x[5] - x[4] for x in studies],
                         labels=[f"{x[0]} ({x[1]})" for x in studies])
        res = meta.rma(es, method="REML")
        fig = plot(res, counts=[(x[2], x[3] - x[2], x[4], x[5] - x[4]) for x in studies],
                   arm_labels=("HSCT", "Control"), favours=("favours HSCT", "favours control"),
                   title=f"{FOREST_OUTCOMES[outcome]}: HSCT vs control",
                   source="sclerostem evidence dataset (shared/spec/hsct.md); random effects (REML)",
                   xlabel="Risk ratio (log scale)")
    except (SclerostemError, TypeError) as exc:
        log.info("forest plot not drawn: %s", exc)
        return Response(f"not computable: {exc}", status_code=422, media_type="text/plain")
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return Response(buf.getvalue(), media_type="image/svg+xml", headers={
        "content-security-policy": SVG_CONTENT_SECURITY_POLICY, "cache-control": "private, max-age=300"})
