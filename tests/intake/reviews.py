"""A generated agency export with a review number per visit: one store visited twice on one
day by the same agency, the two visits told apart only by their review numbers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

QUESTIONS = {
    "welcome.seconds_to_greet": "Seconds until an employee greets the customer",
    "welcome.acknowledged": "Employee acknowledges the customer promptly and courteously",
    "welcome.eye_contact": "Employee makes eye contact and smiles",
    "welcome.offered_help": "Employee offers help",
    "conduct.brand_attitude": "Attitude matches the brand values",
    "conduct.not_at_fault": "Employee stays professional when the complaint is not their fault",
    "conduct.unsure": "When unsure, employee asks a manager or takes contact details",
    "close.thanks": "Employee thanks the customer",
}
HEADER = ["Review Number", "Store code", "Visit date", "Shopper", *QUESTIONS.values()]


@dataclass(frozen=True)
class ReviewRow:
    reference: str
    branch_code: str
    day: str
    answers: dict[str, Any]
    """Item id -> the cell as written (typed the way the importer stores it)."""


@dataclass(frozen=True)
class ReviewFile:
    path: Path
    rows: list[ReviewRow]
    """One per data row (rows 2, 3, 4), in order."""


def _answers(seconds: int, acknowledged: bool, scale: int, thanks: bool) -> dict[str, Any]:
    return {
        "welcome.seconds_to_greet": seconds,
        "welcome.acknowledged": acknowledged,
        "welcome.eye_contact": True,
        "welcome.offered_help": not acknowledged,
        "conduct.brand_attitude": scale,
        "conduct.not_at_fault": True,
        "conduct.unsure": False,
        "close.thanks": thanks,
    }


def write_review_numbers(folder: Path, *, repeat_reference: bool = False) -> ReviewFile:
    """Three visits by 'Agency X', two of them to ES-CAT-01 on 2026-05-04; with
    ``repeat_reference`` the second of those carries the first one's review number."""
    rows = [
        ReviewRow("RV-100231", "ES-CAT-01", "2026-05-04", _answers(12, True, 4, True)),
        ReviewRow(
            "RV-100231" if repeat_reference else "RV-100232",
            "ES-CAT-01",
            "2026-05-04",
            _answers(40, False, 2, True),
        ),
        ReviewRow("RV-100240", "ES-CAT-02", "2026-05-05", _answers(8, True, 5, False)),
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Reviews"
    sheet.append(HEADER)
    for row in rows:
        cells = [row.answers[item] for item in QUESTIONS]
        written = ["Yes" if v is True else "No" if v is False else v for v in cells]
        sheet.append([row.reference, row.branch_code, row.day, "Agency X", *written])
    path = folder / ("reviews-repeated.xlsx" if repeat_reference else "reviews.xlsx")
    book.save(path)
    return ReviewFile(path, rows)
