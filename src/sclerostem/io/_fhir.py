"""FHIR R4 exchange (``fhir.resources.R4B`` models, wire-compatible with R4).

Export: one ``collection`` Bundle per call holding, per patient, a Patient
(identifier = pseudonymous study id; name, birth date and hospital number
only when asked for and allowed), a Condition (SNOMED CT code of the
disease, local code of the subset), Observations per visit (LOINC codes
where the spec gives them) and a Procedure per transplant.

Import: the models check structure and types only — they accept
``status="bogus"`` and unknown LOINC codes (interop.md §4.2) — so the
terminology checks are done here: Observation status must be final, amended
or corrected; every Observation coding must be one of :data:`OBSERVATION_CODES`
with its expected UCUM unit; Conditions must carry a known SNOMED CT or ICD-10
code; Patients must carry the study-id identifier. Every problem is reported
(entry number, field, value, reason), then the records go through the same
all-or-nothing loader as CSV.

Codes (shared/spec/interop.md §4.2 "Codes", verified there unless flagged):
FVC % predicted LOINC 19872-1; DLCO % predicted LOINC 98130-8 (recent code);
LVEF LOINC 10230-1; serum creatinine LOINC 2160-0 (mg/dL); HAQ-DI total
LOINC 75874-8 (scores.md §5 [CONFIRMED]); SSc SNOMED CT 89155008, morphea
SNOMED CT 201049004, linear scleroderma 22784002, generalized morphea
7513007; ICD-10 M34.0/M34.1/M34.2/M34.8/M34.9 and L94.0/L94.1. The spec
found no standard codes for the mRSS, the SSc subsets, CRP here, or the HSCT
procedure: those use the local code system :data:`LOCAL_SYSTEM`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sclerostem.errors import InputError
from sclerostem.io._files import atomic_write
from sclerostem.io._loader import Progress, Record, load_records
from sclerostem.io._report import ImportFailed, ImportProblem, ImportReport
from sclerostem.registry import Database, Patient, User, _auth

__all__ = [
    "CONDITION_CODES",
    "LOCAL_SYSTEM",
    "LOINC",
    "OBSERVATION_CODES",
    "SNOMED",
    "STUDY_ID_SYSTEM",
    "export_fhir",
    "fhir_bundle",
    "import_fhir",
]

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
UCUM = "http://unitsofmeasure.org"
LOCAL_SYSTEM = "https://sclerostem.org/fhir/CodeSystem/registry"
STUDY_ID_SYSTEM = "https://sclerostem.org/fhir/NamingSystem/study-id"
HOSPITAL_SYSTEM = "https://sclerostem.org/fhir/NamingSystem/hospital-number"

#: registry visit field -> (system, code, display, UCUM unit)
OBSERVATION_CODES: dict[str, tuple[str, str, str, str]] = {
    "fvc_percent_predicted": (LOINC, "19872-1", "FVC measured/predicted", "%"),
    "dlco_percent_predicted": (LOINC, "98130-8", "Diffusion capacity.carbon monoxide/Predicted", "%"),
    "lvef_percent": (LOINC, "10230-1", "Left ventricular Ejection fraction", "%"),
    "creatinine_mg_dl": (LOINC, "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL"),
    "haq_di": (LOINC, "75874-8", "Total score [HAQ-DI]", "{score}"),
    "mrss_total": (LOCAL_SYSTEM, "mrss-total", "Modified Rodnan skin score, total (0-51)", "{score}"),
    "crp_mg_dl": (LOCAL_SYSTEM, "crp", "C-reactive protein", "mg/dL"),
}
_BY_CODE = {(sys, code): (field, unit) for field, (sys, code, _d, unit) in OBSERVATION_CODES.items()}

#: (system, code) -> (disease, subset or None)
CONDITION_CODES: dict[tuple[str, str], tuple[str, str | None]] = {
    (SNOMED, "89155008"): ("ssc", None),
    (SNOMED, "201049004"): ("morphea", None),
    (SNOMED, "22784002"): ("morphea", "linear_scleroderma"),
    (SNOMED, "7513007"): ("morphea", "generalized_morphea"),
    **{(ICD10, c): ("ssc", None) for c in ("M34.0", "M34.1", "M34.2", "M34.8", "M34.9")},
    (ICD10, "L94.0"): ("morphea", None),
    (ICD10, "L94.1"): ("morphea", "linear_scleroderma"),
}
_DISEASE_CODE = {"ssc": ("89155008", "Systemic sclerosis"), "morphea": ("201049004", "Morphea")}
_OK_STATUS = ("final", "amended", "corrected")


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    return c


def fhir_bundle(db: Database, actor: User, *, identifying: bool = False,
                patient_ids: list[int] | None = None) -> dict[str, Any]:
    """A FHIR R4 ``collection`` Bundle (as JSON dict), validated with the R4B models.

    ``identifying=True`` adds name, birth date and hospital number for the
    patients ``actor`` may see them for (never for researchers).
    """
    from fhir.resources.R4B.bundle import Bundle

    _auth.require_role(actor, ("admin", "clinician", "researcher"), "export data")
    entries: list[dict[str, Any]] = []
    with db.read_session() as s:
        q = select(Patient).order_by(Patient.study_id).options(
            selectinload(Patient.diagnoses), selectinload(Patient.visits), selectinload(Patient.transplants))
        if patient_ids is not None:
            q = q.where(Patient.id.in_(patient_ids))
        for p in s.execute(q).scalars():
            if not _auth.can_read_patient(actor, p):
                continue
            pid = f"p{p.id}"
            res: dict[str, Any] = {"resourceType": "Patient", "id": pid,
                                   "identifier": [{"system": STUDY_ID_SYSTEM, "value": p.study_id}]}
            if p.sex in ("female", "male", "other", "unknown"):
                res["gender"] = p.sex
            if identifying and _auth.sees_identifying(actor, p):
                if p.name:
                    res["name"] = [{"text": p.name}]
                if p.date_of_birth:
                    res["birthDate"] = p.date_of_birth.isoformat()
                if p.hospital_number:
                    res["identifier"].append({"system": HOSPITAL_SYSTEM, "value": p.hospital_number})
            entries.append(res)
            subject = {"reference": f"Patient/{pid}"}
            for d in p.diagnoses:
                code, display = _DISEASE_CODE[d.disease]
                codings = [_coding(SNOMED, code, display)]
                if d.subset:
                    codings.append(_coding(LOCAL_SYSTEM, d.subset, f"subset {d.subset}"))
                cond: dict[str, Any] = {"resourceType": "Condition", "id": f"d{d.id}", "subject": subject,
                                        "code": {"coding": codings},
                                        "clinicalStatus": {"coding": [_coding(
                                            "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                            "active")]}}
                if d.first_non_raynaud_date:
                    cond["onsetDateTime"] = d.first_non_raynaud_date.isoformat()
                if d.diagnosis_date:
                    cond["recordedDate"] = d.diagnosis_date.isoformat()
                entries.append(cond)
            for v in p.visits:
                for field, (system, code, display, unit) in OBSERVATION_CODES.items():
                    value = getattr(v, field)
                    if value is None:
                        continue
                    entries.append({
                        "resourceType": "Observation", "id": f"v{v.id}-{code}", "status": "final",
                        "code": {"coding": [_coding(system, code, display)]}, "subject": subject,
                        "effectiveDateTime": v.visit_date.isoformat(),
                        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
                    })
            for t in p.transplants:
                entries.append({
                    "resourceType": "Procedure", "id": f"t{t.id}", "status": "completed", "subject": subject,
                    "code": {"coding": [_coding(LOCAL_SYSTEM, "autologous-hsct",
                                                "Autologous haematopoietic stem cell transplantation")]},
                    "performedDateTime": t.transplant_date.isoformat(),
                })
    doc = {"resourceType": "Bundle", "type": "collection",
           "entry": [{"fullUrl": f"urn:uuid:{e['resourceType']}-{e['id']}", "resource": e} for e in entries]}
    Bundle.model_validate(doc)  # structural check with the R4B models
    return doc


def export_fhir(db: Database, actor: User, path: str | Path, *, identifying: bool = False) -> int:
    """Write the Bundle to ``path`` (JSON, atomically); return the number of resources."""
    doc = fhir_bundle(db, actor, identifying=identifying)
    with atomic_write(path, encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)  # type: ignore[arg-type]
    return len(doc["entry"])


def _date(v: Any) -> str | None:
    if v is None:
        return None
    return v.isoformat()[:10] if hasattr(v, "isoformat") else str(v)[:10]


def fhir_records(doc: dict[str, Any]) -> tuple[list[Record], list[ImportProblem]]:
    """Check a Bundle (structure with R4B, terminology here) and convert it to registry records.

    ``row`` in problems is the 1-based entry number.
    """
    from fhir.resources.R4B.bundle import Bundle

    problems: list[ImportProblem] = []
    try:
        bundle = Bundle.model_validate(doc)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        return [], [ImportProblem(None, f"Bundle.{loc}", first.get("input"), f"allowed: {first['msg']}.")]
    patients: dict[str, str] = {}  # reference id -> study id
    records: list[Record] = []
    visits: dict[tuple[str, str], Record] = {}
    entries = bundle.entry or []
    for n, entry in enumerate(entries, start=1):
        r: Any = entry.resource
        if r is not None and r.__resource_type__ == "Patient":
            sid = next((i.value for i in (r.identifier or []) if i.system == STUDY_ID_SYSTEM), None)
            if not sid:
                problems.append(ImportProblem(n, "Patient.identifier", None,
                                              f"allowed: an identifier with system {STUDY_ID_SYSTEM}."))
                continue
            patients[r.id or ""] = sid
            vals: dict[str, Any] = {"study_id": sid}
            if r.gender is not None:
                vals["sex"] = r.gender
            if r.birthDate is not None:
                vals["date_of_birth"] = _date(r.birthDate)
            if r.name:
                vals["name"] = r.name[0].text or " ".join(
                    [*(r.name[0].given or []), r.name[0].family or ""]).strip()
            hosp = next((i.value for i in (r.identifier or []) if i.system == HOSPITAL_SYSTEM), None)
            if hosp:
                vals["hospital_number"] = hosp
            records.append(Record("patient", sid, vals, row=n))

    def subject_of(res: Any, n: int, kind: str) -> str | None:
        ref = getattr(res.subject, "reference", None) or ""
        sid = patients.get(ref.split("/")[-1]) if ref.startswith("Patient/") else None
        if sid is None:
            problems.append(ImportProblem(n, f"{kind}.subject", ref or None,
                                          "allowed: a reference to a Patient in this Bundle."))
        return sid

    for n, entry in enumerate(entries, start=1):
        r = entry.resource
        kind = r.__resource_type__ if r is not None else None
        if kind in (None, "Patient"):
            continue
        if kind == "Condition":
            sid = subject_of(r, n, kind)
            codings = [(c.system, c.code) for c in (r.code.coding if r.code else []) or []]
            known = [CONDITION_CODES[c] for c in codings if c in CONDITION_CODES]
            if not known:
                problems.append(ImportProblem(n, "Condition.code", ", ".join(f"{s}|{c}" for s, c in codings),
                                              "allowed: SNOMED CT 89155008/201049004/22784002/7513007 or "
                                              "ICD-10 M34.x/L94.0/L94.1."))
                continue
            disease, subset = known[0]
            local = next((c for s, c in codings if s == LOCAL_SYSTEM), None)
            vals = {"disease": disease, "subset": local or subset}
            if r.onsetDateTime is not None:
                vals["first_non_raynaud_date"] = _date(r.onsetDateTime)
            if r.recordedDate is not None:
                vals["diagnosis_date"] = _date(r.recordedDate)
            if sid:
                records.append(Record("diagnosis", sid, {k: v for k, v in vals.items() if v is not None}, row=n))
        elif kind == "Observation":
            sid = subject_of(r, n, kind)
            if r.status not in _OK_STATUS:
                problems.append(ImportProblem(n, "Observation.status", r.status,
                                              "allowed: one of 'final', 'amended', 'corrected'."))
                continue
            codings = [(c.system, c.code) for c in (r.code.coding or [])]
            hit = next((_BY_CODE[c] for c in codings if c in _BY_CODE), None)
            if hit is None:
                problems.append(ImportProblem(n, "Observation.code", ", ".join(f"{s}|{c}" for s, c in codings),
                                              "allowed: one of " + ", ".join(
                                                  f"{s}|{c}" for s, c in _BY_CODE) + "."))
                continue
            field, unit = hit
            q = r.valueQuantity
            if q is None or q.value is None:
                problems.append(ImportProblem(n, "Observation.valueQuantity", None, "allowed: a quantity."))
                continue
            if (q.code or q.unit) != unit:
                problems.append(ImportProblem(n, "Observation.valueQuantity.code", q.code or q.unit,
                                              f"allowed: UCUM {unit!r} for {field}."))
                continue
            when = _date(r.effectiveDateTime)
            if when is None:
                problems.append(ImportProblem(n, "Observation.effectiveDateTime", None,
                                              "allowed: the visit date."))
                continue
            if sid is None or field == "mrss_total":
                continue  # mRSS total is computed by the registry from site grades
            key = (sid, when)
            if key not in visits:
                visits[key] = Record("visit", sid, {"visit_date": when}, row=n)
                records.append(visits[key])
            value = float(q.value)
            visits[key].values[field] = value
        elif kind == "Procedure":
            sid = subject_of(r, n, kind)
            codings = [(c.system, c.code) for c in (r.code.coding if r.code else []) or []]
            if (LOCAL_SYSTEM, "autologous-hsct") not in codings:
                problems.append(ImportProblem(n, "Procedure.code", ", ".join(f"{s}|{c}" for s, c in codings),
                                              f"allowed: {LOCAL_SYSTEM}|autologous-hsct."))
                continue
            if sid:
                records.append(Record("transplant", sid, {"transplant_date": _date(r.performedDateTime)}, row=n))
        else:
            problems.append(ImportProblem(n, "resourceType", kind,
                                          "allowed: Patient, Condition, Observation or Procedure."))
    return records, problems


def import_fhir(
    db: Database, actor: User, path: str | Path, *, skip_invalid: bool = False, dry_run: bool = False,
    progress: Progress | None = None, centre: str | None = None,
) -> ImportReport:
    """Import a FHIR R4 Bundle (JSON) after structural and terminology checks; all or nothing by default."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(path.name, f"line {exc.lineno}", "a JSON FHIR Bundle") from None
    records, problems = fhir_records(doc)
    bad = {p.row for p in problems}
    if problems and not skip_invalid:
        try:
            load_records(db, actor, [r for r in records if r.row not in bad], source=path.name,
                         dry_run=True, centre=centre)
        except ImportFailed as exc:
            problems += exc.report.problems
        report = ImportReport(source=path.name, rows=len(doc.get("entry") or []), dry_run=dry_run,
                              problems=sorted(problems, key=lambda p: (p.row or 0)))
        raise ImportFailed(report)
    out, _rejected = load_records(db, actor, [r for r in records if r.row not in bad], source=path.name,
                                  skip_invalid=skip_invalid, dry_run=dry_run, progress=progress, centre=centre)
    out.rows = len(doc.get("entry") or [])
    out.problems = sorted(problems + out.problems, key=lambda p: (p.row or 0))
    out.rejected_rows = sorted({p.row for p in out.problems if p.row is not None})
    out.valid_rows = out.rows - len(out.rejected_rows)
    return out
