"""Read a workbook or CSV file of a layout we did not design, through a mapping profile,
into the raw visits the importer checks (``excel.model``).

Wide layout: one row per visit, one column per question. Long layout: one row per
answer, grouped into visits by branch, date (and time) and auditor. Every cell keeps its
place (``Audits!E17``); rows that are not visits are counted by reason; problems the
reader itself finds (a column the profile names is missing, the file is not a
spreadsheet) come back as issues, never as an exception.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit_app.domain.checklist import Checklist, PercentageItem
from audit_app.excel.mapping.columns import ColumnPlan, QuestionResolver, plan_columns
from audit_app.excel.mapping.grid import Grid, open_grid
from audit_app.excel.mapping.header import locate_header
from audit_app.excel.mapping.profile import MappingProfile
from audit_app.excel.mapping.skipping import SEPARATOR, RowSkipper, is_empty
from audit_app.excel.model import Cell, ImportIssue, RawAnswer, RawVisit, ReadResult
from audit_app.excel.reader import UnreadableFile
from audit_app.excel.vocabulary import parse_number


def read_with_profile(
    path: Path | str,
    profile: MappingProfile,
    checklist: Checklist,
    *,
    data: bytes | None = None,
) -> ReadResult:
    """Every visit the file holds, read the way ``profile`` says, against ``checklist``.

    ``data`` is the file's content when the caller has it already (``path`` then only
    names the file and its type).
    """
    empty = _NoVisits(profile, checklist)
    if profile.checklist_id != checklist.id:
        return empty.failed(
            f"the mapping profile '{profile.name}' is for checklist {profile.checklist_id}, "
            f"not {checklist.id}"
        )
    try:
        grid = open_grid(path, profile.sheet, data)
    except UnreadableFile as error:
        return empty.failed(str(error))
    if not grid.rows:
        return empty.failed(f"sheet '{grid.sheet}' is empty" if grid.sheet else "no rows")
    located = locate_header(grid, profile, checklist)
    if isinstance(located, ImportIssue):
        return empty.with_issues([located])
    plan = plan_columns(
        profile,
        grid.header,
        checklist,
        first_column=grid.first_column,
        header_row=grid.row_number(located),
    )
    issues = _plan_issues(plan, grid, located)
    if not _readable(plan, profile):
        return empty.with_issues(issues)
    reader = _WideReader if profile.layout == "wide" else _LongReader
    found = reader(grid, profile, checklist, plan).read()
    return ReadResult(
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        visits=tuple(found.visits),
        issues=(*issues, *found.issues),
        skipped=dict(found.skipped),
        default_kind=profile.defaults.kind or "import",
        percent_as_fraction=False,  # the vocabulary applies the profile's percent_scale
        vocabulary=profile.vocabulary(
            frozenset(found.fraction_items) if profile.percent_scale == "auto" else frozenset()
        ),
    )


def _plan_issues(plan: ColumnPlan, grid: Grid, offset: int) -> list[ImportIssue]:
    report = plan.report
    row = grid.row_number(offset)
    sheet = grid.sheet or None
    found = ", ".join(f"'{h}'" for h in grid.header if h) or "nothing"
    issues = [
        ImportIssue(
            f"the column for {missing} that the mapping profile names is not in the header "
            f"row {row} (found: {found})",
            sheet,
            None,
            row,
        )
        for missing in report.missing_columns
    ]
    issues += [
        ImportIssue(
            f"the mapping profile names item '{item_id}', which checklist {report.checklist} "
            "does not have",
            sheet,
            None,
            row,
        )
        for item_id in report.unknown_items
    ]
    issues += [ImportIssue(problem, sheet, None, row) for problem in report.problems]
    return issues


def _readable(plan: ColumnPlan, profile: MappingProfile) -> bool:
    roles = plan.roles
    has_branch = "branch_code" in roles or "branch_name" in roles
    has_auditor = "auditor" in roles or bool(profile.defaults.auditor)
    long_ok = profile.layout == "wide" or ("item_column" in roles and "value_column" in roles)
    return has_branch and "visit_date" in roles and has_auditor and long_ok


@dataclass
class _NoVisits:
    """A result that holds only the reasons there are no visits."""

    profile: MappingProfile
    checklist: Checklist

    def failed(self, message: str) -> ReadResult:
        return self.with_issues([ImportIssue(message)])

    def with_issues(self, issues: list[ImportIssue]) -> ReadResult:
        return ReadResult(
            checklist_id=self.checklist.id,
            checklist_version=self.checklist.version,
            visits=(),
            issues=tuple(issues),
            default_kind=self.profile.defaults.kind or "import",
            vocabulary=self.profile.vocabulary(),
        )


@dataclass
class _Found:
    visits: list[RawVisit] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    fraction_items: set[str] = field(default_factory=set)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building a few hundred thousand small cell objects (none of which can form a
    cycle) sets off Python's cyclic collector again and again; pausing it for the build
    roughly halves the reading time of a large sheet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _SheetReader:
    """What both layouts share: the visit cells of a row, defaults, skipping."""

    def __init__(
        self, grid: Grid, profile: MappingProfile, checklist: Checklist, plan: ColumnPlan
    ) -> None:
        self.grid = grid
        self.rows = grid.rows
        self.sheet = grid.sheet
        self.profile = profile
        self.checklist = checklist
        self.plan = plan
        self.first_data = (grid.header_offset or 0) + 1
        self.prefixes = [grid.column_ref(j) for j in range(grid.width)]
        self.numbered = not grid.is_csv
        self.code = plan.role("branch_code")
        self.name = plan.role("branch_name")
        self.date = plan.roles["visit_date"]  # present: checked before reading
        self.time = plan.role("visit_time")
        self.auditor = plan.role("auditor")
        self.channel = plan.role("channel")
        self.kind = plan.role("kind")
        defaults = profile.defaults
        self.default_auditor = defaults.auditor
        self.default_channel = defaults.channel
        role_columns = {
            c
            for c in (
                self.code,
                self.name,
                self.date,
                self.time,
                self.auditor,
                self.channel,
                self.kind,
            )
            if c is not None
        }
        grid.fill_merged(role_columns, self.first_data)
        self.found = _Found()

    def cell(self, offset: int, column: int, number: int) -> Cell:
        value = self.rows[offset][column]
        if (offset, column) in self.grid.origin:
            ref = self.grid.ref(offset, column)
        else:
            ref = self.prefixes[column] + (str(number) if self.numbered else "")
        return Cell(None if value == "" else value, self.sheet, ref, number)

    def constant(self, value: str, name: str, number: int) -> Cell:
        """A value the profile gives, placed where a message can name it."""
        return Cell(value, self.sheet, f"defaults.{name}", number)

    def visit_cells(self, offset: int, number: int) -> dict[str, Any]:
        """The branch, date, time, auditor, channel and kind cells of one row."""
        values = self.rows[offset]
        by_name = False
        if self.code is not None and not is_empty(values[self.code]):
            branch = self.cell(offset, self.code, number)
        elif self.name is not None and not is_empty(values[self.name]):
            branch, by_name = self.cell(offset, self.name, number), True
        else:  # no branch: the importer names the empty cell
            column = self.code if self.code is not None else self.name
            branch = self.cell(offset, column, number)  # type: ignore[arg-type]
        auditor = self.cell(offset, self.auditor, number) if self.auditor is not None else None
        if self.default_auditor and (auditor is None or auditor.value is None):
            auditor = self.constant(self.default_auditor, "auditor", number)
        channel = self.cell(offset, self.channel, number) if self.channel is not None else None
        if self.default_channel and (channel is None or channel.value is None):
            channel = self.constant(self.default_channel, "channel", number)
        return {
            "branch": branch,
            "branch_by_name": by_name,
            "visit_date": self.cell(offset, self.date, number),
            "visit_time": self.cell(offset, self.time, number) if self.time is not None else None,
            "auditor": auditor,
            "channel": channel,
            "kind": self.cell(offset, self.kind, number) if self.kind is not None else None,
        }

    def labels(self) -> list[int]:
        return [c for c in (self.code, self.name) if c is not None]


class _WideReader(_SheetReader):
    """One row per visit, one column per question."""

    def read(self) -> _Found:
        rows, found = self.rows, self.found
        items = self.checklist.items_by_id
        answer_columns = [
            (column, item_id, self.prefixes[column]) for column, item_id in self.plan.items
        ]
        skipper = RowSkipper(
            self.profile.skip,
            identity=[self.date],
            labels=self.labels(),
            answers=[column for column, _, _ in answer_columns],
            marker_column=self.plan.role("closed_column"),
            header=self.grid.header,
        )
        sheet, numbered, first_row = self.sheet, self.numbered, self.grid.first_row
        kept: list[int] = []
        with _collector_paused():
            for offset in range(self.first_data, len(rows)):
                values = rows[offset]
                reason = skipper.reason(values)
                if reason is not None:
                    found.skipped[reason] += 1
                    continue
                kept.append(offset)
                number = first_row + offset + 1
                suffix = str(number) if numbered else ""
                answers = tuple(
                    [
                        RawAnswer(
                            item_id,
                            Cell(
                                None if (value := values[column]) == "" else value,
                                sheet,
                                prefix + suffix,
                                number,
                            ),
                        )
                        for column, item_id, prefix in answer_columns
                    ]
                )
                found.visits.append(
                    RawVisit(answers=answers, row=number, **self.visit_cells(offset, number))
                )
        for column, item_id, _ in answer_columns:
            if isinstance(items[item_id], PercentageItem) and _holds_fractions(
                rows[offset][column] for offset in kept
            ):
                found.fraction_items.add(item_id)
        return found


class _LongReader(_SheetReader):
    """One row per answer; rows of the same branch, date, time and auditor are a visit."""

    def read(self) -> _Found:
        rows, found = self.rows, self.found
        question = self.plan.roles["item_column"]
        value_column = self.plan.roles["value_column"]
        comment_column = self.plan.role("comment_column")
        resolve = QuestionResolver(self.profile, self.checklist, dict(self.plan.questions))
        skipper = RowSkipper(
            self.profile.skip,
            identity=[self.date, question],
            labels=self.labels(),
            answers=[value_column],
            marker_column=self.plan.role("closed_column"),
            header=self.grid.header,
        )
        key_columns = [
            c for c in (self.code, self.name, self.date, self.time, self.auditor) if c is not None
        ]
        groups: dict[tuple[Any, ...], _Group] = {}
        last_key: tuple[Any, ...] | None = None
        numbers: dict[str, list[Any]] = {}
        with _collector_paused():
            for offset in range(self.first_data, len(rows)):
                values = rows[offset]
                reason = skipper.reason(values)
                if reason is None and is_empty(values[question]) and is_empty(values[value_column]):
                    reason = SEPARATOR
                if reason is not None:
                    found.skipped[reason] += 1
                    continue
                number = self.grid.row_number(offset)
                match = resolve(values[question])
                if match is None:
                    found.issues.append(
                        ImportIssue.at(
                            self.cell(offset, question, number),
                            f"'{values[question]}' is not a question of checklist "
                            f"{self.checklist.id} v{self.checklist.version}; name its item "
                            "under items: in the mapping profile",
                        )
                    )
                    continue
                if last_key is not None and all(is_empty(values[c]) for c in key_columns):
                    key = last_key  # the visit's cells are written on its first row only
                else:
                    key = last_key = tuple(values[c] for c in key_columns)
                group = groups.get(key)
                if group is None:
                    group = groups[key] = _Group(self.visit_cells(offset, number), number)
                answer_cell = self.cell(offset, value_column, number)
                if match.item_id in group.rows:
                    found.issues.append(
                        ImportIssue.at(
                            answer_cell,
                            f"item {match.item_id} is answered twice for this visit (also in "
                            f"row {group.rows[match.item_id]})",
                        )
                    )
                    continue
                group.rows[match.item_id] = number
                comment = (
                    self.cell(offset, comment_column, number)
                    if comment_column is not None
                    else None
                )
                group.answers.append(RawAnswer(match.item_id, answer_cell, comment))
                numbers.setdefault(match.item_id, []).append(values[value_column])
        for key_cells in groups.values():
            found.visits.append(
                RawVisit(
                    answers=tuple(key_cells.answers), row=key_cells.first_row, **key_cells.cells
                )
            )
        items = self.checklist.items_by_id
        for item_id, values in numbers.items():
            if isinstance(items[item_id], PercentageItem) and _holds_fractions(values):
                found.fraction_items.add(item_id)
        return found


@dataclass
class _Group:
    cells: dict[str, Any]
    first_row: int
    answers: list[RawAnswer] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def _holds_fractions(values: Any) -> bool:
    """The ``auto`` percent scale: a column is read as fractions (0.91 is 91 %) when it
    holds numbers and every one of them lies between 0 and 1. Text with a ``%`` sign,
    words and blanks do not count either way."""
    seen = False
    for value in values:
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            number: float | None = float(value)
        elif isinstance(value, str) and value.strip() and not value.strip().endswith("%"):
            number = parse_number(value.strip().removeprefix("'"))
        else:
            continue
        if number is None:
            continue
        if not 0 <= number <= 1:
            return False
        seen = True
    return seen
