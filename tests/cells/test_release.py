"""Lot release against the shipped specifications (shared/spec/msc.md §1.1, §2.2)."""

import json
from pathlib import Path

import pytest

from sclerostem.cells import check_lot, load_spec, lot_from_dict, release_specs
from sclerostem.errors import InputError, InputTypeError, UnknownFieldError

ISCT_PASS = {
    "lot_id": "BM-1", "tissue_source": "bone_marrow",
    "cd105_percent": 95.0, "cd73_percent": 95.0, "cd90_percent": 95.0,
    "cd45_percent": 2.0, "cd34_percent": 2.0, "cd14_percent": 2.0, "cd19_percent": 2.0, "hla_dr_percent": 2.0,
    "plastic_adherent": True, "trilineage_differentiation": True,
}


def decision(lot: dict, spec: str) -> str:
    return check_lot(lot_from_dict(lot), load_spec(spec)).decision


def test_shipped_specs() -> None:
    assert set(release_specs()) == {"isct-2006", "bm-msc-eudract-2010-024041-78", "wj-msc-msctc-0010",
                                    "uc-msc-bmjopen", "huc-msc-sctr-2020"}


def test_isct_exactly_at_thresholds_passes() -> None:
    # Dominici 2006: >= 95 % positive, <= 2 % negative (msc.md §1.1) — both boundaries inclusive.
    report = check_lot(lot_from_dict(ISCT_PASS), load_spec("isct-2006"))
    assert report.decision == "meets identity criteria"
    assert report.passed


def test_identity_spec_never_releases_a_lot() -> None:
    # msc.md §1.1: the ISCT criteria "are not a lot-release specification".
    report = check_lot(lot_from_dict(ISCT_PASS), load_spec("isct-2006"))
    assert report.releasable is False


@pytest.mark.parametrize(("field", "value"), [
    ("cd105_percent", 94.9), ("cd73_percent", 94.9), ("cd90_percent", 94.9),
    ("cd45_percent", 2.1), ("cd34_percent", 2.1), ("hla_dr_percent", 2.1),
    ("cd14_percent", 2.1), ("cd19_percent", 2.1),
])
def test_isct_just_outside_thresholds_fails(field: str, value: float) -> None:
    # Dominici 2006 (msc.md §1.1): the other side of each cut-off.
    lot = dict(ISCT_PASS, **{field: value})
    report = check_lot(lot_from_dict(lot), load_spec("isct-2006"))
    assert report.decision == "does not meet identity criteria"
    assert len(report.failed) == 1


def test_either_or_marker_pair_passes_on_the_alternative() -> None:
    # msc.md §1.1: "CD14 or CD11b" — one reported marker of the pair suffices.
    lot = {k: v for k, v in ISCT_PASS.items() if k != "cd14_percent"} | {"cd11b_percent": 0.5}
    assert decision(lot, "isct-2006") == "meets identity criteria"


def test_either_or_pair_fails_when_a_reported_partner_exceeds_the_limit() -> None:
    # CD14 30 % is monocyte contamination even if CD11b reads 1 %: every reported marker must be <= 2 %.
    lot = ISCT_PASS | {"cd14_percent": 30.0, "cd11b_percent": 1.0}
    assert decision(lot, "isct-2006") == "does not meet identity criteria"


def test_missing_mandatory_result_is_never_a_pass() -> None:
    lot = {k: v for k, v in ISCT_PASS.items() if k != "trilineage_differentiation"}
    report = check_lot(lot_from_dict(lot), load_spec("isct-2006"))
    assert report.decision == "identity not established: results missing"
    assert report.to_dict()["missing_results"] == ["trilineage_differentiation"]


def test_failure_outranks_missing() -> None:
    lot = {k: v for k, v in ISCT_PASS.items() if k != "trilineage_differentiation"} | {"cd73_percent": 90.0}
    assert decision(lot, "isct-2006") == "does not meet identity criteria"


def test_release_spec_missing_result_is_not_releasable() -> None:
    report = check_lot(lot_from_dict({"lot_id": "x", "viability_percent": 90.0}), load_spec("huc-msc-sctr-2020"))
    assert report.decision == "not releasable: results missing"
    assert report.releasable is False


@pytest.mark.parametrize(("spec", "field", "passing", "failing"), [
    ("bm-msc-eudract-2010-024041-78", "viability_percent", 70.0, 69.9),   # >= 70 % (J Transl Med 2018, Table 2)
    ("bm-msc-eudract-2010-024041-78", "cd45_percent", 5.0, 5.1),          # <= 5 %
    ("wj-msc-msctc-0010", "viability_percent", 80.0, 79.9),               # >= 80 % (PMC9289888 Table 1)
    ("wj-msc-msctc-0010", "endotoxin_eu_ml", 12.4, 12.5),                 # < 12.5 EU/mL
    ("wj-msc-msctc-0010", "potency_pbmc_inhibition_percent", 20.0, 19.9), # >= 20 % inhibition
    ("uc-msc-bmjopen", "viability_percent", 80.1, 80.0),                  # > 80 % (BMJ Open table 3)
    ("uc-msc-bmjopen", "cd45_percent", 1.9, 2.0),                         # < 2 %
    ("uc-msc-bmjopen", "endotoxin_eu_per_kg", 5.0, 5.1),                  # <= 5 EU/kg
    ("huc-msc-sctr-2020", "viability_percent", 85.0, 84.9),               # >= 85 % (SCRT 2020 Table 4)
    ("huc-msc-sctr-2020", "endotoxin_eu_ml", 0.49, 0.5),                  # < 0.5 EU/mL
])
def test_product_spec_cutoffs_both_sides(spec: str, field: str, passing: float, failing: float) -> None:
    s = load_spec(spec)
    crit = next(c for c in s.criteria if field in c.parameters)
    ok = check_lot(lot_from_dict({"lot_id": "x", field: passing}), s)
    bad = check_lot(lot_from_dict({"lot_id": "x", field: failing}), s)
    assert next(r for r in ok.checks if r.name == crit.id).value is True
    assert next(r for r in bad.checks if r.name == crit.id).value is False


