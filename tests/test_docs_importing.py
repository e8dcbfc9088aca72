"""docs/importing.md is true: every profile printed there loads, and each worked example's
file, written here as the text describes it, imports through its profile as printed, giving
the visits the text says."""

from __future__ import annotations

import os
import subprocess
import sys
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


def doc_blocks(path: Path = DOC) -> list[tuple[str, str]]:
    """(language, text) of every fenced block of the page, in order."""
    blocks: list[tuple[str, str]] = []
    fence: str | None = None
    lines: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if fence is None and line.startswith("```"):
            fence, lines = line[3:].strip(), []
        elif fence is not None and line.rstrip() == "```":
            blocks.append((fence, "".join(lines)))
            fence = None
        elif fence is not None:
            lines.append(line)
    return blocks


Stored = dict[tuple[str, date, str | None], dict[str, Any]]
"""(branch, visit date, visit reference) -> the visit's auditor, kind and answers."""


def doc_profiles() -> dict[str, MappingProfile]:
    """Every ```yaml block of the page that starts with ``name:``, loaded, by name."""
    blocks = [text for fence, text in doc_blocks() if fence == "yaml" and text.startswith("name:")]
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
    rows: list[list[Any]] = [
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
    kind: str,
    shares: tuple[float, float, float],
    yes_no: tuple[bool, bool, bool],
    notes: str | None,
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
WAVE_ANSWERS: dict[int, list[list[Any]]] = {
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
                if item.startswith(("share.", "notes.")):
                    visit[item] = (cell, False, None)
                else:
                    visit[item] = (str(cell).startswith("Yes"), False, None)
            expected[(code, WAVE_DAYS[wave], None)] = visit
    return expected


QA_MONTHS = {"Jan 2025": date(2025, 1, 1), "Feb 2025": date(2025, 2, 1),
             "Mar 2025": date(2025, 3, 1)}  # fmt: skip
QA_QUESTIONS: list[tuple[str, str, list[Any]]] = [
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


SHELF_ROWS: list[list[Any]] = [
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
GROUPED_ROWS: list[list[Any]] = [
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


# --------------------------------------------------------------------------- commands


def doc_console(command: str) -> tuple[list[str], str]:
    """The console block of the page that runs ``$ audit-app COMMAND``: its arguments and
    the output it shows."""
    for _, block in doc_blocks():
        first, _, output = block.partition("\n")
        if first.startswith(f"$ audit-app {command}"):
            return first.removeprefix("$ audit-app ").split(), output
    raise AssertionError(f"no console block for {command}")


def _cli(folder: Path, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(DOC.parents[1]), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "audit_app", *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=120,
    )


def write_stores(folder: Path, rows: Sequence[Sequence[Any]], name: str = "stores.xlsx") -> Path:
    book = Workbook()
    _sheet(book, "Stores", rows)
    path = folder / name
    book.save(path)
    return path


STORES: list[list[Any]] = [
    ["Store list - Spain 2025"],
    [],
    ["Site Code", "Store Name", "Region", "Status", "Address"],
    ["ES-CAT-01", "Barcelona Gràcia", "Catalonia", "Open", "Carrer Gran de Gràcia 10"],
    ["ES-CAT-02", "Barcelona Sants", "Catalonia", "Closed", "Carrer de Sants 5"],
    ["ES-MAD-01", "Madrid Centro", "Madrid", "Open", "Calle Mayor 1"],
]


def test_the_branch_list_example_reports_and_stores_what_the_page_says(
    ctx: AppContext, tmp_path: Path
) -> None:
    from audit_app.services.branches import list_branches

    write_stores(tmp_path, STORES)
    args, output = doc_console("branches import")
    without = _cli(tmp_path, [a for a in args if a not in ("--country", "ES")])
    assert without.returncode == 1
    assert (
        "the file has no country column: pass --country CODE (two letters: ES, RO, TR, GB…)"
        in without.stdout + without.stderr
    )
    run = _cli(tmp_path, args)
    assert (run.returncode, run.stdout) == (0, output)
    stored = {
        (b.code, b.name, b.region, b.country, b.address, b.active) for b in list_branches(ctx)
    }
    assert stored == {
        ("ES-CAT-01", "Barcelona Gràcia", "Catalonia", "ES", "Carrer Gran de Gràcia 10", True),
        ("ES-CAT-02", "Barcelona Sants", "Catalonia", "ES", "Carrer de Sants 5", False),
        ("ES-MAD-01", "Madrid Centro", "Madrid", "ES", "Calle Mayor 1", True),
    }


def test_a_column_of_people_is_a_warning_and_strict_refuses_it(tmp_path: Path) -> None:
    from audit_app.services.branch_lists import BranchListOptions, read_branch_list
    from audit_app.services.branches import BranchFileError

    staff: list[list[Any]] = [["ID", "Name", "Region"], ["ES-CAT-01", "Maria Garcia", "Catalonia"],
             ["ES-CAT-02", "Jordi Puig", "Catalonia"]]  # fmt: skip
    path = write_stores(tmp_path, staff, "staff.xlsx")
    read = read_branch_list(path, BranchListOptions(constants={"country": "ES"}))
    assert [line for line in read.report_lines() if line.startswith("warning:")] == [
        "warning: column B 'Name', taken for the branch names, reads like people's names "
        "(2 of 2, e.g. 'Maria Garcia'): is this a list of staff?"
    ]
    with pytest.raises(BranchFileError) as refused:
        read_branch_list(path, BranchListOptions(constants={"country": "ES"}, strict=True))
    assert list(refused.value.codes) == ["column_doubted"]


CHECKLIST_ROWS: list[list[Any]] = [
    ["Section", "Question", "Type", "Options", "Weight", "Critical", "Applies if"],
    ["Welcome", "Was the shopper greeted?", "Yes/No", None, 2, "yes"],
    ["Welcome", "How was the shopper greeted?", "Multiple choice",
     "By name, with a smile and an offer of help (100)\nWith a smile (50)\nNot greeted (0)", 1,
     None, "Only if Was the shopper greeted? = Yes"],
    ["Fitting rooms", "Were the fitting rooms open?", "Yes/No", None, 1],
    ["Fitting rooms", "Was the fitting room clean?", "Yes/No", None, 1, None, "Only if Q3 = Yes"],
    ["Fitting rooms", "How did the shopper hear of the offer?", "Multiple choice",
     "Web (1)\nIn the store (0)", 0],
    ["Notes", "Comments", "Free text"],
]  # fmt: skip


def test_the_checklist_spreadsheet_example_gives_what_the_page_says(tmp_path: Path) -> None:
    from audit_app.checklists import parse_checklist
    from audit_app.domain.checklist import ChoiceItem
    from audit_app.services.checklist_sheets import read_checklist_sheet, workbook_of

    book = Workbook()
    _sheet(book, "Store visit", CHECKLIST_ROWS)
    book.save(tmp_path / "store_visit.xlsx")
    args, output = doc_console("checklists import")
    run = _cli(tmp_path, args)
    assert (run.returncode, run.stdout) == (0, output)
    checklist = parse_checklist(
        yaml.safe_load((tmp_path / "store_visit.v1.yaml").read_text(encoding="utf-8")), "made"
    )
    assert (checklist.id, checklist.version, checklist.title["en"]) == (
        "store_visit",
        1,
        "Store visit",
    )
    assert [s.id for s in checklist.sections] == ["welcome", "fitting_rooms", "notes"]
    items = checklist.items_by_id
    greeted = items["welcome.how_was_the_shopper_greeted"]
    assert isinstance(greeted, ChoiceItem)
    assert [(o.value, o.points, o.label) for o in greeted.options] == [
        ("by_name_with_a_smile_and_an_offer_of_help", 1.0,
         {"en": "By name, with a smile and an offer of help"}),
        ("with_a_smile", 0.5, {"en": "With a smile"}),
        ("not_greeted", 0.0, {"en": "Not greeted"}),
    ]  # fmt: skip
    conditions = {
        item.id: (item.applies_if.item, item.applies_if.values)
        for item in checklist.items
        if item.applies_if is not None
    }
    assert conditions == {
        "welcome.how_was_the_shopper_greeted": ("welcome.was_the_shopper_greeted", ("yes",)),
        "fitting_rooms.was_the_fitting_room_clean": (
            "fitting_rooms.were_the_fitting_rooms_open",
            ("yes",),
        ),
    }
    assert items["fitting_rooms.how_did_the_shopper_hear_of_the_offer"].weight == 0
    assert items["welcome.was_the_shopper_greeted"].critical
    again = read_checklist_sheet("back.xlsx", workbook_of(checklist), checklist_id="store_visit")
    assert (again.issues, again.checklist) == ((), checklist)


def test_the_match_report_finds_wave_two_by_question_id(catalogue: Any) -> None:
    from audit_app.intake.layouts.profile import match_report

    report = match_report(
        doc_profiles()["programme-waves"], WAVE_HEADERS[2], catalogue.get("sourcing")
    )
    assert report.matches[0].describe() == (
        "B '(759201) Fresh produce: organic lines %' -> share.organic_fresh (by question id 759201)"
    )
    assert {m.how for m in report.matches} == {"question_id", "profile"}
    assert report.ok


def test_what_the_field_table_says_of_loading() -> None:
    from audit_app.intake.layouts.profile import ProfileError

    base = {"name": "x", "checklist": "sourcing"}
    with pytest.raises(ProfileError) as misspelt:
        parse_profile({**base, "defaults": {"visit_dat": "2025-05-01"}})
    assert str(misspelt.value) == (
        "<profile>: defaults.visit_dat: is not a known field (check the spelling)"
    )
    keyed = parse_profile(yaml.safe_load("name: x\nchecklist: sourcing\nitems: {759201: a.b}"))
    assert keyed.items == {"759201": "a.b"}
    loaded = parse_profile(
        yaml.safe_load("name: x\nchecklist: sourcing\ndefaults: {visit_date: 2025-05-01}")
    )
    assert loaded.defaults.visit_date == "2025-05-01"


def test_an_id_only_key_without_its_header_is_missing(catalogue: Any) -> None:
    from audit_app.intake.layouts.profile import match_report

    header = [h for h in WAVE_HEADERS[2] if not h.startswith("(759206)")]
    report = match_report(doc_profiles()["programme-waves"], header, catalogue.get("sourcing"))
    assert report.missing_columns == ("records.certificates: '759206'",)


def test_an_aggregated_answer_names_its_range(tmp_path: Path, catalogue: Any) -> None:
    from audit_app.intake.layouts.profile import read_with_profile

    [path] = shelf_lines(tmp_path)
    read = read_with_profile(path, doc_profiles()["shelf-lines"], catalogue.get("sourcing"))
    first = {a.item_id: a.value.where for a in read.visits[0].answers}
    assert (first["share.organic_fresh"], first["shelf.organic_labelled"]) == (
        "Shelf!E2:E5",
        "Shelf!H2",
    )


def test_numbers_and_yes_no_are_the_text_the_file_shows() -> None:
    """What the page says: ``equals: 0`` is the cell showing 0 (skip rules and ``where``),
    a question id YAML reads as a number keys ``items:`` as its text."""
    rule = "name: x\nchecklist: sourcing\nskip: [{column: Score, equals: %s}]"
    for written in ('"0"', "0", "0.0"):
        assert parse_profile(yaml.safe_load(rule % written)).skip.rules[0].equals == ("0",)
    keyed = parse_profile(
        yaml.safe_load("name: x\nchecklist: sourcing\nitems: {759215: share.organic_fresh}")
    )
    assert keyed.items == {"759215": "share.organic_fresh"}
    where = "name: x\nchecklist: sourcing\nlayout: lines\nlines: {aggregate: {a: %s}}"
    condition = "{column: C, rule: share, where: {equals: [1, yes]}}"
    loaded = parse_profile(yaml.safe_load(where % condition))
    assert loaded.lines is not None
    assert loaded.lines.aggregate["a"].where.equals == ("1", "yes")  # type: ignore[union-attr]


@pytest.mark.parametrize("name", sorted(WORKED))
def test_each_example_reads_the_same_with_the_header_row_found(
    name: str, tmp_path: Path, catalogue: Any
) -> None:
    from audit_app.intake.layouts.profile import read_with_profile

    profile = doc_profiles()[name]
    found = profile.model_copy(update={"header_row": "auto"})
    checklist = catalogue.get("sourcing")
    for path in WORKED[name][0](tmp_path):
        given, auto = (read_with_profile(path, p, checklist) for p in (profile, found))
        assert (auto.visits, auto.issues) == (given.visits, ())
        assert len(given.visits) >= 2
