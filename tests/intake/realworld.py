"""Real-world-style files for tests, written with openpyxl the way agencies send them:
merged title rows, banner rows, the header in row 3, answers with points attached, text
percentages, decimal commas, numbers stored as text, subtotal, separator and closed rows.

Each builder writes one file and returns what a correct reading of it gives: the answers
per branch after ``normalise`` and ``parse_answer``, and the rows skipped by reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

Expected = dict[str, dict[str, tuple[Any, bool, str | None]]]
"""Branch code -> item id -> (value, N/A, comment)."""


@dataclass(frozen=True)
class RealWorldFile:
    path: Path
    checklist_id: str
    sheet: str
    header_row: int
    expected: Expected
    skipped: dict[str, int]


def _put_row(sheet: Worksheet, row: int, first_column: int, values: Sequence[Any]) -> None:
    for offset, value in enumerate(values):
        if value is not None and value != "":
            sheet.cell(row=row, column=first_column + offset, value=value)


def _title_and_banner(
    sheet: Worksheet,
    first_column: int,
    width: int,
    title: str,
    banners: Sequence[tuple[str, int, int]],
) -> None:
    """Row 1: a title merged across the table; row 2: section banners merged over columns."""
    last = get_column_letter(first_column + width - 1)
    sheet.cell(row=1, column=first_column, value=title)
    sheet.merge_cells(f"{get_column_letter(first_column)}1:{last}1")
    for text, start, end in banners:
        sheet.cell(row=2, column=first_column + start, value=text)
        if end > start:
            sheet.merge_cells(
                f"{get_column_letter(first_column + start)}2:"
                f"{get_column_letter(first_column + end)}2"
            )


SOURCING_HEADER = [
    "Store",
    "Store code",
    "Visit date",
    "Inspector",
    "Organic share of fresh produce (%)",
    "Organic share - dry goods",
    "Preservative-free share of the range",
    "Q4. Organic products are labelled as such on the shelf",
    "shelf.origin_shown",
    "Supplier certificates on file and current",
    "Inspector's notes",
    "Total score",
]


def write_agency_sourcing(folder: Path) -> RealWorldFile:
    """A wide monthly agency workbook for the ``sourcing`` checklist, sheet 'Audits May'
    (a 'Summary' sheet follows). Fresh-produce shares are text ('91%', '74.00%', '91,5 %'),
    dry goods are percentage cells (0.88 shown as 88 %), preservative-free shares are
    numbers and numbers stored as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Audits May"
    _title_and_banner(
        sheet,
        1,
        len(SOURCING_HEADER),
        "Green Grocer - sourcing inspections - May 2026 (QualiCheck)",
        [
            ("Visit", 0, 3),
            ("Sourcing shares", 4, 6),
            ("Shelf and records", 7, 9),
            ("Notes", 10, 11),
        ],
    )
    _put_row(sheet, 3, 1, SOURCING_HEADER)
    # fmt: off
    rows: list[list[Any]] = [
        ["Barcelona Gràcia", "ES-CAT-01", "03/05/2026", "Anna Puig", "91%", 0.88, "100",
         "Yes (100.00)", "Sí", "Yes", "All fine", 96.2],
        ["Girona Centre", "ES-CAT-02", datetime(2026, 5, 4), "Jordi Vila", "74.00%", 0.93, 98.5,
         "No (0.00)", "No", "No - 2 of 5 certificates expired", "", 41.0],
        [],
        ["— Romania —"],
        ["Cluj Centru", "RO-TRA-01", "12.05.2026", "Ioana Pop", "Closed"],
        ["București Unirii", "RO-BUC-01", "2026-05-14", "Ioana Pop", "'91,5 %", 1, "99,0",
         "Da (100.00)", "Nu", "Da", "Lipsă etichete", 80.0],
        ["İstanbul Kadıköy", "TR-IST-01", "15-05-2026", "Mehmet Kaya", "88 %", 0.905, "100",
         "Evet (100.00)", "Hayır", "Evet", None, 79.5],
        ["Average", None, None, None, "81,1%", 0.9, 99.4, None, None, None, None, 74.2],
        ["Girona Nord", "ES-CAT-05", "16/05/2026", "Jordi Vila", "Tancat - reformes"],
        ["Total", None, None, None, None, None, None, None, None, None, None, 296.7],
    ]
    # fmt: on
    for offset, values in enumerate(rows):
        _put_row(sheet, 4 + offset, 1, values)
    for row in range(4, 4 + len(rows)):
        sheet.cell(row=row, column=6).number_format = "0%"
    summary = workbook.create_sheet("Summary")
    summary.append(["Region", "Average"])
    summary.append(["Catalonia", 68.6])
    path = folder / "agency_sourcing_2026-05.xlsx"
    workbook.save(path)
    yes, no = (True, False, None), (False, False, None)
    return RealWorldFile(
        path,
        "sourcing",
        "Audits May",
        3,
        {
            "ES-CAT-01": {
                "share.organic_fresh": (91.0, False, None),
                "share.organic_dry": (88.0, False, None),
                "share.preservative_free": (100.0, False, None),
                "shelf.organic_labelled": yes,
                "shelf.origin_shown": yes,
                "records.certificates": yes,
                "notes.inspector": ("All fine", False, None),
            },
            "ES-CAT-02": {
                "share.organic_fresh": (74.0, False, None),
                "share.organic_dry": (93.0, False, None),
                "share.preservative_free": (98.5, False, None),
                "shelf.organic_labelled": no,
                "shelf.origin_shown": no,
                "records.certificates": (False, False, "2 of 5 certificates expired"),
                "notes.inspector": (None, False, None),
            },
            "RO-BUC-01": {
                "share.organic_fresh": (91.5, False, None),
                "share.organic_dry": (100.0, False, None),
                "share.preservative_free": (99.0, False, None),
                "shelf.organic_labelled": yes,
                "shelf.origin_shown": no,
                "records.certificates": yes,
                "notes.inspector": ("Lipsă etichete", False, None),
            },
            "TR-IST-01": {
                "share.organic_fresh": (88.0, False, None),
                "share.organic_dry": (90.5, False, None),
                "share.preservative_free": (100.0, False, None),
                "shelf.organic_labelled": yes,
                "shelf.origin_shown": no,
                "records.certificates": yes,
                "notes.inspector": (None, False, None),
            },
        },
        {"blank": 1, "separator": 1, "rule": 2, "subtotal": 2},
    )


