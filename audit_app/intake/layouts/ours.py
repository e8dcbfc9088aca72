"""Read our own files: filled-in templates (single visit or bulk) and CSV in the long
(one row per answer) or wide (one row per visit) form. Layouts we did not design go
through a mapping profile (``intake.layouts.profile``) instead.

Workbooks are read with python-calamine: fast, and it never runs anything in the file
(formulas are not evaluated: a formula cell gives the value Excel last showed; external
links and DDE are never followed). Before calamine sees a workbook, ``intake.source.container``
refuses what would exhaust the server (a zip bomb, entity expansion, a sparse sheet) and
what must not be read (macros, encryption); after, ``intake.source.limits`` caps the rows,
columns and cell lengths read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

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
    cell_ref,
    column_letter,
)
from audit_app.i18n import _
from audit_app.intake import templates as layout
from audit_app.intake.source.formats import percent_cells
from audit_app.intake.source.grid import last_filled
from audit_app.intake.source.limits import DEFAULT_LIMITS, Limits, RefusedFile, check_upload_size
from audit_app.intake.source.tabular import Table, TableFileError, read_csv_bytes
from audit_app.intake.source.workbook import (
    collector_paused,
    open_workbook,
    sheet_rows,
)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


__all__ = ["UnreadableFile", "read_audit_file"]


def read_audit_file(name: str, data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> ReadResult:
    """Read a template workbook or an audit CSV. Raises :class:`UnreadableFile`."""
    if not data:
        raise UnreadableFile(_("the file is empty"), IssueCode.FILE_EMPTY)
    try:
        check_upload_size(len(data), limits)
    except RefusedFile as error:
        raise UnreadableFile(str(error), IssueCode.FILE_TOO_LARGE) from None
    suffix = Path(name).suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        workbook = open_workbook(name, data, limits=limits)
        percents = {
            sheet: percent_cells(data, sheet) for sheet in (layout.VISIT_SHEET, layout.BULK_SHEET)
        }
        return read_template_workbook(workbook, limits=limits, percent_refs=percents)
    if suffix in {".csv", ".txt"}:
        return read_audit_csv(name, data, limits=limits)
    raise UnreadableFile(
        _(
            "'{suffix}' files are not imported; use .xlsx (a template from this app, or any "
            "layout with a mapping profile) or .csv"
        ).format(suffix=suffix or name)
    )


def _visible(workbook: Any, sheet_name: str) -> None:
    """Refuse reading a sheet the person who sent the file could not see."""
    for meta in workbook.sheets_metadata:
        if meta.name == sheet_name and not str(meta.visible).endswith("Visible"):
            raise UnreadableFile(
                _(
                    "the template's sheet '{sheet}' is hidden; unhide it in Excel "
                    "(right-click a sheet tab > Unhide) and check what it holds before importing"
                ).format(sheet=sheet_name)
            )


def read_template_workbook(
    workbook: Any,
    *,
    limits: Limits = DEFAULT_LIMITS,
    percent_refs: Mapping[str, frozenset[str]] | None = None,
) -> ReadResult:
    """A template's visits. Numbers are read as typed (93 is 93 %), except in cells shown
    as percentages (``percent_refs`` per sheet), where Excel keeps 93 % as 0.93."""
    if layout.META_SHEET not in workbook.sheet_names:
        raise UnreadableFile(
            _(
                "this workbook is not an audit-app template; for other layouts draft a mapping "
                "profile for it (on the Import page, or `audit-app mapping suggest FILE "
                "--checklist ID`) and import with it"
            ),
            IssueCode.LAYOUT_UNKNOWN,
        )
    rows, _row0, _col0 = sheet_rows(workbook, layout.META_SHEET, limits=limits)
    meta = {str(row[0]): row[1] for row in rows if len(row) >= 2 and row[0]}
    if meta.get("format") != layout.FORMAT_NAME:
        raise UnreadableFile(_("the hidden sheet of this template is not ours"))
    version = _int(meta.get("format_version"))
    if version is None or version > layout.FORMAT_VERSION:
        raise UnreadableFile(
            _(
                "template format {found} is newer than this audit-app understands ({known}); "
                "upgrade audit-app"
            ).format(found=meta.get("format_version"), known=layout.FORMAT_VERSION)
        )
    checklist_id = str(meta.get("checklist_id") or "")
    checklist_version = _int(meta.get("checklist_version"))
    if not checklist_id or checklist_version is None:
        raise UnreadableFile(_("the template does not say which checklist it belongs to"))
    skipped: list[SkippedRow] = []
    percents = percent_refs or {}
    if meta.get("kind") == "bulk":
        visits, issues = _bulk_visits(
            workbook, skipped, limits, percents.get(layout.BULK_SHEET, frozenset())
        )
    else:
        visits, issues = _single_visit(
            workbook, limits, percents.get(layout.VISIT_SHEET, frozenset())
        )
    return ReadResult(
        checklist_id=checklist_id,
        checklist_version=checklist_version,
        visits=tuple(visits),
        issues=tuple(issues),
        skipped=tuple(skipped),
        content_hash=str(meta.get("content_hash") or "") or None,
        default_kind="mystery_shop",
        percent_as_fraction=False,  # percent-formatted cells are scaled as they are read
        language=str(meta.get("language") or "") or None,
    )


def _single_visit(
    workbook: Any, limits: Limits, percents: frozenset[str]
) -> tuple[list[RawVisit], list[ImportIssue]]:
    sheet = layout.VISIT_SHEET
    if sheet not in workbook.sheet_names:
        raise UnreadableFile(_("the template's sheet '{sheet}' is missing").format(sheet=sheet))
    _visible(workbook, sheet)
    rows, row0, col0 = sheet_rows(workbook, sheet, limits=limits)
    scale_percent_cells(rows, percents)

    def cell(row: int, column: int) -> Cell:
        """Row is 1-based as shown; column 0-based."""
        r, c = row - 1 - row0, column - col0
        value = rows[r][c] if 0 <= r < len(rows) and 0 <= c < len(rows[r]) else None
        return Cell(_blank_to_none(value), sheet, cell_ref(row, column), row)

    header = {
        field: _coded(field, cell(layout.HEADER_FIRST_ROW + i, 1))
        for i, field in enumerate(layout.HEADER_FIELDS)
    }
    answers: list[RawAnswer] = []
    item_rows: list[int] = []
    row = layout.ITEMS_FIRST_ROW
    last = row0 + len(rows)
    while row <= last:
        item_id = cell(row, 1).value
        if item_id is not None:
            item_rows.append(row)
            answers.append(
                RawAnswer(
                    str(item_id).strip(),
                    cell(row, layout.ANSWER_COLUMN),
                    cell(row, layout.COMMENT_COLUMN),
                )
            )
        row += 1
    visit = RawVisit(
        branch=header["branch"],
        visit_date=header["visit_date"],
        visit_time=header["visit_time"],
        auditor=header["auditor"],
        channel=header["channel"],
        kind=header["kind"],
        answers=tuple(answers),
        row=layout.HEADER_FIRST_ROW,
        rows=tuple(item_rows),  # the question rows are the rows read
    )
    return [visit], []


def _bulk_visits(
    workbook: Any, skipped: list[SkippedRow], limits: Limits, percents: frozenset[str]
) -> tuple[list[RawVisit], list[ImportIssue]]:
    sheet = layout.BULK_SHEET
    if sheet not in workbook.sheet_names:
        raise UnreadableFile(_("the template's sheet '{sheet}' is missing").format(sheet=sheet))
    _visible(workbook, sheet)
    rows, row0, col0 = sheet_rows(workbook, sheet, limits=limits)
    scale_percent_cells(rows, percents)
    id_index = layout.BULK_ID_ROW - 1 - row0
    if not 0 <= id_index < len(rows):
        raise UnreadableFile(
            _("row {row} of '{sheet}' (the item ids) is missing").format(
                row=layout.BULK_ID_ROW, sheet=sheet
            )
        )
    ids = [str(v).strip() if v not in (None, "") else "" for v in rows[id_index]]
    visit_columns = {name: ids.index(name) for name in layout.BULK_VISIT_COLUMNS if name in ids}
    item_columns = [
        (index, item_id)
        for index, item_id in enumerate(ids)
        if item_id and item_id not in layout.BULK_VISIT_COLUMNS
    ]
    visits: list[RawVisit] = []
    first = layout.BULK_FIRST_ROW - 1 - row0
    letters = [column_letter(col0 + index) for index in range(max(map(len, rows), default=0))]
    answer_columns = [(index, item_id, letters[index]) for index, item_id in item_columns]
    with collector_paused():
        for offset in range(first, last_filled(rows, first)):
            values = rows[offset]
            number = offset + 1 + row0
            if all(v in (None, "") for v in values):
                skipped.append(SkippedRow(sheet, number, SkipReason.BLANK))
                continue
            suffix = str(number)
            width = len(values)

            def cell(index: int | None, row: int = number, values: Sequence[Any] = values) -> Cell:
                value = values[index] if index is not None and index < len(values) else None
                column = (index if index is not None else 0) + col0
                return Cell(_blank_to_none(value), sheet, cell_ref(row, column), row)

            # the answers: built inline, as a bulk sheet holds 300,000 of them
            answers = tuple(
                [
                    RawAnswer(
                        item_id,
                        Cell(
                            _blank_to_none(values[index]) if index < width else None,
                            sheet,
                            letter + suffix,
                            number,
                        ),
                    )
                    for index, item_id, letter in answer_columns
                ]
            )
            visits.append(
                RawVisit(
                    branch=_coded("branch", cell(visit_columns.get("branch"))),
                    visit_date=cell(visit_columns.get("visit_date")),
                    visit_time=cell(visit_columns.get("visit_time")),
                    auditor=cell(visit_columns.get("auditor")),
                    channel=_coded("channel", cell(visit_columns.get("channel"))),
                    kind=_coded("kind", cell(visit_columns.get("kind"))),
                    answers=answers,
                    row=number,
                    rows=(number,),
                )
            )
    return visits, []


def _coded(field: str, cell: Cell) -> Cell:
    """A branch, channel or kind picked from the template's dropdown ("Gràcia (ES-01)",
    "Presencial") as the code the check reads; the cell's place is kept."""
    value = layout.template_code(field, cell.value)
    return cell if value is cell.value else cell._replace(value=value)


