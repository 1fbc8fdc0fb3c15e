"""Import REDCap flat exports through a mapping file (and check it against the data dictionary).

REDCap ``type=flat`` exports (shared/spec/interop.md §4.1) have one row per
record, or per record x ``redcap_event_name`` x ``redcap_repeat_instrument`` /
``redcap_repeat_instance`` in longitudinal projects; checkbox fields become
one 0/1 column per option (``field___code``); every form adds
``<form>_complete``; values are raw codes. The mapping file (YAML) says which
REDCap field feeds which registry field, and how codes translate:

.. code-block:: yaml

    record_id: record_id            # REDCap field holding the study id
    centre: "Centre A"              # or {field: site, codes: {"1": "Centre A"}}
    patient:                        # patient-level fields (first row that has them)
      sex: {field: sex, codes: {"1": female, "2": male}}
      date_of_birth: dob
    diagnosis:
      disease: {value: ssc}
      subset: {field: cutaneous_subset, codes: {"1": dcSSc, "2": lcSSc}}
    visits:
      events: [baseline_arm_1, month_12_arm_1]   # rows that are visits
      repeat_instrument: null                    # or the repeating visit form
      label: {from: event}                       # visit_label from the event name
      fields:
        visit_date: visit_date
        digital_ulcers: {checkbox: manifest, code: "3"}
        mrss_face: mrss_face

A field mapping is a REDCap field name, ``{field, codes}`` (code
translation), ``{value}`` (constant), or ``{checkbox, code}`` (a checkbox
option column, 1 -> true, 0 -> false). With a data dictionary (the 18-column
CSV), the mapping is checked first: every mapped field must exist, every
mapped code must be one of the field's choices, checkbox mappings must point
at checkbox fields; and each value is checked against the dictionary's
choices and validation min/max before the registry's own validation.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from sclerostem.errors import InputError
from sclerostem.io._loader import Progress, Record, load_records
from sclerostem.io._report import ImportFailed, ImportProblem, ImportReport
from sclerostem.registry import Database, User

__all__ = ["DataDictionary", "import_redcap", "load_mapping", "read_data_dictionary"]

DD_COLUMNS = ("Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
              "Choices, Calculations, OR Slider Labels", "Field Note",
              "Text Validation Type OR Show Slider Number", "Text Validation Min",
              "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
              "Required Field?", "Custom Alignment", "Question Number (surveys only)",
              "Matrix Group Name", "Matrix Ranking?", "Field Annotation")


class DataDictionary:
    """A parsed REDCap data dictionary: field -> (type, choices, validation, min, max)."""

    def __init__(self, fields: dict[str, dict[str, Any]]) -> None:
        self.fields = fields

    def choices(self, name: str) -> dict[str, str]:
        return self.fields.get(name, {}).get("choices", {})


def read_data_dictionary(path: str | Path) -> DataDictionary:
    """Parse a REDCap data dictionary CSV (the 18 standard columns, interop.md §4.1)."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        if not header or header[0] != DD_COLUMNS[0]:
            raise InputError("data dictionary header", header[:1],
                             f"a REDCap data dictionary starting with {DD_COLUMNS[0]!r}")
        fields: dict[str, dict[str, Any]] = {}
        for row in reader:
            name = row[DD_COLUMNS[0]].strip()
            choices: dict[str, str] = {}
            ftype = row.get("Field Type", "").strip()
            raw = row.get(DD_COLUMNS[5]) or ""
            if ftype in ("radio", "dropdown", "checkbox") and raw:
                for part in raw.split("|"):
                    code, _, label = part.strip().partition(",")
                    choices[code.strip()] = label.strip()
            if ftype == "yesno":
                choices = {"1": "Yes", "0": "No"}
            if ftype == "truefalse":
                choices = {"1": "True", "0": "False"}
            fields[name] = {"type": ftype, "form": row.get("Form Name", ""), "choices": choices,
                            "validation": (row.get(DD_COLUMNS[7]) or "").strip(),
                            "min": (row.get(DD_COLUMNS[8]) or "").strip(),
                            "max": (row.get(DD_COLUMNS[9]) or "").strip(),
                            "identifier": (row.get("Identifier?") or "").strip().lower() == "y"}
    return DataDictionary(fields)


