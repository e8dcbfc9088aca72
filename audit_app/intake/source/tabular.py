"""Read a CSV or Excel sheet as a header and rows of cells, with file-level errors named.

CSV: UTF-8 (with or without BOM) or UTF-16 (Excel's "Unicode text"; with or without
BOM), separated by commas, semicolons or tabs. Other encodings are refused, not guessed:
a Turkish or Latin-1 file decoded with the wrong table would store wrong letters without
a word. Excel: read with python-calamine, which is fast and never evaluates anything in
the workbook, after ``intake.source.container`` has checked it. Both are bounded by the caps of
``intake.source.limits`` (upload size, rows, columns, cell length), each refusal naming its cap.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit_app.domain.intake.model import IssueCode
from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _, formats
from audit_app.intake.source.container import check_workbook, parser_failure
from audit_app.intake.source.limits import (
    DEFAULT_LIMITS,
    Limits,
    RefusedFile,
    check_cells,
    check_upload_size,
    sheet_place,
)
from audit_app.intake.source.names import printable

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
DELIMITERS = (",", ";", "\t")
SAVE_AS_UTF8 = N_("save it as CSV UTF-8 (Excel: File > Save As > CSV UTF-8)")
SEPARATORS = {"\t": N_("tabs"), ",": N_("commas"), ";": N_("semicolons")}


def _at(source: object, message: str) -> str:
    """A refusal after the file it is about (``visits.csv: ...``): the name stays first in
    every language, so callers can take it off."""
    return f"{source}: {message}"


class TableFileError(AuditAppError):
    """A table file refused as a whole; ``code`` says why (an ``IssueCode``)."""

    def __init__(self, message: str, code: IssueCode = IssueCode.FILE_UNREADABLE) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Table:
    """A header and the data rows; ``first_row`` is the file's line or row of ``rows[0]``."""

    source: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    first_row: int = 2
    lines: tuple[int, ...] = ()
    """The file line each row starts on (a quoted value may span lines); empty: one line
    per row from ``first_row``."""

    def line(self, offset: int) -> int:
        """The line a person finds ``rows[offset]`` on in a text editor."""
        return self.lines[offset] if offset < len(self.lines) else self.first_row + offset

    def records(self) -> list[tuple[int, dict[str, Any]]]:
        """(row number as the user sees it, cells by normalised header) for non-blank rows."""
        keys = [normalise_header(name) for name in self.header]
        out = []
        for offset, row in enumerate(self.rows):
            if all(cell is None or str(cell).strip() == "" for cell in row):
                continue
            cells = {key: row[i] if i < len(row) else None for i, key in enumerate(keys) if key}
            out.append((self.first_row + offset, cells))
        return out


def normalise_header(name: Any) -> str:
    return str(name or "").strip().lower().replace(" ", "_").replace("-", "_")


def read_table(path: Path | str, *, limits: Limits = DEFAULT_LIMITS) -> Table:
    path = Path(path)
    if not path.is_file():
        raise TableFileError(_at(path, _("no such file")))
    try:
        check_upload_size(path.stat().st_size, limits)
    except RefusedFile as error:
        raise TableFileError(_at(path, str(error))) from None
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path, limits)
    return read_csv_bytes(path.read_bytes(), str(path), limits=limits)


