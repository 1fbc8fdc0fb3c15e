"""CLI commands of the web capability: ``sclerostem demo`` and ``sclerostem serve``."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

import typer

from sclerostem.cli._common import fail_on_input_error

__all__ = ["register"]

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def default_demo_db() -> Path:
    """Where ``sclerostem demo`` keeps its SQLite database (per-user data directory)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("sclerostem", appauthor=False)) / "demo.db"


def demo_logins() -> tuple[tuple[str, str, str], ...]:
    """(username, password, role) of the demo users, from the registry's demo module."""
    from sclerostem.registry import demo

    users = getattr(demo, "DEMO_USERS", ())
    out = []
    for u in users:
        if isinstance(u, dict):
            out.append((u["username"], u["password"], u["role"]))
        else:
            username, password, role = (getattr(u, "username", None), getattr(u, "password", None),
                                        getattr(u, "role", None))
            if username is None:
                username, password, role = u[0], u[1], u[2]
            out.append((str(username), str(password), str(role)))
    return tuple(out)


def prepare_demo_db(path: Path, *, reset: bool = False) -> tuple[Any, int]:
    """Open the demo database, creating it and loading the synthetic demo cohort if needed.

    Returns
    -------
    (Database, int)
        The database and the number of patients loaded now (0 when already there).
    """
    from sclerostem.registry import Database, demo

    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{path}")
    info = demo.load_demo_cohort(db)  # idempotent: skips when the cohort is there
    return db, int(info.get("patients", 0))


def _run(app: Any, host: str, port: int) -> None:
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            proxy_headers=False, server_header=False)
    server = uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C during shutdown
        server.run()


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root application."""

    @app.command("demo")
    def demo_cmd(
        db: Path = typer.Option(None, "--db", help="SQLite file of the demo (default: per-user data dir)."),
        host: str = typer.Option(DEFAULT_HOST, "--host", help="Address to listen on."),
        port: int = typer.Option(DEFAULT_PORT, "--port", help="TCP port."),
        reset: bool = typer.Option(False, "--reset", help="Delete and recreate the demo database."),
    ) -> None:
        """Run the clinic web app on a SQLite database with the synthetic demo cohort."""

        def go() -> None:
            from sclerostem.web import create_app

            path = db or default_demo_db()
            database, loaded = prepare_demo_db(path, reset=reset)
            logins = demo_logins()
            note = f" ({loaded} synthetic patients loaded)" if loaded else ""
            typer.echo(f"sclerostem demo database: {path}{note}")
            typer.echo(f"Open http://{host}:{port}/ in your browser.  Demo logins (synthetic data only):")
            for username, password, role in logins:
                typer.echo(f"  {role:<11} user {username:<12} password {password}")
            typer.echo("Press Ctrl-C to stop.")
            web = create_app(database, demo_logins=logins, secure_cookies=False)
            _run(web, host, port)
            database.dispose()
            typer.echo("stopped.")

        fail_on_input_error(go)

    @app.command("serve")
    def serve_cmd(
        db: str = typer.Option(..., "--db", help="Database URL: sqlite:///path.db or postgresql+psycopg://..."),
        host: str = typer.Option(DEFAULT_HOST, "--host", help="Address to listen on."),
        port: int = typer.Option(DEFAULT_PORT, "--port", help="TCP port."),
    ) -> None:
        """Run the clinic web app on a registry database (schema upgraded to the newest version)."""

        def go() -> None:
            from sclerostem.registry import Database
            from sclerostem.web import SECRET_KEY_ENV, create_app

            database = Database(db)
            database.create_all()
            if not os.environ.get(SECRET_KEY_ENV):
                typer.echo(f"note: {SECRET_KEY_ENV} is not set; sessions end when the server restarts.",
                           err=True)
            typer.echo(f"Serving {database.safe_url()} on http://{host}:{port}/ (Ctrl-C to stop)")
            web = create_app(database)
            _run(web, host, port)
            database.dispose()
            typer.echo("stopped.")

        fail_on_input_error(go)
