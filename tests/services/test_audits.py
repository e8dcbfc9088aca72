"""Submitting audits: validated, scored and written in one transaction, or not at all."""

from __future__ import annotations

from datetime import datetime

import pytest

from audit_app.domain.audit import Answer, AuditRecord, AuditStatus, Branch, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import (
    AuditRejected,
    list_scores,
    score_rows,
    store_audits,
    submit_audit,
)
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext

BRANCHES = [
    Branch(code="ES-01", name="Gràcia", region="Catalonia", country="ES", language="ca"),
    Branch(code="TR-01", name="Kadıköy", region="Istanbul", country="TR", language="tr"),
]


def phone_visit(
    branch: str = "ES-01", when: datetime = datetime(2026, 3, 2, 10, 30), auditor: str = "Ann"
) -> Visit:
    return Visit(branch, "greeting_phone", 1, when, auditor)


def phone_answers(ctx: AppContext, **overrides: object) -> tuple[Answer, ...]:
    """Every scored item of greeting_phone at its best, with overrides by item id."""
    from tests.storage.test_database import _good_value

    checklist = ctx.catalogue.get("greeting_phone")
    out = []
    for item in checklist.items:
        if not item.scored:
            continue
        value = overrides.get(item.id, _good_value(item))
        out.append(Answer(item.id, None, True) if value == "na" else Answer(item.id, value))
    return tuple(out)


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def test_submit_scores_and_stores_the_audit(world: AppContext) -> None:
    audit_id, card = submit_audit(world, AuditRecord(phone_visit(), phone_answers(world)))
    assert card.overall == 100 and card.grade == "Excellent" and card.passed
    rows = score_rows(world)
    assert [(r["audit_id"], r["branch_code"], r["overall"], r["passed"]) for r in rows] == [
        (audit_id, "ES-01", 100.0, True)
    ]


def test_a_critical_failure_is_stored_with_the_capped_score(world: AppContext) -> None:
    checklist = world.catalogue.get("greeting_phone")
    critical = next(item.id for item in checklist.items if item.critical)
    _, card = submit_audit(
        world, AuditRecord(phone_visit(), phone_answers(world, **{critical: False}))
    )
    row = score_rows(world)[0]
    assert card.critical_failure and row["critical_failure"] is True
    assert row["overall"] == 59.0 and row["passed"] is False


def test_an_incomplete_audit_is_refused_and_nothing_is_written(world: AppContext) -> None:
    answers = phone_answers(world)[1:]
    with pytest.raises(AuditRejected, match=r"required answer missing: answer\.rings"):
        submit_audit(world, AuditRecord(phone_visit(), answers))
    assert list_scores(world).empty


def test_an_incomplete_draft_can_be_saved(world: AppContext) -> None:
    answers = phone_answers(world)[1:]
    stored = store_audits(world, [AuditRecord(phone_visit(), answers, AuditStatus.DRAFT)])
    assert len(stored.ids) == 1 and stored.cards == (None,)
    assert list_scores(world).empty  # drafts are not scored or listed


def test_the_same_visit_is_not_stored_twice(world: AppContext) -> None:
    record = AuditRecord(phone_visit(), phone_answers(world))
    submit_audit(world, record)
    with pytest.raises(AuditRejected, match="already audited"):
        submit_audit(world, record)
    again = store_audits(world, [record], skip_existing=True)
    assert again.ids == () and again.skipped == 1
    assert len(list_scores(world)) == 1


def test_one_bad_audit_in_a_batch_stops_the_whole_batch(world: AppContext) -> None:
    good = AuditRecord(phone_visit(), phone_answers(world))
    bad = AuditRecord(phone_visit("TR-01"), phone_answers(world, **{"answer.rings": -4.0}))
    unknown = AuditRecord(phone_visit("XX-99"), phone_answers(world))
    with pytest.raises(AuditRejected) as caught:
        store_audits(world, [good, bad])
    assert "audit 2 (TR-01, greeting_phone, 2026-03-02 10:30)" in str(caught.value)
    with pytest.raises(AuditRejected, match="unknown branch code 'XX-99'"):
        store_audits(world, [good, unknown])
    assert list_scores(world).empty


def test_scores_follow_the_filter(world: AppContext) -> None:
    store_audits(
        world,
        [
            AuditRecord(phone_visit("ES-01", datetime(2026, 1, 5, 9)), phone_answers(world)),
            AuditRecord(phone_visit("TR-01", datetime(2026, 2, 5, 9)), phone_answers(world)),
            AuditRecord(phone_visit("TR-01", datetime(2026, 3, 5, 9), "Bo"), phone_answers(world)),
        ],
    )
    assert len(list_scores(world, AuditFilter(region="Istanbul"))) == 2
    assert len(list_scores(world, AuditFilter(country="es"))) == 1
    from datetime import date

    feb = AuditFilter(date_from=date(2026, 2, 5), date_to=date(2026, 2, 5))
    assert list(list_scores(world, feb)["branch_code"]) == ["TR-01"]
    assert list(list_scores(world, AuditFilter(auditor="Bo"))["visited_at"].dt.month) == [3]
    assert list_scores(world, AuditFilter(checklist_id="returns")).empty
