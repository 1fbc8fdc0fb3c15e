"""Parser of the source review's reference list (shared/source/review-stem-cell-therapy-scleroderma-2025.txt)."""

from __future__ import annotations

from importlib import resources

import pytest

from sclerostem.errors import InputError
from sclerostem.evidence import parse_reference, parse_reference_list

PAGE = (resources.files("sclerostem") / "data/evidence/review-stem-cell-therapy-scleroderma-2025.txt").read_text(
    encoding="utf-8"
)


@pytest.fixture(scope="module")
def refs():
    return parse_reference_list(PAGE)


def test_all_43_references_parse(refs):
    """The review lists 43 references; the 'related articles' list after it (numbered from 1 again) is not parsed."""
    assert [r.number for r in refs] == list(range(1, 44))
    assert all(r.doc_type == "J" for r in refs)
    assert all(r.authors and r.title and r.journal and r.year and r.volume and r.pages for r in refs)


def test_scot_reference_fields(refs):
    """Reference [16] as printed: Sullivan KM, ... N Engl J Med, 2018, 378(1):35-47."""
    r = refs[15]
    assert r.authors == ("Sullivan KM", "Goldmuntz EA", "Keyes-Elstein L")
    assert r.et_al
    assert r.title == "Myeloablative autologous stem-cell transplantation for severe scleroderma"
    assert (r.journal, r.year, r.volume, r.issue, r.pages) == ("N Engl J Med", 2018, "378", "1", "35-47")
    assert r.doi is None
    assert r.pmid is None


def test_identifiers(refs):
    """[1] has doi and pmid; [13] pmid only; [25] prints an Elsevier PII in its doi field."""
    assert (refs[0].doi, refs[0].pmid) == ("10.1007/s40257-023-00831-2", "38087156")
    assert (refs[12].doi, refs[12].pmid) == (None, "9014919")
    assert (refs[24].doi, refs[24].pii, refs[24].pmid) == (None, "S1465-3249(19)30841-2", "31526643")


def test_unusual_locators(refs):
    """[3] no issue; [21] Cochrane article number; [22] supplement; [24] two authors + 'et al' absent."""
    assert (refs[2].volume, refs[2].issue, refs[2].pages) == ("10", None, "1108623")
    assert (refs[20].volume, refs[20].issue, refs[20].pages) == ("7", "7", "CD011819")
    assert (refs[21].volume, refs[21].issue, refs[21].pages) == ("9 Suppl 1", None, "P77")
    assert refs[23].authors == ("Huang Y", "Wu Q", "Tam PKH")
    assert not refs[23].et_al
    assert refs[1].title == "Systemic sclerosis in adults. Part I: Clinical features and pathogenesis"


def test_unparseable_reference_message():
    with pytest.raises(InputError) as exc:
        parse_reference(7, "Some text without the expected form")
    assert str(exc.value) == (
        "field 'reference [7]': got 'Some text without the expected form'; "
        "allowed: 'Authors. Title[J]. Journal, Year, Volume(Issue):Pages.'."
    )


def test_page_without_list():
    with pytest.raises(InputError) as exc:
        parse_reference_list("no references here")
    assert str(exc.value) == "field 'reference list': got 'no references here'; allowed: a list of entries starting with '| [1] |'."
