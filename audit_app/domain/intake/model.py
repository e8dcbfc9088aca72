"""What every reader hands to the importer: visits with their cells still raw, each cell
knowing where it came from, so that every problem can be named by sheet, cell and row.

Readers (templates, CSV, mapping profiles) only find cells; the importer
(``audit_app.services.imports``) decides what they mean, against the checklist version
and the known branches, in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _


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
        if self.sheet:
            return f"{self.sheet}!{self.ref}"
        return _("line {row}, {place}").format(row=self.row, place=self.ref)


class IssueCode(StrEnum):
    """What is wrong, as a code the CLI, the app and automation branch on (never the text)."""

    # the file as a whole
    FILE_UNREADABLE = "file_unreadable"
    FILE_TOO_LARGE = "file_too_large"
    FILE_EMPTY = "file_empty"
    LAYOUT_UNKNOWN = "layout_unknown"
    """Not one of our templates or CSV forms: a mapping profile can read it."""
    NO_VISITS = "no_visits"
    # the mapping profile against the file
    PROFILE_CHECKLIST = "profile_checklist"
    HEADER_NOT_FOUND = "header_not_found"
    COLUMN_MISSING = "column_missing"
    PROFILE_INCOMPLETE = "profile_incomplete"
    PROFILE_ITEM_UNKNOWN = "profile_item_unknown"
    QUESTION_UNKNOWN = "question_unknown"
    PERCENT_SCALE_MIXED = "percent_scale_mixed"
    VALUE_NOT_FOUND = "value_not_found"
    """A visit value the profile takes from the file (its name, a sheet's name, a cell)
    is not there, or the profile's map does not name what is."""
    # the checklist
    CHECKLIST_MISSING = "checklist_missing"
    CHECKLIST_UNKNOWN = "checklist_unknown"
    CHECKLIST_VERSION_INVALID = "checklist_version_invalid"
    CHECKLIST_EDITION_CHANGED = "checklist_edition_changed"
    # one visit
    BRANCH_MISSING = "branch_missing"
    BRANCH_UNKNOWN = "branch_unknown"
    BRANCH_OUTSIDE_AREAS = "branch_outside_areas"
    DATE_MISSING = "date_missing"
    DATE_INVALID = "date_invalid"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    """A date before ``AUDIT_EARLIEST_VISIT_DATE`` or after tomorrow (settable)."""
    TIME_INVALID = "time_invalid"
    AUDITOR_MISSING = "auditor_missing"
    AUDITOR_NEAR_MISS = "auditor_near_miss"
    """A warning, not a refusal: an auditor's name close to a known auditor's (an accent,
    a typo, first and last name swapped); the visit imports under the name as written."""
    CHANNEL_INVALID = "channel_invalid"
    KIND_INVALID = "kind_invalid"
    ITEM_UNKNOWN = "item_unknown"
    ITEM_NO_COLUMN = "item_no_column"
    """A required item that no column (or row) of the file answers."""
    ANSWER_INVALID = "answer_invalid"
    ANSWER_MISSING = "answer_missing"
    ANSWER_NOT_APPLICABLE = "answer_not_applicable"
    """A note, not a refusal: an answer to a question skip logic leaves out (kept, not
    scored)."""
    SHEET_NOT_READ = "sheet_not_read"
    """A note: a sheet holding data that the mapping profile does not read (a workbook
    with one sheet per store read through a profile naming one)."""
    ANSWERED_TWICE = "answered_twice"
    VISIT_TWICE = "visit_twice"
    TEXT_TOO_LONG = "text_too_long"
    """An auditor over ``AUDIT_MAX_NAME_CHARS`` or a comment or text answer over
    ``AUDIT_MAX_TEXT_CHARS``."""
    TEXT_CONTROL_CHARACTER = "text_control_character"
    """A control character (other than tabs and line breaks) in a stored text."""
    # a branch list
    CONSTANT_NEEDED = "constant_needed"
    """A field every branch needs (country, region) that the file has no column for and
    no constant was given for."""
    BRANCH_INVALID = "branch_invalid"
    """A cell of a branch list that is not a valid value for its field."""
    BRANCH_TWICE = "branch_twice"
    """A branch code that repeats an earlier row's (ignoring case and width)."""
    COLUMN_DOUBTED = "column_doubted"
    """A guessed column that looks wrong (people's names, numbers), refused by --strict."""
    # the offline route's zip: a template and its photos
    ZIP_NO_WORKBOOK = "zip_no_workbook"
    ZIP_WORKBOOKS = "zip_workbooks"
    """More than one workbook in one zip: which visit a photo belongs to is not clear."""
    PHOTO_NO_ITEM = "photo_no_item"
    """A zip member whose name is no question code of the checklist."""
    PHOTO_VISIT_UNCLEAR = "photo_visit_unclear"
    """A photo of a workbook with several visits, not in a folder naming its visit's row."""
    PHOTO_REFUSED = "photo_refused"
    """Not an image, too many pixels, damaged, too large (the message says which)."""
    PHOTO_UNANSWERED = "photo_unanswered"
    """A photo for a question the visit leaves unanswered (photo questions excepted)."""
    PHOTO_REQUIRED = "photo_required"
    PHOTO_TOO_MANY = "photo_too_many"
    # writing
    WRITE_CONFLICT = "write_conflict"
    # a checklist kept as a spreadsheet of questions
    CHECKLIST_COLUMN_REPEATED = "checklist_column_repeated"
    CHECKLIST_ROW_INVALID = "checklist_row_invalid"
    """A row with cells filled but no question (and not a section banner)."""
    CHECKLIST_TYPE_UNKNOWN = "checklist_type_unknown"
    CHECKLIST_OPTIONS_INVALID = "checklist_options_invalid"
    CHECKLIST_CONDITION_INVALID = "checklist_condition_invalid"
    CHECKLIST_CELL_INVALID = "checklist_cell_invalid"
    """A flag, number, id or setting that cannot be read."""
    CHECKLIST_RULE_BROKEN = "checklist_rule_broken"
    """Read cell by cell, but the checklist breaks a rule of the model (named at its cell)."""


@dataclass(frozen=True)
class ImportIssue:
    """One problem: its code, its place as precisely as the file allows, and words a
    manager reads."""

    code: IssueCode
    message: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None

    @classmethod
    def at(cls, code: IssueCode, cell: Cell, message: str) -> ImportIssue:
        return cls(code, message, cell.sheet or None, cell.ref, cell.row)

    def __str__(self) -> str:
        if self.sheet and self.cell and self.message.startswith(f"{self.cell}: "):
            return f"{self.sheet}!{self.message}"
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}: {self.message}"
        if self.cell:
            return _("line {row}, {place}: {message}").format(
                row=self.row, place=self.cell, message=self.message
            )
        if self.row is not None and self.sheet:
            return _("{sheet}, row {row}: {message}").format(
                sheet=self.sheet, row=self.row, message=self.message
            )
        if self.row is not None:
            return _("row {row}: {message}").format(row=self.row, message=self.message)
        if self.sheet:
            return _("sheet {sheet}: {message}").format(sheet=self.sheet, message=self.message)
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "message": self.message,
        }


