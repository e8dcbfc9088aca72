"""docs/importing.md is true: every profile printed there loads, and each worked example's
file, written here as the text describes it, imports through its profile as printed, giving
the visits the text says."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from audit_app.domain.audit import Branch
from audit_app.intake.layouts.profile import MappingProfile, parse_profile, save_profile
from audit_app.services.audits import load_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.imports import FileImport, import_files

DOC = Path(__file__).resolve().parents[1] / "docs" / "importing.md"
_YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)

Stored = dict[tuple[str, date, str | None], dict[str, Any]]
"""(branch, visit date, visit reference) -> the visit's auditor, kind and answers."""


def doc_profiles() -> dict[str, MappingProfile]:
    """Every ```yaml block of the page that starts with ``name:``, loaded, by name."""
    text = DOC.read_text(encoding="utf-8")
    blocks = [b for b in _YAML_BLOCK.findall(text) if b.startswith("name:")]
    profiles = [parse_profile(yaml.safe_load(block), f"{DOC.name} block") for block in blocks]
    return {profile.name: profile for profile in profiles}


def _sheet(book: Workbook, title: str, rows: Sequence[Sequence[Any]], first: int = 1) -> Any:
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for r, row in enumerate(rows, start=first):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                sheet.cell(r, c, value)
    return sheet


def _import(
    ctx: AppContext, profile: MappingProfile, paths: Sequence[Path]
) -> tuple[list[FileImport], Stored]:
    codes = ("ES-CAT-01", "ES-CAT-02")
    save_branches(ctx, [Branch(code=c, name=c, region="Test", country="ES") for c in codes])
    save_profile(profile, ctx.settings.resolved_mappings_dir)
    results = import_files(ctx, list(paths), mapping_name=profile.name)
    stored: Stored = {}
    for result in results:
        assert result.status == "imported", [str(p) for p in result.problems]
        for audit in result.audits:
            record = load_audit(ctx, audit.audit_id).record  # type: ignore[arg-type]
            visit = record.visit
            key = (visit.branch_code, visit.visited_at.date(), visit.reference)
            stored[key] = {
                "auditor": visit.auditor,
                "kind": visit.kind.value,
                **{a.item_id: (a.value, a.na, a.comment) for a in record.answers},
            }
    return results, stored


def test_every_profile_on_the_page_loads() -> None:
    assert sorted(doc_profiles()) == sorted(WORKED)


# --------------------------------------------------------------------------- the files


def agency_export(folder: Path) -> list[Path]:
    rows = [
        ["Store", "Review Number", "Visit type", "Organic fresh (%)", "Organic dry (%)",
         "Preservative-free (%)", "Organic labels", "Origin shown", "Certificates", "Remarks"],
        ["ES-CAT-01", 100231, "Routine Inspection", 92, 88, 100, "Yes", "Yes", "Met",
         "All fine"],
        ["ES-CAT-01", 100232, "Mystery visit", 95, 91, 100, "Yes", "No", "Met", "Second visit"],
        ["ES-CAT-02", 100240, "Routine Inspection", 70, 60, 100, "No", "Yes", "Not met", None],
        ["Total", None, None, 85.7, 79.7, 100],
    ]  # fmt: skip
    book = Workbook()
    _sheet(book, "Export", rows)
    path = folder / "Agency X sourcing - May 2025.xlsx"
    book.save(path)
    return [path]


def _agency_visit(
    kind: str, shares: tuple[float, float, float], yes_no: tuple[bool, bool, bool], notes: str | None
) -> dict[str, Any]:
    visit: dict[str, Any] = {"auditor": "Agency X", "kind": kind}
    for item, value in zip(("share.organic_fresh", "share.organic_dry",
                            "share.preservative_free"), shares, strict=True):  # fmt: skip
        visit[item] = (value, False, None)
    for item, answer in zip(("shelf.organic_labelled", "shelf.origin_shown",
                             "records.certificates"), yes_no, strict=True):  # fmt: skip
        visit[item] = (answer, False, None)
    if notes is not None:
        visit["notes.inspector"] = (notes, False, None)
    return visit


MAY = date(2025, 5, 1)
AGENCY_EXPECTED: Stored = {
    ("ES-CAT-01", MAY, "100231"): _agency_visit(
        "inspection", (92, 88, 100), (True, True, True), "All fine"
    ),
    ("ES-CAT-01", MAY, "100232"): _agency_visit(
        "mystery_shop", (95, 91, 100), (True, False, True), "Second visit"
    ),
    ("ES-CAT-02", MAY, "100240"): _agency_visit(
        "inspection", (70, 60, 100), (False, True, False), None
    ),
}


