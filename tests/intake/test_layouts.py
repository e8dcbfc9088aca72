"""Shapes with no plain reader, each read through the profile the wizard drafts from the
untouched file and imported end to end: questions in rows (one column per month), line
sheets grouped into visits with aggregated items, two-level merged headers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from audit_app.domain.audit import Branch
from audit_app.domain.intake.model import IssueCode, ReadResult
from audit_app.intake.layouts.profile import (
    MappingProfile,
    ProfileError,
    dump_profile,
    parse_profile,
    read_with_profile,
    save_profile,
    suggest_profile,
)
from audit_app.intake.layouts.profile.profile import AggregateRule
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.intake.layout_files import (
    SHELF_HEADER,
    SOURCING_QUESTIONS,
    LayoutFile,
    write_grouped_header,
    write_monthly_qa,
    write_shelf_lines,
    write_visit_columns,
)

REPO = Path(__file__).resolve().parents[2]


def imported(ctx: AppContext, made: LayoutFile, profile: MappingProfile) -> Any:
    """Import ``made`` through ``profile`` saved under its name; the stored answers per
    (branch, visit date), and the file's result."""
    from audit_app.services.audits import load_audit
    from audit_app.services.imports import import_files

    codes = {code for code, _ in made.expected}
    save_branches(ctx, [Branch(code=c, name=c, region="Test", country=c[:2]) for c in codes])
    save_profile(profile, ctx.settings.data_dir / "mappings")
    [result] = import_files(ctx, [made.path], mapping_name=profile.name)
    assert result.status == "imported", [str(e) for e in result.problems]
    stored = {}
    for audit in result.audits:
        answers = load_audit(ctx, audit.audit_id).record.answers
        stored[(audit.branch_code, audit.visited_at.date())] = {
            a.item_id: (a.value, a.na, a.comment) for a in answers
        }
    return stored, result


def answer_places(read: ReadResult) -> dict[tuple[str, date], dict[str, str]]:
    places = {}
    for visit in read.visits:
        key = (str(visit.branch.value), visit.visit_date.value)
        places[key] = {a.item_id: a.value.where for a in visit.answers}
    return places


# --------------------------------------------------------------------------- rows


def test_the_wizard_drafts_a_rows_layout_for_a_monthly_qa_workbook(
    tmp_path: Path, ctx: AppContext
) -> None:
    made = write_monthly_qa(tmp_path)
    checklist = ctx.catalogue.get("sourcing")
    profile, report = suggest_profile(made.path, checklist, "monthly-qa")
    assert profile.layout == "rows"
    assert profile.rows is not None
    assert profile.rows.model_dump() == {
        "question_column": "Question",
        "number_column": "No.",
        "fields": {"auditor": "Auditor", "branch_code": "Store"},
        "header_gives": "visit_date",
    }
    assert report.header_row == 2
    assert {m.item_id for m in report.matches} == set(checklist.items_by_id)
    assert report.problems == ()
    assert parse_profile(yaml.safe_load(dump_profile(profile))) == profile


def test_a_monthly_qa_workbook_imports_one_visit_per_month(tmp_path: Path, ctx: AppContext) -> None:
    made = write_monthly_qa(tmp_path)
    checklist = ctx.catalogue.get("sourcing")
    profile, _ = suggest_profile(made.path, checklist, "monthly-qa")
    read = read_with_profile(made.path, profile, checklist)
    assert read.issues == ()
    assert answer_places(read) == made.cells
    assert [v.auditor.where for v in read.visits] == ["QA!C4", "QA!D4", "QA!F4"]
    assert [v.visit_date.where for v in read.visits] == ["QA!C2", "QA!D2", "QA!F2"]
    assert [(s.row, s.reason.value, s.text) for s in read.skipped] == [
        (5, "separator", "Sourcing shares"),
        (9, "subtotal", "Section total"),
        (10, "blank", ""),
        (11, "separator", "Shelf and records"),
        (16, "subtotal", "Average"),
        (2, "empty_column", "E Mar 2025"),
        (2, "closed", "G May 2025: Closed"),
    ]
    stored, result = imported(ctx, made, profile)
    assert stored == made.expected
    assert result.skipped_by_reason() == made.skipped
    assert result.rows.read == made.rows_read and result.rows.adds_up


# --------------------------------------------------------------------------- lines


