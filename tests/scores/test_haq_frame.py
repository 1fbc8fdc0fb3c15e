"""Vectorised HAQ-DI / HAQ-ADI / SHAQ (``_haq.score_frame``) against the one-visit functions.

Expected values are those of :func:`haq_di` and :func:`shaq_vas` on the same
rows (parity, not an outside oracle); rows are seeded random visits.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sclerostem.errors import InputError
from sclerostem.scores._columns import coerce_frame, validate_frame
from sclerostem.scores._haq import (
    COLUMNS,
    HAQ_AIDS_FIELDS,
    HAQ_CATEGORIES,
    OUTPUT_COLUMNS,
    SHAQ_SCALES,
    HaqDiItems,
    haq_di,
    score_frame,
    shaq_vas,
)

SEED = 20261125
N_ROWS = 500
ITEMS = [item for items in HAQ_CATEGORIES.values() for item in items]


def score(df: pl.DataFrame) -> pl.DataFrame:
    """What ``score_table`` does for this module: validate, coerce, score."""
    validate_frame(df, COLUMNS)
    return score_frame(coerce_frame(df, COLUMNS))


def random_visits(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, list] = {}
    for item in ITEMS:
        v = rng.integers(0, 4, n)
        data[f"haq_{item}"] = [None if m else int(x) for x, m in zip(v, rng.random(n) < 0.15, strict=True)]
    for flag in HAQ_AIDS_FIELDS.values():
        v = rng.integers(0, 3, n)
        data[f"haq_{flag}"] = [None if x == 2 and rng.random() < 0.3 else bool(x % 2) for x in v]
    for scale in SHAQ_SCALES:
        v = np.round(rng.uniform(0, 15, n), 1)
        data[f"shaq_{scale}_vas_cm"] = [None if m else float(x)
                                        for x, m in zip(v, rng.random(n) < 0.1, strict=True)]
    return pl.DataFrame(data)


def test_parity_with_one_visit_functions():
    df = random_visits(N_ROWS, SEED)
    out = score(df)
    assert out.columns == list(OUTPUT_COLUMNS)
    assert out.height == N_ROWS
    computable = set()
    for row, got in zip(df.iter_rows(named=True), out.iter_rows(named=True), strict=True):
        items = HaqDiItems(**{k[len("haq_"):]: v for k, v in row.items() if k.startswith("haq_")})
        r = haq_di(items)
        assert got["haq_di"] == r.value  # exact: same integer sum / count in float64
        assert got["haq_di_computable"] is r.computable
        assert got["haq_di_band"] == r.interpretation
        assert got["haq_categories_answered"] == r.components["categories_answered"]
        assert got["haq_adi"] == haq_di(items, variant="HAQ-ADI").value
        for scale in SHAQ_SCALES:
            assert got[f"shaq_{scale}"] == shaq_vas(scale, row[f"shaq_{scale}_vas_cm"]).value
        computable.add(r.computable)
    assert computable == {True, False}


def test_spec_worked_example_from_csv_text():
    # spec §5 worked example (constructed) as a CSV would give it (text cells): 1.250 / 1.000.
    cats = {"dressing": 1, "arising": 0, "eating": 2, "walking": 1, "hygiene": 0, "reach": 1,
            "grip": 3, "activities": 0}
    row = {f"haq_{HAQ_CATEGORIES[c][0]}": [str(s)] for c, s in cats.items()}
    row |= {f"haq_{f}": ["0"] for f in HAQ_AIDS_FIELDS.values()}
    row |= {"haq_aids_or_help_dressing": ["1"], "haq_aids_or_help_walking": ["true"]}
    out = score(pl.DataFrame(row))
    assert out["haq_di"].to_list() == [1.25]
    assert out["haq_adi"].to_list() == [1.0]
    assert out["haq_di_band"].to_list() == ["moderate disability"]


def test_bad_item_names_row():
    df = pl.DataFrame({"haq_cut_meat": [0, 1, 4]})
    with pytest.raises(InputError) as exc:
        score(df)
    assert str(exc.value) == "row 3, field 'haq_cut_meat': got 4; allowed: a whole number from 0 to 3 (points)."


def test_bad_aid_flag_names_row():
    df = pl.DataFrame({"haq_aids_or_help_grip": ["yes"]})
    with pytest.raises(InputError) as exc:
        score(df)
    assert str(exc.value) == (
        "row 1, field 'haq_aids_or_help_grip': got 'yes'; allowed: 0 or 1 (true/false), empty if not recorded."
    )
