"""Command-line interface: ``sclerostem ...``.

Each capability registers its commands from its own private module
(``_scores``, ``_stats``, ``_evidence``, ``_assess``, ``_registry``,
``_cells``, ``_web``) so that the adapters stay separate.
"""

from __future__ import annotations

import typer

from sclerostem._version import __version__
from sclerostem.cli import _assess, _cells, _evidence, _registry, _scores, _stats, _web

__all__ = ["app", "main"]

app = typer.Typer(
    name="sclerostem",
    help="Stem-cell therapy in scleroderma: scores, HSCT candidacy, registry, outcomes, evidence, cells.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"sclerostem {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """sclerostem command line."""


for _module in (_scores, _stats, _evidence, _assess, _registry, _cells, _web):
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