def test_the_wizard_drafts_a_lines_layout_with_a_rule_per_item(
    tmp_path: Path, ctx: AppContext
) -> None:
    made = write_shelf_lines(tmp_path)
    checklist = ctx.catalogue.get("sourcing")
    profile, report = suggest_profile(made.path, checklist, "shelf")
    assert profile.layout == "lines"
    assert profile.lines is not None
    rules = {
        item: (rule.column, rule.rule, rule.where.equals if rule.where else None)
        for item, rule in profile.lines.aggregate.items()
    }
    assert rules == {
        "share.organic_fresh": ("Organic share of fresh produce", "share", ("Yes",)),
        "share.organic_dry": ("Organic share of dry goods", "mean", None),
        "share.preservative_free": ("Preservative-free share of the range", "share", ("Yes",)),
        "shelf.organic_labelled": (SHELF_HEADER[7], "first", None),
        "shelf.origin_shown": (SHELF_HEADER[8], "first", None),
        "records.certificates": (SHELF_HEADER[9], "first", None),
        "notes.inspector": (SHELF_HEADER[10], "first", None),
    }
    assert report.layout == "lines" and report.problems == ()
    assert parse_profile(yaml.safe_load(dump_profile(profile))) == profile


def test_a_shelf_audit_imports_one_visit_per_store_and_day_with_aggregates(
    tmp_path: Path, ctx: AppContext
) -> None:
    made = write_shelf_lines(tmp_path)
    checklist = ctx.catalogue.get("sourcing")
    profile, _ = suggest_profile(made.path, checklist, "shelf")
    read = read_with_profile(made.path, profile, checklist)
    assert read.issues == ()
    places = {
        (str(v.branch.value), v.visit_date.value): {a.item_id: a.value.where for a in v.answers}
        for v in read.visits
    }
    assert places == made.cells
    assert [(s.row, s.reason.value, s.text) for s in read.skipped] == [
        (9, "subtotal", "Subtotal"),
        (14, "blank", ""),
    ]
    stored, result = imported(ctx, made, profile)
    assert stored == made.expected
    assert result.skipped_by_reason() == made.skipped
    assert result.rows.read == made.rows_read and result.rows.adds_up
    assert sorted(len(a.rows) for a in result.audits) == [3, 4, 5]


def test_a_share_counts_rows_meeting_a_numeric_condition(tmp_path: Path, ctx: AppContext) -> None:
    """``share`` with ``at_least``: the dry-goods column's lines at 90 % or more."""
    made = write_shelf_lines(tmp_path)
    checklist = ctx.catalogue.get("sourcing")
    profile, _ = suggest_profile(made.path, checklist, "shelf")
    assert profile.lines is not None
    rule = AggregateRule.model_validate(
        {"column": SHELF_HEADER[5], "rule": "share", "where": {"at_least": 90}}
    )
    aggregate = {**profile.lines.aggregate, "share.organic_dry": rule}
    edited = profile.model_copy(
        update={"lines": profile.lines.model_copy(update={"aggregate": aggregate})}
    )
    read = read_with_profile(made.path, edited, checklist)
    shares = {
        str(v.visit_date.value): next(
            a.value.value for a in v.answers if a.item_id == "share.organic_dry"
        )
        for v in read.visits
    }
    assert shares == {"2026-05-03": 0.5, "2026-05-04": 0.5, "2026-05-20": 1.0}
    assert "share.organic_dry" in read.vocabulary.fraction_items


# --------------------------------------------------------------------------- two-level header


def test_repeated_sub_headers_are_named_group_slash_sub_header(
    tmp_path: Path, ctx: AppContext
) -> None:
    made = write_grouped_header(tmp_path)
    checklist = ctx.catalogue.get("sourcing")
    profile, report = suggest_profile(made.path, checklist, "grouped")
    assert profile.layout == "wide"
    assert report.header_row == 2
    assert profile.items == {
        "Inspector's notes": "notes.inspector",
        **{f"{text} / Score": item for item, text in SOURCING_QUESTIONS[:-1]},
    }
    assert profile.comments == {f"{text} / Comment": item for item, text in SOURCING_QUESTIONS[:-1]}
    assert report.unused_columns == ()
    assert profile.columns.given() == {
        "branch_code": "Store code",
        "visit_date": "Visit date",
        "auditor": "Auditor",
    }


