"""The reference records of the evidence dataset (typing, uncited records, look-up)."""

from __future__ import annotations

import pytest

from sclerostem import evidence
from sclerostem.errors import InputError, UnknownFieldError
from sclerostem.result import Evidence


def test_every_review_reference_is_a_record():
    cited = evidence.references(cited_by_review=True)
    assert [r.number for r in cited] == list(range(1, 44))
    keys = [r.key for r in evidence.references()]
    assert len(keys) == len(set(keys))


def test_records_are_typed():
    for r in evidence.references():
        assert r.kind in evidence.KINDS, r.key
        assert set(r.diseases) <= set(evidence.DISEASES), r.key


def test_trials_use_hsct_register_keys():
    """hsct.md section 0 register keys for the three randomised trials (review refs 14-16)."""
    assert [evidence.get(k).number for k in ("ASSIST", "ASTIS", "SCOT")] == [14, 15, 16]
    scot = evidence.get("SCOT")
    assert scot.kind == "randomised-trial"
    assert scot.therapies == ("hsct-auto-myeloablative-cd34",)
    assert scot.doi == "10.1056/NEJMoa1703327"  # hsct.md 0, [P]
    assert evidence.get("ASSIST").therapies == ("hsct-auto-nonmyeloablative-unselected",)
    assert evidence.get("ASTIS").therapies == ("hsct-auto-nonmyeloablative-cd34",)


@pytest.mark.parametrize("key", ["UPSIDE", "Spierings-2022", "EBMT-2025"])
def test_spec_confirmed_uncited_records(key):
    r = evidence.get(key)
    assert r.cited_by_review is False
    assert r.number is None
    assert r.status is Evidence.CONFIRMED
    assert r.spec_ref
    assert r.spec_ref.startswith("hsct.md")


def test_cited_records_are_secondary_bibliography():
    assert {r.status for r in evidence.references(cited_by_review=True)} == {Evidence.SECONDARY}


def test_filters():
    svf = [r.key for r in evidence.references(therapy="svf")]
    assert svf == ["Granel-2015", "Daumas-2022", "Liu-2024"]
    morphea = {r.key for r in evidence.references(disease="morphea")}
    assert {"Papara-2023", "Moll-2011", "Nair-2015", "Liu-2024", "Wang-2023"} <= morphea
    rcts = {r.key for r in evidence.references(kind="randomised-trial", cited_by_review=True)}
    assert rcts == {"ASSIST", "ASTIS", "SCOT", "Daumas-2022"}
    assert [r.key for r in evidence.references(kind="meta-analysis", therapy="hsct")] == [
        "Higashitani-2023",
        "Cochrane-2022",
    ]


def test_unknown_key_message():
    with pytest.raises(UnknownFieldError) as exc:
        evidence.get("NOPE")
    assert str(exc.value) == "field 'key': got 'NOPE'; allowed: a reference key listed by `sclerostem evidence list`."


def test_bad_filter_message():
    with pytest.raises(InputError) as exc:
        evidence.references(disease="lupus")
    assert str(exc.value) == "field 'disease': got 'lupus'; allowed: one of 'ssc', 'morphea'."


def test_dataset_version_is_shared():
    assert evidence.dataset_version() == "2025.11.1"


def test_reference_to_dict_round_trip():
    d = evidence.get("Farge-2022").to_dict()
    assert d["kind"] == "cohort"
    assert d["therapies"] == ["msc-bm-allo"]
    assert d["status"] == "secondary"
    assert "NCT02213705" in d["other_ids"]
