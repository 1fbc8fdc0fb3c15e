"""bench/bench_scores.py keeps working as columns change (a smoke test, not a timing)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sclerostem.scores import score_table, table_columns

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_scores.py"


def test_synthetic_visits_cover_every_column_and_score():
    spec = importlib.util.spec_from_file_location("bench_scores", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    df = mod.synthetic_visits(300)
    assert df.columns == [c.name for c in table_columns()]
    out = score_table(df)
    assert out.height == 300
    assert mod._one_visit_loop(df.head(5)) == 40
