"""Cell products in the registry: DIN on write, release decision, chain of identity, refused infusions.

Runs on SQLite and PostgreSQL (``db`` fixture of ``tests/registry/conftest.py``).

DINs: ``G123 498 654 321 H`` is the worked example of the JPAC Red Book, Annex 2
(ISO 7064 mod 37-2 checksum 17 -> ``H``); ``G123 498 654 322 F`` is a second DIN
of the same facility whose check character ``F`` is computed by the same
algorithm (tested against the Red Book example in ``tests/cells/test_isbt128.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select

from sclerostem.cells import IdentityMismatchError
from sclerostem.errors import InputError
from sclerostem.registry import (
    AccessDeniedError,
    AuditEntry,
    CellLot,
    ConflictError,
    Database,
    NotFoundError,
    chain_of_identity,
    create_patient,
    delete_record,
    get_cell_lot,
    graft_summary,
    lot_release_report,
    patient_history,
    record_collection,
    record_infusion,
    record_lot_results,
    record_processing,
    register_cell_lot,
)
from sclerostem.registry._cell_models import CellCollection, CellInfusion, CellProcessing

DIN = "G123 498 654 321 H"  #: JPAC Red Book Annex 2 worked example
OTHER_DIN = "G123 498 654 322 F"  #: same facility, next sequence number (check char by mod 37-2)
TYPO_DIN = "G123 498 654 312 H"  #: two digits swapped: check character no longer matches (is 'J')
RTOL = 1e-12  #: float arithmetic only
RELEASED = dt.date(2026, 1, 4)  #: release date entered retrospectively; infusions on 2026-01-05

#: Results meeting every mandatory criterion of the shipped ``wj-msc-msctc-0010`` release spec.
PASSING = {
    "tissue_source": "wharton_jelly", "cd105_percent": 99.0, "cd73_percent": 99.5, "cd90_percent": 99.2,
    "cd45_percent": 0.5, "cd34_percent": 0.3, "cd14_percent": 0.4, "cd11b_percent": 0.4,
    "cd79a_percent": 0.2, "cd19_percent": 0.2, "hla_dr_percent": 0.5, "cd31_percent": 0.3,
    "viability_percent": 96.0, "sterility_negative": True, "mycoplasma_negative": True,
    "endotoxin_eu_ml": 0.1, "karyotype_normal": True, "plastic_adherent": True,
    "trilineage_differentiation": True, "bsa_not_detected": True, "potency_pbmc_inhibition_percent": 45.0,
}
SPEC = "wj-msc-msctc-0010"


@pytest.fixture
def setup(db: Database, users: dict[str, Any]) -> dict[str, Any]:
    with db.session() as s:
        a = create_patient(s, users["clin_a"], study_id="SSC-A1", name="Ann Example")
        a2 = create_patient(s, users["clin_a"], study_id="SSC-A2")
        b = create_patient(s, users["clin_b"], study_id="SSC-B1")
        lot = register_cell_lot(s, users["clin_a"], lot_number="WJ-001", din=DIN, product_type="msc",
                                donor_type="autologous", patient_id=a.id, tissue_source="wharton_jelly")
    return {"db": db, "u": users, "a": a.id, "a2": a2.id, "b": b.id, "lot": lot.id}


def _release(st: dict[str, Any]) -> None:
    with st["db"].session() as s:
        report = record_lot_results(s, st["u"]["clin_a"], st["lot"], PASSING, SPEC, release_date=RELEASED)
    assert report.releasable


def _refusals(db: Database, lot_id: int) -> list[AuditEntry]:
    with db.read_session() as s:
        rows = list(s.execute(select(AuditEntry).where(
            AuditEntry.action == "infusion_refused", AuditEntry.entity_id == lot_id)).scalars())
        s.expunge_all()
    return rows


def _infusions(db: Database) -> int:
    with db.read_session() as s:
        return len(list(s.execute(select(CellInfusion)).scalars()))


# ---------------------------------------------------------------- registration
def test_register_stores_verified_din_and_centre(setup: dict[str, Any]) -> None:
    with setup["db"].read_session() as s:
        lot = get_cell_lot(s, setup["u"]["admin"], setup["lot"])
        assert lot.din == "G123498654321H"
        assert lot.centre == "A"
        assert lot.status == "quarantine"
        assert lot.donor_type == "autologous"


def test_din_check_character_typo_refused_on_register(setup: dict[str, Any]) -> None:
    with pytest.raises(InputError) as err, setup["db"].session() as s:
        register_cell_lot(s, setup["u"]["clin_a"], lot_number="WJ-002", din=TYPO_DIN, product_type="msc",
                          donor_type="autologous", patient_id=setup["a"])
    assert str(err.value) == ("field 'din': got 'G123 498 654 312 H'; allowed: a DIN whose check character "
                              "is 'J' (check the number for a typing error).")
    with setup["db"].read_session() as s:
        assert s.execute(select(CellLot).where(CellLot.lot_number == "WJ-002")).first() is None


def test_autologous_lot_needs_patient(setup: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="field 'patient_id': got None; allowed: the registry id of the "
                                         "patient an autologous product is made for"), setup["db"].session() as s:
        register_cell_lot(s, setup["u"]["clin_a"], lot_number="WJ-003", din=OTHER_DIN, product_type="msc",
                          donor_type="autologous")


def test_unknown_product_type_names_allowed(setup: dict[str, Any]) -> None:
    with pytest.raises(InputError) as err, setup["db"].session() as s:
        register_cell_lot(s, setup["u"]["clin_a"], lot_number="X", din=OTHER_DIN, product_type="stem",
                          donor_type="autologous", patient_id=setup["a"])
    assert "field 'product_type': got 'stem'; allowed: " in str(err.value)
    assert "'hsc_cd34_selected'" in str(err.value)


def test_duplicate_lot_number_conflict(setup: dict[str, Any]) -> None:
    with pytest.raises(ConflictError, match="cell lot 'WJ-001' already exists"), setup["db"].session() as s:
        register_cell_lot(s, setup["u"]["clin_a"], lot_number="WJ-001", din=OTHER_DIN, product_type="msc",
                          donor_type="autologous", patient_id=setup["a"])


def test_roles(setup: dict[str, Any]) -> None:
    db, u = setup["db"], setup["u"]
    with pytest.raises(AccessDeniedError), db.session() as s:
        register_cell_lot(s, u["researcher"], lot_number="R", din=OTHER_DIN, product_type="msc",
                          donor_type="autologous", patient_id=setup["a"])
    with pytest.raises(NotFoundError), db.session() as s:  # another centre's patient: not visible
        register_cell_lot(s, u["clin_b"], lot_number="R", din=OTHER_DIN, product_type="msc",
                          donor_type="autologous", patient_id=setup["a"])
    with pytest.raises(NotFoundError), db.read_session() as s:
        get_cell_lot(s, u["clin_b"], setup["lot"])
    with pytest.raises(AccessDeniedError), db.session() as s:
        record_lot_results(s, u["researcher"], setup["lot"], PASSING, SPEC)
    with db.read_session() as s:  # researchers read, pseudonymised
        chain = chain_of_identity(s, u["researcher"], setup["lot"])
    assert chain["lot"]["din"] == "***"
    assert chain["chain"][0]["din"] == "***"
    assert chain["lot"]["patient_study_id"] == "SSC-A1"
    assert "Ann Example" not in repr(chain)


# ---------------------------------------------------------------- release
def test_release_decision_stored(setup: dict[str, Any]) -> None:
    _release(setup)
    with setup["db"].read_session() as s:
        lot = get_cell_lot(s, setup["u"]["admin"], setup["lot"])
        assert lot.release_decision == "releasable"
        assert lot.status == "released"
        assert lot.release_spec_name == SPEC
        assert lot.release_spec_version is not None
        assert lot.released_by == "clin_a"
        assert lot.released_at is not None
        assert lot.release_results["viability_percent"] == 96.0
        assert lot.release_results["lot_id"] == "WJ-001"
        report = lot_release_report(s, setup["u"]["admin"], setup["lot"])
    assert report.decision == "releasable"


def test_failing_and_missing_results_not_released(setup: dict[str, Any]) -> None:
    db, u = setup["db"], setup["u"]
    with db.session() as s:
        report = record_lot_results(s, u["clin_a"], setup["lot"], {**PASSING, "sterility_negative": False}, SPEC)
    assert report.decision == "not releasable"
    with db.read_session() as s:
        lot = get_cell_lot(s, u["admin"], setup["lot"])
        assert (lot.status, lot.release_decision, lot.released_by) == ("rejected", "not releasable", None)
    missing = {k: v for k, v in PASSING.items() if k != "mycoplasma_negative"}
    with db.session() as s:
        report = record_lot_results(s, u["clin_a"], setup["lot"], missing, SPEC)
    assert report.decision == "not releasable: results missing"
    with db.read_session() as s:
        assert get_cell_lot(s, u["admin"], setup["lot"]).status == "quarantine"


def test_identity_spec_never_releases(setup: dict[str, Any]) -> None:
    with setup["db"].session() as s:
        report = record_lot_results(s, setup["u"]["clin_a"], setup["lot"], PASSING, "isct-2006")
    assert report.decision == "meets identity criteria"
    with setup["db"].read_session() as s:
        assert get_cell_lot(s, setup["u"]["admin"], setup["lot"]).status == "quarantine"


def test_results_with_other_din_refused(setup: dict[str, Any]) -> None:
    with pytest.raises(InputError) as err, setup["db"].session() as s:
        record_lot_results(s, setup["u"]["clin_a"], setup["lot"], {**PASSING, "din": OTHER_DIN}, SPEC)
    assert str(err.value) == ("field 'din': got 'G123 498 654 322 F'; allowed: the DIN of this lot "
                              "(G1234 98 654321 H).")


def test_unknown_spec_names_allowed(setup: dict[str, Any]) -> None:
    with pytest.raises(InputError, match=r"field 'spec': got '/etc/passwd'; allowed: one of .*isct-2006"), \
            setup["db"].session() as s:
        record_lot_results(s, setup["u"]["clin_a"], setup["lot"], PASSING, "/etc/passwd")


# ---------------------------------------------------------------- infusion
def test_infusion_recorded_after_release(setup: dict[str, Any]) -> None:
    _release(setup)
    with setup["db"].session() as s:
        inf = record_infusion(s, setup["u"]["clin_a"], setup["lot"], patient_id=setup["a"],
                              scanned_din="=G123498654321 77", infusion_date=dt.date(2026, 1, 5),
                              dose_cells_per_kg=1e6, volume_ml=50, weight_kg=70)
    assert inf.scanned_din == "G123498654321H"
    assert inf.infused_by == "clin_a"
    with setup["db"].read_session() as s:
        assert get_cell_lot(s, setup["u"]["admin"], setup["lot"]).status == "infused"


def test_wrong_patient_infusion_refused_and_audited(setup: dict[str, Any]) -> None:
    _release(setup)
    db = setup["db"]
    with pytest.raises(IdentityMismatchError) as err, db.session() as s:
        record_infusion(s, setup["u"]["clin_a"], setup["lot"], patient_id=setup["a2"], scanned_din=DIN,
                        infusion_date=dt.date(2026, 1, 5), dose_cells_per_kg=1e6)
    assert str(err.value) == ("field 'recipient_patient_id': got 'SSC-A2'; allowed: the patient this "
                              "product was made for (SSC-A1); infusion refused.")
    assert _infusions(db) == 0
    with db.read_session() as s:
        assert get_cell_lot(s, setup["u"]["admin"], setup["lot"]).status == "released"
    [entry] = _refusals(db, setup["lot"])
    assert entry.username == "clin_a"
    assert entry.patient_id == setup["a2"]
    assert entry.changes["recipient_study_id"] == [None, "SSC-A2"]
    assert "infusion refused" in (entry.note or "")
    with db.read_session() as s:  # the attempt shows in the would-be recipient's history
        hist = patient_history(s, setup["a2"], actor=setup["u"]["clin_a"])
    assert [h["action"] for h in hist][-1] == "infusion_refused"


def test_din_mismatch_refused_and_audited(setup: dict[str, Any]) -> None:
    _release(setup)
    with pytest.raises(IdentityMismatchError) as err, setup["db"].session() as s:
        record_infusion(s, setup["u"]["clin_a"], setup["lot"], patient_id=setup["a"], scanned_din=OTHER_DIN,
                        infusion_date=dt.date(2026, 1, 5))
    assert str(err.value) == ("field 'scanned_din': got 'G123 498 654 322 F'; allowed: the DIN of this "
                              "product (G1234 98 654321 H).")
    assert _infusions(setup["db"]) == 0
    assert len(_refusals(setup["db"], setup["lot"])) == 1


def test_scanned_din_typo_refused_and_audited(setup: dict[str, Any]) -> None:
    _release(setup)
    with pytest.raises(InputError, match="field 'din': got 'G123 498 654 312 H'; allowed: a DIN whose check "
                                         "character is 'J'"), setup["db"].session() as s:
        record_infusion(s, setup["u"]["clin_a"], setup["lot"], patient_id=setup["a"], scanned_din=TYPO_DIN,
                        infusion_date=dt.date(2026, 1, 5))
    assert _infusions(setup["db"]) == 0
    assert len(_refusals(setup["db"], setup["lot"])) == 1


def test_unreleased_lot_refused_and_audited(setup: dict[str, Any]) -> None:
    db = setup["db"]
    with pytest.raises(IdentityMismatchError) as err, db.session() as s:
        record_infusion(s, setup["u"]["clin_a"], setup["lot"], patient_id=setup["a"], scanned_din=DIN,
                        infusion_date=dt.date(2026, 1, 5))
    assert str(err.value) == ("field 'product_status': got 'quarantine'; allowed: 'released' "
                              "(the lot has not passed release).")
    assert _infusions(db) == 0
    assert len(_refusals(db, setup["lot"])) == 1


def test_status_set_by_hand_is_refused_and_not_a_release(setup: dict[str, Any]) -> None:
    """status='released' cannot be set through the generic record routes; the lot stays unreleased."""
    db = setup["db"]
    from sclerostem.registry import update_record

    with pytest.raises(InputError) as exc, db.session() as s:
        update_record(s, setup["u"]["clin_a"], "cell_lot", setup["lot"], status="released")
    assert str(exc.value).startswith("field 'status': got 'released'; allowed: no direct change")
    with pytest.raises(IdentityMismatchError), db.session() as s:
        record_infusion(s, setup["u"]["clin_a"], setup["lot"], patient_id=setup["a"], scanned_din=DIN,
                        infusion_date=dt.date(2026, 1, 5))
    assert _infusions(db) == 0


def test_second_infusion_refused(setup: dict[str, Any]) -> None:
    _release(setup)
    db, u = setup["db"], setup["u"]
    kw = {"patient_id": setup["a"], "scanned_din": DIN, "infusion_date": dt.date(2026, 1, 5)}
    with db.session() as s:
        record_infusion(s, u["clin_a"], setup["lot"], **kw)
    with pytest.raises(IdentityMismatchError, match="this lot was infused already"), db.session() as s:
        record_infusion(s, u["clin_a"], setup["lot"], **kw)
    assert _infusions(db) == 1


def test_refusal_audited_when_caller_commits(setup: dict[str, Any]) -> None:
    """A caller that catches the refusal and commits still leaves the audit row (one, not two)."""
    db = setup["db"]
    with db.session() as s, pytest.raises(IdentityMismatchError):
        record_infusion(s, setup["u"]["clin_a"], setup["lot"], patient_id=setup["a"], scanned_din=DIN,
                        infusion_date=dt.date(2026, 1, 5))
    assert len(_refusals(db, setup["lot"])) == 1


def test_other_centre_cannot_infuse(setup: dict[str, Any]) -> None:
    _release(setup)
    with pytest.raises(NotFoundError), setup["db"].session() as s:
        record_infusion(s, setup["u"]["clin_b"], setup["lot"], patient_id=setup["b"], scanned_din=DIN,
                        infusion_date=dt.date(2026, 1, 5))


# ---------------------------------------------------------------- chain and graft
def test_chain_of_identity_in_order(setup: dict[str, Any]) -> None:
    db, u, lot = setup["db"], setup["u"], setup["lot"]
    with db.session() as s:  # recorded out of order on purpose
        record_processing(s, u["clin_a"], lot, processing_date=dt.date(2025, 12, 3), method="cd34_selection",
                          cd34_before=3.5e8, cd34_after=2.1e8, cd3_before=1e10, cd3_after=1e7)
        record_collection(s, u["clin_a"], lot, collection_date=dt.date(2025, 12, 2), cd34_cells=1.4e8)
        record_collection(s, u["clin_a"], lot, collection_date=dt.date(2025, 12, 1), cd34_cells=2.1e8,
                          litres_processed=12, pre_cd34_per_ul=40)
    _release(setup)
    with pytest.raises(IdentityMismatchError), db.session() as s:
        record_infusion(s, u["clin_a"], lot, patient_id=setup["a2"], scanned_din=DIN,
                        infusion_date=dt.date(2026, 1, 5))
    with db.session() as s:
        record_infusion(s, u["clin_a"], lot, patient_id=setup["a"], scanned_din=DIN,
                        infusion_date=dt.date(2026, 1, 5), dose_cells_per_kg=3.0e6, weight_kg=70)
    with db.read_session() as s:
        chain = chain_of_identity(s, u["clin_a"], lot)
    stages = [c["stage"] for c in chain["chain"]]
    assert stages == ["registration", "collection", "collection", "processing", "release", "infusion"]
    assert [c["date"] for c in chain["chain"][1:3]] == ["2025-12-01", "2025-12-02"]
    # CD34 selection 2.1e8 of 3.5e8 = 60 % recovery; CD3 1e10 -> 1e7 = 3-log depletion (msc.md §4.3 formulas)
    assert chain["chain"][3]["cd34_recovery_percent"] == pytest.approx(60.0, rel=RTOL)
    assert chain["chain"][3]["log10_t_cell_depletion"] == pytest.approx(3.0, rel=RTOL)
    assert chain["chain"][4]["decision"] == "releasable"
    assert chain["chain"][5]["patient_study_id"] == "SSC-A1"
    assert chain["complete"] is True
    assert len(chain["refused_infusions"]) == 1
    with db.read_session() as s:
        assert chain_of_identity(s, u["researcher"], lot)["refused_infusions"][0]["note"] == "infusion refused"


def test_graft_dose_from_two_collections(setup: dict[str, Any]) -> None:
    """Worked example of the brief / msc.md §4.2 formula: (2.1e8 + 1.4e8) CD34+ / 70 kg = 5.0e6/kg."""
    db, u, lot = setup["db"], setup["u"], setup["lot"]
    with db.session() as s:
        record_collection(s, u["clin_a"], lot, collection_date=dt.date(2025, 12, 1), cd34_cells=2.1e8,
                          litres_processed=12, pre_cd34_per_ul=40)
        record_collection(s, u["clin_a"], lot, collection_date=dt.date(2025, 12, 2), cd34_cells=1.4e8)
    with db.read_session() as s:
        out = graft_summary(s, u["researcher"], lot, weight_kg=70)
    assert out["value"] == pytest.approx(5.0e6, rel=RTOL)
    assert out["weight_source"] == "given"
    # CE2 of day 1: 100 x 2.1e8 / (12 L x 40/uL x 1e6) = 43.75 % (Neyrinck 2015 formula, msc.md §4.4)
    assert out["components"]["collections"][0]["collection_efficiency_percent"] == pytest.approx(43.75, rel=RTOL)
    assert any(c["status"] == "unconfirmed" for c in out["caveats"])


def test_graft_needs_weight_and_collections(setup: dict[str, Any]) -> None:
    db, u, lot = setup["db"], setup["u"], setup["lot"]
    with pytest.raises(InputError, match="field 'collections': got"), db.read_session() as s:
        graft_summary(s, u["clin_a"], lot)
    with db.session() as s:
        record_collection(s, u["clin_a"], lot, collection_date=dt.date(2025, 12, 1), cd34_cells=2.1e8)
    with pytest.raises(InputError, match="field 'weight_kg': got None; allowed: the patient's weight in kg"), \
            db.read_session() as s:
        graft_summary(s, u["clin_a"], lot)


def test_collection_and_processing_validation(setup: dict[str, Any]) -> None:
    db, u, lot = setup["db"], setup["u"], setup["lot"]
    with pytest.raises(InputError) as err, db.session() as s:
        record_collection(s, u["clin_a"], lot, collection_date=dt.date(2025, 12, 1), cd34_cells=-1)
    assert str(err.value).startswith("field 'cd34_cells': got -1; allowed:")
    with pytest.raises(InputError, match=r"field 'cd34_after': got 500000000\.0; allowed: at most the CD34\+ count before selection"), db.session() as s:
        record_processing(s, u["clin_a"], lot, processing_date=dt.date(2025, 12, 3), method="cd34_selection",
                          cd34_before=3e8, cd34_after=5e8)
    with pytest.raises(InputError, match="field 'collection_date': got '2025-13-01'; allowed: a date YYYY-MM-DD"), \
            db.session() as s:
        record_collection(s, u["clin_a"], lot, collection_date="2025-13-01", cd34_cells=1e8)
    with db.read_session() as s:
        assert not list(s.execute(select(CellCollection)).scalars())
        assert not list(s.execute(select(CellProcessing)).scalars())


def test_chain_records_are_audited(setup: dict[str, Any]) -> None:
    db, u, lot = setup["db"], setup["u"], setup["lot"]
    with db.session() as s:
        c = record_collection(s, u["clin_a"], lot, collection_date=dt.date(2025, 12, 1), cd34_cells=2.1e8)
    with db.read_session() as s:
        hist = patient_history(s, setup["a"], actor=u["admin"])
    entry = next(h for h in hist if h["entity"] == "cell_collections")
    assert (entry["action"], entry["entity_id"], entry["username"]) == ("create", c.id, "clin_a")
    assert entry["changes"]["cd34_cells"] == [None, 2.1e8]


def test_lot_with_chain_cannot_be_deleted(setup: dict[str, Any]) -> None:
    db, u, lot = setup["db"], setup["u"], setup["lot"]
    with db.session() as s:
        record_collection(s, u["clin_a"], lot, collection_date=dt.date(2025, 12, 1), cd34_cells=2.1e8)
    with pytest.raises(ConflictError), db.session() as s:
        delete_record(s, u["admin"], "cell_lot", lot)
    with db.read_session() as s:
        assert get_cell_lot(s, u["admin"], lot).lot_number == "WJ-001"


def test_migration_0003_down_and_up(db: Database, users: dict[str, Any]) -> None:
    """Downgrade to 0002 removes the tables and columns and keeps the rest; upgrade restores them."""
    with db.session() as s:
        p = create_patient(s, users["admin"], study_id="SSC-M1", centre="A")
        register_cell_lot(s, users["admin"], lot_number="M-1", din=DIN, product_type="msc",
                          donor_type="autologous", patient_id=p.id)
    with db.engine.begin() as conn:
        command.downgrade(db._alembic_config(conn), "0002")
    assert db.current_revision() == "0002"
    assert "cell_infusions" not in db.table_names()
    assert "cell_lots" in db.table_names()
    with db.engine.connect() as conn:
        cols = {c["name"] for c in __import__("sqlalchemy").inspect(conn).get_columns("cell_lots")}
    assert "din" not in cols
    assert "lot_number" in cols
    db.upgrade()
    assert db.current_revision() == "0003"
    assert {"cell_collections", "cell_processing", "cell_infusions"} <= set(db.table_names())


# ---------------------------------------------------------------- CLI (thin wrappers, --db URL)
def test_cli_register_results_infuse_chain(db: Database, users: dict[str, Any], tmp_path: Any) -> None:
    import json
    from importlib import resources

    from typer.testing import CliRunner

    from sclerostem.cli import app

    example = str(resources.files("sclerostem") / "data" / "lots" / "wj-msc-example.json")
    with db.session() as s:
        create_patient(s, users["clin_a"], study_id="SSC-C1")
        create_patient(s, users["clin_a"], study_id="SSC-C2")
    run = CliRunner().invoke
    common = ["--db", db.url, "--user", "clin_a"]
    res = run(app, ["lot", "register", "WJ-2026-014", "--din", TYPO_DIN, "--product-type", "msc",
                    "--donor-type", "allogeneic", "--patient", "SSC-C1", *common])
    assert res.exit_code == 2
    assert "error: field 'din': got 'G123 498 654 312 H'; allowed: a DIN whose check character is 'J'" in res.output
    res = run(app, ["lot", "register", "WJ-2026-014", "--din", DIN, "--product-type", "msc",
                    "--donor-type", "allogeneic", "--patient", "SSC-C1", "--tissue-source", "wharton_jelly", *common])
    assert res.exit_code == 0, res.output
    assert "DIN G123498654321H, status quarantine" in res.output
    res = run(app, ["lot", "results", "WJ-2026-014", example, "--spec", SPEC, "--release-date", "2026-01-04",
                    *common])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("lot WJ-2026-014: releasable (wj-msc-msctc-0010 v")
    infuse = ["lot", "infuse", "WJ-2026-014", "--scanned-din", DIN, "--date", "2026-01-05", *common]
    res = run(app, [*infuse, "--patient", "SSC-C2"])
    assert res.exit_code == 2
    assert ("error: field 'recipient_patient_id': got 'SSC-C2'; allowed: the patient this product was made "
            "for (SSC-C1); infusion refused.") in res.output
    res = run(app, [*infuse, "--patient", "SSC-C1", "--dose-cells-per-kg", "1e6"])
    assert res.exit_code == 0, res.output
    res = run(app, ["lot", "chain", "WJ-2026-014", *common])
    assert res.exit_code == 0, res.output
    chain = json.loads(res.stdout)
    assert [c["stage"] for c in chain["chain"]] == ["registration", "release", "infusion"]
    assert len(chain["refused_infusions"]) == 1


def test_infusion_before_release_date_refused(setup: dict[str, Any]) -> None:
    _release(setup)
    with pytest.raises(InputError) as err, setup["db"].session() as s:
        record_infusion(s, setup["u"]["clin_a"], setup["lot"], patient_id=setup["a"], scanned_din=DIN,
                        infusion_date=dt.date(2026, 1, 3))
    assert str(err.value) == ("field 'infusion_date': got '2026-01-03'; allowed: a date on or after the lot's "
                              "release date (2026-01-04).")
    assert _infusions(setup["db"]) == 0
