"""CSV columns of the visit fields added in migration 0002; CRISS stored on import."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from sclerostem.io import ImportFailed, export_csv, import_csv
from sclerostem.registry import MRSS_SITES, Database, Visit

PATIENTS = "study_id,centre,sex\nS-1,A,female\n"
NEW_COLUMNS = ("echo_spap_mmhg", "rhc_mpap_mmhg", "skin_worsening_patient_last_month", "tendon_friction_rubs",
               "criss_new_renal_crisis", "criss_fvc_decline_with_ild", "criss_new_lv_failure", "criss_new_pah",
               "pulmonary_involvement", "progressive_ild", "heart_involvement", "kidney_involvement",
               "other_visceral_organ_involvement", "acute_phase_reaction", "crp_other_causes_excluded",
               "proteinuria", "tlc_relative_decline_12m_percent", "karnofsky_percent", "ecog_performance_status")


def _visits_csv(path: Path) -> Path:
    sites = [f"mrss_{s}" for s in MRSS_SITES]
    head = ["study_id", "visit_date", *sites, "fvc_percent_predicted", "haq_di", "patient_global_0_10",
            "physician_global_0_10", "crp_mg_dl", "dlco_percent_predicted", "digital_ulcers",
            "skin_worsening_patient_last_month", "tendon_friction_rubs", "criss_new_renal_crisis",
            "criss_fvc_decline_with_ild", "criss_new_lv_failure", "criss_new_pah", "karnofsky_percent",
            "ecog_performance_status", "rhc_mpap_mmhg", "echo_spap_mmhg", "kidney_involvement"]
    base = ["S-1", "2024-01-10", *["1"] * 17, "70", "1.5", "6", "5", "1.5", "60", "1", "1", "0", "", "", "",
            "", "80", "1", "18", "35", "0"]
    follow = ["S-1", "2025-01-12", *["0"] * 17, "80", "1.0", "3", "2", "0.5", "60", "0", "0", "0", "0", "0",
              "0", "0", "", "", "", "30", ""]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerows([head, base, follow])
    return path


def test_new_visit_columns_import_score_and_export(db: Database, users, tmp_path: Path) -> None:
    clin = users["clin_a"]
    (tmp_path / "patients.csv").write_text(PATIENTS, encoding="utf-8")
    import_csv(db, clin, tmp_path / "patients.csv")
    import_csv(db, clin, _visits_csv(tmp_path / "visits.csv"))
    with db.read_session() as s:
        base, follow = s.execute(select(Visit).order_by(Visit.visit_date)).scalars().all()
        assert (base.karnofsky_percent, base.ecog_performance_status, base.rhc_mpap_mmhg) == (80, 1, 18.0)
        assert base.kidney_involvement is False
        assert base.skin_worsening_patient_last_month is True
        # scores.md §3a: Δ-skin 1.5 + DU 1.5 + CRP > 1 mg/dL 2.25 + DLCO < 70 % 1.0 = 6.25
        assert base.scores["eustar_ai"] == pytest.approx(6.25)
        assert "criss_probability" not in base.scores
        assert follow.scores["criss_improved"] is True  # CRISS against the imported baseline
    out = tmp_path / "export.csv"
    export_csv(db, clin, "visits", out)
    with out.open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert set(NEW_COLUMNS) <= set(header)
    assert not {"spap_mmhg", "mpap_mmhg"} & set(header)


def test_old_ambiguous_pressure_column_is_refused(db: Database, users, tmp_path: Path) -> None:
    clin = users["clin_a"]
    (tmp_path / "patients.csv").write_text(PATIENTS, encoding="utf-8")
    import_csv(db, clin, tmp_path / "patients.csv")
    (tmp_path / "v.csv").write_text("study_id,visit_date,mpap_mmhg\nS-1,2024-01-01,20\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        import_csv(db, clin, tmp_path / "v.csv")
    assert [str(p) for p in exc.value.report.problems] == [
        "row 1, field 'mpap_mmhg': got '20'; allowed: a known column (unknown column)."]
