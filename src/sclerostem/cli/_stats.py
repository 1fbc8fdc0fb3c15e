"""CLI group ``sclerostem stats``: survival, competing risks, Cox, GPC."""

from __future__ import annotations

import typer

from sclerostem.cli import _stats_gpc, _stats_survival

stats_app = typer.Typer(help="Outcome statistics on CSV input.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``sclerostem stats`` to the root application."""
    _stats_survival.register_stats(stats_app)
    _stats_gpc.register_stats(stats_app)
    app.add_typer(stats_app, name="stats")
