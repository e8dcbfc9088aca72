"""The pure check and the visit reference: part of the visit's key when present, passed to
the audit, held to the name bound at its cell."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from audit_app.checklists import Catalogue
from audit_app.domain.intake.check import check
from audit_app.domain.intake.model import ImportIssue, IssueCode, RawVisit
from tests.domain.test_intake_check import BRANCHES, PHONE, _cell, _read, _visit


def _with(reference: object, row: int) -> RawVisit:
    visit = _visit(row, "ES-01", date(2026, 5, 2), PHONE)
    return replace(visit, reference=None if reference is None else _cell(reference, f"Z{row}", row))


def _checked(catalogue: Catalogue, *references: object):  # type: ignore[no-untyped-def]
    visits = [_with(reference, row) for row, reference in enumerate(references, start=2)]
    return check(_read(*visits), checklist_of=catalogue.get, branches=BRANCHES)


def test_two_references_are_two_visits(catalogue: Catalogue) -> None:
    report = _checked(catalogue, "RV-1", "RV-2", None, 100240.0)
    assert report.issues == []
    assert [c.record.visit.reference for c in report.visits] == ["RV-1", "RV-2", None, "100240"]


def test_the_same_reference_twice_names_both_rows(catalogue: Catalogue) -> None:
    report = _checked(catalogue, "RV-1", "RV-1")
    assert report.issues == [
        ImportIssue(
            IssueCode.VISIT_TWICE,
            "the same visit (ES-01, 2026-05-02 00:00, Ann, reference RV-1) appears twice in "
            "the file (also at row 2)",
            "Visits",
            "A3",
            3,
        )
    ]


def test_no_reference_twice_is_still_the_same_visit(catalogue: Catalogue) -> None:
    report = _checked(catalogue, None, "  ")
    assert [i.code for i in report.issues] == [IssueCode.VISIT_TWICE]


def test_a_reference_out_of_bounds_is_refused_at_its_cell(catalogue: Catalogue) -> None:
    report = _checked(catalogue, "R" * 201, "RV\x001", "RV\t2")
    assert [(i.code, i.cell) for i in report.issues] == [
        (IssueCode.TEXT_TOO_LONG, "Z2"),
        (IssueCode.TEXT_CONTROL_CHARACTER, "Z3"),
    ]
    assert report.issues[0].message == (
        "Z2: the visit reference is 201 characters long; the limit is 200"
    )