def load_mapping(path: str | Path) -> dict[str, Any]:
    """Read a REDCap mapping file (YAML)."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, dict) or "record_id" not in doc or "visits" not in doc:
        raise InputError("mapping file", str(path), "a YAML mapping with 'record_id' and 'visits' keys")
    return doc


def _spec(m: Any) -> dict[str, Any]:
    return {"field": m} if isinstance(m, str) else dict(m)


def _check_mapping(mapping: dict[str, Any], dd: DataDictionary) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    sections = [("patient", mapping.get("patient") or {}), ("diagnosis", mapping.get("diagnosis") or {}),
                ("visits", (mapping.get("visits") or {}).get("fields") or {})]
    if isinstance(mapping.get("centre"), dict):
        sections.append(("centre", {"centre": mapping["centre"]}))
    sections.append(("record_id", {"record_id": mapping["record_id"]}))
    for section, fields in sections:
        for target, m in fields.items():
            sp = _spec(m)
            name = sp.get("field") or sp.get("checkbox")
            if name is None:
                continue
            where = f"mapping {section}.{target}"
            if name not in dd.fields:
                problems.append(ImportProblem(None, where, name, "allowed: a field of the data dictionary."))
                continue
            info = dd.fields[name]
            if "checkbox" in sp:
                if info["type"] != "checkbox":
                    problems.append(ImportProblem(None, where, name, "allowed: a checkbox field."))
                elif str(sp.get("code")) not in info["choices"]:
                    problems.append(ImportProblem(None, where, sp.get("code"),
                                                  f"allowed: one of the choices {sorted(info['choices'])}."))
            for code in (sp.get("codes") or {}):
                if info["choices"] and str(code) not in info["choices"]:
                    problems.append(ImportProblem(None, where, code,
                                                  f"allowed: one of the choices {sorted(info['choices'])}."))
    return problems


def _value(row: dict[str, str], m: Any, rownum: int, dd: DataDictionary | None,
           problems: list[ImportProblem]) -> Any:
    sp = _spec(m)
    if "value" in sp:
        return sp["value"]
    if "checkbox" in sp:
        col = f"{sp['checkbox']}___{sp['code']}"
        raw = (row.get(col) or "").strip()
        if raw == "":
            return None
        if raw not in ("0", "1"):
            problems.append(ImportProblem(rownum, col, raw, "allowed: 0 or 1 (checkbox option)."))
            return None
        return raw == "1"
    name = sp["field"]
    raw = (row.get(name) or "").strip()
    if raw == "":
        return None
    if dd is not None and name in dd.fields:
        info = dd.fields[name]
        if info["choices"] and raw not in info["choices"]:
            problems.append(ImportProblem(rownum, name, raw,
                                          f"allowed: one of the dictionary codes {sorted(info['choices'])}."))
            return None
        if info["validation"].startswith("number") or info["validation"] == "integer":
            try:
                num = float(raw)
                lo, hi = info["min"], info["max"]
                if (lo and num < float(lo)) or (hi and num > float(hi)):
                    problems.append(ImportProblem(rownum, name, raw,
                                                  f"allowed: a number from {lo or '-inf'} to {hi or 'inf'} "
                                                  "(data dictionary)."))
                    return None
            except ValueError:
                pass  # the registry's validation reports it with its own wording
    codes = sp.get("codes")
    if codes:
        codes = {str(k): v for k, v in codes.items()}
        if raw not in codes:
            problems.append(ImportProblem(rownum, name, raw, f"allowed: one of the mapped codes {sorted(codes)}."))
            return None
        return codes[raw]
    return raw


def redcap_records(
    rows: list[dict[str, str]], mapping: dict[str, Any], dd: DataDictionary | None,
) -> tuple[list[Record], list[ImportProblem]]:
    """Turn flat REDCap rows into registry records (rows numbered from 1)."""
    problems: list[ImportProblem] = []
    records: list[Record] = []
    rid_field = mapping["record_id"]
    visits = mapping.get("visits") or {}
    events = set(visits.get("events") or [])
    rep = visits.get("repeat_instrument")
    label_from = (visits.get("label") or {}).get("from")
    done_patient: set[str] = set()
    for i, row in enumerate(rows, start=1):
        sid = (row.get(rid_field) or "").strip()
        if not sid:
            problems.append(ImportProblem(i, rid_field, row.get(rid_field), "allowed: a record id (required)."))
            continue
        event = (row.get("redcap_event_name") or "").strip()
        instrument = (row.get("redcap_repeat_instrument") or "").strip()
        # patient + diagnosis: from the first row of each record (its first event)
        if sid not in done_patient:
            done_patient.add(sid)
            pvals = {k: _value(row, m, i, dd, problems) for k, m in (mapping.get("patient") or {}).items()}
            centre = mapping.get("centre")
            if centre is not None:
                pvals["centre"] = centre if isinstance(centre, str) else _value(row, centre, i, dd, problems)
            pvals["study_id"] = sid
            records.append(Record("patient", sid, {k: v for k, v in pvals.items() if v is not None}, row=i))
            dmap = mapping.get("diagnosis") or {}
            dvals = {k: _value(row, m, i, dd, problems) for k, m in dmap.items()}
            from_fields = [k for k, m in dmap.items() if not (isinstance(m, dict) and "value" in m)]
            if dmap and (not from_fields or any(dvals[k] is not None for k in from_fields)):
                records.append(Record("diagnosis", sid, {k: v for k, v in dvals.items() if v is not None},
                                      row=i))
        is_visit = (not events or event in events) and (rep is None or instrument == rep)
        if events and not event:
            is_visit = False
        if is_visit:
            vvals = {k: _value(row, m, i, dd, problems) for k, m in (visits.get("fields") or {}).items()}
            if all(v is None for v in vvals.values()):
                continue
            if label_from == "event" and event:
                vvals.setdefault("visit_label", event.split("_arm_")[0][:40])
            elif label_from == "instance":
                vvals.setdefault("visit_label", f"{instrument}_{row.get('redcap_repeat_instance', '')}"[:40])
            records.append(Record("visit", sid, {k: v for k, v in vvals.items() if v is not None}, row=i))
    return records, problems


def import_redcap(
    db: Database, actor: User, path: str | Path, mapping_path: str | Path, *,
    dictionary_path: str | Path | None = None, skip_invalid: bool = False,
    rejected_path: str | Path | None = None, dry_run: bool = False, progress: Progress | None = None,
) -> ImportReport:
    """Import a REDCap flat export (raw codes) via a mapping file; all or nothing by default.

    Raises
    ------
    ImportFailed
        With every problem: mapping vs dictionary, codes, ranges, registry validation.
    """
    from sclerostem.io._csv import write_rejected

    path = Path(path)
    mapping = load_mapping(mapping_path)
    dd = read_data_dictionary(dictionary_path) if dictionary_path else None
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    report = ImportReport(source=path.name, rows=len(rows), dry_run=dry_run)
    if dd is not None:
        mp = _check_mapping(mapping, dd)
        if mp:
            report.problems = mp
            raise ImportFailed(report)
    records, problems = redcap_records(rows, mapping, dd)
    bad = {p.row for p in problems}
    if problems and not skip_invalid:
        # still run the registry validation so that the report lists every problem at once
        try:
            load_records(db, actor, [r for r in records if r.row not in bad], source=path.name,
                         dry_run=True)
        except ImportFailed as exc:
            problems += exc.report.problems
        report.problems = sorted(problems, key=lambda p: (p.row or 0))
        report.rejected_rows = sorted({p.row for p in problems if p.row is not None})
        raise ImportFailed(report)
    try:
        out, rejected = load_records(db, actor, [r for r in records if r.row not in bad], source=path.name,
                                     skip_invalid=skip_invalid, dry_run=dry_run, progress=progress)
    except ImportFailed as exc:
        exc.report.rows = len(rows)
        raise
    out.rows = len(rows)
    out.problems = sorted(problems + out.problems, key=lambda p: (p.row or 0))
    all_rejected = sorted(set(rejected) | {r for r in bad if r is not None})
    out.rejected_rows = all_rejected
    if all_rejected and skip_invalid and not dry_run:
        target = Path(rejected_path) if rejected_path else path.with_suffix(".rejected.csv")
        by_row: dict[int, list[str]] = {}
        for p in out.problems:
            if p.row is not None:
                by_row.setdefault(p.row, []).append(str(p))
        write_rejected(target, header, rows, by_row, all_rejected)
        out.rejected_path = str(target)
    return out
