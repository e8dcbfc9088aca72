"""The words of a checklist spreadsheet: headers in five languages, type words, options with
points written three ways, conditions, flags; each read whole or refused in words."""

from __future__ import annotations

import pytest

from audit_app.domain.checklist_sheet.cells import (
    CellProblem,
    ConditionCell,
    OptionCell,
    read_condition,
    read_flag,
    read_options,
)
from audit_app.domain.checklist_sheet.columns import find_columns, header_score, read_header


@pytest.mark.parametrize(
    ("header", "found"),
    [
        ("Question", ("question", None)),
        ("Question (ca)", ("question", "ca")),
        ("Question [RO]", ("question", "ro")),
        ("Question - tr", ("question", "tr")),
        ("Pregunta", ("question", "es")),
        ("Întrebare", ("question", "ro")),
        ("Soru", ("question", "tr")),
        ("Criteri", ("question", "ca")),
        ("Secció", ("section", "ca")),
        ("Bölüm", ("section", "tr")),
        ("Section weight", ("section_weight", None)),
        ("Item ID", ("item_id", None)),
        ("Nº", ("number", None)),
        ("Tipo de respuesta", ("type", None)),
        ("Answer options", ("options", None)),
        ("Opțiuni (ro)", ("options", "ro")),
        ("Peso", ("weight", None)),
        ("Ağırlık", ("weight", None)),
        ("Crítico", ("critical", None)),
        ("N/A allowed?", ("na_allowed", None)),
        ("Obligatorio", ("required", None)),
        ("Only if", ("applies_if", None)),
        ("Guía (es)", ("guidance", "es")),
        ("Zero at", ("zero_at", None)),
        ("Store", None),
        ("Weight (ca)", None),
    ],
)
def test_headers_in_five_languages(header: str, found: tuple[str, str | None] | None) -> None:
    assert read_header(header) == found


def test_a_banner_or_a_data_row_is_no_header() -> None:
    assert header_score(["Mystery shopping programme 2025", "", ""]) == 0
    assert header_score(["Welcome", "Greeted at the door", "Yes/No"]) == 0
    assert header_score(["Sección", "Pregunta", "Tipo", "Opciones"]) == 4
    columns = find_columns(["Sección", "Pregunta", "Pregunta (ca)", "Pregunta", "Peso"])
    assert [(c.index, c.role, c.language) for c in columns] == [
        (0, "section", "es"),
        (1, "question", "es"),
        (2, "question", "ca"),
        (4, "weight", None),
    ]


@pytest.mark.parametrize(
    ("text", "options"),
    [
        (
            "Yes (100) | Partly (50) | No (0)",
            [
                OptionCell("yes", 1.0, "Yes"),
                OptionCell("partly", 0.5, "Partly"),
                OptionCell("no", 0.0, "No"),
            ],
        ),
        ("yes=1; no=0", [OptionCell("yes", 1.0, None), OptionCell("no", 0.0, None)]),
        (
            "Yes (100.00)\nNo, not at all (0)",
            [OptionCell("yes", 1.0, "Yes"), OptionCell("no_not_at_all", 0.0, "No, not at all")],
        ),
        (
            "[asked] Asked first (1)\n[never] (0,5)",
            [OptionCell("asked", 1.0, "Asked first"), OptionCell("never", 0.5, None)],
        ),
        ("Sí (100 %) | No (0 %)", [OptionCell("si", 1.0, "Sí"), OptionCell("no", 0.0, "No")]),
    ],
)
def test_options_with_points(text: str, options: list[OptionCell]) -> None:
    assert read_options(text) == options


def test_a_long_option_keeps_a_short_value_and_its_text() -> None:
    text = "x" * 30 + " " + "y" * 60
    [option, _] = read_options(f"{text} (100) | No (0)")
    assert (option.value, option.label) == ("x" * 30 + "_" + "y" * 33, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Yes (1OO) | No (0)", "'Yes (1OO)' has no number in brackets"),
        ("Yes | No", "'Yes' has no points: write them in brackets, e.g. Yes (100)"),
        ("yes=one; no=0", "'yes=one' has no number after '='"),
        ("Yes (150) | No (0)", "'Yes (150)': points go up to 100 (or up to 1)"),
        ("[Bad Value] Yes (1) | No (0)", "'[Bad Value] Yes (1)': [Bad Value] is not a value"),
        ("(100) | No (0)", "'(100)' has no text before its points"),
        (
            "Good (10) | Fair (5) | Poor (0)",
            "points are read out of 100 (or out of 1), and the best option here has 10",
        ),
    ],
)
def test_options_refused_in_words(text: str, reason: str) -> None:
    with pytest.raises(CellProblem) as refused:
        read_options(text)
    assert str(refused.value).startswith(reason)


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("Only if Q3 = Yes", ConditionCell("Q3", ("Yes",))),
        ("if q3 is no", ConditionCell("q3", ("no",))),
        (
            "phone.hold in (never, asked_first)",
            ConditionCell("phone.hold", ("never", "asked_first")),
        ),
        ("Solo si P2 = Sí", ConditionCell("P2", ("Sí",))),
        ("Q4 = 'a size' or 'nothing'", ConditionCell("Q4", ("a size", "nothing"))),
    ],
)
def test_conditions(text: str, condition: ConditionCell) -> None:
    assert read_condition(text) == condition


def test_a_condition_without_an_answer_is_refused() -> None:
    with pytest.raises(CellProblem, match="is not a condition"):
        read_condition("see Q3")


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("x", True),
        ("Sí", True),
        ("evet", True),
        (1, True),
        ("", None),
        (None, None),
        ("no", False),
        ("Hayır", False),
    ],
)
def test_flags(value: object, flag: bool | None) -> None:
    assert read_flag(value) is flag


@pytest.mark.parametrize(
    "header",
    ["Answers (points)", "Options (points)", "Options with points", "Answer options / points"],
)
def test_an_options_column_may_say_it_holds_points(header: str) -> None:
    """``Answers (points)`` was no known column, and a choice question was refused for
    missing options beside the column that held them (trial #16)."""
    assert read_header(header) == ("options", None)
