"""Vectorised CRISS / rCRISS (``_criss.score_frame``) against the one-visit functions.

Expected values are those of :func:`acr_criss` and :func:`revised_criss` on the
same rows (parity, not an outside oracle); the rows are seeded random visits.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sclerostem.errors import ConsistencyError, InputError
from sclerostem.scores._columns import coerce_frame, validate_frame
from sclerostem.scores._criss import (
    COLUMNS,
    OUTPUT_COLUMNS,
    STEP1_EVENTS,
    CrissStep1Events,
    CrissVisit,
    acr_criss,
    revised_criss,
    score_frame,
)

SEED = 20261125
N_ROWS = 400
_MEASURES = ("mrss_total", "fvc_percent_predicted", "patient_global_vas_cm",
             "physician_global_vas_cm", "haq_di")


def score(df: pl.DataFrame, **kwargs) -> pl.DataFrame:
    """What ``score_table`` does for this module: validate, coerce, score."""
    validate_frame(df, COLUMNS)
    return score_frame(coerce_frame(df, COLUMNS), **kwargs)


def _with_nulls(rng: np.random.Generator, values: list, rate: float) -> list:
    return [None if rng.random() < rate else v for v in values]


def random_visits(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, list] = {}
    for prefix in ("baseline", "followup"):
        data[f"{prefix}_mrss_total"] = _with_nulls(rng, rng.integers(0, 52, n).tolist(), 0.05)
        data[f"{prefix}_fvc_percent_predicted"] = _with_nulls(
            rng, np.round(rng.uniform(40, 120, n), 1).tolist(), 0.05)
        data[f"{prefix}_haq_di"] = _with_nulls(rng, (rng.integers(0, 25, n) / 8).tolist(), 0.05)
        for who in ("patient", "physician"):
            vals = np.round(rng.uniform(0, 10, n), 1)
            use_mm = rng.random(n) < 0.3
            data[f"{prefix}_{who}_global_vas_cm"] = _with_nulls(
                rng, [None if m else float(v) for v, m in zip(vals, use_mm, strict=True)], 0.03)
            data[f"{prefix}_{who}_global_vas_mm"] = [
                float(v * 10) if m else None for v, m in zip(vals, use_mm, strict=True)]
    for event in STEP1_EVENTS:
        data[f"criss_{event}"] = _with_nulls(rng, (rng.random(n) < 0.03).tolist(), 0.03)
    return pl.DataFrame(data)


def one_visit(row: dict) -> tuple[CrissVisit, CrissVisit, CrissStep1Events]:
    visits = []
    for prefix in ("baseline", "followup"):
        visits.append(CrissVisit(
            **{m: row[f"{prefix}_{m}"] for m in _MEASURES},
            patient_global_vas_mm=row[f"{prefix}_patient_global_vas_mm"],
            physician_global_vas_mm=row[f"{prefix}_physician_global_vas_mm"],
        ))
    events = CrissStep1Events(**{e: row[f"criss_{e}"] for e in STEP1_EVENTS})
    return visits[0], visits[1], events


def test_parity_with_one_visit_functions():
    df = random_visits(N_ROWS, SEED)
    out = score(df)
    assert out.columns == list(OUTPUT_COLUMNS)
    assert out.height == N_ROWS
    reading = {"improved": True, "not improved": False, None: None}
    kinds = set()
    for row, got in zip(df.iter_rows(named=True), out.iter_rows(named=True), strict=True):
        b, f, ev = one_visit(row)
        r = acr_criss(b, f, events=ev)
        assert got["criss_probability"] == r.value  # exact: same float operations
        assert got["criss_linear_predictor"] == r.components.get("linear_predictor")
        assert got["criss_improved"] == reading[r.interpretation]
        rr = revised_criss(b, f, events=ev)
        assert got["rcriss_responder"] == rr.value
        kinds.add((r.components["step1"], got["criss_improved"], rr.value))
    # the random table exercises every branch
    assert {k[0] for k in kinds} == {"positive", "negative", "unknown"}
    assert {k[1] for k in kinds} == {True, False, None}
    assert {k[2] for k in kinds} == {True, False, None}


def test_parity_with_other_rcriss_parameters():
    # Mechanism with explicitly passed (UNCONFIRMED) parameters: pct 30, FVC 5 points absolute.
    df = random_visits(200, SEED + 1)
    out = score(df, rcriss_pct=30.0, rcriss_fvc_mode="absolute", rcriss_min_items=2)
    for row, got in zip(df.iter_rows(named=True), out.iter_rows(named=True), strict=True):
        b, f, ev = one_visit(row)
        rr = revised_criss(b, f, events=ev, pct=30.0, fvc_mode="absolute", min_items=2)
        assert got["rcriss_responder"] == rr.value


def test_empty_table():
    out = score(pl.DataFrame({"baseline_mrss_total": pl.Series([], dtype=pl.Int64)}))
    assert out.height == 0
    assert out.columns == list(OUTPUT_COLUMNS)


def test_out_of_range_cell_names_row():
    df = pl.DataFrame({"baseline_mrss_total": [10, 60]})
    with pytest.raises(InputError) as exc:
        score(df)
    assert str(exc.value) == (
        "row 2, field 'baseline_mrss_total': got 60; allowed: a whole number from 0 to 51 (points)."
    )


def test_cm_and_mm_in_one_row_names_row():
    df = pl.DataFrame({"followup_physician_global_vas_cm": [5.0, None, 4.0],
                       "followup_physician_global_vas_mm": [None, 40.0, 40.0]})
    with pytest.raises(ConsistencyError) as exc:
        score(df)
    assert str(exc.value) == (
        "row 3, field 'followup_physician_global_vas_mm': got 40.0; allowed: empty when "
        "followup_physician_global_vas_cm is given (one scale per global)."
    )


def test_text_booleans_from_csv():
    # Step-1 flags from a CSV arrive as text; 0/1/true/false all work (validate_frame contract).
    base = {"baseline_mrss_total": [20] * 3, "followup_mrss_total": [14] * 3,
            "baseline_fvc_percent_predicted": [70.0] * 3, "followup_fvc_percent_predicted": [72.0] * 3,
            "baseline_patient_global_vas_cm": [5.0] * 3, "followup_patient_global_vas_cm": [5.0] * 3,
            "baseline_physician_global_vas_cm": [5.0] * 3, "followup_physician_global_vas_cm": [4.0] * 3,
            "baseline_haq_di": [1.0] * 3, "followup_haq_di": [0.875] * 3}
    events = {f"criss_{e}": ["0", "false", "0"] for e in STEP1_EVENTS}
    events["criss_new_pah"] = ["0", "true", None]
    out = score(pl.DataFrame(base | events))
    # spec §4 worked example row 4 (constructed): p = 0.647085, improved; row 2 has PAH -> 0.0
    assert out["criss_probability"][0] == pytest.approx(0.647085, abs=5e-7)
    assert out["criss_probability"].to_list()[1:] == [0.0, None]
    assert out["criss_improved"].to_list() == [True, False, None]
