"""A sheet as a grid of raw values that knows where it sits, so that every value can be
named by its spreadsheet cell (``E17``) or, in a CSV file, by its line and column.

Workbooks are read with python-calamine, which never runs anything in the file. Its
``to_python()`` starts at the sheet's first used cell, ``sheet.start``; the grid keeps
that offset, so ``rows[0][0]`` of a sheet whose data begins in B3 is named B3.

Files are opened through ``source.workbook.open_workbook`` and ``tabular.read_csv_bytes``,
so the checks and caps of ``intake.source.container`` and ``intake.source.limits`` hold here too; a
sheet read is checked against the row, column and cell-length caps. Hidden and very
hidden sheets are never offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit_app.domain.intake.model import IssueCode, UnreadableFile, column_letter
from audit_app.i18n import _, formats, ngettext
from audit_app.intake.source.container import parser_failure
from audit_app.intake.source.limits import (
    DEFAULT_LIMITS,
    Limits,
    RefusedFile,
    check_cells,
    check_upload_size,
    sheet_place,
)
from audit_app.intake.source.tabular import TableFileError, read_csv_bytes
from audit_app.intake.source.workbook import damaged, open_workbook

CSV_SUFFIXES = frozenset({".csv", ".txt"})
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})

MergedRange = tuple[tuple[int, int], tuple[int, int]]
"""((first row, first column), (last row, last column)), 0-based, as calamine gives them."""


@dataclass
class Grid:
    """Raw values of one sheet; ``rows[i][j]`` sits at sheet row ``first_row + i`` and
    column ``first_column + j`` (both 0-based). Empty cells hold ``""``."""

    sheet: str
    """The sheet's name; "" for a CSV file."""
    rows: list[list[Any]]
    first_row: int = 0
    first_column: int = 0
    merged: tuple[MergedRange, ...] = ()
    origin: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    """Cells filled from a merged range -> the range's top-left cell (grid offsets)."""
    header: list[str] = field(default_factory=list)
    header_offset: int | None = None
    lines: tuple[int, ...] = ()
    """CSV: the line each row starts on (a quoted value may span lines)."""

    @property
    def is_csv(self) -> bool:
        return not self.sheet

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    def row_number(self, offset: int) -> int:
        """The row (workbook) or line (CSV) number a person sees, 1-based."""
        if offset < len(self.lines):
            return self.lines[offset]
        return self.first_row + offset + 1

    def use_header(self, offset: int) -> list[str]:
        """Take row ``offset`` as the header; its texts, merged ranges followed."""
        self.header_offset = offset
        self.header = self.merged_header(offset)
        return self.header

    def column_ref(self, column: int) -> str:
        """``E`` in a workbook; ``column Store code`` in a CSV file (named by its header)."""
        if self.is_csv:
            name = self.header[column] if column < len(self.header) else ""
            return _("column {name}").format(name=name or column_letter(column))
        return column_letter(self.first_column + column)

    def ref(self, offset: int, column: int) -> str:
        """The ref of one cell (``E17``), following a merged range to its top-left cell."""
        offset, column = self.origin.get((offset, column), (offset, column))
        if self.is_csv:
            return self.column_ref(column)
        return f"{self.column_ref(column)}{self.row_number(offset)}"

    def fill_merged(self, columns: set[int], from_offset: int = 0) -> None:
        """Give the cells of vertically merged ranges in ``columns`` their top-left value,
        as a person sees them (a branch name merged over a visit's rows)."""
        for (top, left), (bottom, right) in self.merged:
            r0, c0 = top - self.first_row, left - self.first_column
            if bottom == top or not 0 <= r0 < len(self.rows):
                continue
            value = self.rows[r0][c0] if c0 < len(self.rows[r0]) else ""
            for r in range(
                max(r0 + 1, from_offset), min(bottom - self.first_row + 1, len(self.rows))
            ):
                for c in range(c0, right - self.first_column + 1):
                    if c in columns and c < len(self.rows[r]) and self.rows[r][c] == "":
                        self.rows[r][c] = value
                        self.origin[(r, c)] = (r0, c0)

    def merged_header(self, offset: int) -> list[str]:
        """The header row's texts; an empty cell under a vertical merge (``Store`` merged
        over rows 3 and 4) takes the merged text."""
        row = self.rows[offset] if offset < len(self.rows) else []
        texts = [_text(value) for value in row]
        for (top, left), (bottom, right) in self.merged:
            r0, c0 = top - self.first_row, left - self.first_column
            below_top = 0 <= r0 < offset <= bottom - self.first_row
            if below_top and left == right and 0 <= c0 < len(texts) and not texts[c0]:
                texts[c0] = _text(self.rows[r0][c0])
        return texts


