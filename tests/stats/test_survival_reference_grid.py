"""The R reference grid is complete and records its versions (validation/survival/make_reference.R)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REF = Path(__file__).resolve().parents[1] / "data" / "survival"
EXPECTED = {
    "km_lung.json": ("cases", 3),
    "km_rossi.json": ("cases", 3),
    "km_toy.json": ("cases", 15),
    "logrank.json": ("cases", 3),
    "cox.json": ("cases", 4),
    "fine_gray.json": ("cases", 3),
}


@pytest.mark.parametrize("name", [*EXPECTED, "cuminc_ties.json", "fine_gray.json"])
def test_reference_file_records_versions(name: str) -> None:
    ref = json.loads((REF / name).read_text())
    v = ref["versions"]
    assert v["R"].startswith("R version 4.")
    assert v["survival"].startswith("3.")
    assert v["cmprsk"].startswith("2.2")
    assert v["script"] == "validation/survival/make_reference.R"


@pytest.mark.parametrize(("name", "spec"), EXPECTED.items())
def test_case_counts(name: str, spec: tuple[str, int]) -> None:
    key, n = spec
    assert len(json.loads((REF / name).read_text())[key]) == n


def test_grid_covers_every_combination() -> None:
    km = json.loads((REF / "km_lung.json").read_text())
    assert [c["conf_type"] for c in km["cases"]] == ["log", "log-log", "plain"]
    assert [c["sex"] for c in km["by_sex"]] == [1, 2]
    cox = json.loads((REF / "cox.json").read_text())["cases"]
    assert {(c["case"], c["ties"]) for c in cox} == {
        ("lung_age_sex", "efron"), ("lung_age_sex", "breslow"), ("rossi", "efron"), ("rossi", "breslow")
    }
    lr = json.loads((REF / "logrank.json").read_text())["cases"]
    assert [c["case"] for c in lr] == ["lung_sex", "lung_ecog012", "rossi_fin"]
    cr = json.loads((REF / "cuminc_ties.json").read_text())
    assert len(cr["overall"]["curves"]) == 2
    assert len(cr["by_group"]["curves"]) == 6
    assert cr["by_group"]["tests"]["cause"] == ["1", "2"]
    assert cr["two_group"]["groups"] == ["A", "C"]
    assert cr["stratified"]["cause"] == ["1", "2"]
    assert cr["rho1"]["rho"] == 1
    assert (REF / "cr_ties.csv").read_text().splitlines()[0] == "id,time_months,cause,group"
    fg = json.loads((REF / "fine_gray.json").read_text())
    assert [(c["failcode"], c["gtol"]) for c in fg["cases"]] == [(1, 1e-12), (2, 1e-12), (1, 1e-6)]
    assert fg["cr_ties_groups"]["terms"] == ["groupB", "groupC"]
    assert (REF / "fg_ties.csv").read_text().splitlines()[0] == "id,time_months,cause,x1,x2"
