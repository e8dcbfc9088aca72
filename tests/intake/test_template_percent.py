"""Percentage cells of our templates: 93 typed in a General cell, 93 % (Excel keeps 0.93 in a
cell formatted as a percentage) and the text ``93 %`` are one answer, 93; the cell's
validation allows 0 to 100, as its prompt says."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from audit_app.checklists import Catalogue
from audit_app.config import Settings, default_checklists_dir
from audit_app.domain.audit import Branch
from audit_app.intake.source.formats import is_percent_format, percent_cells
from audit_app.intake.templates import (
    BULK_FIRST_ROW,
    BULK_ID_ROW,
    ITEMS_FIRST_ROW,
    write_template,
)
from audit_app.services.audits import load_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import open_context
from audit_app.services.imports import import_files

BRANCH = Branch(code="ES-01", name="Gràcia", region="Catalonia", country="ES", language="ca")
PERCENT_ITEMS = ("share.organic_fresh", "share.organic_dry", "share.preservative_free")


def _as_excel_stores(cell: Any, kind: str) -> None:
    """93 typed three ways, as Excel keeps each."""
    if kind == "general":
        cell.value = 93
    elif kind == "percent_format":
        cell.value = 0.93
        cell.number_format = "0%"
    else:
        cell.value = "93 %"


def test_bulk_template_reads_93_however_it_was_typed(tmp_path: Path, catalogue: Catalogue) -> None:
    checklist = catalogue.get("sourcing")
    book = openpyxl.load_workbook(
        io.BytesIO(write_template(checklist, [BRANCH], bulk=True, rows=10))
    )
    sheet = book["Visits"]
    columns = {sheet.cell(BULK_ID_ROW, c).value: c for c in range(1, sheet.max_column + 1)}
    ways = [
        ("general", "general", "general"),
        ("percent_format", "percent_format", "percent_format"),
        ("text", "text", "text"),
        ("general", "percent_format", "text"),
    ]
    for offset, kinds in enumerate(ways):
        row = BULK_FIRST_ROW + offset
        sheet.cell(row, columns["branch"], "ES-01")
        sheet.cell(row, columns["visit_date"], date(2026, 3, 2 + offset))
        sheet.cell(row, columns["auditor"], "Marta")
        for item_id, kind in zip(PERCENT_ITEMS, kinds, strict=True):
            _as_excel_stores(sheet.cell(row, columns[item_id]), kind)
        for item_id in ("shelf.organic_labelled", "shelf.origin_shown", "records.certificates"):
            sheet.cell(row, columns[item_id], "Yes")
    path = tmp_path / "filled.xlsx"
    book.save(path)

    ctx = open_context(
        Settings(data_dir=tmp_path / "data", checklists_dir=default_checklists_dir())
    )
    save_branches(ctx, [BRANCH])
    [result] = import_files(ctx, [path])
    assert result.status == "imported", [str(p) for p in result.problems]
    stored = [load_audit(ctx, audit.audit_id) for audit in result.audits]  # type: ignore[arg-type]
    answers = [
        {a.item_id: a.value for a in audit.record.answers if a.item_id in PERCENT_ITEMS}
        for audit in stored
    ]
    assert answers == [dict.fromkeys(PERCENT_ITEMS, 93.0)] * 4
    ctx.engine.dispose()


def test_single_visit_template_reads_93_percent_and_93(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    checklist = catalogue.get("sourcing")
    book = openpyxl.load_workbook(io.BytesIO(write_template(checklist, [BRANCH])))
    sheet = book["Audit"]
    sheet["B4"], sheet["B5"], sheet["B7"] = "ES-01", date(2026, 3, 2), "Marta"
    rows = {sheet.cell(r, 2).value: r for r in range(ITEMS_FIRST_ROW, sheet.max_row + 1)}
    sheet.cell(rows["share.organic_fresh"], 5).value = 0.93  # the cell is formatted 0.0 %
    sheet.cell(rows["share.organic_dry"], 5).number_format = "General"
    sheet.cell(rows["share.organic_dry"], 5).value = 93
    sheet.cell(rows["share.preservative_free"], 5).value = "93 %"
    for item_id in ("shelf.organic_labelled", "shelf.origin_shown", "records.certificates"):
        sheet.cell(rows[item_id], 5).value = "Yes"
    path = tmp_path / "one.xlsx"
    book.save(path)
    ctx = open_context(
        Settings(data_dir=tmp_path / "data", checklists_dir=default_checklists_dir())
    )
    save_branches(ctx, [BRANCH])
    [result] = import_files(ctx, [path])
    assert result.status == "imported", [str(p) for p in result.problems]
    audit = load_audit(ctx, result.audits[0].audit_id)  # type: ignore[arg-type]
    assert {a.item_id: a.value for a in audit.record.answers if a.item_id in PERCENT_ITEMS} == (
        dict.fromkeys(PERCENT_ITEMS, 93.0)
    )
    ctx.engine.dispose()


def test_validation_and_prompt_agree_on_0_to_100(catalogue: Catalogue) -> None:
    checklist = catalogue.get("sourcing")
    sheet = openpyxl.load_workbook(
        io.BytesIO(write_template(checklist, [BRANCH], bulk=True, rows=10))
    )["Visits"]
    column = next(
        openpyxl.utils.get_column_letter(c)
        for c in range(1, sheet.max_column + 1)
        if sheet.cell(BULK_ID_ROW, c).value == "share.organic_fresh"
    )
    first = f"{column}{BULK_FIRST_ROW}"
    [rule] = [r for r in sheet.data_validations.dataValidation if first in str(r.sqref)]
    assert rule.formula1 == f"AND(ISNUMBER({first}),{first}>=0,{first}<=100)"
    assert rule.prompt == "Allowed: a percentage from 0 to 100"
    assert sheet[first].number_format == "General"


@pytest.mark.parametrize(
    ("code", "percent"),
    [
        ("0%", True),
        ("0.00%", True),
        ("#,##0.0 %", True),
        ('0"%"', False),
        ("[Red]0.0", False),
        ("General", False),
    ],
)
def test_percent_formats(code: str, percent: bool) -> None:
    assert is_percent_format(code) is percent


def test_percent_cells_of_one_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Visits"
    other = book.create_sheet("Other")
    for ref, code in (("B2", "0%"), ("C3", "0.0%"), ("D4", "General"), ("E5", '0"%"')):
        first[ref] = 0.5
        first[ref].number_format = code
        other[ref] = 0.5
        other[ref].number_format = "0%"
    first["F6"].number_format = "0%"  # a formatted empty cell
    path = tmp_path / "formats.xlsx"
    book.save(path)
    assert percent_cells(path.read_bytes(), "Visits") == {"B2", "C3", "F6"}
    assert percent_cells(path.read_bytes(), "Other") == {"B2", "C3", "D4", "E5"}
    assert percent_cells(path.read_bytes(), "Missing") == frozenset()
    assert percent_cells(b"not a zip", "Visits") == frozenset()