PHONE_HEADER = [
    "Branch",
    "Code",
    "Date",
    "Time",
    "Mystery shopper",
    "Q1 Rings before the call is answered",
    "Q2 Greeting gives own name, company name and offers help",
    "Q3 Employee speaks clearly",
    "Q4 Tone is friendly (1-5)",
    "Q5 Putting the caller on hold",
    "Q6 Employee checks every question was answered",
    "Q7 Employee asks whether anything else is needed",
    "Q8 Voicemail greeting is current",
    "Q9 Hours until a voicemail message is returned",
    "Score",
]


def write_agency_phone(folder: Path) -> RealWorldFile:
    """A wide workbook for ``greeting_phone`` whose table starts in column B: N/A with a
    reason, answers in several languages, a choice by its label, '4/5' on a scale,
    numbers stored as text, decimal commas, time cells and time text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Calls"
    _title_and_banner(
        sheet,
        2,
        len(PHONE_HEADER),
        "Telephone mystery calls, May 2026",
        [("Call", 0, 4), ("Answering and the call", 5, 11), ("Voicemail", 12, 13)],
    )
    _put_row(sheet, 3, 2, PHONE_HEADER)
    # fmt: off
    rows: list[list[Any]] = [
        ["Barcelona Gràcia", "ES-CAT-01", "23/05/2026", "10:15", "Marta Soler", "3",
         "Yes (100.00)", "Sí", "4", "Not put on hold", "Yes", "Yes",
         "N/A - branch has no voicemail", "N/A: no message could be left", 88.0],
        ["Cluj Centru", "RO-TRA-01", datetime(2026, 5, 24), time(16, 40), "Ioana Pop", 5,
         "No (0.00)", "Nu", "4/5", "asked first", "Da", "Nu", "Da", "2,5", 52.0],
        PHONE_HEADER,  # the header printed again, as on a new page
        ["İzmir Alsancak", "TR-EGE-01", "25.05.2026", "09:05", "Mehmet Kaya", "6 rings",
         "Evet (100.00)", "Evet", 5, "Put on hold without asking", "Hayır", "Evet", "Hayır",
         12, 61.0],
        ["Subtotal", None, None, None, None, "4,7", None, None, None, None, None, None, None,
         None, 67.0],
        ["İzmir Karşıyaka", "TR-EGE-02", "26.05.2026", "11:00", "Mehmet Kaya", "Kapalı"],
    ]
    # fmt: on
    for offset, values in enumerate(rows):
        _put_row(sheet, 4 + offset, 2, values)
    path = folder / "phone_calls_may.xlsx"
    workbook.save(path)
    return RealWorldFile(
        path,
        "greeting_phone",
        "Calls",
        3,
        {
            "ES-CAT-01": {
                "answer.rings": (3.0, False, None),
                "answer.greeting": (True, False, None),
                "call.clear_speech": (True, False, None),
                "call.tone": (4, False, None),
                "call.hold": ("never", False, None),
                "call.all_answered": (True, False, None),
                "call.anything_else": (True, False, None),
                "voicemail.greeting_current": (None, True, "branch has no voicemail"),
                "voicemail.return_hours": (None, True, "no message could be left"),
            },
            "RO-TRA-01": {
                "answer.rings": (5.0, False, None),
                "answer.greeting": (False, False, None),
                "call.clear_speech": (False, False, None),
                "call.tone": (4, False, None),
                "call.hold": ("asked_first", False, None),
                "call.all_answered": (True, False, None),
                "call.anything_else": (False, False, None),
                "voicemail.greeting_current": (True, False, None),
                "voicemail.return_hours": (2.5, False, None),
            },
            "TR-EGE-01": {
                "answer.rings": (6.0, False, None),
                "answer.greeting": (True, False, None),
                "call.clear_speech": (True, False, None),
                "call.tone": (5, False, None),
                "call.hold": ("without_asking", False, None),
                "call.all_answered": (False, False, None),
                "call.anything_else": (True, False, None),
                "voicemail.greeting_current": (False, False, None),
                "voicemail.return_hours": (12.0, False, None),
            },
        },
        {"subtotal": 1, "repeated_header": 1, "rule": 1},
    )


LONG_HEADER = ["Tienda", "Código", "Fecha", "Evaluador", "Pregunta", "Respuesta", "Comentario"]
IN_PERSON_QUESTIONS = [
    "1. Seconds until an employee greets the customer",
    "2. Employee acknowledges the customer promptly and courteously",
    "welcome.eye_contact",
    "4. Employee offers help",
    "5. Attitude matches the brand values",
    "6. Employee stays professional when the complaint is not their fault",
    "7. When unsure, employee asks a manager or takes contact details",
    "8. Employee thanks the customer",
]


def write_long_in_person(folder: Path) -> RealWorldFile:
    """A long workbook (one row per answer) for ``greeting_in_person`` in Spanish: the
    visit cells of the first visit are merged down over its answer rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Respuestas"
    _title_and_banner(sheet, 1, len(LONG_HEADER), "Visitas de cliente misterioso - mayo", [])
    _put_row(sheet, 3, 1, LONG_HEADER)
    first = ["Barcelona Gràcia", "ES-CAT-01", "05/05/2026", "Lucía Gómez"]
    answers_1 = ["12", "Sí", "No", "Sí (100.00)", "4", "Sí", "N/A - sabía la respuesta", "Sí"]
    comments_1 = [None, None, "Mirando el móvil", None, None, None, None, "Muy amable"]
    row = 4
    for question, answer, comment in zip(IN_PERSON_QUESTIONS, answers_1, comments_1, strict=True):
        _put_row(sheet, row, 1, [*(first if row == 4 else [None] * 4), question, answer, comment])
        row += 1
    for column in "ABCD":
        sheet.merge_cells(f"{column}4:{column}{row - 1}")
    second = ["Girona Centre", "ES-CAT-02", "2026-05-06", "Lucía Gómez"]
    answers_2 = ["7,5", "Si", "Sí", "No", 5, "No - culpó a la central", "Sí", "No"]
    for question, answer in zip(IN_PERSON_QUESTIONS, answers_2, strict=True):
        _put_row(sheet, row, 1, [*second, question, answer])
        row += 1
    _put_row(
        sheet, row, 1, ["Girona Nord", "ES-CAT-05", "07/05/2026", "Pere Roca", None, "Cerrado"]
    )
    _put_row(sheet, row + 1, 1, ["Media", None, None, None, None, "85%"])
    path = folder / "visitas_mayo_largo.xlsx"
    workbook.save(path)
    return RealWorldFile(
        path,
        "greeting_in_person",
        "Respuestas",
        3,
        {
            "ES-CAT-01": {
                "welcome.seconds_to_greet": (12.0, False, None),
                "welcome.acknowledged": (True, False, None),
                "welcome.eye_contact": (False, False, "Mirando el móvil"),
                "welcome.offered_help": (True, False, None),
                "conduct.brand_attitude": (4, False, None),
                "conduct.not_at_fault": (True, False, None),
                "conduct.unsure": (None, True, "sabía la respuesta"),
                "close.thanks": (True, False, "Muy amable"),
            },
            "ES-CAT-02": {
                "welcome.seconds_to_greet": (7.5, False, None),
                "welcome.acknowledged": (True, False, None),
                "welcome.eye_contact": (True, False, None),
                "welcome.offered_help": (False, False, None),
                "conduct.brand_attitude": (5, False, None),
                "conduct.not_at_fault": (False, False, "culpó a la central"),
                "conduct.unsure": (True, False, None),
                "close.thanks": (False, False, None),
            },
        },
        {"rule": 1, "subtotal": 1},
    )


