"""Vectorised LoSCAT / Padua (``_morphea.score_frame``) against the one-visit functions.

Expected values are those of :func:`mlossi`, :func:`losdi`, :func:`losai`,
:func:`loscat` and :func:`padua_subtype` on the same rows (parity, not an
outside oracle); rows are seeded random visits.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sclerostem.errors import InputError
from sclerostem.scores._columns import coerce_frame, validate_frame
from sclerostem.scores._morphea import (
    COLUMNS,
    LOSCAT_SITES,
    OUTPUT_COLUMNS,
    PADUA_AREAS,
    LoscatSite,
    MorpheaPresentation,
    losai,
    loscat,
    losdi,
    mlossi,
    padua_subtype,
    score_frame,
    site_column,
)

SEED = 20261125
N_ROWS = 300
SITE_ITEMS = [c.name for c in LoscatSite.FIELDS]


def score(df: pl.DataFrame) -> pl.DataFrame:
    """What ``score_table`` does for this module: validate, coerce, score."""
    validate_frame(df, COLUMNS)
    return score_frame(coerce_frame(df, COLUMNS))


def _maybe(rng: np.random.Generator, value, rate: float):
    return None if rng.random() < rate else value


def random_visits(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        # a low per-cell missing rate keeps some rows complete over 18 sites
        rate = 0.0 if rng.random() < 0.6 else 0.02
        row: dict = {}
        for site in LOSCAT_SITES:
            for item in SITE_ITEMS:
                v = bool(rng.random() < 0.2) if item == "new_or_enlarging_past_month" else int(rng.integers(0, 4))
                row[site_column(site, item)] = _maybe(rng, v, rate)
        row["loscat_pga_activity_mm"] = _maybe(rng, float(np.round(rng.uniform(0, 100), 1)), 0.1)
        row["loscat_pga_damage_mm"] = _maybe(rng, float(np.round(rng.uniform(0, 100), 1)), 0.1)
        row["padua_plaques_present"] = _maybe(rng, bool(rng.random() < 0.6), 0.1)
        row["padua_plaque_depth"] = _maybe(rng, str(rng.choice(["superficial", "deep"])), 0.3)
        row["padua_plaques_over_3cm_count"] = _maybe(rng, int(rng.integers(0, 8)), 0.1)
        row["padua_plaques_confluent"] = _maybe(rng, bool(rng.random() < 0.6), 0.1)
        row["padua_generalized_area_count"] = _maybe(rng, int(rng.integers(0, 8)), 0.1)
        row["padua_linear_trunk_limbs"] = _maybe(rng, bool(rng.random() < 0.2), 0.1)
        row["padua_linear_head"] = _maybe(rng, bool(rng.random() < 0.2), 0.1)
        row["padua_pansclerotic"] = _maybe(rng, bool(rng.random() < 0.1), 0.1)
        rows.append(row)
    return pl.DataFrame(rows, schema={c.name: None for c in COLUMNS}, infer_schema_length=None)


def sites_of(row: dict) -> dict[str, LoscatSite]:
    return {s: LoscatSite(**{i: row[site_column(s, i)] for i in SITE_ITEMS}) for s in LOSCAT_SITES}


def presentation_of(row: dict) -> MorpheaPresentation:
    k = row["padua_generalized_area_count"]
    return MorpheaPresentation(
        plaques_present=row["padua_plaques_present"],
        plaque_depth=row["padua_plaque_depth"],
        plaques_over_3cm_count=row["padua_plaques_over_3cm_count"],
        plaques_confluent=row["padua_plaques_confluent"],
        generalized_areas=None if k is None else set(PADUA_AREAS[:k]),
        linear_trunk_limbs=row["padua_linear_trunk_limbs"],
        linear_head=row["padua_linear_head"],
        pansclerotic=row["padua_pansclerotic"],
    )


def test_parity_with_one_visit_functions():
    df = random_visits(N_ROWS, SEED)
    out = score(df)
    assert out.columns == list(OUTPUT_COLUMNS)
    assert out.height == N_ROWS
    labels = set()
    complete = set()
    for row, got in zip(df.iter_rows(named=True), out.iter_rows(named=True), strict=True):
        sites = sites_of(row)
        assert got["loscat_mlossi"] == mlossi(sites).value
        assert got["loscat_losdi"] == losdi(sites).value
        a = losai(sites)
        assert (got["loscat_losai"], got["loscat_losai_band"]) == (a.value, a.interpretation)
        d = losdi(sites, version="LoSDI-2020")
        assert (got["loscat_losdi_2020"], got["loscat_losdi_2020_band"]) == (d.value, d.interpretation)
        lc = loscat(sites, pga_activity_mm=row["loscat_pga_activity_mm"],
                    pga_damage_mm=row["loscat_pga_damage_mm"], version="LoSAI/LoSDI-2020")
        assert got["loscat_pga_activity_band"] == lc.components["pga_activity_band"]
        assert got["loscat_pga_damage_band"] == lc.components["pga_damage_band"]
        p = padua_subtype(presentation_of(row))
        assert got["morphea_padua_subtype"] == p.interpretation
        labels.add(p.interpretation.split(" ")[0] if p.interpretation else None)
        complete.add(got["loscat_mlossi"] is not None)
    # the random table exercises every branch
    assert labels == {None, "none", "mixed", "circumscribed", "linear", "generalized", "pansclerotic"}
    assert complete == {True, False}


def test_bad_grade_names_row():
    df = pl.DataFrame({site_column("left_foot", "erythema"): [0, 0, 5]})
    with pytest.raises(InputError) as exc:
        score(df)
    assert str(exc.value) == (
        "row 3, field 'loscat_left_foot_erythema': got 5; allowed: a whole number from 0 to 3 (grade)."
    )


def test_bad_depth_names_row():
    df = pl.DataFrame({"padua_plaque_depth": ["deep", "fascial"]})
    with pytest.raises(InputError) as exc:
        score(df)
    assert str(exc.value) == (
        "row 2, field 'padua_plaque_depth': got 'fascial'; allowed: one of 'superficial', 'deep'."
    )
