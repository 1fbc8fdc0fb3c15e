"""Both sides of every published cut-off, through the full assessment.

Each case starts from an example patient that meets the set (``scot-eligible``,
or ``early-untreated`` for UPSIDE), changes the fields of one rule to the last
value that passes and to the first value that fails, and checks the rule and
the set's verdict. Every threshold is the one tabulated in
``shared/spec/hsct.md`` §A1-A3 (source keys from its register, named in each
case). UNCONFIRMED thresholds are tested in ``test_conflicts.py`` through the
mechanism (conflict / caveat), not locked in here.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.rules._base import rule_value, run

ALK = {"prior_alkylating_agent": True}

# (rule id, base example, passing changes, failing changes, consequence of failing, source)
CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], str, str]] = [
    # --- SCOT: hsct.md A2/A3 ---
    ("SCOT.age_min", "scot-eligible", {"age_years": 18}, {"age_years": 17}, "ineligible", "SCOT abstract/registry 18-69 [P]"),
    ("SCOT.age_max", "scot-eligible", {"age_years": 69}, {"age_years": 70}, "ineligible", "SCOT abstract/registry 18-69 [P]"),
    ("SCOT.subtype", "scot-eligible", {"mrss_total": 25, "cutaneous_subset": "diffuse"},
     {"mrss_total": 25, "cutaneous_subset": "limited"}, "ineligible", "Walker-2018 T1 [S]"),
    ("SCOT.skin", "scot-eligible", {"mrss_total": 16}, {"mrss_total": 15}, "ineligible", "Walker-2018 T1 mRSS >= 16 [S]"),
    ("SCOT.organ", "scot-eligible", {"pulmonary_involvement": False, "kidney_involvement": True},
     {"pulmonary_involvement": False, "kidney_involvement": False}, "ineligible", "SCOT registry lungs or kidneys [P]"),
    ("SCOT.contraception", "scot-eligible", {"contraception_willing": True}, {"contraception_willing": False},
     "ineligible", "SCOT registry [P]"),
    ("SCOT.fvc", "scot-eligible", {"fvc_percent_predicted": 45}, {"fvc_percent_predicted": 44.9}, "ineligible",
     "Walker-2018 T1 FVC < 45 % [S]"),
    ("SCOT.dlco", "scot-eligible", {"dlco_percent_predicted": 40}, {"dlco_percent_predicted": 39.9}, "ineligible",
     "Walker-2018 T1 DLCO < 40 % [S]"),
    ("SCOT.creatinine_clearance", "scot-eligible", {"creatinine_clearance_ml_min": 40},
     {"creatinine_clearance_ml_min": 39.9}, "ineligible", "Walker-2018 T1 CrCl < 40 [S]"),
    ("SCOT.lvef", "scot-eligible", {"lvef_percent": 50}, {"lvef_percent": 49.9}, "ineligible", "Walker-2018 T1 LVEF < 50 % [S]"),
    ("SCOT.lvef", "scot-eligible", {"nyha_class": 2}, {"nyha_class": 3}, "ineligible", "JSRD-2023 T3 NYHA III-IV [S]"),
    ("SCOT.pulmonary_hypertension", "scot-eligible", {"echo_pasp_mmhg": 55, "rhc_mpap_exercise_mmhg": 30},
     {"echo_pasp_mmhg": 55.1, "rhc_mpap_exercise_mmhg": 30}, "ineligible", "JSRD-2023 T3 echo PASP > 55 [S]"),
    ("SCOT.pulmonary_hypertension", "scot-eligible", {"echo_pasp_mmhg": 50, "rhc_mpap_rest_mmhg": 25,
                                                      "rhc_mpap_exercise_mmhg": 30},
     {"echo_pasp_mmhg": 50, "rhc_mpap_rest_mmhg": 25.1, "rhc_mpap_exercise_mmhg": 30}, "ineligible",
     "JSRD-2023 T3 echo 45-55 with RHC mPAP > 25 rest [S]"),
    ("SCOT.pulmonary_hypertension", "scot-eligible", {"echo_pasp_mmhg": 50, "rhc_mpap_exercise_mmhg": 30},
     {"echo_pasp_mmhg": 50, "rhc_mpap_exercise_mmhg": 30.1}, "ineligible",
     "JSRD-2023 T3 echo 45-55 with RHC mPAP > 30 exercise [S]"),
    ("SCOT.pulmonary_hypertension", "scot-eligible",
     {"echo_pasp_mmhg": 44.9, "rhc_mpap_rest_mmhg": 40, "rhc_mpap_exercise_mmhg": 45},
     {"echo_pasp_mmhg": 45, "rhc_mpap_rest_mmhg": 40, "rhc_mpap_exercise_mmhg": 45}, "ineligible",
     "JSRD-2023 T3: RHC only counts with echo PASP >= 45 [S]"),
    ("SCOT.pulmonary_hypertension", "scot-eligible", {"who_functional_class": 2}, {"who_functional_class": 3},
     "ineligible", "JSRD-2023 T3 WHO III-IV [S]"),
    ("SCOT.pulmonary_hypertension", "scot-eligible", {"on_pa_pressure_lowering_drugs": False},
     {"on_pa_pressure_lowering_drugs": True}, "ineligible", "JSRD-2023 T3 PA-pressure-lowering drugs [S]"),
    ("SCOT.prior_cyclophosphamide", "scot-eligible",
     {"prior_cyclophosphamide_iv_courses": 6, "prior_cyclophosphamide_iv_months": 6, **ALK},
     {"prior_cyclophosphamide_iv_courses": 7, "prior_cyclophosphamide_iv_months": 6.5, **ALK}, "ineligible",
     "SCOT registry IV > 6 months [P]"),
    ("SCOT.prior_cyclophosphamide", "scot-eligible",
     {"prior_cyclophosphamide_iv_courses": 4, "prior_cyclophosphamide_iv_months": 4,
      "prior_cyclophosphamide_iv_cumulative_g_m2": 3, **ALK},
     {"prior_cyclophosphamide_iv_courses": 4, "prior_cyclophosphamide_iv_months": 4,
      "prior_cyclophosphamide_iv_cumulative_g_m2": 3.1, **ALK}, "ineligible", "SCOT registry cumulative IV > 3 g/m2 [P]"),
    ("SCOT.prior_cyclophosphamide", "scot-eligible", {"prior_cyclophosphamide_oral_months": 4, **ALK},
     {"prior_cyclophosphamide_oral_months": 4.5, **ALK}, "ineligible", "SCOT registry oral > 4 months [P]"),
    ("SCOT.prior_cyclophosphamide", "scot-eligible",
     {"prior_cyclophosphamide_iv_courses": 4, "prior_cyclophosphamide_iv_months": 4,
      "prior_cyclophosphamide_oral_months": 2, **ALK},
     {"prior_cyclophosphamide_iv_courses": 4, "prior_cyclophosphamide_iv_months": 4,
      "prior_cyclophosphamide_oral_months": 2.5, **ALK}, "ineligible", "SCOT registry oral + IV > 6 months [P]"),
    ("SCOT.steroids", "scot-eligible", {"prednisone_equivalent_mg_day": 10}, {"prednisone_equivalent_mg_day": 10.5},
     "ineligible", "SCOT registry > 10 mg/day [P]"),
    ("SCOT.gave", "scot-eligible", {"active_gave": False}, {"active_gave": True}, "ineligible", "SCOT registry [P]"),
    # --- ASSIST: hsct.md A2/A3, all [S] ---
    ("ASSIST.age_min", "scot-eligible", {"age_years": 18}, {"age_years": 17}, "ineligible", "RDCNA-2015 T3 18-60 [S]"),
    ("ASSIST.age_max", "scot-eligible", {"age_years": 59}, {"age_years": 61}, "ineligible",
     "Walker-2018 T1 < 60 / RDCNA-2015 T3 <= 60 [S] (60 itself: test_conflicts)"),
    ("ASSIST.subtype", "scot-eligible", {"mrss_total": 25, "cutaneous_subset": "diffuse"},
     {"mrss_total": 25, "cutaneous_subset": "limited"}, "ineligible", "Walker-2018 T1 [S]"),
    ("ASSIST.skin_or_lung", "scot-eligible", {"mrss_total": 15, "pulmonary_involvement": False},
     {"mrss_total": 14, "pulmonary_involvement": False}, "ineligible",
     "RDCNA-2015 T3 mRSS >= 15 with internal organ [S]"),
    ("ASSIST.skin_or_lung", "scot-eligible",
     {"mrss_total": 14, "pulmonary_involvement": True, "other_visceral_organ_involvement": False},
     {"mrss_total": 14, "pulmonary_involvement": False, "other_visceral_organ_involvement": True}, "ineligible",
     "RDCNA-2015 T3 restricted skin needs lung involvement [S]"),
    ("ASSIST.duration", "scot-eligible", {"disease_duration_years": 4}, {"disease_duration_years": 4.1},
     "ineligible", "Walker-2018 T1 <= 4 y [S]"),
    ("ASSIST.pulmonary_hypertension", "scot-eligible", {"rhc_mpap_rest_mmhg": 25}, {"rhc_mpap_rest_mmhg": 25.1},
     "ineligible", "JSRD-2023 T3 mPAP > 25 [S]"),
    ("ASSIST.pulmonary_hypertension", "scot-eligible", {"rhc_pasp_rest_mmhg": 40}, {"rhc_pasp_rest_mmhg": 40.1},
     "ineligible", "JSRD-2023 T3 PASP > 40 [S]"),
    ("ASSIST.lvef", "scot-eligible", {"lvef_percent": 40}, {"lvef_percent": 39.9}, "ineligible", "Walker-2018 T1 < 40 % [S]"),
    ("ASSIST.creatinine", "scot-eligible", {"serum_creatinine_umol_l": 177}, {"serum_creatinine_umol_l": 177.1},
     "ineligible", "Walker-2018 T1 > 177 umol/L [S]"),
    ("ASSIST.prior_cyclophosphamide", "scot-eligible",
     {"prior_cyclophosphamide_iv_courses": 6, "prior_cyclophosphamide_iv_months": 6, **ALK},
     {"prior_cyclophosphamide_iv_courses": 7, "prior_cyclophosphamide_iv_months": 7, **ALK}, "ineligible",
     "Walker-2018 T1 > 6 courses; RDCNA-2015 > 6 months [S]"),
    # --- ASTIS: hsct.md A2/A3 ---
    ("ASTIS.age_min", "scot-eligible", {"age_years": 18}, {"age_years": 17}, "ineligible", "Walker-2018 T1 18-65 [S]"),
    ("ASTIS.age_max", "scot-eligible", {"age_years": 65}, {"age_years": 66}, "ineligible", "Walker-2018 T1 18-65 [S]"),
    ("ASTIS.subtype", "scot-eligible", {"mrss_total": 25, "cutaneous_subset": "diffuse"},
     {"mrss_total": 25, "cutaneous_subset": "limited"}, "ineligible", "ASTIS JAMA title [P]"),
    ("ASTIS.entry_route", "scot-eligible", {"disease_duration_years": 4}, {"disease_duration_years": 4.1},
     "ineligible", "RDCNA-2015 T3 route A duration <= 4 y [S]"),
    ("ASTIS.entry_route", "scot-eligible", {"mrss_total": 15}, {"mrss_total": 14}, "ineligible",
     "RDCNA-2015 T3 route A mRSS >= 15 [S]"),
    ("ASTIS.entry_route", "scot-eligible", {"disease_duration_years": 2, "mrss_total": 20, "pulmonary_involvement": False},
     {"disease_duration_years": 2, "mrss_total": 19, "pulmonary_involvement": False}, "ineligible",
     "RDCNA-2015 T3 route B mRSS >= 20 [S]"),
    ("ASTIS.entry_route", "scot-eligible",
     {"disease_duration_years": 2, "mrss_total": 20, "pulmonary_involvement": False},
     {"disease_duration_years": 2.1, "mrss_total": 20, "pulmonary_involvement": False}, "ineligible",
     "RDCNA-2015 T3 route B duration <= 2 y [S]"),
    ("ASTIS.pulmonary_hypertension", "scot-eligible", {"rhc_mpap_rest_mmhg": 50}, {"rhc_mpap_rest_mmhg": 50.1},
     "ineligible", "JSRD-2023 T3 mPAP > 50 [S]"),
    ("ASTIS.lvef", "scot-eligible", {"lvef_percent": 45}, {"lvef_percent": 44.9}, "ineligible", "Walker-2018 T1 < 45 % [S]"),
    ("ASTIS.arrhythmia", "scot-eligible", {"uncontrolled_arrhythmia": False}, {"uncontrolled_arrhythmia": True},
     "ineligible", "ASTIS-design T3 [S]"),
    ("ASTIS.dlco", "scot-eligible", {"dlco_percent_predicted": 40}, {"dlco_percent_predicted": 39.9}, "ineligible",
     "ASTIS-design T3 DLCO < 40 % [S]"),
    ("ASTIS.respiratory_failure", "scot-eligible", {"pao2_mmhg": 60}, {"pao2_mmhg": 59.9}, "ineligible",
     "ASTIS-design T3 PaO2 < 8 kPa (60 mmHg) [S]"),
    ("ASTIS.creatinine_clearance", "scot-eligible", {"creatinine_clearance_ml_min": 40},
     {"creatinine_clearance_ml_min": 39.9}, "ineligible", "Walker-2018 T1 CrCl < 40 [S]"),
    ("ASTIS.hypertension", "scot-eligible", {"uncontrolled_hypertension": False}, {"uncontrolled_hypertension": True},
     "ineligible", "ASTIS-design T3 [S]"),
    ("ASTIS.prior_cyclophosphamide", "scot-eligible",
     {"prior_cyclophosphamide_iv_courses": 5, "prior_cyclophosphamide_iv_months": 5,
      "prior_cyclophosphamide_iv_cumulative_g": 5, **ALK},
     {"prior_cyclophosphamide_iv_courses": 5, "prior_cyclophosphamide_iv_months": 5,
      "prior_cyclophosphamide_iv_cumulative_g": 5.1, **ALK}, "ineligible", "Walker-2018 T1 cumulative IV > 5 g [S]"),
    ("ASTIS.prior_cyclophosphamide", "scot-eligible", {"prior_cyclophosphamide_oral_months": 3, **ALK},
     {"prior_cyclophosphamide_oral_months": 3.1, **ALK}, "ineligible", "Walker-2018 T1 oral > 3 months [S]"),
    # --- EBMT 2025: hsct.md A1, msc.md 4.6, all [P] ---
    ("EBMT-2025.age_min", "scot-eligible", {"age_years": 18}, {"age_years": 17}, "ineligible", "EBMT-2025 T2 18-65"),
    ("EBMT-2025.age_max", "scot-eligible", {"age_years": 60}, {"age_years": 61}, "mdt_review",
     "EBMT-2025 T5 limit 60, older after MDT"),
    ("EBMT-2025.classification", "scot-eligible", {"acr_eular_2013_items": None, "acr_eular_2013_classified": True},
     {"acr_eular_2013_items": None, "acr_eular_2013_classified": False}, "ineligible", "EBMT-2025 T5"),
    ("EBMT-2025.duration", "scot-eligible", {"disease_duration_years": 4.9}, {"disease_duration_years": 5},
     "mdt_review", "EBMT-2025 T5 < 5 y (level I), beyond per local experience"),
    ("EBMT-2025.skin_organ", "scot-eligible", {"mrss_total": 16}, {"mrss_total": 15}, "ineligible",
     "EBMT-2025 T5 mRSS > 15 with visceral organ"),
    ("EBMT-2025.skin_organ", "scot-eligible",
     {"mrss_total": 21, "crp_mg_l": 10.1, "crp_other_causes_excluded": True, "pulmonary_involvement": False,
      "other_visceral_organ_involvement": False},
     {"mrss_total": 21, "crp_mg_l": 10, "crp_other_causes_excluded": True, "pulmonary_involvement": False,
      "other_visceral_organ_involvement": False},
     "ineligible", "EBMT-2025 T5 mRSS > 20 with CRP > 10 mg/L"),
    ("EBMT-2025.skin_organ", "scot-eligible",
     {"mrss_total": 21, "crp_mg_l": 30, "crp_other_causes_excluded": True, "pulmonary_involvement": False,
      "other_visceral_organ_involvement": False},
     {"mrss_total": 21, "crp_mg_l": 30, "crp_other_causes_excluded": False, "pulmonary_involvement": False,
      "other_visceral_organ_involvement": False},
     "ineligible", "EBMT-2025 T5 CRP route: infection/other causes excluded"),
    ("EBMT-2025.skin_organ", "scot-eligible",
     {"mrss_total": 20, "crp_mg_l": 30, "pulmonary_involvement": False, "other_visceral_organ_involvement": True},
     {"mrss_total": 20, "crp_mg_l": 30, "pulmonary_involvement": False, "other_visceral_organ_involvement": False},
     "ineligible", "EBMT-2025 T5 mRSS > 20 route needs mRSS 21"),
    ("EBMT-2025.skin_organ", "scot-eligible",
     {"mrss_total": 8, "cutaneous_subset": "limited", "progressive_ild": True},
     {"mrss_total": 8, "cutaneous_subset": "limited", "progressive_ild": False}, "ineligible",
     "EBMT-2025 T5 progressive CT-confirmed ILD (level III)"),
    ("EBMT-2025.line_of_therapy", "scot-eligible", {"first_line_therapy_months": 6}, {"first_line_therapy_months": 5.9},
     "mdt_review", "EBMT-2025 T5 after 6 months of first-line therapy"),
    ("EBMT-2025.line_of_therapy", "scot-eligible",
     {"first_line_therapy_months": 2, "first_line_therapy_intolerant": True},
     {"first_line_therapy_months": 2, "first_line_therapy_intolerant": False}, "mdt_review",
     "EBMT-2025 T5 first-line intolerance"),
    ("EBMT-2025.performance_status", "scot-eligible", {"ecog_performance_status": 1}, {"ecog_performance_status": 2},
     "mdt_review", "EBMT-2025 T2 ECOG >= 2 needs MDT review"),
    ("EBMT-2025.performance_status", "scot-eligible", {"ecog_performance_status": None, "karnofsky_percent": 70},
     {"ecog_performance_status": None, "karnofsky_percent": 60}, "mdt_review",
     "EBMT-2025 T2 Karnofsky <= 60 % needs MDT review"),
    ("EBMT-2025.performance_status", "scot-eligible", {"ecog_performance_status": 1, "karnofsky_percent": 70},
     {"ecog_performance_status": 1, "karnofsky_percent": 60}, "mdt_review",
     "EBMT-2025 T2 poor on either scale (ECOG >= 2, Karnofsky <= 60 %)"),
    ("EBMT-2025.septal_bounce", "scot-eligible", {"cmr_septal_bounce_or_d_sign": False},
     {"cmr_septal_bounce_or_d_sign": True}, "ineligible", "EBMT-2025 T5"),
    ("EBMT-2025.constrictive_pericarditis", "scot-eligible", {"constrictive_pericarditis": False},
     {"constrictive_pericarditis": True}, "ineligible", "EBMT-2025 T5"),
    ("EBMT-2025.tamponade", "scot-eligible", {"cardiac_tamponade": False}, {"cardiac_tamponade": True},
     "ineligible", "EBMT-2025 T5"),
    ("EBMT-2025.pasp_rest", "scot-eligible", {"rhc_pasp_rest_mmhg": 40}, {"rhc_pasp_rest_mmhg": 40.1}, "mdt_review",
     "EBMT-2025 T5 (Cy 200 mg/kg protocols) PASP > 40 rest"),
    ("EBMT-2025.pasp_fluid", "scot-eligible", {"rhc_pasp_fluid_challenge_mmhg": 45},
     {"rhc_pasp_fluid_challenge_mmhg": 45.1}, "mdt_review", "EBMT-2025 T5 (Cy 200 mg/kg protocols) PASP > 45 fluid"),
    ("EBMT-2025.mpap_rest", "scot-eligible", {"rhc_mpap_rest_mmhg": 25}, {"rhc_mpap_rest_mmhg": 25.1}, "mdt_review",
     "EBMT-2025 T5 (Cy 200 mg/kg protocols) mPAP > 25 rest"),
    ("EBMT-2025.mpap_fluid", "scot-eligible", {"rhc_mpap_fluid_challenge_mmhg": 30},
     {"rhc_mpap_fluid_challenge_mmhg": 30.1}, "mdt_review", "EBMT-2025 T5 (Cy 200 mg/kg protocols) mPAP > 30 fluid"),
    # --- EBMT 2017 cardiopulmonary work-up: hsct.md A3 EBMT column [S, JSRD-2023 T3] ---
    ("EBMT-cardio-2017.pvr", "scot-eligible", {"rhc_pvr_wood_units": 3}, {"rhc_pvr_wood_units": 3.1}, "ineligible",
     "JSRD-2023 T3 PVR > 3 WU"),
    ("EBMT-cardio-2017.lvef", "scot-eligible", {"lvef_percent": 45}, {"lvef_percent": 44.9}, "ineligible",
     "JSRD-2023 T3 LVEF < 45 %"),
    ("EBMT-cardio-2017.cardiac_output", "scot-eligible", {"rhc_cardiac_output_rises_after_fluid": True},
     {"rhc_cardiac_output_rises_after_fluid": False}, "ineligible", "JSRD-2023 T3 no CO rise"),
    ("EBMT-cardio-2017.pasp_rest", "scot-eligible", {"rhc_pasp_rest_mmhg": 40}, {"rhc_pasp_rest_mmhg": 40.1},
     "ineligible", "JSRD-2023 T3; EBMT-2025 T5"),
    ("EBMT-cardio-2017.pasp_fluid", "scot-eligible", {"rhc_pasp_fluid_challenge_mmhg": 45},
     {"rhc_pasp_fluid_challenge_mmhg": 45.1}, "ineligible", "JSRD-2023 T3; EBMT-2025 T5"),
    ("EBMT-cardio-2017.mpap_rest", "scot-eligible", {"rhc_mpap_rest_mmhg": 25}, {"rhc_mpap_rest_mmhg": 25.1},
     "ineligible", "JSRD-2023 T3; EBMT-2025 T5"),
    ("EBMT-cardio-2017.mpap_fluid", "scot-eligible", {"rhc_mpap_fluid_challenge_mmhg": 30},
     {"rhc_mpap_fluid_challenge_mmhg": 30.1}, "ineligible", "JSRD-2023 T3; EBMT-2025 T5"),
    ("EBMT-cardio-2017.coronary", "scot-eligible", {"unrevascularised_severe_cad": False},
     {"unrevascularised_severe_cad": True}, "ineligible", "JSRD-2023 T3"),
    ("EBMT-cardio-2017.arrhythmia", "scot-eligible", {"untreated_severe_arrhythmia": False},
     {"untreated_severe_arrhythmia": True}, "ineligible", "JSRD-2023 T3"),
    ("EBMT-cardio-2017.symptomatic", "scot-eligible", {"symptomatic_cardiac_disease": False},
     {"symptomatic_cardiac_disease": True}, "ineligible", "JSRD-2023 T3"),
    # --- UPSIDE: hsct.md A3, protocol Table 2 [P] ---
    ("UPSIDE.age_min", "early-untreated", {"age_years": 18}, {"age_years": 17}, "ineligible", "UPSIDE T2 18-65"),
    ("UPSIDE.age_max", "early-untreated", {"age_years": 65}, {"age_years": 66}, "ineligible", "UPSIDE T2 18-65"),
    ("UPSIDE.classification", "early-untreated", {"acr_eular_2013_items": None, "acr_eular_2013_classified": True},
     {"acr_eular_2013_items": None, "acr_eular_2013_classified": False}, "ineligible", "UPSIDE T2"),
    ("UPSIDE.subtype", "early-untreated", {"mrss_total": 25, "cutaneous_subset": "diffuse"},
     {"mrss_total": 25, "cutaneous_subset": "limited"}, "ineligible", "UPSIDE T2 dcSSc"),
    ("UPSIDE.skin_or_organ", "early-untreated",
     {"mrss_total": 15, "ild_on_hrct": False, "fvc_relative_decline_12m_percent": 0, "tlc_relative_decline_12m_percent": 0,
      "dlco_relative_decline_12m_percent": 0},
     {"mrss_total": 14, "ild_on_hrct": False, "fvc_relative_decline_12m_percent": 0, "tlc_relative_decline_12m_percent": 0,
      "dlco_relative_decline_12m_percent": 0}, "ineligible", "UPSIDE T2 mRSS >= 15"),
    ("UPSIDE.skin_or_organ", "early-untreated",
     {"mrss_total": 14, "ild_on_hrct": True, "fvc_percent_predicted": 90, "dlco_percent_predicted": 85,
      "fvc_relative_decline_12m_percent": 0, "tlc_relative_decline_12m_percent": 0,
      "dlco_relative_decline_12m_percent": 0},
     {"mrss_total": 14, "ild_on_hrct": True, "fvc_percent_predicted": 90, "dlco_percent_predicted": 85.1,
      "fvc_relative_decline_12m_percent": 0, "tlc_relative_decline_12m_percent": 0,
      "dlco_relative_decline_12m_percent": 0}, "ineligible",
     "UPSIDE T2 DLCO <= 85 % with ILD on HRCT"),
    ("UPSIDE.skin_or_organ", "early-untreated",
     {"mrss_total": 14, "ild_on_hrct": False, "fvc_relative_decline_12m_percent": 10.1, "tlc_relative_decline_12m_percent": 0,
      "dlco_relative_decline_12m_percent": 0},
     {"mrss_total": 14, "ild_on_hrct": False, "fvc_relative_decline_12m_percent": 10, "tlc_relative_decline_12m_percent": 0,
      "dlco_relative_decline_12m_percent": 0}, "ineligible", "UPSIDE T2 FVC decline > 10 %"),
    ("UPSIDE.skin_or_organ", "early-untreated",
     {"mrss_total": 14, "ild_on_hrct": False, "fvc_relative_decline_12m_percent": 0, "tlc_relative_decline_12m_percent": 0,
      "dlco_relative_decline_12m_percent": 15.1},
     {"mrss_total": 14, "ild_on_hrct": False, "fvc_relative_decline_12m_percent": 0, "tlc_relative_decline_12m_percent": 0,
      "dlco_relative_decline_12m_percent": 15}, "ineligible", "UPSIDE T2 DLCO decline > 15 %"),
    ("UPSIDE.skin_or_organ", "early-untreated",
     {"mrss_total": 14, "ild_on_hrct": False, "fvc_relative_decline_12m_percent": 0, "tlc_relative_decline_12m_percent": 10.1,
      "dlco_relative_decline_12m_percent": 0},
     {"mrss_total": 14, "ild_on_hrct": False, "fvc_relative_decline_12m_percent": 0, "tlc_relative_decline_12m_percent": 10,
      "dlco_relative_decline_12m_percent": 0}, "ineligible",
     "UPSIDE T2 (PMC7978271) TLC decline > 10 % ('FVC predicted and/or TLC predicted')"),
    ("UPSIDE.prior_immunosuppression", "early-untreated", {"prior_immunosuppressant_months": 6},
     {"prior_immunosuppressant_months": 6.5}, "ineligible", "UPSIDE T2 > 6 months"),
    ("UPSIDE.prior_alkylating_agent", "early-untreated", {"prior_alkylating_agent": False},
     {"prior_alkylating_agent": True}, "ineligible", "UPSIDE T2 any alkylating agent"),
    ("UPSIDE.prior_irradiation", "early-untreated", {"prior_tli_or_tbi": False}, {"prior_tli_or_tbi": True},
     "ineligible", "UPSIDE T2 prior TLI/TBI"),
    ("UPSIDE.mpap_rest", "early-untreated", {"rhc_mpap_rest_mmhg": 20}, {"rhc_mpap_rest_mmhg": 20.1}, "ineligible",
     "UPSIDE T2 resting mPAP > 20"),
]


@pytest.mark.parametrize(("rule_id", "base", "ok", "bad", "consequence", "source"), CASES,
                         ids=[f"{c[0]}:{c[5]}" for c in CASES])
def test_both_sides_of_threshold(rule_id: str, base: str, ok: dict[str, Any], bad: dict[str, Any],
                                 consequence: str, source: str) -> None:
    set_id = rule_id.split(".")[0]
    passing = run(base, **ok)
    assert rule_value(passing, rule_id) is True, source
    assert passing.verdict(set_id).verdict == "eligible", passing.verdict(set_id).summary()

    failing = run(base, **bad)
    assert rule_value(failing, rule_id) is False, source
    verdict = failing.verdict(set_id)
    if consequence == "ineligible":
        assert verdict.verdict == "not eligible"
        assert rule_id in verdict.failed
    else:  # the guideline lets a multidisciplinary team go beyond the limit: eligible only after review
        assert verdict.verdict == "eligible after MDT review"
        assert rule_id in verdict.mdt_review
        assert rule_id not in verdict.failed
        assert verdict.summary().startswith("eligible after MDT review: ")
        assert rule_id in verdict.summary()


def test_every_numeric_rule_has_a_threshold_case() -> None:
    """Each rule with a numeric or yes/no criterion appears in CASES (or test_conflicts)."""
    from sclerostem.rules import criteria_sets

    covered = {c[0] for c in CASES}
    tested_elsewhere = {  # UNCONFIRMED or conflicting thresholds: mechanism tests in test_conflicts.py
        "SCOT.duration", "UPSIDE.duration", "EBMT-cardio-2017.tapse", "ASBMT-2018.rct_population",
        "EBMT-2025.smoking_documented", "EBMT-cardio-2017.pft_done", "EBMT-cardio-2017.cmr",
        "EBMT-cardio-2017.pericardium",
    }
    all_rules = {r.id for s in criteria_sets() for r in s.rules}
    assert all_rules - covered - tested_elsewhere == set()


def test_ebmt_crp_route_is_unknown_until_other_causes_are_excluded() -> None:
    """EBMT-2025 T5 (hsct.md A1): "CRP > 10 mg/L with infection/other causes excluded" — not recorded
    means unknown (asked from the clinical history), never assumed excluded."""
    a = run(mrss_total=21, crp_mg_l=30, pulmonary_involvement=False, other_visceral_organ_involvement=False,
            crp_other_causes_excluded=None)
    v = a.verdict("EBMT-2025")
    assert rule_value(a, "EBMT-2025.skin_organ") is None
    assert "crp_other_causes_excluded" in v.rule("EBMT-2025.skin_organ").missing
    assert v.verdict == "undetermined"


def test_ebmt_pulmonary_pressure_limits_are_scoped_to_cy_200_protocols() -> None:
    """EBMT-2025 T5 / msc.md 4.6: PASP/mPAP limits are contraindications for standard high-dose
    cyclophosphamide (200 mg/kg) protocols only; the summary says exactly that."""
    v = run(rhc_mpap_rest_mmhg=32).verdict("EBMT-2025")
    assert v.verdict == "eligible after MDT review"
    assert v.summary() == ("eligible after MDT review: EBMT-2025.mpap_rest "
                           "(contraindication for Cy 200 mg/kg protocols)")


def test_eligible_after_mdt_review_with_an_unknown_rule_is_undetermined() -> None:
    """An unknown rule still leaves the set undetermined; the review is named after it."""
    v = run(age_years=61, smoking_status=None).verdict("EBMT-2025")
    assert v.verdict == "undetermined"
    assert v.summary() == ("undetermined: needs clinical history "
                           "(multidisciplinary review needed: EBMT-2025.age_max)")


def test_review_reasons_are_grouped_and_kept_apart() -> None:
    """A plain MDT limit (age > 60, EBMT-2025 T5) and a protocol-scoped one (mPAP > 25, T5) in one line."""
    v = run("older-man-low-lvef", rhc_mpap_rest_mmhg=30).verdict("EBMT-2025")
    assert v.summary() == ("eligible after MDT review: EBMT-2025.age_max; EBMT-2025.mpap_rest "
                           "(contraindication for Cy 200 mg/kg protocols)")
    ph = run("pulmonary-hypertension").verdict("EBMT-2025")
    assert ph.summary() == ("eligible after MDT review: EBMT-2025.pasp_rest, EBMT-2025.pasp_fluid, "
                            "EBMT-2025.mpap_rest, EBMT-2025.mpap_fluid (contraindication for Cy 200 mg/kg protocols)")
