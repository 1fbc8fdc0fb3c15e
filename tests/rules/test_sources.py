"""Every rule names a source key of the spec's source register, with a table/page reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sclerostem.result import Evidence
from sclerostem.rules import criteria_sets
from sclerostem.rules._sources import SOURCE_KEYS
from tests.conftest import require_or_skip

SNAPSHOT = Path(__file__).parent / "data" / "hsct_source_register_keys.txt"
SPEC_DIR = Path(__file__).resolve().parents[3] / "shared" / "spec"


def _snapshot_keys() -> list[str]:
    return [ln.strip() for ln in SNAPSHOT.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def parse_register(text: str) -> list[str]:
    """Keys (first column) of the '## 0. Source register' table of hsct.md."""
    section = text.split("## 0. Source register", 1)[1].split("\n---", 1)[0]
    keys = []
    for line in section.splitlines():
        m = re.match(r"^\| ([^|]+?) \|", line)
        if m and m.group(1) not in ("key", "---"):
            keys.append(re.sub(r"\s*\(.*\)$", "", m.group(1)).strip())  # "Levin-2022 (probable)"
    return keys


def test_snapshot_matches_the_spec() -> None:
    spec = SPEC_DIR / "hsct.md"
    require_or_skip(spec.is_file(), f"shared spec at {spec}")
    assert parse_register(spec.read_text(encoding="utf-8")) == _snapshot_keys()


def test_engine_accepts_exactly_the_register_keys() -> None:
    assert list(SOURCE_KEYS) == _snapshot_keys()


def test_msc_spec_ebmt_2025_rules_use_the_same_key() -> None:
    spec = SPEC_DIR / "msc.md"
    require_or_skip(spec.is_file(), f"shared spec at {spec}")
    section = spec.read_text(encoding="utf-8").split("### 4.6", 1)[1].split("\n---", 1)[0]
    assert "10.1038/s41409-025-02695-y" in section  # the DOI of EBMT-2025 in hsct.md §0


@pytest.mark.parametrize("cs", criteria_sets(), ids=lambda s: s.id)
def test_every_rule_cites_a_register_key_and_a_reference(cs) -> None:  # type: ignore[no-untyped-def]
    keys = set(_snapshot_keys())
    assert cs.source in keys
    for rule in cs.rules:
        assert rule.sources, rule.id
        assert set(rule.sources) <= keys, rule.id
        assert rule.ref.strip(), rule.id


C, S, U = Evidence.CONFIRMED, Evidence.SECONDARY, Evidence.UNCONFIRMED

#: Expected status of every rule, with the shared/spec row that gives it ([P] -> CONFIRMED,
#: [S] -> SECONDARY, [U] or the toolkit's own reading -> UNCONFIRMED).
EXPECTED_STATUS: dict[str, tuple[Evidence, str]] = {
    "EBMT-2025.age_min": (C, "hsct.md A1 EBMT-2025 Table 2 [P]: age 18-65"),
    "EBMT-2025.age_max": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: upper limit 60, MDT"),
    "EBMT-2025.classification": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: 2013 ACR/EULAR"),
    "EBMT-2025.duration": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: duration < 5 y"),
    "EBMT-2025.line_of_therapy": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: second line after 6 months"),
    "EBMT-2025.skin_organ": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: mRSS > 15 + organ / > 20 + CRP; ILD"),
    "EBMT-2025.smoking_documented": (C, "hsct.md A1 EBMT-2025 Table 2 [P]: smoking status in work-up"),
    "EBMT-2025.performance_status": (C, "hsct.md A1 EBMT-2025 Table 2 [P]: ECOG >= 2, Karnofsky <= 60 %"),
    "EBMT-2025.septal_bounce": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: septal bounce"),
    "EBMT-2025.constrictive_pericarditis": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: constrictive pericarditis"),
    "EBMT-2025.tamponade": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: tamponade"),
    "EBMT-2025.pasp_rest": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: PASP > 40 rest (Cy 200 mg/kg)"),
    "EBMT-2025.pasp_fluid": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: PASP > 45 fluid (Cy 200 mg/kg)"),
    "EBMT-2025.mpap_rest": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: mPAP > 25 rest (Cy 200 mg/kg)"),
    "EBMT-2025.mpap_fluid": (C, "hsct.md A1 EBMT-2025 Table 5 [P]: mPAP > 30 fluid (Cy 200 mg/kg)"),
    "EBMT-cardio-2017.pft_done": (C, "hsct.md A1 EBMT-cardio-2017 [P, abstract]: PFT in the work-up"),
    "EBMT-cardio-2017.pasp_rest": (S, "hsct.md A3 PH row, EBMT column [S] JSRD-2023 T3"),
    "EBMT-cardio-2017.pasp_fluid": (S, "hsct.md A3 PH row, EBMT column [S] JSRD-2023 T3"),
    "EBMT-cardio-2017.mpap_rest": (S, "hsct.md A3 PH row, EBMT column [S] JSRD-2023 T3"),
    "EBMT-cardio-2017.mpap_fluid": (S, "hsct.md A3 PH row, EBMT column [S] JSRD-2023 T3"),
    "EBMT-cardio-2017.cardiac_output": (S, "hsct.md A3 PH row, EBMT column [S]: no rise after fluid"),
    "EBMT-cardio-2017.pvr": (S, "hsct.md A3 PH row, EBMT column [S]: PVR > 3 WU"),
    "EBMT-cardio-2017.lvef": (S, "hsct.md A3 LVEF row, EBMT column [S]: < 45 %"),
    "EBMT-cardio-2017.cmr": (S, "hsct.md A3 cardiac MRI row [S] JSRD-2023"),
    "EBMT-cardio-2017.coronary": (S, "hsct.md A3 coronary disease row [S] JSRD-2023"),
    "EBMT-cardio-2017.arrhythmia": (S, "hsct.md A3 arrhythmia row, EBMT [S] JSRD-2023"),
    "EBMT-cardio-2017.pericardium": (S, "hsct.md A3 pericardium row [S] JSRD-2023"),
    "EBMT-cardio-2017.symptomatic": (S, "hsct.md A3 other cardiac row [S] JSRD-2023"),
    "EBMT-cardio-2017.tapse": (U, "hsct.md A3 other cardiac row: TAPSE column placement inferred, not certain"),
    "ASBMT-2018.rct_population": (U, "hsct.md A1 ASBMT-2018 [P, abstract]: no patient criteria; toolkit reading"),
    "ASSIST.age_min": (S, "hsct.md A2 ASSIST.age [S] RDCNA-2015 T3 18-60"),
    "ASSIST.age_max": (S, "hsct.md A2 ASSIST.age [S] Walker-2018 T1 < 60"),
    "ASSIST.subtype": (S, "hsct.md A2 ASSIST.subtype [S] Walker-2018"),
    "ASSIST.skin_or_lung": (S, "hsct.md A2 ASSIST.skin_or_lung [S] RDCNA-2015 T3"),
    "ASSIST.duration": (S, "hsct.md A2 ASSIST.duration [S] Walker-2018, RDCNA-2015"),
    "ASSIST.pulmonary_hypertension": (S, "hsct.md A3 PH row, ASSIST [S] JSRD-2023 T3"),
    "ASSIST.lvef": (S, "hsct.md A3 LVEF row, ASSIST [S] Walker-2018 T1"),
    "ASSIST.creatinine": (S, "hsct.md A3 renal row, ASSIST [S] Walker-2018"),
    "ASSIST.prior_cyclophosphamide": (S, "hsct.md A3 prior cyclophosphamide row, ASSIST [S]"),
    "ASTIS.age_min": (S, "hsct.md A2 ASTIS.age [S] Walker-2018, RDCNA-2015"),
    "ASTIS.age_max": (S, "hsct.md A2 ASTIS.age [S] Walker-2018, RDCNA-2015"),
    "ASTIS.subtype": (S, "not in hsct.md A2; Walker-2018 Table 1 [S]"),
    "ASTIS.entry_route": (S, "hsct.md A2 ASTIS.route_A / route_B [S] RDCNA-2015"),
    "ASTIS.pulmonary_hypertension": (S, "hsct.md A3 PH row, ASTIS [S] JSRD-2023 T3, Walker-2018 T1"),
    "ASTIS.lvef": (S, "hsct.md A3 LVEF row, ASTIS [S] Walker-2018 T1"),
    "ASTIS.arrhythmia": (S, "hsct.md A3 arrhythmia row, ASTIS [S] early ASTIS design table"),
    "ASTIS.dlco": (S, "hsct.md A3 DLCO row, ASTIS [S] early ARD design table"),
    "ASTIS.respiratory_failure": (S, "hsct.md A3 arterial oxygen row [S] early ASTIS design table"),
    "ASTIS.creatinine_clearance": (S, "hsct.md A3 renal row, ASTIS [S] Walker-2018"),
    "ASTIS.hypertension": (S, "hsct.md A3 hypertension row [S] early ASTIS design table"),
    "ASTIS.prior_cyclophosphamide": (S, "hsct.md A3 prior cyclophosphamide row, ASTIS [S]"),
    "SCOT.age_min": (C, "hsct.md A2 SCOT.age [P] SCOT abstract, registry"),
    "SCOT.age_max": (C, "hsct.md A2 SCOT.age [P] SCOT abstract, registry"),
    "SCOT.subtype": (S, "hsct.md A2 SCOT.subtype [S] Walker-2018, RDCNA-2015"),
    "SCOT.skin": (S, "hsct.md A2 SCOT.skin [S] Walker-2018, RDCNA-2015"),
    "SCOT.organ": (C, "hsct.md A2 SCOT.organ [P] registry: lungs or kidneys"),
    "SCOT.duration": (U, "hsct.md A2 SCOT.duration: conflict, unresolved [U]"),
    "SCOT.contraception": (C, "hsct.md A2 SCOT.contraception [P] registry"),
    "SCOT.pulmonary_hypertension": (S, "hsct.md A3 PH row, SCOT [S] JSRD-2023 T3"),
    "SCOT.lvef": (S, "hsct.md A3 LVEF row, SCOT [S] Walker-2018 T1; JSRD-2023 T3"),
    "SCOT.fvc": (S, "hsct.md A3 FVC row, SCOT [S] Walker-2018"),
    "SCOT.dlco": (S, "hsct.md A3 DLCO row, SCOT [S] Walker-2018"),
    "SCOT.creatinine_clearance": (S, "hsct.md A3 renal row, SCOT [S] Walker-2018"),
    "SCOT.prior_cyclophosphamide": (C, "hsct.md A3 prior cyclophosphamide row, SCOT [P] registry"),
    "SCOT.gave": (C, "hsct.md A3 GI row, SCOT [P] registry"),
    "SCOT.steroids": (C, "hsct.md A3 steroids row, SCOT [P] registry (partial)"),
    "UPSIDE.age_min": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: age 18-65"),
    "UPSIDE.age_max": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: age 18-65"),
    "UPSIDE.classification": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: 2013 ACR-EULAR dcSSc"),
    "UPSIDE.subtype": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: dcSSc"),
    "UPSIDE.duration": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: <= 2 y (amendment <= 3 y [U])"),
    "UPSIDE.skin_or_organ": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: mRSS >= 15 and/or organ"),
    "UPSIDE.prior_immunosuppression": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: immunosuppressants > 6 mo"),
    "UPSIDE.prior_alkylating_agent": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: any alkylating agent"),
    "UPSIDE.prior_irradiation": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: prior TLI/TBI"),
    "UPSIDE.mpap_rest": (C, "hsct.md A3 UPSIDE [P, protocol Table 2]: resting mPAP > 20"),
}


def test_status_table_covers_every_rule() -> None:
    assert {r.id for s in criteria_sets() for r in s.rules} == set(EXPECTED_STATUS)


@pytest.mark.parametrize("rule", [r for s in criteria_sets() for r in s.rules], ids=lambda r: r.id)
def test_rule_status_matches_its_spec_row(rule) -> None:  # type: ignore[no-untyped-def]
    expected, spec_row = EXPECTED_STATUS[rule.id]
    assert rule.status is expected, f"{rule.id}: {spec_row}"


def test_sets_have_versions_and_the_expected_ids() -> None:
    sets = criteria_sets()
    assert [s.id for s in sets] == ["EBMT-2025", "EBMT-cardio-2017", "ASBMT-2018", "ASSIST", "ASTIS", "SCOT", "UPSIDE"]
    assert all(s.version for s in sets)


def test_unconfirmed_rules_are_exactly_those_the_spec_leaves_open() -> None:
    """hsct.md: SCOT duration conflict [U] (A2), TAPSE column placement inferred (A3); the ASBMT set is
    the toolkit's reading of an abstract without patient criteria (A1)."""
    unconfirmed = {r.id for s in criteria_sets() for r in s.rules if r.status is Evidence.UNCONFIRMED}
    assert unconfirmed == {"SCOT.duration", "EBMT-cardio-2017.tapse", "ASBMT-2018.rct_population"}
