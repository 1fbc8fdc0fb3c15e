"""Builder of ``src/sclerostem/data/example_visits.csv``: twelve hand-written visits.

Run ``.venv/bin/python -m tests.scores._example_builder`` after changing a
column declaration; ``test_example_visits.py`` checks that the shipped file is
what this builder writes. The visits are invented (no real patient) and chosen
to show every instrument, both sides of the main cut-offs and missing values.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from sclerostem.scores._batch import table_columns
from sclerostem.scores._haq import HAQ_AIDS_FIELDS, HAQ_CATEGORIES, SHAQ_SCALES
from sclerostem.scores._morphea import LOSCAT_SITES
from sclerostem.scores._mrss import MRSS_SITES

COLS = [c.name for c in table_columns()]
SITE_ORDER = list(MRSS_SITES)

def sites(*grades):
    return {f"mrss_{s}": g for s, g in zip(SITE_ORDER, grades, strict=True)}

# face, chest, abdomen, fingers R/L, hands R/L, forearms R/L, upper arms R/L, thighs R/L, lower legs R/L, feet R/L
ACR_NONE = dict(skin_thickening_proximal_to_mcp_ever=0, puffy_fingers_ever=0, sclerodactyly_ever=0,
                digital_tip_ulcers_ever=0, fingertip_pitting_scars_ever=0, telangiectasia_ever=0,
                abnormal_nailfold_capillaries_ever=0, pah_ever=0, ild_ever=0, raynaud_ever=0,
                anti_centromere_positive=0, anti_topoisomerase_i_positive=0,
                anti_rna_polymerase_iii_positive=0, ssc_like_disorder=0,
                skin_thickening_spares_fingers=0)
ITEMS = [i for items in HAQ_CATEGORIES.values() for i in items]

def haq(grades, aids=()):
    d = {f"haq_{i}": g for i, g in zip(ITEMS, grades, strict=True)}
    for cat, flag in HAQ_AIDS_FIELDS.items():
        d[f"haq_{flag}"] = 1 if cat in aids else 0
    return d

def shaq(*v):
    return {f"shaq_{s}_vas_cm": x for s, x in zip(SHAQ_SCALES, v, strict=True)}

def loscat(site_values, pga_a, pga_d):
    d = {}
    for s in LOSCAT_SITES:
        er, st, ne, bi, dat, sat, dp, cs = site_values.get(s, (0, 0, 0, 0, 0, 0, 0, 0))
        d.update({f"loscat_{s}_erythema": er, f"loscat_{s}_skin_thickness": st,
                  f"loscat_{s}_new_or_enlarging_past_month": ne, f"loscat_{s}_border_induration": bi,
                  f"loscat_{s}_dermal_atrophy": dat, f"loscat_{s}_subcutaneous_atrophy": sat,
                  f"loscat_{s}_dyspigmentation": dp, f"loscat_{s}_central_sclerosis": cs})
    d["loscat_pga_activity_mm"] = pga_a
    d["loscat_pga_damage_mm"] = pga_d
    return d

rows = []
# P001: early dcSSc, anti-topo I, before HSCT
rows.append(dict(patient_id="P001", visit_id="P001-V1", visit_date="2023-03-01",
    first_non_raynaud_symptom_date="2022-06-01", first_raynaud_date="2022-01-15",
    **sites(1, 2, 1, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0),
    **(ACR_NONE | dict(skin_thickening_proximal_to_mcp_ever=1, puffy_fingers_ever=1, sclerodactyly_ever=1,
                       digital_tip_ulcers_ever=1, ild_ever=1, raynaud_ever=1,
                       anti_topoisomerase_i_positive=1, abnormal_nailfold_capillaries_ever=1)),
    skin_thickening_back=1, skin_worsening_patient_last_month=1, digital_ulcers_current=1,
    tendon_friction_rubs_current=1, crp_mg_dl=0.8, dlco_percent_predicted=58.0,
    **haq([2, 1, 1, 1, 2, 1, 2, 1, 1, 1, 2, 1, 1, 2, 1, 2, 2, 2, 1, 2], aids=("dressing", "grip")),
    **shaq(6.5, 3.0, 5.5, 8.0, 7.5, 9.0)))
# P001: 12 months after HSCT
rows.append(dict(patient_id="P001", visit_id="P001-V2", visit_date="2024-03-05",
    first_non_raynaud_symptom_date="2022-06-01", first_raynaud_date="2022-01-15",
    **sites(0, 1, 0, 2, 2, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0),
    baseline_mrss_total=24,
    **(ACR_NONE | dict(skin_thickening_proximal_to_mcp_ever=1, puffy_fingers_ever=1, sclerodactyly_ever=1,
                       digital_tip_ulcers_ever=1, ild_ever=1, raynaud_ever=1,
                       anti_topoisomerase_i_positive=1, abnormal_nailfold_capillaries_ever=1)),
    skin_thickening_back=0, skin_worsening_patient_last_month=0, digital_ulcers_current=0,
    tendon_friction_rubs_current=0, crp_mg_dl=0.3, dlco_percent_predicted=66.0,
    baseline_fvc_percent_predicted=71.0, followup_fvc_percent_predicted=79.5,
    baseline_patient_global_vas_cm=7.0, followup_patient_global_vas_cm=3.5,
    baseline_physician_global_vas_cm=6.5, followup_physician_global_vas_cm=3.0,
    baseline_haq_di=1.75, followup_haq_di=1.125, followup_mrss_total=12,
    criss_new_renal_crisis=0, criss_fvc_decline_with_ild=0, criss_new_lv_failure=0, criss_new_pah=0,
    **haq([1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1], aids=("grip",)),
    **shaq(3.0, 2.0, 3.5, 5.0, 1.0, 4.5)))
# P002: long-standing lcSSc, anticentromere
rows.append(dict(patient_id="P002", visit_id="P002-V1", visit_date="2024-01-10",
    first_non_raynaud_symptom_date="2016-05-01", first_raynaud_date="2009-11-01",
    **sites(1, 0, 0, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    **(ACR_NONE | dict(sclerodactyly_ever=1, fingertip_pitting_scars_ever=1, telangiectasia_ever=1,
                       raynaud_ever=1, anti_centromere_positive=1, abnormal_nailfold_capillaries_ever=1)),
    skin_thickening_back=0, skin_worsening_patient_last_month=0, digital_ulcers_current=0,
    tendon_friction_rubs_current=0, crp_mg_dl=0.2, dlco_percent_predicted=64.0,
    **haq([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1]),
    **shaq(2.0, 4.5, 1.5, 9.5, 0.0, 3.0)))
# P002: a year later, DLCO not measured and left foot not examined
rows.append(dict(patient_id="P002", visit_id="P002-V2", visit_date="2025-01-14",
    first_non_raynaud_symptom_date="2016-05-01", first_raynaud_date="2009-11-01",
    **(sites(1, 0, 0, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) | {"mrss_foot_dorsum_left": None}),
    baseline_mrss_total=7,
    **(ACR_NONE | dict(sclerodactyly_ever=1, fingertip_pitting_scars_ever=1, telangiectasia_ever=1,
                       raynaud_ever=1, anti_centromere_positive=1, abnormal_nailfold_capillaries_ever=1,
                       pah_ever=1)),
    skin_thickening_back=0, skin_worsening_patient_last_month=0, digital_ulcers_current=1,
    tendon_friction_rubs_current=0, crp_mg_dl=0.4, dlco_percent_predicted=None,
    **haq([1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, None, 1]),
    **shaq(2.5, 4.0, 3.0, 9.0, 6.0, 4.0)))
# P003: dcSSc with skin progression, anti-RNA polymerase III
rows.append(dict(patient_id="P003", visit_id="P003-V1", visit_date="2024-06-20",
    first_non_raynaud_symptom_date="2023-04-01", first_raynaud_date="2023-02-01",
    **sites(1, 1, 1, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1),
    baseline_mrss_total=18,
    **(ACR_NONE | dict(skin_thickening_proximal_to_mcp_ever=1, puffy_fingers_ever=1, sclerodactyly_ever=1,
                       raynaud_ever=1, anti_rna_polymerase_iii_positive=1)),
    skin_thickening_back=None, skin_worsening_patient_last_month=1, digital_ulcers_current=0,
    tendon_friction_rubs_current=1, crp_mg_dl=2.6, dlco_percent_predicted=81.0,
    baseline_fvc_percent_predicted=92.0, followup_fvc_percent_predicted=88.0,
    baseline_patient_global_vas_cm=4.0, followup_patient_global_vas_cm=6.0,
    baseline_physician_global_vas_cm=3.5, followup_physician_global_vas_cm=6.5,
    baseline_haq_di=0.75, followup_haq_di=1.625, followup_mrss_total=25,
    criss_new_renal_crisis=0, criss_fvc_decline_with_ild=0, criss_new_lv_failure=0, criss_new_pah=0,
    **haq([2, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 1], aids=("walking",)),
    **shaq(5.0, 2.0, 1.0, 6.0, 0.5, 7.0)))
# P004: Raynaud + abnormal capillaries + ACA only: 8 points, not classified; no thickening
rows.append(dict(patient_id="P004", visit_id="P004-V1", visit_date="2024-09-02",
    first_non_raynaud_symptom_date=None, first_raynaud_date="2020-12-01",
    **sites(*([0] * 17)),
    **(ACR_NONE | dict(raynaud_ever=1, abnormal_nailfold_capillaries_ever=1, anti_centromere_positive=1)),
    skin_thickening_back=0, skin_worsening_patient_last_month=0, digital_ulcers_current=0,
    tendon_friction_rubs_current=0, crp_mg_dl=0.1, dlco_percent_predicted=95.0,
    **haq([0] * 20), **shaq(0.5, 0.0, 0.0, 4.0, 0.0, 0.5)))
# P005: scleromyxedema explains the findings: criteria not applicable
rows.append(dict(patient_id="P005", visit_id="P005-V1", visit_date="2024-10-15",
    first_non_raynaud_symptom_date="2023-10-01", first_raynaud_date=None,
    **sites(2, 1, 0, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
    **(ACR_NONE | dict(sclerodactyly_ever=1, ssc_like_disorder=1)),
    skin_thickening_back=0, skin_worsening_patient_last_month=1, digital_ulcers_current=0,
    tendon_friction_rubs_current=0, crp_mg_dl=0.6, dlco_percent_predicted=88.0))
# P006: CRISS with 0-100 mm globals and a new renal crisis (step 1)
rows.append(dict(patient_id="P006", visit_id="P006-V2", visit_date="2025-02-03",
    first_non_raynaud_symptom_date="2023-08-15", first_raynaud_date="2023-05-01",
    **sites(1, 1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0),
    baseline_mrss_total=28,
    **(ACR_NONE | dict(skin_thickening_proximal_to_mcp_ever=1, sclerodactyly_ever=1, raynaud_ever=1,
                       anti_rna_polymerase_iii_positive=1, telangiectasia_ever=1)),
    skin_thickening_back=1, skin_worsening_patient_last_month=0, digital_ulcers_current=0,
    tendon_friction_rubs_current=0, crp_mg_dl=1.2, dlco_percent_predicted=69.5,
    baseline_fvc_percent_predicted=85.0, followup_fvc_percent_predicted=83.0,
    baseline_patient_global_vas_mm=55.0, followup_patient_global_vas_mm=40.0,
    baseline_physician_global_vas_mm=60.0, followup_physician_global_vas_mm=45.0,
    baseline_haq_di=1.25, followup_haq_di=1.125, followup_mrss_total=21,
    criss_new_renal_crisis=1, criss_fvc_decline_with_ild=0, criss_new_lv_failure=0, criss_new_pah=0))
# P007: morphea, generalized plaques, baseline
rows.append(dict(patient_id="P007", visit_id="P007-V1", visit_date="2024-04-11",
    **loscat({"chest": (2, 2, 1, 2, 0, 0, 1, 1), "abdomen": (1, 2, 0, 1, 1, 0, 1, 1),
              "upper_back": (2, 1, 1, 2, 0, 0, 0, 1), "right_thigh": (1, 1, 0, 1, 1, 1, 2, 1),
              "left_thigh": (1, 2, 0, 1, 0, 1, 1, 2)}, 45.0, 20.0),
    padua_plaques_present=1, padua_plaque_depth="superficial", padua_plaques_over_3cm_count=6,
    padua_plaques_confluent=1, padua_linear_trunk_limbs=0, padua_linear_head=0,
    padua_pansclerotic=0, padua_generalized_area_count=4))
# P007: morphea follow-up, less active; thigh damage partly not recorded
rows.append(dict(patient_id="P007", visit_id="P007-V2", visit_date="2024-10-09",
    **(loscat({"chest": (1, 1, 0, 1, 1, 0, 1, 1), "abdomen": (0, 1, 0, 0, 1, 0, 1, 1),
               "upper_back": (1, 1, 0, 1, 0, 0, 1, 1), "right_thigh": (0, 1, 0, 0, 1, 1, 2, 1),
               "left_thigh": (0, 1, 0, 0, 1, 1, 1, 2)}, 20.0, 25.0)
       | {"loscat_left_thigh_subcutaneous_atrophy": None}),
    padua_plaques_present=1, padua_plaque_depth="superficial", padua_plaques_over_3cm_count=6,
    padua_plaques_confluent=1, padua_linear_trunk_limbs=0, padua_linear_head=0,
    padua_pansclerotic=0, padua_generalized_area_count=4))
# P008: linear scleroderma of the head (en coup de sabre), paediatric-onset
rows.append(dict(patient_id="P008", visit_id="P008-V1", visit_date="2024-11-20",
    **loscat({"head_face": (1, 2, 1, 2, 2, 1, 2, 2)}, 30.0, 35.0),
    padua_plaques_present=0, padua_plaque_depth=None, padua_plaques_over_3cm_count=0,
    padua_plaques_confluent=0, padua_linear_trunk_limbs=0, padua_linear_head=1,
    padua_pansclerotic=0, padua_generalized_area_count=0))
# P009: sparse visit: only a few items recorded
rows.append(dict(patient_id="P009", visit_id="P009-V1", visit_date="2025-03-03",
    first_non_raynaud_symptom_date="2024-11-01",
    **(ACR_NONE | dict(puffy_fingers_ever=1, raynaud_ever=1, anti_centromere_positive=None,
                       telangiectasia_ever=None, skin_thickening_spares_fingers=None,
                       ssc_like_disorder=None)),
    crp_mg_dl=0.9, tendon_friction_rubs_current=1, digital_ulcers_current=1))

EXAMPLE_PATH = Path(__file__).resolve().parents[2] / "src" / "sclerostem" / "data" / "example_visits.csv"


def example_csv() -> str:
    """The example table as CSV text."""
    df = pl.DataFrame(
        [{c: r.get(c) for c in COLS} for r in rows],
        schema={c: pl.Utf8 if c in ("patient_id", "visit_id", "padua_plaque_depth")
                or c.endswith("_date") else None for c in COLS},
        infer_schema_length=None,
    )
    return df.write_csv()


DOCS_PATH = EXAMPLE_PATH.parents[3] / "docs" / "scores.md"
DOCS_BEGIN = "<!-- columns:begin (generated by sclerostem.scores._batch.columns_markdown) -->\n"
DOCS_END = "<!-- columns:end -->"


def docs_with_columns(text: str) -> str:
    """``text`` (docs/scores.md) with the generated column table between the markers."""
    from sclerostem.scores._batch import columns_markdown

    head, rest = text.split(DOCS_BEGIN, 1)
    _, tail = rest.split(DOCS_END, 1)
    return head + DOCS_BEGIN + columns_markdown() + DOCS_END + tail


if __name__ == "__main__":
    EXAMPLE_PATH.write_text(example_csv())
    DOCS_PATH.write_text(docs_with_columns(DOCS_PATH.read_text()))
