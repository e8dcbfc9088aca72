"""A checklist written as a spreadsheet and read back is the same checklist; registering puts
it where every command finds checklists, and never overwrites another content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit_app.checklists import Catalogue, load_checklist, parse_checklist
from audit_app.config import load_settings
from audit_app.domain.checklist import Checklist, YesNoItem
from audit_app.errors import AuditAppError
from audit_app.services.checklist_sheets import (
    ChecklistSheetRefused,
    import_checklist_file,
    read_checklist_sheet,
    register_checklist,
    workbook_of,
    write_bytes,
)

REPO = Path(__file__).resolve().parents[2]
STANDARD = sorted((REPO / "checklists").glob("*.yaml"))
NEEDS_CHECKLIST_MODEL = pytest.mark.skipif(
    "applies_if" not in YesNoItem.model_fields,
    reason="needs the checklist-model branch (weight 0 and applies_if in the model)",
)


def _round_trip(checklist: Checklist) -> Checklist:
    result = read_checklist_sheet(
        f"{checklist.id}.xlsx",
        workbook_of(checklist),
        checklist_id=checklist.id,
        version=checklist.version,
    )
    assert result.issues == ()
    assert result.checklist is not None
    return result.checklist


@pytest.mark.parametrize("path", STANDARD, ids=[p.name for p in STANDARD])
def test_every_standard_checklist_round_trips(path: Path) -> None:
    checklist = load_checklist(path)
    again = _round_trip(checklist)
    assert again.to_data() == checklist.to_data()
    assert again == checklist
    assert again.content_hash == checklist.content_hash


def _generated(**extra_item: Any) -> dict[str, Any]:
    return {
        "id": "generated",
        "version": 4,
        "title": {"en": "Generated", "ca": "Generat"},
        "languages": ["en", "ca"],
        "description": {"en": "Every field the sheet carries"},
        "channel": "in_person",
        "pass_mark": 70,
        "grades": [{"min": 80, "label": "Top"}, {"min": 0, "label": "Rest"}],
        "critical_rule": "zero",
        "action_due_days": {"critical": 1, "other": 9},
        "sections": [
            {
                "id": "s.one",
                "title": {"en": "One", "ca": "U"},
                "weight": 3,
                "items": [
                    {
                        "id": "s.one.choice",
                        "type": "choice",
                        "text": {"en": "Which?", "ca": "Quin?"},
                        "options": [
                            {
                                "value": "long",
                                "points": 1,
                                "label": {"en": "L" * 300 + " (kept)", "ca": "Llarg"},
                            },
                            {"value": "third", "points": 1 / 3},
                            {"value": "odd.value-x", "points": 0},
                        ],
                        "na_allowed": True,
                        "required": False,
                        "guidance": {"en": "Line one\nline two", "ca": "Guia"},
                    },
                    {
                        "id": "s.one.count",
                        "type": "number",
                        "text": {"en": "Count"},
                        "unit": "s",
                        "min": 0,
                        "max": 600,
                        "target": 30,
                        "direction": "at_most",
                        "zero_at": 120.5,
                        "weight": 2.5,
                        "critical": True,
                    },
                    *([extra_item] if extra_item else []),
                ],
            },
            {
                "id": "s.two",
                "title": {"en": "Two"},
                "weight": 1,
                "items": [
                    {
                        "id": "s.two.scale",
                        "type": "scale",
                        "text": {"en": "Rate"},
                        "min": 0,
                        "max": 10,
                    },
                    {
                        "id": "s.two.note",
                        "type": "text",
                        "text": {"en": "=SUM(A1)"},
                        "required": True,
                    },
                ],
            },
        ],
    }


def test_a_generated_checklist_with_labels_and_every_field_round_trips() -> None:
    checklist = parse_checklist(_generated())
    assert _round_trip(checklist) == checklist


@NEEDS_CHECKLIST_MODEL
def test_generated_with_weight_zero_and_applies_if_round_trips_after_checklist_model() -> None:
    """NEEDS the checklist-model branch: weight 0 and applies_if (items and sections)."""
    data = _generated(
        id="s.one.extra",
        type="yes_no",
        text={"en": "Only then"},
        weight=0,
        applies_if={"item": "s.one.choice", "in": ["long", "third"]},
    )
    data["sections"][1]["applies_if"] = {"item": "s.one.extra", "equals": True}
    items = data["sections"][0]["items"]
    items[0]["action"] = "never"
    items[1]["action"] = {"score_below": 0.8}
    checklist = parse_checklist(data)
    assert _round_trip(checklist) == checklist


def test_register_writes_the_yaml_once_and_refuses_other_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "checklists"
    folder.mkdir()
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(folder))
    checklist = parse_checklist(_generated())
    path = register_checklist(checklist, load_settings())
    assert path == folder / "generated.v4.yaml"
    assert Catalogue.from_folder(folder).get("generated", 4) == checklist
    assert register_checklist(checklist, load_settings()) == path  # same content: left as is
    changed = checklist.model_copy(update={"pass_mark": 50.0})
    with pytest.raises(AuditAppError, match=r"already exists with other content.*--version 5"):
        register_checklist(changed, load_settings())
    assert load_checklist(path) == checklist


def test_a_file_with_problems_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Question,Type\nDoor clean,Smiley\n", encoding="utf-8")
    with pytest.raises(ChecklistSheetRefused) as refused:
        import_checklist_file(bad, checklist_id="bad")
    assert [str(i) for i in refused.value.result.issues] == [
        "line 2, column Type: 'Smiley' is not a question type (write one of: Yes/No, "
        "Rating 1-5, Multiple choice, Number, %, Text, Date, Photo)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_written_bytes_replace_the_file_whole(tmp_path: Path) -> None:
    target = write_bytes(tmp_path / "out.xlsx", b"one")
    write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_an_action_policy_round_trips_through_the_sheet() -> None:
    # Issue #19: the checklist-level action policy is a setting row of the sheet.
    data = _generated()
    del data["action_due_days"]
    data["action_policy"] = {
        "opens_on": ["no", "score_below"],
        "score_below": 0.4,
        "due_days": {"critical": 1, "other": 9},
    }
    items = data["sections"][0]["items"]
    items[0]["action"] = "never"
    items[1]["action"] = {"score_below": 0.8}
    checklist = parse_checklist(data)
    assert _round_trip(checklist) == checklist


def test_an_action_rule_column_is_read_and_a_wrong_rule_named(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "Question,Type,Action rule\nDoor clean,Yes/No,never\nTone,Rating 1-5,0.8\n",
        encoding="utf-8",
    )
    checklist = import_checklist_file(good, checklist_id="good").checklist
    assert checklist is not None
    assert [i.action.model_dump() if i.action else None for i in checklist.items] == [
        "never",
        {"score_below": 0.8},
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("Question,Type,Action rule\nDoor clean,Yes/No,sometimes\n", encoding="utf-8")
    with pytest.raises(ChecklistSheetRefused) as refused:
        import_checklist_file(bad, checklist_id="bad")
    assert [str(i) for i in refused.value.result.issues] == [
        "line 2, column Action rule: 'sometimes' is not an action rule: write always, never, "
        "policy or a share of the points such as 0.8"
    ]


def test_a_photo_rule_round_trips_through_the_sheet() -> None:
    # Issue #20: photo_on_fail is a setting row (the checklist's) and a column (an item's).
    data = _generated()
    data["photo_on_fail"] = "required"
    items = data["sections"][0]["items"]
    items[0]["photo_on_fail"] = "optional"
    checklist = parse_checklist(data)
    assert _round_trip(checklist) == checklist


def test_a_photo_rule_column_is_read_in_its_words_and_a_wrong_rule_named(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "Question,Type,Foto obligatòria\nDoor clean,Yes/No,sí\nTone,Rating 1-5,\n"
        "Shelves,Yes/No,optional\n",
        encoding="utf-8",
    )
    checklist = import_checklist_file(good, checklist_id="good").checklist
    assert checklist is not None
    assert [i.photo_on_fail for i in checklist.items] == ["required", None, "optional"]
    bad = tmp_path / "bad.csv"
    bad.write_text("Question,Type,Photo on fail\nDoor clean,Yes/No,sometimes\n", encoding="utf-8")
    with pytest.raises(ChecklistSheetRefused) as refused:
        import_checklist_file(bad, checklist_id="bad")
    assert [str(i) for i in refused.value.result.issues] == [
        "line 2, column Photo on fail: 'sometimes' is not a photo rule: write required or optional"
    ]
