"""``sclerostem stats km|cox|cif|responders`` in-process with CliRunner.

Expected numbers: R references in tests/data/survival (see the other test files).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
from typer.testing import CliRunner

from sclerostem.cli import app

REF = Path(__file__).resolve().parents[1] / "data" / "survival"
ROSSI = str(resources.files("sclerostem") / "data" / "datasets" / "rossi.csv")
CR = str(REF / "cr_ties.csv")
RTOL_R = 1e-6  #: project default against R references stored with 15 significant digits
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_km_json_grouped_with_logrank_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "km.png"
    r = _run("stats", "km", ROSSI, "--time", "week", "--event", "arrest", "--group", "fin",
             "--at", "10,26,52", "--json", "--plot", str(png))
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [c["group"] for c in out["curves"]] == ["0", "1"]
    ref = json.loads((REF / "logrank.json").read_text())["cases"][2]
    np.testing.assert_allclose(out["logrank"]["chisq"], ref["chisq"], rtol=RTOL_R)
    assert set(out["curves"][0]["table"]) == {"time", "n_risk", "n_event", "n_censor", "survival", "std_err",
                                              "ci_low", "ci_high"}
    assert out["curves"][0]["at"]["time"] == [10.0, 26.0, 52.0]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_km_text_ungrouped_matches_r() -> None:
    r = _run("stats", "km", ROSSI, "--time", "week", "--event", "arrest", "--at", "52", "--ci", "log-log")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "all subjects: n = 432, events = 114, median = not reached (95% CI NA to NA; CI type log-log)"
    # R survfit(conf.type="log-log"), summary(times=52): n.risk 322, S 0.7361111, CI 0.6918597 to 0.7750632
    assert lines[2].split() == ["52", "322", "0.7361", "0.6919", "0.7751"]


def test_cox_json_matches_r() -> None:
    case = json.loads((REF / "cox.json").read_text())["cases"][3]  # rossi, breslow
    r = _run("stats", "cox", ROSSI, "--time", "week", "--event", "arrest", "--covariates", ",".join(case["terms"]),
             "--ties", "breslow", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [t["term"] for t in out["terms"]] == case["terms"]
    np.testing.assert_allclose([t["coef"] for t in out["terms"]], case["coef"], rtol=RTOL_R)
    np.testing.assert_allclose([t["ci_low"] for t in out["terms"]], case["hr_lower"], rtol=RTOL_R)
    np.testing.assert_allclose([t["p"] for t in out["terms"]], case["p"], rtol=RTOL_R)


def test_km_event_codes_lung() -> None:
    """R's lung codes status 2 = dead, 1 = censored; R survfit median by sex 270 and 426 days (km_lung.json)."""
    lung = str(resources.files("sclerostem") / "data" / "datasets" / "lung.csv")
    r = _run("stats", "km", lung, "--time", "time", "--event", "status", "--event-value", "2", "--censor-value", "1",
             "--group", "sex", "--at", "365")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "sex = 1: n = 138, events = 112, median = 270 (95% CI 212 to 310; CI type log)"
    assert "median = 426 (95% CI 348 to 550" in r.stdout
    r = _run("stats", "km", lung, "--time", "time", "--event", "status")
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: row 1, field 'status': got 2.0; allowed: 1 (event) or 0 (censored)."


def test_cox_text() -> None:
    r = _run("stats", "cox", ROSSI, "--time", "week", "--event", "arrest", "--covariates", "fin,age")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "Cox proportional hazards (efron ties): n = 432, events = 114"
    assert r.stdout.splitlines()[1].split() == ["term", "coef", "se", "hr", "ci_low", "ci_high", "p"]


def test_cif_json_with_gray_and_svg_plot(tmp_path: Path) -> None:
    svg = tmp_path / "cif.svg"
    r = _run("stats", "cif", CR, "--time", "time_months", "--cause", "cause", "--group", "group",
             "--at", "6,12,24,36,48", "--json", "--plot", str(svg))
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    ref = json.loads((REF / "cuminc_ties.json").read_text())["by_group"]
    np.testing.assert_allclose([g["statistic"] for g in out["gray_tests"]], ref["tests"]["stat"], rtol=RTOL_R)
    got = [c["at"]["cif"] for c in out["curves"]]
    np.testing.assert_allclose(np.array(got, dtype=float), np.array(ref["at"]["est"], dtype=float), rtol=RTOL_R)
    assert b"<svg" in svg.read_bytes()[:400]


