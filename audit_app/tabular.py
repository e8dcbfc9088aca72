"""Read a CSV or Excel sheet as a header and rows of cells, with file-level errors named.

CSV: UTF-8 with or without BOM, comma or semicolon. Excel: read with python-calamine,
which is fast and never evaluates anything in the workbook.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit_app.errors import AuditAppError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


class TableFileError(AuditAppError):
    pass


@dataclass(frozen=True)
class Table:
    """A header and the data rows; ``first_row`` is the file's line or row of ``rows[0]``."""

    source: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    first_row: int = 2

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


def read_table(path: Path | str) -> Table:
    path = Path(path)
    if not path.is_file():
        raise TableFileError(f"{path}: no such file")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path)
    return read_csv_bytes(path.read_bytes(), str(path))


def read_csv_bytes(data: bytes, source: str) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableFileError(
            f"{source}: not UTF-8 text (byte {error.start + 1}); save the file as CSV UTF-8"
        ) from None
    if "\x00" in text:
        raise TableFileError(f"{source}: holds NUL bytes; it is not a text CSV file")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise TableFileError(f"{source}: the file is empty (a header row is needed)")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = tuple(cell.strip() for cell in rows[0])
    return Table(source, header, tuple(tuple(row) for row in rows[1:]), first_row=2)


def _read_excel(path: Path) -> Table:
    from python_calamine import CalamineWorkbook  # imported here: only Excel needs it

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_name = workbook.sheet_names[0]
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except Exception as error:  # calamine raises its own types for broken files
        raise TableFileError(f"{path}: cannot be read as a workbook ({error})") from None
    if not rows:
        raise TableFileError(f"{path}: sheet {sheet_name!r} is empty (a header row is needed)")
    header = tuple(str(cell).strip() for cell in rows[0])
    body = tuple(tuple(None if cell == "" else cell for cell in row) for row in rows[1:])
    return Table(f"{path} [{sheet_name}]", header, body, first_row=2)
