"""Shared helpers: the example patients and one-field variations of them."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

from sclerostem.rules import Assessment, assess

#: Fixed assessment date so reports and JSON are reproducible.
ASSESSED_ON = date(2026, 11, 25)


def example(name: str) -> dict[str, Any]:
    """The JSON of a shipped example patient, as a dict (without "$schema")."""
    text = (resources.files("sclerostem") / "data" / "patients" / f"{name}.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("$")}


def variant(base: str = "scot-eligible", **changes: Any) -> dict[str, Any]:
    """An example patient with some fields changed (``None`` removes a field).

    Giving ``disease_duration_years`` drops the onset date; giving ``mrss_total``
    drops the per-site grades (the subset stays 'diffuse' unless given).
    """
    data = example(base)
    if "disease_duration_years" in changes:
        data.pop("date_first_non_raynaud_symptom", None)
    if "mrss_total" in changes:
        data.pop("mrss_sites", None)
        data.pop("skin_thickening_back", None)
        data.setdefault("cutaneous_subset", "diffuse")
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def run(base: str = "scot-eligible", **changes: Any) -> Assessment:
    """Assess a variant of an example patient."""
    return assess(variant(base, **changes), assessed_on=ASSESSED_ON)


def rule_value(a: Assessment, rule_id: str) -> bool | None:
    """Met (True), not met (False) or unknown (None) for one rule."""
    return a.verdict(rule_id.split(".")[0]).rule(rule_id).value
