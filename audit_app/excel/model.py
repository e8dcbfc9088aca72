"""What every reader hands to the importer: visits with their cells still raw, each cell
knowing where it came from, so that every problem can be named by sheet, cell and row.

Readers (templates, CSV, mapping profiles) only find cells; the importer
(``audit_app.services.imports``) decides what they mean, against the checklist version
and the known branches, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple


@cache
def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA; cached, as a bulk sheet asks for the same letters all along."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_ref(row: int, column: int) -> str:
    """(row 17, column index 4) -> E17; rows are 1-based as a spreadsheet shows them."""
    return f"{column_letter(column)}{row}"


class Cell(NamedTuple):
    """A raw value and its place: ``sheet`` and ``ref`` (E17), or a CSV line as ``row``.

    A named tuple, not a dataclass: a bulk workbook makes 300,000 of them, and tuples are
    built several times faster.
    """

    value: Any
    sheet: str
    ref: str
    row: int

    @property
    def where(self) -> str:
        """``Audit!E17`` for a workbook, ``line 17`` for a CSV file (sheet "")."""
        return f"{self.sheet}!{self.ref}" if self.sheet else f"line {self.row}, {self.ref}"


@dataclass(frozen=True)
class ImportIssue:
    """One problem, placed as precisely as the file allows, in words a manager reads."""

    message: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None

    @classmethod
    def at(cls, cell: Cell, message: str) -> ImportIssue:
        return cls(message, cell.sheet or None, cell.ref, cell.row)

    def __str__(self) -> str:
        if self.sheet and self.cell and self.message.startswith(f"{self.cell}: "):
            return f"{self.sheet}!{self.message}"
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}: {self.message}"
        if self.cell:
            return f"line {self.row}, {self.cell}: {self.message}"
        if self.row is not None:
            return f"row {self.row}: {self.message}"
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.cell, "row": self.row, "message": self.message}


class RawAnswer(NamedTuple):
    item_id: str
    value: Cell
    comment: Cell | None = None


@dataclass(frozen=True)
class RawVisit:
    """One visit as found in a file. ``branch`` holds a code, or a name when ``by_name``."""

    branch: Cell
    visit_date: Cell
    auditor: Cell
    answers: tuple[RawAnswer, ...]
    visit_time: Cell | None = None
    channel: Cell | None = None
    kind: Cell | None = None
    branch_by_name: bool = False
    row: int | None = None
    """The row (or first row) the visit came from, for messages."""
    checklist_id: Cell | None = None
    """Set where one file mixes checklists (a long CSV); else the ReadResult's checklist."""
    checklist_version: Cell | None = None


@dataclass(frozen=True)
class ReadResult:
    """What a reader found in one file."""

    checklist_id: str
    """The file's checklist; "" where each visit names its own (``RawVisit.checklist_id``)."""
    checklist_version: int | None
    """None: the file does not say, use the current version."""
    visits: tuple[RawVisit, ...]
    issues: tuple[ImportIssue, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    """Rows deliberately left out, by reason (e.g. {"store closed": 2, "subtotal": 3})."""
    content_hash: str | None = None
    """The checklist content hash the file was made from (templates), to check it still fits."""
    default_kind: str = "import"
    percent_as_fraction: bool = False
    """True where numeric percentage cells hold fractions (Excel's 91 % is 0.91)."""
    vocabulary: Any = None
    """Extra answer words from a mapping profile (an ``excel.vocabulary.Vocabulary``)."""
    language: str | None = None
    """The language the file's questions were written in (templates); None: not known, the
    branch's language is the audit's."""
