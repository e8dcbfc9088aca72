"""A five-wave mystery-shopping programme, written the way an agency exports it, for the
test that one mapping profile imports every wave.

Each wave is one workbook: a title merged over the table, the header in row 3, a review
number per visit, no auditor column (the auditor is the agency), every question header
carrying the agency's stable question id (``(759215) Was the fitting room clean?``) while
its wording changes from wave to wave. Answers are written as agencies write them:
``Yes (100.00)``, ``N/A karena stok tersedia``, ``Fatal``, multiple-choice labels longer
than 64 characters, dates as cells and as text with month names. One store is visited
twice on one day in every wave (two review numbers), stores marked ``Closed`` appear with
and without a score, an unscored question and a question asked only when another was
answered yes sit beside the scored ones.

The builder returns, per visit, what the file says (item -> value, N/A, comment) so the
test can compute the expected scores by itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

CHECKLIST_ID = "fashion_ms"
AGENCY = "Agency X"

LONG_LABELS = {
    "brought": "The associate offered other sizes and brought them to the fitting room "
    "without being asked",
    "pointed": "The associate pointed to the rail where other sizes could be found but "
    "did not bring them",
    "nothing": "The associate offered no help with other sizes, even when the shopper "
    "asked for another size",
}

CHECKLIST: dict[str, Any] = {
    "id": CHECKLIST_ID,
    "version": 1,
    "title": {"en": "Fashion mystery shop"},
    "languages": ["en"],
    "pass_mark": 75,
    "grades": [
        {"min": 90, "label": "Excellent"},
        {"min": 75, "label": "Good"},
        {"min": 0, "label": "Needs improvement"},
    ],
    "critical_rule": {"cap": 59},
    "sections": [
        {
            "id": "fitting",
            "title": {"en": "Fitting rooms"},
            "items": [
                {
                    "id": "fitting.clean",
                    "type": "yes_no",
                    "weight": 2,
                    "text": {"en": "Was the fitting room clean?"},
                },
                {
                    "id": "fitting.stock",
                    "type": "yes_no",
                    "na_allowed": True,
                    "text": {"en": "Was the requested size available in stock?"},
                },
                {
                    "id": "fitting.sizes",
                    "type": "choice",
                    "text": {"en": "How did the associate help with other sizes?"},
                    "options": [
                        {"value": "brought", "points": 1, "label": {"en": LONG_LABELS["brought"]}},
                        {
                            "value": "pointed",
                            "points": 0.5,
                            "label": {"en": LONG_LABELS["pointed"]},
                        },
                        {"value": "nothing", "points": 0, "label": {"en": LONG_LABELS["nothing"]}},
                    ],
                },
            ],
        },
        {
            "id": "service",
            "title": {"en": "Service"},
            "items": [
                {
                    "id": "service.greet",
                    "type": "yes_no",
                    "critical": True,
                    "text": {"en": "Was the shopper greeted within one minute of entering?"},
                },
                {
                    "id": "service.wait",
                    "type": "number",
                    "target": 3,
                    "direction": "at_most",
                    "zero_at": 8,
                    "text": {"en": "Minutes waited at the till"},
                },
                {
                    "id": "service.upsell",
                    "type": "yes_no",
                    "weight": 0,
                    "text": {"en": "Did the associate suggest a matching accessory?"},
                },
                {
                    "id": "service.loyalty",
                    "type": "yes_no",
                    "text": {"en": "Did the associate offer the loyalty card?"},
                },
                {
                    "id": "service.loyalty_benefits",
                    "type": "yes_no",
                    "applies_if": {"item": "service.loyalty", "in": ["yes"]},
                    "text": {"en": "Did the associate explain the loyalty card's benefits?"},
                },
            ],
        },
        {
            "id": "checkout",
            "title": {"en": "Checkout"},
            "items": [
                {
                    "id": "checkout.receipt",
                    "type": "scale",
                    "min": 1,
                    "max": 5,
                    "text": {"en": "How well was the receipt and return policy explained?"},
                },
                {
                    "id": "checkout.comment",
                    "type": "text",
                    "text": {"en": "Shopper's comments"},
                },
            ],
        },
    ],
}

QUESTION_IDS = {
    "fitting.clean": 759215,
    "fitting.stock": 759216,
    "fitting.sizes": 759217,
    "service.greet": 759220,
    "service.wait": 759221,
    "service.upsell": 759222,
    "service.loyalty": 759223,
    "service.loyalty_benefits": 759224,
    "checkout.receipt": 759230,
    "checkout.comment": 759231,
}

WORDING: dict[str, tuple[str, str, str, str, str]] = {
    "fitting.clean": (
        "Fitting room clean and tidy?",
        "Were the fitting rooms clean?",
        "Cleanliness of the fitting room",
        "Fitting room: clean at the time of visit?",
        "Was the fitting room clean?",
    ),
    "fitting.stock": (
        "Size in stock?",
        "Requested size available?",
        "Was the size asked for in stock?",
        "Availability of requested size",
        "Was the requested size available in stock?",
    ),
    "fitting.sizes": (
        "Help with other sizes",
        "Associate's help finding other sizes",
        "What did the associate do about other sizes?",
        "Other sizes: associate's help",
        "How did the associate help with other sizes?",
    ),
    "service.greet": (
        "Greeting within 60 seconds",
        "Shopper greeted in the first minute?",
        "Was the shopper greeted promptly (1 min)?",
        "Greeting on entry within one minute",
        "Was the shopper greeted within one minute of entering?",
    ),
    "service.wait": (
        "Queue time (min)",
        "Waiting time at till, minutes",
        "Minutes in the queue at the till",
        "Till waiting time (minutes)",
        "Minutes waited at the till",
    ),
    "service.upsell": (
        "Accessory suggested?",
        "Matching accessory suggested",
        "Did staff suggest an accessory?",
        "Suggestion of a matching accessory",
        "Did the associate suggest a matching accessory?",
    ),
    "service.loyalty": (
        "Loyalty card offered?",
        "Was the loyalty card offered?",
        "Offer of the loyalty card",
        "Did staff offer the loyalty card?",
        "Did the associate offer the loyalty card?",
    ),
    "service.loyalty_benefits": (
        "If offered: benefits explained?",
        "Loyalty benefits explained",
        "Were the card's benefits explained?",
        "Explanation of loyalty benefits",
        "Did the associate explain the loyalty card's benefits?",
    ),
    "checkout.receipt": (
        "Receipt / returns explanation (1-5)",
        "Return policy explained at till (1-5)",
        "Explanation of receipt and returns",
        "Receipt and return policy explanation",
        "How well was the receipt and return policy explained?",
    ),
    "checkout.comment": (
        "Comments",
        "Shopper comments",
        "Comments of the shopper",
        "Remarks",
        "Shopper's comments",
    ),
}

BRANCHES = [
    ("FM001", "Barcelona Passeig de Gràcia"),
    ("FM002", "Girona Centre"),
    ("FM003", "Cluj Iulius"),
    ("FM004", "București Unirii"),
    ("FM005", "İstanbul Kadıköy"),
    ("FM006", "Ankara Kızılay"),
    ("FM007", "London Oxford Street"),
    ("FM008", "Tarragona Rambla"),
]
TWICE = "FM001"
"""Visited twice on one day in every wave, under two review numbers."""

WAVE_MONTHS = (2, 4, 6, 8, 10)
NA_REASONS = (
    "N/A karena stok tersedia",
    "N/A - size not stocked in this store",
    "n/a: display only",
    "NA (stock count in progress)",
)
YES_NO_CELLS = {"yes": "Yes (100.00)", "no": "No (0.00)"}


@dataclass(frozen=True)
class ProgrammeVisit:
    """One visit as the file holds it and as a correct import stores it."""

    wave: int
    reference: str
    branch: str
    visit_date: date
    answers: dict[str, tuple[Any, bool, str | None]]
    """Item -> (value as stored: True/False, a number, an option value, a text, or None;
    N/A; comment), for the cells that hold something (a blank stores nothing)."""


@dataclass(frozen=True)
class ClosedRow:
    wave: int
    branch: str
    row: int
    with_score: bool


@dataclass
class Programme:
    checklist_path: Path
    waves: list[Path] = field(default_factory=list)
    visits: list[ProgrammeVisit] = field(default_factory=list)
    closed: list[ClosedRow] = field(default_factory=list)


def header_for(wave: int, item_id: str) -> str:
    return f"({QUESTION_IDS[item_id]}) {WORDING[item_id][wave - 1]}"


def write_programme(folder: Path, seed: int = 16) -> Programme:
    """The checklist (YAML) and five wave workbooks in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    checklist_path = folder / f"{CHECKLIST_ID}.v1.yaml"
    checklist_path.write_text(
        yaml.safe_dump(CHECKLIST, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    programme = Programme(checklist_path)
    rng = random.Random(seed)
    reference = 4410000
    for wave in range(1, 6):
        visits: list[tuple[ProgrammeVisit, list[Any]]] = []
        month = WAVE_MONTHS[wave - 1]
        # unbalanced: every store once, some not at all, FM001 twice on one day
        for code, _name in BRANCHES:
            if code == "FM008" and wave in (2, 4):
                continue  # not visited in these waves
            times = 2 if code == TWICE else 1
            day = rng.randint(2, 26)
            for _ in range(times):
                reference += rng.randint(1, 40)
                visit, cells = _visit(rng, wave, str(reference), code, date(2025, month, day))
                visits.append((visit, cells))
        path, closed = _write_wave(folder, wave, visits)
        programme.waves.append(path)
        programme.visits.extend(v for v, _ in visits)
        programme.closed.extend(closed)
    return programme


def _visit(
    rng: random.Random, wave: int, reference: str, branch: str, day: date
) -> tuple[ProgrammeVisit, list[Any]]:
    """A visit's answers (as stored) and its question cells (as the agency writes them)."""
    answers: dict[str, tuple[Any, bool, str | None]] = {}
    cells: dict[str, Any] = {}

    def yes_no(item_id: str, chance: float) -> bool:
        value = rng.random() < chance
        answers[item_id] = (value, False, None)
        cells[item_id] = YES_NO_CELLS["yes" if value else "no"]
        return value

    yes_no("fitting.clean", 0.8)
    if rng.random() < 0.3:
        reason_cell = rng.choice(NA_REASONS)
        answers["fitting.stock"] = (None, True, _reason_of(reason_cell))
        cells["fitting.stock"] = reason_cell
    else:
        yes_no("fitting.stock", 0.7)
    option = rng.choice(list(LONG_LABELS))
    answers["fitting.sizes"] = (option, False, None)
    cells["fitting.sizes"] = LONG_LABELS[option]
    if rng.random() < 0.12:
        answers["service.greet"] = (False, False, None)
        cells["service.greet"] = "Fatal"
    else:
        yes_no("service.greet", 0.95)
    wait = rng.choice((1, 2, 3, 4, 5.5, 7, 9))
    answers["service.wait"] = (float(wait), False, None)
    cells["service.wait"] = wait
    yes_no("service.upsell", 0.5)
    if yes_no("service.loyalty", 0.6):
        yes_no("service.loyalty_benefits", 0.7)
    else:  # not asked: blank, not applicable, nothing stored
        cells["service.loyalty_benefits"] = None
    receipt = rng.randint(1, 5)
    answers["checkout.receipt"] = (float(receipt), False, None)
    cells["checkout.receipt"] = receipt
    comment = rng.choice((None, "Friendly staff", "Queue was long; only one till open"))
    if comment is not None:  # a blank cell stores nothing
        answers["checkout.comment"] = (comment, False, None)
    cells["checkout.comment"] = comment
    visit = ProgrammeVisit(wave, reference, branch, day, answers)
    return visit, [cells[item_id] for item_id in QUESTION_IDS]


def _reason_of(cell: str) -> str:
    """The reason an agency wrote after N/A, as the import keeps it (the comment)."""
    rest = cell[3:] if cell[:3].casefold() == "n/a" else cell[2:]
    return rest.strip(" -:()").strip()


def _date_cell(wave: int, day: date) -> Any:
    """Dates as each wave's export writes them: a date cell, or text with month names."""
    if wave == 2:
        return f"{day.day} {day:%B} {day.year}"  # 7 November 2025
    if wave == 4:
        return f"{day:%b} {day.day}, {day.year}"  # Nov 30, 2025
    return datetime(day.year, day.month, day.day)


def _write_wave(
    folder: Path, wave: int, visits: list[tuple[ProgrammeVisit, list[Any]]]
) -> tuple[Path, list[ClosedRow]]:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Wave {wave}"
    header = [
        "Review Number",
        "Store Code",
        "Store Name",
        "Date of Visit",
        "Status",
        "Final Score",
        *(header_for(wave, item_id) for item_id in QUESTION_IDS),
    ]
    sheet.cell(row=1, column=1, value=f"Fashion mystery shopping - Wave {wave} 2025 - {AGENCY}")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for column, text in enumerate(header, start=1):
        sheet.cell(row=3, column=column, value=text)
    names = dict(BRANCHES)
    row = 4
    closed: list[ClosedRow] = []
    for number, (visit, cells) in enumerate(visits):
        values = [
            int(visit.reference),
            visit.branch,
            names[visit.branch],
            _date_cell(wave, visit.visit_date),
            "Completed",
            round(40 + 60 * (int(visit.reference) % 997) / 997, 2),  # the agency's own
            *cells,
        ]
        _put(sheet, row, values)
        row += 1
        if number == 2:  # a closed store with no score
            closed.append(ClosedRow(wave, "FM009", row, with_score=False))
            _put(sheet, row, [None, "FM009", "Sabadell Centre", None, "Closed"])
            row += 1
        if number == 5:  # a closed store the agency still gave a score of 0
            closed.append(ClosedRow(wave, "FM010", row, with_score=True))
            _put(sheet, row, [None, "FM010", "Lleida Nord", None, "Closed", 0])
            row += 1
    path = folder / f"Fashion MS Wave {wave} 2025.xlsx"
    workbook.save(path)
    return path, closed


def _put(sheet: Any, row: int, values: list[Any]) -> None:
    for column, value in enumerate(values, start=1):
        if value is not None:
            sheet.cell(row=row, column=column, value=value)


REGIONS = {"ES": "Catalonia", "RO": "Transylvania", "TR": "Anatolia", "GB": "London"}
COUNTRIES = {"FM003": "RO", "FM004": "RO", "FM005": "TR", "FM006": "TR", "FM007": "GB"}
CLOSED_STORES = [("FM009", "Sabadell Centre"), ("FM010", "Lleida Nord")]


def write_store_list(folder: Path) -> Path:
    """The chain's store list as its operations team keeps it: a title, headers of its
    own (``Store Code``, ``Store Name``), the two closed stores marked closed."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Stores"
    sheet["A1"] = "Store master list - December 2025"
    header = ["Store Code", "Store Name", "Region", "Country", "Status"]
    for column, text in enumerate(header, start=1):
        sheet.cell(row=3, column=column, value=text)
    rows = [
        [code, name, REGIONS[COUNTRIES.get(code, "ES")], COUNTRIES.get(code, "ES"), "Open"]
        for code, name in BRANCHES
    ]
    rows += [[code, name, "Catalonia", "ES", "Closed"] for code, name in CLOSED_STORES]
    for offset, values in enumerate(rows):
        _put(sheet, 4 + offset, values)
    path = folder / "stores.xlsx"
    workbook.save(path)
    return path