def last_filled(rows: Sequence[Sequence[Any]], first: int = 0) -> int:
    """One past the last row (from ``first``) that holds anything: rows after it, empty
    but formatted or prepared, are not read."""
    end = len(rows)
    while end > first and all(
        v is None or (isinstance(v, str) and not v.strip()) for v in rows[end - 1]
    ):
        end -= 1
    return max(end, first)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def source_kind(path: Path | str) -> str:
    """``csv`` or ``workbook``; anything else is refused with words a manager reads."""
    suffix = Path(path).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    raise UnreadableFile(
        _("not a spreadsheet: '{kind}' files are not read; use .xlsx or .csv").format(
            kind=suffix or Path(path).name
        )
    )


def read_bytes(path: Path | str, data: bytes | None, limits: Limits) -> bytes:
    """The file's content, refused above the upload cap before it is read."""
    try:
        check_upload_size(len(data) if data is not None else Path(path).stat().st_size, limits)
    except RefusedFile as error:
        raise UnreadableFile(str(error), IssueCode.FILE_TOO_LARGE) from None
    except FileNotFoundError:
        raise UnreadableFile(_("no such file: {path}").format(path=path)) from None
    except OSError as error:
        raise UnreadableFile(
            _("cannot be read ({reason})").format(reason=error.strerror or error)
        ) from None
    if data is not None:
        return data
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(_("no such file: {path}").format(path=path)) from None
    except OSError as error:
        raise UnreadableFile(
            _("cannot be read ({reason})").format(reason=error.strerror or error)
        ) from None


def open_sheets(
    path: Path | str, data: bytes | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[Any, list[str]]:
    """A calamine workbook and the names of its visible worksheets, in workbook order."""
    raw = read_bytes(path, data, limits)
    if not raw:
        raise UnreadableFile(_("the file is empty"), IssueCode.FILE_EMPTY)
    workbook = open_workbook(str(path), raw, limits=limits)
    visible = [
        meta.name
        for meta in workbook.sheets_metadata
        if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet")
    ]
    return workbook, visible or list(workbook.sheet_names)


def sheet_grid(
    workbook: Any, name: str, nrows: int | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Grid:
    """One worksheet as a grid (only its first ``nrows`` used rows when given)."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.to_python(nrows=nrows) if nrows else sheet.to_python()
        start = sheet.start or (0, 0)
        merged = tuple(sheet.merged_cell_ranges or ())
    except BaseException as error:  # calamine's errors (XML, zip) and panics (dates)
        if not parser_failure(error):
            raise
        raise UnreadableFile(damaged(name, error)) from None
    try:
        check_cells(rows, sheet_place(name), start[0], start[1], limits=limits)
    except RefusedFile as error:
        raise UnreadableFile(str(error)) from None
    return Grid(name, rows, start[0], start[1], merged)


def pick_sheet(names: list[str], wanted: str | int) -> str:
    """A sheet by name (any case) or position; the message lists the sheets there are."""
    if isinstance(wanted, int):
        if 0 <= wanted < len(names):
            return names[wanted]
        raise UnreadableFile(
            ngettext(
                "the workbook has {count} sheet, there is no sheet number {number} "
                "(sheets: {sheets})",
                "the workbook has {count} sheets, there is no sheet number {number} "
                "(sheets: {sheets})",
                len(names),
            ).format(
                count=formats.integer(len(names)),
                number=formats.integer(wanted + 1),
                sheets=", ".join(names),
            )
        )
    for name in names:
        if name.strip().casefold() == wanted.strip().casefold():
            return name
    raise UnreadableFile(
        _("no sheet '{sheet}' in the workbook (sheets: {sheets})").format(
            sheet=wanted, sheets=", ".join(names)
        )
    )


def csv_grid(
    path: Path | str, data: bytes | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> Grid:
    """A CSV file (UTF-8 with or without BOM, ``,`` or ``;``) as a grid of text."""
    raw = read_bytes(path, data, limits)
    if not raw:
        raise UnreadableFile(_("the file is empty"), IssueCode.FILE_EMPTY)
    try:
        table = read_csv_bytes(raw, Path(path).name, limits=limits)
    except TableFileError as error:
        raise UnreadableFile(str(error).removeprefix(f"{Path(path).name}: "), error.code) from None
    rows = [list(table.header), *(list(row) for row in table.rows)]
    width = max(len(row) for row in rows)
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    return Grid("", rows, lines=(1, *table.lines))


def open_grid(
    path: Path | str,
    sheet: str | int = 0,
    data: bytes | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Grid:
    """The sheet a profile names (a CSV file has one). Raises :class:`UnreadableFile`."""
    if source_kind(path) == "csv":
        return csv_grid(path, data, limits=limits)
    workbook, names = open_sheets(path, data, limits=limits)
    return sheet_grid(workbook, pick_sheet(names, sheet), limits=limits)
