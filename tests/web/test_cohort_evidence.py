"""Cohort outcomes page, its pseudonymised CSV, the outcome-table definitions, the evidence page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace as NS

import pytest
from markupsafe import escape

from sclerostem.web._cohort_table import _row
from sclerostem.web._evidence import forest_studies, pooled
from tests.web.conftest import sign_in

#: Risk ratios below are plain arithmetic on the event counts; 4 decimals shown.
RTOL_RR = 1e-4


def _patient(events=(), transplant=dt.date(2020, 1, 1)):
    visits = [NS(visit_date=dt.date(2019, 12, 1), fvc_percent_predicted=60.0, haq_di=1.5, mrss_total=25),
              NS(visit_date=dt.date(2022, 1, 1), fvc_percent_predicted=70.0, haq_di=1.0, mrss_total=10)]
    return NS(study_id="C-1", centre="X", diagnoses=[NS(subset="dcSSc")], visits=visits,
              transplants=[NS(transplant_date=transplant)] if transplant else [], events=list(events))


def test_outcome_row_without_events_is_censored_at_the_last_visit():
    r = _row(_patient())
    assert r.group == "HSCT"
    assert (r.death, r.efs_event, r.trm_cause) == (0, 0, 0)
    assert r.death_time_months == round(731 / 30.4375, 3)  # 2020-01-01 -> 2022-01-01
    assert r.fvc_change_percent_predicted == 10.0
    assert r.haq_di_change == -0.5
    assert r.mrss_change == -15.0


def test_major_organ_failure_is_an_efs_event_but_not_a_death():
    fail = NS(event_type="organ_failure", organ="lung", event_date=dt.date(2021, 1, 1), treatment_related=None)
    other = NS(event_type="organ_failure", organ="other", event_date=dt.date(2020, 6, 1), treatment_related=None)
    r = _row(_patient([fail, other]))
    assert r.efs_event == 1
    assert r.death == 0
    assert r.efs_time_months == round(366 / 30.4375, 3)  # to the lung failure, not the 'other' one


def test_treatment_related_death_is_cause_1_other_death_cause_2():
    trm = NS(event_type="death", organ=None, event_date=dt.date(2020, 3, 1), treatment_related=True)
    r = _row(_patient([trm]))
    assert (r.death, r.efs_event, r.trm_cause) == (1, 1, 1)
    other = NS(event_type="death", organ=None, event_date=dt.date(2020, 3, 1), treatment_related=False)
    assert _row(_patient([other])).trm_cause == 2
    unknown = NS(event_type="death", organ=None, event_date=dt.date(2020, 3, 1), treatment_related=None)
    assert _row(_patient([unknown])).trm_cause == 2


def test_conventional_patient_starts_at_the_first_visit():
    r = _row(_patient(transplant=None))
    assert r.group == "conventional"
    assert r.origin_date == "2019-12-01"


def test_cohort_page_for_researcher(client):
    sign_in(client, "res")
    r = client.get("/cohort")
    assert r.template.name == "cohort.html"
    assert r.context["n_rows"] == 2
    assert r.context["counts"]["HSCT"]["patients"] == 1
    assert r.context["scope"] == "all centres"
    assert "efs" in r.context["plots"]
    assert "trm" not in r.context["plots"]


def test_cohort_csv_is_pseudonymised(client):
    sign_in(client, "res")
    r = client.get("/cohort.csv")
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["study_id"] for x in rows] == ["T-001", "T-002"]
    for col in ("name", "date_of_birth", "hospital_number"):
        assert col not in rows[0]
    assert "Ada" not in r.text
    assert "H123456" not in r.text
    assert rows[0]["group"] == "HSCT"
    assert rows[0]["origin_date"] == "2020-06-01"


def test_clinician_cohort_is_their_centre(client):
    sign_in(client, "clin")
    r = client.get("/cohort")
    assert r.context["n_rows"] == 1
    assert r.context["scope"] == "your centre"


@pytest.mark.parametrize("name", ["efs", "os"])
def test_cohort_survival_plots(client, name):
    sign_in(client, "res")
    r = client.get(f"/cohort/plots/{name}.svg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"


def test_evidence_page_search_and_filters(client):
    sign_in(client, "clin")
    r = client.get("/evidence")
    assert r.template.name == "evidence.html"
    assert len(r.context["refs"]) == r.context["n_total"]
    r = client.get("/evidence?q=scleroderma+transplantation+sullivan")
    assert [x.key for x in r.context["refs"]] == ["SCOT"]
    r = client.get("/evidence?kind=randomised-trial")
    assert {x.key for x in r.context["refs"]} >= {"ASSIST", "ASTIS", "SCOT"}
    assert all(x.kind == "randomised-trial" for x in r.context["refs"])
    r = client.get("/evidence?outcome=trm", headers={"HX-Request": "true", "HX-Target": "evidence-results"})
    assert r.template.name == "_evidence_results.html"
    assert all(row.outcome == "trm" for row in r.context["rows"])


def test_forest_rows_use_two_arm_counts_at_the_longest_time():
    # hsct.md: ASTIS deaths 19/79 vs 23/77 (median 5.8 y); SCOT ITT deaths 6/36 vs 11/39 (54 months)
    assert forest_studies("death") == [("ASTIS", "median 5.8 years", 19, 79, 23, 77),
                                       ("SCOT", "54 months", 6, 36, 11, 39)]


def test_per_trial_risk_ratios():
    p = pooled("death")
    rr = {r["study"]: r["rr"] for r in p["rows"]}
    assert rr["ASTIS"] == pytest.approx((19 / 79) / (23 / 77), rel=RTOL_RR)
    assert rr["SCOT"] == pytest.approx((6 / 36) / (11 / 39), rel=RTOL_RR)
    assert p["k"] == 2


@pytest.mark.parametrize("outcome", ["death", "event", "trm"])
def test_forest_plots(client, outcome):
    sign_in(client, "res")
    assert client.get("/evidence").context["forest_available"] is True
    r = client.get(f"/evidence/forest/{outcome}.svg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"
    assert client.get("/evidence/forest/os.svg").status_code == 404


def test_evidence_rows_show_caveats_and_population_status(client):
    """OutcomeRow.caveats and .population_status are shown with each trial-result row."""
    from sclerostem import evidence

    sign_in(client, "clin")
    r = client.get("/evidence?outcome=efs")
    assert r.status_code == 200
    rows = evidence.outcome_rows(outcome="efs")
    caveats = [c for row in rows for c in row.caveats]
    derived = [row for row in rows if row.population_status is not None]
    assert caveats  # the evidence dataset carries row caveats for EFS (ASTIS panels, SCOT population)
    assert derived
    for c in caveats:
        assert f'data-caveat="{c.code}"' in r.text
        assert str(escape(c.message)) in r.text
    for row in derived:
        assert f"population {row.population}: {row.population_status.value}" in r.text
