"""Parser for the reference list of the source review (GB/T 7714 style, ``[J]`` records).

The review's web page prints its references as a table: ``| [N] |`` followed by
``Authors. Title[J]. Journal, Year, Volume(Issue):Pages.`` and, on a second line
for some entries, ``doi: ... pmid: ... |``. After reference 43 the page lists
"related articles", numbered again from 1; parsing stops where the numbering
breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sclerostem.errors import InputError

__all__ = ["ParsedReference", "parse_reference", "parse_reference_list"]

_ENTRY_START = re.compile(r"\|\s*\[(\d+)\]\s*\|")
_RECORD = re.compile(
    r"^(?P<authors>.+?)\.\s+(?P<title>.+?)\[(?P<type>[A-Z])\]\.\s+"
    r"(?P<journal>[^,]+),\s*(?P<year>\d{4}),\s*"
    r"(?P<volume>[^(:]+?)(?:\((?P<issue>[^)]+)\))?:(?P<pages>[^\s.]+)\.?$"
)
_DOI = re.compile(r"doi:\s*(?P<doi>\S+)")
_PMID = re.compile(r"pmid:\s*(?P<pmid>\d+)")


@dataclass(frozen=True, slots=True)
class ParsedReference:
    """One reference exactly as printed in the review's list."""

    number: int
    authors: tuple[str, ...]
    et_al: bool
    title: str
    doc_type: str
    journal: str
    year: int
    volume: str
    issue: str | None
    pages: str
    doi: str | None
    pmid: str | None
    pii: str | None
    raw: str


def parse_reference(number: int, text: str) -> ParsedReference:
    """Parse the text of one reference (without the ``| [N] |`` prefix).

    Raises
    ------
    InputError
        If the text does not have the ``Authors. Title[J]. Journal, Year, Vol(Issue):Pages.`` form.
    """
    raw = " ".join(text.replace("|", " ").split())
    ids_at = min((m.start() for m in (_DOI.search(raw), _PMID.search(raw)) if m), default=len(raw))
    record, ids = raw[:ids_at].strip(), raw[ids_at:]
    match = _RECORD.match(record)
    if match is None:
        raise InputError(
            f"reference [{number}]",
            record,
            "'Authors. Title[J]. Journal, Year, Volume(Issue):Pages.'",
        )
    names = [a.strip() for a in match["authors"].split(",") if a.strip()]
    et_al = bool(names) and names[-1] == "et al"
    if et_al:
        names = names[:-1]
    doi = pii = None
    if (m := _DOI.search(ids)) is not None:
        value = m["doi"]
        # The review prints an Elsevier PII in the doi field of reference 25.
        if value.startswith("10."):
            doi = value
        else:
            pii = value
    pmid = m["pmid"] if (m := _PMID.search(ids)) is not None else None
    return ParsedReference(
        number=number,
        authors=tuple(names),
        et_al=et_al,
        title=match["title"].strip(),
        doc_type=match["type"],
        journal=match["journal"].strip(),
        year=int(match["year"]),
        volume=match["volume"].strip(),
        issue=match["issue"].strip() if match["issue"] else None,
        pages=match["pages"].strip(),
        doi=doi,
        pmid=pmid,
        pii=pii,
        raw=raw,
    )


def parse_reference_list(page: str) -> list[ParsedReference]:
    """Parse the numbered reference list of the review page.

    Parameters
    ----------
    page : str
        Full text of the stored review page.

    Returns
    -------
    list of ParsedReference
        References 1, 2, ... up to the first break in the numbering.

    Raises
    ------
    InputError
        If no list starting at ``[1]`` is found, or an entry cannot be parsed.
    """
    starts = list(_ENTRY_START.finditer(page))
    out: list[ParsedReference] = []
    for i, m in enumerate(starts):
        number = int(m.group(1))
        if number != len(out) + 1:
            break
        end = starts[i + 1].start() if i + 1 < len(starts) else len(page)
        out.append(parse_reference(number, page[m.end() : end]))
    if not out:
        raise InputError("reference list", page[:40], "a list of entries starting with '| [1] |'")
    return out