WAVE_HEADERS = {
    1: ["Store code", "(759201) Organic share of fresh produce",
        "(759202) Organic share of dry goods", "(759203) Preservative-free share",
        "(759204) Organic products labelled?", "(759205) Origin shown on fresh produce?",
        "(759206) Supplier certificates current?", "Notes"],
    2: ["Store code", "(759201) Fresh produce: organic lines %",
        "(759202) Dry goods: organic lines %", "(759203) Lines without preservatives %",
        "(759204) Are organic products labelled as such on the shelf?",
        "(759205) Is the origin of fresh produce shown?",
        "(759206) Are supplier certificates on file?", "Notes"],
}  # fmt: skip
WAVE_ANSWERS = {
    1: [["ES-CAT-01", 91, 88, 100, "Yes", "No", "Yes", "Two labels missing"],
        ["ES-CAT-02", 74, 93, 98.5, "No", "No", "No", None]],
    2: [["ES-CAT-01", 95, 90, 100, "Yes (100.00)", "Yes (100.00)", "Yes (100.00)", None],
        ["ES-CAT-02", 80, 85, 100, "Yes (100.00)", "No (0.00)", "Yes (100.00)", "Better"]],
}  # fmt: skip
WAVE_DAYS = {1: date(2025, 3, 15), 2: date(2025, 6, 15)}


def programme_waves(folder: Path) -> list[Path]:
    paths = []
    for wave in (1, 2):
        book = Workbook()
        sheet = _sheet(book, f"Wave {wave}", [WAVE_HEADERS[wave], *WAVE_ANSWERS[wave]], first=3)
        sheet["A1"], sheet["B1"] = "Agency:", "Agency Y"
        path = folder / f"programme_wave{wave}.xlsx"
        book.save(path)
        paths.append(path)
    return paths


def _waves_expected() -> Stored:
    items = ("share.organic_fresh", "share.organic_dry", "share.preservative_free",
             "shelf.organic_labelled", "shelf.origin_shown", "records.certificates",
             "notes.inspector")  # fmt: skip
    expected: Stored = {}
    for wave, rows in WAVE_ANSWERS.items():
        for code, *cells in rows:
            visit: dict[str, Any] = {"auditor": "Agency Y", "kind": "import"}
            for item, cell in zip(items, cells, strict=True):
                if cell is None:
                    continue
                if item.startswith("share."):
                    visit[item] = (cell, False, None)
                elif item.startswith("notes."):
                    visit[item] = (cell, False, None)
                else:
                    visit[item] = (str(cell).startswith("Yes"), False, None)
            expected[(code, WAVE_DAYS[wave], None)] = visit
    return expected


QA_MONTHS = {"Jan 2025": date(2025, 1, 1), "Feb 2025": date(2025, 2, 1),
             "Mar 2025": date(2025, 3, 1)}  # fmt: skip
QA_QUESTIONS = [
    ("share.organic_fresh", "Organic share of fresh produce", [91, 87.5, 95]),
    ("share.organic_dry", "Organic share of dry goods", [80, 90, 85]),
    ("share.preservative_free", "Preservative-free share of the range", [100, 97, 100]),
    ("shelf.organic_labelled", "Organic products are labelled as such on the shelf",
     ["Yes", "No", "Yes"]),
    ("shelf.origin_shown", "Origin is shown on fresh produce", ["Yes", "Yes", "No"]),
    ("records.certificates", "Supplier certificates are on file and current",
     ["No", "Yes", "Yes"]),
    ("notes.inspector", "Inspector's notes", ["Two labels missing", "-", "All fine"]),
]  # fmt: skip


def monthly_qa(folder: Path) -> list[Path]:
    rows: list[list[Any]] = [
        ["Monthly QA - Barcelona Gràcia - 2025"],
        ["No.", "Question", *QA_MONTHS],
        [None, "Store", "ES-CAT-01", "ES-CAT-01", "ES-CAT-01"],
        [None, "Auditor", "Anna Puig", "Anna Puig", "Jordi Vila"],
        [None, "Sourcing shares"],
    ]
    for number, (_, text, values) in enumerate(QA_QUESTIONS[:3], start=1):
        rows.append([number, text, *values])
    rows.append([None, "Section total", 271, 274.5, 280])
    rows.append([None, "Shelf and records"])
    for number, (_, text, values) in enumerate(QA_QUESTIONS[3:], start=4):
        rows.append([number, text, *values])
    book = Workbook()
    _sheet(book, "QA", rows)
    path = folder / "monthly_qa_2025.xlsx"
    book.save(path)
    return [path]


def _qa_expected() -> Stored:
    auditors = ["Anna Puig", "Anna Puig", "Jordi Vila"]
    expected: Stored = {}
    for month, day in enumerate(QA_MONTHS.values()):
        visit: dict[str, Any] = {"auditor": auditors[month], "kind": "import"}
        for item, _, values in QA_QUESTIONS:
            value = values[month]
            if value == "-":
                continue
            if item.startswith("shelf.") or item.startswith("records."):
                value = value == "Yes"
            visit[item] = (value, False, None)
        expected[("ES-CAT-01", day, None)] = visit
    return expected


