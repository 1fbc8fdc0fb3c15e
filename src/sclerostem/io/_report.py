"""The import report: every problem of a file (row, field, value, reason) at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sclerostem.errors import SclerostemError

__all__ = ["ImportFailed", "ImportProblem", "ImportReport"]


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem: 1-based data row (header excluded), field, value received, reason."""

    row: int | None
    field: str
    value: Any
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}, field {self.field!r}" if self.row is not None else f"field {self.field!r}"
        return f"{where}: got {self.value!r}; {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "value": self.value, "reason": self.reason}


@dataclass
class ImportReport:
    """What an import found and did."""

    source: str
    rows: int = 0
    valid_rows: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    rejected_rows: list[int] = field(default_factory=list)
    rejected_path: str | None = None
    dry_run: bool = False
    committed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, what: dict[str, int]) -> int:
        return sum(what.values())

    def summary(self, max_problems: int | None = None) -> str:
        """Human-readable report (problems first, then counts); ``max_problems`` caps the list."""
        lines = [f"{len(self.problems)} problem(s) in {self.source}:" if self.problems else
                 f"no problems in {self.source}."]
        shown = self.problems if max_problems is None else self.problems[:max_problems]
        lines += [f"  {p}" for p in shown]
        if len(shown) < len(self.problems):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more (write them all with --report FILE)")
        verb = "would be" if self.dry_run or not self.committed else "were"
        lines.append(f"{self.rows} row(s) read, {self.valid_rows} valid.")
        for label, d in (("created", self.created), ("updated", self.updated), ("unchanged", self.unchanged)):
            if d:
                parts = ", ".join(f"{n} {k}" for k, n in sorted(d.items()))
                lines.append(f"{label} ({verb if label != 'unchanged' else 'already present'}): {parts}")
        if self.rejected_path:
            lines.append(f"{len(self.rejected_rows)} rejected row(s) written to {self.rejected_path}")
        if not self.committed:
            lines.append("nothing was imported." if not self.dry_run else "dry run: nothing was imported.")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self.rows, "valid_rows": self.valid_rows,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "problems": [p.to_dict() for p in self.problems], "rejected_rows": self.rejected_rows,
                "rejected_path": self.rejected_path, "dry_run": self.dry_run, "committed": self.committed}


class ImportFailed(SclerostemError):
    """The file had invalid rows and nothing was imported; ``report`` lists every problem."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        n = len(report.problems)
        first = str(report.problems[0]) if n else ""
        super().__init__(f"{n} problem(s) in {report.source}; nothing imported. First: {first}")
