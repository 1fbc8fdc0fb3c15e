"""Trace check of outcome rows against the spec text they quote (used by test_outcomes.py).

Every number of a row (n, events, estimate, CI, SD, sign included) and its
P value must be found in the part of the quote that belongs to the row's own
arm (or, for a between-arm effect, to its own outcome):

- a quote that is a whole row of a spec table is read by column, the table's
  header naming the column: ``HSCT``, ``control``/``CYC``, ``effect``, or (in
  hsct.md C3's hazard-ratio table) ``EFS HR ...`` / ``OS HR ...``;
- a quote in running text must give each arm's fragment(s) (``arm_quote``) when
  the result has two arms; the active arm's fragment must come before the
  control arm's (the specs write "treatment vs control"), and the P value must
  follow the control arm's last fragment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sclerostem.evidence import OutcomeRow
from sclerostem.result import Evidence

SNAPSHOT = Path(__file__).resolve().parent / "spec"
LIVE_SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec"
#: The live spec (shared/spec beside the repository) when present, else the committed snapshot.
SPEC_DIR = LIVE_SPEC if (LIVE_SPEC / "hsct.md").is_file() and (LIVE_SPEC / "msc.md").is_file() else SNAPSHOT

ATOL_PRINTED = 1e-9  #: spec numbers have at most 4 decimals; this only absorbs float parsing noise

_TOKEN = re.compile(r"(?P<sign>[-−])?(?P<num>\d+(?:\.\d+)?|\.\d+)")
_P = re.compile(r"\s*(?P<cmp>[<>≤≥=]?)\s*(?P<num>\d*\.?\d+)\s*")
_FIELDS = ("n", "events", "estimate", "ci_low", "ci_high", "sd")
_ACTIVE = ("hsct", "treatment")


def section(ref: str) -> str:
    """Text of one spec section, e.g. ``"hsct.md C6"``: from its heading to the next heading of the same level."""
    fname, sec = ref.split(" ", 1)
    lines = (SPEC_DIR / fname).read_text(encoding="utf-8").splitlines()
    head = re.compile(rf"^(#{{2,4}})\s+{re.escape(sec)}[.\s]")
    for i, line in enumerate(lines):
        m = head.match(line)
        if m:
            level = len(m.group(1))
            end = next((j for j in range(i + 1, len(lines)) if re.match(rf"^#{{2,{level}}}\s", lines[j])), len(lines))
            return "\n".join(lines[i:end])
    raise AssertionError(f"no section {sec!r} in {fname}")


def signed_numbers(text: str) -> list[tuple[float, int]]:
    """Numbers in ``text`` with their sign and position.

    A minus (``-`` or ``−``) is a sign only when it does not follow a letter or
    digit (``1-109`` is a range); an en dash (``–``) is always a range.
    """
    out = []
    for m in _TOKEN.finditer(text.replace("*", " ")):
        start = m.start()
        prev = text[start - 1] if start > 0 else " "
        if (prev.isalnum() or prev == ".") and m.group("sign") is None:
            continue  # the tail of an identifier or of a number already read
        negative = m.group("sign") is not None and not prev.isalnum()
        value = float(m.group("num"))
        out.append((-value if negative else value, m.start("num")))
    return out


def _has(text: str, value: float) -> bool:
    return any(abs(v - value) <= ATOL_PRINTED for v, _ in signed_numbers(text))


def _p_in(text: str, p_value: str) -> bool:
    m = _P.fullmatch(p_value)
    if m is None:
        return False
    cmp_, value = m.group("cmp"), float(m.group("num"))
    for v, pos in signed_numbers(text):
        if abs(v - value) > ATOL_PRINTED:
            continue
        before = text[:pos].rstrip()
        printed_cmp = before[-1] if before and before[-1] in "<>≤≥=" else ""
        if cmp_ in ("", "=") and printed_cmp in ("", "="):
            return True
        if cmp_ == printed_cmp:
            return True
    return False


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_header(quote: str, text: str) -> list[str] | None:
    """Header cells of the spec table of which ``quote`` is a whole row, else ``None``."""
    lines = text.splitlines()
    idx = next((i for i, line in enumerate(lines) if line.strip() == quote.strip()), None)
    if idx is None or not quote.strip().startswith("|"):
        return None
    top = idx
    while top > 0 and lines[top - 1].strip().startswith("|"):
        top -= 1
    return _cells(lines[top])


def _column(header: list[str], row: OutcomeRow, for_p: bool = False) -> tuple[int | None, str]:
    """Index of the column holding the row's numbers (or its P value), and a problem if none/ambiguous."""
    low = [h.lower() for h in header]
    if row.arm == "pooled" or for_p:
        own = [i for i, h in enumerate(low) if h.startswith(f"{row.outcome} ")]
        cols = own or [i for i, h in enumerate(low) if "effect" in h or h == "p"]
    elif row.arm in _ACTIVE:
        cols = [i for i, h in enumerate(low) if "hsct" in h or "treatment" in h]
    else:
        cols = [i for i, h in enumerate(low) if "control" in h or "cyc" in h]
    if len(cols) != 1:
        what = "P value" if for_p else f"arm {row.arm!r}"
        return None, f"{row.key}: {len(cols)} columns of table {header} match the {what}"
    return cols[0], ""


