"""Checklist spreadsheets the way chains keep them, written with openpyxl (or as CSV text):
a title and a note above the header, headers in Spanish, Catalan, Romanian or Turkish,
sections as banner rows or a merged column, friendly type words, options with points in
brackets, ``=`` or one per line; and files with a bad cell in each column.

Each builder writes one file and returns its path; the tests hold what a correct reading
gives, whole."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

LONG_OPTION = (
    "The staff member offered an alternative product from the same range and explained "
    "the difference in price and quality"
)
"""An option text over 64 characters: it keeps a short value and the text as its label."""


def write_rows(path: Path, sheet_name: str, rows: Sequence[Sequence[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_name
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                sheet.cell(r, c, value)
    workbook.save(path)
    return path


def programme_workbook(path: Path) -> Path:
    """A Spanish/Catalan programme: title and note above the header (row 4), sections as
    banner rows, question numbers, texts in two languages, friendly types."""
    rows: list[list[Any]] = [
        ["Programa de cliente misterioso 2025"],
        ["Confidencial: solo para uso interno"],
        [],
        ["Nº", "Pregunta", "Pregunta (ca)", "Tipo", "Opciones", "Peso", "Crítico", "N/A", "Guía"],
        ["Bienvenida"],
        ["1", "¿Saludó al entrar?", "Va saludar en entrar?", "Sí/No", "", 2, "sí", "", ""],
        [
            "2",
            "Tiempo de espera (segundos)",
            "Temps d'espera (segons)",
            "Número",
            "",
            "",
            "",
            "",
            "Contar desde la entrada",
        ],
        [],
        ["Producto"],
        [
            "3",
            "¿Ofreció una alternativa?",
            "Va oferir una alternativa?",
            "Opción múltiple",
            f"Sí, la misma (100)\n{LONG_OPTION} (50)\nNo (0)",
            1,
            "",
            "x",
            "",
        ],
        ["4", "Trato general", "Tracte general", "Valoración 1-5", "", 1.5, "", "", ""],
        ["5", "Producto ecológico (%)", "Producte ecològic (%)", "%", "", "", "", "", ""],
        ["6", "Comentarios", "Comentaris", "Texto libre", "", "", "", "", ""],
    ]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Cliente misterioso"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                sheet.cell(r, c, value)
    sheet.merge_cells("A1:I1")
    # a number question is scored against a target: extra columns at the right
    sheet.cell(4, 10, "Objetivo")
    sheet.cell(4, 11, "Dirección")
    sheet.cell(7, 10, 30)
    sheet.cell(7, 11, "como máximo")
    sheet.cell(12, 10, 80)
    sheet.cell(12, 11, "at least")
    workbook.save(path)
    return path


def section_column_workbook(path: Path) -> Path:
    """Romanian headers, the section in a column merged down over its questions, item ids
    given, options as ``yes=1; no=0`` and ``|``-separated."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    header = ["Secțiune", "Cod întrebare", "Întrebare", "Tip", "Opțiuni", "Pondere"]
    rows = [
        ["Vitrina", "v1", "Vitrina este curată", "Da/Nu", "", 1],
        ["", "v2", "Prețurile sunt afișate", "alegere", "da=1; parțial=0,5; nu=0", 2],
        ["Casa", "c1", "Bonul a fost oferit", "Da/Nu", "", 1],
        ["", "c2", "Timp la casă", "Scara 1-10", "", 1],
    ]
    for c, value in enumerate(header, start=1):
        sheet.cell(2, c, value)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            if value != "":
                sheet.cell(r, c, value)
    sheet.cell(1, 1, "Listă de verificare magazin")
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("A5:A6")
    workbook.save(path)
    return path


TURKISH_CSV = (
    "Bölüm;Soru;Tür;Seçenekler;Ağırlık;Kritik\n"
    "Karşılama;Müşteri selamlandı mı?;Evet/Hayır;;1;evet\n"
    'Karşılama;Personel ne kadar yardımcı oldu?;Çoktan seçmeli;"Çok (100) | Biraz (50) | '
    'Hiç (0)";2;\n'
    "Kasa;Fiş verildi mi?;Evet/Hayır;;1;\n"
)


def bad_cells_workbook(path: Path) -> Path:
    """One bad cell per kind, header in row 2 under a title."""
    rows: list[list[Any]] = [
        ["Store checklist"],
        ["Section", "Question", "Type", "Options", "Weight", "Critical", "Applies if"],
        ["Entrance", "Door clean", "Yes/No", "", 1, "", ""],
        ["Entrance", "Greeting", "Smiley", "", 1, "", ""],
        ["Entrance", "Offer", "Multiple choice", "Yes (1OO) | No (0)", 1, "", ""],
        ["Entrance", "Bags", "Yes/No", "", "two", "", ""],
        ["Entrance", "Music", "Yes/No", "", 1, "maybe", ""],
        ["Entrance", "Lights", "Yes/No", "", 1, "", "Only if Q42 = Yes"],
        ["", "", "", "", 3, "", ""],
    ]
    return write_rows(path, "Questions", rows)


def model_rule_workbook(path: Path) -> Path:
    """Every cell reads, but the checklist breaks the model's rules: no option scores full
    points, a percentage target above 100."""
    rows: list[list[Any]] = [
        ["Section", "Question", "Type", "Options", "Target", "Direction"],
        ["Shelf", "Price labels", "Multiple choice", "Good (0.5) | Bad (0)", "", ""],
        ["Shelf", "Organic share", "%", "", 150, "at least"],
    ]
    return write_rows(path, "Questions", rows)


def skip_logic_workbook(path: Path) -> Path:
    """Unscored questions (weight 0) beside scored ones and questions asked only when
    another was answered a certain way (needs the checklist model's weight 0 and
    ``applies_if``)."""
    rows: list[list[Any]] = [
        ["No.", "Section", "Question", "Type", "Options", "Weight", "Applies if"],
        ["Q1", "Fitting room", "Was the fitting room open?", "Yes/No", "", 1, ""],
        ["Q2", "Fitting room", "Was it clean?", "Yes/No", "", 1, "Only if Q1 = Yes"],
        [
            "Q3",
            "Fitting room",
            "What was offered?",
            "Multiple choice",
            f"Nothing (0) | A size (50) | {LONG_OPTION} (100)",
            1,
            "",
        ],
        ["Q4", "Fitting room", "Which staff member?", "Text", "", 0, "Q3 in (a size, nothing)"],
        ["Q5", "Fitting room", "Store music volume", "Rating 1-5", "", 0, ""],
    ]
    return write_rows(path, "Fitting rooms", rows)
