"""Read a workbook or CSV file of a layout we did not design, through a mapping profile,
into the raw visits the importer checks (``domain.intake.model``).

Wide layout: one row per visit, one column per question. Long layout: one row per
answer, grouped into visits by branch, date (and time) and auditor. Every cell keeps its
place (``Audits!E17``); rows that are not visits are counted by reason; problems the
reader itself finds (a column the profile names is missing, the file is not a
spreadsheet) come back as issues, never as an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit_app.domain.checklist import Checklist, PercentageItem
from audit_app.domain.intake.model import (
    Cell,
    ImportIssue,
    IssueCode,
    RawAnswer,
    RawVisit,
    ReadResult,
    SkippedRow,
    SkipReason,
    UnreadableFile,
)
from audit_app.i18n import _
from audit_app.intake.layouts.profile.columns import ColumnPlan, QuestionResolver, plan_columns
from audit_app.intake.layouts.profile.constants import FileContext, apply_visit_values
from audit_app.intake.layouts.profile.header import locate_header
from audit_app.intake.layouts.profile.lines_layout import read_lines
from audit_app.intake.layouts.profile.matching import header_key
from audit_app.intake.layouts.profile.percent import PercentColumn, percent_issue
from audit_app.intake.layouts.profile.profile import MappingProfile, SkipRule
from audit_app.intake.layouts.profile.rows_layout import RowsFound, RowsReader
from audit_app.intake.layouts.profile.skipping import RowSkipper, is_empty, shown
from audit_app.intake.layouts.profile.unread_sheets import sheets_not_read
from audit_app.intake.source.grid import (
    Grid,
    last_filled,
    open_grid,
    open_sheets,
    pick_sheet,
    sheet_grid,
)
from audit_app.intake.source.limits import DEFAULT_LIMITS, Limits
from audit_app.intake.source.workbook import collector_paused


def read_with_profile(
    path: Path | str,
    profile: MappingProfile,
    checklist: Checklist,
    *,
    data: bytes | None = None,
    names_branch: Callable[[Any], bool] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ReadResult:
    """Every visit the file holds, read the way ``profile`` says, against ``checklist``.

    ``data`` is the file's content when the caller has it already (``path`` then only
    names the file and its type). ``names_branch`` tells whether a cell names a known
    branch: such a row with answers is never left out by a guess.
    """
    empty = _NoVisits(profile, checklist)
    if profile.checklist_id != checklist.id:
        return empty.failed(
            IssueCode.PROFILE_CHECKLIST,
            _("the mapping profile '{profile}' is for checklist {wanted}, not {checklist}").format(
                profile=profile.name, wanted=profile.checklist_id, checklist=checklist.id
            ),
        )
    try:
        grid = open_grid(path, profile.sheet, data, limits=limits)
    except UnreadableFile as error:
        return empty.failed(error.code, str(error))
    if not grid.rows:
        return empty.failed(
            IssueCode.FILE_EMPTY,
            _("sheet '{sheet}' is empty").format(sheet=grid.sheet) if grid.sheet else _("no rows"),
        )
    context = FileContext(Path(path).name, grid.sheet, _CellFinder(path, data, grid, limits))
    notes = sheets_not_read(path, data, profile, grid.sheet, limits)
    if profile.layout == "rows":
        rows = RowsReader(grid, profile, checklist).read()
        return _result(profile, checklist, [], rows, context, notes)
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
    explicit = _rule_columns(profile, grid, located, issues)
    _check_percent_columns(profile, plan, checklist, grid, located, issues)
    if not _readable(plan, profile) or len(explicit) < len(profile.skip.rules):
        return empty.with_issues(issues)
    readers: dict[str, type[_WideReader | _LongReader | _LinesReader]] = {
        "wide": _WideReader,
        "lines": _LinesReader,
    }
    reader = readers.get(profile.layout, _LongReader)
    found = reader(grid, profile, checklist, plan, explicit, names_branch).read()
    return _result(profile, checklist, issues, found, context, notes)


def _result(
    profile: MappingProfile,
    checklist: Checklist,
    issues: list[ImportIssue],
    found: _Found | RowsFound,
    context: FileContext,
    notes: Sequence[ImportIssue] = (),
) -> ReadResult:
    """What any layout found, with the constants and the values taken from the file
    applied in one step (``constants.apply_visit_values``)."""
    visits, value_issues = apply_visit_values(found.visits, profile, context)
    return ReadResult(
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        visits=tuple(visits),
        issues=(*issues, *value_issues, *found.issues),
        skipped=tuple(found.skipped),
        rows_read=found.rows_read,
        default_kind=profile.defaults.kind or "import",
        percent_as_fraction=False,  # the vocabulary applies the profile's percent_scale
        vocabulary=profile.vocabulary(
            frozenset(found.fraction_items), frozenset(found.percent_items)
        ),
        notes=tuple(notes),
    )


def _rule_columns(
    profile: MappingProfile, grid: Grid, offset: int, issues: list[ImportIssue]
) -> list[tuple[int, SkipRule]]:
    """The column of each explicit skip rule; a rule whose column is not there is a
    problem (it would skip nothing, silently)."""
    position: dict[str, int] = {}
    for index, text in enumerate(grid.header):
        if header_key(text):
            position.setdefault(header_key(text), index)
    found = []
    for number, rule in enumerate(profile.skip.rules):
        at = position.get(header_key(rule.column))
        if at is None:
            issues.append(
                ImportIssue(
                    IssueCode.COLUMN_MISSING,
                    _(
                        "skip.rules[{number}] names the column '{column}', which is not in "
                        "the header row {row}"
                    ).format(number=number, column=rule.column, row=grid.row_number(offset)),
                    grid.sheet or None,
                    None,
                    grid.row_number(offset),
                )
            )
        else:
            found.append((at, rule))
    return found


def _plan_issues(plan: ColumnPlan, grid: Grid, offset: int) -> list[ImportIssue]:
    report = plan.report
    row = grid.row_number(offset)
    sheet = grid.sheet or None
    found = ", ".join(f"'{h}'" for h in grid.header if h) or _("nothing")
    issues = [
        ImportIssue(
            IssueCode.COLUMN_MISSING,
            _(
                "the column for {role} that the mapping profile names is not in the header "
                "row {row} (found: {found})"
            ).format(role=missing, row=row, found=found),
            sheet,
            None,
            row,
        )
        for missing in report.missing_columns
    ]
    issues += [
        ImportIssue(
            IssueCode.PROFILE_ITEM_UNKNOWN,
            _(
                "the mapping profile names item '{item}', which checklist {checklist} does not have"
            ).format(item=item_id, checklist=report.checklist),
            sheet,
            None,
            row,
        )
        for item_id in report.unknown_items
    ]
    issues += [
        ImportIssue(IssueCode.PROFILE_INCOMPLETE, problem, sheet, None, row)
        for problem in report.problems
    ]
    return issues


def _readable(plan: ColumnPlan, profile: MappingProfile) -> bool:
    roles = plan.roles
    has_branch = "branch_code" in roles or "branch_name" in roles or profile.supplies("branch")
    has_date = "visit_date" in roles or profile.supplies("visit_date")
    has_auditor = "auditor" in roles or profile.supplies("auditor")
    long_ok = profile.layout in ("wide", "lines") or (
        "item_column" in roles and "value_column" in roles
    )
    return has_branch and has_date and has_auditor and long_ok


class _CellFinder:
    """One cell of the file for ``values: {from: cell}``: on the profile's sheet from the
    grid already read, on another sheet by opening it."""

    def __init__(self, path: Path | str, data: bytes | None, grid: Grid, limits: Limits):
        self.path, self.data, self.grid, self.limits = path, data, grid, limits

    def __call__(self, sheet: str | None, row: int, column: int) -> tuple[Any, str]:
        grid = self.grid
        if sheet is not None and sheet.strip().casefold() != grid.sheet.casefold():
            if grid.is_csv:
                raise LookupError(_("a CSV file has no sheet '{sheet}'").format(sheet=sheet))
            try:
                workbook, names = open_sheets(self.path, self.data, limits=self.limits)
                grid = sheet_grid(workbook, pick_sheet(names, sheet), limits=self.limits)
            except UnreadableFile as error:
                raise LookupError(str(error)) from None
        r, c = row - 1 - grid.first_row, column - grid.first_column
        inside = 0 <= r < len(grid.rows) and 0 <= c < len(grid.rows[r])
        return (grid.rows[r][c] if inside else None), grid.sheet


@dataclass
class _NoVisits:
    """A result that holds only the reasons there are no visits."""

    profile: MappingProfile
    checklist: Checklist

    def failed(self, code: IssueCode, message: str) -> ReadResult:
        return self.with_issues([ImportIssue(code, message)])

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
    skipped: list[SkippedRow] = field(default_factory=list)
    rows_read: int = 0
    fraction_items: set[str] = field(default_factory=set)
    percent_items: set[str] = field(default_factory=set)


class _SheetReader:
    """What both layouts share: the visit cells of a row, defaults, skipping."""

    def __init__(
        self,
        grid: Grid,
        profile: MappingProfile,
        checklist: Checklist,
        plan: ColumnPlan,
        explicit: list[tuple[int, SkipRule]],
        names_branch: Callable[[Any], bool] | None,
    ) -> None:
        self.explicit = explicit
        self.names_branch = names_branch
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
        self.date = plan.role("visit_date")  # else a constant or a value from the file
        self.time = plan.role("visit_time")
        self.auditor = plan.role("auditor")
        self.channel = plan.role("channel")
        self.kind = plan.role("kind")
        self.reference = plan.role("visit_reference")
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
                self.reference,
            )
            if c is not None
        }
        grid.fill_merged(role_columns, self.first_data)
        self.found = _Found()
        self.last_data = last_filled(self.rows, self.first_data)
        self.found.rows_read = self.last_data - self.first_data

    def skipper(self, identity: list[int], answers: list[int]) -> RowSkipper:
        return RowSkipper(
            self.profile.skip,
            identity=identity,
            labels=self.labels(),
            answers=answers,
            status=self.plan.role("closed_column"),
            header=self.grid.header,
            explicit=self.explicit,
            names_branch=self.names_branch,
        )

    def skip(self, offset: int, reason: SkipReason, text: str) -> None:
        self.found.skipped.append(
            SkippedRow(self.sheet, self.grid.row_number(offset), reason, text)
        )

    def decide_percent(self, item_id: str, column: int, header: str, offsets: list[int]) -> None:
        """How a percentage item's numbers are meant: as the profile says for the column,
        else (``auto``) as every number in it agrees, else the file is refused naming the
        cells that disagree."""
        item = self.checklist.items_by_id[item_id]
        if not isinstance(item, PercentageItem):
            return
        told = self.profile.percent_columns
        said = told.get(header) or told.get(item_id) or _told_by_key(told, header)
        if said is not None:
            (self.found.fraction_items if said == "fraction" else self.found.percent_items).add(
                item_id
            )
            return
        if self.profile.percent_scale != "auto":
            return
        kind = PercentColumn.of(
            (self.rows[offset][column], self.cell(offset, column, self.grid.row_number(offset)))
            for offset in offsets
        )
        if kind.mixed:
            self.found.issues.append(percent_issue(kind, header, self.grid.column_ref(column)))
        elif kind.fractions and not kind.percents:  # 1 beside 50 and 80 is 1 %, not 100 %
            self.found.fraction_items.add(item_id)

    def cell(self, offset: int, column: int, number: int) -> Cell:
        value = self.rows[offset][column]
        if (offset, column) in self.grid.origin:
            ref = self.grid.ref(offset, column)
        else:
            ref = self.prefixes[column] + (str(number) if self.numbered else "")
        return Cell(None if value == "" else value, self.sheet, ref, number)

    def constant(self, value: str | None, name: str, number: int) -> Cell:
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
        elif self.code is None and self.name is None:
            branch = self.constant(None, "branch", number)  # filled after reading
        else:  # no branch: the importer names the empty cell
            column = self.code if self.code is not None else self.name
            branch = self.cell(offset, column, number)  # type: ignore[arg-type]
        return {
            "branch": branch,
            "branch_by_name": by_name,
            "visit_date": self.cell(offset, self.date, number)
            if self.date is not None
            else self.constant(None, "visit_date", number),
            "visit_time": self.optional(offset, self.time, number),
            "auditor": self.cell(offset, self.auditor, number)
            if self.auditor is not None
            else self.constant(None, "auditor", number),
            "channel": self.optional(offset, self.channel, number),
            "kind": self.optional(offset, self.kind, number),
            "reference": self.optional(offset, self.reference, number),
        }

    def optional(self, offset: int, column: int | None, number: int) -> Cell | None:
        return self.cell(offset, column, number) if column is not None else None

    def labels(self) -> list[int]:
        return [c for c in (self.code, self.name) if c is not None]


class _WideReader(_SheetReader):
    """One row per visit, one column per question."""

    def read(self) -> _Found:
        rows, found = self.rows, self.found
        items = self.checklist.items_by_id
        comment_of = dict((item_id, column) for column, item_id in self.plan.comments)
        answer_columns = [
            (column, item_id, self.prefixes[column], comment_of.get(item_id))
            for column, item_id in self.plan.items
        ]
        skipper = self.skipper(
            [c for c in (self.date,) if c is not None], [c for c, _, _, _ in answer_columns]
        )
        sheet, numbered = self.sheet, self.numbered
        kept: list[int] = []
        with collector_paused():
            for offset in range(self.first_data, self.last_data):
                values = rows[offset]
                skip = skipper.reason(values)
                if skip is not None:
                    self.skip(offset, *skip)
                    continue
                kept.append(offset)
                number = self.grid.row_number(offset)
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
                            None if comment is None else self.cell(offset, comment, number),
                        )
                        for column, item_id, prefix, comment in answer_columns
                    ]
                )
                found.visits.append(
                    RawVisit(
                        answers=answers,
                        row=number,
                        rows=(number,),
                        **self.visit_cells(offset, number),
                    )
                )
        header = self.grid.header
        for column, item_id, _kind, _how in answer_columns:
            if isinstance(items[item_id], PercentageItem):
                self.decide_percent(item_id, column, header[column], kept)
        return found


class _LongReader(_SheetReader):
    """One row per answer; rows of the same branch, date, time and auditor are a visit."""

    def read(self) -> _Found:
        rows, found = self.rows, self.found
        question = self.plan.roles["item_column"]
        value_column = self.plan.roles["value_column"]
        comment_column = self.plan.role("comment_column")
        resolve = QuestionResolver(self.profile, self.checklist, dict(self.plan.questions))
        skipper = self.skipper([c for c in (self.date, question) if c is not None], [value_column])
        key_columns = [
            c
            for c in (self.code, self.name, self.date, self.time, self.auditor, self.reference)
            if c is not None
        ]
        groups: dict[tuple[Any, ...], _Group] = {}
        last_key: tuple[Any, ...] | None = None
        last_row: list[Any] | None = None
        numbers: dict[str, list[int]] = {}
        with collector_paused():
            for offset in range(self.first_data, self.last_data):
                values = rows[offset]
                continues = last_row is not None and all(is_empty(values[c]) for c in key_columns)
                skip = skipper.reason(values, last_row if continues else None)
                if skip is None and is_empty(values[question]) and is_empty(values[value_column]):
                    skip = SkipReason.SEPARATOR, shown(next((v for v in values if v), ""))
                if skip is not None:
                    self.skip(offset, *skip)
                    continue
                number = self.grid.row_number(offset)
                match = resolve(values[question])
                if match is None:
                    found.issues.append(
                        ImportIssue.at(
                            IssueCode.QUESTION_UNKNOWN,
                            self.cell(offset, question, number),
                            _(
                                "'{question}' is not a question of checklist {checklist} "
                                "v{version}; name its item under items: in the mapping profile"
                            ).format(
                                question=values[question],
                                checklist=self.checklist.id,
                                version=self.checklist.version,
                            ),
                        )
                    )
                    continue
                if last_key is not None and continues:
                    key = last_key  # the visit's cells are written on its first row only
                else:
                    key = last_key = tuple(values[c] for c in key_columns)
                    last_row = values
                group = groups.get(key)
                if group is None:
                    group = groups[key] = _Group(self.visit_cells(offset, number), number)
                answer_cell = self.cell(offset, value_column, number)
                if match.item_id in group.rows:
                    found.issues.append(
                        ImportIssue.at(
                            IssueCode.ANSWERED_TWICE,
                            answer_cell,
                            _(
                                "item {item} is answered twice for this visit (also in row {row})"
                            ).format(item=match.item_id, row=group.rows[match.item_id]),
                        )
                    )
                    continue
                group.rows[match.item_id] = number
                group.numbers.append(number)
                comment = (
                    self.cell(offset, comment_column, number)
                    if comment_column is not None
                    else None
                )
                group.answers.append(RawAnswer(match.item_id, answer_cell, comment))
                numbers.setdefault(match.item_id, []).append(offset)
        for key_cells in groups.values():
            found.visits.append(
                RawVisit(
                    answers=tuple(key_cells.answers),
                    row=key_cells.first_row,
                    rows=tuple(key_cells.numbers),
                    **key_cells.cells,
                )
            )
        items = self.checklist.items_by_id
        for item_id, offsets in numbers.items():
            if isinstance(items[item_id], PercentageItem):
                self.decide_percent(item_id, value_column, item_id, offsets)
        return found


class _LinesReader(_SheetReader):
    """Many rows per visit, grouped by key columns, items aggregated by rule."""

    def read(self) -> _Found:
        return read_lines(self)


@dataclass
class _Group:
    cells: dict[str, Any]
    first_row: int
    answers: list[RawAnswer] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    numbers: list[int] = field(default_factory=list)


def _check_percent_columns(
    profile: MappingProfile,
    plan: ColumnPlan,
    checklist: Checklist,
    grid: Grid,
    offset: int,
    issues: list[ImportIssue],
) -> None:
    """Every ``percent_columns`` key names a percentage column (by header) or item (by id):
    a misspelt one would leave its column to ``auto`` without a word."""
    headers = {header_key(grid.header[column]) for column, _ in plan.items}
    for key in profile.percent_columns:
        item = checklist.items_by_id.get(key)
        if isinstance(item, PercentageItem) or header_key(key) in headers:
            continue
        issues.append(
            ImportIssue(
                IssueCode.COLUMN_MISSING,
                _(
                    "percent_columns names '{key}', which is neither a mapped column of the "
                    "header row {row} nor a percentage item of checklist {checklist}"
                ).format(key=key, row=grid.row_number(offset), checklist=checklist.id),
                grid.sheet or None,
                None,
                grid.row_number(offset),
            )
        )


def _told_by_key(told: Mapping[str, str], header: str) -> str | None:
    key = header_key(header)
    return next((scale for text, scale in told.items() if header_key(text) == key), None)
