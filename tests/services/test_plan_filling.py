"""Submitted and imported visits fill the slots of published plans by themselves, in the
same transaction, on both engines."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from audit_app.domain.audit import Answer, AuditRecord, AuditStatus, Channel, Visit
from audit_app.domain.plans import ChannelNeed, PlanScope
from audit_app.services.audits import load_audit, submit_audit
from audit_app.services.context import AppContext
from audit_app.services.drafts import save_draft, submit_draft
from audit_app.services.imports import import_files
from audit_app.services.plans import create_plan, publish_plan, show_plan
from audit_app.services.revisions import revise_audit
from audit_app.storage import database
from audit_app.storage.tables import branches, planned_visits
from tests.helpers import PHONE_ANSWERS
from tests.services.plan_world import build, phone_call, quarter_request
from tests.services.test_audits import phone_answers
from tests.services.test_imports import fill_template

ES01 = PlanScope(branches=("ES-01",))


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    build(ctx)
    return ctx


def _filled(ctx: AppContext, plan_id: int) -> list[tuple[date, str | None, int | None]]:
    return [(s.planned_on, s.channel, s.audit_id) for s in show_plan(ctx, plan_id).slots]


def _best_answers(ctx: AppContext, checklist_id: str) -> tuple[Answer, ...]:
    from tests.storage.test_database import _good_value

    items = ctx.catalogue.get(checklist_id).items
    return tuple(Answer(item.id, _good_value(item)) for item in items if item.scored)


def _published(ctx: AppContext, **changes: object) -> int:
    plan_id = create_plan(ctx, quarter_request(ES01, **changes))
    publish_plan(ctx, plan_id)
    return plan_id


def test_a_submission_fills_the_nearest_slot_and_a_second_the_next(world: AppContext) -> None:
    plan_id = _published(world)
    (first_day, _c, _a), (second_day, _c2, _a2) = _filled(world, plan_id)
    late = phone_call(world, "ES-01", datetime.combine(second_day, time(11)))
    assert _filled(world, plan_id) == [(first_day, "phone", None), (second_day, "phone", late)]
    early = phone_call(world, "ES-01", datetime(2026, 9, 29, 9))  # nearest open: the first
    assert _filled(world, plan_id) == [(first_day, "phone", early), (second_day, "phone", late)]
    third = phone_call(world, "ES-01", datetime(2026, 9, 30, 9))  # none left: fills nothing
    with database.snapshot(world.engine) as conn:
        filled_at = conn.execute(
            select(planned_visits.c.audit_id, planned_visits.c.filled_at).order_by(
                planned_visits.c.planned_on
            )
        ).all()
    assert [row[0] for row in filled_at] == [early, late] and third not in {early, late}
    assert all(row[1] is not None for row in filled_at)


def test_only_the_plans_checklist_channel_branch_and_period_fill(world: AppContext) -> None:
    plan_id = _published(world, needs=(ChannelNeed("in_person", 1), ChannelNeed("phone", 1)))
    phone_call(world, "ES-02", datetime(2026, 8, 3, 10))  # another branch
    phone_call(world, "ES-01", datetime(2026, 6, 30, 10))  # before the period
    in_person = Visit(
        "ES-01", "greeting_in_person", 1, datetime(2026, 8, 3, 10), "Ann", channel=Channel.PHONE
    )
    submit_audit(world, AuditRecord(in_person, _best_answers(world, "greeting_in_person")))
    assert all(audit is None for _d, _c, audit in _filled(world, plan_id))
    call = phone_call(world, "ES-01", datetime(2026, 7, 2, 10))
    assert [(c, a) for _d, c, a in _filled(world, plan_id)] == [
        ("in_person", None),
        ("phone", call),
    ]


def test_a_draft_plan_is_not_filled_until_published(world: AppContext) -> None:
    plan_id = create_plan(world, quarter_request(ES01))
    call = phone_call(world, "ES-01", datetime(2026, 8, 20, 10))
    assert [a for _d, _c, a in _filled(world, plan_id)] == [None, None]
    assert publish_plan(world, plan_id) == 1  # the visit already made fills it now
    assert call in [a for _d, _c, a in _filled(world, plan_id)]


def test_a_draft_audit_fills_nothing_until_submitted(world: AppContext) -> None:
    plan_id = _published(world)
    visit = Visit("ES-01", "greeting_phone", 1, datetime(2026, 8, 20, 10), "Ann")
    draft_id = save_draft(world, AuditRecord(visit, phone_answers(world), AuditStatus.DRAFT))
    assert [a for _d, _c, a in _filled(world, plan_id)] == [None, None]
    audit_id, _card = submit_draft(world, draft_id, AuditRecord(visit, phone_answers(world)))
    assert audit_id in [a for _d, _c, a in _filled(world, plan_id)]


def test_a_revision_keeps_the_slot(world: AppContext) -> None:
    plan_id = _published(world)
    call = phone_call(world, "ES-01", datetime(2026, 8, 20, 10))
    before = _filled(world, plan_id)
    answers = phone_answers(world, **{"call.tone": 3})
    revise_audit(world, call, answers, "the tone was mis-typed")
    assert load_audit(world, call).record.answers != phone_answers(world)
    assert _filled(world, plan_id) == before and call in [a for _d, _c, a in before]


def test_an_import_fills_slots(world: AppContext, tmp_path: Path) -> None:
    plan_id = _published(world)
    files = [
        fill_template(
            world,
            tmp_path / f"visit{n}.xlsx",
            PHONE_ANSWERS,
            branch="ES-01",
            day=day,
            auditor="Laura Fernández",
        )
        for n, day in enumerate((date(2026, 7, 15), date(2026, 9, 10)))
    ]
    results = import_files(world, files)
    ids = [audit_id for result in results for audit_id in result.audit_ids()]
    assert len(ids) == 2
    assert sorted(a for _d, _c, a in _filled(world, plan_id) if a is not None) == sorted(ids)


def test_a_slot_taken_meanwhile_is_not_overwritten_and_the_next_is_filled(
    world: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two submissions at one moment both read the same open slots; the one committing second
    # must not overwrite the first's fill (a visit lost from the coverage) but take the next.
    from audit_app.storage import plan_store

    plan_id = _published(world)
    (first_day, _c, _a), (second_day, _c2, _a2) = _filled(world, plan_id)
    with database.snapshot(world.engine) as conn:
        every_branch = set(conn.execute(select(branches.c.id)).scalars())
        before = plan_store.open_published_slots(conn, every_branch, {"greeting_phone"})
    monkeypatch.setattr(plan_store, "open_published_slots", lambda *_a, **_k: list(before))
    first = phone_call(world, "ES-01", datetime.combine(first_day, time(9)))
    second = phone_call(world, "ES-01", datetime.combine(first_day, time(15)))
    assert _filled(world, plan_id) == [(first_day, "phone", first), (second_day, "phone", second)]
    third = phone_call(world, "ES-01", datetime.combine(first_day, time(17)))
    assert third not in {a for _d, _c3, a in _filled(world, plan_id)}
