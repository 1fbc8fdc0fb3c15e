"""CLI commands of the registry capability.

``sclerostem db init|upgrade|backup|restore``, ``sclerostem import``,
``sclerostem export``, ``sclerostem user add|token``, ``sclerostem audit``.
Every command takes ``--db URL``; the default is ``$SCLEROSTEM_DB``, else a
SQLite file in the user's data directory (platformdirs). Commands that change
or read patient data act as a registry user (``--user``, default
``$SCLEROSTEM_USER``, else the only admin), who appears in the audit trail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from sclerostem.cli._common import atomic_path, fail_on_input_error

__all__ = ["acting_session", "default_db_url", "register"]

db_app = typer.Typer(help="Create, upgrade, back up and restore the registry database.", no_args_is_help=True)
user_app = typer.Typer(help="Manage registry users and API tokens.", no_args_is_help=True)

DB_HELP = "Database URL (sqlite:///path.db or postgresql+psycopg://...); default $SCLEROSTEM_DB or a SQLite file in the user data directory."
MAX_PRINTED = 50  #: problems printed on the terminal; --report FILE has them all
USER_HELP = "Registry user acting (audit trail); default $SCLEROSTEM_USER, else the only admin."


def default_db_url() -> str:
    """``$SCLEROSTEM_DB``, else ``sqlite:///<user data dir>/registry.db``."""
    env = os.environ.get("SCLEROSTEM_DB")
    if env:
        return env
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('sclerostem', appauthor=False)) / 'registry.db'}"


def _open(url: str | None, *, create: bool = False) -> Any:
    from sclerostem.registry import Database

    db = Database(url or default_db_url())
    if create:
        db.create_all()
    elif db.current_revision() is None:
        from sclerostem.errors import InputError

        raise InputError("--db", db.safe_url(), "an initialised registry (run 'sclerostem db init' first)")
    return db


def _actor(db: Any, username: str | None) -> Any:
    from sqlalchemy import select

    from sclerostem.errors import InputError
    from sclerostem.registry import User

    username = username or os.environ.get("SCLEROSTEM_USER")
    with db.session() as s:
        if username:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            if user is None or not user.active:
                raise InputError("--user", username, "an active registry user")
            return user
        admins = s.execute(select(User).where(User.role == "admin", User.active.is_(True))).scalars().all()
        if len(admins) != 1:
            raise InputError("--user", None, "a registry username (there is not exactly one admin to default to)")
        return admins[0]


@contextmanager
def acting_session(db_url: str | None, user: str | None, *, read_only: bool = False) -> Iterator[tuple[Any, Any]]:
    """(session, acting user merged into it) on the registry; the database is disposed afterwards."""
    database = _open(db_url)
    try:
        actor = _actor(database, user)
        with database.read_session() if read_only else database.session() as s:
            yield s, s.merge(actor)
    finally:
        database.dispose()


def _user_named(session: Any, username: str) -> Any:
    """The registry user USERNAME (argument of ``user token`` / ``user revoke-tokens``)."""
    from sqlalchemy import select

    from sclerostem.errors import InputError
    from sclerostem.registry import User

    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise InputError("username", username, "an existing registry user")
    return user


def _progress_bar(label: str) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
    task = progress.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, update


# ------------------------------------------------------------------------------------ db
@db_app.command("init")
def db_init(
    db: str = typer.Option(None, "--db", help=DB_HELP),
    admin: str = typer.Option(None, "--admin", help="Create this first admin user (password prompted or $SCLEROSTEM_PASSWORD)."),
    demo: bool = typer.Option(False, "--demo", help="Also load the SYNTHETIC demo cohort and demo users."),
) -> None:
    """Create the schema (newest migration) in a new or existing database."""

    def run() -> None:
        database = _open(db, create=True)
        typer.echo(f"registry ready at {database.safe_url()} (schema revision {database.current_revision()})")
        if admin:
            from sclerostem.registry import create_user

            password = os.environ.get("SCLEROSTEM_PASSWORD") or typer.prompt(
                f"password for {admin}", hide_input=True, confirmation_prompt=True)
            with database.session() as s:
                create_user(s, None, admin, password, "admin")
            typer.echo(f"created admin user {admin!r}")
        if demo:
            from sclerostem.registry.demo import DEMO_USERS, load_demo_cohort

            info = load_demo_cohort(database)
            typer.echo(f"loaded {info['patients']} SYNTHETIC demo patients; demo users: "
                       + ", ".join(f"{u}/{p}" for u, p, _r, _c in DEMO_USERS))
        database.dispose()

    fail_on_input_error(run)


@db_app.command("upgrade")
def db_upgrade(db: str = typer.Option(None, "--db", help=DB_HELP),
               revision: str = typer.Option("head", help="Target Alembic revision.")) -> None:
    """Apply schema migrations up to REVISION (default: newest)."""

    def run() -> None:
        from sclerostem.registry import Database

        database = Database(db or default_db_url())
        before = database.current_revision()
        database.upgrade(revision)
        typer.echo(f"schema revision {before} -> {database.current_revision()}")
        database.dispose()

    fail_on_input_error(run)