SHELF_ROWS = [
    ["Store code", "Date", "Auditor", "Product", "Organic?", "Dry goods organic %",
     "Preservative-free?", "Labels OK", "Origin shown", "Certificates"],
    ["ES-CAT-01", date(2026, 5, 3), "Anna Puig", "Apples", "Yes", None, "Yes", "Yes", "No", "Yes"],
    ["ES-CAT-01", date(2026, 5, 3), "Anna Puig", "Pears", "No", None, "Yes"],
    ["ES-CAT-01", date(2026, 5, 3), "Anna Puig", "Oats", None, 80, "Yes"],
    ["ES-CAT-01", date(2026, 5, 3), "Anna Puig", "Rice", None, 95, "No"],
    ["ES-CAT-02", date(2026, 5, 4), "Jordi Vila", "Apples", "Yes", None, "Yes", "No", "Yes", "Yes"],
    ["ES-CAT-02", date(2026, 5, 4), "Jordi Vila", "Flour", None, 100, "Yes"],
]  # fmt: skip


def shelf_lines(folder: Path) -> list[Path]:
    book = Workbook()
    _sheet(book, "Shelf", SHELF_ROWS)
    path = folder / "shelf_audit_2026-05.xlsx"
    book.save(path)
    return [path]


def _shelf_visit(auditor: str, shares: tuple[float, float, float], yes_no: tuple[bool, ...]) -> Any:
    visit: dict[str, Any] = {"auditor": auditor, "kind": "import"}
    for item, value in zip(("share.organic_fresh", "share.organic_dry",
                            "share.preservative_free"), shares, strict=True):  # fmt: skip
        visit[item] = (value, False, None)
    for item, answer in zip(("shelf.organic_labelled", "shelf.origin_shown",
                             "records.certificates"), yes_no, strict=True):  # fmt: skip
        visit[item] = (answer, False, None)
    return visit


SHELF_EXPECTED: Stored = {
    ("ES-CAT-01", date(2026, 5, 3), None): _shelf_visit(
        "Anna Puig", (50, 87.5, 75), (True, False, True)
    ),
    ("ES-CAT-02", date(2026, 5, 4), None): _shelf_visit(
        "Jordi Vila", (100, 100, 100), (False, True, True)
    ),
}

GROUPS = ["Fresh produce", "Dry goods", "Preservative-free", "Labels", "Origin", "Certificates"]
GROUPED_ROWS = [
    ["ES-CAT-01", date(2026, 5, 3), "Anna Puig", 91, "ok", 88, None, 100, None,
     "Yes", "faded", "No", None, "Yes", None],
    ["ES-CAT-02", date(2026, 5, 4), "Jordi Vila", 74, None, 93, "2 aisles", 98.5, None,
     "No", None, "No", "none", "No", "expired"],
]  # fmt: skip


def two_level_header(folder: Path) -> list[Path]:
    book = Workbook()
    sheet = _sheet(book, "Audits", GROUPED_ROWS, first=3)
    for column, text in enumerate(["Store code", "Visit date", "Auditor"], start=1):
        sheet.cell(1, column, text)
        sheet.merge_cells(start_row=1, end_row=2, start_column=column, end_column=column)
    for index, group in enumerate(GROUPS):
        column = 4 + 2 * index
        sheet.cell(1, column, group)
        sheet.merge_cells(start_row=1, end_row=1, start_column=column, end_column=column + 1)
        sheet.cell(2, column, "Score")
        sheet.cell(2, column + 1, "Comment")
    path = folder / "grouped_header.xlsx"
    book.save(path)
    return [path]


def _grouped_expected() -> Stored:
    items = ("share.organic_fresh", "share.organic_dry", "share.preservative_free",
             "shelf.organic_labelled", "shelf.origin_shown", "records.certificates")  # fmt: skip
    commented = {"share.organic_fresh", "shelf.organic_labelled"}
    expected: Stored = {}
    for code, day, auditor, *cells in GROUPED_ROWS:
        visit: dict[str, Any] = {"auditor": auditor, "kind": "import"}
        for index, item in enumerate(items):
            value, comment = cells[2 * index], cells[2 * index + 1]
            answer = value if item.startswith("share.") else value == "Yes"
            visit[item] = (answer, False, comment if item in commented else None)
        expected[(code, day, None)] = visit
    return expected


WORKED: dict[str, tuple[Callable[[Path], list[Path]], Callable[[], Stored], dict[str, int]]] = {
    "agency-x-sourcing": (agency_export, lambda: AGENCY_EXPECTED, {"subtotal": 1}),
    "programme-waves": (programme_waves, _waves_expected, {}),
    "monthly-qa": (monthly_qa, _qa_expected, {"separator": 2, "subtotal": 1}),
    "shelf-lines": (shelf_lines, lambda: SHELF_EXPECTED, {}),
    "grouped-sourcing": (two_level_header, _grouped_expected, {}),
}
"""Profile name -> (the file(s) its example describes, the visits it says, rows skipped)."""


@pytest.mark.parametrize("name", sorted(WORKED))
def test_a_worked_example_imports_the_visits_it_says(
    name: str, ctx: AppContext, tmp_path: Path
) -> None:
    write, expected, skipped = WORKED[name]
    results, stored = _import(ctx, doc_profiles()[name], write(tmp_path))
    assert stored == expected()
    found: dict[str, int] = {}
    for result in results:
        for reason, count in result.skipped_by_reason().items():
            found[reason] = found.get(reason, 0) + count
        assert result.rows.adds_up
    assert found == skipped
