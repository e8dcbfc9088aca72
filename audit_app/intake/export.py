"""Tables out to Excel and CSV, safe to open: text that a spreadsheet would run as a
formula (starting with =, +, -, @, or a tab/carriage return) never runs. Such text gets a
leading apostrophe in both (:func:`audit_app.domain.safe_text.spreadsheet_text`, the one
neutraliser every export uses), and in a workbook every text cell is also stored with the
text type, which Excel and LibreOffice show and never evaluate, even after an edit."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from audit_app.domain.safe_text import FORMULA_STARTS, spreadsheet_text

__all__ = ["FORMULA_STARTS", "neutralise", "string_cell", "to_csv", "to_xlsx"]

neutralise = spreadsheet_text
"""Text that starts like a formula gets a leading apostrophe; numbers stay numbers."""


def to_xlsx(rows: Sequence[dict[str, Any]], columns: Sequence[str], sheet_title: str) -> bytes:
    """A write-only workbook (fast and small); every text cell is stored as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_excel_value(sheet, row.get(column)) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def string_cell(sheet: Any, text: str) -> WriteOnlyCell:
    """A text cell that is never a formula: apostrophe before a formula start, and the
    string type (openpyxl would otherwise store text starting with ``=`` as a formula).

    The services refuse control characters in stored text (``domain.bounds``); one that is
    there all the same (a database restored from before the bounds) shows as U+FFFD here
    instead of failing the whole workbook with openpyxl's IllegalCharacterError."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell = WriteOnlyCell(sheet, value=spreadsheet_text(text))
    cell.data_type = "s"
    return cell


def _excel_value(sheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        return string_cell(sheet, value)
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """UTF-8 CSV text with a header; formula-like text neutralised as in Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(column)) for column in columns])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return ""
    return neutralise(value)
