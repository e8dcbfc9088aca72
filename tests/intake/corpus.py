"""A corpus of real-world-shaped files for the import's accounting, written by this script
(no third-party files): what agencies and chains really send, with the traps that made rows
disappear before.

- ``status_column``: a "Status" column reading "Closed" on rows with a complete, scored visit
  (a store that closed later) and on rows of stores not visited; a banner over the header;
  the header printed again mid-sheet; real subtotal rows.
- ``business_names``: branches called "Total Wine & More", "Totally Fit", "Mean Street Deli"
  and "Total Fitness" beside real subtotals ("Total", "Average", "Subtotal North",
  "Gesamt").
- ``percent_typos``: a column of fractions (0.9) with two typos (1.6, 2.6).
- ``two_audit_types``: one workbook holding two audit types side by side, read by two
  profiles; and one CSV read against two checklists.

Each case returns the file, the profile, the branches the world needs and what a correct
import accounts for: the counts, and every skipped row with its reason and text.

Run ``python -m tests.intake.corpus DIR`` to write the files and profiles into DIR, to try
them by hand (``audit-app import DIR/status_column.xlsx --mapping DIR/status.yaml``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from audit_app.domain.audit import Branch

IN_PERSON_HEADER = [
    "Seconds to greet",
    "Acknowledged promptly",
    "Eye contact and smile",
    "Offered help",
    "Brand attitude (1-5)",
    "Professional when not at fault",
    "Asked a manager when unsure",
    "Thanked the customer",
]
IN_PERSON_ITEMS = [
    "welcome.seconds_to_greet",
    "welcome.acknowledged",
    "welcome.eye_contact",
    "welcome.offered_help",
    "conduct.brand_attitude",
    "conduct.not_at_fault",
    "conduct.unsure",
    "close.thanks",
]
GOOD = [8, "Yes", "Yes", "Yes", 5, "Yes", "N/A - knew the answer", "Yes"]
POOR = [25, "No", "Yes", "No", 2, "Yes", "No", "No"]


@dataclass(frozen=True)
class Expected:
    status: str
    rows: dict[str, int]
    skipped: list[tuple[str, int, str, str]] = field(default_factory=list)
    """(sheet, row, reason, text) of every row left out, in sheet order."""
    codes: list[str] = field(default_factory=list)
    """The problem codes, in order, for a rejected file."""


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    profile: dict[str, Any] | None
    branches: list[Branch]
    expected: Expected


def branch(code: str, name: str, region: str = "North") -> Branch:
    return Branch(code=code, name=name, region=region, country="GB")


def _day(n: int) -> date:
    return date(2025, 5, 1) + timedelta(days=n)


def _in_person_profile(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "checklist": "greeting_in_person",
        "columns": {
            "branch_code": "Store code",
            "branch_name": "Store",
            "visit_date": "Visit date",
            "auditor": "Shopper",
        },
        "items": dict(zip(IN_PERSON_HEADER, IN_PERSON_ITEMS, strict=True)),
        **extra,
    }


def status_column(folder: Path, codes: list[str] | None = None) -> list[Case]:
    """Wave 3 of an agency's mystery-shop export: a banner, the header in row 3, a
    "Status" column, a "Final Score" column, a store that closed after its visit, stores
    not visited, a region separator, the header repeated for page 2, subtotals.
    ``codes``: six branch codes to use instead of UK-01..UK-06 (the demo's, in a browser)."""
    code = dict(zip([f"UK-0{n}" for n in range(1, 7)], codes or [], strict=False))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Wave 3"
    sheet["A1"] = "QualiShop - Wave 3 2025 - Mystery shopping results"
    sheet.merge_cells("A1:N1")
    header = ["Store", "Store code", "Visit date", "Shopper", "Status", *IN_PERSON_HEADER]
    header.append("Final Score")
    rows: list[list[Any]] = [
        header,  # row 3
        [
            "Leeds Briggate",
            code.get("UK-01", "UK-01"),
            _day(1),
            "Shopper 7",
            "Open",
            *GOOD,
            100,
        ],  # 4
        # closed after its visit: a complete, scored visit with "Closed" in two columns
        [
            "Leeds Kirkgate",
            code.get("UK-02", "UK-02"),
            _day(2),
            "Shopper 7",
            "Closed",
            *POOR,
            "Closed",
        ],  # 5
        [
            "York Minster",
            code.get("UK-03", "UK-03"),
            None,
            None,
            "Closed",
            *[None] * 8,
            None,
        ],  # 6 not visited
        ["— North East —", None, None, None, None, *[None] * 8, None],  # 7 separator
        [
            "Newcastle Quay",
            code.get("UK-04", "UK-04"),
            _day(3),
            "Shopper 9",
            "Open",
            *GOOD,
            96.4,
        ],  # 8
        ["Subtotal North", None, None, None, None, *[None] * 8, 98.2],  # 9
        header,  # 10: printed again for page 2
        [
            "Durham Market",
            code.get("UK-05", "UK-05"),
            _day(4),
            "Shopper 9",
            "Closed - refurbishment",
            *[None] * 8,
            None,
        ],  # 11: closed, not visited
        [
            "Hull Marina",
            code.get("UK-06", "UK-06"),
            _day(5),
            "Shopper 7",
            "Open",
            *POOR,
            41.0,
        ],  # 12
        [],  # 13 blank
        ["Total", None, None, None, None, *[None] * 8, 84.1],  # 14
        ["Average", None, None, None, None, *[None] * 8, 84.1],  # 15
    ]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(3 + offset, column, value)
    path = folder / "status_column.xlsx"
    workbook.save(path)
    world = [
        branch("UK-01", "Leeds Briggate"),
        branch("UK-02", "Leeds Kirkgate"),
        branch("UK-03", "York Minster"),
        branch("UK-04", "Newcastle Quay"),
        branch("UK-05", "Durham Market"),
        branch("UK-06", "Hull Marina"),
    ]
    skipped = [
        ("Wave 3", 6, "closed", "Closed"),
        ("Wave 3", 7, "separator", "— North East —"),
        ("Wave 3", 9, "subtotal", "Subtotal North"),
        ("Wave 3", 10, "repeated_header", "Visit date"),
        ("Wave 3", 11, "closed", "Closed - refurbishment"),
        ("Wave 3", 13, "blank", ""),
        ("Wave 3", 14, "subtotal", "Total"),
        ("Wave 3", 15, "subtotal", "Average"),
    ]
    by_status = Case(
        "status column: closed later still imported",
        path,
        _in_person_profile("wave3", skip={"closed_column": "Status"}),
        world,
        Expected(
            "imported",
            {"read": 12, "imported": 4, "already_present": 0, "skipped": 8, "rejected": 0},
            skipped,
        ),
    )
    by_rule = Case(
        "explicit rule on Final Score leaves out the closed store, listed",
        path,
        _in_person_profile(
            "wave3-rule",
            skip={
                "closed_column": "Status",
                "rules": [{"column": "Final Score", "equals": "closed"}],
            },
        ),
        world,
        Expected(
            "imported",
            {"read": 12, "imported": 3, "already_present": 0, "skipped": 9, "rejected": 0},
            sorted([*skipped, ("Wave 3", 5, "rule", "Closed")], key=lambda s: s[1]),
        ),
    )
    return [by_status, by_rule]


def business_names(folder: Path) -> list[Case]:
    """Public-inspection-style list: businesses whose names start like subtotal words, and
    real subtotal rows between them; the name column is the only branch column."""
    names = ["Total Wine & More", "Totally Fit", "Mean Street Deli", "Total Fitness"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Inspections"
    header = ["Store", "Visit date", "Shopper", *IN_PERSON_HEADER]
    body: list[list[Any]] = [
        [names[0], _day(1), "Inspector A", *GOOD],  # 2
        [names[1], _day(2), "Inspector A", *POOR],  # 3
        ["Subtotal North", None, None, *[None] * 8],  # 4
        [names[2], _day(3), "Inspector B", *GOOD],  # 5
        [names[3], _day(4), "Inspector B", *GOOD],  # 6
        ["Gesamt", None, None, 12, None, None, None, 3.5, None, None, None],  # 7
        ["Average", None, None, 14.2, None, None, None, 3.9, None, None, None],  # 8
        ["Total", None, None, None, None, None, None, None, None, None, None],  # 9
    ]
    for offset, values in enumerate([header, *body]):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(1 + offset, column, value)
    path = folder / "business_names.xlsx"
    workbook.save(path)
    profile = _in_person_profile("inspections")
    profile["columns"] = {"branch_name": "Store", "visit_date": "Visit date", "auditor": "Shopper"}
    world = [branch(f"B-{n}", name) for n, name in enumerate(names, start=1)]
    return [
        Case(
            "businesses named like subtotals are imported; real subtotals are listed",
            path,
            profile,
            world,
            Expected(
                "imported",
                {"read": 8, "imported": 4, "already_present": 0, "skipped": 4, "rejected": 0},
                [
                    ("Inspections", 4, "subtotal", "Subtotal North"),
                    ("Inspections", 7, "subtotal", "Gesamt"),
                    ("Inspections", 8, "subtotal", "Average"),
                    ("Inspections", 9, "subtotal", "Total"),
                ],
            ),
        )
    ]


SOURCING_HEADER = [
    "Store code",
    "Visit date",
    "Auditor",
    "Organic fresh",
    "Organic dry",
    "Preservative-free",
    "Labelled",
    "Origin shown",
    "Certificates",
]
SOURCING_ITEMS = {
    "Organic fresh": "share.organic_fresh",
    "Organic dry": "share.organic_dry",
    "Preservative-free": "share.preservative_free",
    "Labelled": "shelf.organic_labelled",
    "Origin shown": "shelf.origin_shown",
    "Certificates": "records.certificates",
}
TYPO_ROWS = {12: 1.6, 30: 2.6}
"""Sheet rows whose fresh-produce share was typed as a percentage among fractions."""


def percent_typos(folder: Path) -> list[Case]:
    """A shelf audit of 31 stores: column D holds fractions (0.9 is 90 %) but two were typed
    as 1.6 and 2.6. ``auto`` must not decide for the whole column: the file is refused,
    naming both cells, until the profile says how the column is meant."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Shelf audit"
    for column, text in enumerate(SOURCING_HEADER, start=1):
        sheet.cell(1, column, text)
    for n in range(31):
        row = n + 2
        fresh = TYPO_ROWS.get(row, 0.9 if n % 2 else 0.85)
        values = [f"S-{n + 1:02d}", _day(n % 20), "Shelf Team", fresh, 0.8, 1.0, "Y", "Y", "Y"]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
    path = folder / "percent_typos.xlsx"
    workbook.save(path)
    world = [branch(f"S-{n + 1:02d}", f"Shelf store {n + 1}") for n in range(31)]
    base = {
        "name": "shelf",
        "checklist": "sourcing",
        "columns": {"branch_code": "Store code", "visit_date": "Visit date", "auditor": "Auditor"},
        "items": SOURCING_ITEMS,
    }
    refused = Case(
        "a percent column with two typos is refused naming both cells",
        path,
        base,
        world,
        Expected(
            "rejected",
            {"read": 31, "imported": 0, "already_present": 0, "skipped": 0, "rejected": 31},
            codes=["percent_scale_mixed"],
        ),
    )
    told = Case(
        "the profile says the column is percentages: all imported",
        path,
        {**base, "name": "shelf-told", "percent_columns": {"Organic fresh": "percent"}},
        world,
        Expected(
            "imported",
            {"read": 31, "imported": 31, "already_present": 0, "skipped": 0, "rejected": 0},
        ),
    )
    return [refused, told]


def two_audit_types(folder: Path) -> tuple[Path, dict[str, Any], dict[str, Any], list[Branch]]:
    """One monthly workbook with an in-person visit and a phone call per row: two profiles,
    two imports of the same bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "June"
    phone = ["Rings", "Greeting: name, company, offer", "Clear speech", "Tone (1-5)", "Hold",
             "All questions answered", "Asked if anything else", "Voicemail current",
             "Call back (hours)"]  # fmt: skip
    phone_items = ["answer.rings", "answer.greeting", "call.clear_speech", "call.tone",
                   "call.hold", "call.all_answered", "call.anything_else",
                   "voicemail.greeting_current", "voicemail.return_hours"]  # fmt: skip
    header = ["Store code", "Visit date", "Shopper", *IN_PERSON_HEADER, *phone]
    call = [3, "Yes", "Yes", 4, "never", "Yes", "No", "Yes", 4]
    for column, text in enumerate(header, start=1):
        sheet.cell(1, column, text)
    for n in range(3):
        values = [f"UK-0{n + 1}", _day(n), "Shopper 7", *GOOD, *call]
        for column, value in enumerate(values, start=1):
            sheet.cell(n + 2, column, value)
    path = folder / "june.xlsx"
    workbook.save(path)
    columns = {"branch_code": "Store code", "visit_date": "Visit date", "auditor": "Shopper"}
    in_person = {
        "name": "june-visits",
        "checklist": "greeting_in_person",
        "columns": columns,
        "items": dict(zip(IN_PERSON_HEADER, IN_PERSON_ITEMS, strict=True)),
    }
    calls = {
        "name": "june-calls",
        "checklist": "greeting_phone",
        "columns": columns,
        "items": dict(zip(phone, phone_items, strict=True)),
    }
    world = [branch(f"UK-0{n + 1}", f"Store {n + 1}") for n in range(3)]
    return path, in_person, calls, world


def write_corpus(folder: Path) -> list[Case]:
    """Every case's file, and each profile as ``NAME.yaml`` beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = [*status_column(folder), *business_names(folder), *percent_typos(folder)]
    _, in_person, calls, _ = two_audit_types(folder)
    for profile in [*(c.profile for c in cases if c.profile), in_person, calls]:
        (folder / f"{profile['name']}.yaml").write_text(
            yaml.safe_dump(profile, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return cases


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    for case in write_corpus(target):
        print(f"{case.path}  ({case.name})")
