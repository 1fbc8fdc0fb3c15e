"""``sclerostem demo`` and ``sclerostem serve`` in-process (the server itself is not started)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sclerostem.cli import _web, app


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, str, int]]:
    calls: list[tuple[Any, str, int]] = []
    monkeypatch.setattr(_web, "_run", lambda web, host, port: calls.append((web, host, port)))
    return calls


def test_demo_creates_the_database_prints_url_and_logins(tmp_path: Path, served):
    db = tmp_path / "demo.db"
    r = CliRunner().invoke(app, ["demo", "--db", str(db), "--port", "8123"])
    assert r.exit_code == 0, r.output
    assert db.exists()
    lines = r.output.splitlines()
    assert lines[0] == f"sclerostem demo database: {db} (60 synthetic patients loaded)"
    assert lines[1] == "Open http://127.0.0.1:8123/ in your browser.  Demo logins (synthetic data only):"
    assert "  clinician   user clinician    password demo-clinician" in lines
    assert "  researcher  user researcher   password demo-researcher" in lines
    assert lines[-1] == "stopped."
    web, host, port = served[0]
    assert (host, port) == ("127.0.0.1", 8123)
    assert web.state.web.demo_logins[1] == ("clinician", "demo-clinician", "clinician")
    # a second run reuses the database without loading the cohort again
    r = CliRunner().invoke(app, ["demo", "--db", str(db), "--port", "8123"])
    assert r.output.splitlines()[0] == f"sclerostem demo database: {db}"


def test_serve_upgrades_the_schema_and_runs(tmp_path: Path, served, monkeypatch):
    monkeypatch.delenv("SCLEROSTEM_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    r = CliRunner().invoke(app, ["serve", "--db", url, "--host", "127.0.0.1", "--port", "9001"])
    assert r.exit_code == 0, r.output
    assert f"Serving {url} on http://127.0.0.1:9001/ (Ctrl-C to stop)" in r.output
    assert "note: SCLEROSTEM_SECRET_KEY is not set; sessions end when the server restarts." in r.output
    assert served[0][1:] == ("127.0.0.1", 9001)
    assert served[0][0].state.web.demo_logins == ()  # no demo logins shown for real use


def test_vendored_htmx_is_the_recorded_version():
    static = Path(__file__).resolve().parents[2] / "src/sclerostem/web/static"
    text = (static / "htmx.min.js").read_text()
    assert 'version:"2.0.11"' in text.replace(" ", "")
    assert "Zero-Clause BSD" in (static / "htmx.LICENSE.txt").read_text()
