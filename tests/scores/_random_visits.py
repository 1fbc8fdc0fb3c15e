"""Seeded synthetic visits tables for parity tests and the benchmark."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from sclerostem.scores._acr_eular import COLUMNS as ACR_COLUMNS
from sclerostem.scores._mrss import MRSS_SITES, site_column

_EPOCH = dt.date(2000, 1, 1)
_PROXIMAL = {"anterior_chest", "abdomen", "upper_arm_right", "upper_arm_left", "thigh_right",
             "thigh_left"}


def _with_nulls(rng: np.random.Generator, values: np.ndarray, p_null: float) -> list:
    mask = rng.random(len(values)) < p_null
    return [None if m else v for m, v in zip(mask.tolist(), values.tolist(), strict=True)]


def random_visits(n: int, seed: int = 20261125, p_null: float = 0.05) -> pl.DataFrame:
    """``n`` plausible visits of the instruments in this part (mRSS, ACR/EULAR, EUSTAR-AI,
    LeRoy, disease duration), each cell missing with probability ``p_null``."""
    rng = np.random.default_rng(seed)
    cols: dict[str, list] = {}
    # skewed grades so that totals spread across the 18-point and change cut-offs
    for s in MRSS_SITES:
        cols[site_column(s)] = _with_nulls(rng, rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1]), p_null)
    # a third of the visits without proximal involvement, a few without any thickening,
    # so that every LeRoy subset occurs
    no_proximal = rng.random(n) < 0.35
    no_skin = rng.random(n) < 0.05
    for s in MRSS_SITES:
        sel = no_skin | (no_proximal & (s in _PROXIMAL))
        cols[site_column(s)] = [0 if (z and v is not None) else v
                                for z, v in zip(sel.tolist(), cols[site_column(s)], strict=True)]
    cols["baseline_mrss_total"] = _with_nulls(rng, rng.integers(0, 52, n), p_null)
    for c in ACR_COLUMNS:
        p = 0.05 if c.name in ("ssc_like_disorder", "skin_thickening_spares_fingers") else 0.4
        cols[c.name] = _with_nulls(rng, rng.random(n) < p, p_null)
    for name in ("skin_worsening_patient_last_month", "digital_ulcers_current",
                 "tendon_friction_rubs_current", "skin_thickening_back"):
        cols[name] = _with_nulls(rng, rng.random(n) < 0.3, p_null)
    # CRP/DLCO near their cut-offs, including the exact cut-off values
    cols["crp_mg_dl"] = _with_nulls(rng, rng.choice([0.0, 0.5, 1.0, 1.01, 1.4, 3.0], n), p_null)
    cols["dlco_percent_predicted"] = _with_nulls(
        rng, np.round(rng.uniform(30, 110, n), 1), p_null)
    visit = rng.integers(8000, 9500, n)
    onset = visit - rng.integers(0, 3000, n)
    raynaud = onset - rng.integers(0, 3000, n)
    for name, days in (("visit_date", visit), ("first_non_raynaud_symptom_date", onset),
                       ("first_raynaud_date", raynaud)):
        dates = np.array([_EPOCH + dt.timedelta(days=int(d)) for d in days], dtype=object)
        cols[name] = _with_nulls(rng, dates, p_null)
    # remove contradictions refused by the ACR/EULAR model
    for i in range(n):
        fingers = cols["sclerodactyly_ever"][i] or cols["skin_thickening_proximal_to_mcp_ever"][i]
        if fingers and cols["skin_thickening_spares_fingers"][i]:
            cols["skin_thickening_spares_fingers"][i] = False
    schema = {k: (pl.Date if k.endswith("_date") else None) for k in cols}
    return pl.DataFrame({k: pl.Series(k, v, dtype=schema[k]) for k, v in cols.items()})
