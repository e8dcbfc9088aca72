"""The visit reference (an agency's review number): the wizard finds its column by name, the
reader hands it over, the check keeps it as part of the visit's key, and it is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_app.checklists import Catalogue
from audit_app.domain.audit import Branch
from audit_app.domain.intake.model import IssueCode
from audit_app.intake.layouts.profile import read_with_profile, save_profile, suggest_profile
from audit_app.intake.layouts.profile.suggest import assign_roles
from audit_app.intake.layouts.profile.synonyms import VISIT_SYNONYMS
from audit_app.services.audits import load_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.imports import import_files
from tests.intake.reviews import write_review_numbers

BRANCHES = [
    Branch(code="ES-CAT-01", name="Gràcia", region="Catalonia", country="ES"),
    Branch(code="ES-CAT-02", name="Sants", region="Catalonia", country="ES"),
]


@pytest.mark.parametrize(
    "header",
    [
        "Review Number",
        "Review ID",
        "Visit ID",
        "Survey ID",
        "Ref",
        "Reference",
        "Número de visita",
        "Ref. No.",
        "Ziyaret No",
    ],
)
def test_the_wizard_recognises_a_reference_header(header: str) -> None:
    columns = ["Store ID", "Store", "Visit date", header, "Shopper"]
    assert assign_roles(columns, VISIT_SYNONYMS) == {
        "branch_code": 0,
        "branch_name": 1,
        "visit_date": 2,
        "visit_reference": 3,
        "auditor": 4,
    }


def test_a_drafted_profile_reads_the_review_number_of_each_row(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    checklist = catalogue.get("greeting_in_person")
    made = write_review_numbers(tmp_path)
    profile, report = suggest_profile(made.path, checklist, "agency")
    assert profile.columns.visit_reference == "Review Number"
    assert report.roles["visit_reference"] == "Review Number"
    assert "  visit reference: 'Review Number'" in report.lines()
    result = read_with_profile(made.path, profile, checklist)
    found = [(v.reference.value, v.reference.ref) for v in result.visits if v.reference is not None]
    assert found == [("RV-100231", "A2"), ("RV-100232", "A3"), ("RV-100240", "A4")]


def _imported(ctx: AppContext, tmp_path: Path, repeat: bool):  # type: ignore[no-untyped-def]
    save_branches(ctx, BRANCHES)
    made = write_review_numbers(tmp_path, repeat_reference=repeat)
    profile, _ = suggest_profile(made.path, ctx.catalogue.get("greeting_in_person"), "agency")
    save_profile(profile, ctx.settings.data_dir / "mappings")
    [result] = import_files(ctx, [made.path], mapping_name="agency")
    return made, result


def test_one_store_visited_twice_on_one_day_with_two_review_numbers_is_two_audits(
    tmp_path: Path, ctx: AppContext
) -> None:
    made, result = _imported(ctx, tmp_path, repeat=False)
    assert result.status == "imported", [str(p) for p in result.problems]
    assert [(a.branch_code, a.reference, a.rows) for a in result.audits] == [
        ("ES-CAT-01", "RV-100231", (2,)),
        ("ES-CAT-01", "RV-100232", (3,)),
        ("ES-CAT-02", "RV-100240", (4,)),
    ]
    stored = []
    for audit in result.audits:
        assert audit.audit_id is not None
        record = load_audit(ctx, audit.audit_id).record
        answers = {a.item_id: a.value for a in record.answers}
        stored.append((record.visit.reference, record.visit.branch_code, answers))
    assert stored == [(r.reference, r.branch_code, r.answers) for r in made.rows]
    assert import_files(ctx, [made.path], mapping_name="agency")[0].status == "already_imported"
    # the next export repeats the three visits and adds one of the same store and day
    from openpyxl import load_workbook

    book = load_workbook(made.path)
    sheet = book["Reviews"]
    sheet.append(["RV-100233", *[cell.value for cell in sheet[3]][1:]])
    book.save(made.path)
    [later] = import_files(ctx, [made.path], mapping_name="agency")
    assert later.status == "imported", [str(p) for p in later.problems]
    assert [(a.reference, a.already_present, a.differs) for a in later.audits] == [
        ("RV-100231", True, False),
        ("RV-100232", True, False),
        ("RV-100240", True, False),
        ("RV-100233", False, False),
    ]
    assert (later.rows.imported, later.rows.already_present) == (1, 3)


def test_the_same_review_number_twice_is_refused_naming_both_rows(
    tmp_path: Path, ctx: AppContext
) -> None:
    _, result = _imported(ctx, tmp_path, repeat=True)
    assert result.status == "rejected"
    [twice] = [p for p in result.problems if p.code == IssueCode.VISIT_TWICE]
    assert (twice.sheet, twice.row) == ("Reviews", 3)
    assert "reference RV-100231" in twice.message and "also at row 2" in twice.message


def test_a_reference_is_one_line_of_bounded_text(tmp_path: Path, ctx: AppContext) -> None:
    from openpyxl import load_workbook

    save_branches(ctx, BRANCHES)
    made = write_review_numbers(tmp_path)
    book = load_workbook(made.path)
    sheet = book["Reviews"]
    sheet["A2"] = "R" * 201
    sheet["A3"] = "RV\x7f232"
    sheet["A4"] = 100240.0  # a number cell: read as 100240
    book.save(made.path)
    profile, _ = suggest_profile(made.path, ctx.catalogue.get("greeting_in_person"), "agency")
    save_profile(profile, ctx.settings.data_dir / "mappings")
    [result] = import_files(ctx, [made.path], mapping_name="agency", dry_run=True)
    assert [(p.code, p.cell) for p in result.problems] == [
        (IssueCode.TEXT_TOO_LONG, "A2"),
        (IssueCode.TEXT_CONTROL_CHARACTER, "A3"),
    ]
    book["Reviews"]["A2"], book["Reviews"]["A3"] = " RV-1 ", None
    book.save(made.path)
    [result] = import_files(ctx, [made.path], mapping_name="agency", dry_run=True)
    assert [a.reference for a in result.audits] == ["RV-1", None, "100240"]


@pytest.mark.parametrize("form", ["wide", "long"])
def test_our_csv_forms_take_a_visit_reference_column(form: str) -> None:
    from audit_app.intake.layouts.ours import read_audit_csv

    if form == "wide":
        text = (
            "branch_code,visit_date,auditor,checklist_id,visit_reference,answer.greeting\n"
            "ES-01,2026-05-04,Agency X,greeting_phone,RV-1,yes\n"
            "ES-01,2026-05-04,Agency X,greeting_phone,RV-2,no\n"
        )
    else:
        text = (
            "branch_code,visited_at,auditor,checklist_id,visit_reference,item_id,value\n"
            "ES-01,2026-05-04,Agency X,greeting_phone,RV-1,answer.greeting,yes\n"
            "ES-01,2026-05-04,Agency X,greeting_phone,RV-1,call.tone,5\n"
            "ES-01,2026-05-04,Agency X,greeting_phone,RV-2,answer.greeting,no\n"
        )
    result = read_audit_csv("visits.csv", text.encode())
    found = [
        (v.reference.value if v.reference else None, [a.item_id for a in v.answers], v.rows)
        for v in result.visits
    ]
    if form == "wide":
        assert found == [("RV-1", ["answer.greeting"], (2,)), ("RV-2", ["answer.greeting"], (3,))]
    else:
        assert found == [
            ("RV-1", ["answer.greeting", "call.tone"], (2, 3)),
            ("RV-2", ["answer.greeting"], (4,)),
        ]


def test_a_long_layout_groups_rows_into_visits_by_reference_too(
    tmp_path: Path, catalogue: Catalogue
) -> None:
    checklist = catalogue.get("greeting_in_person")
    path = tmp_path / "long.csv"
    path.write_text(
        "Store code,Visit date,Shopper,Review ID,Question,Answer\n"
        "ES-CAT-01,2026-05-04,Agency X,RV-1,Employee offers help,Yes\n"
        "ES-CAT-01,2026-05-04,Agency X,RV-1,Employee thanks the customer,Yes\n"
        "ES-CAT-01,2026-05-04,Agency X,RV-2,Employee offers help,No\n"
        "ES-CAT-01,2026-05-04,Agency X,RV-2,Employee thanks the customer,No\n",
        encoding="utf-8",
    )
    profile, _ = suggest_profile(path, checklist, "long")
    assert (profile.layout, profile.columns.visit_reference) == ("long", "Review ID")
    result = read_with_profile(path, profile, checklist)
    found = [
        (v.reference.value if v.reference else None, [a.value.value for a in v.answers], v.rows)
        for v in result.visits
    ]
    assert found == [("RV-1", ["Yes", "Yes"], (2, 3)), ("RV-2", ["No", "No"], (4, 5))]


def test_visits_imported_before_the_reference_was_mapped_are_found_present(
    tmp_path: Path, ctx: AppContext
) -> None:
    """Last month's profile did not name the reference column; this month's does: a visit
    stored without a reference is the one with it (when it is the file's only visit of that
    branch, time and auditor), not a new audit."""
    from openpyxl import load_workbook

    save_branches(ctx, BRANCHES)
    made = write_review_numbers(tmp_path)
    book = load_workbook(made.path)
    book["Reviews"].delete_rows(3)  # one visit of ES-CAT-01, one of ES-CAT-02
    book.save(made.path)
    profile, _ = suggest_profile(made.path, ctx.catalogue.get("greeting_in_person"), "agency")
    columns = profile.columns.model_copy(update={"visit_reference": None})
    mappings = ctx.settings.data_dir / "mappings"
    save_profile(profile.model_copy(update={"columns": columns, "name": "old"}), mappings)
    save_profile(profile, mappings)
    [before] = import_files(ctx, [made.path], mapping_name="old")
    assert [(a.reference, a.already_present) for a in before.audits] == [
        (None, False),
        (None, False),
    ]
    [now] = import_files(ctx, [made.path], mapping_name="agency")
    assert now.status == "imported", [str(p) for p in now.problems]
    assert [(a.reference, a.already_present, a.audit_id) for a in now.audits] == [
        ("RV-100231", True, before.audits[0].audit_id),
        ("RV-100240", True, before.audits[1].audit_id),
    ]
