"""A template in each of the app's languages: every word of it in that language (the
checklist's texts from the checklist, the rest from the catalogue), and filled in with the
words its own dropdowns offer, it imports whole."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from audit_app.domain.checklist import ChoiceItem, NumberItem, PercentageItem, ScaleItem
from audit_app.intake.templates import (
    BULK_FIRST_ROW,
    BULK_ID_ROW,
    ITEMS_FIRST_ROW,
    YES_NO_WORDS,
    template_code,
    write_template,
)
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.imports import import_files

# The words each language's template must show: title suffix, the branch label, the
# questions column, the channel of greeting_in_person, the kind preset for it.
KEY_WORDS = {
    "en": ("— visit form", "Branch", "Question", "In person", "Mystery shop"),
    "ca": ("— full de visita", "Botiga", "Pregunta", "En persona", "Client misteriós"),
    "ro": ("— fișă de vizită", "Sucursală", "Întrebare", "În persoană", "Client misterios"),
    "tr": ("— ziyaret formu", "Şube", "Soru", "Yüz yüze", "Gizli müşteri"),
}
TITLES = {
    "en": "Greeting: in person",
    "ca": "Acollida: presencial",
    "ro": "Întâmpinare: față în față",
    "tr": "Karşılama: yüz yüze",
}


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


def _template(ctx: AppContext, language: str, *, bulk: bool = False) -> openpyxl.Workbook:
    branches = [b for b in list_branches(ctx) if b.active][:3]
    content = write_template(
        ctx.catalogue.get("greeting_in_person"), branches, language=language, bulk=bulk, rows=5
    )
    return openpyxl.load_workbook(io.BytesIO(content))


def _answer(ctx: AppContext, item_id: str, language: str, lists: Worksheet) -> object:
    """What a person picks or types for an item, in the template's words."""
    item = ctx.catalogue.get("greeting_in_person").items_by_id[item_id]
    if isinstance(item, ScaleItem):
        return item.max
    if isinstance(item, ChoiceItem):
        return item.options[0].label_in(language, "en")
    if isinstance(item, PercentageItem):
        return 90
    if isinstance(item, NumberItem):
        return item.target
    if item.type == "yes_no":
        return YES_NO_WORDS[language][0]
    return "—"


@pytest.mark.parametrize("language", ["en", "ca", "ro", "tr"])
def test_a_template_speaks_its_language(demo: AppContext, language: str) -> None:
    workbook = _template(demo, language)
    sheet = workbook["Audit"]
    suffix, branch, question, channel, kind = KEY_WORDS[language]
    assert sheet["A1"].value == f"{TITLES[language]} {suffix}"
    assert "audit-app import" not in str(sheet["A2"].value)
    assert sheet["A4"].value == branch
    assert sheet.cell(ITEMS_FIRST_ROW - 1, 3).value == question
    assert sheet["B8"].value == channel  # the checklist's channel, as a label
    assert sheet["B9"].value == kind
    lists = {c for row in workbook["_lists"].iter_rows(values_only=True) for c in row if c}
    assert channel in lists and "in_person" not in lists and "mystery_shop" not in lists
    assert any(str(c).endswith(")") and " (" in str(c) for c in lists)  # "Name (CODE)"
    yes, no = YES_NO_WORDS[language]
    formulas = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert f'"{yes},{no}"' in formulas or f'"{yes},{no},N/A"' in formulas
    prompts = [str(dv.prompt) for dv in sheet.data_validations.dataValidation]
    assert any(f"{yes}, {no}" in prompt for prompt in prompts)  # the words offered


@pytest.mark.parametrize("language", ["en", "ca", "ro", "tr"])
def test_a_template_filled_in_its_own_words_imports(
    demo: AppContext, language: str, tmp_path: Path
) -> None:
    workbook = _template(demo, language)
    sheet = workbook["Audit"]
    lists = workbook["_lists"]
    sheet["B4"] = lists["A2"].value  # a branch picked from the dropdown: "Name (CODE)"
    sheet["B5"], sheet["B6"], sheet["B7"] = date(2026, 11, 20), time(11, 30), "Anna"
    for row in range(ITEMS_FIRST_ROW, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id:
            sheet.cell(row, 5).value = _answer(demo, item_id, language, lists)
    path = tmp_path / f"visit-{language}.xlsx"
    workbook.save(path)
    [result] = import_files(demo, [path])
    assert result.status == "imported", [p.message for p in result.problems]
    assert result.added == 1


@pytest.mark.parametrize("language", ["en", "ca", "ro", "tr"])
def test_a_bulk_template_filled_in_its_own_words_imports_every_row(
    demo: AppContext, language: str, tmp_path: Path
) -> None:
    workbook = _template(demo, language, bulk=True)
    sheet = workbook["Visits"]
    lists = workbook["_lists"]
    ids = [cell.value for cell in sheet[BULK_ID_ROW]]
    channels = [c.value for c in lists["B"] if c.value]
    kinds = [c.value for c in lists["C"] if c.value]
    for offset in range(3):
        row = BULK_FIRST_ROW + offset
        values = {
            "branch": lists.cell(offset + 1, 1).value,
            "visit_date": date(2026, 11, 10 + offset),
            "visit_time": time(10, 0),
            "auditor": "Ona",
            "channel": channels[0],
            "kind": kinds[0],
        }
        for column, field in enumerate(ids, start=1):
            if field in values:
                sheet.cell(row, column).value = values[field]
            elif field:
                sheet.cell(row, column).value = _answer(demo, field, language, lists)
    path = tmp_path / f"bulk-{language}.xlsx"
    workbook.save(path)
    [result] = import_files(demo, [path])
    assert result.status == "imported", [p.message for p in result.problems]
    assert result.added == 3


def test_the_dropdown_words_read_back_as_codes() -> None:
    assert template_code("branch", "Verd Natural Barcelona Gràcia (ES-CAT-01)") == "ES-CAT-01"
    assert template_code("branch", "ES-CAT-01") == "ES-CAT-01"
    assert template_code("channel", "Yüz yüze") == "in_person"
    assert template_code("channel", "En persona") == "in_person"
    assert template_code("kind", "Client misterios") == "mystery_shop"
    assert template_code("kind", "self_assessment") == "self_assessment"
    assert template_code("visit_date", "2026-11-20") == "2026-11-20"