_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def scale_percent_cells(rows: list[list[Any]], refs: frozenset[str]) -> None:
    """A number in a cell shown as a percentage (0.93 shown as 93 %) as the percentage a
    person reads (93); rows start at A1 (``sheet_rows``)."""
    for ref in refs:
        found = _REF.match(ref)
        if found is None:
            continue
        r, c = int(found[2]) - 1, _column_index(found[1])
        if r < len(rows) and c < len(rows[r]):
            value = rows[r][c]
            if isinstance(value, int | float) and not isinstance(value, bool):
                rows[r][c] = round(value * 100, 6)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


# --------------------------------------------------------------------------- CSV

LONG_REQUIRED = ("branch_code", "checklist_id", "auditor", "item_id", "value")
WIDE_VISIT_FIELDS = {
    "branch": ("branch_code", "branch"),
    "visit_date": ("visited_at", "visit_date", "date"),
    "visit_time": ("visit_time", "time"),
    "auditor": ("auditor",),
    "channel": ("channel",),
    "kind": ("kind", "audit_kind"),
    "checklist_id": ("checklist_id", "checklist"),
    "checklist_version": ("checklist_version", "version"),
    "reference": ("visit_reference",),
}
NOT_ITEMS = {name for names in WIDE_VISIT_FIELDS.values() for name in names} | {"audit_ref"}


