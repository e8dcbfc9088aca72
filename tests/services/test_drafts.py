"""Drafts: saved half-done by their author, replaced, discarded, and submitted in one go."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from audit_app.checklists import Catalogue
from audit_app.domain.audit import Answer, AuditRecord, AuditStatus, Branch, Visit
from audit_app.domain.users import Role, User
from audit_app.services.access import AccessDenied
from audit_app.services.audits import AuditRejected, list_scores, load_audit, submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.drafts import (
    discard_draft,
    list_drafts,
    load_draft,
    save_draft,
    submit_draft,
)
from tests.services.test_audits import phone_answers

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
JORDI = User(username="jordi", role=Role.AREA_MANAGER, areas=("Barcelona",))
PEDRO = User(username="pedro", role=Role.AREA_MANAGER, areas=("Madrid",))
GUEST = User(username="guest", role=Role.VIEWER)

BRANCHES = [
    Branch(code="ES-BCN-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="ES-MAD-01", name="Chamberí", region="Centre", area="Madrid", country="ES"),
]
WHEN = datetime(2026, 3, 2, 10, 30)


def visit(branch: str = "ES-BCN-01", when: datetime = WHEN, auditor: str = "Marta") -> Visit:
    return Visit(branch, "greeting_phone", 1, when, auditor)


def draft(ctx: AppContext, answered: int = 2, **visit_fields: object) -> AuditRecord:
    """A visit with only the first ``answered`` answers given."""
    return AuditRecord(visit(**visit_fields), phone_answers(ctx)[:answered])  # type: ignore[arg-type]


def complete(ctx: AppContext, **visit_fields: object) -> AuditRecord:
    return AuditRecord(visit(**visit_fields), phone_answers(ctx))  # type: ignore[arg-type]


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def test_save_list_load_replace_and_discard(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    first = save_draft(marta, draft(world, 2))
    [summary] = list_drafts(marta)
    assert (summary.audit_id, summary.branch_code, summary.answered) == (first, "ES-BCN-01", 2)
    assert summary.created_by == "marta" and summary.visited_at == WHEN
    assert summary.checklist_title == "Greeting: telephone"  # what people call it
    loaded = load_draft(marta, first)
    assert loaded.record.status == AuditStatus.DRAFT
    assert set(loaded.record.answers) == set(phone_answers(world)[:2])
    assert list_scores(marta).empty  # a draft is not an audit yet

    second = save_draft(marta, draft(world, 5), draft_id=first)  # saving again replaces
    assert [(d.audit_id, d.answered) for d in list_drafts(marta)] == [(second, 5)]
    assert len(load_draft(marta, second).record.answers) == 5
    assert len(list_drafts(world)) == 1  # replaced, not added (SQLite may reuse the id)

    discard_draft(marta, second)
    assert list_drafts(marta) == []
    with pytest.raises(AccessDenied):
        load_draft(marta, second)


def test_a_draft_keeps_its_comments_and_na_answers(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    answers = (
        Answer("answer.rings", None, False, "line was busy twice"),
        Answer("voicemail.greeting_current", None, True),
    )
    draft_id = save_draft(marta, AuditRecord(visit(), answers))
    assert set(load_draft(marta, draft_id).record.answers) == set(answers)


def test_another_users_draft_is_neither_listed_nor_loadable(world: AppContext) -> None:
    jordi, marta = world.as_user(JORDI), world.as_user(MARTA)
    theirs = save_draft(jordi, draft(world, auditor="Jordi"))
    assert list_drafts(marta) == []  # same area, but not hers
    for action in (
        lambda: load_draft(marta, theirs),
        lambda: discard_draft(marta, theirs),
        lambda: save_draft(marta, draft(world, 4), draft_id=theirs),
        lambda: submit_draft(marta, theirs, complete(world, auditor="Jordi")),
    ):
        with pytest.raises(AccessDenied, match=f"draft #{theirs} belongs to jordi"):
            action()
    assert [d.audit_id for d in list_drafts(jordi)] == [theirs]
    # head office sees every draft and may finish it
    hq = world.as_user(HQ)
    assert [d.audit_id for d in list_drafts(hq)] == [theirs]
    assert load_draft(hq, theirs).record.visit.auditor == "Jordi"
    assert list_scores(world).empty


def test_a_draft_of_another_area_is_refused(world: AppContext) -> None:
    marta, pedro = world.as_user(MARTA), world.as_user(PEDRO)
    with pytest.raises(AuditRejected, match="unknown branch code 'ES-MAD-01'"):
        save_draft(marta, draft(world, branch="ES-MAD-01"))
    madrid = save_draft(pedro, draft(world, branch="ES-MAD-01", auditor="Pedro"))
    assert list_drafts(marta) == []
    with pytest.raises(AccessDenied, match=f"no audit #{madrid}"):
        load_draft(marta, madrid)  # reads exactly like a missing one
    with pytest.raises(AccessDenied, match=f"no audit #{madrid}"):
        discard_draft(marta, madrid)
    assert [d.branch_code for d in list_drafts(pedro)] == ["ES-MAD-01"]


def test_a_viewer_cannot_save_submit_or_discard(world: AppContext) -> None:
    guest = world.as_user(GUEST)
    hq_draft = save_draft(world.as_user(HQ), draft(world))
    with pytest.raises(AccessDenied, match="a viewer cannot"):
        save_draft(guest, draft(world, auditor="Guest"))
    with pytest.raises(AccessDenied, match="a viewer cannot"):
        submit_draft(guest, None, complete(world, auditor="Guest"))
    with pytest.raises(AccessDenied, match="a viewer cannot discard drafts"):
        discard_draft(guest, hq_draft)
    assert list_drafts(guest) == []
    assert list_scores(world).empty and len(list_drafts(world)) == 1


def test_submitting_a_draft_removes_it(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    draft_id = save_draft(marta, draft(world))
    audit_id, card = submit_draft(marta, draft_id, complete(world))
    assert card.overall == 100 and card.passed
    assert list_drafts(marta) == []
    stored = load_audit(marta, audit_id)
    assert stored.record.status == AuditStatus.SUBMITTED
    assert stored.record.created_by == "marta"
    assert list(list_scores(marta)["audit_id"]) == [audit_id]
    with pytest.raises(AccessDenied, match="is submitted, not a draft"):
        load_draft(marta, audit_id)


def test_a_failed_submit_keeps_the_draft_in_the_same_transaction(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    submit_audit(marta, complete(world))  # this visit is already on record
    draft_id = save_draft(marta, draft(world, when=datetime(2026, 3, 3, 9)))
    # Submitting the draft as the recorded visit deletes the draft, then finds the duplicate:
    # the transaction rolls back, so the draft is still there and nothing else was written.
    with pytest.raises(AuditRejected, match="already audited"):
        submit_draft(marta, draft_id, complete(world))
    assert [d.audit_id for d in list_drafts(marta)] == [draft_id]
    assert set(load_draft(marta, draft_id).record.answers) == set(phone_answers(world)[:2])
    assert len(list_scores(marta)) == 1


def test_an_incomplete_or_invalid_draft_is_not_submitted(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    draft_id = save_draft(marta, draft(world))
    with pytest.raises(AuditRejected, match="required answer missing"):
        submit_draft(marta, draft_id, draft(world, 4))
    bad = AuditRecord(visit(), phone_answers(world, **{"answer.rings": -4.0}))
    with pytest.raises(AuditRejected, match="Rings before the call is answered"):
        save_draft(marta, bad, draft_id=draft_id)
    assert [d.audit_id for d in list_drafts(marta)] == [draft_id]
    assert list_scores(marta).empty


def test_a_draft_of_a_checklist_version_no_longer_installed_keeps_its_id(
    world: AppContext,
) -> None:
    marta = world.as_user(MARTA)
    save_draft(marta, draft(world))
    # A catalogue without greeting_phone, as after the checklist file was removed.
    others = Catalogue(c for c in world.catalogue if c.id != "greeting_phone")
    [summary] = list_drafts(replace(marta, catalogue=others))
    assert summary.checklist_title == "greeting_phone version 1"
