"""JSON Schema of the patient file, generated from :class:`~sclerostem.rules.Patient`.

``docs/patient.schema.json`` is this schema; a test checks it is up to date.
Regenerate with::

    python -m sclerostem.rules._schema > docs/patient.schema.json
"""

from __future__ import annotations

import json
from typing import Any

from sclerostem.rules._patient import Patient

__all__ = ["patient_json_schema", "patient_json_schema_text"]

SCHEMA_ID = "https://sclerostem.invalid/schemas/patient.schema.json"


def patient_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a patient file for ``sclerostem assess``."""
    schema = Patient.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    schema["description"] = (
        "One patient at one visit for the HSCT candidacy assessment (sclerostem assess). "
        "Every field is optional; a missing or null field is 'not recorded' and is never read as normal. "
        "Units are in the field names. Fields whose names start with '$' are ignored."
    )
    schema["properties"] = {"$schema": {"type": "string", "description": "Optional link to this schema."},
                            **schema["properties"]}
    return schema


def patient_json_schema_text() -> str:
    """The schema as the exact text of ``docs/patient.schema.json``."""
    return json.dumps(patient_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(patient_json_schema_text())
