"""``sclerostem stats`` commands for gpc."""

from __future__ import annotations

import typer


def register_stats(stats_app: typer.Typer) -> None:
    """Add the gpc commands to the ``stats`` group."""
