"""REDCap (mapping + data dictionary), FHIR R4 (terminology checks) and de-identified export."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

import sclerostem
from sclerostem.io import (
    ImportFailed,
    export_deidentified,
    export_fhir,
    fhir_bundle,
    import_fhir,
    import_redcap,
    pseudonym,
    read_data_dictionary,
    shift_days,
)
from sclerostem.registry import Database, Diagnosis, Patient, Visit
from sclerostem.registry.demo import load_demo_cohort

REDCAP = Path(sclerostem.__file__).parent / "data" / "redcap"
TODAY = dt.date(2026, 1, 1)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _count(db: Database, model) -> int:
    with db.session() as s:
        return s.execute(select(func.count(model.id))).scalar()


# ------------------------------------------------------------------------------------ REDCap
def test_example_redcap_export_imports_idempotently(db: Database, users) -> None:
    args = (db, users["admin"], REDCAP / "example_export.csv", REDCAP / "example_mapping.yaml")
    report = import_redcap(*args, dictionary_path=REDCAP / "example_data_dictionary.csv")
    assert report.created == {"patient": 3, "diagnosis": 3, "visit": 6}
    again = import_redcap(*args, dictionary_path=REDCAP / "example_data_dictionary.csv")
    assert again.unchanged == {"patient": 3, "diagnosis": 3, "visit": 6}
    with db.session() as s:
        p = s.execute(select(Patient).where(Patient.study_id == "RC-003")).scalar_one()
        assert (p.centre, p.sex) == ("Demo Centre South", "female")  # codes 2 and 1 translated
        assert s.execute(select(Diagnosis.subset).where(Diagnosis.patient_id == p.id)).scalar() == "lcSSc"
        labels = s.execute(select(Visit.visit_label).where(Visit.patient_id == p.id)
                           .order_by(Visit.visit_date)).scalars().all()
        assert labels == ["baseline", "month_12"]  # event names without the _arm_N suffix
    # checkbox option manifest___3 (digital ulcers) -> digital_ulcers
    with open(REDCAP / "example_export.csv", newline="") as fh:
        expected = [r["manifest___3"] == "1" for r in csv.DictReader(fh)]
    with db.session() as s:
        got = s.execute(select(Visit.digital_ulcers).join(Patient).order_by(Patient.study_id, Visit.visit_date)).scalars().all()
    assert got == expected


def test_data_dictionary_has_the_18_columns() -> None:
    dd = read_data_dictionary(REDCAP / "example_data_dictionary.csv")
    assert dd.fields["manifest"]["type"] == "checkbox"
    assert dd.choices("ssc_subset") == {"1": "Diffuse cutaneous", "2": "Limited cutaneous", "3": "Sine scleroderma"}
    with open(REDCAP / "example_data_dictionary.csv", newline="") as fh:
        assert len(next(csv.reader(fh))) == 18


def test_redcap_problems_all_reported(db: Database, users, tmp_path: Path) -> None:
    rows = _rows(REDCAP / "example_export.csv")
    rows[0]["ssc_subset"] = "7"        # not a dictionary code
    rows[1]["crp"] = "80"              # above the dictionary max 50
    rows[2]["manifest___3"] = "2"      # checkbox must be 0/1
    rows[3]["mrss_face"] = "9"         # not a dictionary code (0-3)
    f = tmp_path / "export.csv"
    with open(f, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(ImportFailed) as exc:
        import_redcap(db, users["admin"], f, REDCAP / "example_mapping.yaml",
                      dictionary_path=REDCAP / "example_data_dictionary.csv")
    got = [str(p) for p in exc.value.report.problems]
    assert got == [
        "row 1, field 'ssc_subset': got '7'; allowed: one of the dictionary codes ['1', '2', '3'].",
        "row 2, field 'crp': got '80'; allowed: a number from 0 to 50 (data dictionary).",
        "row 3, field 'manifest___3': got '2'; allowed: 0 or 1 (checkbox option).",
        "row 4, field 'mrss_face': got '9'; allowed: one of the dictionary codes ['0', '1', '2', '3'].",
    ]
    assert _count(db, Patient) == 0
    report = import_redcap(db, users["admin"], f, REDCAP / "example_mapping.yaml",
                           dictionary_path=REDCAP / "example_data_dictionary.csv", skip_invalid=True,
                           rejected_path=tmp_path / "rej.csv")
    assert report.rejected_rows == [1, 2, 3, 4]
    assert len(_rows(tmp_path / "rej.csv")) == 4


def test_mapping_checked_against_dictionary(db: Database, users, tmp_path: Path) -> None:
    mapping = (REDCAP / "example_mapping.yaml").read_text().replace("fvc_percent_predicted: fvc_pct",
                                                                    "fvc_percent_predicted: fvc_percent")
    mapping = mapping.replace('"3": ssc_sine_scleroderma', '"4": ssc_sine_scleroderma')
    m = tmp_path / "mapping.yaml"
    m.write_text(mapping)
    with pytest.raises(ImportFailed) as exc:
        import_redcap(db, users["admin"], REDCAP / "example_export.csv", m,
                      dictionary_path=REDCAP / "example_data_dictionary.csv")
    assert [str(p) for p in exc.value.report.problems] == [
        "field 'mapping diagnosis.subset': got '4'; allowed: one of the choices ['1', '2', '3'].",
        "field 'mapping visits.fvc_percent_predicted': got 'fvc_percent'; allowed: a field of the data dictionary.",
    ]


# -------------------------------------------------------------------------------------- FHIR
@pytest.fixture
def demo(db: Database, users) -> Database:
    load_demo_cohort(db, n_patients=6, seed=9, today=TODAY)
    return db


def test_fhir_bundle_uses_spec_codes(demo: Database, users) -> None:
    doc = fhir_bundle(demo, users["admin"])
    codes = {c["code"] for e in doc["entry"] if e["resource"]["resourceType"] == "Observation"
             for c in e["resource"]["code"]["coding"]}
    # interop.md §4.2: FVC % predicted 19872-1, DLCO % predicted 98130-8, LVEF 10230-1,
    # creatinine 2160-0; scores.md §5: HAQ-DI 75874-8
    assert {"19872-1", "98130-8", "10230-1", "2160-0", "75874-8"} <= codes
    conds = {c["code"] for e in doc["entry"] if e["resource"]["resourceType"] == "Condition"
             for c in e["resource"]["code"]["coding"]}
    assert "89155008" in conds  # SNOMED CT systemic sclerosis
    patients = [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert all("name" not in p and "birthDate" not in p for p in patients)  # not identifying by default
    researcher_doc = fhir_bundle(demo, users["researcher"], identifying=True)
    assert all("name" not in e["resource"] for e in researcher_doc["entry"])


def test_fhir_round_trip_and_idempotence(demo: Database, users, tmp_path: Path) -> None:
    f = tmp_path / "bundle.json"
    export_fhir(demo, users["admin"], f, identifying=True)
    target = Database(f"sqlite:///{tmp_path / 't.db'}")
    target.create_all()
    from sclerostem.registry import create_user

    with target.session() as s:
        admin = create_user(s, None, "admin", "admin-pass", "admin")
    first = import_fhir(target, admin, f, centre="Imported")
    assert first.created["patient"] == 6
    assert import_fhir(target, admin, f, centre="Imported").created == {}
    with demo.session() as s, target.session() as t:
        q = select(Patient.study_id, Patient.name, Patient.date_of_birth).order_by(Patient.study_id)
        assert s.execute(q).all() == t.execute(q).all()
        vq = select(Visit.fvc_percent_predicted).join(Patient).order_by(Patient.study_id, Visit.visit_date)
        assert s.execute(vq).scalars().all() == t.execute(vq).scalars().all()
    target.dispose()


def test_fhir_terminology_checks(demo: Database, users, tmp_path: Path) -> None:
    doc = fhir_bundle(demo, users["admin"])
    obs = [i for i, e in enumerate(doc["entry"]) if e["resource"]["resourceType"] == "Observation"]
    cond = next(i for i, e in enumerate(doc["entry"]) if e["resource"]["resourceType"] == "Condition")
    doc["entry"][obs[0]]["resource"]["status"] = "bogus"  # the R4B models accept this (interop.md §4.2)
    doc["entry"][obs[1]]["resource"]["code"]["coding"] = [{"system": "http://loinc.org", "code": "99999-9"}]
    fvc = next(i for i in obs[2:] if doc["entry"][i]["resource"]["code"]["coding"][0]["code"] == "19872-1")
    doc["entry"][fvc]["resource"]["valueQuantity"]["code"] = "L"
    doc["entry"][fvc]["resource"]["valueQuantity"]["unit"] = "L"
    doc["entry"][cond]["resource"]["code"]["coding"] = [{"system": "http://snomed.info/sct", "code": "1234"}]
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(doc))
    with pytest.raises(ImportFailed) as exc:
        import_fhir(demo, users["admin"], f)
    fields = sorted((p.row, p.field) for p in exc.value.report.problems)
    assert fields == sorted([(obs[0] + 1, "Observation.status"), (obs[1] + 1, "Observation.code"),
                             (fvc + 1, "Observation.valueQuantity.code"), (cond + 1, "Condition.code")])
    msg = next(str(p) for p in exc.value.report.problems if p.field == "Observation.status")
    assert msg == f"row {obs[0] + 1}, field 'Observation.status': got 'bogus'; allowed: one of 'final', 'amended', 'corrected'."


# ------------------------------------------------------------------------------ de-identified
def test_deidentified_export(demo: Database, users, tmp_path: Path) -> None:
    key = b"test-key"
    counts = export_deidentified(demo, users["researcher"], tmp_path / "out", key=key, max_shift_days=30)
    text = "".join(p.read_text() for p in (tmp_path / "out").glob("*.csv"))
    with demo.session() as s:
        patients = s.execute(select(Patient)).scalars().all()
        for p in patients:
            for ident in (p.name, p.hospital_number, p.study_id, p.date_of_birth.isoformat()):
                assert ident not in text
        visits = {p.study_id: [v.visit_date for v in p.visits] for p in patients}
    rows = _rows(tmp_path / "out" / "visits.csv")
    assert counts["visits.csv"] == len(rows) == sum(len(v) for v in visits.values())
    for sid, dates in visits.items():
        pseudo = pseudonym(key, sid)
        shifted = sorted(dt.date.fromisoformat(r["visit_date"]) for r in rows if r["pseudonym"] == pseudo)
        delta = dt.timedelta(days=shift_days(key, sid, 30))
        assert shifted == [d + delta for d in dates]  # same offset for every date of a patient
        assert abs(delta.days) <= 30
    assert "notes" not in rows[0]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "test-key" not in json.dumps(manifest)


def test_pseudonyms_depend_on_key() -> None:
    assert pseudonym(b"a", "S-1") != pseudonym(b"b", "S-1")
    assert pseudonym(b"a", "S-1") == pseudonym(b"a", "S-1")
    assert len(pseudonym(b"a", "S-1")) == 13
