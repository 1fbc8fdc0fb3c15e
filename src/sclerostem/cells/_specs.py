"""Release specifications as data: one YAML file per specification.

Shipped presets live in ``sclerostem/data/cell_specs/``; a centre adds its own
by passing the path of a YAML file of the same form (see docs/cells.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml

from sclerostem.cells._lot import LotResults
from sclerostem.errors import InputError
from sclerostem.result import Evidence

__all__ = ["Criterion", "ReleaseSpec", "load_spec", "release_specs"]

_OPERATORS = (">=", ">", "<=", "<", "is")
_STATUSES = {e.value: e for e in Evidence}
_PARAMETERS = set(LotResults.model_fields)


@dataclass(frozen=True, slots=True)
class Criterion:
    """One release criterion.

    ``parameters`` has one name, or several for an either/or criterion
    ("CD14 or CD11b"): it passes when at least one reported marker meets the
    threshold (Dominici 2006, msc.md §1.1 implementation notes).
    """

    id: str
    parameters: tuple[str, ...]
    operator: str
    threshold: float | bool
    unit: str | None
    status: Evidence
    test: str
    mandatory: bool = True
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseSpec:
    """A named, versioned release (or identity) specification."""

    name: str
    title: str
    version: str
    kind: str
    source: str
    spec_ref: str
    status: Evidence
    criteria: tuple[Criterion, ...]
    caveat: str | None = None
    path: str | None = None


def _problem(where: str, field: str, value: Any, allowed: str) -> InputError:
    return InputError(f"{where}: {field}", value, allowed)


def _parse(raw: Any, where: str) -> ReleaseSpec:
    if not isinstance(raw, dict):
        raise _problem(where, "document", raw, "a YAML mapping with name, version, source, criteria")
    for key in ("name", "title", "version", "kind", "source", "spec_ref", "status", "criteria"):
        if key not in raw:
            raise _problem(where, key, None, "a value (required key)")
    if raw["status"] not in _STATUSES:
        raise _problem(where, "status", raw["status"], "one of " + ", ".join(_STATUSES))
    criteria = []
    seen: set[str] = set()
    for i, c in enumerate(raw["criteria"]):
        cw = f"{where} criterion {i + 1}"
        if not isinstance(c, dict) or "id" not in c:
            raise _problem(cw, "id", c, "a mapping with an id")
        if c["id"] in seen:
            raise _problem(cw, "id", c["id"], "an id not used before in this file")
        seen.add(c["id"])
        params = tuple(c["any_of"]) if "any_of" in c else (c.get("parameter"),)
        for p in params:
            if p not in _PARAMETERS:
                raise _problem(cw, "parameter", p, "a lot field (see LotResults)")
        op = c.get("operator")
        if op not in _OPERATORS:
            raise _problem(cw, "operator", op, "one of " + ", ".join(_OPERATORS))
        thr = c.get("threshold")
        if op == "is" and not isinstance(thr, bool):
            raise _problem(cw, "threshold", thr, "true or false for operator 'is'")
        if op != "is" and (isinstance(thr, bool) or not isinstance(thr, int | float)):
            raise _problem(cw, "threshold", thr, "a number")
        st = c.get("status", raw["status"])
        if st not in _STATUSES:
            raise _problem(cw, "status", st, "one of " + ", ".join(_STATUSES))
        criteria.append(Criterion(
            id=c["id"], parameters=params, operator=op, threshold=cast("float | bool", thr), unit=c.get("unit"),
            status=_STATUSES[st], test=str(c.get("test", "")), mandatory=bool(c.get("mandatory", True)),
            note=c.get("note"),
        ))
    return ReleaseSpec(
        name=str(raw["name"]), title=str(raw["title"]), version=str(raw["version"]), kind=str(raw["kind"]),
        source=str(raw["source"]), spec_ref=str(raw["spec_ref"]), status=_STATUSES[raw["status"]],
        criteria=tuple(criteria), caveat=raw.get("caveat"), path=where,
    )


def release_specs() -> dict[str, ReleaseSpec]:
    """All shipped specifications by name."""
    out: dict[str, ReleaseSpec] = {}
    folder = resources.files("sclerostem") / "data" / "cell_specs"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            spec = _parse(yaml.safe_load(entry.read_text(encoding="utf-8")), entry.name)
            out[spec.name] = spec
    return out


def load_spec(name_or_path: str | Path) -> ReleaseSpec:
    """A shipped specification by name, or a centre's own YAML file by path.

    Raises
    ------
    InputError
        Unknown name, or a file that does not follow the format (naming the
        file, the criterion and the field).
    """
    specs = release_specs()
    if str(name_or_path) in specs:
        return specs[str(name_or_path)]
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return _parse(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
    raise InputError("spec", str(name_or_path), "one of " + ", ".join(specs) + ", or the path of a spec YAML file")
