"""Exchange with other systems: CSV, REDCap, FHIR R4, de-identified research export.

Every import validates all rows first and reports every problem (row, field,
value, reason) in one :class:`ImportReport`; by default a file with any
invalid row imports nothing (:class:`ImportFailed`); ``skip_invalid`` imports
the valid rows and writes the rejected ones to a file. Imports are idempotent
(natural keys) and atomic (one transaction).
"""

from sclerostem.io._csv import TABLES, detect_table, export_csv, import_csv
from sclerostem.io._deid import export_deidentified, pseudonym, shift_days
from sclerostem.io._fhir import (
    CONDITION_CODES,
    LOCAL_SYSTEM,
    OBSERVATION_CODES,
    STUDY_ID_SYSTEM,
    export_fhir,
    fhir_bundle,
    import_fhir,
)
from sclerostem.io._loader import NATURAL_KEYS, Record, load_records
from sclerostem.io._redcap import DataDictionary, import_redcap, load_mapping, read_data_dictionary
from sclerostem.io._report import ImportFailed, ImportProblem, ImportReport

__all__ = [
    "CONDITION_CODES",
    "LOCAL_SYSTEM",
    "NATURAL_KEYS",
    "OBSERVATION_CODES",
    "STUDY_ID_SYSTEM",
    "TABLES",
    "DataDictionary",
    "ImportFailed",
    "ImportProblem",
    "ImportReport",
    "Record",
    "detect_table",
    "export_csv",
    "export_deidentified",
    "export_fhir",
    "fhir_bundle",
    "import_csv",
    "import_fhir",
    "import_redcap",
    "load_mapping",
    "load_records",
    "pseudonym",
    "read_data_dictionary",
    "shift_days",
]
