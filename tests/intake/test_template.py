"""Fill-in templates: validation that fits each item, locked questions, the hidden record of
which checklist edition they were made from, and imports against that edition."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml

from audit_app.checklists import Catalogue
from audit_app.config import Settings, default_checklists_dir
from audit_app.domain.audit import Branch
from audit_app.intake.templates import ITEMS_FIRST_ROW, write_template
from audit_app.services.audits import load_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import open_context
from audit_app.services.imports import import_files

BRANCHES = [
    Branch(code="ES-01", name="Gràcia", region="Catalonia", country="ES", language="ca"),
    Branch(code="TR-01", name="Kadıköy", region="Istanbul", country="TR", language="tr"),
]


def load(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def validations_by_cell(sheet) -> dict[str, object]:  # type: ignore[no-untyped-def]
    found = {}
    for rule in sheet.data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            for row in (
                sheet[cell_range.coord] if ":" in cell_range.coord else [[sheet[cell_range.coord]]]
            ):
                for cell in row:
                    found[cell.coordinate] = rule
    return found


def test_answer_cells_validate_by_item_type(catalogue: Catalogue) -> None:
    checklist = catalogue.get("greeting_phone")
    book = load(write_template(checklist, BRANCHES))
    sheet = book["Audit"]
    rules = validations_by_cell(sheet)
    rows = {sheet.cell(r, 2).value: r for r in range(ITEMS_FIRST_ROW, sheet.max_row + 1)}
    greeting = rules[f"E{rows['answer.greeting']}"]
    assert (greeting.type, greeting.formula1) == ("list", '"Yes,No"')  # critical, no N/A
    voicemail = rules[f"E{rows['voicemail.greeting_current']}"]
    assert voicemail.formula1 == '"Yes,No,N/A"'
    tone = rules[f"E{rows['call.tone']}"]
    assert (tone.type, tone.formula1, tone.formula2) == ("whole", "1", "5")
    hold = rules[f"E{rows['call.hold']}"]
    assert hold.type == "list" and hold.formula1.startswith("_lists!")
    rings = rules[f"E{rows['answer.rings']}"]
    assert rings.type == "custom" and f"E{rows['answer.rings']}>=0" in rings.formula1
    hours = rules[f"E{rows['voicemail.return_hours']}"]
    assert "UPPER(TRIM(" in hours.formula1 and '="N/A"' in hours.formula1
    branch = rules["B4"]
    assert branch.type == "list" and branch.formula1 == "_lists!$A$1:$A$2"
    assert [c.value for c in book["_lists"]["A"][:2]] == ["Gràcia (ES-01)", "Kadıköy (TR-01)"]


def test_questions_are_locked_and_answers_open(catalogue: Catalogue) -> None:
    sheet = load(write_template(catalogue.get("returns"), BRANCHES))["Audit"]
    assert sheet.protection.sheet
    row = ITEMS_FIRST_ROW
    assert sheet.cell(row, 3).protection.locked  # question
    assert not sheet.cell(row, 5).protection.locked  # answer
    assert not sheet.cell(row, 6).protection.locked  # comment
    assert not sheet["B4"].protection.locked


def test_the_hidden_sheet_records_the_checklist_edition(catalogue: Catalogue) -> None:
    checklist = catalogue.get("sourcing")
    book = load(write_template(checklist, BRANCHES[:1]))
    meta = book["_meta"]
    assert meta.sheet_state == "veryHidden"
    record = {row[0].value: row[1].value for row in meta.iter_rows()}
    assert record == {
        "format": "audit-app template",
        "format_version": 1,
        "kind": "single",
        "checklist_id": "sourcing",
        "checklist_version": 1,
        "content_hash": checklist.content_hash,
        "language": "en",
    }
    assert book["Audit"]["B4"].value == "Gràcia (ES-01)"  # one branch given: filled in
    percentage_row = next(
        r
        for r in range(ITEMS_FIRST_ROW, 40)
        if book["Audit"].cell(r, 2).value == "share.organic_fresh"
    )
    assert book["Audit"].cell(percentage_row, 5).number_format == "0.0%"


def test_the_bulk_template_has_one_column_per_item(catalogue: Catalogue) -> None:
    checklist = catalogue.get("complaints")
    sheet = load(write_template(checklist, BRANCHES, bulk=True, rows=30))["Visits"]
    ids = [c.value for c in sheet[4]]
    assert ids[:6] == ["branch", "visit_date", "visit_time", "auditor", "channel", "kind"]
    assert ids[6:] == [item.id for item in checklist.items]
    rules = validations_by_cell(sheet)
    assert "G5" in rules and "G34" in rules and "G35" not in rules


def test_a_template_from_an_older_version_imports_against_that_version(tmp_path: Path) -> None:
    folder = tmp_path / "checklists"
    shutil.copytree(default_checklists_dir(), folder)
    settings = Settings(data_dir=tmp_path / "data", checklists_dir=folder)
    old_ctx = open_context(settings)
    save_branches(old_ctx, BRANCHES)
    v1 = old_ctx.catalogue.get("greeting_social")
    book = load(write_template(v1, BRANCHES))
    # head office publishes version 2: a new item, a stricter reply time
    data = yaml.safe_load((folder / "greeting_social.v1.yaml").read_text(encoding="utf-8"))
    data["version"] = 2
    data["sections"][0]["items"][0]["target"] = 24
    data["sections"][0]["items"].append(
        {
            "id": "reply.signed",
            "type": "yes_no",
            "text": {"en": "Reply is signed"},
            "guidance": {"en": "A first name at least."},
        }
    )
    (folder / "greeting_social.v2.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    ctx = open_context(settings)
    assert ctx.catalogue.get("greeting_social").version == 2
    sheet = book["Audit"]
    sheet["B4"], sheet["B5"], sheet["B7"] = "TR-01", date(2026, 10, 1), "Elif"
    for row in range(ITEMS_FIRST_ROW, sheet.max_row + 1):
        item = v1.items_by_id.get(sheet.cell(row, 2).value)
        if item is not None and item.scored:
            sheet.cell(row, 5).value = 30 if item.type == "number" else "Yes"
    book.save(tmp_path / "filled.xlsx")
    [result] = import_files(ctx, [tmp_path / "filled.xlsx"])
    assert result.status == "imported", [str(e) for e in result.problems]
    assert result.audits[0].checklist_version == 1
    stored = load_audit(ctx, result.audits[0].audit_id)  # type: ignore[arg-type]
    assert stored.record.visit.checklist_version == 1
    assert stored.overall == pytest.approx(100.0)  # 30 h met v1's 48 h target
