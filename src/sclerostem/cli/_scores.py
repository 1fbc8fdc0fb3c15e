"""CLI commands of the scores capability: ``sclerostem score VISITS -o SCORED``."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sclerostem.cli._common import atomic_path, fail_on_input_error
from sclerostem.errors import InputError

__all__ = ["read_table", "register", "write_table"]

_FORMATS = "a path ending in .csv or .parquet"
#: Show a progress display on stderr for tables at least this large (rows).
PROGRESS_MIN_ROWS = 100_000


def _format(path: Path, field: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError(field, str(path), _FORMATS)


def read_table(path: Path) -> pl.DataFrame:
    """Read a visits table; CSV cells are read as text and checked column by column.

    Raises
    ------
    InputError
        Missing file, unsupported extension, or a file that cannot be parsed.
    """
    fmt = _format(path, "VISITS")
    if not path.is_file():
        raise InputError("VISITS", str(path), "an existing " + _FORMATS.replace("a path", "file"))
    try:
        if fmt == "parquet":
            return pl.read_parquet(path)
        try:
            # fast path: numbers parsed while reading, everything else as text
            return pl.read_csv(path, infer_schema_length=0, null_values=_NULLS,
                               schema_overrides=_csv_schema())
        except pl.exceptions.ComputeError:
            # a cell that does not parse: read all as text so that validation
            # reports it with its row, field and value
            return pl.read_csv(path, infer_schema_length=0, null_values=_NULLS)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError("VISITS", str(path), f"a readable {fmt} file ({exc})") from exc


_NULLS = ["", "NA"]


def _csv_schema() -> dict[str, pl.DataType]:
    from sclerostem.scores import table_columns

    kinds: dict[str, pl.DataType] = {"int": pl.Int64(), "float": pl.Float64()}
    return {c.name: kinds.get(c.kind, pl.Utf8()) for c in table_columns()}


def write_table(df: pl.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` (CSV or Parquet by extension), whole or not at all."""
    fmt = _format(path, "--output")
    with atomic_path(path) as tmp:
        if fmt == "csv":
            df.write_csv(tmp)
        else:
            df.write_parquet(tmp)


def _run(visits: Path | None, output: Path | None) -> None:
    from sclerostem.scores import score_table

    if visits is None:
        raise InputError("VISITS", None, "a visits table, " + _FORMATS)
    if output is None:
        raise InputError("--output", None, _FORMATS)
    _format(output, "--output")  # refuse a bad output name before any work
    df = read_table(visits)
    if df.height >= PROGRESS_MIN_ROWS:
        console = Console(stderr=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as progress:
            task = progress.add_task("scoring visits", total=df.height)
            scored = score_table(df, progress=lambda n: progress.advance(task, n))
            progress.update(task, description=f"writing {output.name}")
            write_table(scored, output)
    else:
        scored = score_table(df)
        write_table(scored, output)
    added = scored.width - df.width
    typer.echo(f"scored {df.height} visits: {added} score columns added -> {output}")


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root application."""

    @app.command("score")
    def score(
        visits: Path | None = typer.Argument(
            None, metavar="VISITS",
            help="Visits table (.csv or .parquet), one row per visit; columns: docs/scores.md.",
        ),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Scored table to write (.csv or .parquet)."
        ),
        list_columns: bool = typer.Option(
            False, "--list-columns", help="Print the accepted input columns (Markdown) and exit."
        ),
    ) -> None:
        """Score every visit with every instrument; adds one column per score and interpretation."""
        if list_columns:
            from sclerostem.scores._batch import columns_markdown

            typer.echo(columns_markdown(), nl=False)
            return
        fail_on_input_error(lambda: _run(visits, output))
