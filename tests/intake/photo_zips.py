"""The offline route's files, made as a manager makes them: a template filled in with
openpyxl, photos taken with a "phone" (Pillow JPEGs) and both put in one zip."""

from __future__ import annotations

import io
import zipfile
from datetime import date, time
from pathlib import Path
from typing import Any

import openpyxl
from PIL import Image

from audit_app.domain.audit import Branch
from audit_app.domain.checklist import Checklist
from audit_app.intake.templates import (
    BULK_FIRST_ROW,
    BULK_ID_ROW,
    ITEMS_FIRST_ROW,
    write_template,
)

CHECKLIST = """\
id: shopfront
version: 1
title: {en: Shop front}
languages: [en]
pass_mark: 75
grades:
  - {min: 75, label: Good}
  - {min: 0, label: Poor}
critical_rule: {cap: 59}
sections:
  - id: front
    title: {en: Front}
    items:
      - id: greet_smile
        type: yes_no
        text: {en: Staff smiled}
      - id: door_clean
        type: yes_no
        text: {en: The door is clean}
        photo_on_fail: required
      - id: window
        type: yes_no
        text: {en: The window display is tidy}
        na_allowed: true
        required: false
      - id: front_photo
        type: photo
        text: {en: A photo of the shop front}
"""
BRANCHES = [
    Branch(code="ES-01", name="Gràcia", region="Catalonia", country="ES", language="ca"),
    Branch(code="ES-02", name="Sants", region="Catalonia", country="ES", language="ca"),
]
GOOD = {"greet_smile": "Yes", "door_clean": "Yes", "window": "Yes"}


def checklists_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "checklists"
    folder.mkdir(exist_ok=True)
    (folder / "shopfront.v1.yaml").write_text(CHECKLIST, encoding="utf-8")
    return folder


def jpeg(colour: str = "red", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def single_workbook(
    checklist: Checklist,
    answers: dict[str, Any],
    *,
    branch: str = "ES-01",
    day: date = date(2026, 11, 21),
    moment: time = time(10, 15),
    auditor: str = "Ann Auditor",
) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(write_template(checklist, [])))
    sheet = workbook["Audit"]
    sheet["B4"], sheet["B5"], sheet["B6"], sheet["B7"] = branch, day, moment, auditor
    for row in range(ITEMS_FIRST_ROW, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id in answers:
            sheet.cell(row, 5).value = answers[item_id]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def bulk_workbook(checklist: Checklist, visits: list[dict[str, Any]]) -> bytes:
    """One row per visit from row 5; each dict by field or item id."""
    workbook = openpyxl.load_workbook(io.BytesIO(write_template(checklist, [], bulk=True)))
    sheet = workbook["Visits"]
    columns = {
        sheet.cell(BULK_ID_ROW, column).value: column
        for column in range(1, sheet.max_column + 1)
        if sheet.cell(BULK_ID_ROW, column).value
    }
    for offset, visit in enumerate(visits):
        for key, value in visit.items():
            sheet.cell(BULK_FIRST_ROW + offset, columns[key]).value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()
