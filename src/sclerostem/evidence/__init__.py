"""Evidence base: the source review's 43 references and the trial results as data.

The dataset ships with the package (``sclerostem/data/evidence``): the review's
page (its reference list is parsed at load time), ``references.yaml`` (study
kind, therapy and disease of every reference, plus records the specs confirm
that the review does not cite) and ``outcomes.yaml`` (results read from
``shared/spec/hsct.md`` and ``msc.md``, each with its confirmation status and
the spec text it was read from).

Examples
--------
>>> from sclerostem import evidence
>>> evidence.get("SCOT").journal
'N Engl J Med'
>>> [(r.arm, r.events, r.n) for r in evidence.outcome_rows("ASTIS", "trm")]
[('hsct', 8, 79), ('control', 0, 77)]
"""

from __future__ import annotations

from sclerostem.evidence._canned import CANNED, CannedTable, canned_table
from sclerostem.evidence._dataset import ARMS, dataset_version, get, outcome_rows, references
from sclerostem.evidence._model import DISEASES, KINDS, MEASURES, OUTCOMES, OutcomeRow, Reference
from sclerostem.evidence._parse import ParsedReference, parse_reference, parse_reference_list

__all__ = [
    "ARMS",
    "CANNED",
    "DISEASES",
    "KINDS",
    "MEASURES",
    "OUTCOMES",
    "CannedTable",
    "OutcomeRow",
    "ParsedReference",
    "Reference",
    "canned_table",
    "dataset_version",
    "get",
    "outcome_rows",
    "parse_reference",
    "parse_reference_list",
    "references",
]
