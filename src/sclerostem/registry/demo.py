"""Synthetic demo cohort — every record is invented and labelled as such.

:func:`load_demo_cohort` fills a registry with clearly synthetic patients
(study ids ``DEMO-…``, names ``Synthetic Patient …``, ``synthetic = True``):
autologous-HSCT recipients and conventionally treated patients followed for
up to about six years, with mRSS/FVC/DLCO/HAQ-DI trajectories, treatments,
transplants with cell lots, and events including treatment-related deaths.

The trajectories are **illustrative, not data**: their shape follows the
direction of effect reported for HSCT versus cyclophosphamide (shared/spec/
hsct.md §C: skin and lung function improve more after HSCT, with early
treatment-related mortality — 12-month TRM 0 %, 10.1 % and 3 % in ASSIST,
ASTIS and SCOT, msc.md §4.1 and scores.md §10), but every number drawn here is
a generator parameter, not an estimate.
Never analyse the demo cohort as evidence.

Demo users (documented in docs/registry.md; change them on a real server):

=============  ==================  ==========  =====================
username       password            role        centre
=============  ==================  ==========  =====================
admin          demo-admin          admin       —
clinician      demo-clinician      clinician   Demo Centre North
clinician2     demo-clinician2     clinician   Demo Centre South
researcher     demo-researcher     researcher  —
=============  ==================  ==========  =====================
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import func, select

from sclerostem.registry._db import Database
from sclerostem.registry._fields import MRSS_SITES
from sclerostem.registry._scoring import DEFER_KEY, recompute_all
from sclerostem.registry._services import (
    add_diagnosis,
    add_event,
    add_transplant,
    add_treatment,
    add_visit,
    create_cell_lot,
    create_patient,
    create_user,
)
from sclerostem.registry.models import Patient, User

__all__ = ["CENTRES", "DEMO_SEED", "DEMO_USERS", "load_demo_cohort"]

#: (username, password, role, centre)
DEMO_USERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("admin", "demo-admin", "admin", None),
    ("clinician", "demo-clinician", "clinician", "Demo Centre North"),
    ("clinician2", "demo-clinician2", "clinician", "Demo Centre South"),
    ("researcher", "demo-researcher", "researcher", None),
)
CENTRES = ("Demo Centre North", "Demo Centre South")
DEMO_SEED = 20240501

#: Generator parameters (synthetic; not estimates).
P_TRANSPLANTED = 0.45
P_TRM_HSCT = 0.07  # within the 0–10.1 % 12-month TRM range of msc.md §4.1 and scores.md §10 (illustrative)
VISIT_MONTHS = (0, 6, 12, 24, 36, 48, 54, 60, 72)
# mRSS weights per site (fingers/hands/forearms thicker in dcSSc) — illustrative.
_SITE_WEIGHT = {"face": 1.0, "anterior_chest": 0.6, "abdomen": 0.5, "fingers_right": 2.2,
                "fingers_left": 2.2, "hand_dorsum_right": 2.0, "hand_dorsum_left": 2.0,
                "forearm_right": 1.7, "forearm_left": 1.7, "upper_arm_right": 1.1,
                "upper_arm_left": 1.1, "thigh_right": 0.8, "thigh_left": 0.8,
                "lower_leg_right": 1.2, "lower_leg_left": 1.2, "foot_dorsum_right": 1.0,
                "foot_dorsum_left": 1.0}


def _months(d: dt.date, m: float) -> dt.date:
    return d + dt.timedelta(days=round(m * 30.4375))


def _mrss_sites(rng: random.Random, total: int) -> dict[str, int]:
    grades = dict.fromkeys(MRSS_SITES, 0)
    total = max(0, min(51, total))
    for _ in range(total):
        open_sites = [s for s in MRSS_SITES if grades[s] < 3]
        weights = [_SITE_WEIGHT[s] for s in open_sites]
        grades[rng.choices(open_sites, weights)[0]] += 1
    return {f"mrss_{s}": g for s, g in grades.items()}


def rng_seed_extra(i: int) -> int:
    """Seed of patient ``i``'s second generator (organ involvement, work-up items)."""
    return DEMO_SEED * 1000 + i


def _organ_profile(rng: random.Random, *, morphea: bool, ild: bool, diffuse: bool) -> dict[str, Any]:
    """Organ involvement of one synthetic patient (illustrative generator parameters)."""
    if morphea:
        return {"morphea": True}
    return {
        "morphea": False,
        "ild": ild,
        "progressive_ild": ild and rng.random() < 0.35,
        "heart": rng.random() < (0.15 if diffuse else 0.07),
        "kidney": rng.random() < (0.06 if diffuse else 0.02),
        "gut": rng.random() < 0.45,
        "proteinuria": rng.random() < 0.06,
        "tfr": diffuse and rng.random() < 0.3,
        "karnofsky": rng.choice((70, 80, 80, 90, 90, 100)),
        "tlc_decline": round(rng.uniform(3, 18), 1) if ild else 0.0,
    }


