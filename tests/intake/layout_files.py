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
    March is all placeholders: not a visit; in May every cell says Closed: a store not
    visited, listed as closed."""
    months = ["Jan 2025", "Feb 2025", "Mar 2025", "Apr 2025", "May 2025"]
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
        [None, "Store", "ES-CAT-01", "ES-CAT-01", "ES-CAT-01", "ES-CAT-01", "ES-CAT-01"],
        [None, "Auditor", "Anna Puig", "Anna Puig", None, "Jordi Vila"],
        [None, "Sourcing shares"],
    ]
    placed: dict[str, int] = {}
    number = 0
    for item_id, text in SOURCING_QUESTIONS[:3]:
        number += 1
        placed[item_id] = len(rows) + 2
        rows.append([number, text, *answers[item_id], "Closed"])
    rows.append([None, "Section total", 2.71, 2.745, None, 2.8])
    rows.append([])
    rows.append([None, "Shelf and records"])
    for item_id, text in SOURCING_QUESTIONS[3:]:
        number += 1
        placed[item_id] = len(rows) + 2
        rows.append([number, text, *answers[item_id], "Closed"])
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
    # read: 5 visit columns (March empty, May closed), 2 subtotals, 2 sections, 1 blank
    skipped = {"separator": 2, "subtotal": 2, "blank": 1, "empty_column": 1, "closed": 1}
    return LayoutFile(path, expected, skipped, 5 + 5, cells)


def write_rows(sheet: Any, first_row: int, rows: Sequence[Sequence[Any]]) -> None:
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None and value != "":
                sheet.cell(row=first_row + offset, column=column, value=value)


SHELF_HEADER = [
    "Store code",
    "Visit date",
    "Auditor",
    "Product",
    "Organic share of fresh produce",
    "Organic share of dry goods",
    "Preservative-free share of the range",
    "Organic products are labelled as such on the shelf",
    "Origin is shown on fresh produce",
    "Supplier certificates are on file and current",
    "Inspector's notes",
]


def write_shelf_lines(folder: Path) -> LayoutFile:
    """Sheet 'Shelf': a title, the header in row 3, one row per product checked. Each
    visit's product rows carry its store, date and auditor; whether the product is organic
    (fresh lines) and preservative-free is Yes / No per line, dry goods an organic
    percentage per line (blank for fresh lines); the visit-level answers sit on the
    visit's first row only. A blank row and a 'Subtotal' row sit between visits."""
    visits = [
        ("ES-CAT-01", date(2026, 5, 3), "Anna Puig",
         [("Apples", "Yes", None, "Yes"), ("Pears", "No", None, "Yes"),
          ("Oats", None, 80, "Yes"), ("Rice", None, 95, "No"), ("Kale", "Yes", None, "Yes")],
         ("Yes", "No", "Yes", "Two labels missing")),
        ("ES-CAT-02", date(2026, 5, 4), "Jordi Vila",
         [("Apples", "Yes", None, "Yes"), ("Flour", None, 100, "Yes"),
          ("Pasta", None, 70, "Yes"), ("Lemons", "No", None, "No")],
         ("No", "Yes", "Yes", None)),
        ("ES-CAT-01", date(2026, 5, 20), "Anna Puig",
         [("Figs", "Yes", None, "Yes"), ("Beans", None, 90, "Yes"), ("Leeks", "Yes", None, "Yes")],
         ("Yes", "Yes", "No", "All fine")),
    ]  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.title = "Shelf"
    sheet["A1"] = "Shelf audit - May 2026"
    sheet.merge_cells("A1:K1")
    rows: list[list[Any]] = [SHELF_HEADER]
    expected: dict[tuple[str, date], dict[str, Answer]] = {}
    cells: dict[tuple[str, date], dict[str, str]] = {}
    for number, (code, day, auditor, lines, visit_level) in enumerate(visits):
        if number:
            rows.append(["Subtotal"] if number == 1 else [])
        first = len(rows) + 3
        for index, (product, fresh, dry, free) in enumerate(lines):
            extra = list(visit_level) if index == 0 else [None] * 4
            rows.append([code, day, auditor, product, fresh, dry, free, *extra])
        last = len(rows) + 2
        fresh_cells = [line[1] for line in lines if line[1] is not None]
        free_cells = [line[3] for line in lines]
        labelled, origin, certificates, notes = visit_level
        answers: dict[str, Answer] = {
            "share.organic_fresh": (
                round(100 * fresh_cells.count("Yes") / len(fresh_cells), 4), False, None
            ),
            "share.organic_dry": (mean(line[2] for line in lines if line[2] is not None),
                                  False, None),
            "share.preservative_free": (
                round(100 * free_cells.count("Yes") / len(free_cells), 4), False, None
            ),
            "shelf.organic_labelled": _yes(labelled),
            "shelf.origin_shown": _yes(origin),
            "records.certificates": _yes(certificates),
        }  # fmt: skip
        if notes is not None:
            answers["notes.inspector"] = (notes, False, None)
        expected[(code, day)] = answers
        cells[(code, day)] = {
            "share.organic_fresh": f"Shelf!E{first}:E{last}",
            "share.organic_dry": f"Shelf!F{first}:F{last}",
            "share.preservative_free": f"Shelf!G{first}:G{last}",
            "shelf.organic_labelled": f"Shelf!H{first}",
            "shelf.origin_shown": f"Shelf!I{first}",
            "records.certificates": f"Shelf!J{first}",
            "notes.inspector": f"Shelf!K{first}",
        }
    write_rows(sheet, 3, rows)
    path = folder / "shelf_audit_2026-05.xlsx"
    book.save(path)
    return LayoutFile(path, expected, {"subtotal": 1, "blank": 1}, len(rows) - 1, cells)


