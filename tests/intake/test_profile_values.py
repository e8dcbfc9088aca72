"""What a file does not say in its rows, read through a profile: constants, values taken
from the file name, a sheet name or a cell, kinds and channels mapped, question ids that
keep items matched across reworded waves, and the wizard's report of what it guessed and
what the user must supply. Files are generated here or by ``tests/intake/waves.py``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from audit_app.checklists import Catalogue
from audit_app.domain.answers import Answer
from audit_app.domain.intake.check import AnswerReader
from audit_app.domain.intake.model import Cell
from audit_app.domain.intake.vocabulary import normalise
from audit_app.intake.layouts.profile import parse_profile, read_with_profile
from audit_app.intake.layouts.profile.constants import parse_constants
from audit_app.intake.layouts.profile.profile import MappingProfile, ProfileError
from audit_app.intake.layouts.profile.suggest import suggest_profile
from tests.intake import waves

REPO = Path(__file__).resolve().parents[2]
ITEM_COLUMNS = {"Greeted": "welcome.acknowledged", "Thanked": "close.thanks"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_folder(REPO / "checklists")


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def _profile(**extra: Any) -> MappingProfile:
    return parse_profile(
        {
            "name": "values",
            "checklist": "greeting_in_person",
            "columns": {"branch_code": "Store"},
            "items": ITEM_COLUMNS,
            **extra,
        }
    )


def _visit_cells(result: Any) -> list[dict[str, Any]]:
    return [
        {
            role: getattr(visit, role)
            for role in ("branch", "visit_date", "visit_time", "auditor", "channel", "kind")
        }
        for visit in result.visits
    ]


ROWS = [["Store", "Greeted", "Thanked"], ["IP-001", "Yes", "No"], ["IP-002", "No", "Yes"]]


def test_values_from_the_file_name_the_sheet_name_and_a_cell_fill_every_visit(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    path = _workbook(
        tmp_path / "Agency X - Wave 2 2025.xlsx",
        {"Visits 14.05.2025": ROWS, "Summary": [["Programme", "QA"], ["Shopper", "Ana Ruiz"]]},
    )
    profile = _profile(
        sheet="Visits 14.05.2025",
        values={
            "visit_date": {"from": "file_name", "map": {"Wave 2": "2025-05-01"}},
            "visit_time": {"from": "sheet_name", "pattern": r"(\d\d)\.05", "map": {"14": "14:00"}},
            "auditor": {"from": "cell", "cell": "Summary!B2"},
        },
        defaults={"channel": "Walk-in", "kind": "Routine Inspection"},
        kinds={"routine inspection": "inspection"},
        channels={"walk-in": "in_person"},
    )
    result = read_with_profile(path, profile, catalogue.get("greeting_in_person"))
    assert result.issues == ()
    name = "values.visit_date (from the file name 'Agency X - Wave 2 2025.xlsx')"
    time_ref = "values.visit_time (from the sheet name 'Visits 14.05.2025')"
    assert _visit_cells(result) == [
        {
            "branch": Cell(code, "Visits 14.05.2025", f"A{row}", row),
            "visit_date": Cell("2025-05-01", "Visits 14.05.2025", name, row),
            "visit_time": Cell("14:00", "Visits 14.05.2025", time_ref, row),
            "auditor": Cell("Ana Ruiz", "Summary", "B2", 2),
            "channel": Cell("in_person", "Visits 14.05.2025", "defaults.channel", row),
            "kind": Cell("inspection", "Visits 14.05.2025", "defaults.kind", row),
        }
        for code, row in (("IP-001", 2), ("IP-002", 3))
    ]


def test_a_column_cell_wins_and_an_empty_one_takes_the_constant(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    rows = [
        ["Store", "Date", "Auditor", "Greeted", "Thanked"],
        ["IP-001", "7 November 2025", "Eva", "Yes", "No"],
        ["IP-002", None, None, "No", "Yes"],
    ]
    path = _workbook(tmp_path / "partly.xlsx", {"Sheet": rows})
    profile = _profile(
        columns={"branch_code": "Store", "visit_date": "Date", "auditor": "Auditor"},
        defaults={"visit_date": "2025-11-30", "auditor": "Agency X", "visit_time": "09:30"},
    )
    result = read_with_profile(path, profile, catalogue.get("greeting_in_person"))
    assert [(v.visit_date, v.auditor, v.visit_time) for v in result.visits] == [
        (
            Cell("7 November 2025", "Sheet", "B2", 2),
            Cell("Eva", "Sheet", "C2", 2),
            Cell("09:30", "Sheet", "defaults.visit_time", 2),
        ),
        (
            Cell("2025-11-30", "Sheet", "defaults.visit_date", 3),
            Cell("Agency X", "Sheet", "defaults.auditor", 3),
            Cell("09:30", "Sheet", "defaults.visit_time", 3),
        ),
    ]


def test_a_branch_constant_reads_a_one_store_file(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = [["Greeted", "Thanked"], ["Yes", "No"]]
    path = _workbook(tmp_path / "one store May 2025.xlsx", {"Sheet": rows})
    profile = _profile(
        columns={},
        defaults={"branch": "IP-004", "auditor": "Agency X"},
        values={"visit_date": {"from": "file_name", "pattern": r"([A-Za-z]+ \d{4})"}},
    )
    result = read_with_profile(path, profile, catalogue.get("greeting_in_person"))
    assert result.issues == ()
    [visit] = result.visits
    assert (visit.branch, visit.branch_by_name, visit.visit_date.value) == (
        Cell("IP-004", "Sheet", "defaults.branch", 2),
        False,
        "May 2025",
    )


def test_a_value_the_file_does_not_hold_is_named_with_its_place(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    path = _workbook(tmp_path / "Wave 3 2025.xlsx", {"Sheet": ROWS, "Summary": [["x"]]})
    profile = _profile(
        defaults={"auditor": "Agency X"},
        values={
            "visit_date": {
                "from": "file_name",
                "map": {"Wave 1": "2025-03-01", "Wave 2": "2025-05-01"},
            },
            "visit_time": {"from": "cell", "cell": "Summary!C9"},
            "channel": {"from": "cell", "cell": "Nowhere!A1"},
        },
    )
    result = read_with_profile(path, profile, catalogue.get("greeting_in_person"))
    assert [(i.code.value, str(i)) for i in result.issues] == [
        (
            "value_not_found",
            "values.visit_date: the file name 'Wave 3 2025.xlsx' names no key of its map "
            "('Wave 1', 'Wave 2')",
        ),
        ("value_not_found", "Summary!C9: values.visit_time: the cell is empty"),
        (
            "value_not_found",
            "values.channel: no sheet 'Nowhere' in the workbook (sheets: Sheet, Summary)",
        ),
    ]
    # each visit's empty date is named where the file was to give it, not as a constant
    assert {v.visit_date.ref for v in result.visits} == {"values.visit_date"}
    assert [v.visit_date.row for v in result.visits] == [v.row for v in result.visits]


def test_a_profile_without_the_new_sections_dumps_and_hashes_as_before() -> None:
    profile = MappingProfile(name="a", checklist="x")
    assert list(profile.to_data()) == [
        "name", "checklist", "sheet", "layout", "header_row", "columns", "defaults", "items",
        "similarity", "skip", "answers", "percent_scale", "percent_columns", "date_formats",
    ]  # fmt: skip
    assert list(profile.to_data()["answers"]) == ["yes", "no", "na"]
    assert profile.content_hash == (
        "c2456d0285b14b7f3567c381fe71d1bd6cd89826de4f32d5db0c1dc01601fae8"  # as on main
    )


def test_yaml_dates_booleans_and_the_from_key_round_trip() -> None:
    text = """
