"""Vectorised visits-table scoring: parity with the one-visit API, validation, errors."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sclerostem.errors import ConsistencyError, InputError, InputTypeError, UnknownFieldError
from sclerostem.scores import (
    MRSS_CHANGE_DEFINITIONS,
    MRSS_SITES,
    AcrEular2013Items,
    EustarActivityInputs,
    acr_eular_2013,
    disease_duration,
    eustar_activity_index,
    leroy_subset,
    mrss,
    mrss_change,
    score_table,
    table_columns,
)
from sclerostem.scores._acr_eular import COLUMNS as ACR_COLUMNS
from sclerostem.scores._batch import instrument_modules
from sclerostem.scores._columns import Column, coerce_frame
from sclerostem.scores._mrss import site_column
from tests.scores._random_visits import random_visits

N_PARITY = 400  #: a few hundred random visits, fixed seed


@pytest.fixture(scope="module")
def scored() -> tuple[pl.DataFrame, pl.DataFrame]:
    df = random_visits(N_PARITY)
    return df, score_table(df)


def _rows(df: pl.DataFrame) -> list[dict]:
    return df.to_dicts()


def test_parity_with_one_visit_api(scored):
    df, out = scored
    assert out.height == df.height
    assert out.columns[: df.width] == df.columns
    active = {"active": True, "not active": False, "unknown": None}
    for i, (row, res) in enumerate(zip(_rows(df), _rows(out), strict=True)):
        sites = {s: row[site_column(s)] for s in MRSS_SITES}
        total = mrss(sites).value
        assert res["mrss_total"] == total, i
        for name in MRSS_CHANGE_DEFINITIONS:
            ch = mrss_change(row["baseline_mrss_total"], total, definition=name)
            assert res[f"mrss_{name}"] == ch.value, (i, name)
        if total is not None and row["baseline_mrss_total"] is not None:
            assert res["mrss_change_points"] == ch.components["delta_points"]
            assert res["mrss_change_relative"] == ch.components["relative_change"]
        else:
            assert res["mrss_change_points"] is None
        acr = acr_eular_2013(AcrEular2013Items(**{c.name: row[c.name] for c in ACR_COLUMNS}))
        assert res["acr_eular_2013_points"] == acr.value, i
        assert res["acr_eular_2013_status"] == acr.interpretation, i
        assert res["acr_eular_2013_classified"] == acr.components["classified"], i
        ai = eustar_activity_index(EustarActivityInputs(
            skin_worsening_patient_last_month=row["skin_worsening_patient_last_month"],
            mrss_total=total,
            digital_ulcers_current=row["digital_ulcers_current"],
            tendon_friction_rubs_current=row["tendon_friction_rubs_current"],
            crp_mg_dl=row["crp_mg_dl"],
            dlco_percent_predicted=row["dlco_percent_predicted"],
        ))
        assert res["eustar_ai"] == ai.value, i  # exact: sums of multiples of 0.25
        assert res["eustar_active"] == active[ai.interpretation], i
        le = leroy_subset(sites, skin_thickening_back=row["skin_thickening_back"])
        assert res["leroy_subset"] == le.components["subset"], i
        du = disease_duration(row["visit_date"], row["first_non_raynaud_symptom_date"],
                              first_raynaud_date=row["first_raynaud_date"])
        assert res["disease_duration_years"] == du.value, i
        assert res["disease_duration_from_raynaud_years"] == du.components["years_from_raynaud"]


def test_parity_sample_covers_every_outcome(scored):
    # guard: the random sample must exercise each branch the parity test compares
    df, out = scored
    assert set(out["acr_eular_2013_status"]) == {"classified", "not classified", "unknown",
                                                  "not applicable",
                                                  "undetermined: applicability not recorded"}
    # ASSIST skin arm: both sides of "baseline mRSS > 14" (hsct.md §C4) are exercised
    base = df["baseline_mrss_total"]
    assist = out["mrss_assist_improvement"]
    assert assist.filter((base <= 14) & out["mrss_total"].is_not_null()).null_count() > 0
    assert assist.filter((base <= 14) & out["mrss_total"].is_not_null()).drop_nulls().len() == 0
    assert assist.filter(base > 14).drop_nulls().len() > 0
    assert set(out["eustar_active"].to_list()) == {True, False, None}
    assert set(out["leroy_subset"].to_list()) == {"dcSSc", "lcSSc", "none", None}
    assert out["mrss_total"].null_count() > 0
    assert out["mrss_eustar_improvement"].sum() > 0
    assert out["mrss_eustar_progression"].sum() > 0


def test_text_table_gives_same_numbers(scored):
    # a CSV read as text must score like the typed table
    df, out = scored
    text = df.with_columns(pl.all().cast(pl.Utf8))
    text = text.with_columns(
        [pl.col(c.name).replace({"true": "1", "false": "0"}) for c in ACR_COLUMNS]
    )
    assert score_table(text).drop(df.columns).equals(out.drop(df.columns))


def test_absent_columns_are_not_recorded():
    out = score_table(pl.DataFrame({"mrss_face": [1, 2]}))
    assert out.height == 2
    assert out["mrss_total"].to_list() == [None, None]
    assert out["acr_eular_2013_status"].to_list() == ["undetermined: applicability not recorded"] * 2
    assert out["acr_eular_2013_classified"].to_list() == [None, None]


def test_id_columns_carried_through():
    df = pl.DataFrame({"patient_id": ["P1"], "visit_id": ["V1"], "crp_mg_dl": [1.4]})
    out = score_table(df)
    assert out["patient_id"].to_list() == ["P1"]


def test_unknown_column_message():
    with pytest.raises(UnknownFieldError) as exc:
        score_table(pl.DataFrame({"crp_mg_l": [14.0]}))
    assert str(exc.value) == (
        "field 'column': got 'crp_mg_l'; allowed: a column listed in docs/scores.md, section "
        "'Visits table columns' (or run `sclerostem score --list-columns`)."
    )


def test_out_of_range_cell_names_row():
    df = pl.DataFrame({"crp_mg_dl": [0.5, 1.0, -1.0]})
    with pytest.raises(InputError) as exc:
        score_table(df)
    assert str(exc.value) == (
        "row 3, field 'crp_mg_dl': got -1.0; allowed: a number from 0 to 50 (mg/dL)."
    )


def test_text_in_number_column_names_row():
    with pytest.raises(InputTypeError) as exc:
        score_table(pl.DataFrame({"mrss_face": ["1", "two"]}))
    assert str(exc.value) == (
        "row 2, field 'mrss_face': got 'two'; allowed: a whole number from 0 to 3 (grade)."
    )


def test_bad_bool_and_date_name_row():
    with pytest.raises(InputError) as exc:
        score_table(pl.DataFrame({"raynaud_ever": ["1", "yes"]}))
    assert str(exc.value) == (
        "row 2, field 'raynaud_ever': got 'yes'; allowed: 0 or 1 (true/false), empty if not "
        "recorded."
    )
    with pytest.raises(InputError) as exc:
        score_table(pl.DataFrame({"visit_date": ["2024-13-01"]}))
    assert str(exc.value) == (
        "row 1, field 'visit_date': got '2024-13-01'; allowed: a date YYYY-MM-DD."
    )


def test_onset_after_visit_names_row():
    df = pl.DataFrame({"visit_date": ["2024-01-01", "2024-01-01"],
                       "first_non_raynaud_symptom_date": ["2023-01-01", "2024-02-01"]})
    with pytest.raises(ConsistencyError) as exc:
        score_table(df)
    assert str(exc.value) == (
        "row 2, field 'first_non_raynaud_symptom_date': got '2024-02-01'; allowed: a date on or "
        "before the visit date 2024-01-01."
    )


def test_finger_sparing_contradiction_names_row():
    df = pl.DataFrame({"sclerodactyly_ever": [1, 1], "skin_thickening_spares_fingers": [0, 1]})
    with pytest.raises(ConsistencyError, match=r"^row 2, field 'skin_thickening_spares_fingers'"):
        score_table(df)


def test_columns_declared_once_consistently():
    names = [c.name for c in table_columns()]
    assert len(names) == len(set(names))
    assert {"mrss_face", "crp_mg_dl", "visit_date", "patient_id"} <= set(names)


def test_every_module_honours_contract():
    # contract of _batch.py: COLUMNS declared, score_frame returns only outputs, same rows
    df = random_visits(7, seed=3)
    clean = coerce_frame(df, table_columns())
    outputs: list[str] = []
    for mod in instrument_modules():
        assert all(isinstance(c, Column) for c in mod.COLUMNS), mod.__name__
        out = mod.score_frame(clean)
        assert out.height == 7, mod.__name__
        outputs += out.columns
    # output names are unique and never shadow an input column
    assert len(outputs) == len(set(outputs))
    assert not set(outputs) & {c.name for c in table_columns()}


def test_empty_table():
    out = score_table(pl.DataFrame({"mrss_face": pl.Series([], dtype=pl.Int64)}))
    assert out.height == 0
    assert "eustar_ai" in out.columns


def test_nan_cell_refused():
    with pytest.raises(InputError, match=r"^row 1, field 'crp_mg_dl': got nan"):
        score_table(pl.DataFrame({"crp_mg_dl": [math.nan]}))


def test_chunking_does_not_change_results(scored):
    df, out = scored
    assert score_table(df, chunk_rows=37).equals(out)


def test_chunked_error_reports_table_row():
    df = pl.DataFrame({"visit_date": ["2024-01-01"] * 5,
                       "first_non_raynaud_symptom_date": ["2023-01-01"] * 4 + ["2024-02-01"]})
    with pytest.raises(ConsistencyError, match=r"^row 5, field 'first_non_raynaud_symptom_date'"):
        score_table(df, chunk_rows=2)


def test_progress_callback_counts_rows():
    seen: list[int] = []
    score_table(random_visits(25, seed=1), chunk_rows=10, progress=seen.append)
    assert seen == [10, 10, 5]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 51), st.integers(0, 3)), min_size=1, max_size=30))
def test_mrss_change_parity_property(pairs):
    # every baseline 0-51 (incl. 0) against totals built from 17 equal grades
    df = pl.DataFrame({
        "baseline_mrss_total": [b for b, _ in pairs],
        **{site_column(s): [g for _, g in pairs] for s in MRSS_SITES},
    })
    out = score_table(df)
    for (b, g), res in zip(pairs, out.iter_rows(named=True), strict=True):
        for name in MRSS_CHANGE_DEFINITIONS:
            assert res[f"mrss_{name}"] == mrss_change(b, 17 * g, definition=name).value
