"""Vectorised scoring of a whole visits table with every instrument.

Contract shared by every instrument module listed in :data:`INSTRUMENT_MODULES`:

* ``COLUMNS: tuple[Column, ...]`` — the table columns the module reads;
* ``score_frame(df) -> pl.DataFrame`` — given a table holding (at least) those
  columns, validated and cast to their canonical dtypes (absent columns are
  all-null), return only the module's output columns, same row count.

:func:`score_table` validates the table against every declared column, refuses
columns nobody declares, calls each module and returns the input columns
followed by all output columns.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from types import ModuleType

import polars as pl

from sclerostem.errors import InputError, InputTypeError, UnknownFieldError
from sclerostem.scores._columns import Column, coerce_frame, validate_frame

__all__ = [
    "ID_COLUMNS",
    "INSTRUMENT_LABELS",
    "INSTRUMENT_MODULES",
    "columns_markdown",
    "instrument_modules",
    "score_table",
    "table_columns",
]

#: Instrument modules (under ``sclerostem.scores``) scored by :func:`score_table`,
#: in output-column order. ``_response`` comes after ``_criss`` because it reads
#: the same baseline/follow-up columns (the first declaration documents them).
INSTRUMENT_MODULES: tuple[str, ...] = (
    "_mrss",
    "_acr_eular",
    "_eustar_ai",
    "_leroy",
    "_duration",
    "_criss",
    "_response",
    "_haq",
    "_morphea",
)

#: Identifier columns carried through unchanged (no score reads them).
ID_COLUMNS: tuple[Column, ...] = (
    Column("patient_id", "text", description="pseudonymous patient identifier (carried through)"),
    Column("visit_id", "text", description="visit identifier (carried through)"),
)

DOCS_HINT = ("a column listed in docs/scores.md, section 'Visits table columns' "
             "(or run `sclerostem score --list-columns`)")


#: Rows scored at a time: bounds the memory of the cast copy of the table.
CHUNK_ROWS = 100_000


@functools.cache
def instrument_modules() -> tuple[ModuleType, ...]:
    """Import and return the instrument modules of :data:`INSTRUMENT_MODULES`.

    Raises
    ------
    RuntimeError
        A listed module that does not follow the contract (a programming error).
    """
    mods = []
    for name in INSTRUMENT_MODULES:
        full = f"sclerostem.scores.{name}"
        mod = importlib.import_module(full)
        if not (hasattr(mod, "COLUMNS") and hasattr(mod, "score_frame")):
            raise RuntimeError(f"{full} does not define COLUMNS and score_frame (see _batch.py)")
        mods.append(mod)
    return tuple(mods)


@functools.cache
def table_columns() -> tuple[Column, ...]:
    """Every column a visits table may hold, each once, in documentation order.

    Raises
    ------
    RuntimeError
        Two instrument modules declare the same column name differently (a
        programming error, caught by the test suite).
    """
    seen: dict[str, Column] = {}
    for col in (*ID_COLUMNS, *(c for m in instrument_modules() for c in m.COLUMNS)):
        prev = seen.get(col.name)
        if prev is None:
            seen[col.name] = col
        elif (prev.kind, prev.lo, prev.hi, prev.unit, prev.choices) != (
            col.kind, col.lo, col.hi, col.unit, col.choices
        ):
            raise RuntimeError(f"column {col.name!r} is declared twice with different rules")
    return tuple(seen.values())


def score_table(
    df: pl.DataFrame,
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int], None] | None = None,
) -> pl.DataFrame:
    """Score every visit (row) of ``df`` with every instrument, vectorised.

    Parameters
    ----------
    df : polars.DataFrame
        One row per visit. Columns must be among :func:`table_columns`; absent
        columns and empty cells mean "not recorded". Text cells are accepted for
        numbers, booleans (0/1/true/false) and dates (YYYY-MM-DD).
    chunk_rows : int
        Rows cast and scored at a time (bounds memory; results do not depend on it).
    progress : callable, optional
        Called with the number of rows just scored, after each chunk.

    Returns
    -------
    polars.DataFrame
        The input columns, unchanged, followed by each instrument's output
        columns (one per score and per interpretation). The numbers are those
        of the one-visit functions.

    Raises
    ------
    UnknownFieldError
        A column that no instrument reads.
    InputError, InputTypeError, ConsistencyError
        The first bad cell, with its 1-based data row.
    """
    columns = table_columns()
    known = {c.name for c in columns}
    for name in df.columns:
        if name not in known:
            raise UnknownFieldError("column", name, DOCS_HINT)
    if chunk_rows < 1:
        raise InputError("chunk_rows", chunk_rows, "a whole number of at least 1")
    validate_frame(df, columns)
    modules = instrument_modules()
    parts: list[pl.DataFrame] = []
    for start in range(0, max(df.height, 1), chunk_rows):
        chunk = df.slice(start, chunk_rows)
        clean = coerce_frame(chunk, columns)
        try:
            outputs = [m.score_frame(clean) for m in modules]
        except (InputError, InputTypeError) as exc:
            if exc.row is None or start == 0:
                raise
            # row numbers from a module are chunk-relative: report the table row
            raise type(exc)(exc.field, exc.value, exc.allowed, row=exc.row + start) from exc
        parts.append(pl.concat(outputs, how="horizontal"))
        if progress is not None:
            progress(chunk.height)
    scores = parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical_relaxed")
    return pl.concat([df, scores], how="horizontal")


#: Short instrument names for the documentation, by module.
INSTRUMENT_LABELS: dict[str, str] = {
    "_mrss": "mRSS",
    "_acr_eular": "ACR/EULAR 2013",
    "_eustar_ai": "EUSTAR-AI 2017",
    "_leroy": "LeRoy subset",
    "_duration": "disease duration",
    "_criss": "ACR-CRISS / rCRISS",
    "_response": "§10 responses",
    "_haq": "HAQ-DI / SHAQ",
    "_morphea": "LoSCAT / Padua",
}


def columns_markdown() -> str:
    """The visits-table column reference as a Markdown table (for docs/scores.md)."""
    readers: dict[str, list[str]] = {}
    for mod in instrument_modules():
        short = mod.__name__.rsplit(".", 1)[1]
        for c in mod.COLUMNS:
            readers.setdefault(c.name, []).append(INSTRUMENT_LABELS.get(short, short))
    lines = [
        "| Column | Kind | Unit | Allowed | Read by | Meaning |",
        "|---|---|---|---|---|---|",
    ]
    for c in table_columns():
        allowed = c.allowed().replace("|", "/")
        read_by = ", ".join(readers.get(c.name, ["(identifier)"]))
        lines.append(
            f"| `{c.name}` | {c.kind} | {c.unit or ''} | {allowed} | {read_by} | {c.description} |"
        )
    return "\n".join(lines) + "\n"
