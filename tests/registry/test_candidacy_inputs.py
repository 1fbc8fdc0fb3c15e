"""Migration 0002, stored EUSTAR activity / CRISS, and the one registry -> candidacy mapping.

Runs on SQLite and PostgreSQL (``db`` fixture).
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command

from sclerostem.registry import (
    MRSS_SITES,
    Database,
    add_diagnosis,
    add_treatment,
    add_visit,
    candidacy_input,
    create_patient,
    get_patient,
    patient_summary,
    update_visit,
)
from sclerostem.rules import assess
from sclerostem.scores import CrissStep1Events, CrissVisit, acr_criss

#: The engine's probability is returned as computed; stored JSON keeps the float exactly.
RTOL_EXACT = 1e-12  #: same float, stored in JSON and read back

ALL = {f"mrss_{s}": 1 for s in MRSS_SITES}  # mRSS total 17
ZERO = {f"mrss_{s}": 0 for s in MRSS_SITES}
BASE = dict(visit_date="2024-01-10", fvc_percent_predicted=70.0, haq_di=1.5, patient_global_0_10=6.0,
            physician_global_0_10=5.0, crp_mg_dl=1.5, dlco_percent_predicted=60.0, digital_ulcers=True,
            skin_worsening_patient_last_month=True, tendon_friction_rubs=False, **ALL)
FOLLOW = dict(visit_date="2025-01-12", fvc_percent_predicted=80.0, haq_di=1.0, patient_global_0_10=3.0,
              physician_global_0_10=2.0, crp_mg_dl=0.5, dlco_percent_predicted=60.0, digital_ulcers=False,
              skin_worsening_patient_last_month=False, tendon_friction_rubs=False,
              criss_new_renal_crisis=False, criss_fvc_decline_with_ild=False, criss_new_lv_failure=False,
              criss_new_pah=False, **ZERO)


def _patient(db: Database, admin, study_id: str = "C-001") -> int:
    with db.session() as s:
        return create_patient(s, admin, study_id=study_id, centre="A", sex="female",
                              date_of_birth=dt.date(1980, 6, 1)).id


# ----------------------------------------------------------------------------- migration 0002

def _alembic(db: Database, fn, revision: str) -> None:
    with db.engine.begin() as conn:
        fn(db._alembic_config(conn), revision)


def test_migration_0002_renames_pressures_and_round_trips(db_url: str) -> None:
    db = Database(db_url)
    db.upgrade("0001")
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with db.engine.begin() as c:
        c.execute(sa.text("INSERT INTO patients (id, study_id, centre, version, created_at, updated_at) "
                          "VALUES (1, 'M-1', 'A', 1, :t, :t)"), {"t": now})
        c.execute(sa.text("INSERT INTO visits (id, patient_id, visit_date, spap_mmhg, mpap_mmhg, version, "
                          "created_at, updated_at) VALUES (1, 1, :d, 33.0, 21.0, 1, :t, :t)"),
                  {"d": dt.date(2024, 1, 1), "t": now})
    _alembic(db, command.upgrade, "0002")
    cols = {c["name"] for c in sa.inspect(db.engine).get_columns("visits")}
    assert {"echo_spap_mmhg", "rhc_mpap_mmhg", "karnofsky_percent", "criss_new_pah",
            "skin_worsening_patient_last_month", "tendon_friction_rubs"} <= cols
    assert not {"spap_mmhg", "mpap_mmhg"} & cols
    with db.engine.connect() as c:
        row = c.execute(sa.text("SELECT echo_spap_mmhg, rhc_mpap_mmhg, karnofsky_percent FROM visits")).one()
    assert tuple(row) == (33.0, 21.0, None)
    _alembic(db, command.downgrade, "0001")
    cols = {c["name"] for c in sa.inspect(db.engine).get_columns("visits")}
    assert {"spap_mmhg", "mpap_mmhg"} <= cols
    assert not {"echo_spap_mmhg", "karnofsky_percent", "criss_new_pah"} & cols
    with db.engine.connect() as c:
        assert tuple(c.execute(sa.text("SELECT spap_mmhg, mpap_mmhg FROM visits")).one()) == (33.0, 21.0)
    db.dispose()


# ----------------------------------------------------------------------------- stored scores

def test_stored_scores_include_eustar_activity_and_criss(db: Database, users) -> None:
    admin = users["admin"]
    pid = _patient(db, admin)
    with db.session() as s:
        b = add_visit(s, admin, pid, **BASE)
        f = add_visit(s, admin, pid, **FOLLOW)
        s.flush()
        base_scores, follow_scores = dict(b.scores), dict(f.scores)
    # scores.md §3a weights: Δ-skin 1.5 + DU 1.5 + CRP > 1 mg/dL 2.25 + DLCO < 70 % 1.0 = 6.25
    # (mRSS 17 is not > 18; no tendon friction rubs); active when >= 2.5.
    assert base_scores["eustar_ai"] == pytest.approx(6.25)
    assert base_scores["eustar_active"] is True
    assert follow_scores["eustar_ai"] == pytest.approx(1.0)  # only DLCO < 70 %
    assert "criss_probability" not in base_scores  # the baseline has nothing to compare with
    expected = acr_criss(
        CrissVisit(mrss_total=17, fvc_percent_predicted=70.0, patient_global_vas_cm=6.0,
                   physician_global_vas_cm=5.0, haq_di=1.5),
        CrissVisit(mrss_total=0, fvc_percent_predicted=80.0, patient_global_vas_cm=3.0,
                   physician_global_vas_cm=2.0, haq_di=1.0),
        events=CrissStep1Events(new_renal_crisis=False, fvc_decline_with_ild=False, new_lv_failure=False,
                                new_pah=False))
    assert follow_scores["criss_probability"] == pytest.approx(expected.value, rel=RTOL_EXACT)
    assert follow_scores["criss_improved"] is True


def test_criss_step1_event_and_baseline_edit_refresh_later_visits(db: Database, users) -> None:
    admin = users["admin"]
    pid = _patient(db, admin)
    with db.session() as s:
        b = add_visit(s, admin, pid, **BASE)
        f = add_visit(s, admin, pid, **{**FOLLOW, "criss_new_renal_crisis": True})
        s.flush()
        bid, fid = b.id, f.id
        # CRISS step 1 (scores.md §4): a new renal crisis means not improved, probability 0
        assert f.scores["criss_improved"] is False
        assert f.scores["criss_probability"] == 0.0
    with db.session() as s:
        update_visit(s, admin, fid, criss_new_renal_crisis=False)
    with db.session() as s:
        improved = get_patient(s, admin, pid).visits[1].scores["criss_probability"]
        # editing the baseline visit refreshes the follow-up's CRISS
        update_visit(s, admin, bid, fvc_percent_predicted=95.0, haq_di=0.5)
    with db.session() as s:
        after = get_patient(s, admin, pid).visits[1].scores["criss_probability"]
    assert after < improved


# ----------------------------------------------------------------------------- candidacy mapping

def _summary(db: Database, admin, pid: int) -> dict:
    with db.read_session() as s:
        return patient_summary(s, admin, pid)


def test_candidacy_input_maps_organ_inputs_with_provenance(db: Database, users) -> None:
    admin = users["admin"]
    pid = _patient(db, admin)
    with db.session() as s:
        add_diagnosis(s, admin, pid, disease="ssc", subset="dcSSc", first_non_raynaud_date="2023-03-01",
                      ild=True)
        add_treatment(s, admin, pid, agent="cyclophosphamide", start_date="2023-06-01", route="iv", courses=6)
        add_visit(s, admin, pid, **BASE, karnofsky_percent=80, ecog_performance_status=1,
                  kidney_involvement=False, heart_involvement=False, echo_spap_mmhg=35.0, rhc_mpap_mmhg=18.0,
                  acute_phase_reaction=True, proteinuria=False, crp_other_causes_excluded=True,
                  tlc_relative_decline_12m_percent=4.0, other_visceral_organ_involvement=True,
                  progressive_ild=False)
        add_visit(s, admin, pid, **{**FOLLOW, "visit_date": "2024-06-01"}, pulmonary_involvement=True)
    ci = candidacy_input(_summary(db, admin, pid), dt.date(1980, 6, 1), on=dt.date(2024, 7, 1))
    f = ci.fields
    assert f["pulmonary_involvement"] is True
    assert ci.origin["pulmonary_involvement"] == "visit 2024-06-01"
    assert f["kidney_involvement"] is False
    assert ci.origin["kidney_involvement"] == "visit 2024-01-10"
    assert f["karnofsky_percent"] == 80
    assert f["ecog_performance_status"] == 1
    assert f["tlc_relative_decline_12m_percent"] == 4.0
    assert f["echo_pasp_mmhg"] == 35.0
    assert f["rhc_mpap_rest_mmhg"] == 18.0
    assert f["crp_mg_l"] == pytest.approx(5.0)  # latest CRP 0.5 mg/dL × 10
    assert f["mrss_sites"] == {s: 0 for s in MRSS_SITES}  # latest complete body map
    assert f["age_years"] == 44
    assert "date_of_birth" not in f
    assert f["prior_cyclophosphamide_iv_courses"] == 6
    assert ci.refused == {}
    a = assess(f)
    for rule in ("SCOT.organ", "ASTIS.entry_route", "EBMT-2025.skin_organ", "EBMT-2025.performance_status"):
        set_id = rule.split(".")[0]
        assert a.verdict(set_id).rule(rule).value is not None, rule


def test_echo_pressure_never_becomes_a_catheter_value(db: Database, users) -> None:
    admin = users["admin"]
    pid = _patient(db, admin)
    with db.session() as s:
        add_visit(s, admin, pid, visit_date="2024-01-01", echo_spap_mmhg=48.0)
    f = candidacy_input(_summary(db, admin, pid), None, on=dt.date(2024, 2, 1)).fields
    assert f["echo_pasp_mmhg"] == 48.0
    assert not {"rhc_mpap_rest_mmhg", "rhc_pasp_rest_mmhg"} & set(f)


def test_ild_on_hrct_implies_lung_involvement_but_absence_is_not_inferred(db: Database, users) -> None:
    admin = users["admin"]
    yes, no = _patient(db, admin, "C-Y"), _patient(db, admin, "C-N")
    with db.session() as s:
        add_diagnosis(s, admin, yes, disease="ssc", ild=True)
        add_diagnosis(s, admin, no, disease="ssc", ild=False)
    ci = candidacy_input(_summary(db, admin, yes), None)
    assert ci.fields["pulmonary_involvement"] is True
    assert ci.origin["pulmonary_involvement"] == "diagnosis (ILD on HRCT)"
    assert "pulmonary_involvement" not in candidacy_input(_summary(db, admin, no), None).fields


def test_value_refused_by_the_rules_engine_is_listed_not_changed(db: Database, users) -> None:
    admin = users["admin"]
    pid = _patient(db, admin)
    with db.session() as s:  # FVC 180 % is a plausible registry value but above the rules' 160 %
        add_visit(s, admin, pid, visit_date="2024-01-01", fvc_percent_predicted=180.0)
    ci = candidacy_input(_summary(db, admin, pid), None)
    assert "fvc_percent_predicted" not in ci.fields
    assert ci.refused["fvc_percent_predicted"] == (
        "field 'fvc_percent_predicted': got 180.0; allowed: a number from 10 to 160 (% predicted).")


def test_deleting_the_baseline_visit_rebases_later_visits(db: Database, users) -> None:
    from sclerostem.registry import delete_record

    admin = users["admin"]
    pid = _patient(db, admin)
    with db.session() as s:
        b = add_visit(s, admin, pid, **BASE)
        add_visit(s, admin, pid, **{**BASE, "visit_date": "2024-06-01", "fvc_percent_predicted": 90.0,
                                    "haq_di": 0.5, "patient_global_0_10": 1.0, "physician_global_0_10": 1.0,
                                    **ZERO})
        add_visit(s, admin, pid, **FOLLOW)
        s.flush()
        bid = b.id
    with db.session() as s:
        before = get_patient(s, admin, pid).visits[2].scores["criss_probability"]
        delete_record(s, admin, "visit", bid)
    with db.session() as s:
        visits = get_patient(s, admin, pid).visits
        assert len(visits) == 2
        assert "criss_probability" not in visits[0].scores  # now the first visit: nothing to compare with
        after = visits[1].scores["criss_probability"]
    assert after != before  # compared with the new first visit (2024-06-01)
