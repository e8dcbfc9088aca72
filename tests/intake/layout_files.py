"""Workbooks of the shapes no plain reader takes, written with openpyxl the way chains keep
them: a monthly QA workbook with the questions in rows and one column per month, a shelf
audit with one row per product, and a sheet whose merged group headers repeat the same
sub-headers. Each builder returns the file and what a correct reading gives, worked out
here from the values written, not from the reader."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import mean
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

Answer = tuple[Any, bool, str | None]
"""(stored value, N/A, comment)."""


@dataclass(frozen=True)
class LayoutFile:
    path: Path
    expected: dict[tuple[str, date], dict[str, Answer]]
    """(branch code, visit date) -> item id -> answer, blanks left out."""
    skipped: dict[str, int]
    rows_read: int
    cells: dict[tuple[str, date], dict[str, str]]
    """(branch code, visit date) -> item id -> where its value came from (``QA!C6``)."""


def _yes(text: str) -> Answer:
    return (text == "Yes", False, None)


SOURCING_QUESTIONS = [
    ("share.organic_fresh", "Organic share of fresh produce"),
    ("share.organic_dry", "Organic share of dry goods"),
    ("share.preservative_free", "Preservative-free share of the range"),
    ("shelf.organic_labelled", "Organic products are labelled as such on the shelf"),
    ("shelf.origin_shown", "Origin is shown on fresh produce"),
    ("records.certificates", "Supplier certificates are on file and current"),
    ("notes.inspector", "Inspector's notes"),
]


def write_monthly_qa(folder: Path) -> LayoutFile:
    """Sheet 'QA': a title, then ``No. | Question | Jan 2025 | Feb 2025 | Mar 2025 | Apr
    2025``, a Store row and an Auditor row under it, section headings, the shares as
    fractions (percent cells), ``-`` placeholders, 'Section total' and 'Average' rows.
    March is all placeholders (the store was shut): not a visit."""
    months = ["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025"]
    firsts = [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)]
    # item -> per month
    answers: dict[str, list[Any]] = {
        "share.organic_fresh": [0.91, 0.875, "-", 0.95],
        "share.organic_dry": [0.8, 0.9, "-", 0.85],
        "share.preservative_free": [1, 0.97, "-", 1],
        "shelf.organic_labelled": ["Yes", "No", "-", "Yes"],
        "shelf.origin_shown": ["Yes", "Yes", "-", "No"],
        "records.certificates": ["No", "Yes", "-", "Yes"],
        "notes.inspector": ["Two labels missing", "-", "-", "All fine"],
    }
    book = Workbook()
    sheet = book.active
    sheet.title = "QA"
    sheet["A1"] = "Monthly QA - Barcelona Gràcia - 2025"
    sheet.merge_cells("A1:F1")
    rows: list[list[Any]] = [
        ["No.", "Question", *months],
        [None, "Store", "ES-CAT-01", "ES-CAT-01", "ES-CAT-01", "ES-CAT-01"],
        [None, "Auditor", "Anna Puig", "Anna Puig", None, "Jordi Vila"],
        [None, "Sourcing shares"],
    ]
    placed: dict[str, int] = {}
    number = 0
    for item_id, text in SOURCING_QUESTIONS[:3]:
        number += 1
        placed[item_id] = len(rows) + 2
        rows.append([number, text, *answers[item_id]])
    rows.append([None, "Section total", 2.71, 2.745, None, 2.8])
    rows.append([])
    rows.append([None, "Shelf and records"])
    for item_id, text in SOURCING_QUESTIONS[3:]:
        number += 1
        placed[item_id] = len(rows) + 2
        rows.append([number, text, *answers[item_id]])
    rows.append([None, "Average", 0.66, 0.7, None, 0.9])
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=2 + offset, column=column, value=value)
    for item_id in ("share.organic_fresh", "share.organic_dry", "share.preservative_free"):
        for column in range(3, 7):
            sheet.cell(row=placed[item_id], column=column).number_format = "0.0%"
    path = folder / "monthly_qa_2025.xlsx"
    book.save(path)
    expected: dict[tuple[str, date], dict[str, Answer]] = {}
    cells: dict[tuple[str, date], dict[str, str]] = {}
    for month, first in enumerate(firsts):
        if month == 2:
            continue
        key = ("ES-CAT-01", first)
        visit: dict[str, Answer] = {}
        for item_id, values in answers.items():
            value = values[month]
            if value == "-":
                continue
            if item_id.startswith("share."):
                visit[item_id] = (round(value * 100, 6), False, None)
            elif item_id.startswith("notes."):
                visit[item_id] = (value, False, None)
            else:
                visit[item_id] = _yes(value)
        expected[key] = visit
        letter = get_column_letter(3 + month)
        cells[key] = {item_id: f"QA!{letter}{row}" for item_id, row in placed.items()}
    # read: 4 visit columns (March listed as empty), 2 subtotals, 2 sections, 1 blank
    skipped = {"separator": 2, "subtotal": 2, "blank": 1, "empty_column": 1}
    return LayoutFile(path, expected, skipped, 4 + 5, cells)


def write_rows(sheet: Any, first_row: int, rows: Sequence[Sequence[Any]]) -> None:
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None and value != "":
                sheet.cell(row=first_row + offset, column=column, value=value)


_ = mean  # used by the lines builder
