"""Real-world layouts through mapping profiles: profiles round-trip, headers are found under
merged titles, every value is normalised, rows that are not visits are counted, every cell
keeps its place, drafted profiles read their file, and problems are reported, not raised."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from audit_app.checklists import Catalogue
from audit_app.domain.answers import parse_answer
from audit_app.domain.audit import Branch
from audit_app.domain.checklist import Checklist
from audit_app.domain.intake.model import Cell, ReadResult
from audit_app.domain.intake.vocabulary import normalise
from audit_app.intake.layouts.profile import (
    MappingProfile,
    ProfileError,
    dump_profile,
    load_profile,
    match_report,
    parse_profile,
    read_with_profile,
    save_profile,
    suggest_profile,
)
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.intake.realworld import (
    SOURCING_HEADER,
    RealWorldFile,
    write_agency_phone,
    write_agency_sourcing,
    write_csv_in_person,
    write_long_in_person,
)

REPO = Path(__file__).resolve().parents[2]
BUILDERS: dict[str, Callable[[Path], RealWorldFile]] = {
    "wide agency workbook": write_agency_sourcing,
    "wide workbook from column B": write_agency_phone,
    "long workbook with merged visit cells": write_long_in_person,
    "CSV with ; and BOM": write_csv_in_person,
}

SOURCING_PROFILE = """
name: qualicheck-sourcing
checklist: sourcing@1
description: QualiCheck's monthly sourcing workbook
sheet: Audits May
layout: wide
header_row: auto
columns:
  branch_code: Store code
  branch_name: Store
  visit_date: Visit date
  auditor: Inspector
items:
  Organic share of fresh produce (%): share.organic_fresh
  Organic share - dry goods: share.organic_dry
  Preservative-free share of the range: share.preservative_free
  Q4. Organic products are labelled as such on the shelf: shelf.organic_labelled
  shelf.origin_shown: shelf.origin_shown
  Supplier certificates on file and current: records.certificates
  Inspector's notes: notes.inspector
"""
CLOSED_RULE = """
skip:
  - column: Organic share of fresh produce (%)
    equals: [Closed, Tancat - reformes]
