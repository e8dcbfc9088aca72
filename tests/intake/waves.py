"""Agency files that leave things out, for the profile-values tests: no visit-date column
(the month is in the file name), no auditor column (the agency is the auditor), a
question id in every header with the wording changed between waves, N/A followed by a
reason, ``Fatal`` for a failed item, ``Routine Inspection`` as the visit type, and dates
written with month names in five languages.

Each builder writes the file with openpyxl and returns what a correct import stores:
branch code -> item id -> (value, N/A, comment), read off the cells it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Expected = dict[str, dict[str, tuple[Any, bool, str | None]]]

CHECKLIST = "greeting_in_person"
ITEMS = (
    "welcome.seconds_to_greet",
    "welcome.acknowledged",
    "welcome.eye_contact",
    "welcome.offered_help",
    "conduct.brand_attitude",
    "conduct.not_at_fault",
    "conduct.unsure",
    "close.thanks",
)
QUESTION_IDS = dict(
    zip(
        ITEMS,
        ("759201", "759202", "759203", "759204", "759205", "759206", "759207", "759208"),
        strict=True,
    )
)

WORDING = {
    # wave 2: the checklist's own words, the id written three ways
    2: {
        "welcome.seconds_to_greet": "(759201) Seconds until an employee greets the customer",
        "welcome.acknowledged": "759202 - Employee acknowledges the customer promptly",
        "welcome.eye_contact": "[759203] Employee makes eye contact and smiles",
        "welcome.offered_help": "(759204) Employee offers help",
        "conduct.brand_attitude": "(759205) Attitude matches the brand values",
        "conduct.not_at_fault": "(759206) Employee stays professional when it is not their fault",
        "conduct.unsure": "(759207) When unsure, employee asks a manager or takes details",
        "close.thanks": "(759208) Employee thanks the customer",
    },
    # wave 1: reworded beyond any similarity, same ids
    1: {
        "welcome.seconds_to_greet": "(759201) Wait before a greeting (s)",
        "welcome.acknowledged": "759202 - Was the shopper noticed quickly?",
        "welcome.eye_contact": "[759203] Smile + eye contact",
        "welcome.offered_help": "(759204) Did staff propose assistance?",
        "conduct.brand_attitude": "(759205) Brand behaviour rating",
        "conduct.not_at_fault": "(759206) Calm under an unfair complaint",
        "conduct.unsure": "(759207) Escalates questions it cannot answer",
        "close.thanks": "(759208) Said thank you at the end",
    },
}

ANSWERS: dict[int, dict[str, list[Any]]] = {
    # branch -> one cell per item, in ITEMS order; only conduct.unsure allows N/A
    1: {
        "IP-001": [12, "Yes", "Fatal", "Yes", 4, "Yes", "N/A karena stok tersedia", "Yes"],
        "IP-002": [30, "No", "Yes", "Yes", "3/5", "No", "n/a - manager out till noon", "Fatal"],
    },
    2: {
        "IP-001": [8, "Yes", "Yes", "Yes", 5, "Yes", "NA: no stock", "Yes"],
        "IP-002": [45, "Fatal", "No", "Yes", 2, "Yes", "N/A tidak ada manajer", "No"],
    },
}
MONTH = {1: "April 2025", 2: "May 2025"}


@dataclass(frozen=True)
class WaveFile:
    path: Path
    visit_date: datetime
    expected: Expected


def write_wave(folder: Path, wave: int) -> WaveFile:
    """``QA In-person <Month Year>.xlsx``: sheet 'Visits', a title row, the header in row
    2 (store code, visit type, one column per question with its id), no date, no auditor."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Visits"
    sheet["A1"] = f"Mystery shopping programme - wave {wave}"
    header = ["Store code", "Visit type", *(WORDING[wave][item] for item in ITEMS)]
    for column, text in enumerate(header, start=1):
        sheet.cell(row=2, column=column, value=text)
    expected: Expected = {}
    for row, (code, cells) in enumerate(ANSWERS[wave].items(), start=3):
        sheet.cell(row=row, column=1, value=code)
        sheet.cell(row=row, column=2, value="Routine Inspection")
        for column, value in enumerate(cells, start=3):
            sheet.cell(row=row, column=column, value=value)
        expected[code] = {
            item: stored(item, value) for item, value in zip(ITEMS, cells, strict=True)
        }
    path = folder / f"QA In-person {MONTH[wave]}.xlsx"
    workbook.save(path)
    day = datetime(2025, 4 if wave == 1 else 5, 1)
    return WaveFile(path, day, expected)


def stored(item: str, cell: Any) -> tuple[Any, bool, str | None]:
    """What the import must store for one of these cells, worked out by hand."""
    if item == "welcome.seconds_to_greet":
        return float(cell), False, None
    if item == "conduct.brand_attitude":
        return (3 if cell == "3/5" else cell), False, None
    text = str(cell)
    if text in ("Yes", "No", "Fatal"):
        return text == "Yes", False, None
    for prefix in ("N/A ", "n/a - ", "NA: "):
        if text.startswith(prefix):
            return None, True, text.removeprefix(prefix)
    raise AssertionError(f"no expectation for {cell!r}")


MONTH_NAME_DATES = (
    ("IP-001", "7 November 2025"),
    ("IP-002", "Nov 30, 2025"),
    ("IP-003", "30 de novembre de 2025"),
    ("IP-004", "7 noiembrie 2025"),
    ("IP-005", "7 Kasım 2025"),
    ("IP-006", "7 de noviembre de 2025 14:30"),
)
MONTH_NAME_DAYS = {
    "IP-001": datetime(2025, 11, 7),
    "IP-002": datetime(2025, 11, 30),
    "IP-003": datetime(2025, 11, 30),
    "IP-004": datetime(2025, 11, 7),
    "IP-005": datetime(2025, 11, 7),
    "IP-006": datetime(2025, 11, 7, 14, 30),
}


def write_month_name_dates(folder: Path) -> Path:
    """A wide sheet whose visit dates are text with month names (en, ca, ro, tr, es), the
    auditor a column, every answer Yes, 10 seconds and 5."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Audits"
    sheet.append(["Store code", "Visit date", "Auditor", *WORDING[2].values()])
    for code, day in MONTH_NAME_DATES:
        sheet.append([code, day, "Ana", 10, "Yes", "Yes", "Yes", 5, "Yes", "Yes", "Yes"])
    path = folder / "month-names.xlsx"
    workbook.save(path)
    return path