CSV_LINES = [
    "Informe de visites - maig 2026;;;;;;;;;;;",
    "Botiga;Codi;Data;Avaluador;welcome.seconds_to_greet;Employee acknowledges the customer "
    "promptly and courteously;Employee makes eye contact and smiles;Employee offers help;"
    "Attitude matches the brand values;conduct.not_at_fault;When unsure, employee asks a "
    "manager or takes contact details;Employee thanks the customer",
    "Barcelona Gràcia;ES-CAT-01;05/05/2026;Núria Vidal;7,5;Sí;Sí;No (0.00);4;Sí;N/A;Sí",
    'Lleida;ES-CAT-04;06.05.2026;Núria Vidal;"12,0";Sí;No;Sí;3/5;No;Sí;Sí',
    ";;;;;;;;;;;",
    "Tarragona Port;ES-CAT-03;07/05/2026;Núria Vidal;Tancat;;;;;;;",
    "Mitjana;;;;9,75;;;;3,5;;;",
]


def write_csv_in_person(folder: Path) -> RealWorldFile:
    """A CSV export (UTF-8 with BOM, ``;``) for ``greeting_in_person`` in Catalan, with a
    banner line above the header, item ids as some headers, decimal commas."""
    path = folder / "visites_maig.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(CSV_LINES).encode("utf-8") + b"\r\n")
    return RealWorldFile(
        path,
        "greeting_in_person",
        "",
        2,
        {
            "ES-CAT-01": {
                "welcome.seconds_to_greet": (7.5, False, None),
                "welcome.acknowledged": (True, False, None),
                "welcome.eye_contact": (True, False, None),
                "welcome.offered_help": (False, False, None),
                "conduct.brand_attitude": (4, False, None),
                "conduct.not_at_fault": (True, False, None),
                "conduct.unsure": (None, True, None),
                "close.thanks": (True, False, None),
            },
            "ES-CAT-04": {
                "welcome.seconds_to_greet": (12.0, False, None),
                "welcome.acknowledged": (True, False, None),
                "welcome.eye_contact": (False, False, None),
                "welcome.offered_help": (True, False, None),
                "conduct.brand_attitude": (3, False, None),
                "conduct.not_at_fault": (False, False, None),
                "conduct.unsure": (True, False, None),
                "close.thanks": (True, False, None),
            },
        },
        {"blank": 1, "rule": 1, "subtotal": 1},
    )


def write_bulk_wide(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """A plain wide workbook (title in row 1, header in row 2), e.g. for speed checks."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Visits")
    sheet.append(["Monthly results"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path