def test_cif_text_ungrouped() -> None:
    r = _run("stats", "cif", CR, "--time", "time_months", "--cause", "cause", "--at", "12")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "cause 1: n = 600, events = 248"
    assert lines[2].split()[:2] == ["12", "0.2226"]  # cmprsk timepoints: 0.222578... (cuminc_ties.json)
    assert "Gray" not in r.stdout


def test_responders_text_and_json(tmp_path: Path) -> None:
    csv = tmp_path / "visits.csv"
    pl.DataFrame({
        "patient_id": ["1", "1", "2", "2", "3", "3"],
        "time_months": [0, 12, 0, 12, 0, 12],
        "mrss_total": [20, 14, 8, 5, 30, 26],
        "fvc_percent_predicted": [70, 78, 80, 81, 60, 66],
    }).write_csv(csv)
    r = _run("stats", "responders", str(csv), "--definitions", "mrss_eustar_improvement,fvc_assist",
             "--landmarks", "12", "--custom", "name=fvc_mcid,measure=fvc_percent_predicted,direction=increase,min_change=3",
             "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [(x["definition"], x["n_responders"], x["n_evaluable"]) for x in out["rates"]] == [
        ("mrss_eustar_improvement", 1, 3), ("fvc_assist", 1, 3), ("fvc_mcid", 2, 3)]
    assert any(c["status"] == "unconfirmed" for c in out["caveats"])
    r = _run("stats", "responders", str(csv), "--definitions", "mrss_assist", "--landmarks", "12")
    assert r.exit_code == 0, r.output
    # patient 2 (baseline 8) is not evaluable: ASSIST applies only when baseline mRSS > 14 (hsct.md §C4)
    assert r.stdout.splitlines()[1].split()[:6] == ["mrss_assist", "12", "all", "3", "2", "1"]


def test_errors_name_column_value_and_allowed(tmp_path: Path) -> None:
    r = _run("stats", "km", ROSSI, "--time", "weeks", "--event", "arrest")
    assert r.exit_code == 2
    assert r.stderr.strip() == (
        "error: field 'weeks': got 'missing column'; allowed: a column of the CSV: "
        "week, arrest, fin, age, race, wexp, mar, paro, prio."
    )
    r = _run("stats", "km", ROSSI, "--time", "week", "--event", "prio")
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: row 1, field 'prio': got 3.0; allowed: 1 (event) or 0 (censored)."
    r = _run("stats", "km", ROSSI, "--time", "week", "--event", "arrest", "--ci", "arcsine")
    assert r.stderr.strip() == "error: field '--ci': got 'arcsine'; allowed: one of 'log', 'log-log', 'plain'."
    r = _run("stats", "cox", ROSSI, "--time", "week", "--event", "arrest", "--covariates", "fin", "--ties", "exact")
    assert r.exit_code == 2
    assert r.stderr.strip() == "error: field '--ties': got 'exact'; allowed: one of 'efron', 'breslow'."
    r = _run("stats", "km", ROSSI, "--time", "week", "--event", "arrest", "--at", "12,x")
    assert r.stderr.strip() == "error: field '--at': got 'x'; allowed: comma-separated numbers of at least 0, e.g. 12,24,36."
    r = _run("stats", "cif", CR, "--time", "time_months", "--cause", "cause", "--plot", str(tmp_path / "a.gif"))
    assert r.exit_code == 2
    assert r.stderr.strip() == f"error: field '--plot': got '{tmp_path / 'a.gif'}'; allowed: a file name ending in .png, .pdf, .svg."
    assert not (tmp_path / "a.gif").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("t,e\n1,1\n,0\n")
    r = _run("stats", "km", str(bad), "--time", "t", "--event", "e")
    assert r.stderr.strip() == (
        "error: row 2, field 't': got None; allowed: a number of at least 0 (follow-up time) (empty cells are not allowed)."
    )
    r = _run("stats", "km", str(tmp_path / "nope.csv"), "--time", "t", "--event", "e")
    assert r.stderr.strip() == f"error: field 'DATA': got '{tmp_path / 'nope.csv'}'; allowed: an existing CSV file."
    r = _run("stats", "responders", str(bad), "--definitions", "mcid", "--landmarks", "12")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: field 'definition': got 'mcid'; allowed: one of 'acr_criss', ")
