"""Dose, endotoxin, CD34+ graft dose, collection efficiency, selection and engraftment.

Worked examples are constructed by applying the published formulas (msc.md §2.3, §4.3-4.5).
"""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sclerostem.cells import (
    Collection,
    IdentityMismatchError,
    check_infusion_identity,
    collection_efficiency_percent,
    endotoxin_check,
    engraftment_day,
    graft_cd34_dose,
    plan_infusion,
    selection_performance,
    volume_to_process_ml,
)
from sclerostem.errors import ConsistencyError, InputError
from sclerostem.result import Evidence

REL = 1e-12  #: exact arithmetic up to float rounding


def test_plan_infusion_worked_example() -> None:
    # 70 kg x 2e6 cells/kg = 1.4e8 cells; at 5e6 cells/mL -> 28 mL.
    plan = plan_infusion(70, 2e6, 5e6)
    assert plan.total_cells == pytest.approx(1.4e8, rel=REL)
    assert plan.volume_ml == pytest.approx(28.0, rel=REL)


def test_zero_weight_refused() -> None:
    with pytest.raises(InputError) as exc:
        plan_infusion(0, 2e6, 5e6)
    assert str(exc.value) == "field 'weight_kg': got 0; allowed: a number from 1 to 300 (kg)."


def test_dose_above_available_cells_refused() -> None:
    with pytest.raises(InputError, match="the lot holds 1e\\+08 cells for 70 kg"):
        plan_infusion(70, 2e6, 5e6, available_cells=1e8)


def test_endotoxin_limits_by_route() -> None:
    # USP <85>: K = 5 EU/kg intravenous, 0.2 EU/kg intrathecal (msc.md §2.3).
    iv = endotoxin_check(0.5, 28, 70, "intravenous")
    assert iv.limit_eu_per_kg == 5.0
    assert iv.total_eu == pytest.approx(14.0, rel=REL)
    assert iv.eu_per_kg_per_hour == pytest.approx(0.2, rel=REL)
    assert iv.within_limit
    it = endotoxin_check(0.5, 28, 70, "intrathecal")
    assert it.limit_eu_per_kg == 0.2
    assert it.within_limit  # exactly at the limit: 0.2 <= 0.2
    assert not endotoxin_check(0.51, 28, 70, "intrathecal").within_limit


def test_endotoxin_max_volume() -> None:
    # K x weight / EU per mL = 5 x 70 / 12.5 = 28 mL per hour.
    assert endotoxin_check(12.5, 10, 70).max_volume_ml_per_hour == pytest.approx(28.0, rel=REL)


def test_endotoxin_unknown_route() -> None:
    with pytest.raises(InputError, match="field 'route': got 'oral'"):
        endotoxin_check(0.5, 28, 70, "oral")


def test_collection_efficiency_worked_example() -> None:
    # Neyrinck 2015 (msc.md §4.4): CE = 240 x 100 / (12 L x 40/uL) = 50 %.
    assert collection_efficiency_percent(2.4e8, 12, 40) == pytest.approx(50.0, rel=REL)


def test_volume_to_process_worked_example_and_caveat() -> None:
    # Ford-style planning (msc.md §4.4, S): 70 x 5e6 / (40 x 1000 x 0.5) = 17,500 mL.
    r = volume_to_process_ml(70, 5e6, 40, 50)
    assert r.value == pytest.approx(17500.0, rel=REL)
    assert r.caveats[0].status is Evidence.SECONDARY


def test_graft_dose_sums_collections_and_flags_thresholds() -> None:
    r = graft_cd34_dose([Collection(2.1e8), Collection(1.4e8)], 70, target_cd34_per_kg=5e6, minimum_cd34_per_kg=2e6)
    assert r.value == pytest.approx(5e6, rel=REL)
    assert r.interpretation == "target reached"
    assert r.caveats[0].code == "graft.cd34_thresholds_not_trial_values"
    low = graft_cd34_dose([Collection(1.39e8)], 70, target_cd34_per_kg=5e6, minimum_cd34_per_kg=2e6)
    assert low.interpretation == "below minimum"
    mid = graft_cd34_dose([Collection(1.4e8)], 70, target_cd34_per_kg=5e6, minimum_cd34_per_kg=2e6)
    assert mid.interpretation == "minimum reached, below target"


def test_graft_dose_reports_collection_efficiency() -> None:
    r = graft_cd34_dose([Collection(2.4e8, litres_processed=12, pre_cd34_per_ul=40)], 60)
    assert r.components["collections"][0]["collection_efficiency_percent"] == pytest.approx(50.0, rel=REL)