def write_grouped_header(folder: Path) -> LayoutFile:
    """Sheet 'Audits': row 1 holds Store code, Visit date, Auditor (each merged down over
    rows 1-2) and one merged group per question (``Organic share of fresh produce``, ...)
    over ``Score | Comment`` in row 2; the notes column is one merged cell too. Only the
    Score column of a group answers it."""
    groups = [item for item in SOURCING_QUESTIONS if item[0] != "notes.inspector"]
    scores: list[list[Any]] = [
        ["ES-CAT-01", date(2026, 5, 3), "Anna Puig", 91, "ok", 88, None, 100, None,
         "Yes", None, "No", "faded", "Yes", None, "All fine"],
        ["ES-CAT-02", date(2026, 5, 4), "Jordi Vila", 74, None, 93, "2 aisles", 98.5, None,
         "No", "none", "No", None, "No", "expired", None],
    ]  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.title = "Audits"
    for column, text in enumerate(["Store code", "Visit date", "Auditor"], start=1):
        sheet.cell(row=1, column=column, value=text)
        sheet.merge_cells(start_row=1, end_row=2, start_column=column, end_column=column)
    for index, (_, text) in enumerate(groups):
        column = 4 + 2 * index
        sheet.cell(row=1, column=column, value=text)
        sheet.merge_cells(start_row=1, end_row=1, start_column=column, end_column=column + 1)
        sheet.cell(row=2, column=column, value="Score")
        sheet.cell(row=2, column=column + 1, value="Comment")
    notes = 4 + 2 * len(groups)
    sheet.cell(row=1, column=notes, value="Inspector's notes")
    sheet.merge_cells(start_row=1, end_row=2, start_column=notes, end_column=notes)
    write_rows(sheet, 3, scores)
    path = folder / "grouped_header.xlsx"
    book.save(path)
    expected: dict[tuple[str, date], dict[str, Answer]] = {}
    cells: dict[tuple[str, date], dict[str, str]] = {}
    for offset, values in enumerate(scores):
        key = (values[0], values[1])
        answers: dict[str, Answer] = {}
        places: dict[str, str] = {}
        for index, (item_id, _) in enumerate(groups):
            value, comment = values[3 + 2 * index], values[4 + 2 * index]
            answers[item_id] = (
                float(value) if item_id.startswith("share.") else value == "Yes",
                False,
                comment,
            )
            places[item_id] = f"Audits!{get_column_letter(4 + 2 * index)}{3 + offset}"
        if values[-1] is not None:
            answers["notes.inspector"] = (values[-1], False, None)
        places["notes.inspector"] = f"Audits!{get_column_letter(notes)}{3 + offset}"
        expected[key] = answers
        cells[key] = places
    return LayoutFile(path, expected, {}, len(scores), cells)


def write_visit_columns(folder: Path) -> LayoutFile:
    """Sheet 'Visits': one column per visit headed by its store code, a 'Date' row of date
    cells and an 'Auditor' row under the header, no number column."""
    stores = ["ES-CAT-01", "ES-CAT-02", "RO-BUC-01"]
    days = [date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 12)]
    answers: dict[str, list[Any]] = {
        "share.organic_fresh": [91, 74, 91.5],
        "share.organic_dry": [88, 93, 100],
        "share.preservative_free": [100, 98.5, 99],
        "shelf.organic_labelled": ["Yes", "No", "Yes"],
        "shelf.origin_shown": ["Yes", "No", "No"],
        "records.certificates": ["Yes", "No", "Yes"],
        "notes.inspector": ["-", "Late delivery", "-"],
    }
    book = Workbook()
    sheet = book.active
    sheet.title = "Visits"
    rows: list[list[Any]] = [
        ["Question", *stores],
        ["Date", *days],
        ["Auditor", "Anna Puig", "Jordi Vila", "Ioana Pop"],
    ]
    for item_id, text in SOURCING_QUESTIONS:
        rows.append([text, *answers[item_id]])
    rows.append(["Total score", 88.1, 41, 80])
    write_rows(sheet, 1, rows)
    path = folder / "visit_columns.xlsx"
    book.save(path)
    expected: dict[tuple[str, date], dict[str, Answer]] = {}
    cells: dict[tuple[str, date], dict[str, str]] = {}
    for index, (code, day) in enumerate(zip(stores, days, strict=True)):
        visit: dict[str, Answer] = {}
        for item_id, values in answers.items():
            value = values[index]
            if value == "-":
                continue
            if item_id.startswith("share."):
                visit[item_id] = (float(value), False, None)
            elif item_id.startswith("notes."):
                visit[item_id] = (value, False, None)
            else:
                visit[item_id] = _yes(value)
        expected[(code, day)] = visit
        letter = get_column_letter(2 + index)
        cells[(code, day)] = {
            item_id: f"Visits!{letter}{4 + n}" for n, (item_id, _) in enumerate(SOURCING_QUESTIONS)
        }
    return LayoutFile(path, expected, {"subtotal": 1}, 3 + 1, cells)
