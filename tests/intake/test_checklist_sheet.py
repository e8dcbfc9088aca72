"""Checklists from spreadsheets of questions as chains keep them: generated workbooks and CSV
files (banner rows, headers in Spanish, Catalan, Romanian and Turkish, friendly type words,
options with points) read into whole checklists, and bad cells named at their cells."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit_app.domain.checklist import DEFAULT_GRADES, YesNoItem
from audit_app.services.checklist_sheets import read_checklist_sheet
from tests.intake import checklist_files as files

NEEDS_CHECKLIST_MODEL = pytest.mark.skipif(
    "applies_if" not in YesNoItem.model_fields,
    reason="needs the checklist-model branch (weight 0 and applies_if in the model)",
)
GRADES = [{"min": g.min, "label": g.label} for g in DEFAULT_GRADES]


def _item(item_id: str, text: dict[str, str], kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "text": text,
        "weight": extra.pop("weight", 1.0),
        "na_allowed": extra.pop("na_allowed", False),
        "critical": extra.pop("critical", False),
        **extra,
        "type": kind,
    }


def _read(path: Path, **options: Any) -> Any:
    return read_checklist_sheet(path.name, path.read_bytes(), **options)


def _same(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Whole dicts, keys in any order (items keep their own order)."""
    assert _sorted(actual) == _sorted(expected)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def test_programme_under_a_title_with_banner_sections_in_two_languages(tmp_path: Path) -> None:
    path = files.programme_workbook(tmp_path / "programa.xlsx")
    result = _read(path, checklist_id="mystery", version=3)
    assert result.issues == ()
    assert (result.sheet, result.header_row, result.questions) == ("Cliente misterioso", 4, 6)
    assert result.banners == (5, 9) and result.blank_rows == (8,)
    assert result.checklist is not None
    _same(
        result.checklist.to_data(),
        {
            "id": "mystery",
            "version": 3,
            "title": {"es": "Cliente misterioso"},
            "languages": ["es", "ca"],
            "pass_mark": 75.0,
            "grades": GRADES,
            "critical_rule": "flag",
            "sections": [
                {
                    "id": "bienvenida",
                    "title": {"es": "Bienvenida"},
                    "items": [
                        _item(
                            "bienvenida.saludo_al_entrar",
                            {"es": "¿Saludó al entrar?", "ca": "Va saludar en entrar?"},
                            "yes_no",
                            weight=2.0,
                            critical=True,
                        ),
                        _item(
                            "bienvenida.tiempo_de_espera_segundos",
                            {"es": "Tiempo de espera (segundos)", "ca": "Temps d'espera (segons)"},
                            "number",
                            guidance={"es": "Contar desde la entrada"},
                            target=30.0,
                            direction="at_most",
                        ),
                    ],
                },
                {
                    "id": "producto",
                    "title": {"es": "Producto"},
                    "items": [
                        _item(
                            "producto.ofrecio_una_alternativa",
                            {"es": "¿Ofreció una alternativa?", "ca": "Va oferir una alternativa?"},
                            "choice",
                            na_allowed=True,
                            options=[
                                {
                                    "value": "si_la_misma",
                                    "points": 1.0,
                                    "label": {"es": "Sí, la misma"},
                                },
                                {
                                    "value": "the_staff_member_offered_an_alternative_product_from"
                                    "_the_same_ra",
                                    "points": 0.5,
                                    "label": {"es": files.LONG_OPTION},
                                },
                                {"value": "no", "points": 0.0, "label": {"es": "No"}},
                            ],
                        ),
                        _item(
                            "producto.trato_general",
                            {"es": "Trato general", "ca": "Tracte general"},
                            "scale",
                            weight=1.5,
                            min=1,
                            max=5,
                        ),
                        _item(
                            "producto.producto_ecologico",
                            {"es": "Producto ecológico (%)", "ca": "Producte ecològic (%)"},
                            "percentage",
                            target=80.0,
                            direction="at_least",
                        ),
                        _item(
                            "producto.comentarios",
                            {"es": "Comentarios", "ca": "Comentaris"},
                            "text",
                        ),
                    ],
                },
            ],
        },
    )


def test_romanian_headers_merged_section_column_and_points_after_equals(tmp_path: Path) -> None:
    path = files.section_column_workbook(tmp_path / "magazin.xlsx")
    result = _read(path, checklist_id="magazin", title="Magazin")
    assert result.issues == () and result.header_row == 2
    assert result.checklist is not None
    _same(
        result.checklist.to_data(),
        {
            "id": "magazin",
            "version": 1,
            "title": {"ro": "Magazin"},
            "languages": ["ro"],
            "pass_mark": 75.0,
            "grades": GRADES,
            "critical_rule": "flag",
            "sections": [
                {
                    "id": "vitrina",
                    "title": {"ro": "Vitrina"},
                    "items": [
                        _item("v1", {"ro": "Vitrina este curată"}, "yes_no"),
                        _item(
                            "v2",
                            {"ro": "Prețurile sunt afișate"},
                            "choice",
                            weight=2.0,
                            options=[
                                {"value": "da", "points": 1.0},
                                {"value": "partial", "points": 0.5, "label": {"ro": "parțial"}},
                                {"value": "nu", "points": 0.0},
                            ],
                        ),
                    ],
                },
                {
                    "id": "casa",
                    "title": {"ro": "Casa"},
                    "items": [
                        _item("c1", {"ro": "Bonul a fost oferit"}, "yes_no"),
                        _item("c2", {"ro": "Timp la casă"}, "scale", min=1, max=10),
                    ],
                },
            ],
        },
    )


