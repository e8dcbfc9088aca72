"""Import problems in the language of the template they came from (issue #18): a Catalan,
Romanian or Turkish workbook's problems quote its question and its dropdown words in that
language, name the sheet and cell, and keep their codes; the session's language (English on
the command line) is used for any other file."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path

import openpyxl
import pytest

from audit_app.domain.answers import allowed_answers, question
from audit_app.domain.intake.model import IssueCode
from audit_app.i18n import use_language
from audit_app.intake import templates as layout
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.imports import import_bytes, import_files
from tests.helpers import PHONE_ANSWERS


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


def filled_template(ctx: AppContext, language: str | None, answers: dict[str, object]) -> bytes:
    """The template writer's workbook in ``language``, filled as a manager would: the item
    ids the writer put in column B say which row answers what (not its header words)."""
    content = layout.write_template(ctx.catalogue.get("greeting_phone"), [], language=language)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[layout.VISIT_SHEET]
    first = layout.HEADER_FIRST_ROW
    sheet.cell(first, 2).value = "ES-CAT-01"
    sheet.cell(first + 1, 2).value = date(2026, 11, 21)
    sheet.cell(first + 2, 2).value = time(10, 15)
    sheet.cell(first + 3, 2).value = "Test Auditor"
    for row in range(layout.ITEMS_FIRST_ROW, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id in answers:
            sheet.cell(row, layout.ANSWER_COLUMN + 1).value = answers[item_id]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(content: bytes, item_id: str) -> int:
    sheet = openpyxl.load_workbook(io.BytesIO(content))[layout.VISIT_SHEET]
    return next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value == item_id)


BAD = {**PHONE_ANSWERS, "call.tone": 7, "call.anything_else": "Maybe"}

ENGLISH_TONE = "7 is above the scale's 5: 'Tone is friendly'"


@pytest.mark.parametrize("language", ["ca", "ro", "tr"])
def test_a_templates_problems_are_in_its_language(demo: AppContext, language: str) -> None:
    content = filled_template(demo, language, BAD)
    result = import_bytes(demo, "visita.xlsx", content)  # the session: English
    assert result.status == "rejected"
    checklist = demo.catalogue.get("greeting_phone")
    tone, anything = checklist.items_by_id["call.tone"], checklist.items_by_id["call.anything_else"]
    by_cell = {(p.sheet, p.cell): p for p in result.problems}
    tone_cell = f"E{row_of(content, 'call.tone')}"
    anything_cell = f"E{row_of(content, 'call.anything_else')}"
    assert set(by_cell) == {(layout.VISIT_SHEET, tone_cell), (layout.VISIT_SHEET, anything_cell)}
    scale = by_cell[(layout.VISIT_SHEET, tone_cell)]
    answer = by_cell[(layout.VISIT_SHEET, anything_cell)]
    assert scale.code == answer.code == IssueCode.ANSWER_INVALID  # codes, not words
    with use_language(language):
        asked_tone, asked_anything = question(tone), question(anything)
        allowed_scale, allowed_yes_no = allowed_answers(tone), allowed_answers(anything)
    # the question and the allowed answers as the template wrote them
    assert asked_tone == tone.text[language] and asked_tone in scale.message
    assert asked_anything == anything.text[language] and asked_anything in answer.message
    assert allowed_scale in scale.message and allowed_yes_no in answer.message
    yes_no = layout.YES_NO_WORDS[language]
    assert allowed_yes_no.startswith(f"{yes_no[0]}, {yes_no[1]}")  # the dropdown's words
    # the sentence itself in that language, with the number as typed (7, not 7.0)
    assert scale.message.startswith(f"{tone_cell}: 7")
    assert "7.0" not in scale.message
    assert "is above the scale's" not in scale.message
    assert "is not an answer to" not in answer.message
    assert str(scale).startswith(f"{layout.VISIT_SHEET}!{tone_cell}: ")


def test_an_english_template_says_it_in_english(demo: AppContext) -> None:
    content = filled_template(demo, "en", BAD)
    with use_language("ca"):  # a Catalan session importing an English template
        result = import_bytes(demo, "visit.xlsx", content)
    messages = [p.message for p in result.problems]
    assert any(ENGLISH_TONE in m for m in messages), messages
    assert any("'Maybe' is not an answer to" in m and "(allowed: Yes, No)" in m for m in messages)


def test_a_csv_is_checked_in_the_sessions_language(demo: AppContext) -> None:
    csv = (
        b"branch_code,checklist_id,visited_at,auditor,item_id,value\n"
        b"ES-CAT-01,greeting_phone,2026-11-21 10:15,Test Auditor,call.tone,7\n"
    )
    with use_language("ca"):
        result = import_bytes(demo, "visites.csv", csv)
        asked = question(demo.catalogue.get("greeting_phone").items_by_id["call.tone"])
    tone = next(p for p in result.problems if p.code == IssueCode.ANSWER_INVALID)
    assert asked in tone.message and "is above the scale's" not in tone.message


def test_the_command_line_keeps_english(demo: AppContext, tmp_path: Path) -> None:
    """``audit-app import`` (files from disk) speaks English whatever the template's
    language; asked, it says a template's problems in the template's language."""
    path = tmp_path / "visita.xlsx"
    path.write_bytes(filled_template(demo, "ca", BAD))
    [result] = import_files(demo, [path])
    assert any(ENGLISH_TONE in p.message for p in result.problems)
    [asked] = import_files(demo, [path], template_language=True)
    assert not any(ENGLISH_TONE in p.message for p in asked.problems)
    assert {(p.code, p.cell) for p in asked.problems} == {(p.code, p.cell) for p in result.problems}
