"""docs/patient.schema.json is generated from the Patient model and must be up to date."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from sclerostem.rules import Patient, patient_json_schema
from sclerostem.rules._schema import patient_json_schema_text

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "patient.schema.json"


def test_schema_file_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == patient_json_schema_text(), (
        "regenerate: python -m sclerostem.rules._schema > docs/patient.schema.json")


def test_schema_lists_every_field_with_units() -> None:
    schema = patient_json_schema()
    assert set(schema["properties"]) == {"$schema", *Patient.model_fields}
    assert schema["additionalProperties"] is False
    lvef = schema["properties"]["lvef_percent"]
    assert lvef["unit"] == "%"
    assert {"minimum": 5, "maximum": 90, "type": "number"} in lvef["anyOf"]


def test_example_patients_only_use_schema_fields() -> None:
    props = set(patient_json_schema()["properties"])
    for p in (resources.files("sclerostem") / "data" / "patients").iterdir():
        if p.name.endswith(".json"):
            assert set(json.loads(p.read_text(encoding="utf-8"))) <= props, p.name
