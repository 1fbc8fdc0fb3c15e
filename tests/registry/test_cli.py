"""The registry CLI in-process (typer CliRunner): db, user, import, export, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sclerostem.cli import app
from sclerostem.registry import Database

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SCLEROSTEM_DB", url)
    monkeypatch.delenv("SCLEROSTEM_USER", raising=False)
    r = runner.invoke(app, ["db", "init", "--demo"])
    assert r.exit_code == 0, r.output
    return tmp_path


def test_db_init_demo_and_backup_restore(env: Path) -> None:
    r = runner.invoke(app, ["db", "backup", str(env / "b.json.gz")])
    assert r.exit_code == 0, r.output
    assert "60 patients" in r.output
    r = runner.invoke(app, ["db", "restore", str(env / "b.json.gz"), "--db", f"sqlite:///{env / 'new.db'}"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["db", "restore", str(env / "b.json.gz")])  # not empty
    assert r.exit_code == 2
    assert "allowed: an empty database to restore into." in r.output
    head = Database.head_revision()
    assert runner.invoke(app, ["db", "upgrade"]).output.strip() == f"schema revision {head} -> {head}"


def test_uninitialised_database_is_an_input_error(tmp_path: Path) -> None:
    r = runner.invoke(app, ["audit", "1", "--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert r.exit_code == 2
    assert "allowed: an initialised registry (run 'sclerostem db init' first)." in r.output


def test_import_export_round_trip_and_reports(env: Path) -> None:
    out = env / "visits.csv"
    r = runner.invoke(app, ["export", str(out), "--format", "csv", "--table", "visits", "--user", "admin"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["import", str(out), "--user", "admin"])
    assert r.exit_code == 0, r.output
    assert "unchanged (already present):" in r.output
    bad = env / "bad.csv"
    bad.write_text("study_id,visit_date,crp_mg_dl\nDEMO-001,2024-01-01,-5\nDEMO-001,2024-02-01,1\n")
    r = runner.invoke(app, ["import", str(bad), "--user", "admin", "--report", str(env / "rep.json")])
    assert r.exit_code == 2
    assert "row 1, field 'crp_mg_dl': got '-5'; allowed: a number from 0 to 50 (mg/dL)." in r.output
    assert json.loads((env / "rep.json").read_text())["problems"][0]["row"] == 1
    r = runner.invoke(app, ["import", str(bad), "--user", "admin", "--skip-invalid", "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "dry run: nothing was imported." in r.output
    r = runner.invoke(app, ["import", str(bad), "--user", "admin", "--skip-invalid"])
    assert r.exit_code == 0, r.output
    assert (env / "bad.rejected.csv").exists()


def test_redcap_fhir_deid_exports(env: Path) -> None:
    import sclerostem

    rc = Path(sclerostem.__file__).parent / "data" / "redcap"
    r = runner.invoke(app, ["import", str(rc / "example_export.csv"), "--format", "redcap", "--mapping",
                            str(rc / "example_mapping.yaml"), "--dictionary", str(rc / "example_data_dictionary.csv"),
                            "--user", "admin"])
    assert r.exit_code == 0, r.output
    assert "created (were): 3 diagnosis, 3 patient, 6 visit" in r.output
    r = runner.invoke(app, ["export", str(env / "b.json"), "--format", "fhir", "--user", "researcher"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["export", str(env / "deid"), "--format", "deid", "--user", "researcher"])
    assert r.exit_code == 0, r.output
    assert (env / "deid" / "manifest.json").exists()
    r = runner.invoke(app, ["import", str(env / "b.json"), "--format", "redcap", "--user", "admin"])
    assert r.exit_code == 2
    assert "field '--mapping': got None; allowed: a REDCap mapping file (YAML) for --format redcap." in r.output


def test_user_add_token_and_audit(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCLEROSTEM_PASSWORD", "a-long-password")
    r = runner.invoke(app, ["user", "add", "dr_new", "--role", "clinician", "--centre", "Demo Centre North",
                            "--user", "admin"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "created user 'dr_new' (role clinician, centre Demo Centre North)"
    r = runner.invoke(app, ["user", "add", "x", "--role", "nurse", "--user", "admin"])
    assert r.exit_code == 2
    assert r.output.strip() == "error: field 'role': got 'nurse'; allowed: one of 'admin', 'clinician', 'researcher'."
    r = runner.invoke(app, ["user", "token", "dr_new", "--user", "admin"])
    assert r.exit_code == 0
    assert r.output.startswith("sst_")
    r = runner.invoke(app, ["audit", "DEMO-001"])
    assert r.exit_code == 0, r.output
    first = r.output.splitlines()[0]
    assert "admin" in first
    assert "create  patients#1" in first
    assert "study_id: ∅ -> DEMO-001" in first
    r = runner.invoke(app, ["audit", "NOPE-1"])
    assert r.exit_code == 2


def test_user_revoke_tokens(env: Path) -> None:
    assert runner.invoke(app, ["user", "token", "clinician", "--user", "admin"]).exit_code == 0
    assert runner.invoke(app, ["user", "token", "clinician", "--user", "admin"]).exit_code == 0
    r = runner.invoke(app, ["user", "revoke-tokens", "clinician", "--user", "admin"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "revoked 2 token(s) of 'clinician'"


def test_db_rescore_only_stale_visits(env: Path) -> None:
    from sqlalchemy import update

    from sclerostem.registry import Database, Visit, engine_version

    r = runner.invoke(app, ["db", "rescore"])
    assert r.output.strip() == f"rescored 0 visit(s) with engine {engine_version()}"
    import os

    db = Database(os.environ["SCLEROSTEM_DB"])
    with db.session() as s:
        s.execute(update(Visit).where(Visit.id <= 3).values(scores_engine_version="old", mrss_total=None))
    r = runner.invoke(app, ["db", "rescore"])
    assert r.output.strip() == f"rescored 3 visit(s) with engine {engine_version()}"
    with db.session() as s:
        assert all(v.mrss_total is not None for v in s.query(Visit).where(Visit.id <= 3))
    db.dispose()
