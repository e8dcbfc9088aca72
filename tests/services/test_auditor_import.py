"""Auditors in templates and imports (both engines): the template's auditor cell offers the
active auditors (a new name is a warning, not a stop), and an imported name close to a
known auditor's is a warning at its cell while the visit still imports."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path

import openpyxl
import pytest

from audit_app.domain.intake.model import IssueCode
from audit_app.intake.templates import ITEMS_FIRST_ROW
from audit_app.services import auditors
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.imports import import_files
from audit_app.services.templates import make_template
from tests.helpers import PHONE_ANSWERS
from tests.intake.test_template import validations_by_cell
from tests.services.test_audits import BRANCHES


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    auditors.add_auditor(ctx, "Laura Fernández", kind="agency", organisation="Client Ocult SL")
    auditors.add_auditor(ctx, "Jordi Puig")
    return ctx


def _filled(ctx: AppContext, path: Path, auditor: str) -> Path:
    template = make_template(ctx, "greeting_phone", branch_codes=["ES-01"])
    workbook = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = workbook["Audit"]
    sheet["B5"], sheet["B6"], sheet["B7"] = date(2026, 11, 21), time(10, 15), auditor
    for row in range(ITEMS_FIRST_ROW, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id in PHONE_ANSWERS:
            sheet.cell(row, 5).value = PHONE_ANSWERS[item_id]
    workbook.save(path)
    return path


def test_the_auditor_cell_offers_the_active_auditors_and_warns_on_a_new_name(
    world: AppContext,
) -> None:
    workbook = openpyxl.load_workbook(
        io.BytesIO(make_template(world, "greeting_phone", branch_codes=["ES-01"]).content)
    )
    sheet = workbook["Audit"]
    assert sheet["A7"].value == "Auditor"
    rule = validations_by_cell(sheet)["B7"]
    assert (rule.type, rule.errorStyle) == ("list", "warning")  # type: ignore[attr-defined]
    listed = workbook[rule.formula1.split("!")[0]]  # type: ignore[attr-defined]
    column = rule.formula1.split("!$")[1][0]  # type: ignore[attr-defined]
    names = [c.value for c in listed[column] if c.value]
    assert names == ["Jordi Puig", "Laura Fernández"]


def test_the_bulk_template_offers_them_in_its_auditor_column(world: AppContext) -> None:
    content = make_template(world, "greeting_phone", bulk=True, rows=5).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rules = validations_by_cell(sheet)
    header = [c.value for c in sheet[3]]
    auditor_column = openpyxl.utils.get_column_letter(header.index("Auditor") + 1)
    first_row = next(r for r in range(1, 12) if f"{auditor_column}{r}" in rules)
    assert rules[f"{auditor_column}{first_row}"].errorStyle == "warning"  # type: ignore[attr-defined]


def test_a_near_miss_is_a_warning_at_its_cell_and_the_visit_imports(
    world: AppContext, tmp_path: Path
) -> None:
    path = _filled(world, tmp_path / "visit.xlsx", "Laura Fernandez")
    [checked] = import_files(world, [path], dry_run=True)
    assert [n.to_dict() for n in checked.notes] == [
        {
            "code": "auditor_near_miss",
            "sheet": "Audit",
            "cell": "B7",
            "row": 7,
            "message": "'Laura Fernandez' is close to the auditor 'Laura Fernández': same person?",
        }
    ]
    [result] = import_files(world, [path])
    assert result.status == "imported" and result.added == 1
    assert [n.code for n in result.notes] == [IssueCode.AUDITOR_NEAR_MISS]
    assert str(result.notes[0]) == (
        "Audit!B7: 'Laura Fernandez' is close to the auditor 'Laura Fernández': same person?"
    )
    new = auditors.find_auditor(world, "Laura Fernandez")
    assert new.kind.value == "staff"
    assert sorted(a.name for a in auditors.list_auditors(world)) == [
        "Jordi Puig",
        "Laura Fernandez",
        "Laura Fernández",
    ]


def test_a_known_name_in_another_case_is_no_warning(world: AppContext, tmp_path: Path) -> None:
    [result] = import_files(world, [_filled(world, tmp_path / "v.xlsx", "LAURA  FERNÁNDEZ")])
    assert result.status == "imported" and result.notes == ()
    assert len(auditors.list_auditors(world)) == 2
