"""A checklist spreadsheet in and out: the questions sheet found (its header under title and
banner rows, as the visit import finds it), every cell handed to the pure reader with its
place; and a checklist written back as that same shape (``Questions`` and ``Checklist``)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from audit_app.domain.checklist import Checklist
from audit_app.domain.checklist_sheet.build import (
    ChecklistRequest,
    QuestionSheet,
    SheetReading,
    read_question_sheet,
)
from audit_app.domain.checklist_sheet.cells import cell_text
from audit_app.domain.checklist_sheet.columns import (
    find_columns,
    header_key,
    header_score,
)
from audit_app.domain.checklist_sheet.shape import (
    QUESTIONS_SHEET,
    SETTINGS_SHEET,
    checklist_shape,
)
from audit_app.domain.intake.model import Cell, ImportIssue, IssueCode
from audit_app.i18n import _
from audit_app.intake.layouts.profile.matching import find_header_row_over_data
from audit_app.intake.source.grid import (
    Grid,
    csv_grid,
    open_sheets,
    sheet_grid,
    source_kind,
)
from audit_app.intake.source.limits import DEFAULT_LIMITS, Limits
from audit_app.intake.source.tabular import TableFileError, decode_text

SETTINGS_NAMES = frozenset({"checklist", "settings", "configuracion", "configuracio", "setari"})
GENERIC_SHEET_NAMES = frozenset(
    {"sheet1", "hoja1", "full1", "foaie1", "sayfa1", "questions", "preguntas", "sheet", "data"}
)


@dataclass(frozen=True)
class ChecklistFileReading:
    reading: SheetReading
    sheet: str
    """The questions sheet ("" for a CSV file)."""
    header_row: int | None


def read_checklist_file(
    name: str, data: bytes, request: ChecklistRequest, *, limits: Limits = DEFAULT_LIMITS
) -> ChecklistFileReading:
    """The questions of a workbook or CSV file. Raises ``UnreadableFile`` for a file that
    cannot be opened at all; everything else comes back as issues named at their cells."""
    if source_kind(name) == "csv":
        grids = [_csv_below_banners(name, data, limits)]
    else:
        workbook, names = open_sheets(name, data, limits=limits)
        grids = [sheet_grid(workbook, sheet, limits=limits) for sheet in names]
    settings_grid = next(
        (g for g in grids if g.sheet and header_key(g.sheet) in SETTINGS_NAMES), None
    )
    best: tuple[int, Grid, int] | None = None
    for grid in grids:
        if grid is settings_grid:
            continue
        offset, score = find_header_row_over_data(
            grid.rows, lambda keys, row: header_score(_texts(row))
        )
        if score > 0 and (best is None or score > best[0]):
            best = (score, grid, offset)
    if best is None:
        message = _(
            "no row looks like the header of a questions sheet: it needs a Question column "
            "(also Pregunta, Întrebare, Soru, Question (ca)) and, say, Section, Type, Options"
        )
        issue = ImportIssue(IssueCode.HEADER_NOT_FOUND, message)
        return ChecklistFileReading(SheetReading(None, (issue,), {}), "", None)
    _score, grid, offset = best
    header_texts = grid.use_header(offset)
    columns = find_columns(header_texts)
    section_columns = {c.index for c in columns if c.role.startswith("section")}
    grid.fill_merged(section_columns, offset + 1)
    width = max(grid.width, len(header_texts))
    cells = [_row_cells(grid, r, width) for r in range(offset + 1, len(grid.rows))]
    while cells and all(cell_text(c.value) == "" for c in cells[-1]):
        cells.pop()
    fallback = request.fallback_title or _fallback_title(name, grid.sheet)
    request = ChecklistRequest(
        request.checklist_id, request.title, request.version, request.language, fallback
    )
    sheet = QuestionSheet(
        columns,
        _row_cells(grid, offset, width),
        cells,
        _settings(settings_grid) if settings_grid is not None else {},
    )
    return ChecklistFileReading(
        read_question_sheet(sheet, request), grid.sheet, grid.row_number(offset)
    )


def _csv_below_banners(name: str, data: bytes, limits: Limits) -> Grid:
    """A CSV file whose first lines are a title or blank (no separator in them): the grid
    starts at the first line that has columns, its lines numbered as in the file."""
    try:
        text = decode_text(data, name)
    except TableFileError:
        return csv_grid(name, data, limits=limits)  # refused there, in the usual words
    lines = text.split("\n")
    skipped = 0
    while skipped < len(lines) - 1 and not any(mark in lines[skipped] for mark in ",;\t"):
        skipped += 1
    if not skipped:
        return csv_grid(name, data, limits=limits)
    grid = csv_grid(name, "\n".join(lines[skipped:]).encode("utf-8"), limits=limits)
    grid.lines = tuple(line + skipped for line in grid.lines)
    return grid


def _texts(row: list[Any]) -> list[str]:
    return [cell_text(value) for value in row]


def _row_cells(grid: Grid, offset: int, width: int) -> list[Cell]:
    row = grid.rows[offset] if offset < len(grid.rows) else []
    number = grid.row_number(offset)
    return [
        Cell(row[c] if c < len(row) else "", grid.sheet, grid.ref(offset, c), number)
        for c in range(width)
    ]


def _settings(grid: Grid) -> dict[str, tuple[Cell, Cell]]:
    out: dict[str, tuple[Cell, Cell]] = {}
    for offset, row in enumerate(grid.rows):
        if len(row) < 2 or not cell_text(row[0]):
            continue
        key = header_key(cell_text(row[0]))
        if key in ("setting", "key") or key in out:
            continue
        cells = _row_cells(grid, offset, 2)
        out[key] = (cells[0], cells[1])
    return out


def _fallback_title(name: str, sheet: str) -> str:
    if sheet and header_key(sheet).replace(" ", "") not in GENERIC_SHEET_NAMES:
        return sheet
    return Path(name).stem.replace("_", " ").strip()


# ------------------------------------------------------------------ writing

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_WRAP = Alignment(wrap_text=True, vertical="top")


def checklist_workbook(checklist: Checklist) -> bytes:
    """The checklist as ``Questions`` (one row per question) and ``Checklist`` (settings)."""
    shape = checklist_shape(checklist)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = QUESTIONS_SHEET
    for r, row in enumerate(shape.questions, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula: texts come from the checklist
            if r == 1:
                cell.font = _BOLD
                cell.fill = _HEADER_FILL
            elif shape.questions[0][c - 1] in shape.wrapped:
                cell.alignment = _WRAP
    for c, header in enumerate(shape.questions[0], start=1):
        wide = header.startswith(("Question", "Options", "Guidance"))
        sheet.column_dimensions[get_column_letter(c)].width = 40 if wide else 14
    sheet.freeze_panes = "A2"
    settings = workbook.create_sheet(SETTINGS_SHEET)
    for r, row in enumerate(shape.settings, start=1):
        for c, value in enumerate(row, start=1):
            cell = settings.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"
            if r == 1:
                cell.font = _BOLD
    settings.column_dimensions["A"].width = 22
    settings.column_dimensions["B"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