name: v
checklist: greeting_in_person
defaults: {visit_date: 2025-05-01, auditor: Agency X}
values: {visit_date: {from: file_name, map: {Wave 2: 2025-05-01}}}
answers: {map: {Fatal: no, Met: yes, Partly: 3}}
kinds: {Routine Inspection: inspection}
"""
    profile = parse_profile(yaml.safe_load(text))
    assert profile.defaults.visit_date == "2025-05-01"
    assert profile.values["visit_date"].map == {"Wave 2": "2025-05-01"}
    assert profile.answers.map == {"Fatal": "no", "Met": "yes", "Partly": "3"}
    assert parse_profile(yaml.safe_load(yaml.safe_dump(profile.to_data()))) == profile
    assert profile.to_data()["values"] == {
        "visit_date": {"from": "file_name", "map": {"Wave 2": "2025-05-01"}}
    }


def test_set_pairs_name_their_problems() -> None:
    assert parse_constants(["auditor=Agency X", "visit_date = 2025-05-01"]) == {
        "auditor": "Agency X",
        "visit_date": "2025-05-01",
    }
    for pairs, message in (
        (["inspector=Ana"], "write ROLE=VALUE, ROLE one of branch, visit_date"),
        (["auditor="], "the value is empty"),
        (["auditor=A", "auditor=B"], "--set gives auditor twice"),
    ):
        with pytest.raises(ProfileError, match=message):
            parse_constants(pairs)


# --------------------------------------------------------------------------- question ids


def test_items_keyed_by_question_id_match_whatever_the_wording(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    checklist = catalogue.get("greeting_in_person")
    wave2 = waves.write_wave(tmp_path, 2)
    profile, _ = suggest_profile(wave2.path, checklist, "w", constants={"auditor": "A"})
    assert profile.items == {qid: item for item, qid in waves.QUESTION_IDS.items()}
    wave1 = waves.write_wave(tmp_path, 1)
    read = read_with_profile(wave1.path, profile, checklist)
    assert read.issues == ()
    answers = {
        visit.branch.value: {a.item_id: a.value.value for a in visit.answers}
        for visit in read.visits
    }
    assert answers == {
        code: dict(zip(waves.ITEMS, cells, strict=True)) for code, cells in waves.ANSWERS[1].items()
    }
    from audit_app.intake.layouts.profile.columns import match_report

    header = ["Store code", "Visit type", *waves.WORDING[1].values()]
    report = match_report(profile, header, checklist)
    assert [m.describe() for m in report.matches] == [
        f"{letter} '{waves.WORDING[1][item]}' -> {item} (by question id {waves.QUESTION_IDS[item]})"
        for letter, item in zip("CDEFGHIJ", waves.ITEMS, strict=True)
    ]
    assert report.ok and report.unmatched_items == ()


def test_a_profile_key_without_an_id_falls_back_to_similarity(catalogue: Catalogue) -> None:
    profile = _profile(
        columns={"branch_code": "Store"},
        defaults={"visit_date": "2025-05-01", "auditor": "A"},
        items={
            "Was the customer greeted?": "welcome.acknowledged",
            "Thank-you said": "close.thanks",
        },
    )
    header = ["Store", "Was the customer greeted ?", "Was the customer thanked at the end?"]
    from audit_app.intake.layouts.profile.columns import match_report

    report = match_report(profile, header, catalogue.get("greeting_in_person"))
    assert [m.describe() for m in report.matches] == [
        "B 'Was the customer greeted ?' -> welcome.acknowledged (named in the profile)"
    ]
    assert report.missing_columns == ("close.thanks: 'Thank-you said'",)
    reworded = ["Store", "Was the customer greeted, please?", "Thank you said"]
    report = match_report(profile, reworded, catalogue.get("greeting_in_person"))
    assert [m.describe() for m in report.matches] == [
        "B 'Was the customer greeted, please?' -> welcome.acknowledged (by similarity 0.87)",
        "C 'Thank you said' -> close.thanks (named in the profile)",
    ]


def test_a_long_layout_matches_questions_by_their_id(tmp_path: Path, catalogue: Catalogue) -> None:
    rows = [
        ["Store", "Date", "Auditor", "Question", "Answer", "Note"],
        ["IP-001", "2025-05-02", "Ana", "(759202) Shopper noticed?", "Yes"],
        ["IP-001", "2025-05-02", "Ana", "[759207] Asks a manager", "N/A left early", "sic"],
    ]
    path = _workbook(tmp_path / "long.xlsx", {"Sheet": rows})
    profile = parse_profile(
        {
            "name": "long",
            "checklist": "greeting_in_person",
            "layout": "long",
            "columns": {"branch_code": "Store", "visit_date": "Date", "auditor": "Auditor"},
            "long": {"item_column": "Question", "value_column": "Answer", "comment_column": "Note"},
            "items": {"759202": "welcome.acknowledged", "(759207) old wording": "conduct.unsure"},
        }
    )
    result = read_with_profile(path, profile, catalogue.get("greeting_in_person"))
    assert result.issues == ()
    assert [(a.item_id, a.value.ref) for a in result.visits[0].answers] == [
        ("welcome.acknowledged", "E2"),
        ("conduct.unsure", "E3"),
    ]
    checklist = catalogue.get("greeting_in_person")
    reader = AnswerReader(
        checklist, result, lambda item, raw: normalise(item, raw, result.vocabulary)
    )
    assert [
        reader.answer(checklist.items_by_id[a.item_id], a.value, a.comment and a.comment.value)
        for a in result.visits[0].answers
    ] == [
        Answer("welcome.acknowledged", True, False, None),
        Answer("conduct.unsure", None, True, "left early; sic"),  # the reason, then the note
    ]


# --------------------------------------------------------------------------- the wizard


def test_the_wizard_says_what_it_guessed_and_what_to_supply(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    checklist = catalogue.get("greeting_in_person")
    dated = _workbook(tmp_path / "export.xlsx", {"Audits 7 noiembrie 2025": ROWS})
    profile, report = suggest_profile(dated, checklist, "d")
    assert profile.values["visit_date"].source == "sheet_name"
    assert report.guessed == (
        "visit date from the sheet name: '7 noiembrie 2025' -> 2025-11-07 (values.visit_date)",
    )
    assert report.needed == ("auditor",)
    undated = _workbook(tmp_path / "QA Wave 2 2025.xlsx", {"Sheet": ROWS})
    profile, report = suggest_profile(undated, checklist, "u", constants={"auditor": "Agency X"})
    assert report.needed == ("visit_date",)
    assert report.guessed == ("auditor = 'Agency X' (given: defaults.auditor)",)
    assert (
        "You must supply (the file does not say): visit date (--set visit_date=2025-05-01)"
        in report.lines()
    )


def test_mapping_suggest_takes_set_on_the_command_line(tmp_path: Path) -> None:
    wave = waves.write_wave(tmp_path, 2)
    drafted = subprocess.run(
        [sys.executable, "-m", "audit_app", "mapping", "suggest", str(wave.path),
         "--checklist", waves.CHECKLIST, "--set", "auditor=Agency X", "--json"],
        capture_output=True, text=True, cwd=REPO, env=dict(os.environ), timeout=120,
    )  # fmt: skip
    assert drafted.returncode == 0, drafted.stderr
    answer = json.loads(drafted.stdout)
    assert answer["profile"]["defaults"] == {"auditor": "Agency X"}
    assert answer["report"]["needed"] == []
    assert answer["report"]["ok"] is True
    bad = subprocess.run(
        [sys.executable, "-m", "audit_app", "mapping", "suggest", str(wave.path),
         "--checklist", waves.CHECKLIST, "--set", "shopper=Ana"],
        capture_output=True, text=True, cwd=REPO, env=dict(os.environ), timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines() == [
        "error: --set 'shopper=Ana': write ROLE=VALUE, ROLE one of branch, visit_date, "
        "visit_time, auditor, channel, kind"
    ]


def test_the_wizard_maps_words_it_knows_and_lists_the_others(catalogue: Catalogue) -> None:
    from audit_app.intake.layouts.profile.suggest_words import draft_words

    words = draft_words(
        catalogue.get("greeting_in_person"),
        [
            ("welcome.acknowledged", "Yes"),
            ("welcome.acknowledged", "Not met"),
            ("close.thanks", "Pass"),
            ("close.thanks", "Sometimes"),
            ("conduct.brand_attitude", "Great"),  # not a yes/no item: left to the parser
        ],
        ["Routine Inspection", "mystery_shop", "Audit B"],
        ["Walk-in", "phone", "Carrier pigeon"],
    )
    assert (words.answers, words.kinds, words.channels) == (
        {"Not met": "no", "Pass": "yes"},
        {"Routine Inspection": "inspection"},
        {"Walk-in": "in_person"},
    )
    assert words.unknown == [
        "answer 'Sometimes' (map it under answers.map)",
        "audit kind 'Audit B' (map it under kinds:)",
        "channel 'Carrier pigeon' (map it under channels:)",
    ]


def test_a_header_with_a_question_id_is_a_question_never_a_role() -> None:
    from audit_app.intake.layouts.profile.suggest import assign_roles
    from audit_app.intake.layouts.profile.synonyms import VISIT_SYNONYMS

    header = ["Store Code", "Date of Visit", "(759231) Shopper's comments", "Shopper"]
    assert assign_roles(header, VISIT_SYNONYMS) == {"branch_code": 0, "visit_date": 1, "auditor": 3}
    assert assign_roles(header[:3], VISIT_SYNONYMS) == {"branch_code": 0, "visit_date": 1}


def test_set_replaces_the_profiles_default_and_value_source_for_its_role() -> None:
    profile = _profile(
        defaults={"auditor": "Agency X", "kind": "inspection"},
        values={"visit_date": {"from": "file_name"}, "auditor": {"from": "sheet_name"}},
    )
    given = profile.with_constants({"visit_date": "2025-06-01", "auditor": "Agency Y"})
    assert given.defaults.given() == {
        "visit_date": "2025-06-01",
        "auditor": "Agency Y",
        "kind": "inspection",
    }
    assert given.values == {}
    assert given.content_hash != profile.content_hash  # another import of the same file
    with pytest.raises(ProfileError, match="constants are given for branch, visit_date"):
        profile.with_constants({"shopper": "Ana"})


def test_the_wizard_finds_a_date_in_a_banner_cell_above_the_header(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    from datetime import datetime

    checklist = catalogue.get("greeting_in_person")
    text = _workbook(
        tmp_path / "export.xlsx", {"Sheet": [["QA programme", "Visits of 7 Kasım 2025"], *ROWS]}
    )
    profile, report = suggest_profile(text, checklist, "t", constants={"auditor": "A"})
    assert profile.values["visit_date"].model_dump(by_alias=True, exclude_none=True) == {
        "from": "cell",
        "cell": "B1",
        "pattern": r"((?:\d{1,2}[ _-]+)?(?:de[ _]+)?[^\W\d_]{3,}\.?(?:[ _]+de)?[ _-]+\d{4})",
        "map": {},
    }
    assert report.guessed[-1] == (
        "visit date from the cell B1: '7 Kasım 2025' -> 2025-11-07 (values.visit_date)"
    )
    read = read_with_profile(text, profile.model_copy(update={"items": ITEM_COLUMNS}), checklist)
    assert [v.visit_date for v in read.visits] == [
        Cell("7 Kasım 2025", "Sheet", "B1", 1),
        Cell("7 Kasım 2025", "Sheet", "B1", 1),
    ]
    cell = _workbook(tmp_path / "cell.xlsx", {"Sheet": [[None, datetime(2025, 5, 14)], *ROWS]})
    profile, report = suggest_profile(cell, checklist, "c", constants={"auditor": "A"})
    assert profile.values["visit_date"].cell == "B1"
    assert report.guessed[-1] == (
        "visit date from the cell B1: '2025-05-14' -> 2025-05-14 (values.visit_date)"
    )


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Q759215 - Seconds before you were greeted", "759215"),
        ("QID759215: Eye contact?", "759215"),
        ("Eye contact? [759215]", "759215"),
        ("759215 - Eye contact?", "759215"),
        ("(759215) Eye contact?", "759215"),
        ("Q12 - Eye contact?", None),
        ("Top 100 - products", None),
    ],
)
def test_a_question_id_with_a_letter_prefix_before_a_dash_is_an_id(
    header: str, expected: str | None
) -> None:
    """Agencies write ``Q759215 - text`` as often as ``(759215) text`` (trial #16)."""
    from audit_app.intake.layouts.profile.matching import question_id

    assert question_id(header) == expected


def test_a_comments_column_is_never_the_auditor_and_evaluation_type_is_the_kind() -> None:
    """``Shopper Comments`` holds what the shopper wrote, not who the shopper was; an
    agency's ``Evaluation Type`` is the audit kind (trial #16)."""
    from audit_app.intake.layouts.profile.suggest import assign_roles
    from audit_app.intake.layouts.profile.synonyms import VISIT_SYNONYMS

    header = ["Shop Code", "Shop", "Evaluation Type", "Shopper Comments", "Eye contact?"]
    assert assign_roles(header, VISIT_SYNONYMS) == {"branch_code": 0, "branch_name": 1, "kind": 2}
    named = ["Shop Code", "Shopper", "Shopper Comments"]
    assert assign_roles(named, VISIT_SYNONYMS) == {"branch_code": 0, "auditor": 1}


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        (
            {"values": {"visit_date": {"from": "file_name", "pattern": "^(a+)+$"}}},
            "values.visit_date.pattern",
        ),
        ({"skip": [{"column": "Store", "matches": r"^(\w+\s?)+$"}]}, "skip.rules[0].matches"),
        ({"skip": {"subtotal_pattern": "(x|y+)*z"}}, "skip.subtotal_pattern"),
    ],
)
def test_a_pattern_that_can_backtrack_for_minutes_is_refused_at_load(
    extra: dict[str, Any], where: str
) -> None:
    """``^(a+)+$`` on a file named ``aaaa…a!.xlsx`` held an import for minutes: Python's
    ``re`` has no timeout, so a repetition inside a repetition is refused (trial #16)."""
    with pytest.raises(ProfileError, match="a repetition inside a repetition") as refused:
        _profile(**extra)
    assert where in str(refused.value)


