"""``sclerostem stats`` commands for survival."""

from __future__ import annotations

import typer


def register_stats(stats_app: typer.Typer) -> None:
    """Add the survival commands to the ``stats`` group."""
