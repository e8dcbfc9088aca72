"""The pure check of an import: raw visits + checklists + branches -> an intake report,
compared whole (codes, places, messages); no file and no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from audit_app.checklists import Catalogue
from audit_app.domain.intake.branches import BranchDirectory
from audit_app.domain.intake.check import check
from audit_app.domain.intake.model import (
    Cell,
    ImportIssue,
    IssueCode,
    RawAnswer,
    RawVisit,
    ReadResult,
)


@dataclass(frozen=True)
class _Branch:
    code: str
    name: str
    language: str = "ca"


BRANCHES = BranchDirectory([_Branch("ES-01", "Gràcia"), _Branch("ES-02", "Sants")])


def _cell(value: object, ref: str, row: int) -> Cell:
    return Cell(value, "Visits", ref, row)


def _visit(row: int, branch: object, day: object, answers: dict[str, object]) -> RawVisit:
    return RawVisit(
        branch=_cell(branch, f"A{row}", row),
        visit_date=_cell(day, f"B{row}", row),
        auditor=_cell("Ann", f"C{row}", row),
        answers=tuple(
            RawAnswer(item, _cell(value, f"{chr(68 + n)}{row}", row))
            for n, (item, value) in enumerate(answers.items())
        ),
        row=row,
        rows=(row,),
    )


PHONE = {
    "answer.rings": 3,
    "answer.greeting": "yes",
    "call.clear_speech": "yes",
    "call.tone": 4,
    "call.hold": "never",
    "call.all_answered": "yes",
    "call.anything_else": "no",
    "voicemail.greeting_current": "na",
    "voicemail.return_hours": 5,
}


def _read(*visits: RawVisit) -> ReadResult:
    return ReadResult("greeting_phone", 1, visits)


def test_good_visits_become_audits_with_their_rows(catalogue: Catalogue) -> None:
    report = check(
        _read(_visit(2, "ES-01", date(2026, 5, 2), PHONE), _visit(3, "es-01", "03/05/2026", PHONE)),
        checklist_of=catalogue.get,
        branches=BRANCHES,
    )
    assert report.ok and report.checklists == ["greeting_phone@1"]
    assert [(v.record.visit.branch_code, v.visit.rows) for v in report.visits] == [
        ("ES-01", (2,)),
        ("ES-01", (3,)),  # a code in any case
    ]
    assert report.visits[0].record.visit.visited_at == datetime(2026, 5, 2)
    assert report.visits[0].record.visit.language == "ca"


def test_every_problem_is_coded_and_placed(catalogue: Catalogue) -> None:
    bad = {**PHONE, "call.tone": "loud", "answer.rings": None}
    report = check(
        _read(
            _visit(2, "ES-99", date(2026, 5, 2), PHONE),
            _visit(3, "ES-02", "someday", bad),
            _visit(4, "ES-02", date(2026, 5, 2), PHONE),
            _visit(5, "ES-02", date(2026, 5, 2), PHONE),
        ),
        checklist_of=catalogue.get,
        branches=BRANCHES,
        outside={"ES-01"},
    )
    assert report.issues == [
        ImportIssue(
            IssueCode.BRANCH_UNKNOWN, "'ES-99' is not a known branch code", "Visits", "A2", 2
        ),
        ImportIssue(
            IssueCode.DATE_INVALID,
            "'someday' is not a date (write e.g. 2026-05-23 or 23/05/2026)",
            "Visits",
            "B3",
            3,
        ),
        ImportIssue(
            IssueCode.ANSWER_MISSING,
            "D3: required answer missing for 'Rings before the call is answered'",
            "Visits",
            "D3",
            3,
        ),
        ImportIssue(
            IssueCode.ANSWER_INVALID,
            "G3: 'loud' is not an answer to 'Tone is friendly' "
            "(allowed: a whole number from 1 to 5)",
            "Visits",
            "G3",
            3,
        ),
        ImportIssue(
            IssueCode.VISIT_TWICE,
            "the same visit (ES-02, 2026-05-02 00:00, Ann) appears twice in the file "
            "(also at row 4)",
            "Visits",
            "A5",
            5,
        ),
    ]
    assert [v.visit.row for v in report.visits] == [4]


def test_a_branch_outside_the_importers_areas_is_refused(catalogue: Catalogue) -> None:
    report = check(
        _read(_visit(2, "ES-01", date(2026, 5, 2), PHONE)),
        checklist_of=catalogue.get,
        branches=BRANCHES,
        outside={"ES-01"},
    )
    assert [(i.code, i.cell) for i in report.issues] == [(IssueCode.BRANCH_OUTSIDE_AREAS, "A2")]


def test_no_visits_and_an_unknown_checklist_are_said(catalogue: Catalogue) -> None:
    empty = check(_read(), checklist_of=catalogue.get, branches=BRANCHES)
    assert [i.code for i in empty.issues] == [IssueCode.NO_VISITS]
    unknown = check(
        ReadResult("no_such", None, (_visit(2, "ES-01", date(2026, 5, 2), PHONE),)),
        checklist_of=catalogue.get,
        branches=BRANCHES,
    )
    assert [(i.code, i.cell) for i in unknown.issues] == [(IssueCode.CHECKLIST_UNKNOWN, "A2")]


def test_a_required_item_no_column_answers_is_said_once_per_file(catalogue: Catalogue) -> None:
    without = {k: v for k, v in PHONE.items() if k != "call.tone"}
    report = check(
        _read(*(_visit(row, "ES-01", date(2026, 5, row), without) for row in (2, 3, 4))),
        checklist_of=catalogue.get,
        branches=BRANCHES,
    )
    assert report.issues == [
        ImportIssue(
            IssueCode.ITEM_NO_COLUMN,
            "required item call.tone 'Tone is friendly' has no answer column or row",
            "Visits",
        )
    ]
