"""Outcome rows: every row traces to the spec text it was read from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sclerostem import evidence
from sclerostem.errors import UnknownFieldError
from sclerostem.result import Evidence

SNAPSHOT = Path(__file__).resolve().parent / "spec"
LIVE_SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec"
#: The live spec (shared/spec beside the repository) when present, else the committed snapshot.
SPEC_DIR = LIVE_SPEC if (LIVE_SPEC / "hsct.md").is_file() and (LIVE_SPEC / "msc.md").is_file() else SNAPSHOT
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _section(ref: str) -> str:
    """Text of one spec section, e.g. ``"hsct.md C6"``: from its heading to the next heading of the same level."""
    fname, sec = ref.split(" ", 1)
    lines = (SPEC_DIR / fname).read_text(encoding="utf-8").splitlines()
    head = re.compile(rf"^(#{{2,4}})\s+{re.escape(sec)}[.\s]")
    for i, line in enumerate(lines):
        m = head.match(line)
        if m:
            level = len(m.group(1))
            end = next((j for j in range(i + 1, len(lines))
                        if re.match(rf"^#{{2,{level}}}\s", lines[j])), len(lines))
            return "\n".join(lines[i:end])
    raise AssertionError(f"no section {sec!r} in {fname}")


def _numbers(text: str) -> set[float]:
    text = text.replace("−", "-").replace("*", "")
    return {abs(float(x)) for x in NUMBER.findall(text)}


ROWS = evidence.outcome_rows()


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.key)
def test_row_traces_to_spec(row):
    section = _section(row.spec_ref)
    assert row.spec_quote in section, f"{row.key}: quote not in {row.spec_ref}"
    found = _numbers(row.spec_quote)
    for name in ("n", "events", "estimate", "ci_low", "ci_high", "sd"):
        value = getattr(row, name)
        if value is None:
            continue
        if row.status is Evidence.DERIVED and name == "events":
            continue  # derived by arithmetic shown in the row note
        assert abs(value) in found, f"{row.key}: {name}={value} not in the quoted spec text"


def test_reference_spec_refs_point_at_existing_sections():
    for ref in evidence.references():
        if ref.spec_ref:
            assert _section(ref.spec_ref)


def test_row_keys_unique_and_documented():
    keys = [r.key for r in ROWS]
    assert len(keys) == len(set(keys))
    for r in ROWS:
        assert r.outcome in evidence.OUTCOMES
        assert r.measure in evidence.MEASURES
        assert r.arm in evidence.ARMS
        if r.measure == "count":
            assert r.events is not None, r.key
            assert r.n is not None, r.key
            assert 0 <= r.events <= r.n, r.key


def test_derived_rows_show_their_arithmetic():
    for r in ROWS:
        if r.status is Evidence.DERIVED:
            assert r.note
            assert "[D]" in r.note


def test_astis_trm_rows():
    """ASTIS treatment-related deaths at 12 months 8/79 vs 0/77 (hsct.md C6, [S] Walker-2018)."""
    rows = evidence.outcome_rows("ASTIS", "trm")
    assert [(r.arm, r.events, r.n, r.time_months) for r in rows] == [("hsct", 8, 79, 12.0), ("control", 0, 77, 12.0)]
    assert {r.status for r in rows} == {Evidence.SECONDARY}
    assert {r.spec_ref for r in rows} == {"hsct.md C6"}


def test_scot_72_month_km_rows():
    """SCOT 72-month per-protocol KM estimates EFS 74 % vs 47 %, OS 86 % vs 51 % (hsct.md C2/C6, [P])."""
    efs = {r.arm: r.estimate for r in evidence.outcome_rows("SCOT", "efs") if r.time_months == 72}
    os_ = {r.arm: r.estimate for r in evidence.outcome_rows("SCOT", "os") if r.time_months == 72}
    assert efs == {"hsct": 74.0, "control": 47.0}
    assert os_ == {"hsct": 86.0, "control": 51.0}


def test_astis_hazard_ratio_row():
    """ASTIS EFS HR at 2 years 0.35 (0.16-0.74) (hsct.md C6, [P] JAMA Figure 2 legend)."""
    (r,) = [r for r in evidence.outcome_rows("ASTIS", "efs") if r.measure == "hr" and r.time_months == 24]
    assert (r.estimate, r.ci_low, r.ci_high, r.arm, r.status) == (0.35, 0.16, 0.74, "pooled", Evidence.CONFIRMED)


def test_unknown_study_and_outcome():
    with pytest.raises(UnknownFieldError) as exc:
        evidence.outcome_rows("SCOT-2018")
    assert str(exc.value) == "field 'study': got 'SCOT-2018'; allowed: a reference key listed by `sclerostem evidence list`."
    with pytest.raises(UnknownFieldError):
        evidence.outcome_rows(outcome="mortality")
