"""What an import did (or would have done): the report every importer returns, and its row errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportReport:
    """What an import did (or would have done): rows read, answers changed, links added, errors."""

    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    links_added: int = 0
    errors: list[RowError] = field(default_factory=list)
    # What changed (or would change in a dry run), row by row: {"row", "code", "title", "action", "fields"}.
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rows": self.rows, "changed": self.changed, "unchanged": self.unchanged,
                "links_added": self.links_added, "errors": [e.to_dict() for e in self.errors],
                "changes": self.changes}


class ImportFailed(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("; ".join(str(e) for e in report.errors[:5]))
        self.report = report