def test_every_group_of_a_two_level_header_is_reached_and_imported(
    tmp_path: Path, ctx: AppContext
) -> None:
    made = write_grouped_header(tmp_path)
    checklist = ctx.catalogue.get("sourcing")
    profile, _ = suggest_profile(made.path, checklist, "grouped")
    read = read_with_profile(made.path, profile, checklist)
    assert read.issues == ()
    assert answer_places(read) == made.cells
    stored, result = imported(ctx, made, profile)
    assert stored == made.expected
    assert result.rows.read == made.rows_read and result.rows.adds_up


def test_a_hand_written_profile_names_the_second_group(tmp_path: Path, catalogue: Any) -> None:
    """Before, ``Score`` named the first group's column only; now each group's own."""
    made = write_grouped_header(tmp_path)
    profile = parse_profile(
        {
            "name": "grouped",
            "checklist": "sourcing",
            "header_row": 2,
            "columns": {
                "branch_code": "Store code",
                "visit_date": "Visit date",
                "auditor": "Auditor",
            },
            "items": {"Organic share of dry goods / Score": "share.organic_dry"},
        }
    )
    read = read_with_profile(made.path, profile, catalogue.get("sourcing"))
    assert [a.value.where for v in read.visits for a in v.answers] == ["Audits!F3", "Audits!F4"]


# --------------------------------------------------------------------------- problems


def test_layout_settings_are_checked_when_the_profile_loads() -> None:
    base = {"name": "x", "checklist": "sourcing"}
    with pytest.raises(ProfileError, match="the rows layout needs rows"):
        parse_profile({**base, "layout": "rows"})
    with pytest.raises(ProfileError, match="the share rule needs where"):
        parse_profile(
            {
                **base,
                "layout": "lines",
                "lines": {"aggregate": {"a": {"column": "X", "rule": "share"}}},
            }
        )
    with pytest.raises(ProfileError, match="a condition needs"):
        parse_profile(
            {
                **base,
                "layout": "lines",
                "lines": {"aggregate": {"a": {"column": "X", "rule": "count", "where": {}}}},
            }
        )


def test_rows_problems_are_named_at_their_cells(tmp_path: Path, catalogue: Any) -> None:
    made = write_monthly_qa(tmp_path)
    checklist = catalogue.get("sourcing")
    profile, _ = suggest_profile(made.path, checklist, "qa")
    assert profile.rows is not None
    wrong = profile.model_copy(
        update={"rows": profile.rows.model_copy(update={"question_column": "Criterion"})}
    )
    [issue] = read_with_profile(made.path, wrong, checklist).issues
    assert issue.code == IssueCode.HEADER_NOT_FOUND
    book = openpyxl.load_workbook(made.path)
    book["QA"]["B7"] = "Is the floor clean?"  # a question of no checklist, with answers
    book.save(made.path)
    read = read_with_profile(made.path, profile, checklist)
    assert [(i.code, i.cell) for i in read.issues] == [(IssueCode.QUESTION_UNKNOWN, "B7")]


def test_lines_problems_are_named_at_their_cells(tmp_path: Path, catalogue: Any) -> None:
    made = write_shelf_lines(tmp_path)
    checklist = catalogue.get("sourcing")
    profile, _ = suggest_profile(made.path, checklist, "shelf")
    book = openpyxl.load_workbook(made.path)
    book["Shelf"]["F6"] = "n/k"  # the dry-goods mean meets a word
    book.save(made.path)
    read = read_with_profile(made.path, profile, checklist)
    assert [(i.code, i.cell) for i in read.issues] == [(IssueCode.ANSWER_INVALID, "F6")]
    assert profile.lines is not None
    gone = {**profile.lines.aggregate}
    gone["share.organic_dry"] = AggregateRule(column="Dry goods %", rule="mean")
    edited = profile.model_copy(
        update={"lines": profile.lines.model_copy(update={"aggregate": gone})}
    )
    read = read_with_profile(made.path, edited, checklist)
    assert [i.code for i in read.issues] == [IssueCode.COLUMN_MISSING] and read.visits == ()