def test_graft_minimum_above_target_is_contradictory() -> None:
    with pytest.raises(ConsistencyError, match="at most the target"):
        graft_cd34_dose([Collection(1e8)], 70, target_cd34_per_kg=2e6, minimum_cd34_per_kg=5e6)


@given(st.lists(st.floats(1e6, 1e9), min_size=1, max_size=5), st.floats(1e6, 1e9))
def test_adding_a_collection_never_lowers_the_dose(cells: list[float], extra: float) -> None:
    base = graft_cd34_dose([Collection(c) for c in cells], 70).value
    more = graft_cd34_dose([Collection(c) for c in [*cells, extra]], 70).value
    assert isinstance(base, float)
    assert isinstance(more, float)
    assert more >= base


def test_selection_recovery_and_log_depletion() -> None:
    # 2.4e8 of 4e8 CD34+ recovered = 60 %; 1e10 -> 1e7 CD3+ = 3-log (cf. CliniMACS 3-log, msc.md §4.3).
    r = selection_performance(4e8, 2.4e8, 1e10, 1e7)
    assert r.value == pytest.approx(60.0, rel=REL)
    assert r.components["log10_t_cell_depletion"] == pytest.approx(3.0, rel=REL)


def test_neutrophil_engraftment_first_of_three_days() -> None:
    # msc.md §4.5: first of 3 consecutive days with ANC >= 0.5 x 10^9/L.
    d0 = date(2026, 3, 1)
    anc = [0.1, 0.5, 0.4, 0.5, 0.6, 0.9, 1.2]
    r = engraftment_day([(d0 + timedelta(days=i), v) for i, v in enumerate(anc)])
    assert r.value == "2026-03-04"
    assert r.caveats == ()


def test_neutrophil_not_engrafted_with_two_days() -> None:
    r = engraftment_day([(9, 0.4), (10, 0.5), (11, 0.7)])
    assert r.value is None
    assert r.interpretation == "not engrafted yet"


def test_gap_in_counts_breaks_the_run() -> None:
    assert engraftment_day([(9, 0.6), (10, 0.7), (12, 0.8), (13, 0.9), (14, 1.0)]).value == 12


def test_platelet_rule_is_a_parameter_with_caveat() -> None:
    counts = [(d, v) for d, v in zip(range(10, 21), [15, 22, 24, 26, 30, 35, 40, 45, 50, 55, 60], strict=True)]
    r = engraftment_day(counts, lineage="platelet", threshold=20, consecutive_days=7, transfusions=[11], transfusion_free_days=3)
    # Day 11 transfusion covers days 11-13; the 7-day run >= 20 starts on day 14.
    assert r.value == 14
    assert r.caveats[0].status is Evidence.UNCONFIRMED


def test_platelet_rule_has_no_default() -> None:
    # msc.md §4.5: no confirmed platelet rule — the neutrophil defaults must not be used silently.
    with pytest.raises(InputError) as exc:
        engraftment_day([(1, 5.0), (2, 6.0), (3, 7.0)], lineage="platelet")
    assert str(exc.value).startswith("field 'threshold': got None; allowed: a value chosen by the centre")


def test_counts_out_of_order() -> None:
    with pytest.raises(ConsistencyError, match="days in increasing order"):
        engraftment_day([(10, 0.6), (9, 0.7)])


def test_infusion_into_wrong_patient_refused() -> None:
    with pytest.raises(IdentityMismatchError) as exc:
        check_infusion_identity(product_din="G123 498 654 321 H", product_patient_id="SSC-001",
                                scanned_din="G123498654321H", recipient_patient_id="SSC-002")
    assert str(exc.value) == ("field 'recipient_patient_id': got 'SSC-002'; allowed: the patient this product was made "
                              "for (SSC-001); infusion refused.")


def test_infusion_scan_of_other_product_refused() -> None:
    other = "G123498654322"
    from sclerostem.cells import iso7064_mod37_2

    check = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"[iso7064_mod37_2(other)]
    with pytest.raises(IdentityMismatchError, match="the DIN of this product"):
        check_infusion_identity(product_din="G123498654321H", product_patient_id="P", scanned_din=other + check,
                                recipient_patient_id="P")


def test_infusion_matching_is_accepted() -> None:
    assert check_infusion_identity(product_din="G123498654321H", product_patient_id="P", scanned_din="=G12349865432177",
                                   recipient_patient_id="P") == "G1234 98 654321 H"
