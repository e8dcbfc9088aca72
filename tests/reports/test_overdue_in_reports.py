"""Overdue corrective actions in the reports (issue #7, point 1): the branch report lists the
branch's overdue actions or says there are none; the comparison report states how many are
overdue in the selection and which branches have the most, within the user's areas."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf

from audit_app.domain.checklist import localized
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services.actions import ActionFilter, list_actions, overdue_count
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.report_compare import comparison_data, comparison_report
from audit_app.services.reports import branch_report, branch_report_data, find_branch
from tests.reports.conftest import column_text, flat
from tests.reports.words import day, t

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))


def read_pdf(content: bytes) -> str:
    """The PDF's text with every run of white space made one space."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return flat(" ".join(page.extract_text() or "" for page in reader.pages))


def _overdue_by_branch(ctx: AppContext) -> dict[str, int]:
    counts: dict[str, int] = {}
    for action in list_actions(ctx, ActionFilter(overdue_only=True)):
        counts[action.branch_code] = counts.get(action.branch_code, 0) + 1
    return counts


def test_branch_report_lists_the_branch_overdue_actions(demo_ctx: AppContext) -> None:
    counts = _overdue_by_branch(demo_ctx)
    code = max(counts, key=lambda c: (counts[c], c))
    language = find_branch(demo_ctx, code).language
    actions = list_actions(demo_ctx, ActionFilter(branch_code=code, overdue_only=True))
    assert len(actions) == counts[code] >= 2

    data = branch_report_data(demo_ctx, code)
    content = branch_report(demo_ctx, code, generated_at=WHEN)
    text = read_pdf(content)
    questions = column_text(content, 0, 73)  # the question column of the overdue table

    assert len(data.overdue) == len(actions)
    assert t("Overdue corrective actions", language) in text
    assert t("No corrective action of this branch is overdue.", language) not in text
    for action in actions:
        checklist = demo_ctx.catalogue.get(action.checklist_id)
        question = localized(
            checklist.items_by_id[action.item_id].text, language, checklist.language
        )
        assert flat(question) in questions
        assert day(action.due_on, language) in text
    days = [row.days_overdue for row in data.overdue]
    assert days == sorted(days, reverse=True)  # the most overdue first
    assert min(days) >= 1


def test_branch_report_in_english_names_item_and_due_date(demo_ctx: AppContext) -> None:
    counts = _overdue_by_branch(demo_ctx)
    code = min(counts)
    content = branch_report(demo_ctx, code, language="en", generated_at=WHEN)
    text = read_pdf(content)
    row = branch_report_data(demo_ctx, code).overdue[0]
    assert "Overdue corrective actions" in text
    assert day(row.due_on, "en") in text
    assert f"{day(row.due_on, 'en')} {row.days_overdue} " in text


def test_branch_report_without_overdue_actions_says_none(demo_ctx: AppContext) -> None:
    counts = _overdue_by_branch(demo_ctx)
    code = next(b.code for b in list_branches(demo_ctx) if b.code not in counts)
    language = find_branch(demo_ctx, code).language
    data = branch_report_data(demo_ctx, code)
    text = read_pdf(branch_report(demo_ctx, code, generated_at=WHEN))
    assert data.overdue == ()
    assert t("Overdue corrective actions", language) in text
    assert t("No corrective action of this branch is overdue.", language) in text


def test_comparison_report_states_the_overdue_count(demo_ctx: AppContext) -> None:
    expected = overdue_count(demo_ctx, AuditFilter())
    assert expected > 0
    data = comparison_data(demo_ctx, AuditFilter(), items=False)
    text = read_pdf(comparison_report(demo_ctx, items=False, generated_at=WHEN))

    counts = _overdue_by_branch(demo_ctx)
    assert data.overdue_actions == expected == sum(counts.values())
    assert f"{expected:,} corrective actions in this selection are overdue" in text
    assert data.overdue_branch_count == len(counts)
    assert len(data.overdue_branches) == min(10, len(counts))
    top = data.overdue_branches[0]
    assert top.overdue == max(counts.values())
    assert [b.overdue for b in data.overdue_branches] == sorted(
        (b.overdue for b in data.overdue_branches), reverse=True
    )
    assert f"{top.branch_code} {top.branch_name} {top.overdue}" in text


def test_comparison_overdue_count_follows_the_filter(demo_ctx: AppContext) -> None:
    selection = AuditFilter(country="RO")
    data = comparison_data(demo_ctx, selection, items=False)
    assert data.overdue_actions == overdue_count(demo_ctx, selection) > 0
    assert all(b.branch_code.startswith("RO-") for b in data.overdue_branches)
    assert sum(b.overdue for b in data.overdue_branches) <= data.overdue_actions


def test_comparison_report_for_an_area_manager_stays_in_her_area(demo_ctx: AppContext) -> None:
    marta = demo_ctx.as_user(MARTA)
    data = comparison_data(marta, AuditFilter(), items=False)
    text = read_pdf(comparison_report(marta, items=False, generated_at=WHEN))

    expected = overdue_count(marta, AuditFilter())
    assert 0 < expected < overdue_count(demo_ctx, AuditFilter())
    assert data.overdue_actions == expected
    assert f"{expected:,} corrective actions in this selection are overdue" in text
    mine = {b.code for b in list_branches(marta)}
    assert data.overdue_branches
    assert {b.branch_code for b in data.overdue_branches} <= mine
    others = [b for b in list_branches(demo_ctx) if b.code not in mine]
    assert others
    for branch in others:
        assert branch.code not in text
        assert branch.name not in text