def test_lines_group_by_the_key_columns_the_profile_names(tmp_path: Path, catalogue: Any) -> None:
    """``keys: [Store code]``: both visits of ES-CAT-01 become one, its rows all counted."""
    made = write_shelf_lines(tmp_path)
    checklist = catalogue.get("sourcing")
    profile, _ = suggest_profile(made.path, checklist, "shelf")
    assert profile.lines is not None
    by_store = profile.model_copy(
        update={"lines": profile.lines.model_copy(update={"keys": ("Store code",)})}
    )
    read = read_with_profile(made.path, by_store, checklist)
    assert [(v.branch.value, v.rows) for v in read.visits] == [
        ("ES-CAT-01", (4, 5, 6, 7, 8, 15, 16, 17)),
        ("ES-CAT-02", (10, 11, 12, 13)),
    ]


def test_one_column_per_visit_headed_by_the_store_code(tmp_path: Path, ctx: AppContext) -> None:
    made = write_visit_columns(tmp_path)
    checklist = ctx.catalogue.get("sourcing")
    profile, report = suggest_profile(made.path, checklist, "visits")
    assert profile.rows is not None
    assert profile.rows.model_dump() == {
        "question_column": "Question",
        "number_column": None,
        "fields": {"visit_date": "Date", "auditor": "Auditor"},
        "header_gives": "branch_code",
    }
    assert report.problems == ()
    read = read_with_profile(made.path, profile, checklist)
    assert read.issues == ()
    assert answer_places(read) == made.cells
    assert [v.branch.where for v in read.visits] == ["Visits!B1", "Visits!C1", "Visits!D1"]
    stored, result = imported(ctx, made, profile)
    assert stored == made.expected
    assert result.skipped_by_reason() == made.skipped
    assert result.rows.read == made.rows_read and result.rows.adds_up


@pytest.mark.parametrize("builder", [write_monthly_qa, write_shelf_lines, write_grouped_header])
def test_the_wizard_page_saves_a_drafted_layout_as_drafted(
    tmp_path: Path, catalogue: Any, builder: Any
) -> None:
    """The page's table of columns, saved unchanged, gives the drafted profile back: rows
    fields, lines rules and comment columns survive the round."""
    from audit_app.services.mappings import MappingDraft, apply_assignments

    made = builder(tmp_path)
    checklist = catalogue.get("sourcing")
    profile, report = suggest_profile(made.path, checklist, "drafted")
    saved = apply_assignments(profile, checklist, MappingDraft(profile, report).assignments())
    assert saved == profile


def test_the_cli_drafts_saves_and_imports_each_shape(tmp_path: Path) -> None:
    """``mapping suggest --save`` then ``import FILE --mapping NAME``, nothing edited."""

    def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit_app", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=dict(os.environ),
            timeout=120,
            check=False,
        )

    branches = tmp_path / "branches.csv"
    branches.write_text(
        "code,name,region,country\nES-CAT-01,Gràcia,Catalonia,ES\nES-CAT-02,Girona,Catalonia,ES\n",
        encoding="utf-8",
    )
    assert cli("branches", "import", branches).returncode == 0
    for name, builder in (("qa", write_monthly_qa), ("shelf", write_shelf_lines)):
        made = builder(tmp_path)
        drafted = cli(
            "mapping", "suggest", made.path, "--checklist", "sourcing", "--name", name, "--save"
        )
        assert drafted.returncode == 0, drafted.stderr
        done = cli("import", made.path, "--mapping", name, "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        [result] = json.loads(done.stdout)["files"]
        assert result["status"] == "imported"
        assert len(result["audits"]) == len(made.expected)
        assert result["rows"]["read"] == made.rows_read


def test_the_wizard_says_when_a_visit_level_column_differs_between_rows(
    tmp_path: Path, catalogue: Any
) -> None:
    made = write_shelf_lines(tmp_path)
    book = openpyxl.load_workbook(made.path)
    book["Shelf"]["H5"] = "No"  # the first visit's second row disagrees with its first
    book.save(made.path)
    profile, report = suggest_profile(made.path, catalogue.get("sourcing"), "shelf")
    assert profile.lines is not None
    assert profile.lines.aggregate["shelf.organic_labelled"].rule == "first"
    assert report.problems == (
        f"'{SHELF_HEADER[7]}' differs between the rows of one visit: the draft takes each "
        "visit's first row for shelf.organic_labelled; choose a rule under lines.aggregate",
    )
