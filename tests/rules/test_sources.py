"""Every rule names a source key of the spec's source register, with a table/page reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sclerostem.result import Evidence
from sclerostem.rules import criteria_sets
from sclerostem.rules._sources import SOURCE_KEYS
from tests.conftest import require_or_skip

SNAPSHOT = Path(__file__).parent / "data" / "hsct_source_register_keys.txt"
SPEC_DIR = Path(__file__).resolve().parents[3] / "shared" / "spec"


def _snapshot_keys() -> list[str]:
    return [ln.strip() for ln in SNAPSHOT.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def parse_register(text: str) -> list[str]:
    """Keys (first column) of the '## 0. Source register' table of hsct.md."""
    section = text.split("## 0. Source register", 1)[1].split("\n---", 1)[0]
    keys = []
    for line in section.splitlines():
        m = re.match(r"^\| ([^|]+?) \|", line)
        if m and m.group(1) not in ("key", "---"):
            keys.append(re.sub(r"\s*\(.*\)$", "", m.group(1)).strip())  # "Levin-2022 (probable)"
    return keys


def test_snapshot_matches_the_spec() -> None:
    spec = SPEC_DIR / "hsct.md"
    require_or_skip(spec.is_file(), f"shared spec at {spec}")
    assert parse_register(spec.read_text(encoding="utf-8")) == _snapshot_keys()


def test_engine_accepts_exactly_the_register_keys() -> None:
    assert list(SOURCE_KEYS) == _snapshot_keys()


def test_msc_spec_ebmt_2025_rules_use_the_same_key() -> None:
    spec = SPEC_DIR / "msc.md"
    require_or_skip(spec.is_file(), f"shared spec at {spec}")
    section = spec.read_text(encoding="utf-8").split("### 4.6", 1)[1].split("\n---", 1)[0]
    assert "10.1038/s41409-025-02695-y" in section  # the DOI of EBMT-2025 in hsct.md §0


@pytest.mark.parametrize("cs", criteria_sets(), ids=lambda s: s.id)
def test_every_rule_cites_a_register_key_and_a_reference(cs) -> None:  # type: ignore[no-untyped-def]
    keys = set(_snapshot_keys())
    assert cs.source in keys
    for rule in cs.rules:
        assert rule.sources, rule.id
        assert set(rule.sources) <= keys, rule.id
        assert rule.ref.strip(), rule.id
        assert rule.status in (Evidence.CONFIRMED, Evidence.SECONDARY, Evidence.UNCONFIRMED)


def test_sets_have_versions_and_the_expected_ids() -> None:
    sets = criteria_sets()
    assert [s.id for s in sets] == ["EBMT-2025", "EBMT-cardio-2017", "ASBMT-2018", "ASSIST", "ASTIS", "SCOT", "UPSIDE"]
    assert all(s.version for s in sets)


def test_unconfirmed_rules_are_exactly_those_the_spec_leaves_open() -> None:
    """hsct.md: SCOT duration conflict [U] (A2), TAPSE column placement inferred (A3); the ASBMT set is
    the toolkit's reading of an abstract without patient criteria (A1)."""
    unconfirmed = {r.id for s in criteria_sets() for r in s.rules if r.status is Evidence.UNCONFIRMED}
    assert unconfirmed == {"SCOT.duration", "EBMT-cardio-2017.tapse", "ASBMT-2018.rct_population"}
