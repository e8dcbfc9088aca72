"""Shapes with no plain reader, each read through the profile the wizard drafts from the
untouched file and imported end to end: questions in rows (one column per month), line
sheets grouped into visits with aggregated items, two-level merged headers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml

from audit_app.domain.audit import Branch
from audit_app.domain.intake.model import ReadResult
from audit_app.intake.layouts.profile import (
    MappingProfile,
    dump_profile,
    parse_profile,
    read_with_profile,
    save_profile,
    suggest_profile,
)
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.intake.layout_files import LayoutFile, write_monthly_qa


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
    stored, result = imported(ctx, made, profile)
    assert stored == made.expected
    assert result.skipped_by_reason() == made.skipped
    assert result.rows.read == made.rows_read and result.rows.adds_up
