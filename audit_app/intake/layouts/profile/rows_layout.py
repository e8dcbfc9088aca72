"""Questions in rows, one column per visit or per month (a monthly QA workbook).

The header row labels each visit column (``Jan 2025``, ``Visit 1``, a date); rows labelled
in the question column (``Store``, ``Auditor``, ``Date``), above or below the header, give
each column's visit fields. Question rows are read across: each visit column becomes one
visit. Subtotal and section rows are left out and listed; ``-`` placeholders are blank; a
column with no answer at all is not a visit (listed as an empty column).

Accounting: every visit column counts as one row read (it is the visit's row, turned on
its side), every question row left out as one more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from audit_app.domain.checklist import Checklist, PercentageItem
from audit_app.domain.intake.dates import parse_month_label
from audit_app.domain.intake.model import (
    Cell,
    ImportIssue,
    IssueCode,
    RawAnswer,
    RawVisit,
    SkippedRow,
    SkipReason,
)
from audit_app.domain.intake.vocabulary import fold, is_closed_marker
from audit_app.i18n import _
from audit_app.intake.layouts.profile.columns import QuestionResolver
from audit_app.intake.layouts.profile.matching import header_key, question_key
from audit_app.intake.layouts.profile.percent import PercentColumn
from audit_app.intake.layouts.profile.profile import MappingProfile, RowsLayout
from audit_app.intake.layouts.profile.skipping import is_empty, shown
from audit_app.intake.source.grid import Grid, last_filled

SECTION_SUBTOTAL = re.compile(
    r"(?i)^[^\W\d][\w\s\-/&.]{0,40}?\s(sub-?\s*)?(totals?|average|mean|score|media|mitjana"
    r"|medie|ortalama|toplam|promedio|suma|puan)\s*[:\-–]?\s*%?\s*$"
)
"""A section's subtotal as QA workbooks label it (``Section total``, ``Shelf average``),
besides the profile's subtotal pattern; only for rows that are not a question."""


COLUMN_REASONS = frozenset({SkipReason.EMPTY_COLUMN, SkipReason.CLOSED})
"""Reasons a visit column is left out: counted among the columns, not the rows."""


@dataclass
class RowsFound:
    """What the rows reader found, in the shape ``read_with_profile`` returns."""

    visits: list[RawVisit] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    rows_read: int = 0
    fraction_items: set[str] = field(default_factory=set)
    percent_items: set[str] = field(default_factory=set)


def find_label(grid: Grid, text: str, columns: range | None = None) -> tuple[int, int] | None:
    """(offset, column) of the first cell whose header key is ``text``'s."""
    key = header_key(text)
    for offset, row in enumerate(grid.rows):
        for column in columns if columns is not None else range(len(row)):
            if (
                column < len(row)
                and isinstance(row[column], str)
                and header_key(row[column]) == key
            ):
                return offset, column
    return None