def test_informative_criterion_does_not_block_release() -> None:
    # BM-MSC spec: HLA-DR <= 20 % is informative only (msc.md §2.2).
    s = load_spec("bm-msc-eudract-2010-024041-78")
    lot = {"lot_id": "x", "viability_percent": 80.0, "cd105_percent": 99.0, "cd73_percent": 99.0, "cd90_percent": 99.0,
           "cd45_percent": 1.0, "cd31_percent": 1.0, "hla_dr_percent": 35.0, "trilineage_differentiation": True}
    assert check_lot(lot_from_dict(lot), s).decision == "releasable"


def test_nomenclature_stem_without_evidence() -> None:
    lot = dict(ISCT_PASS, product_label="BM mesenchymal stem cells")
    report = check_lot(lot_from_dict(lot), load_spec("isct-2006"))
    assert [c.code for c in report.nomenclature] == ["cells.nomenclature.stem"]
    lot["stem_cell_criteria_shown"] = True
    assert check_lot(lot_from_dict(lot), load_spec("isct-2006")).nomenclature == ()


def test_nomenclature_missing_tissue_source() -> None:
    lot = {k: v for k, v in ISCT_PASS.items() if k != "tissue_source"}
    report = check_lot(lot_from_dict(lot), load_spec("isct-2006"))
    assert [c.code for c in report.nomenclature] == ["cells.nomenclature.tissue_source"]


def test_percentage_out_of_range_message() -> None:
    with pytest.raises(InputError) as exc:
        lot_from_dict({"lot_id": "x", "cd73_percent": 101})
    assert str(exc.value) == "field 'cd73_percent': got 101; allowed: a number from 0 to 100 (%)."


def test_unknown_field_message() -> None:
    with pytest.raises(UnknownFieldError) as exc:
        lot_from_dict({"lot_id": "x", "cd73_pct": 99})
    assert str(exc.value) == "field 'cd73_pct': got 99; allowed: one of the documented lot fields (see docs/cells.md)."


def test_boolean_given_as_text_is_a_type_error() -> None:
    with pytest.raises(InputTypeError, match="field 'sterility_negative': got 'negative'"):
        lot_from_dict({"lot_id": "x", "sterility_negative": "negative"})


def test_concentration_units_converted_and_checked() -> None:
    a = lot_from_dict({"lot_id": "x", "concentration": {"value": 5, "unit": "10^6 cells/mL"}})
    b = lot_from_dict({"lot_id": "x", "concentration": {"value": 5000, "unit": "cells/uL"}})
    assert a.concentration_cells_per_ml == b.concentration_cells_per_ml == 5e6
    with pytest.raises(InputError) as exc:
        lot_from_dict({"lot_id": "x", "concentration": {"value": 5, "unit": "cells/L"}})
    assert str(exc.value) == "field 'concentration.unit': got 'cells/L'; allowed: one of 'cells/mL', 'cells/uL', '10^6 cells/mL'."
    with pytest.raises(InputError, match="field 'concentration'"):
        lot_from_dict({"lot_id": "x", "concentration": {"value": 5}})


def test_centre_spec_file(tmp_path: Path) -> None:
    p = tmp_path / "centre.yaml"
    p.write_text("name: centre-x\ntitle: Centre X\nversion: '1'\nkind: release\nsource: Centre-X-SOP\n"
                 "spec_ref: local SOP\nstatus: unconfirmed\ncriteria:\n"
                 "  - {id: viability, parameter: viability_percent, operator: '>=', threshold: 75, unit: '%'}\n")
    spec = load_spec(p)
    report = check_lot(lot_from_dict({"lot_id": "x", "viability_percent": 76.0}), spec)
    assert report.releasable
    assert report.checks[0].caveats[0].code == "cells.viability.unconfirmed"


def test_bad_spec_file_names_file_criterion_and_field(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: b\ntitle: B\nversion: '1'\nkind: release\nsource: S\nspec_ref: r\nstatus: confirmed\ncriteria:\n"
                 "  - {id: v, parameter: viability_pct, operator: '>=', threshold: 75}\n")
    with pytest.raises(InputError) as exc:
        load_spec(p)
    assert str(exc.value) == "field 'bad.yaml criterion 1: parameter': got 'viability_pct'; allowed: a lot field (see LotResults)."


def test_unknown_spec_name() -> None:
    with pytest.raises(InputError, match="field 'spec': got 'isct'; allowed: one of"):
        load_spec("isct")


def test_example_lot_file_is_releasable_under_its_spec() -> None:
    from importlib import resources

    raw = json.loads((resources.files("sclerostem") / "data" / "lots" / "wj-msc-example.json").read_text())
    assert decision(raw, "wj-msc-msctc-0010") == "releasable"
