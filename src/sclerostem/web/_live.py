"""Live scores of a visit being entered (the HTMX preview), from the scores engine.

The web layer computes nothing clinical itself: it maps the form's fields onto
the engine's typed inputs and shows the returned :class:`~sclerostem.result.Result`
objects (value, interpretation, missing inputs, caveats). An instrument whose
engine function is not available is listed as such, never approximated here.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import Any

from sclerostem.errors import SclerostemError
from sclerostem.registry import MRSS_SITES
from sclerostem.result import Result

__all__ = ["CRISS_EVENT_FIELDS", "LiveScore", "live_scores"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveScore:
    """One line of the live-score panel."""

    key: str
    title: str
    result: Result | None
    note: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _scores_api(name: str) -> Any:
    try:
        mod = importlib.import_module("sclerostem.scores")
    except ImportError:  # pragma: no cover - package always present
        return None
    return getattr(mod, name, None)


def _engine_sites() -> dict[str, str]:
    """Registry site key -> engine site key (both lists follow spec §1's order)."""
    engine = _scores_api("MRSS_SITES")
    if not engine or len(engine) != len(MRSS_SITES):
        return {s: s for s in MRSS_SITES}
    return dict(zip(MRSS_SITES, engine, strict=True))


def _mrss(values: dict[str, Any]) -> LiveScore:
    fn = _scores_api("mrss")
    title = "mRSS (modified Rodnan skin score)"
    if fn is None:
        return LiveScore("mrss", title, None, "scores engine not available")
    mapping = _engine_sites()
    try:
        res = fn({mapping[s]: values.get(f"mrss_{s}") for s in MRSS_SITES})
    except SclerostemError as exc:
        return LiveScore("mrss", title, None, str(exc))
    return LiveScore("mrss", title, res)


def _eustar(values: dict[str, Any], mrss_total: int | None) -> LiveScore:
    fn = _scores_api("eustar_activity_index")
    model = _scores_api("EustarActivityInputs")
    title = "EUSTAR activity index (revised 2017)"
    if fn is None or model is None:
        return LiveScore("eustar_ai", title, None, "scores engine not available")
    try:
        res = fn(model(
            skin_worsening_patient_last_month=values.get("skin_worsening_patient_last_month"),
            mrss_total=mrss_total,
            digital_ulcers_current=values.get("digital_ulcers"),
            tendon_friction_rubs_current=values.get("tendon_friction_rubs"),
            crp_mg_dl=values.get("crp_mg_dl"),
            dlco_percent_predicted=values.get("dlco_percent_predicted"),
        ))
    except SclerostemError as exc:
        return LiveScore("eustar_ai", title, None, str(exc))
    return LiveScore("eustar_ai", title, res)


#: Step-1 events of the CRISS (scores.md §4, Table 4 of Khanna 2016), as visit-form fields.
CRISS_EVENT_FIELDS = {
    "criss_new_renal_crisis": "new_renal_crisis",
    "criss_fvc_decline_with_ild": "fvc_decline_with_ild",
    "criss_new_lv_failure": "new_lv_failure",
    "criss_new_pah": "new_pah",
}


def _criss(values: dict[str, Any], mrss_total: int | None, baseline: dict[str, Any] | None) -> LiveScore:
    """ACR-CRISS from the baseline visit to this one.

    The registry's 0–10 patient and physician global assessments are passed as
    the 0–10 cm VAS the CRISS was derived on.
    """
    title = "ACR-CRISS (improvement since baseline)"
    if baseline is None:
        return LiveScore("acr_criss", title, None, "no earlier visit to compare with")
    fn = _scores_api("acr_criss")
    visit = _scores_api("CrissVisit")
    events = _scores_api("CrissStep1Events")
    if fn is None or visit is None or events is None:
        return LiveScore("acr_criss", title, None, "CRISS engine not available")
    try:
        res = fn(
            visit(mrss_total=baseline.get("mrss_total"),
                  fvc_percent_predicted=baseline.get("fvc_percent_predicted"),
                  patient_global_vas_cm=baseline.get("patient_global_0_10"),
                  physician_global_vas_cm=baseline.get("physician_global_0_10"),
                  haq_di=baseline.get("haq_di")),
            visit(mrss_total=mrss_total,
                  fvc_percent_predicted=values.get("fvc_percent_predicted"),
                  patient_global_vas_cm=values.get("patient_global_0_10"),
                  physician_global_vas_cm=values.get("physician_global_0_10"),
                  haq_di=values.get("haq_di")),
            events=events(**{k: values.get(f) for f, k in CRISS_EVENT_FIELDS.items()}),
        )
    except SclerostemError as exc:
        return LiveScore("acr_criss", title, None, str(exc))
    return LiveScore("acr_criss", title, res, details={"baseline_date": baseline.get("visit_date")})


def live_scores(values: dict[str, Any], baseline: dict[str, Any] | None = None) -> list[LiveScore]:
    """Scores of the visit being entered.

    Parameters
    ----------
    values : dict
        Validated form values (``None`` = not recorded), registry field names.
    baseline : dict, optional
        The patient's baseline visit (first visit) for change-based indices.
    """
    m = _mrss(values)
    total = m.result.value if m.result is not None and m.result.computable else None
    total_int = int(total) if isinstance(total, int | float) and not isinstance(total, bool) else None
    return [m, _eustar(values, total_int), _criss(values, total_int, baseline)]
