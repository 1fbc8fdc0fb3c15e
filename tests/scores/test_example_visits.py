"""The shipped example visits table and the column reference in docs/scores.md."""

from __future__ import annotations

import polars as pl

from sclerostem.cli._scores import read_table
from sclerostem.scores import score_table, table_columns
from sclerostem.scores._batch import columns_markdown
from tests.scores._example_builder import (
    DOCS_BEGIN,
    DOCS_END,
    DOCS_PATH,
    EXAMPLE_PATH,
    docs_with_columns,
    example_csv,
)


def test_example_is_what_the_builder_writes():
    # regenerate with: .venv/bin/python -m tests.scores._example_builder
    assert EXAMPLE_PATH.read_text() == example_csv()


def test_example_covers_every_column_with_some_missing():
    df = read_table(EXAMPLE_PATH)
    assert 10 <= df.height <= 15
    assert df.columns == [c.name for c in table_columns()]
    assert [c for c in df.columns if df[c].null_count() == df.height] == []
    assert sum(df[c].null_count() for c in df.columns) > 0


def test_example_scores_as_documented():
    # hand-checked values for this part's instruments, rule sources in spec scores.md
    out = score_table(read_table(EXAMPLE_PATH)).filter(pl.col("patient_id").is_in(["P001", "P004"]))
    assert out["mrss_total"].to_list() == [24, 12, 0]
    assert out["mrss_eustar_improvement"].to_list() == [None, True, None]  # 24 -> 12: -12, -50 %
    assert out["acr_eular_2013_points"].to_list() == [25, 25, 8]  # P004: 3 + 2 + 3 (spec §2)
    assert out["eustar_ai"].to_list() == [7.75, 1.0, 0.0]
    assert out["leroy_subset"].to_list() == ["dcSSc", "dcSSc", "none"]


def test_docs_column_table_is_generated_from_columns():
    text = DOCS_PATH.read_text()
    assert DOCS_BEGIN in text
    assert DOCS_END in text
    assert text.split(DOCS_BEGIN, 1)[1].split(DOCS_END, 1)[0] == columns_markdown()
    assert docs_with_columns(text) == text