"""


def typed_answers(result: ReadResult, checklist: Checklist) -> dict[str, dict[str, Any]]:
    """What the importer makes of each visit: normalise, then parse, per answer."""
    visits: dict[str, dict[str, Any]] = {}
    for visit in result.visits:
        answers = {}
        for raw in visit.answers:
            item = checklist.items_by_id[raw.item_id]
            value, note = normalise(item, raw.value.value, result.vocabulary)
            comment = raw.comment.value if raw.comment is not None else None
            answer = parse_answer(item, value, comment=note or comment)
            answers[raw.item_id] = (answer.value, answer.na, answer.comment)
        visits[str(visit.branch.value)] = answers
    return visits


def every_cell(result: ReadResult) -> list[Cell]:
    cells: list[Cell] = []
    for visit in result.visits:
        cells += [visit.branch, visit.visit_date, visit.auditor]
        cells += [c for c in (visit.visit_time, visit.channel, visit.kind) if c is not None]
        for answer in visit.answers:
            cells.append(answer.value)
            if answer.comment is not None:
                cells.append(answer.comment)
    return cells


@pytest.fixture(params=list(BUILDERS), ids=list(BUILDERS))
def realworld(request: pytest.FixtureRequest, tmp_path: Path) -> RealWorldFile:
    return BUILDERS[request.param](tmp_path)


# --------------------------------------------------------------------------- profiles


def test_a_profile_round_trips_through_yaml(tmp_path: Path) -> None:
    profile = parse_profile(yaml.safe_load(SOURCING_PROFILE))
    full = parse_profile(
        {
            **yaml.safe_load(SOURCING_PROFILE),
            "layout": "long",
            "header_row": 3,
            "long": {"item_column": "Q", "value_column": "A", "comment_column": "C"},
            "defaults": {"auditor": "Agency", "channel": "in_person", "kind": "mystery_shop"},
            "answers": {"yes": ["Conforme"], "no": ["No conforme"], "na": ["No procede"]},
            "percent_scale": "fraction",
            "date_formats": ["%m/%d/%Y"],
            "skip": {"closed_markers": ["Closed"], "closed_column": "Status"},
        }
    )
    for original in (profile, full):
        loaded = parse_profile(yaml.safe_load(dump_profile(original)))
        assert loaded == original
        assert dump_profile(loaded) == dump_profile(original)
        path = save_profile(original, tmp_path)
        assert path == tmp_path / f"{original.name}.yaml"
        assert load_profile(original.name, tmp_path) == original
        assert load_profile(path, tmp_path / "elsewhere") == original


def test_unquoted_yes_and_no_in_yaml_still_mean_the_words() -> None:
    text = SOURCING_PROFILE + "answers:\n  yes: [Conforme, Yes]\n  no: [No conforme]\n"
    profile = parse_profile(yaml.safe_load(text))
    assert profile.answers.yes == ("Conforme", "yes")
    assert profile.answers.no == ("No conforme",)
    assert profile.vocabulary().word("conforme") == "yes"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"layout": "long"}, "the long layout needs long: {item_column"),
        ({"header_row": 0}, "header_row: rows are numbered from 1"),
        ({"skip": {"subtotal_pattern": "(unclosed"}}, "skip.subtotal_pattern: not a valid"),
        ({"colums": {}}, "colums: is not a known field"),
        ({"percent_scale": "per mille"}, "percent_scale"),
        ({"checklist": "Sourcing v1"}, "checklist"),
    ],
)
def test_a_broken_profile_names_the_place_and_the_reason(
    change: dict[str, Any], message: str
) -> None:
    data = {**yaml.safe_load(SOURCING_PROFILE), **change}
    with pytest.raises(ProfileError, match=re.escape(message)):
        parse_profile(data, "agency.yaml")


def test_loading_a_missing_or_broken_profile_says_what_is_there(tmp_path: Path) -> None:
    save_profile(parse_profile(yaml.safe_load(SOURCING_PROFILE)), tmp_path)
    with pytest.raises(ProfileError, match=r"no mapping profile 'june'.*qualicheck-sourcing"):
        load_profile("june", tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"broken.yaml: not valid YAML at line 2"):
        load_profile("broken", tmp_path)


# --------------------------------------------------------------------------- reading


def test_every_layout_reads_with_its_drafted_profile(
    realworld: RealWorldFile, catalogue: Catalogue
) -> None:
    checklist = catalogue.get(realworld.checklist_id)
    profile, report = suggest_profile(realworld.path, checklist)
    assert report.ok, report.lines()
    assert report.header_row == realworld.header_row
    result = read_with_profile(realworld.path, profile, checklist)
    assert result.issues == ()
    assert typed_answers(result, checklist) == realworld.expected
    assert result.skipped_by_reason() == realworld.skipped
    assert (result.checklist_id, result.checklist_version) == (checklist.id, checklist.version)
    assert result.percent_as_fraction is False  # the vocabulary carries the percent scale

    again = parse_profile(yaml.safe_load(dump_profile(profile)))
    assert read_with_profile(realworld.path, again, checklist) == result


def test_the_header_is_found_in_row_3_under_the_merged_title(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    made = write_agency_sourcing(tmp_path)
    checklist = catalogue.get("sourcing")
    profile = parse_profile(yaml.safe_load(SOURCING_PROFILE + CLOSED_RULE))
    sheet = openpyxl.load_workbook(made.path)["Audits May"]
    assert "A1:L1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "Visit"

    result = read_with_profile(made.path, profile, checklist)
    assert result.issues == ()
    assert [v.row for v in result.visits] == [4, 5, 9, 10]
    assert typed_answers(result, checklist) == made.expected
    assert result.vocabulary.fraction_items == frozenset({"share.organic_dry"})

    fixed = profile.model_copy(update={"header_row": 3})
    assert read_with_profile(made.path, fixed, checklist) == result
    wrong = profile.model_copy(update={"header_row": 2})
    issues = read_with_profile(made.path, wrong, checklist).issues
    assert any("not in the header row 2" in issue.message for issue in issues)


def test_cell_refs_point_at_the_raw_values(realworld: RealWorldFile, catalogue: Catalogue) -> None:
    checklist = catalogue.get(realworld.checklist_id)
    profile, _ = suggest_profile(realworld.path, checklist)
    cells = every_cell(read_with_profile(realworld.path, profile, checklist))
    assert cells
    if realworld.path.suffix == ".csv":
        lines = list(csv.reader(io.StringIO(realworld.path.read_text("utf-8-sig")), delimiter=";"))
        header = lines[realworld.header_row - 1]
        for cell in cells:
            assert cell.sheet == ""
            column = header.index(cell.ref.removeprefix("column "))
            assert (lines[cell.row - 1][column] or None) == cell.value, cell
        return
    sheet = openpyxl.load_workbook(realworld.path)[realworld.sheet]
    for cell in cells:
        assert cell.sheet == realworld.sheet
        written = sheet[cell.ref].value
        if isinstance(written, datetime) and type(cell.value) is date:
            written = written.date()  # calamine gives a midnight date cell as a date
        assert written == cell.value, cell.where
        assert cell.ref.endswith(str(cell.row)) or cell.ref.startswith("defaults.")


def test_refs_follow_a_table_that_starts_in_column_b(tmp_path: Path, catalogue: Catalogue) -> None:
    made = write_agency_phone(tmp_path)
    checklist = catalogue.get("greeting_phone")
    profile, report = suggest_profile(made.path, checklist)
    first = read_with_profile(made.path, profile, checklist).visits[0]
    assert first.branch.where == "Calls!C4"
    assert first.visit_date.ref == "D4" and first.visit_time is not None
    assert first.visit_time.ref == "E4"
    assert first.answers[0].value.where == "Calls!G4"
    assert [m.column for m in report.matches][:2] == ["G", "H"]


def test_merged_visit_cells_of_a_long_layout_point_at_their_top_left_cell(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    made = write_long_in_person(tmp_path)
    checklist = catalogue.get("greeting_in_person")
    profile, _ = suggest_profile(made.path, checklist)
    first = read_with_profile(made.path, profile, checklist).visits[0]
    assert (first.branch.ref, first.visit_date.ref, first.row) == ("B4", "C4", 4)
    assert [a.value.ref for a in first.answers] == [f"F{row}" for row in range(4, 12)]
    assert first.answers[-1].comment is not None
    assert first.answers[-1].comment.value == "Muy amable"


def test_long_rows_that_write_the_visit_on_its_first_row_only_group_together(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    checklist = catalogue.get("greeting_in_person")
    path = tmp_path / "long.csv"
    rows = ["Store code,Date,Auditor,Question,Answer"]
    rows += ["ES-CAT-01,2026-05-03,Ann,welcome.acknowledged,Yes"]
    rows += [",,,welcome.eye_contact,No", ",,,close.thanks,Sí"]
    rows += ["ES-CAT-02,2026-05-04,Ann,welcome.acknowledged,No"]
    rows += ["ES-CAT-02,2026-05-04,Ann,welcome.acknowledged,Yes"]
    rows += ["ES-CAT-02,2026-05-04,Ann,Was the floor clean?,Yes"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    profile = MappingProfile(
        name="long",
        checklist="greeting_in_person",
        layout="long",
        columns={"branch_code": "Store code", "visit_date": "Date", "auditor": "Auditor"},
        long={"item_column": "Question", "value_column": "Answer"},
    )
    result = read_with_profile(path, profile, checklist)
    assert [[a.item_id for a in v.answers] for v in result.visits] == [
        ["welcome.acknowledged", "welcome.eye_contact", "close.thanks"],
        ["welcome.acknowledged"],
    ]
    assert result.visits[0].branch.value == "ES-CAT-01"
    assert [str(issue) for issue in result.issues] == [
        "line 6, column Answer: item welcome.acknowledged is answered twice for this visit "
        "(also in row 5)",
        "line 7, column Question: 'Was the floor clean?' is not a question of checklist "
        "greeting_in_person v1; name its item under items: in the mapping profile",
    ]


def test_guesses_look_only_at_branch_columns_and_rules_are_explicit(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    """'Closed' where the first answer should be is not guessed away (the guesses read the
    branch columns only): those rows are read as visits, for the check to refuse by name,
    until a rule on that column says to leave them out; every row left out is listed."""
    made = write_agency_sourcing(tmp_path)
    checklist = catalogue.get("sourcing")
    profile = parse_profile(yaml.safe_load(SOURCING_PROFILE))
    result = read_with_profile(made.path, profile, checklist)
    assert [(row.row, row.reason.value, row.text) for row in result.skipped] == [
        (6, "blank", ""),
        (7, "separator", "— Romania —"),
        (11, "subtotal", "Average"),
        (13, "subtotal", "Total"),
    ]
    assert [v.branch.value for v in result.visits] == [
        "ES-CAT-01", "ES-CAT-02", "RO-TRA-01", "RO-BUC-01", "TR-IST-01", "ES-CAT-05",
    ]  # fmt: skip
    ruled = parse_profile(
        {
            **profile.to_data(),
            "skip": [
                {"column": "Organic share of fresh produce (%)", "matches": "(?i)^(closed|tancat)"}
            ],
        }
    )
    result = read_with_profile(made.path, ruled, checklist)
    assert result.skipped_by_reason() == {"rule": 2, "blank": 1, "separator": 1, "subtotal": 2}
    assert [(r.row, r.text) for r in result.skipped if r.reason.value == "rule"] == [
        (8, "Closed"),
        (12, "Tancat - reformes"),
    ]
    keep_all = parse_profile(
        {**ruled.to_data(), "skip": {"subtotal_pattern": None, "closed_markers": []}}
    )
    result = read_with_profile(made.path, keep_all, checklist)
    # the Total row holds no date and no answer (its figure is in an unused column)
    assert result.skipped_by_reason() == {"blank": 1, "separator": 2}
    assert [v.branch.value for v in result.visits] == [
        "ES-CAT-01", "ES-CAT-02", "RO-TRA-01", "RO-BUC-01", "TR-IST-01", "Average", "ES-CAT-05",
    ]  # fmt: skip


def test_a_closed_column_limits_where_markers_count(tmp_path: Path, catalogue: Catalogue) -> None:
    checklist = catalogue.get("greeting_in_person")
    path = tmp_path / "status.csv"
    path.write_text(
        "Code,Date,Auditor,Status,welcome.acknowledged\n"
        "ES-CAT-01,2026-05-03,Ann,Closed - refurbishment,\n"
        "ES-CAT-02,2026-05-03,Ann,Visited,Closed\n",
        encoding="utf-8",
    )
    profile = MappingProfile(
        name="status",
        checklist="greeting_in_person",
        columns={"branch_code": "Code", "visit_date": "Date", "auditor": "Auditor"},
        skip={"closed_column": "Status"},
    )
    result = read_with_profile(path, profile, checklist)
    assert result.skipped_by_reason() == {"closed": 1}
    assert [v.branch.value for v in result.visits] == ["ES-CAT-02"]


def test_defaults_stand_in_for_missing_columns(tmp_path: Path, catalogue: Catalogue) -> None:
    checklist = catalogue.get("greeting_in_person")
    path = tmp_path / "defaults.csv"
    path.write_text(
        "Store,Date,Auditor,welcome.acknowledged\nBarcelona Gràcia,2026-05-03,,Yes\n",
        encoding="utf-8",
    )
    profile = MappingProfile(
        name="defaults",
        checklist="greeting_in_person",
        columns={"branch_name": "Store", "visit_date": "Date", "auditor": "Auditor"},
        defaults={"auditor": "QualiCheck", "channel": "in_person", "kind": "mystery_shop"},
    )
    result = read_with_profile(path, profile, checklist)
    visit = result.visits[0]
    assert visit.branch_by_name and visit.branch.value == "Barcelona Gràcia"
    assert visit.auditor.value == "QualiCheck" and visit.auditor.ref == "defaults.auditor"
    assert visit.channel is not None and visit.channel.value == "in_person"
    assert result.default_kind == "mystery_shop"
    assert [a.item_id for a in visit.answers] == ["welcome.acknowledged"]  # items: auto


def test_percent_scale_auto_reads_a_column_as_fractions_only_when_all_are(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    checklist = catalogue.get("sourcing")
    path = tmp_path / "shares.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Code", "Date", "Auditor", "share.organic_fresh", "share.organic_dry"])
    sheet.append(["ES-CAT-01", "2026-05-03", "Ann", 0.91, 0.5])
    sheet.append(["ES-CAT-02", "2026-05-04", "Ann", "0,88", 75])
    workbook.save(path)
    columns = {"branch_code": "Code", "visit_date": "Date", "auditor": "Auditor"}
    profile = MappingProfile(name="shares", checklist="sourcing", columns=columns)
    result = read_with_profile(path, profile, checklist)
    assert result.vocabulary.fraction_items == frozenset({"share.organic_fresh"})
    shares = typed_answers(result, checklist)
    assert shares["ES-CAT-01"]["share.organic_fresh"][0] == pytest.approx(91.0)
    assert shares["ES-CAT-02"]["share.organic_fresh"][0] == pytest.approx(88.0)
    assert shares["ES-CAT-01"]["share.organic_dry"][0] == 0.5  # 75 in the column: as written
    as_written = profile.model_copy(update={"percent_scale": "percent"})
    assert read_with_profile(path, as_written, checklist).vocabulary.fraction_items == set()


# --------------------------------------------------------------------------- problems


def test_a_mapped_column_that_is_missing_is_reported_not_raised(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    made = write_agency_sourcing(tmp_path)
    checklist = catalogue.get("sourcing")
    data = yaml.safe_load(SOURCING_PROFILE)
    data["items"]["Organic share of frozen food"] = "share.organic_fresh"
    data["items"]["Shelf is tidy"] = "shelf.tidy"
    data["items"]["Total score"] = "shelf.origin_shown"
    result = read_with_profile(made.path, parse_profile(data), checklist)
    messages = [str(issue) for issue in result.issues]
    assert messages[0].startswith(
        "Audits May, row 3: the column for share.organic_fresh: 'Organic share of frozen food' "
        "that the mapping profile names is not in the header row 3 (found: 'Store', 'Store code'"
    )
    assert messages[1] == (
        "Audits May, row 3: the mapping profile names item 'shelf.tidy', which checklist "
        "sourcing v1 does not have"
    )
    assert messages[2] == (
        "Audits May, row 3: item shelf.origin_shown is named for two columns, "
        "'shelf.origin_shown' and 'Total score'; map only one of them"
    )
    # read on (the closed rows too: no rule here), so that every problem is shown at once
    assert len(result.visits) == 6
    assert [a.value.ref for a in result.visits[0].answers][-2:] == ["J4", "K4"]

    data["columns"]["visit_date"] = "Date of visit"
    result = read_with_profile(made.path, parse_profile(data), checklist)
    assert result.visits == ()
    assert any("visit date: 'Date of visit'" in str(issue) for issue in result.issues)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", b"", "the file is empty"),
        ("notes.xlsx", b"just some text, not a workbook", "not a spreadsheet"),
        ("report.pdf", b"%PDF-1.4", "not a spreadsheet: '.pdf' files are not read"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected"),
        ("broken.xlsx", b"PK\x03\x04" + b"\0" * 64, "damaged"),
        ("missing.xlsx", None, "no such file"),
    ],
)
def test_an_unreadable_file_is_an_issue_never_a_traceback(
    tmp_path: Path, catalogue: Catalogue, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    profile = parse_profile(yaml.safe_load(SOURCING_PROFILE))
    result = read_with_profile(path, profile, catalogue.get("sourcing"))
    assert result.visits == ()
    assert len(result.issues) == 1 and message in result.issues[0].message


def test_a_corrupt_sheet_inside_a_valid_zip_is_an_issue(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    made = write_agency_sourcing(tmp_path)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(made.path) as source, zipfile.ZipFile(broken, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(entry, data)
    profile = parse_profile(yaml.safe_load(SOURCING_PROFILE))
    result = read_with_profile(broken, profile, catalogue.get("sourcing"))
    assert result.visits == () and "damaged" in result.issues[0].message


def test_a_missing_sheet_or_another_checklist_is_named(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    made = write_agency_sourcing(tmp_path)
    profile = parse_profile(yaml.safe_load(SOURCING_PROFILE))
    june = profile.model_copy(update={"sheet": "Audits June"})
    result = read_with_profile(made.path, june, catalogue.get("sourcing"))
    assert result.issues[0].message == (
        "no sheet 'Audits June' in the workbook (sheets: Audits May, Summary)"
    )
    third = profile.model_copy(update={"sheet": 2})
    assert (
        "no sheet number 3"
        in read_with_profile(made.path, third, catalogue.get("sourcing")).issues[0].message
    )
    other = read_with_profile(made.path, profile, catalogue.get("greeting_phone"))
    assert other.issues[0].message == (
        "the mapping profile 'qualicheck-sourcing' is for checklist sourcing, not greeting_phone"
    )


def test_no_header_found_is_an_issue(tmp_path: Path, catalogue: Catalogue) -> None:
    path = tmp_path / "numbers.xlsx"
    workbook = openpyxl.Workbook()
    for row in range(5):
        workbook.active.append([row, row * 2, row * 3])
    workbook.save(path)
    profile = parse_profile(yaml.safe_load(SOURCING_PROFILE)).model_copy(update={"sheet": 0})
    result = read_with_profile(path, profile, catalogue.get("sourcing"))
    assert result.visits == ()
    assert result.issues[0].message.startswith("no header row found in the first rows")


# --------------------------------------------------------------------------- matching


def test_the_match_report_says_what_matched_how_and_what_did_not(catalogue: Catalogue) -> None:
    checklist = catalogue.get("sourcing")
    header = [*SOURCING_HEADER[:4], "Organic share - dry goods", "shelf.origin_shown", "Notes"]
    profile = MappingProfile(
        name="draft",
        checklist="sourcing",
        columns={"branch_code": "Store code", "visit_date": "Visit date", "auditor": "Shopper"},
    )
    report = match_report(profile, header, checklist, header_row=3)
    assert [(m.header, m.column, m.item_id, m.how) for m in report.matches] == [
        ("Organic share - dry goods", "E", "share.organic_dry", "similarity"),
        ("shelf.origin_shown", "F", "shelf.origin_shown", "id"),
    ]
    assert report.matches[0].ratio is not None and 0.8 <= report.matches[0].ratio < 1
    assert report.roles == {"branch_code": "Store code", "visit_date": "Visit date"}
    assert report.missing_columns == ("auditor: 'Shopper'",)
    assert report.unused_columns == ("Store", "Inspector", "Notes")
    assert report.unmatched_items == (
        "share.organic_fresh",
        "share.preservative_free",
        "shelf.organic_labelled",
        "records.certificates",
        "notes.inspector",
    )
    assert report.unmatched_required == (
        "share.organic_fresh",
        "share.preservative_free",
        "shelf.organic_labelled",
        "records.certificates",
    )
    assert not report.ok
    text = "\n".join(report.lines())
    assert "WARNING: required items without a column" in text
    assert "Optional items without a column: notes.inspector" in text
    assert "E 'Organic share - dry goods' -> share.organic_dry (by similarity 0.9" in text
    assert "Named in the profile but not in the file: auditor: 'Shopper'" in text
    assert json.loads(json.dumps(report.to_dict()))["ok"] is False


def test_similarity_has_a_threshold_and_one_item_gets_one_column(catalogue: Catalogue) -> None:
    checklist = catalogue.get("greeting_phone")
    header = ["Code", "Date", "Auditor", "Tone friendly?", "Tone is friendly", "Weather"]
    profile = MappingProfile(
        name="x",
        checklist="greeting_phone",
        columns={"branch_code": "Code", "visit_date": "Date", "auditor": "Auditor"},
    )
    report = match_report(profile, header, checklist)
    assert [(m.header, m.how) for m in report.matches] == [("Tone is friendly", "text")]
    assert "Tone friendly?" in report.unused_columns and "Weather" in report.unused_columns
    strict = match_report(profile.model_copy(update={"similarity": 0.99}), header[:4], checklist)
    assert strict.matches == ()


# --------------------------------------------------------------------------- suggest


def test_suggest_picks_the_sheet_the_header_and_the_roles(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    made = write_agency_sourcing(tmp_path)
    workbook = openpyxl.load_workbook(made.path)
    workbook.move_sheet("Summary", offset=-1)  # the data sheet is now the second
    workbook.save(made.path)
    profile, report = suggest_profile(made.path, catalogue.get("sourcing"), "May agency file")
    assert profile.name == "May-agency-file"
    assert profile.sheet == "Audits May"
    assert profile.columns.branch_code == "Store code" and profile.columns.branch_name == "Store"
    assert profile.columns.auditor == "Inspector"
    assert profile.items == {m.header: m.item_id for m in report.matches}
    assert report.unused_columns == ("Total score",)


def test_suggest_on_a_long_layout_lists_the_questions(tmp_path: Path, catalogue: Catalogue) -> None:
    made = write_long_in_person(tmp_path)
    profile, report = suggest_profile(made.path, catalogue.get("greeting_in_person"))
    assert profile.layout == "long" and profile.long is not None
    assert (profile.long.item_column, profile.long.value_column) == ("Pregunta", "Respuesta")
    assert profile.long.comment_column == "Comentario"
    assert len(report.matches) == 8 and report.unmatched_items == ()


def test_suggest_on_an_unreadable_file_raises_one_clear_error(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(ProfileError, match=r"x\.xlsx: not a spreadsheet"):
        suggest_profile(path, catalogue.get("sourcing"))


# --------------------------------------------------------------------------- CLI


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit_app", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ),
        timeout=120,
    )


def test_mapping_suggest_show_and_list_end_to_end(tmp_path: Path, catalogue: Catalogue) -> None:
    made = write_agency_sourcing(tmp_path)
    drafted = cli("mapping", "suggest", made.path, "--checklist", "sourcing", "--json")
    assert drafted.returncode == 0, drafted.stderr
    answer = json.loads(drafted.stdout)
    assert answer["report"]["ok"] is True and answer["report"]["header_row"] == 3
    assert answer["saved_to"] is None
    assert parse_profile(answer["profile"]) == parse_profile(yaml.safe_load(answer["yaml"]))

    target = tmp_path / "profiles" / "agency.yaml"
    plain = cli("mapping", "suggest", made.path, "--checklist", "sourcing", "-o", target)
    assert plain.returncode == 0, plain.stderr
    assert "# Items matched: 7" in plain.stdout
    assert "by similarity" in plain.stdout and f"# Saved to {target}" in plain.stdout
    assert parse_profile(yaml.safe_load(plain.stdout)) == load_profile(target, tmp_path)
    profile = load_profile(target, tmp_path)
    result = read_with_profile(made.path, profile, catalogue.get("sourcing"))
    assert typed_answers(result, catalogue.get("sourcing")) == made.expected

    saved = cli(
        "mapping", "suggest", made.path, "--checklist", "sourcing", "--name", "qc", "--save"
    )
    assert saved.returncode == 0, saved.stderr
    assert "--mapping qc" in saved.stdout
    again = cli(
        "mapping", "suggest", made.path, "--checklist", "sourcing", "--name", "qc", "--save"
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    listed = json.loads(cli("mapping", "list", "--json").stdout)
    assert [row["name"] for row in listed] == ["qc"]
    shown = cli("mapping", "show", "qc")
    assert shown.returncode == 0 and "name: qc" in shown.stdout

    missing = cli("mapping", "show", "june")
    assert missing.returncode == 1
    assert missing.stderr.strip().startswith("error: no mapping profile 'june'")
    not_there = cli("mapping", "suggest", tmp_path / "nope.xlsx", "--checklist", "sourcing")
    assert not_there.returncode == 1 and len(not_there.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------- import


def test_the_agency_workbook_imports_through_a_saved_profile(
    tmp_path: Path, ctx: AppContext
) -> None:
    """The whole journey: draft, save, import with --mapping; answers stored as read."""
    from audit_app.services.audits import load_audit
    from audit_app.services.imports import import_files

    made = write_agency_sourcing(tmp_path)
    save_branches(
        ctx,
        [Branch(code=code, name=code, region="Test", country=code[:2]) for code in made.expected],
    )
    profile, _ = suggest_profile(made.path, ctx.catalogue.get("sourcing"), "qualicheck")
    save_profile(profile, ctx.settings.data_dir / "mappings")

    [result] = import_files(ctx, [made.path], mapping_name="qualicheck")
    assert result.status == "imported", [str(e) for e in result.problems]
    assert result.skipped_by_reason() == made.skipped
    stored = {}
    for audit in result.audits:
        assert audit.audit_id is not None
        answers = load_audit(ctx, audit.audit_id).record.answers
        stored[audit.branch_code] = {a.item_id: (a.value, a.na, a.comment) for a in answers}
    expected = {
        code: {item: answer for item, answer in items.items() if answer != (None, False, None)}
        for code, items in made.expected.items()
    }
    assert stored == expected


def test_the_mapping_commands_have_help() -> None:
    from typer.testing import CliRunner

    from audit_app.cli import app

    for args in (
        ["mapping", "--help"],
        ["mapping", "suggest", "--help"],
        ["mapping", "show", "--help"],
        ["mapping", "list", "--help"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "Usage" in result.output