def test_turkish_csv_with_semicolons_and_the_file_name_as_title(tmp_path: Path) -> None:
    path = tmp_path / "Magaza denetimi.csv"
    path.write_text(files.TURKISH_CSV, encoding="utf-8")
    result = _read(path, checklist_id="denetim")
    assert result.issues == ()
    assert result.checklist is not None
    data = result.checklist.to_data()
    assert (data["title"], data["languages"]) == ({"tr": "Magaza denetimi"}, ["tr"])
    assert [(s["id"], [i["id"] for i in s["items"]]) for s in data["sections"]] == [
        (
            "karsilama",
            ["karsilama.musteri_selamlandi_mi", "karsilama.personel_ne_kadar_yardimci_oldu"],
        ),
        ("kasa", ["kasa.fis_verildi_mi"]),
    ]
    assert data["sections"][0]["items"][1]["options"] == [
        {"value": "cok", "points": 1.0, "label": {"tr": "Çok"}},
        {"value": "biraz", "points": 0.5, "label": {"tr": "Biraz"}},
        {"value": "hic", "points": 0.0, "label": {"tr": "Hiç"}},
    ]
    assert data["sections"][0]["items"][0]["critical"] is True


def test_every_bad_cell_is_named_and_nothing_is_made(tmp_path: Path) -> None:
    path = files.bad_cells_workbook(tmp_path / "bad.xlsx")
    result = _read(path, checklist_id="bad")
    assert result.checklist is None and not result.ok
    assert [(i.code.value, str(i)) for i in result.issues] == [
        (
            "checklist_type_unknown",
            "Questions!C4: 'Smiley' is not a question type (write one of: Yes/No, Rating 1-5, "
            "Multiple choice, Number, %, Text, Date, Photo)",
        ),
        ("checklist_options_invalid", "Questions!D5: 'Yes (1OO)' has no number in brackets"),
        ("checklist_cell_invalid", "Questions!E6: 'two' is not a number"),
        ("checklist_cell_invalid", "Questions!F7: 'maybe' is not yes or no"),
        (
            "checklist_condition_invalid",
            "Questions!G8: 'Q42' names no question of this sheet (use its id or number)",
        ),
        (
            "checklist_row_invalid",
            "Questions!E9: this row has no question (write one, or clear the row)",
        ),
    ]


def test_a_rule_of_the_model_is_named_at_its_cell(tmp_path: Path) -> None:
    path = files.model_rule_workbook(tmp_path / "rules.xlsx")
    result = _read(path, checklist_id="rules")
    assert [(i.code.value, i.sheet, i.cell) for i in result.issues] == [
        ("checklist_rule_broken", "Questions", "E3")
    ]
    assert "less than or equal to 100" in result.issues[0].message


def test_no_option_at_full_points_is_named_at_the_options_cell(tmp_path: Path) -> None:
    rows = [
        ["Section", "Question", "Type", "Options"],
        ["Shelf", "Price labels", "Multiple choice", "Good (0.5) | Bad (0)"],
    ]
    path = files.write_rows(tmp_path / "points.xlsx", "Questions", rows)
    result = _read(path, checklist_id="points")
    assert [(i.code.value, str(i)) for i in result.issues] == [
        (
            "checklist_rule_broken",
            "Questions!D2: no option scores full points (1) (sections[0].items[0].options)",
        )
    ]


def test_a_sheet_without_a_question_column_is_refused_with_one_issue(tmp_path: Path) -> None:
    path = files.write_rows(tmp_path / "x.xlsx", "Data", [["Store", "Date"], ["S1", "2025-01-01"]])
    result = _read(path, checklist_id="x")
    assert [i.code.value for i in result.issues] == ["header_not_found"]