@db_app.command("backup")
def db_backup(file: Path = typer.Argument(..., help="Backup file to write (.json.gz)."),
              db: str = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Write a consistent, portable backup (gzip JSON of every table; restores on SQLite or PostgreSQL)."""

    def run() -> None:
        database = _open(db)
        with atomic_path(file) as tmp:
            counts = database.backup(tmp)
        typer.echo(f"backup written to {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))
        database.dispose()

    fail_on_input_error(run)


@db_app.command("restore")
def db_restore(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Backup file."),
               db: str = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Restore a backup into an EMPTY database (never merges with live data)."""

    def run() -> None:
        from sclerostem.registry import Database

        database = Database(db or default_db_url())
        counts = database.restore(file)
        typer.echo(f"restored into {database.safe_url()}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))
        database.dispose()

    fail_on_input_error(run)


@db_app.command("rescore")
def db_rescore(db: str = typer.Option(None, "--db", help=DB_HELP),
               all_visits: bool = typer.Option(False, "--all", help="Rescore every visit, not only stale ones.")) -> None:
    """Recompute stored visit scores made by another scores-engine version (or all with --all)."""

    def run() -> None:
        from sclerostem.registry import engine_version, recompute_all

        database = _open(db)
        with database.session() as s:
            n = recompute_all(s, stale_only=not all_visits)
        typer.echo(f"rescored {n} visit(s) with engine {engine_version()}")
        database.dispose()

    fail_on_input_error(run)


# --------------------------------------------------------------------------------- users
@user_app.command("add")
def user_add(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., "--role", help="clinician, researcher or admin."),
    centre: str = typer.Option(None, "--centre", help="Centre (required for clinicians)."),
    full_name: str = typer.Option(None, "--full-name"),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_user: str = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Add a user (password prompted, or $SCLEROSTEM_PASSWORD); hashed with argon2id."""

    def run() -> None:
        from sqlalchemy import func, select

        from sclerostem.registry import User, create_user

        database = _open(db)
        with database.session() as s:
            first = not s.execute(select(func.count(User.id))).scalar()
        actor = None if first else _actor(database, as_user)
        password = os.environ.get("SCLEROSTEM_PASSWORD") or typer.prompt(
            f"password for {username}", hide_input=True, confirmation_prompt=True)
        with database.session() as s:
            u = create_user(s, s.merge(actor) if actor else None, username, password, role,
                            centre=centre, full_name=full_name)
            typer.echo(f"created user {u.username!r} (role {u.role}, centre {u.centre or '-'})")
        database.dispose()

    fail_on_input_error(run)


@user_app.command("token")
def user_token(
    username: str = typer.Argument(..., help="User the token belongs to."),
    name: str = typer.Option("script", "--name", help="Label of the token."),
    expires_days: int = typer.Option(None, "--expires-days", min=1),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_user: str = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Create an API token (printed once; only its SHA-256 digest is stored)."""

    def run() -> None:
        from sclerostem.registry import create_api_token

        with acting_session(db, as_user) as (s, actor):
            typer.echo(create_api_token(s, actor, name, user=_user_named(s, username), expires_days=expires_days))

    fail_on_input_error(run)


@user_app.command("revoke-tokens")
def user_revoke_tokens(
    username: str = typer.Argument(..., help="User whose API tokens are revoked."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_user: str = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Revoke every API token of USERNAME (servers notice within 10 s)."""

    def run() -> None:
        from sclerostem.registry import revoke_api_tokens

        with acting_session(db, as_user) as (s, actor):
            n = revoke_api_tokens(s, actor, user=_user_named(s, username))
        typer.echo(f"revoked {n} token(s) of {username!r}")

    fail_on_input_error(run)


# -------------------------------------------------------------------------- import/export
def import_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="File to import."),
    fmt: str = typer.Option("csv", "--format", help="csv, redcap or fhir."),
    table: str = typer.Option(None, "--table", help="CSV table (patients, diagnoses, visits, treatments, transplants, events); detected from the header when omitted."),
    mapping: Path = typer.Option(None, "--mapping", exists=True, help="REDCap mapping file (YAML)."),
    dictionary: Path = typer.Option(None, "--dictionary", exists=True, help="REDCap data dictionary (CSV) to check against."),
    centre: str = typer.Option(None, "--centre", help="Centre of new patients when the file has none."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; import nothing."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import valid rows; write rejected rows to --rejected."),
    rejected: Path = typer.Option(None, "--rejected", help="File for rejected rows (default FILE.rejected.csv)."),
    report_json: Path = typer.Option(None, "--report", help="Also write the report as JSON."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_user: str = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Import FILE: every row is validated first and every problem reported; by default any invalid row imports nothing."""
    from sclerostem.errors import InputError
    from sclerostem.io import ImportFailed, import_csv, import_fhir, import_redcap

    def run() -> None:
        if fmt not in ("csv", "redcap", "fhir"):
            raise InputError("--format", fmt, "one of 'csv', 'redcap', 'fhir'")
        if fmt == "redcap" and mapping is None:
            raise InputError("--mapping", None, "a REDCap mapping file (YAML) for --format redcap")
        database = _open(db)
        actor = _actor(database, as_user)
        progress, update = _progress_bar(f"importing {file.name}")
        try:
            with progress:
                if fmt == "csv":
                    report = import_csv(database, actor, file, table=table, skip_invalid=skip_invalid,
                                        rejected_path=rejected, dry_run=dry_run, progress=update, centre=centre)
                elif fmt == "redcap":
                    report = import_redcap(database, actor, file, mapping, dictionary_path=dictionary,
                                           skip_invalid=skip_invalid, rejected_path=rejected, dry_run=dry_run,
                                           progress=update)
                else:
                    report = import_fhir(database, actor, file, skip_invalid=skip_invalid, dry_run=dry_run,
                                         progress=update, centre=centre)
        except ImportFailed as exc:
            typer.echo(exc.report.summary(max_problems=MAX_PRINTED), err=True)
            if report_json:
                with atomic_path(report_json) as tmp:
                    tmp.write_text(json.dumps(exc.report.to_dict(), indent=1, default=str))
            raise typer.Exit(code=2) from exc
        finally:
            database.dispose()
        typer.echo(report.summary(max_problems=MAX_PRINTED))
        if report_json:
            with atomic_path(report_json) as tmp:
                tmp.write_text(json.dumps(report.to_dict(), indent=1, default=str))

    fail_on_input_error(run)


def export_cmd(
    out: Path = typer.Argument(..., help="Output file (csv, fhir) or directory (deid)."),
    fmt: str = typer.Option("csv", "--format", help="csv, fhir or deid (de-identified research export)."),
    table: str = typer.Option("visits", "--table", help="CSV table to export."),
    identifying: bool = typer.Option(False, "--identifying", help="FHIR: include name, birth date, hospital number (when your role may see them)."),
    key: str = typer.Option(None, "--key", envvar="SCLEROSTEM_DEID_KEY", help="deid: secret key for stable pseudonyms/shifts (default: random, unlinkable)."),
    max_shift_days: int = typer.Option(182, "--max-shift-days", min=1, max=3650, help="deid: largest date shift."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
    as_user: str = typer.Option(None, "--user", help=USER_HELP),
) -> None:
    """Export registry data as CSV, a FHIR R4 Bundle, or a de-identified research set."""
    from sclerostem.errors import InputError
    from sclerostem.io import export_csv, export_deidentified, export_fhir

    def run() -> None:
        if fmt not in ("csv", "fhir", "deid"):
            raise InputError("--format", fmt, "one of 'csv', 'fhir', 'deid'")
        database = _open(db)
        actor = _actor(database, as_user)
        try:
            if fmt == "csv":
                n = export_csv(database, actor, table, out)
                typer.echo(f"wrote {n} {table} row(s) to {out}")
            elif fmt == "fhir":
                n = export_fhir(database, actor, out, identifying=identifying)
                typer.echo(f"wrote a FHIR R4 Bundle of {n} resource(s) to {out}")
            else:
                counts = export_deidentified(database, actor, out, key=key.encode() if key else None,
                                             max_shift_days=max_shift_days)
                typer.echo(f"wrote de-identified export to {out}: "
                           + ", ".join(f"{n} {f}" for f, n in counts.items()))
        finally:
            database.dispose()

    fail_on_input_error(run)


def audit_cmd(
    patient: str = typer.Argument(..., help="Patient registry id or study id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: str = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Show a patient's audit trail (who changed what, when, old -> new)."""
    from sqlalchemy import select

    from sclerostem.errors import InputError
    from sclerostem.registry import Patient, patient_history

    def run() -> None:
        database = _open(db)
        with database.read_session() as s:
            pid = s.execute(select(Patient.id).where(Patient.study_id == patient)).scalar()
            if pid is None and patient.isdigit():
                pid = int(patient)
            if pid is None:
                raise InputError("PATIENT", patient, "a registry id or study id")
            hist = patient_history(s, pid)
        database.dispose()
        if not hist:
            raise InputError("PATIENT", patient, "a patient with an audit trail")
        if as_json:
            typer.echo(json.dumps(hist, indent=1))
            return
        for h in hist:
            changes = "; ".join(f"{k}: {_short(v[0])} -> {_short(v[1])}" for k, v in (h["changes"] or {}).items())
            typer.echo(f"{h['at'][:19]}  {h['username']:<12} {h['action']:<7} {h['entity']}#{h['entity_id']}  {changes}")

    fail_on_input_error(run)


def _short(v: Any) -> str:
    s = "∅" if v is None else str(v)
    return s if len(s) <= 40 else s[:37] + "..."


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root application."""
    app.add_typer(db_app, name="db")
    app.add_typer(user_app, name="user")
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)
    app.command("audit")(audit_cmd)
