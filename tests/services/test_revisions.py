"""Corrections make revisions (never edits in place), within who-may-when rules; appeals are
recorded and resolved; every query reads the latest revision."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from audit_app.domain.audit import Answer, AuditRecord, Branch, Visit
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services import compare
from audit_app.services.access import AccessDenied
from audit_app.services.audits import list_scores, load_audit, submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.revisions import (
    audit_history,
    can_revise,
    list_appeals,
    raise_appeal,
    resolve_appeal,
    revise_audit,
)
from audit_app.services.verify import verify
from tests.storage.test_database import _good_value

BRANCHES = [
    Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="TR-01", name="Kadıköy", region="Istanbul", area="Istanbul", country="TR"),
]
HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
GUEST = User(username="guest", role=Role.VIEWER)


def good_answers(ctx: AppContext, **overrides: object) -> list[Answer]:
    checklist = ctx.catalogue.get("greeting_phone")
    return [
        Answer(item.id, overrides.get(item.id, _good_value(item)))
        for item in checklist.items
        if item.scored
    ]


def submit(ctx: AppContext, code: str = "ES-01", day: int = 2) -> int:
    visit = Visit(code, "greeting_phone", 1, datetime(2026, 3, day, 10, 15), "Ann")
    audit_id, _ = submit_audit(ctx, AuditRecord(visit, tuple(good_answers(ctx))))
    return audit_id


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def test_a_revision_replaces_the_current_view_and_keeps_the_first(world: AppContext) -> None:
    audit_id = submit(world)
    made = revise_audit(
        world.as_user(HQ), audit_id, good_answers(world, **{"call.tone": 1}), "tone misheard"
    )
    assert made.revision == 2 and made.created_by == "hq" and made.overall < 100
    history = audit_history(world, audit_id)
    assert [(r.revision, r.reason, r.current) for r in history] == [
        (1, None, False),
        (2, "tone misheard", True),
    ]
    assert history[0].overall == 100 and history[0].answers["call.tone"].value == 5
    assert history[1].answers["call.tone"].value == 1
    scores = list_scores(world)
    assert scores["overall"].tolist() == [pytest.approx(made.overall)]
    assert load_audit(world, audit_id).overall == pytest.approx(made.overall)
    table = compare.league_table(world, min_audits=1)
    assert [(r.branch_code, round(r.mean, 3)) for r in table.rows] == [
        ("ES-01", round(made.overall, 3))
    ]
    assert verify(world).ok


def test_a_revision_without_a_reason_is_refused(world: AppContext) -> None:
    audit_id = submit(world)
    for reason in ("", "   "):
        with pytest.raises(AuditAppError, match="needs a reason"):
            revise_audit(world, audit_id, good_answers(world, **{"call.tone": 1}), reason)
    assert [r.revision for r in audit_history(world, audit_id)] == [1]


def test_unchanged_or_invalid_answers_are_refused(world: AppContext) -> None:
    audit_id = submit(world)
    with pytest.raises(AuditAppError, match="nothing to correct"):
        revise_audit(world, audit_id, good_answers(world), "no change")
    with pytest.raises(AuditAppError, match="99 is above the scale's 5: 'Tone is friendly'"):
        revise_audit(world, audit_id, good_answers(world, **{"call.tone": 99}), "bad")


def test_an_area_manager_cannot_revise_another_areas_audit(world: AppContext) -> None:
    istanbul = submit(world, "TR-01")
    with pytest.raises(AccessDenied, match=f"no audit #{istanbul}"):
        revise_audit(world.as_user(MARTA), istanbul, good_answers(world, **{"call.tone": 1}), "x")
    with pytest.raises(AccessDenied, match=f"no audit #{istanbul}"):
        audit_history(world.as_user(MARTA), istanbul)
    barcelona = submit(world, "ES-01")
    made = revise_audit(
        world.as_user(MARTA), barcelona, good_answers(world, **{"call.tone": 1}), "typo"
    )
    assert made.created_by == "marta"


def test_outside_the_window_only_head_office_may_revise(world: AppContext) -> None:
    audit_id = submit(world)
    # The window has passed: a window of no time at all (submitted_at is sealed, so the
    # test cannot move it back without verify naming the change).
    world = replace(world, settings=world.settings.model_copy(update={"revision_window_days": 0}))
    marta = world.as_user(MARTA)
    assert "only head office" in (can_revise(marta, audit_id) or "")
    with pytest.raises(AccessDenied, match="only head office can correct it now"):
        revise_audit(marta, audit_id, good_answers(world, **{"call.tone": 1}), "late")
    assert can_revise(world.as_user(HQ), audit_id) is None
    revise_audit(world.as_user(HQ), audit_id, good_answers(world, **{"call.tone": 1}), "late")
    assert verify(world).ok


def test_a_viewer_cannot_revise_or_appeal(world: AppContext) -> None:
    audit_id = submit(world)
    guest = world.as_user(GUEST)
    with pytest.raises(AccessDenied, match="viewer"):
        revise_audit(guest, audit_id, good_answers(world, **{"call.tone": 1}), "x")
    with pytest.raises(AccessDenied, match="viewer"):
        raise_appeal(guest, audit_id, "unfair")
    assert "viewer" in (can_revise(guest, audit_id) or "")


def test_appeals_rejected_keep_the_reason_and_upheld_make_a_revision(world: AppContext) -> None:
    audit_id = submit(world)
    marta = world.as_user(MARTA)
    first = raise_appeal(marta, audit_id, "the caller was a trainee")
    with pytest.raises(AuditAppError, match="already has an open appeal"):
        raise_appeal(marta, audit_id, "again")
    with pytest.raises(AccessDenied, match="only head office"):
        resolve_appeal(marta, first.appeal_id, False, "no")
    rejected = resolve_appeal(world.as_user(HQ), first.appeal_id, False, "no evidence")
    assert (rejected.status, rejected.resolution, rejected.revision) == (
        "rejected",
        "no evidence",
        None,
    )
    assert [r.revision for r in audit_history(world, audit_id)] == [1]

    second = raise_appeal(marta, audit_id, "recording shows a warm tone")
    upheld = resolve_appeal(
        world.as_user(HQ),
        second.appeal_id,
        True,
        "recording checked",
        good_answers(world, **{"call.tone": 3}),
    )
    assert upheld.status == "upheld" and upheld.revision == 2
    last = audit_history(world, audit_id)[-1]
    assert last.created_by == "hq" and "recording checked" in (last.reason or "")
    assert last.answers["call.tone"].value == 3
    assert [a.status for a in list_appeals(world, audit_id)] == ["rejected", "upheld"]
    with pytest.raises(AuditAppError, match="already upheld"):
        resolve_appeal(world.as_user(HQ), second.appeal_id, False, "changed my mind")
    assert verify(world).ok