def test_patterns_the_wizard_and_the_defaults_write_are_accepted() -> None:
    profile = _profile(
        values={"visit_date": {"from": "file_name", "pattern": r"(\w+ \d{4})"}},
        skip=[{"column": "Store", "matches": r"(?i)^re-?visit|(ab){2,}"}],
    )
    assert profile.skip.rules[0].matches == r"(?i)^re-?visit|(ab){2,}"


@pytest.mark.parametrize(
    ("source", "file_name", "sheet", "date_text"),
    [
        ("file_name", "Mystery Shop May 2025.xlsx", "Results", "May 2025"),
        ("file_name", "QA 30 de novembre de 2025 final.xlsx", "Results", "30 de novembre de 2025"),
        ("sheet_name", "export.xlsx", "Visits 14.05.2025", "14.05.2025"),
    ],
)
def test_a_visit_date_without_a_pattern_is_the_date_found_in_the_name(
    tmp_path: Path, catalogue: Catalogue, source: str, file_name: str, sheet: str, date_text: str
) -> None:
    """``values: {visit_date: {from: file_name}}`` written by hand took the whole name
    ('Mystery Shop May 2025 is not a date'); the date in it is meant (trial #16)."""
    path = _workbook(tmp_path / file_name, {sheet: ROWS})
    profile = _profile(
        sheet=sheet, values={"visit_date": {"from": source}}, defaults={"auditor": "Agency"}
    )
    result = read_with_profile(path, profile, catalogue.get("greeting_in_person"))
    assert result.issues == ()
    assert [visit.visit_date.value for visit in result.visits] == [date_text, date_text]


def test_a_sheet_the_profile_does_not_read_is_noted_not_lost(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """A monthly workbook with one sheet per store, read through a profile naming the
    first: the other stores' visits were left out without a word (trial #16). Empty
    sheets and a sheet a ``values:`` cell reads are not noted."""
    from audit_app.domain.intake.model import ImportIssue, IssueCode

    path = _workbook(
        tmp_path / "qa.xlsx",
        {
            "IP-001": ROWS,
            "IP-002": ROWS,
            "Blank": [],
            "Summary": [["Shopper", "Ana Ruiz"]],
            "Notes": [[None, "see head office"]],
        },
    )
    profile = _profile(
        values={"auditor": {"from": "cell", "cell": "Summary!B1"}},
        defaults={"visit_date": "2025-05-01"},
    )
    result = read_with_profile(path, profile, catalogue.get("greeting_in_person"))
    assert result.issues == ()
    message = (
        "holds data the profile 'values' does not read (it reads sheet 'IP-001'; a profile "
        "naming this sheet imports it)"
    )
    assert result.notes == tuple(
        ImportIssue(IssueCode.SHEET_NOT_READ, message, name) for name in ("IP-002", "Notes")
    )