class RowsReader:
    """Reads a questions-in-rows sheet through a profile whose ``rows`` settings say where."""

    def __init__(self, grid: Grid, profile: MappingProfile, checklist: Checklist) -> None:
        assert profile.rows is not None  # the profile's validator says so
        self.grid = grid
        self.profile = profile
        self.settings: RowsLayout = profile.rows
        self.checklist = checklist
        self.sheet = grid.sheet
        self.found = RowsFound()
        self.question = 0

    def read(self) -> RowsFound:
        grid, found = self.grid, self.found
        header = self._header()
        if header is None:
            return found
        offset, question = header
        self.question = question
        grid.use_header(offset)
        number = self._number_column(offset)
        if number is False:
            return found
        labels = [c for c in (question, number) if isinstance(c, int)]
        fields = self._field_rows(max(labels))
        if fields is None:
            return found
        first_visit = max(labels) + 1
        columns = [
            c
            for c in range(first_visit, grid.width)
            if not is_empty(self._value(offset, c))
            or any(not is_empty(self._value(r, c)) for r in fields.values())
        ]
        questions = self._question_rows(offset, question, number, columns, set(fields.values()))
        self._visits(offset, columns, questions, fields)
        return found

    # ------------------------------------------------------------------ where things are

    def _value(self, offset: int, column: int) -> Any:
        row = self.grid.rows[offset]
        return row[column] if column < len(row) else ""

    def _cell(self, offset: int, column: int) -> Cell:
        value = self._value(offset, column)
        number = self.grid.row_number(offset)
        return Cell(
            None if is_empty(value) else value, self.sheet, self.grid.ref(offset, column), number
        )

    def _header(self) -> tuple[int, int] | None:
        """(offset, question column) of the header row."""
        text = self.settings.question_column
        if isinstance(self.profile.header_row, int):
            offset = self.profile.header_row - 1 - self.grid.first_row
            found = None
            if 0 <= offset < len(self.grid.rows):
                key = header_key(text)
                found = next(
                    (
                        (offset, c)
                        for c, v in enumerate(self.grid.rows[offset])
                        if header_key(v) == key
                    ),
                    None,
                )
        else:
            found = find_label(self.grid, text)
        if found is None:
            self.found.issues.append(
                ImportIssue(
                    IssueCode.HEADER_NOT_FOUND,
                    _(
                        "no header row holds the question column '{column}' the profile names "
                        "(rows.question_column)"
                    ).format(column=text),
                    self.sheet or None,
                )
            )
        return found

    def _number_column(self, offset: int) -> int | bool | None:
        text = self.settings.number_column
        if text is None:
            return None
        key = header_key(text)
        for column, value in enumerate(self.grid.rows[offset]):
            if header_key(value) == key:
                return column
        self._missing(
            _(
                "the question-number column '{column}' (rows.number_column) is not in the "
                "header row {row}"
            ).format(column=text, row=self.grid.row_number(offset)),
            offset,
        )
        return False

    def _missing(self, message: str, offset: int) -> None:
        row = self.grid.row_number(offset)
        self.found.issues.append(
            ImportIssue(
                IssueCode.COLUMN_MISSING,
                message,
                self.sheet or None,
                None,
                row,
            )
        )

    def _field_rows(self, last_label: int) -> dict[str, int] | None:
        """Role -> offset of the row that gives it, its label in a column up to the
        question column."""
        rows: dict[str, int] = {}
        for role, label in self.settings.fields.items():
            at = find_label(self.grid, label, range(last_label + 1))
            if at is None:
                self.found.issues.append(
                    ImportIssue(
                        IssueCode.COLUMN_MISSING,
                        _(
                            "no row is labelled '{label}' (rows.fields.{role}) in the question "
                            "column or left of it"
                        ).format(label=label, role=role),
                        self.sheet or None,
                    )
                )
            else:
                rows[role] = at[0]
        return rows if len(rows) == len(self.settings.fields) else None

    # ------------------------------------------------------------------ question rows

    def _question_rows(
        self,
        header: int,
        question: int,
        number: int | bool | None,
        columns: list[int],
        field_rows: set[int],
    ) -> list[tuple[int, str]]:
        """(offset, item id) per question row; the other rows listed or reported."""
        grid, found = self.grid, self.found
        named = (
            {question_key(text): item for text, item in self.profile.items.items()}
            if isinstance(self.profile.items, dict)
            else {}
        )
        resolve = QuestionResolver(self.profile, self.checklist, named)
        subtotal = (
            re.compile(self.profile.skip.subtotal_pattern)
            if self.profile.skip.subtotal_pattern
            else None
        )
        label_columns = [question] + ([number] if isinstance(number, int) else [])
        seen: dict[str, int] = {}
        out: list[tuple[int, str]] = []
        end = last_filled(grid.rows, header + 1)
        for offset in range(header + 1, end):
            if offset in field_rows:
                continue
            row_number = grid.row_number(offset)
            values = [self._value(offset, c) for c in range(grid.width)]
            if all(v == "" or v is None for v in values):
                self._skip(row_number, SkipReason.BLANK, "")
                continue
            text = self._value(offset, question)
            answers_empty = all(is_empty(self._value(offset, c)) for c in columns)
            label = next(
                (shown(v) for v in (self._value(offset, c) for c in label_columns) if shown(v)), ""
            )
            match = resolve(text) if not is_empty(text) else None
            if (
                match is None
                and isinstance(number, int)
                and not is_empty(self._value(offset, number))
            ):
                match = resolve(self._value(offset, number))
            if match is None and any(
                isinstance(value := self._value(offset, c), str)
                and (
                    (subtotal is not None and subtotal.search(value))
                    or SECTION_SUBTOTAL.search(value)
                )
                for c in label_columns
            ):
                self._skip(row_number, SkipReason.SUBTOTAL, label)
                continue
            if match is None:
                if answers_empty:  # a section heading or a rule between sections
                    self._skip(row_number, SkipReason.SEPARATOR, label)
                    continue
                found.issues.append(
                    ImportIssue.at(
                        IssueCode.QUESTION_UNKNOWN,
                        self._cell(offset, question),
                        _(
                            "'{question}' is not a question of checklist {checklist} "
                            "v{version}; name its item under items: in the mapping profile"
                        ).format(
                            question=label,
                            checklist=self.checklist.id,
                            version=self.checklist.version,
                        ),
                    )
                )
                continue
            if match.item_id in seen:
                found.issues.append(
                    ImportIssue.at(
                        IssueCode.ANSWERED_TWICE,
                        self._cell(offset, question),
                        _("item {item} is asked twice (also in row {row})").format(
                            item=match.item_id, row=seen[match.item_id]
                        ),
                    )
                )
                continue
            seen[match.item_id] = row_number
            out.append((offset, match.item_id))
        return out

    def _skip(self, row: int, reason: SkipReason, text: str) -> None:
        self.found.skipped.append(SkippedRow(self.sheet, row, reason, text))

    # ------------------------------------------------------------------ visits

    def _visits(
        self,
        header: int,
        columns: list[int],
        questions: list[tuple[int, str]],
        fields: dict[str, int],
    ) -> None:
        found = self.found
        header_row = self.grid.row_number(header)
        read_columns: list[int] = []
        for column in columns:
            answers = tuple(
                RawAnswer(item, self._cell(offset, column)) for offset, item in questions
            )
            label = shown(self._value(header, column))
            place = f"{self.grid.column_ref(column)} {label}".strip()
            if all(answer.value.value is None for answer in answers):
                found.skipped.append(
                    SkippedRow(self.sheet, header_row, SkipReason.EMPTY_COLUMN, place)
                )
                continue
            closed = self._closed(answers, fields, column)
            if closed is not None:
                found.skipped.append(
                    SkippedRow(self.sheet, header_row, SkipReason.CLOSED, f"{place}: {closed}")
                )
                continue
            read_columns.append(column)
            found.visits.append(
                RawVisit(
                    answers=answers,
                    row=header_row,
                    rows=(header_row,),
                    **self._visit_cells(header, column, fields),
                )
            )
        found.rows_read = len(columns) + sum(
            1 for s in found.skipped if s.reason not in COLUMN_REASONS
        )
        self._percent(questions, read_columns)

    def _closed(
        self, answers: tuple[RawAnswer, ...], fields: dict[str, int], column: int
    ) -> str | None:
        """The closed marker of a store not visited that month: in its branch row, or in
        every answer cell of its column."""
        markers = [fold(m) for m in self.profile.skip.closed_markers if m.strip()]
        if not markers:
            return None
        for role in ("branch_code", "branch_name"):
            if role in fields:
                value = self._value(fields[role], column)
                if isinstance(value, str) and is_closed_marker(value, markers):
                    return shown(value)
        texts = [a.value.value for a in answers if a.value.value is not None]
        if all(isinstance(t, str) and is_closed_marker(t, markers) for t in texts):
            return shown(texts[0])
        return None

    def _visit_cells(self, header: int, column: int, fields: dict[str, int]) -> dict[str, Any]:
        """Each visit field from its labelled row, else from the header label when the
        profile says it gives it, else the profile's default, else an empty cell at the
        column's header (a later step may fill it)."""
        placed = self._cell(header, column)
        given = self.settings.header_gives

        def role(name: str) -> Cell | None:
            if name in fields:
                return self._cell(fields[name], column)
            if given == name:
                if name == "visit_date":
                    month = parse_month_label(placed.value)
                    return placed._replace(value=month) if month is not None else placed
                return placed
            return None

        code, name = role("branch_code"), role("branch_name")
        by_name = (
            (code is None or code.value is None) and name is not None and name.value is not None
        )
        branch = name if by_name else code or name or placed._replace(value=None)
        auditor = role("auditor")
        defaults = self.profile.defaults
        if defaults.auditor and (auditor is None or auditor.value is None):
            auditor = Cell(defaults.auditor, self.sheet, "defaults.auditor", placed.row)
        channel = role("channel")
        if defaults.channel and (channel is None or channel.value is None):
            channel = Cell(defaults.channel, self.sheet, "defaults.channel", placed.row)
        return {
            "branch": branch,
            "branch_by_name": by_name,
            "visit_date": role("visit_date") or placed._replace(value=None),
            "visit_time": role("visit_time"),
            "auditor": auditor or placed._replace(value=None),
            "channel": channel,
            "kind": role("kind"),
        }

    def _percent(self, questions: list[tuple[int, str]], columns: list[int]) -> None:
        """A percentage question's numbers, read across its row: as the profile says
        (``percent_columns`` by item id or question text), else as they all agree."""
        told = self.profile.percent_columns
        items = self.checklist.items_by_id
        for offset, item_id in questions:
            if not isinstance(items[item_id], PercentageItem):
                continue
            text = shown(self._value(offset, self.question))
            said = told.get(item_id) or told.get(text)
            if said is not None:
                (self.found.fraction_items if said == "fraction" else self.found.percent_items).add(
                    item_id
                )
                continue
            if self.profile.percent_scale != "auto":
                continue
            kind = PercentColumn.of(
                (self._value(offset, c), self._cell(offset, c)) for c in columns
            )
            if kind.mixed:
                first = kind.percents[0][1]
                self.found.issues.append(
                    ImportIssue.at(
                        IssueCode.PERCENT_SCALE_MIXED,
                        first,
                        _(
                            "row {row} ({item}) holds fractions and percentages: say how it is "
                            "meant in the mapping profile, percent_columns: {{{item}: "
                            "fraction}} (0.9 is 90 %) or percent (0.9 is 0.9 %)"
                        ).format(row=first.row, item=item_id),
                    )
                )
            elif kind.fractions and not kind.percents:
                self.found.fraction_items.add(item_id)