def _siblings(row: OutcomeRow, rows: Iterable[OutcomeRow]) -> list[OutcomeRow]:
    base = row.key.rsplit(".", 1)[0]
    return [r for r in rows if r.key.rsplit(".", 1)[0] == base]


def trace_problems(row: OutcomeRow, rows: Iterable[OutcomeRow]) -> list[str]:
    """Everything wrong with how ``row`` traces to its quote (empty list: it traces).

    ``rows`` is the whole table (used to find the other arm of a two-arm result).
    """
    text = section(row.spec_ref)
    if row.spec_quote not in text:
        return [f"{row.key}: quote not in {row.spec_ref}"]
    problems: list[str] = []
    siblings = _siblings(row, rows)
    header = _table_header(row.spec_quote, text)
    p_scope = row.spec_quote
    if header is not None:
        cells = _cells(row.spec_quote)
        if len(cells) != len(header):
            return [f"{row.key}: quote has {len(cells)} cells, its table header {len(header)}"]
        col, problem = _column(header, row)
        if col is None:
            return [problem]
        scopes = [cells[col]]
        pcol, problem = _column(header, row, for_p=True)
        if row.p_value is not None:
            if pcol is None:
                problems.append(problem)
            else:
                p_scope = cells[pcol]
    elif len(siblings) > 1:
        if not row.arm_quote:
            return [f"{row.key}: a two-arm result quoted in running text needs each arm's fragment (arm_quote)"]
        scopes = list(row.arm_quote)
        for frag in scopes:
            if row.spec_quote.count(frag) != 1:
                problems.append(f"{row.key}: fragment {frag!r} occurs {row.spec_quote.count(frag)} times in the quote")
        active = [r for r in siblings if r.arm in _ACTIVE]
        control = [r for r in siblings if r.arm == "control"]
        if len(active) == 1 and len(control) == 1:
            a, c = active[0], control[0]
            if len(a.arm_quote) != len(c.arm_quote):
                problems.append(f"{row.key}: arms give different numbers of fragments")
            for fa, fc in zip(a.arm_quote, c.arm_quote, strict=False):
                if row.spec_quote.find(fa) > row.spec_quote.find(fc):
                    problems.append(f"{row.key}: active-arm fragment {fa!r} comes after control fragment {fc!r}")
            if c.arm_quote:
                last = c.arm_quote[-1]
                tail = row.spec_quote[row.spec_quote.find(last) + len(last):]
                p_scope = re.split(r";|\|", tail, maxsplit=1)[0]
        else:
            problems.append(f"{row.key}: expected one active and one control arm, got {[r.arm for r in siblings]}")
    else:
        scopes = list(row.arm_quote) or [row.spec_quote]
        for frag in scopes:
            if frag not in row.spec_quote:
                problems.append(f"{row.key}: fragment {frag!r} not in the quote")
    scope = " ¦ ".join(scopes)
    for name in _FIELDS:
        value = getattr(row, name)
        if value is None:
            continue
        if row.status is Evidence.DERIVED and name == "events":
            continue  # derived by arithmetic shown in the row note
        if not _has(scope, float(value)):
            problems.append(f"{row.key}: {name}={value:g} not in its own part of the quote: {scope!r}")
    if row.p_value is not None and not _p_in(p_scope, row.p_value):
        problems.append(f"{row.key}: p_value {row.p_value!r} not in its part of the quote: {p_scope!r}")
    return problems