def _ecog(karnofsky: int) -> int:
    """ECOG grade matching a Karnofsky score (100-90 -> 0, 80-70 -> 1, 60-50 -> 2, 40-30 -> 3, else 4)."""
    return 0 if karnofsky >= 90 else 1 if karnofsky >= 70 else 2 if karnofsky >= 50 else 3 if karnofsky >= 30 else 4


def _visit_extras(rng: random.Random, organs: dict[str, Any], *, m: int, tx: bool, fvc: float,
                  crp_mg_dl: float) -> dict[str, Any]:
    """Candidacy inputs, EUSTAR activity items and CRISS step-1 events of one synthetic visit."""
    if organs.get("morphea"):
        return {}
    early = m <= 12
    out: dict[str, Any] = {
        "skin_worsening_patient_last_month": rng.random() < (0.3 if early and not tx else 0.1),
        "tendon_friction_rubs": organs["tfr"] and (m == 0 or rng.random() < (0.2 if tx else 0.5)),
        "pulmonary_involvement": organs["ild"] or fvc < 70,
        "progressive_ild": organs["progressive_ild"] and not (tx and m > 0),
        "heart_involvement": organs["heart"],
        "kidney_involvement": organs["kidney"],
        "other_visceral_organ_involvement": organs["gut"],
        "proteinuria": organs["proteinuria"],
        "acute_phase_reaction": crp_mg_dl > 1.0,
    }
    if crp_mg_dl > 1.0:
        out["crp_other_causes_excluded"] = rng.random() < 0.7
    if m == 0:
        kps = organs["karnofsky"]
        out["karnofsky_percent"] = kps
        out["ecog_performance_status"] = _ecog(kps)
        out["tlc_relative_decline_12m_percent"] = organs["tlc_decline"]
        if tx:  # the pre-transplant cardiopulmonary work-up includes a right-heart catheter
            out["rhc_mpap_mmhg"] = round(_clip(rng.gauss(17, 3), 10, 24))
    else:
        out.update({"criss_new_renal_crisis": False, "criss_fvc_decline_with_ild": False,
                    "criss_new_lv_failure": False, "criss_new_pah": rng.random() < 0.01})
    return out


def _clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _ensure_users(db: Database) -> None:
    with db.session() as s:
        existing = set(s.execute(select(User.username)).scalars())
        admin = s.execute(select(User).where(User.role == "admin").order_by(User.id)).scalars().first()
        for username, password, role, centre in DEMO_USERS:
            if username in existing:
                continue
            user = create_user(s, admin, username, password, role, centre=centre,
                               full_name=f"Demo {role}")
            if admin is None:
                admin = user


def load_demo_cohort(db: Database, n_patients: int = 60, seed: int = DEMO_SEED,
                     today: dt.date | None = None) -> dict[str, Any]:
    """Create the demo users and ``n_patients`` synthetic patients (idempotent).

    Parameters
    ----------
    db : Database
        Target registry (schema created if needed).
    n_patients : int
        Number of synthetic patients (skipped if the registry already holds
        synthetic patients).
    seed : int
        Random seed: the same seed gives the same cohort.
    today : date, optional
        End of follow-up (default: today).

    Returns
    -------
    dict
        ``{"users": [...usernames], "patients": n created, "transplanted": n}``.
    """
    rng = random.Random(seed)
    today = today or dt.date.today()
    db.create_all()
    _ensure_users(db)
    created = transplanted = 0
    with db.session() as s:
        if s.execute(select(func.count(Patient.id)).where(Patient.synthetic.is_(True))).scalar():
            # Reuse the populated database; refresh only scores stored by another engine version.
            recompute_all(s)
            return {"users": [u[0] for u in DEMO_USERS], "patients": 0, "transplanted": 0}
        admin = s.execute(select(User).where(User.username == "admin")).scalar_one()
        s.info[DEFER_KEY] = True  # score all visits in one engine call at commit
        for i in range(1, n_patients + 1):
            tx = _one_patient(s, admin, rng, i, today)
            created += 1
            transplanted += tx
    return {"users": [u[0] for u in DEMO_USERS], "patients": created, "transplanted": transplanted}


