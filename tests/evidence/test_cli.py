"""CLI: ``sclerostem evidence list/show`` and ``sclerostem meta`` (in-process, CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sclerostem.cli import app

REF = json.loads((Path(__file__).resolve().parents[1] / "data" / "meta" / "metafor_reference.json").read_text())
RTOL_R = 1e-6  #: agreement target with metafor 3.8-1

runner = CliRunner()


def _grid(name: str, method: str, test: str) -> dict:
    return next(g for g in REF["datasets"][name]["grid"] if g["method"] == method and g["test"] == test)


def _write(tmp_path: Path, name: str, rows: list[dict]) -> Path:
    cols = list(rows[0])
    text = ",".join(cols) + "\n" + "\n".join(",".join(str(r[c]) for c in cols) for r in rows) + "\n"
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_evidence_list_json_filters():
    res = runner.invoke(app, ["evidence", "list", "--therapy", "hsct", "--kind", "randomised-trial", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [r["key"] for r in data["references"]] == ["ASSIST", "ASTIS", "SCOT", "UPSIDE"]
    assert data["references"][-1]["cited_by_review"] is False


def test_evidence_list_text():
    res = runner.invoke(app, ["evidence", "list", "--disease", "morphea"])
    assert res.exit_code == 0
    assert "Nair-2015" in res.stdout
    assert res.stdout.strip().splitlines()[-1].startswith("6 reference(s); dataset 2025.11.1")  # refs 1, 3, 22, 23, 39, 43


def test_evidence_show_json():
    res = runner.invoke(app, ["evidence", "show", "SCOT", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["number"] == 16
    trm = [o for o in data["outcomes"] if o["outcome"] == "trm" and o["time_label"] == "54 months"]
    assert [(o["arm"], o["events"], o["n"]) for o in trm] == [("hsct", 1, 36), ("control", 0, 39)]  # hsct.md C6


def test_evidence_show_unknown_key():
    res = runner.invoke(app, ["evidence", "show", "NOPE"])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: field 'key': got 'NOPE'; allowed: a reference key listed by `sclerostem evidence list`."
    )


@pytest.mark.parametrize(("method", "test"), [("REML", "z"), ("DL", "knha"), ("PM", "z")])
def test_meta_counts_csv_matches_metafor(tmp_path, method, test):
    path = _write(tmp_path, "bcg.csv", REF["datasets"]["bcg_rr"]["input"])
    res = runner.invoke(app, ["meta", str(path), "--measure", "RR", "--method", method, "--test", test, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    ref = _grid("bcg_rr", method, test)
    for f in ("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q", "pi_low", "pi_high"):
        assert out[f] == pytest.approx(ref[f], rel=RTOL_R), f
    assert out["k"] == 13
    assert out["method"] == method
    assert out["test"] == test
    assert out["exp_estimate"] == pytest.approx(2.718281828459045 ** ref["estimate"], rel=RTOL_R)


def test_meta_means_csv_defaults_to_smd(tmp_path):
    path = _write(tmp_path, "normand.csv", REF["datasets"]["normand_smd"]["input"])
    res = runner.invoke(app, ["meta", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["measure"] == "SMD"
    assert out["estimate"] == pytest.approx(_grid("normand_smd", "REML", "z")["estimate"], rel=RTOL_R)
    assert "exp_estimate" not in out


def test_meta_yi_vi_csv(tmp_path):
    ds = REF["datasets"]["bcg_rr"]
    rows = [{"study": r["study"], "yi": y, "vi": v} for r, y, v in zip(ds["input"], ds["yi"], ds["vi"], strict=True)]
    path = _write(tmp_path, "gen.csv", rows)
    res = runner.invoke(app, ["meta", str(path), "--method", "DL", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["tau2"] == pytest.approx(_grid("bcg_rr", "DL", "z")["tau2"], rel=RTOL_R)


def test_meta_mh_and_plot(tmp_path):
    path = _write(tmp_path, "bcg.csv", REF["datasets"]["bcg_rr"]["input"])
    png = tmp_path / "out" / "forest.png"
    res = runner.invoke(app, ["meta", str(path), "--measure", "OR", "--method", "MH", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "method MH" in res.stdout
    ref = next(f for f in REF["datasets"]["bcg_rr"]["fixed"] if f["method"] == "MH" and f["measure"] == "OR")
    assert f"estimate {ref['estimate']:.6f}" in res.stdout


def test_meta_canned_hsct_trm_matches_metafor():
    """Canned TRM analysis = metafor on the same counts (hsct_trm_rd in the reference file)."""
    res = runner.invoke(app, ["meta", "--canned", "hsct-trm", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    ref = _grid("hsct_trm_rd", "REML", "z")
    assert out["measure"] == "RD"
    assert out["estimate"] == pytest.approx(ref["estimate"], rel=RTOL_R)
    assert out["tau2"] == pytest.approx(ref["tau2"], rel=RTOL_R)
    assert [e["status"] for e in out["evidence"]] == ["secondary"] * 3
    assert [s["study"] for s in out["studies"]] == ["ASSIST", "ASTIS", "SCOT"]


def test_meta_negative_count_message(tmp_path):
    path = _write(tmp_path, "bad.csv", [{"study": "A", "ai": 1, "bi": 3, "ci": 2, "di": 4},
                                         {"study": "B", "ai": -1, "bi": 3, "ci": 2, "di": 4}])
    res = runner.invoke(app, ["meta", str(path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: row 2, field 'ai': got -1; allowed: a whole number of at least 0."


def test_meta_text_in_count_column(tmp_path):
    path = _write(tmp_path, "bad.csv", [{"study": "A", "ai": "x", "bi": 3, "ci": 2, "di": 4}])
    res = runner.invoke(app, ["meta", str(path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: row 1, field 'ai': got 'x'; allowed: a whole number."


def test_meta_single_study_random_effects(tmp_path):
    path = _write(tmp_path, "one.csv", [{"study": "A", "yi": 0.1, "vi": 0.02}])
    res = runner.invoke(app, ["meta", str(path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: field 'k': got 1; allowed: at least 2 studies for a random-effects model (method 'REML'); use method 'FE'."
    )


def test_meta_unknown_columns(tmp_path):
    path = _write(tmp_path, "cols.csv", [{"study": "A", "x": 1}])
    res = runner.invoke(app, ["meta", str(path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: field 'columns': got 'study,x'; allowed: study plus ai,bi,ci,di (or ai,n1i,ci,n2i), "
        "or m1i,sd1i,n1i,m2i,sd2i,n2i, or hr,ci_low,ci_high, or yi,vi."
    )


def test_meta_wrong_measure_for_means(tmp_path):
    path = _write(tmp_path, "normand.csv", REF["datasets"]["normand_smd"]["input"])
    res = runner.invoke(app, ["meta", str(path), "--measure", "RR"])
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: field 'measure': got 'RR'; allowed: MD or SMD for mean columns."


def test_meta_needs_input():
    res = runner.invoke(app, ["meta"])
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: field 'STUDIES.csv': got None; allowed: a CSV file, or --canned hsct-trm."


def test_meta_bad_plot_extension(tmp_path):
    res = runner.invoke(app, ["meta", "--canned", "hsct-trm", "--plot", str(tmp_path / "f.jpg")])
    assert res.exit_code == 2
    assert not (tmp_path / "f.jpg").exists()


def test_meta_subgroup_leave_one_out_and_funnel(tmp_path):
    """BCG by allocation: subgroup Q-between and leave-one-out equal metafor's (reference file)."""
    ds = REF["datasets"]["bcg_rr"]
    groups = REF["subgroup_bcg_alloc"]["groups"]
    rows = [{**r, "alloc": g} for r, g in zip(ds["input"], groups, strict=True)]
    path = _write(tmp_path, "bcg_alloc.csv", rows)
    funnel = tmp_path / "funnel.svg"
    res = runner.invoke(app, ["meta", str(path), "--subgroup", "alloc", "--leave-one-out", "--funnel", str(funnel),
                              "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["subgroup_test"]["q_between"] == pytest.approx(REF["subgroup_bcg_alloc"]["q_between"], rel=RTOL_R)
    assert out["subgroup_test"]["df"] == 2
    l1o = next(x for x in ds["leave1out"] if x["method"] == "REML")
    assert [o["estimate"] for o in out["leave_one_out"]] == pytest.approx(l1o["estimate"], rel=RTOL_R)
    assert funnel.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_meta_unknown_subgroup_column(tmp_path):
    path = _write(tmp_path, "bcg.csv", REF["datasets"]["bcg_rr"]["input"])
    res = runner.invoke(app, ["meta", str(path), "--subgroup", "region"])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: field '--subgroup': got 'region'; allowed: a column of the CSV (study, ai, bi, ci, di)."
    )


def test_evidence_icons_command(tmp_path):
    png = tmp_path / "icons.png"
    res = runner.invoke(app, ["evidence", "icons", "ASTIS", "efs", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    # ASTIS event-free 57/79 vs 46/77 at median 5.8 years (hsct.md C3, [S] ASTIS-NL)
    assert "HSCT: 72 of 100 alive without organ failure (from 57/79; secondary)" in res.stdout
    assert "Cyclophosphamide: 60 of 100 alive without organ failure (from 46/77; secondary)" in res.stdout


def test_meta_hazard_ratio_columns(tmp_path):
    """Synthetic HRs (not trial data). R 4.2.2 / metafor 3.8-1:
    rma(yi=log(hr), sei=(log(hi)-log(lo))/(2*qnorm(.975)), method="DL") with hr = c(0.60, 0.80, 0.45),
    lo = c(0.40, 0.55, 0.25), hi = c(0.90, 1.16, 0.81) gives estimate -0.4535048545454,
    se 0.1546743431613, tau2 0.0215738771552, Q 2.8419436962700."""
    rows = [{"study": "A", "hr": 0.60, "ci_low": 0.40, "ci_high": 0.90},
            {"study": "B", "hr": 0.80, "ci_low": 0.55, "ci_high": 1.16},
            {"study": "C", "hr": 0.45, "ci_low": 0.25, "ci_high": 0.81}]
    path = _write(tmp_path, "hr.csv", rows)
    res = runner.invoke(app, ["meta", str(path), "--method", "DL", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["measure"] == "HR"
    assert out["estimate"] == pytest.approx(-0.4535048545454, rel=RTOL_R)
    assert out["se"] == pytest.approx(0.1546743431613, rel=RTOL_R)
    assert out["tau2"] == pytest.approx(0.0215738771552, rel=RTOL_R)
    assert out["q"] == pytest.approx(2.8419436962700, rel=RTOL_R)
    assert out["exp_estimate"] == pytest.approx(0.6353972694387466, rel=RTOL_R)  # exp(-0.4535048545454)


def test_meta_hazard_ratio_outside_limits(tmp_path):
    path = _write(tmp_path, "hr.csv", [{"study": "A", "hr": 0.6, "ci_low": 0.4, "ci_high": 0.9},
                                        {"study": "B", "hr": 1.5, "ci_low": 0.5, "ci_high": 1.2}])
    res = runner.invoke(app, ["meta", str(path)])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: row 2, field 'hr': got 1.5; allowed: a value strictly between ci_low = 0.5 and ci_high = 1.2."
    )


def test_evidence_show_prints_row_caveats():
    """ASTIS HR panels inferred (hsct.md C3); SCOT 72-month KM population per-protocol [D] (hsct.md C2)."""
    res = runner.invoke(app, ["evidence", "show", "ASTIS"])
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    hr = [i for i, line in enumerate(lines) if "pooled at" in line and " HR " in line]
    assert len(hr) == 10
    assert lines[hr[-1] + 1].startswith("      caveat [unconfirmed]: ASTIS hazard ratios: ")
    assert "(A = EFS, B = OS) was inferred" in lines[hr[-1] + 1]
    assert "  - efs pooled at 2 years: HR 0.35 (0.16-0.74), P .006 [confirmed, hsct.md C3]" in lines
    scot = runner.invoke(app, ["evidence", "show", "SCOT"]).stdout.splitlines()
    assert "  - os control, PP (population derived) at 72 months: 51 %, P 0.02 [confirmed, hsct.md C6]" in scot
    km = [i for i, line in enumerate(scot) if "(population derived)" in line]
    assert len(km) == 4
    assert scot[km[-1] + 1].startswith("      caveat [derived]: SCOT 72-month Kaplan-Meier estimates")
    assert sum(line.lstrip().startswith("caveat") for line in scot) == 1


def test_evidence_show_json_has_caveats_and_population_status():
    data = json.loads(runner.invoke(app, ["evidence", "show", "SCOT", "--json"]).stdout)
    km = [o for o in data["outcomes"] if o["time_label"] == "72 months" and o["outcome"] == "efs"]
    assert [o["population_status"] for o in km] == ["derived", "derived"]
    assert [[c["code"] for c in o["caveats"]] for o in km] == [["evidence.population_status"]] * 2


def test_evidence_icons_shows_derived_population(tmp_path):
    res = runner.invoke(app, ["evidence", "icons", "SCOT", "os", "--plot", str(tmp_path / "os.png")])
    assert res.exit_code == 0
    assert "At 72 months, per-protocol (population derived). Source: SCOT" in res.stdout