def test_a_file_that_is_no_spreadsheet_is_one_issue(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK")
    result = _read(path, checklist_id="x")
    assert [i.code.value for i in result.issues] == ["file_unreadable"]


def test_generated_ids_are_stable_and_unique(tmp_path: Path) -> None:
    rows = [
        ["Section", "Question"],
        ["Door", "Clean?"],
        ["Door", "Clean!"],
        ["Door", "Open on time"],
    ]
    first = _read(files.write_rows(tmp_path / "a.xlsx", "Q", rows), checklist_id="a").checklist
    rows.insert(2, ["Door", "Signs visible"])
    second = _read(files.write_rows(tmp_path / "b.xlsx", "Q", rows), checklist_id="a").checklist
    assert first is not None and second is not None
    assert [i.id for i in first.items] == ["door.clean", "door.clean_2", "door.open_on_time"]
    assert [i.id for i in second.items] == [
        "door.clean",
        "door.signs_visible",
        "door.clean_2",
        "door.open_on_time",
    ]


def test_skip_logic_and_unscored_questions_read_into_the_model_names(tmp_path: Path) -> None:
    """Before the checklist model takes weight 0 and applies_if, the sheet's reading is
    checked here (the model refuses both, at their cells)."""
    from audit_app.domain.checklist_sheet.build import ChecklistRequest
    from audit_app.intake.checklist_sheet import read_checklist_file

    path = files.skip_logic_workbook(tmp_path / "skip.xlsx")
    reading = read_checklist_file(path.name, path.read_bytes(), ChecklistRequest("rooms")).reading
    assert reading.issues == ()
    assert reading.data is not None
    items = reading.data["sections"][0]["items"]
    assert [(i["id"], i["weight"], i.get("applies_if")) for i in items] == [
        ("fitting_room.was_the_fitting_room_open", 1.0, None),
        (
            "fitting_room.was_it_clean",
            1.0,
            {"item": "fitting_room.was_the_fitting_room_open", "equals": "yes"},
        ),
        ("fitting_room.what_was_offered", 1.0, None),
        (
            "fitting_room.which_staff_member",
            0.0,
            {"item": "fitting_room.what_was_offered", "in": ["a_size", "nothing"]},
        ),
        ("fitting_room.store_music_volume", 0.0, None),
    ]
    assert items[2]["options"][2]["label"] == {"en": files.LONG_OPTION}


@NEEDS_CHECKLIST_MODEL
def test_skip_logic_after_checklist_model(tmp_path: Path) -> None:
    """NEEDS the checklist-model branch (weight 0 and applies_if in the model)."""
    path = files.skip_logic_workbook(tmp_path / "skip.xlsx")
    result = _read(path, checklist_id="rooms")
    assert result.issues == ()
    assert result.checklist is not None
    items = result.checklist.to_data()["sections"][0]["items"]
    assert items[1]["applies_if"] == {
        "item": "fitting_room.was_the_fitting_room_open",
        "in": ["yes"],
    }
    assert items[3]["applies_if"] == {
        "item": "fitting_room.what_was_offered",
        "in": ["a_size", "nothing"],
    }
    assert [i["weight"] for i in items] == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_na_in_the_type_and_a_condition_on_a_bad_row_says_nothing_more(tmp_path: Path) -> None:
    rows = [
        ["No.", "Question", "Type", "Applies if"],
        ["Q1", "Door open", "Yes/No/N/A", ""],
        ["Q2", "Greeting", "Smiley", ""],
        ["Q3", "Smile", "Yes/No", "Only if Q2 = Yes"],
    ]
    result = _read(files.write_rows(tmp_path / "t.xlsx", "Q", rows), checklist_id="t")
    assert [str(i) for i in result.issues] == [
        "Q!C3: 'Smiley' is not a question type (write one of: Yes/No, Rating 1-5, "
        "Multiple choice, Number, %, Text, Date, Photo)"
    ]
    rows[2][2] = "Yes/No"
    from audit_app.domain.checklist_sheet.build import ChecklistRequest
    from audit_app.intake.checklist_sheet import read_checklist_file

    path = files.write_rows(tmp_path / "v.xlsx", "Q", rows)
    data = read_checklist_file(path.name, path.read_bytes(), ChecklistRequest("v")).reading.data
    assert data is not None
    first = data["sections"][0]["items"][0]
    assert (first["type"], first["na_allowed"]) == ("yes_no", True)


def test_a_csv_file_under_a_title_line_names_its_lines_as_in_the_file(tmp_path: Path) -> None:
    text = (
        "Store checklist 2025\r\n"
        "\r\n"
        "Section,Question,Type,Options,Weight\r\n"
        "Door,Door clean,Yes/No,,1\r\n"
        'Door,Offer,Multiple choice,"Yes (100)\r\nPartly (50)\r\nNo (0)",2\r\n'
    )
    path = tmp_path / "Store.csv"
    path.write_text(text, encoding="utf-8", newline="")
    result = _read(path, checklist_id="store")
    assert result.issues == () and result.header_row == 3
    assert result.checklist is not None
    [offer] = [i for i in result.checklist.items if i.id == "door.offer"]
    assert offer.model_dump(mode="json", exclude_none=True) == {
        "id": "door.offer",
        "text": {"en": "Offer"},
        "weight": 2.0,
        "na_allowed": False,
        "critical": False,
        "type": "choice",
        "options": [
            {"value": "yes", "points": 1.0, "label": {"en": "Yes"}},
            {"value": "partly", "points": 0.5, "label": {"en": "Partly"}},
            {"value": "no", "points": 0.0, "label": {"en": "No"}},
        ],
    }
    path.write_text(text.replace("Yes (100)", "Yes (1OO)"), encoding="utf-8", newline="")
    assert [str(i) for i in _read(path, checklist_id="store").issues] == [
        "line 5, column Options: 'Yes (1OO)' has no number in brackets"
    ]
