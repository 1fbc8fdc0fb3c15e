"""The registry: patients, visits, transplants, events and cell lots in SQLite or PostgreSQL.

Open a database, create the schema, act through the services::

    from sclerostem.registry import Database, authenticate, create_patient
    db = Database("sqlite:///registry.db")
    db.create_all()
    with db.session() as s:
        user = authenticate(s, "clinician", "demo-clinician")
        create_patient(s, user, study_id="SSC-0001", centre="Demo Centre")

Every service takes the session and the acting user, enforces roles
(clinician: own centre, identifying data; researcher: pseudonymised, read
only; admin: all) and leaves an append-only audit trail.
"""

from sclerostem.registry._auth import can_read_patient, sees_identifying, user_for_token
from sclerostem.registry._candidacy import CandidacyInput, candidacy_input
from sclerostem.registry._cells import (
    chain_of_identity,
    get_cell_lot,
    graft_summary,
    lot_release_report,
    record_collection,
    record_infusion,
    record_lot_results,
    record_processing,
    register_cell_lot,
)
from sclerostem.registry._db import Database, RegistrySession, stamp_is_exact
from sclerostem.registry._errors import (
    AccessDeniedError,
    AuditTamperError,
    ConflictError,
    NotFoundError,
)
from sclerostem.registry._fields import (
    CELL_LOT_FIELDS,
    CRISS_EVENTS,
    DIAGNOSIS_FIELDS,
    DISEASES,
    EVENT_FIELDS,
    MRSS_SITES,
    PATIENT_FIELDS,
    SUBSETS,
    TRANSPLANT_FIELDS,
    TREATMENT_FIELDS,
    VISIT_FIELDS,
    FieldSpec,
    check_record,
    parse_value,
)
from sclerostem.registry._scoring import engine_version, recompute_all
from sclerostem.registry._services import (
    ENTITIES,
    add_diagnosis,
    add_event,
    add_transplant,
    add_treatment,
    add_visit,
    authenticate,
    cohort,
    create_api_token,
    create_cell_lot,
    create_patient,
    create_user,
    delete_record,
    get_patient,
    get_record,
    list_patients,
    patient_history,
    patient_summary,
    record_to_dict,
    revoke_api_tokens,
    update_patient,
    update_record,
    update_visit,
)
from sclerostem.registry.models import (
    ROLES,
    ApiToken,
    AuditEntry,
    CellLot,
    Diagnosis,
    Event,
    Patient,
    Transplant,
    Treatment,
    User,
    Visit,
)

__all__ = [
    "CELL_LOT_FIELDS",
    "CRISS_EVENTS",
    "DIAGNOSIS_FIELDS",
    "DISEASES",
    "ENTITIES",
    "EVENT_FIELDS",
    "MRSS_SITES",
    "PATIENT_FIELDS",
    "ROLES",
    "SUBSETS",
    "TRANSPLANT_FIELDS",
    "TREATMENT_FIELDS",
    "VISIT_FIELDS",
    "AccessDeniedError",
    "ApiToken",
    "AuditEntry",
    "AuditTamperError",
    "CandidacyInput",
    "CellLot",
    "ConflictError",
    "Database",
    "Diagnosis",
    "Event",
    "FieldSpec",
    "NotFoundError",
    "Patient",
    "RegistrySession",
    "Transplant",
    "Treatment",
    "User",
    "Visit",
    "add_diagnosis",
    "add_event",
    "add_transplant",
    "add_treatment",
    "add_visit",
    "authenticate",
    "can_read_patient",
    "candidacy_input",
    "chain_of_identity",
    "check_record",
    "cohort",
    "create_api_token",
    "create_cell_lot",
    "create_patient",
    "create_user",
    "delete_record",
    "engine_version",
    "get_cell_lot",
    "get_patient",
    "get_record",
    "graft_summary",
    "list_patients",
    "lot_release_report",
    "parse_value",
    "patient_history",
    "patient_summary",
    "recompute_all",
    "record_collection",
    "record_infusion",
    "record_lot_results",
    "record_processing",
    "record_to_dict",
    "register_cell_lot",
    "revoke_api_tokens",
    "sees_identifying",
    "stamp_is_exact",
    "update_patient",
    "update_record",
    "update_visit",
    "user_for_token",
]