def read_audit_csv(name: str, data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> ReadResult:
    """Long form (``item_id``/``value`` columns, like sample_data/demo/audits.csv) or wide
    form (visit columns, then one column per item id)."""
    try:
        table = read_csv_bytes(data, name, limits=limits)
    except TableFileError as error:
        raise UnreadableFile(str(error).removeprefix(f"{name}: "), error.code) from None
    header = [h.strip().lower() for h in table.header]
    if "item_id" in header and "value" in header:
        return _long_csv(table, header)
    return _wide_csv(table, header)


def _csv_cell(value: Any, column: str, line: int) -> Cell:
    return Cell(_blank_to_none(value), "", _("column {column}").format(column=column), line)


def _long_csv(table: Table, header: list[str]) -> ReadResult:
    original, rows = table.header, table.rows
    missing = [c for c in LONG_REQUIRED if c not in header]
    date_column = next((c for c in ("visited_at", "visit_date") if c in header), None)
    if date_column is None:
        missing.append("visited_at")
    if missing:
        raise UnreadableFile(
            _("missing column(s) {columns} in line 1").format(columns=", ".join(missing)),
            IssueCode.LAYOUT_UNKNOWN,
        )
    at = {name: header.index(name) for name in header}
    groups: dict[tuple[Any, ...], list[tuple[int, Sequence[Any]]]] = {}
    skipped: list[SkippedRow] = []
    for offset in range(last_filled(rows)):
        row = rows[offset]
        if not any(str(v).strip() for v in row):
            skipped.append(SkippedRow("", table.line(offset), SkipReason.BLANK))
            continue
        get = lambda name, row=row: row[at[name]] if name in at and at[name] < len(row) else ""  # noqa: E731
        key = (
            (get("audit_ref"),)
            if get("audit_ref")
            else (
                get("branch_code"),
                get("checklist_id"),
                get(date_column),
                get("auditor"),
                get("visit_reference"),
            )
        )
        groups.setdefault(key, []).append((table.line(offset), row))
    visits = []
    for members in groups.values():
        line, first = members[0]

        def field(name: str | None, line: int = line, row: Sequence[Any] = first) -> Cell | None:
            if name is None or name not in at:
                return None
            value = row[at[name]] if at[name] < len(row) else None
            return _csv_cell(value, original[at[name]], line)

        answers = tuple(
            RawAnswer(
                str(row[at["item_id"]]).strip(),
                _csv_cell(row[at["value"]] if at["value"] < len(row) else None, "value", n),
                _csv_cell(row[at["comment"]], "comment", n)
                if "comment" in at and at["comment"] < len(row)
                else None,
            )
            for n, row in members
        )
        visits.append(
            RawVisit(
                branch=field("branch_code"),  # type: ignore[arg-type]
                visit_date=field(date_column),  # type: ignore[arg-type]
                visit_time=field("visit_time"),
                auditor=field("auditor"),  # type: ignore[arg-type]
                channel=field("channel"),
                kind=field("kind"),
                answers=answers,
                row=line,
                rows=tuple(n for n, _row in members),
                checklist_id=field("checklist_id"),
                checklist_version=field("checklist_version"),
                reference=field("visit_reference"),
            )
        )
    return ReadResult(
        checklist_id="", checklist_version=None, visits=tuple(visits), skipped=tuple(skipped)
    )


def _wide_csv(table: Table, header: list[str]) -> ReadResult:
    original, rows = table.header, table.rows
    columns: dict[str, int] = {}
    for field, names in WIDE_VISIT_FIELDS.items():
        found = next((header.index(n) for n in names if n in header), None)
        if found is not None:
            columns[field] = found
    missing = [f for f in ("branch", "visit_date", "auditor", "checklist_id") if f not in columns]
    if missing:
        raise UnreadableFile(
            _(
                "not an audit CSV: line 1 needs the columns branch_code, visit_date, auditor "
                "and checklist_id, then one column per item id (or the long form with item_id "
                "and value); missing: {columns}"
            ).format(columns=", ".join(missing)),
            IssueCode.LAYOUT_UNKNOWN,
        )
    item_columns = [
        (index, original[index].strip())
        for index, name in enumerate(header)
        if name and name not in NOT_ITEMS
    ]
    visits = []
    skipped: list[SkippedRow] = []
    for offset in range(last_filled(rows)):
        row = rows[offset]
        line = table.line(offset)
        if not any(str(v).strip() for v in row):
            skipped.append(SkippedRow("", line, SkipReason.BLANK))
            continue

        def cell(index: int | None, line: int = line, row: Sequence[Any] = row) -> Cell | None:
            if index is None:
                return None
            return _csv_cell(row[index] if index < len(row) else None, original[index], line)

        visits.append(
            RawVisit(
                branch=cell(columns["branch"]),  # type: ignore[arg-type]
                visit_date=cell(columns["visit_date"]),  # type: ignore[arg-type]
                visit_time=cell(columns.get("visit_time")),
                auditor=cell(columns["auditor"]),  # type: ignore[arg-type]
                channel=cell(columns.get("channel")),
                kind=cell(columns.get("kind")),
                answers=tuple(RawAnswer(item_id, cell(i)) for i, item_id in item_columns),  # type: ignore[arg-type]
                row=line,
                rows=(line,),
                checklist_id=cell(columns["checklist_id"]),
                checklist_version=cell(columns.get("checklist_version")),
                reference=cell(columns.get("reference")),
            )
        )
    return ReadResult(
        checklist_id="", checklist_version=None, visits=tuple(visits), skipped=tuple(skipped)
    )


def _blank_to_none(value: Any) -> Any:
    if value.__class__ is str:
        return value.strip() or None
    return value


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
