"""A branch list file -> the header row, the guessed columns and the data rows as cells,
with every row below the header accounted for: a branch row, or skipped with its reason
(blank, a repeated header, a separator such as a region label)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit_app.domain.intake.branch_list import BranchRow, is_code_shaped, text_of
from audit_app.domain.intake.model import (
    Cell,
    IssueCode,
    SkippedRow,
    SkipReason,
    UnreadableFile,
    column_letter,
)
from audit_app.i18n import _
from audit_app.intake.branch_list.columns import (
    ColumnGuess,
    field_key,
    guess_columns,
    is_header_like,
    person_headers,
)
from audit_app.intake.branch_list.doubts import Doubt, column_doubts
from audit_app.intake.layouts.profile.matching import (
    HEADER_SEARCH_ROWS,
    find_header_row_over_data,
)
from audit_app.intake.source.grid import (
    Grid,
    csv_grid,
    last_filled,
    open_sheets,
    sheet_grid,
    source_kind,
)
from audit_app.intake.source.limits import DEFAULT_LIMITS, Limits

MERGED_FIELDS = {"region", "area", "country", "language", "manager", "franchisee", "status"}
"""Fields a list often merges down over the branches they group."""


@dataclass
class BranchSheet:
    """What was found in a branch list, before any cell is judged."""

    source: str
    sheet: str
    header_row: int
    columns: dict[str, ColumnGuess]
    unused: list[tuple[str, str]]
    """(letter, header) of the columns no field took."""
    rows: list[BranchRow] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    doubts: list[Doubt] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Columns the user named that the header lacks."""

    @property
    def rows_read(self) -> int:
        return len(self.rows) + len(self.skipped)

    def headers(self) -> dict[str, str]:
        return {name: guess.header for name, guess in self.columns.items()}


def header_score(keys: list[str], row: Any) -> int:
    """How many cells of a row name a branch field."""
    return sum(1 for key, value in zip(keys, row, strict=True) if _names_field(key, value))


def _names_field(key: str, value: Any) -> bool:
    return bool(key) and isinstance(value, str) and is_header_like(field_key(value))


def read_branch_sheet(
    path: Path | str,
    data: bytes | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BranchSheet:
    """The sheet that best looks like a branch list (a CSV file has one), read."""
    grid, offset = _best_sheet(path, data, limits)
    header = grid.use_header(offset)
    letters = [column_letter(grid.first_column + i) for i in range(len(header))]
    guesses, problems = guess_columns(header, letters, columns)
    grid.fill_merged(
        {g.index for g in guesses.values() if g.field in MERGED_FIELDS}, from_offset=offset + 1
    )
    taken = {g.index for g in guesses.values()}
    sheet = BranchSheet(
        source=Path(path).name,
        sheet=grid.sheet,
        header_row=grid.row_number(offset),
        columns=guesses,
        unused=[(letters[i], text) for i, text in enumerate(header) if text and i not in taken],
        problems=problems,
    )
    header_keys = {g.index: field_key(g.header) for g in guesses.values()}
    for index in range(offset + 1, last_filled(grid.rows, offset + 1)):
        _account(grid, index, guesses, header_keys, sheet)
    filled: dict[str, list[Any]] = {name: [] for name in guesses}
    for row in sheet.rows:
        for name, cell in row.cells.items():
            if text_of(cell.value):
                filled[name].append(cell.value)
    sheet.doubts = column_doubts(guesses, filled, *person_headers(header))
    return sheet


def _account(
    grid: Grid,
    index: int,
    guesses: dict[str, ColumnGuess],
    header_keys: dict[int, str],
    sheet: BranchSheet,
) -> None:
    """One row below the header: a branch row or a skipped one."""
    values = grid.rows[index]
    number = grid.row_number(index)
    texts = [text_of(value) for value in values]
    filled = [text for text in texts if text]
    if not filled:
        sheet.skipped.append(SkippedRow(grid.sheet, number, SkipReason.BLANK))
        return
    if header_keys and all(
        field_key(values[i] if i < len(values) else "") == key for i, key in header_keys.items()
    ):
        sheet.skipped.append(
            SkippedRow(grid.sheet, number, SkipReason.REPEATED_HEADER, " | ".join(filled))
        )
        return
    if len(filled) == 1 and len(guesses) > 2 and _is_label(texts, guesses):
        sheet.skipped.append(SkippedRow(grid.sheet, number, SkipReason.SEPARATOR, filled[0]))
        return
    cells = {
        name: Cell(
            values[g.index] if g.index < len(values) else "",
            grid.sheet,
            grid.ref(index, g.index),
            number,
        )
        for name, g in guesses.items()
    }
    sheet.rows.append(BranchRow(number, cells))


def _is_label(texts: list[str], guesses: dict[str, ColumnGuess]) -> bool:
    """A row's one text is a label (``North region``, ``Total 48``), not a branch short of
    cells: it sits in no field's column, or in the code column but cannot be a code."""
    index = next(i for i, text in enumerate(texts) if text)
    code = guesses.get("code")
    if code is not None and index == code.index:
        return not is_code_shaped(texts[index])
    return index not in {g.index for g in guesses.values()}


def _best_sheet(path: Path | str, data: bytes | None, limits: Limits) -> tuple[Grid, int]:
    """The sheet whose header names most branch fields (the first on a tie) and the
    offset of that header."""
    if source_kind(path) == "csv":
        grid = csv_grid(path, data, limits=limits)
        return grid, _header_offset(grid)
    workbook, names = open_sheets(path, data, limits=limits)
    best: tuple[int, int] | None = None
    for position, name in enumerate(names):
        sample = sheet_grid(workbook, name, nrows=HEADER_SEARCH_ROWS, limits=limits)
        if not sample.rows:
            continue
        points = find_header_row_over_data(sample.rows, header_score)[1]
        if best is None or points > best[0]:
            best = (points, position)
    if best is None:
        raise UnreadableFile(_("every sheet of the workbook is empty"), IssueCode.FILE_EMPTY)
    grid = sheet_grid(workbook, names[best[1]], limits=limits)
    return grid, _header_offset(grid)


def _header_offset(grid: Grid) -> int:
    if not grid.rows:
        raise UnreadableFile(_("the file is empty"), IssueCode.FILE_EMPTY)
    return find_header_row_over_data(grid.rows, header_score)[0]