def read_csv_bytes(data: bytes, source: str, *, limits: Limits = DEFAULT_LIMITS) -> Table:
    try:
        check_upload_size(len(data), limits)
    except RefusedFile as error:
        raise TableFileError(_at(source, str(error)), IssueCode.FILE_TOO_LARGE) from None
    text = decode_text(data, source)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise TableFileError(
            _at(
                source,
                _("holds NUL bytes (line {line}); it is not a text CSV file").format(line=line),
            )
        )
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise TableFileError(
            _at(source, _("the file is empty (a header row is needed)")), IssueCode.FILE_EMPTY
        )
    delimiter = max(DELIMITERS, key=first.count)  # ties: the comma
    rows, starts = _csv_rows(text, delimiter, source, limits)
    header = tuple(cell.strip() for cell in rows[0])
    return Table(
        source, header, tuple(tuple(row) for row in rows[1:]), first_row=2, lines=tuple(starts[1:])
    )


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 or UTF-16 text; anything else is refused with the byte that gave it away."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", source)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _decode(data, utf16, source)
    return _decode(data, "utf-8-sig", source)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 of mostly Latin text has a NUL in every other byte; say which order."""
    head = data[:400]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= len(odd) * 0.9 and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= len(even) * 0.9 and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding.startswith("utf-16"):
            raise TableFileError(
                _at(
                    source,
                    _("looks like UTF-16 text but byte {byte} is not; {advice}").format(
                        byte=error.start + 1, advice=_(SAVE_AS_UTF8)
                    ),
                )
            ) from None
        line = data.count(b"\n", 0, error.start) + 1
        bad = data[error.start : error.start + 1].hex().upper()
        raise TableFileError(
            _at(
                source,
                _(
                    "not UTF-8 text, nor UTF-16: byte {byte} (line {line}) is "
                    "0x{value}, as Windows-1252, Windows-1254 (Turkish) or Latin-1 write "
                    "letters such as é or ş; {advice}"
                ).format(
                    byte=error.start + 1,
                    line=line,
                    value=bad,
                    advice=_(SAVE_AS_UTF8),
                ),
            )
        ) from None


def _csv_rows(
    text: str, delimiter: str, source: str, limits: Limits
) -> tuple[list[list[str]], list[int]]:
    """Parsed rows within the caps; a line split by another separator than the header's
    is refused (its values would land in the wrong columns)."""
    rows: list[list[str]] = []
    starts: list[int] = []  # the line each record starts on
    cells = 0
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        start = 1
        for row in reader:
            line = reader.line_num
            if len(rows) >= limits.max_rows + 1:
                raise TableFileError(
                    _at(
                        source,
                        _("more than {limit} rows; at most {limit} rows are read").format(
                            limit=formats.integer(limits.max_rows)
                        ),
                    )
                )
            if len(row) > limits.max_columns:
                raise TableFileError(
                    _at(
                        source,
                        _(
                            "line {line} has {columns} columns; at most {limit} columns are read"
                        ).format(
                            line=line,
                            columns=formats.integer(len(row)),
                            limit=formats.integer(limits.max_columns),
                        ),
                    )
                )
            cells += len(row)
            if cells > limits.max_cells:
                raise TableFileError(
                    _at(
                        source,
                        _("more than {limit} cells; at most {limit} cells are read").format(
                            limit=formats.integer(limits.max_cells)
                        ),
                    )
                )
            for number, value in enumerate(row, start=1):
                if len(value) > limits.max_cell_chars:
                    raise TableFileError(
                        _at(
                            source,
                            _(
                                "line {line}, column {column} holds {length} characters; "
                                "a cell may hold at most {limit}"
                            ).format(
                                line=line,
                                column=number,
                                length=formats.integer(len(value)),
                                limit=formats.integer(limits.max_cell_chars),
                            ),
                        )
                    )
            if rows:
                _check_line(row, len(rows[0]), delimiter, line, source)
            rows.append(row)
            starts.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise TableFileError(
            _at(
                source,
                _("line {line} is not valid CSV ({reason})").format(
                    line=reader.line_num, reason=error
                ),
            )
        ) from None
    return rows, starts


def _check_line(row: list[str], width: int, delimiter: str, line: int, source: str) -> None:
    """Refuse a line whose values would land in the wrong columns: more values than the
    header has columns, or one value holding another separator (mixed separators)."""
    if len(row) > width and any(value.strip() for value in row[width:]):
        raise TableFileError(
            _at(
                source,
                _(
                    "line {line} has {values} values but line 1 only {width} columns; "
                    "a value holding {separators} must be in double quotes"
                ).format(
                    line=line,
                    values=formats.integer(len(row)),
                    width=formats.integer(width),
                    separators=_(SEPARATORS[delimiter]),
                ),
            )
        )
    if width < 2 or len(row) != 1 or not row[0].strip():
        return
    other = next((d for d in DELIMITERS if d != delimiter and d in row[0]), None)
    if other is not None:
        raise TableFileError(
            _at(
                source,
                _(
                    "line 1 is separated by {separators} but line {line} by {others}; "
                    "use one separator throughout"
                ).format(
                    separators=_(SEPARATORS[delimiter]),
                    line=line,
                    others=_(SEPARATORS[other]),
                ),
            )
        )


def _read_excel(path: Path, limits: Limits) -> Table:
    from python_calamine import CalamineWorkbook  # imported here: only Excel needs it

    data = path.read_bytes()
    try:
        check_workbook(path.suffix.lower(), data, limits)
    except RefusedFile as error:
        raise TableFileError(
            _at(path, _("cannot be read as a workbook: {reason}").format(reason=error))
        ) from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = workbook.sheet_names[0]
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except BaseException as error:  # calamine's own types, and panics (dates)
        if not parser_failure(error):
            raise
        shown = printable(error)
        raise TableFileError(
            _at(path, _("cannot be read as a workbook ({reason})").format(reason=shown))
        ) from None
    try:
        check_cells(rows, sheet_place(sheet_name), limits=limits)
    except RefusedFile as error:
        raise TableFileError(_at(path, str(error))) from None
    if not rows:
        raise TableFileError(
            _at(
                path,
                _("sheet {sheet} is empty (a header row is needed)").format(sheet=repr(sheet_name)),
            )
        )
    header = tuple(str(cell).strip() for cell in rows[0])
    body = tuple(tuple(None if cell == "" else cell for cell in row) for row in rows[1:])
    return Table(f"{path} [{sheet_name}]", header, body, first_row=2)
