"""Templates and imports of a checklist with skip logic, unscored questions and option
labels over 64 characters: the prompts say when a question is asked, the dropdown holds the
whole label, and a filled-in file imports with blanks that do not apply counted as not
applicable (an answer given anyway kept, not scored, and noted)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml

from audit_app.config import Settings
from audit_app.domain.audit import Answer
from audit_app.domain.intake.model import IssueCode
from audit_app.intake.templates import BULK_FIRST_ROW, ITEMS_FIRST_ROW, write_template
from audit_app.services.audits import load_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.imports import import_files
from audit_app.services.verify import verify
from tests.domain.checklist_programme import LONG_ASKED, programme
from tests.intake.test_template import BRANCHES, validations_by_cell


@pytest.fixture
def world(tmp_path: Path) -> AppContext:
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "fitting.v1.yaml").write_text(
        yaml.safe_dump(programme(), allow_unicode=True), encoding="utf-8"
    )
    ctx = open_context(Settings(data_dir=tmp_path / "data", checklists_dir=folder))
    save_branches(ctx, BRANCHES)
    return ctx


def _rows(sheet) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {sheet.cell(r, 2).value: r for r in range(ITEMS_FIRST_ROW, sheet.max_row + 1)}


def test_the_template_says_when_a_question_is_asked_and_holds_whole_labels(
    world: AppContext,
) -> None:
    checklist = world.catalogue.get("fitting")
    book = openpyxl.load_workbook(io.BytesIO(write_template(checklist, BRANCHES)))
    sheet = book["Audit"]
    rules = validations_by_cell(sheet)
    rows = _rows(sheet)
    prompts = {item_id: rules[f"E{row}"].prompt for item_id, row in rows.items()}
    assert prompts["floor.open"] == "Allowed: Yes, No, N/A"
    assert prompts["floor.clean"] == (
        'Only if "Were the fitting rooms open?" is Yes. Allowed: Yes, No'
    )
    assert (
        prompts["till.queue"]
        == prompts["till.bag"]
        == ('Only if "Were the fitting rooms open?" is Yes. Allowed: Yes, No')
    )
    assert prompts["floor.info"] == "Unscored (weight 0). Allowed: On the web site, In the store"
    assert prompts["floor.tone"].startswith('Only if "How was the shopper helped?" is one of ')
    assert all(len(prompt) <= 255 for prompt in prompts.values())
    assert sheet.cell(rows["floor.clean"], 4).value == (
        'Only if "Were the fitting rooms open?" is Yes'
    )
    # the dropdown reads a hidden range: the labels are whole, beyond Excel's 255 for a list
    fitting = rules[f"E{rows['floor.fitting']}"]
    assert fitting.formula1.startswith("_lists!")
    column = fitting.formula1.split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    listed = [cell.value for cell in book["_lists"][column] if cell.value is not None]
    assert listed == [LONG_ASKED, "Only when asked", "Not at all"]
    assert len(LONG_ASKED) > 255


def _fill_single(world: AppContext, tmp_path: Path, answers: dict[str, object]) -> Path:
    checklist = world.catalogue.get("fitting")
    book = openpyxl.load_workbook(io.BytesIO(write_template(checklist, BRANCHES)))
    sheet = book["Audit"]
    sheet["B4"], sheet["B5"], sheet["B7"] = "ES-01", date(2026, 10, 1), "Ann"
    rows = _rows(sheet)
    for item_id, value in answers.items():
        sheet.cell(rows[item_id], 5).value = value
    path = tmp_path / "filled.xlsx"
    book.save(path)
    return path


def test_a_closed_floor_imports_with_its_blanks_not_applicable(
    world: AppContext, tmp_path: Path
) -> None:
    path = _fill_single(
        world,
        tmp_path,
        {"floor.open": "No", "floor.fitting": LONG_ASKED, "floor.clean": "Yes", "floor.tone": 4},
    )
    [result] = import_files(world, [path])
    assert result.status == "imported", [str(p) for p in result.problems]
    [note] = result.notes
    clean_row = _rows(openpyxl.load_workbook(path)["Audit"])["floor.clean"]
    assert (note.code, note.sheet, note.cell) == (
        IssueCode.ANSWER_NOT_APPLICABLE,
        "Audit",
        f"E{clean_row}",
    )
    assert "the answer is kept but not scored" in note.message
    stored = load_audit(world, result.audits[0].audit_id)  # type: ignore[arg-type]
    assert set(stored.record.answers) == {
        Answer("floor.open", False),
        Answer("floor.fitting", "asked"),
        Answer("floor.clean", True),
        Answer("floor.tone", 4),
    }
    # floor: open 0 + helped 1 + tone 0.75 of 3; the till section is not asked
    assert stored.overall == pytest.approx(100 * 1.75 / 3)
    assert verify(world).ok


def test_a_question_that_applies_and_is_blank_is_missing_at_its_cell(
    world: AppContext, tmp_path: Path
) -> None:
    path = _fill_single(world, tmp_path, {"floor.open": "Yes", "floor.fitting": "Not at all"})
    [result] = import_files(world, [path])
    rows = _rows(openpyxl.load_workbook(path)["Audit"])
    assert result.status == "rejected"
    assert [(p.code, p.cell) for p in result.problems] == [
        (IssueCode.ANSWER_MISSING, f"E{rows['floor.clean']}"),
        (IssueCode.ANSWER_MISSING, f"E{rows['till.queue']}"),
        (IssueCode.ANSWER_MISSING, f"E{rows['till.bag']}"),
    ]


def test_a_bulk_template_imports_every_visit_with_its_own_skips(
    world: AppContext, tmp_path: Path
) -> None:
    checklist = world.catalogue.get("fitting")
    book = openpyxl.load_workbook(io.BytesIO(write_template(checklist, BRANCHES, bulk=True)))
    sheet = book["Visits"]
    columns = {sheet.cell(4, c).value: c for c in range(1, sheet.max_column + 1)}
    visits = [
        {
            "floor.open": "Yes",
            "floor.fitting": "Only when asked",
            "floor.clean": "No",
            "floor.info": "On the web site",
            "floor.tone": 4,
            "till.queue": "Yes",
            "till.bag": "No",
        },
        {"floor.open": "No", "floor.fitting": "Not at all"},
        {"floor.open": "N/A", "floor.fitting": LONG_ASKED, "floor.tone": 3},
    ]
    for n, answers in enumerate(visits):
        row = BULK_FIRST_ROW + n
        sheet.cell(row, columns["branch"]).value = "ES-01"
        sheet.cell(row, columns["visit_date"]).value = date(2026, 10, 1 + n)
        sheet.cell(row, columns["auditor"]).value = "Ann"
        for item_id, value in answers.items():
            sheet.cell(row, columns[item_id]).value = value
    path = tmp_path / "bulk.xlsx"
    book.save(path)
    [result] = import_files(world, [path])
    assert result.status == "imported", [str(p) for p in result.problems]
    assert result.notes == ()
    assert [a.overall for a in result.audits] == pytest.approx([100 * 3.25 / 7, 0.0, 100 * 1.5 / 2])