class SkipReason(StrEnum):
    """Why a row read is not a visit."""

    BLANK = "blank"
    """Every cell empty (between rows that hold something)."""
    SEPARATOR = "separator"
    """No visit date and no answer: a region label, a rule of dashes, a banner."""
    SUBTOTAL = "subtotal"
    """A subtotal or average label in the branch column, on a row that names no branch."""
    CLOSED = "closed"
    """A closed-store marker in the branch or status column, on a row that names no known
    branch or holds no answers."""
    REPEATED_HEADER = "repeated_header"
    RULE = "rule"
    """An explicit ``skip.rules`` entry of the mapping profile, on a named column."""
    EMPTY_COLUMN = "empty_column"
    """Questions in rows: a visit column with no answer at all is not a visit."""

    @property
    def label(self) -> str:
        return _(_SKIP_LABELS[self.value])


_SKIP_LABELS = {
    "blank": N_("blank row"),
    "separator": N_("separator row"),
    "subtotal": N_("subtotal row"),
    "closed": N_("store closed"),
    "repeated_header": N_("header repeated"),
    "rule": N_("skipped by the profile's rule"),
    "empty_column": N_("column with no answers"),
}


def count_by_reason(skipped: Sequence[SkippedRow]) -> dict[str, int]:
    """{reason code: rows}, in the order reasons were first met."""
    counts: dict[str, int] = {}
    for row in skipped:
        counts[row.reason.value] = counts.get(row.reason.value, 0) + 1
    return counts


@dataclass(frozen=True)
class SkippedRow:
    """A row read and left out, with the text that made it so."""

    sheet: str
    row: int
    reason: SkipReason
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet or None,
            "row": self.row,
            "reason": self.reason.value,
            "text": self.text,
        }


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
    rows: tuple[int, ...] = ()
    """Every row the visit was read from (one in a wide layout, one per answer in a long
    one): how the import accounts for each row. Empty: just ``row``."""
    checklist_id: Cell | None = None
    """Set where one file mixes checklists (a long CSV); else the ReadResult's checklist."""
    checklist_version: Cell | None = None
    reference: Cell | None = None
    """The visit's outside reference (a review number), where the file has one."""


@dataclass(frozen=True)
class ReadResult:
    """What a reader found in one file."""

    checklist_id: str
    """The file's checklist; "" where each visit names its own (``RawVisit.checklist_id``)."""
    checklist_version: int | None
    """None: the file does not say, use the current version."""
    visits: tuple[RawVisit, ...]
    issues: tuple[ImportIssue, ...] = ()
    skipped: tuple[SkippedRow, ...] = ()
    """Rows read and deliberately left out, each with its reason and text."""
    rows_read: int | None = None
    """Rows below the header up to the last one that holds anything (None: one per visit
    row, as ``RawVisit.rows`` say, plus the skipped rows)."""
    content_hash: str | None = None
    """The checklist content hash the file was made from (templates), to check it still fits."""
    default_kind: str = "import"
    percent_as_fraction: bool = False
    """True where numeric percentage cells hold fractions (Excel's 91 % is 0.91)."""
    vocabulary: Any = None
    """Extra answer words from a mapping profile (an ``domain.intake.vocabulary.Vocabulary``)."""
    language: str | None = None
    """The language the file's questions were written in (templates); None: not known, the
    branch's language is the audit's."""
    notes: tuple[ImportIssue, ...] = ()
    """What deserves a word without refusing the file (a sheet left unread)."""

    def skipped_by_reason(self) -> dict[str, int]:
        return count_by_reason(self.skipped)

    @property
    def counted_rows(self) -> int:
        """Rows read: given by the reader, else those of the visits and the skipped rows."""
        if self.rows_read is not None:
            return self.rows_read
        return sum(len(v.rows) or 1 for v in self.visits) + len(self.skipped)


class UnreadableFile(AuditAppError):
    """The file cannot be read at all: the whole file is refused with one coded problem."""

    def __init__(self, message: str, code: IssueCode = IssueCode.FILE_UNREADABLE) -> None:
        super().__init__(message)
        self.code = code
