"""A throwaway local PostgreSQL server for the test session.

``PgServer`` runs ``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/*/bin``
on a free loopback port with its socket in a private /tmp directory (as the
``postgres`` user via ``runuser`` when the tests run as root), and hands out a
fresh database per test. Pytest fixtures: ``pg_server`` (session scope; skips
locally / fails under CI when PostgreSQL is missing, via ``require_or_skip``)
and ``pg_url`` (a new empty database).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import require_or_skip

__all__ = ["PgServer", "find_pg_bin", "pg_server", "pg_url", "shared_server"]


def find_pg_bin() -> Path | None:
    """Directory holding ``initdb``/``pg_ctl`` (newest installed version), or ``None``."""
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if cands:
        return Path(cands[-1]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One PostgreSQL cluster in a temporary directory, stopped and removed by :meth:`stop`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="sclerostem-pg-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.port = _free_port()
        self._as_root = os.geteuid() == 0
        self._counter = itertools.count(1)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        self.sock.mkdir()
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-sync")
        opts = (f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", opts, "-w", "-t", "60",
                  "-l", str(self.root / "server.log"), "start")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._counter)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        for _ in range(20):
            try:
                shutil.rmtree(self.root)
                break
            except OSError:
                time.sleep(0.1)


_SERVER: list[PgServer] = []


def shared_server() -> PgServer:
    """The one server of this test process (started on first use, stopped at exit).

    Several test directories import the fixtures; the server is shared so that
    it starts once per session whichever directory asks first.
    """
    if _SERVER:
        return _SERVER[0]
    bindir = find_pg_bin()
    require_or_skip(bindir is not None, "PostgreSQL server binaries (initdb, pg_ctl)")
    assert bindir is not None
    if os.geteuid() == 0:
        require_or_skip(shutil.which("runuser") is not None, "runuser (to run PostgreSQL as 'postgres')")
    server = PgServer(bindir)
    try:
        server.start()
    except subprocess.CalledProcessError as exc:
        server.stop()
        require_or_skip(False, f"a startable PostgreSQL server ({exc.stderr.strip()[:300]})")
    atexit.register(server.stop)
    _SERVER.append(server)
    return server


@pytest.fixture(scope="session")
def pg_server() -> PgServer:
    """A running throwaway PostgreSQL server for the whole test session."""
    return shared_server()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """URL of a fresh, empty PostgreSQL database."""
    return pg_server.create_database()
