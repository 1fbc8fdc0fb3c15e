"""``sclerostem stats gpc``: generalized pairwise comparisons on a CSV file."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer
import yaml

from sclerostem.cli._common import atomic_path, fail_on_input_error
from sclerostem.errors import InputError

__all__ = ["register_stats"]

_SCORINGS = ("gehan", "peron")
_INFERENCES = ("ustat", "permutation", "exact-permutation", "bootstrap")


def _read_spec(path: Path) -> Any:
    if not path.is_file():
        raise InputError("--endpoints", str(path), "an existing YAML file listing the endpoints")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(
            "--endpoints", str(path), f"valid YAML ({exc.__class__.__name__})"
        ) from exc


def _read_csv(path: Path) -> Any:
    import polars as pl

    if not path.is_file():
        raise InputError("DATA", str(path), "an existing CSV file")
    try:
        return pl.read_csv(path, infer_schema_length=None, null_values=["", "NA"])
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError("DATA", str(path), "a readable CSV file with a header row") from exc


def _fmt(v: float, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
        return "-" if v is None or math.isnan(v) else ("inf" if v > 0 else "-inf")
    return f"{v:.{digits}f}"


def _print_table(res: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    title = (
        f"GPC {res.treated_label} (n={res.n_treated}) vs {res.control_label} (n={res.n_control}), "
        f"{res.n_pairs} pairs; scoring {res.scoring}; inference {res.inference}"
    )
    counts = Table(title=title)
    for col in ("level", "endpoint", "wins", "losses", "neutral", "uninformative"):
        counts.add_column(col, justify="left" if col == "endpoint" else "right")
    for lv in res.levels:
        counts.add_row(
            str(lv.level),
            lv.endpoint,
            *(_fmt(getattr(lv, c), 2) for c in ("wins", "losses", "neutral", "uninformative")),
        )
    console.print(counts)
    stats = Table(title=f"Cumulative statistics ({res.confidence:.0%} CI)")
    for col in ("level", "statistic", "estimate", "se", "ci_low", "ci_high", "p"):
        stats.add_column(col, justify="left" if col == "statistic" else "right")
    for lv in res.levels:
        for name in ("net_benefit", "win_ratio", "win_odds"):
            stats.add_row(
                str(lv.level),
                name,
                *(
                    _fmt(getattr(lv, name + suffix))
                    for suffix in ("", "_se", "_ci_low", "_ci_high", "_p")
                ),
            )
    console.print(stats)
    for c in res.caveats:
        console.print(f"caveat [{c.status.value}] {c.code}: {c.message}", markup=False)


def register_stats(stats_app: typer.Typer) -> None:
    """Add the ``gpc`` command to the ``stats`` group."""

    @stats_app.command("gpc")
    def gpc_command(
        data: Path = typer.Argument(..., help="CSV file, one row per patient."),
        arm: str = typer.Option(..., "--arm", help="Column holding the treatment arm."),
        treated: str = typer.Option(
            ..., "--treated", help="Value of --arm marking the treated group."
        ),
        endpoints: Path = typer.Option(
            ..., "--endpoints", help="YAML list of endpoints in priority order."
        ),
        scoring: str = typer.Option("gehan", "--scoring", help="Censored pairs: gehan or peron."),
        inference: str = typer.Option(
            "ustat", "--inference", help="ustat, permutation, exact-permutation or bootstrap."
        ),
        n_resamples: int = typer.Option(
            1000, "--n-resamples", help="Permutations / bootstrap samples."
        ),
        seed: int | None = typer.Option(None, "--seed", help="Random seed for resampling."),
        strata: str | None = typer.Option(None, "--strata", help="Column defining strata."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
        plot: Path | None = typer.Option(
            None, "--plot", help="Write the GPC plot (png, pdf, svg)."
        ),
    ) -> None:
        """Generalized pairwise comparisons: net benefit, win ratio, win odds by endpoint level."""

        def run() -> None:
            from sclerostem.stats.gpc import endpoints_from_spec, gpc

            if scoring not in _SCORINGS:
                raise InputError(
                    "--scoring", scoring, "one of " + ", ".join(repr(s) for s in _SCORINGS)
                )
            if inference not in _INFERENCES:
                raise InputError(
                    "--inference", inference, "one of " + ", ".join(repr(s) for s in _INFERENCES)
                )
            eps = endpoints_from_spec(_read_spec(endpoints))
            table = _read_csv(data)
            kwargs: dict[str, Any] = {
                "arm": arm,
                "treated": treated,
                "endpoints": eps,
                "scoring": scoring,
                "inference": inference,
                "n_resamples": n_resamples,
                "seed": seed,
                "strata": strata,
            }
            if inference in ("permutation", "bootstrap"):
                from rich.console import Console
                from rich.progress import Progress

                with Progress(console=Console(stderr=True), transient=True) as bar:
                    task = bar.add_task(inference, total=n_resamples)
                    res = gpc(
                        table,
                        progress=lambda done, total: bar.update(task, completed=done),
                        **kwargs,
                    )
            else:
                res = gpc(table, **kwargs)
            if plot is not None:
                from sclerostem.plots._gpc import save_gpc_plot

                with atomic_path(plot) as tmp:
                    save_gpc_plot(res, tmp, fmt=plot.suffix.lstrip(".") or "png")
            if as_json:
                typer.echo(json.dumps(res.to_dict(), indent=2, ensure_ascii=False))
            else:
                _print_table(res)

        fail_on_input_error(run)
