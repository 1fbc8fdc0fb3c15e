"""Candidacy page, its PDF, and the registry -> rules input mapping."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape

from sclerostem.registry import candidacy_input
from sclerostem.rules import VERDICTS
from tests.web.conftest import patient_id, sign_in


def _summary(**visit):
    base = {"visit_date": "2024-03-01"}
    return {
        "patient": {"study_id": "X-1", "sex": "male"},
        "diagnoses": [{"disease": "ssc", "subset": "dcSSc", "first_non_raynaud_date": "2022-01-15",
                       "ild": True}],
        "visits": [base | visit],
        "treatments": [{"agent": "cyclophosphamide", "route": "iv", "courses": 6},
                       {"agent": "cyclophosphamide", "route": "iv", "courses": 3}],
    }


def test_mapping_converts_units_and_never_passes_the_date_of_birth():
    ci = candidacy_input(_summary(crp_mg_dl=1.4, creatinine_mg_dl=1.0, fvc_percent_predicted=70.0),
                         dt.date(1980, 3, 2), on=dt.date(2024, 3, 1))
    f = ci.fields
    assert f["crp_mg_l"] == 14.0  # 1 mg/dL = 10 mg/L
    assert f["serum_creatinine_umol_l"] == 88.4  # 1 mg/dL creatinine = 88.4 µmol/L
    assert f["age_years"] == 43  # the day before the 44th birthday (whole years)
    assert "date_of_birth" not in f
    assert f["cutaneous_subset"] == "diffuse"
    assert f["prior_cyclophosphamide_iv_courses"] == 9
    assert f["patient_label"] == "X-1"
    assert ci.origin["crp_mg_l"] == "visit 2024-03-01 (CRP mg/dL × 10)"


def test_mapping_takes_the_latest_recorded_value_of_each_measure():
    s = _summary(fvc_percent_predicted=None)
    s["visits"] = [{"visit_date": "2023-01-01", "fvc_percent_predicted": 65.0, "dlco_percent_predicted": 50.0},
                   {"visit_date": "2024-01-01", "fvc_percent_predicted": 72.0}]
    f = candidacy_input(s, None).fields
    assert f["fvc_percent_predicted"] == 72.0
    assert f["dlco_percent_predicted"] == 50.0
    assert "age_years" not in f  # unknown stays unknown


def test_a_value_the_rules_engine_refuses_is_left_out_and_listed():
    ci = candidacy_input(_summary(fvc_percent_predicted=180.0), None)
    assert "fvc_percent_predicted" not in ci.fields
    assert ci.refused["fvc_percent_predicted"].startswith("field 'fvc_percent_predicted': got 180.0")


def test_candidacy_page(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    r = client.get(f"/patients/{pid}/candidacy")
    assert r.status_code == 200
    assert r.template.name == "candidacy.html"
    a = r.context["assessment"]
    ids = [v.set_id for v in a.verdicts]
    assert {"EBMT-2025", "ASTIS", "SCOT"} <= set(ids)
    for v in a.verdicts:
        assert v.verdict in VERDICTS
        assert f'data-set="{v.set_id}"' in r.text
        assert str(escape(v.summary())) in r.text  # every set's one-line reason is shown
    assert r.context["input"].fields["patient_label"] == "T-001"
    assert r.context["input"].fields["fvc_percent_predicted"] == 80.0  # latest visit
    assert r.context["pdf_available"] is True
    # the report input never carries identifying fields
    assert "Ada" not in repr(r.context["input"].fields)
    assert "H123456" not in repr(r.context["input"].fields)


def test_candidacy_pdf_download(client, db):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    r = client.get(f"/patients/{pid}/candidacy.pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="candidacy-T-001.pdf"'
    assert r.content[:5] == b"%PDF-"


def test_researcher_candidacy_is_pseudonymised(client, db):
    sign_in(client, "res")
    pid = patient_id(db, "T-001")
    r = client.get(f"/patients/{pid}/candidacy")
    assert r.status_code == 200
    assert "Ada Example" not in r.text
    assert "H123456" not in r.text


@pytest.mark.parametrize("study", ["ASTIS", "SCOT"])
def test_icon_arrays_are_svg(client, db, study):
    sign_in(client, "clin")
    pid = patient_id(db, "T-001")
    r = client.get(f"/patients/{pid}/candidacy/icons/{study}/efs.svg")
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/svg+xml"
    assert client.get(f"/patients/{pid}/candidacy/icons/{study}/nope.svg").status_code == 404


def _render_verdict(app, verdict: str) -> str:
    """The verdict tag the candidacy page shows for ``verdict``."""
    return str(app.state.web.templates.env.get_template("_macros.html").module.verdict_tag(verdict))


@pytest.mark.parametrize(("verdict", "css"), [
    ("eligible", "met"), ("eligible after MDT review", "mdt"), ("undetermined", "unknown"),
    ("not eligible", "notmet")])
def test_each_verdict_has_its_own_style(app, verdict, css):
    html = _render_verdict(app, verdict)
    assert f'class="tag {css}"' in html
    assert f'data-verdict="{verdict}"' in html


def test_every_engine_verdict_is_styled(app):
    classes = {_render_verdict(app, v).split('class="tag ')[1].split('"')[0] for v in VERDICTS}
    assert len(classes) == len(VERDICTS)  # four verdicts, four styles


def test_unconfirmed_rules_are_shown_as_needs_review(client, db, monkeypatch):
    """A set undetermined only by a failed UNCONFIRMED rule lists it as "needs review"."""
    import dataclasses

    from sclerostem.web import _candidacy

    real = _candidacy._assessment

    def fake(request, patient_id):
        user, summ, ci, a = real(request, patient_id)
        first = dataclasses.replace(a.verdicts[0], verdict="undetermined", unconfirmed=("EBMT-2025.crp",))
        return user, summ, ci, dataclasses.replace(a, verdicts=(first, *a.verdicts[1:]))

    monkeypatch.setattr(_candidacy, "_assessment", fake)
    sign_in(client, "clin")
    r = client.get(f"/patients/{patient_id(db, 'T-001')}/candidacy")
    assert r.status_code == 200
    assert '<div class="needs-review">needs review: EBMT-2025.crp</div>' in r.text
