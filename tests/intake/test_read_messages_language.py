"""The problems people read about a file from outside come in the session's language
(the app calls the readers in the script thread, where ``_`` follows the session), still
naming the file, the sheet and the cell; in English they are as before."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from audit_app.checklists import Catalogue
from audit_app.domain.checklist_diff import diff_checklists
from audit_app.domain.intake.model import UnreadableFile
from audit_app.i18n import use_language
from audit_app.intake.branch_list.doubts import DoubtCode
from audit_app.intake.branch_list.reading import read_branch_sheet
from audit_app.intake.layouts.profile import parse_profile, read_with_profile
from audit_app.intake.source.grid import open_grid
from audit_app.intake.source.limits import Limits
from audit_app.intake.source.tabular import TableFileError, read_csv_bytes
from audit_app.services.checklist_sheets import read_checklist_sheet
from tests.intake import branch_lists
from tests.intake import checklist_files as files
from tests.intake.realworld import write_agency_sourcing
from tests.intake.test_mapping import SOURCING_PROFILE


def _long_cell_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "visits.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Visites"
    sheet["A1"] = "Store"
    sheet["B2"] = "x" * 40
    workbook.save(path)
    return path


def _cell_refusal(path: Path) -> str:
    with pytest.raises(UnreadableFile) as refused:
        open_grid(path, limits=Limits(max_cell_chars=30))
    return str(refused.value)


def test_a_refused_file_is_told_in_the_session_language_naming_its_sheet_and_cell(
    tmp_path: Path,
) -> None:
    path = _long_cell_workbook(tmp_path)
    assert _cell_refusal(path) == (
        "sheet 'Visites', cell B2 holds 40 characters; a cell may hold at most 30 "
        "(Excel's own limit)"
    )
    with use_language("ca"):
        catalan = _cell_refusal(path)
    assert catalan == (
        "el full 'Visites', la cel·la B2 conté 40 caràcters; una cel·la pot contenir com a "
        "màxim 30 (el límit del mateix Excel)"
    )


def test_a_refused_csv_names_the_file_first_in_every_language() -> None:
    data = b"Store,Date\n\x00,2025-05-01\n"
    with pytest.raises(TableFileError) as english:
        read_csv_bytes(data, "visits.csv")
    assert str(english.value) == ("visits.csv: holds NUL bytes (line 2); it is not a text CSV file")
    with use_language("ca"), pytest.raises(TableFileError) as catalan:
        read_csv_bytes(data, "visits.csv")
    assert str(catalan.value) == (
        "visits.csv: conté bytes NUL (línia 2); no és un fitxer CSV de text"
    )


def test_a_limit_in_a_refusal_is_written_as_the_language_writes_numbers(
    tmp_path: Path,
) -> None:
    path = _long_cell_workbook(tmp_path)
    with pytest.raises(UnreadableFile) as english:
        open_grid(path, limits=Limits(max_rows=1_000, max_cells=1))
    assert "at most 1 cells are read" in str(english.value)
    with use_language("ca"), pytest.raises(UnreadableFile) as catalan:
        open_grid(path, limits=Limits(max_rows=1_000, max_cells=1))
    assert str(catalan.value) == (
        "el full 'Visites' ocupa A1:B2, 4 cel·les; es llegeixen com a màxim 1 cel·les"
    )


def test_an_agency_layout_problem_is_told_in_the_session_language(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    made = write_agency_sourcing(tmp_path)
    checklist = catalogue.get("sourcing")
    data = yaml.safe_load(SOURCING_PROFILE)
    data["items"]["Shelf is tidy"] = "shelf.tidy"
    profile = parse_profile(data)
    english = read_with_profile(made.path, profile, checklist).issues
    with use_language("ca"):
        catalan = read_with_profile(made.path, profile, checklist).issues
    assert english[0].message == (
        "the mapping profile names item 'shelf.tidy', which checklist sourcing v1 does not have"
    )
    assert catalan[0].message == (
        "el perfil de correspondència indica l'element 'shelf.tidy', que la llista de control "
        "sourcing v1 no té"
    )
    assert (catalan[0].code, catalan[0].sheet, catalan[0].row) == (
        english[0].code,
        english[0].sheet,
        english[0].row,
    )


def test_a_branch_list_doubt_is_told_in_the_session_language(tmp_path: Path) -> None:
    made = branch_lists.write_employee_sheet(tmp_path)
    english = read_branch_sheet(made.path).doubts[0]
    with use_language("ca"):
        catalan = read_branch_sheet(made.path).doubts[0]
    assert english.code == catalan.code == DoubtCode.PEOPLE_NAMES
    assert (catalan.field, catalan.column, catalan.header) == (
        english.field,
        english.column,
        english.header,
    )
    assert english.message.startswith("column B 'Name', taken for the branch names, reads like")
    assert catalan.message.startswith(
        "la columna B 'Name', presa com a noms de les botigues, sembla contenir noms de persones"
    )
    assert "(5 de 5, p. ex. 'Ana Pérez')" in catalan.message


def test_a_checklist_sheet_problem_is_told_in_the_session_language(tmp_path: Path) -> None:
    rows = [
        ["No.", "Question", "Type"],
        ["Q1", "Door open", "Yes/No"],
        ["Q2", "Greeting", "Smiley"],
    ]
    path = files.write_rows(tmp_path / "t.xlsx", "Preguntes", rows)
    english = read_checklist_sheet(path.name, path.read_bytes(), checklist_id="t").issues
    with use_language("ca"):
        catalan = read_checklist_sheet(path.name, path.read_bytes(), checklist_id="t").issues
    assert [str(issue) for issue in english] == [
        "Preguntes!C3: 'Smiley' is not a question type (write one of: Yes/No, Rating 1-5, "
        "Multiple choice, Number, %, Text, Date, Photo)"
    ]
    assert [(i.code, i.sheet, i.cell) for i in catalan] == [
        (i.code, i.sheet, i.cell) for i in english
    ]
    assert catalan[0].message.startswith("'Smiley' no és un tipus de pregunta (escriu-ne un")


def test_the_checklist_diff_summary_is_in_the_session_language(catalogue: Catalogue) -> None:
    old = catalogue.get("greeting_in_person")
    data = old.to_data()
    data["version"] = old.version + 1
    data["sections"][0]["items"][0]["critical"] = not old.sections[0].items[0].critical
    new = type(old).model_validate(data)
    assert diff_checklists(old, new).summary() == "items: 1 changed"
    with use_language("ca"):
        diff = diff_checklists(old, new)
        assert diff.summary() == "elements: 1 canviat"
    assert diff.changes[0].field == "crític"
    assert {diff.changes[0].before, diff.changes[0].after} == {"sí", "no"}


def test_option_labels_naming_no_option_are_told_in_the_session_language(
    tmp_path: Path,
) -> None:
    rows = [
        ["No.", "Question", "Type", "Options", "Options (ca)"],
        [
            "Q1",
            "Greeting",
            "Multiple choice",
            "[good] Good (100) | [bad] Bad (0)",
            "[bo] Bo | [dolent] Dolent",
        ],
    ]
    path = files.write_rows(tmp_path / "t.xlsx", "Preguntes", rows)
    english = read_checklist_sheet(path.name, path.read_bytes(), checklist_id="t").issues
    with use_language("ca"):
        catalan = read_checklist_sheet(path.name, path.read_bytes(), checklist_id="t").issues
    assert [i.message for i in english] == ["[bo] is none of the options (good, bad)"]
    assert [i.message for i in catalan] == ["[bo] no és cap de les opcions (good, bad)"]
    assert [(i.sheet, i.cell) for i in catalan] == [(i.sheet, i.cell) for i in english]