def _one_patient(s: Any, admin: User, rng: random.Random, i: int, today: dt.date) -> bool:
    centre = CENTRES[0] if rng.random() < 0.6 else CENTRES[1]
    dob = dt.date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
    morphea = rng.random() < 0.08
    tx = (not morphea) and rng.random() < P_TRANSPLANTED
    p = create_patient(
        s, admin, study_id=f"DEMO-{i:03d}", centre=centre, sex=rng.choice(["female"] * 3 + ["male"]),
        name=f"Synthetic Patient {i:03d}", date_of_birth=dob, hospital_number=f"SYN{i:06d}",
        consent_registry=True, synthetic=True,
    )
    baseline = dt.date(rng.randint(2016, 2021), rng.randint(1, 12), rng.randint(1, 28))
    onset = baseline - dt.timedelta(days=rng.randint(200, 1400))
    subset = "dcSSc" if tx or rng.random() < 0.7 else "lcSSc"
    ild = False
    if morphea:
        add_diagnosis(s, admin, p.id, disease="morphea",
                      subset=rng.choice(["limited_morphea", "generalized_morphea", "linear_scleroderma"]),
                      diagnosis_date=onset + dt.timedelta(days=60))
    else:
        dx = add_diagnosis(
            s, admin, p.id, disease="ssc", subset=subset,
            raynaud_onset_date=onset - dt.timedelta(days=rng.randint(0, 700)),
            first_non_raynaud_date=onset, diagnosis_date=onset + dt.timedelta(days=rng.randint(30, 150)),
            anti_scl70=rng.random() < 0.5, anti_centromere=subset == "lcSSc" and rng.random() < 0.5,
            anti_rna_pol3=rng.random() < 0.15, ild=rng.random() < 0.6,
        )
        ild = bool(dx.ild)
    # --- treatment -----------------------------------------------------------------------------
    day0 = None
    death: tuple[dt.date, str, bool] | None = None
    if tx:
        add_treatment(s, admin, p.id, agent="mycophenolate", start_date=onset + dt.timedelta(days=180),
                      end_date=baseline, dose=2000, dose_unit="mg/day", route="oral")
        day0 = _months(baseline, rng.uniform(2, 4))
        scot = rng.random() < 0.4
        lot = create_cell_lot(
            s, admin, p.id, lot_number=f"DEMO-HSC-{i:03d}",
            product_type="hsc_cd34_selected" if scot or rng.random() < 0.6 else "hsc_unmanipulated",
            collection_date=day0 - dt.timedelta(days=40), release_date=day0 - dt.timedelta(days=30),
            viable_cells_e6=round(rng.uniform(200, 900), 1), viability_percent=round(rng.uniform(85, 99), 1),
            cd34_percent=round(rng.uniform(60, 95), 1), status="infused",
        )
        add_transplant(
            s, admin, p.id, cell_lot_id=lot.id,
            mobilisation_regimen="gcsf_only" if scot else "cy_gcsf",
            mobilisation_date=day0 - dt.timedelta(days=50), apheresis_date=day0 - dt.timedelta(days=40),
            apheresis_sessions=rng.randint(1, 3), cd34_collected_e6_per_kg=round(rng.uniform(3, 12), 2),
            cd34_selection=lot.product_type == "hsc_cd34_selected",
            cd34_infused_e6_per_kg=round(rng.uniform(2.5, 8), 2),
            conditioning_regimen="cy120_eatg_tbi" if scot else "cy200_ratg", transplant_date=day0,
            neutrophil_engraftment_date=day0 + dt.timedelta(days=rng.randint(8, 13)),
            platelet_engraftment_date=day0 + dt.timedelta(days=rng.randint(9, 16)),
        )
        if rng.random() < P_TRM_HSCT:
            d = day0 + dt.timedelta(days=rng.randint(20, 300))
            death = (d, rng.choice(["sepsis", "cardiac toxicity", "pneumonia"]), True)
        elif rng.random() < 0.3:
            add_event(s, admin, p.id, event_type="infection", event_date=day0 + dt.timedelta(days=rng.randint(10, 120)),
                      treatment_related=True, grade=rng.randint(2, 4), cause="febrile neutropenia / viral reactivation")
        if death is None and rng.random() < 0.1:
            add_event(s, admin, p.id, event_type="secondary_autoimmunity",
                      event_date=day0 + dt.timedelta(days=rng.randint(200, 900)), treatment_related=True,
                      grade=2, cause="autoimmune thyroiditis (synthetic)")
    elif not morphea:
        add_treatment(s, admin, p.id, agent="cyclophosphamide", start_date=baseline,
                      end_date=_months(baseline, 11), dose=750, dose_unit="mg/m2", route="iv", courses=12)
        add_treatment(s, admin, p.id, agent="mycophenolate", start_date=_months(baseline, 12),
                      dose=2000, dose_unit="mg/day", route="oral")
        if rng.random() < 0.12:
            d = _months(baseline, rng.uniform(12, 60))
            death = (d, rng.choice(["respiratory failure (SSc-ILD)", "cardiac SSc", "scleroderma renal crisis"]), False)
        elif rng.random() < 0.2:
            add_event(s, admin, p.id, event_type="organ_failure", organ=rng.choice(["lung", "heart", "kidney"]),
                      event_date=_months(baseline, rng.uniform(6, 48)), treatment_related=False, grade=4)
    else:
        add_treatment(s, admin, p.id, agent="methotrexate", start_date=baseline, dose=15,
                      dose_unit="mg", route="sc")
    if death is not None and death[0] <= today:
        add_event(s, admin, p.id, event_type="death", event_date=death[0], cause=death[1],
                  treatment_related=death[2], grade=5)
    # --- visits --------------------------------------------------------------------------------
    m0 = rng.randint(14, 32) if subset == "dcSSc" and not morphea else rng.randint(3, 12)
    fvc0 = _clip(rng.gauss(72, 12), 40, 110)
    dlco0 = _clip(rng.gauss(58, 12), 25, 95)
    haq0 = _clip(rng.gauss(1.3, 0.5), 0, 2.8)
    dropout = rng.choice([None, None, None, rng.choice(VISIT_MONTHS[3:])])
    ref = day0 or baseline
    # Organ involvement and work-up items come from a second generator, so that the
    # trajectories above stay the same as in earlier versions of the demo cohort.
    org = random.Random(rng_seed_extra(i))
    organs = _organ_profile(org, morphea=morphea, ild=ild, diffuse=subset == "dcSSc" and not morphea)
    for m in VISIT_MONTHS:
        when = baseline if m == 0 else _months(ref, m)
        if when > today or (death is not None and when >= death[0]) or (dropout and m > dropout):
            break
        f = min(m, 36) / 36
        if tx:
            mrss = m0 * (1 - 0.6 * f) + rng.gauss(0, 2)
            fvc = fvc0 + 6 * f + rng.gauss(0, 3)
            dlco = dlco0 + 2 * f + rng.gauss(0, 3)
            haq = haq0 - 0.6 * f + rng.gauss(0, 0.15)
        else:
            mrss = m0 * (1 - 0.25 * f) + rng.gauss(0, 2.5)
            fvc = fvc0 - 1.5 * m / 12 + rng.gauss(0, 3)
            dlco = dlco0 - 1.5 * m / 12 + rng.gauss(0, 3)
            haq = haq0 - 0.1 * f + rng.gauss(0, 0.15)
        values: dict[str, Any] = {
            "visit_date": when, "visit_label": "baseline" if m == 0 else f"month_{m}",
            **_mrss_sites(rng, round(mrss)),
            "fvc_percent_predicted": round(_clip(fvc, 25, 130), 1),
            "dlco_percent_predicted": round(_clip(dlco, 15, 120), 1),
            "lvef_percent": round(_clip(rng.gauss(60, 5), 35, 75)),
            "echo_spap_mmhg": round(_clip(rng.gauss(30, 6), 15, 80)),
            "creatinine_clearance_ml_min": round(_clip(rng.gauss(95, 18), 30, 160)),
            "creatinine_mg_dl": round(_clip(rng.gauss(0.8, 0.15), 0.4, 2.5), 2),
            "crp_mg_dl": round(_clip(rng.lognormvariate(-0.7, 0.8), 0, 20), 2),
            "haq_di": round(_clip(haq, 0, 3) * 8) / 8,
            "weight_kg": round(_clip(rng.gauss(66, 11), 40, 120), 1),
            "patient_global_0_10": round(_clip(rng.gauss(5, 2), 0, 10), 1),
            "physician_global_0_10": round(_clip(rng.gauss(4, 2), 0, 10), 1),
            "digital_ulcers": rng.random() < 0.15,
        }
        values.update(_visit_extras(org, organs, m=m, tx=tx, fvc=values["fvc_percent_predicted"],
                                    crp_mg_dl=values["crp_mg_dl"]))
        if m == 0 and tx:
            values["visit_label"] = "baseline (pre-HSCT)"
        add_visit(s, admin, p.id, **values)
    if tx and death is None and rng.random() < 0.12 and today > _months(ref, 30):
        add_event(s, admin, p.id, event_type="relapse", event_date=_months(ref, rng.uniform(18, 30)),
                  treatment_related=False, cause="skin progression (synthetic)")
    return tx
