"""A correction re-syncs the audit's corrective actions in the revision's own transaction:
a new failure gets an open action, a fixed item's open action is closed as done (with who and
which revision), and everything else stays exactly as it was."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services.actions import update_action
from audit_app.services.context import AppContext
from audit_app.services.revisions import audit_history, raise_appeal, resolve_appeal, revise_audit
from audit_app.storage import action_store, database
from audit_app.storage.tables import action_events, corrective_actions
from tests.services.test_actions import FAILING, HQ, _submit
from tests.services.test_actions import world as world  # the fixture
from tests.services.test_audits import phone_answers

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
# call.clear_speech passes now, call.anything_else fails now; the other two still fail.
CORRECTED = {
    "answer.greeting": False,
    "call.tone": 2,
    "call.clear_speech": True,
    "call.anything_else": False,
}


def _actions(ctx: AppContext) -> dict[str, dict[str, Any]]:
    with database.transaction(ctx.engine) as conn:
        rows = conn.execute(select(corrective_actions).order_by(corrective_actions.c.id))
        return {row.item_id: dict(row._mapping) for row in rows}


def _events(ctx: AppContext) -> list[tuple[int, str | None, str, str | None, str | None]]:
    with database.transaction(ctx.engine) as conn:
        rows = conn.execute(select(action_events).order_by(action_events.c.id))
        return [(r.action_id, r.by, r.field, r.old, r.new) for r in rows]


def _check_resynced(ctx: AppContext, before: dict[str, dict[str, Any]], by: str) -> None:
    after = _actions(ctx)
    assert set(after) == set(before) | {"call.anything_else"}
    for item in ("answer.greeting", "call.tone"):  # still failing: untouched
        assert after[item] == before[item]
    fixed = after["call.clear_speech"]
    assert fixed["status"] == "done" and fixed["updated_by"] == by
    assert fixed["note"] == "passed in revision 2"
    assert _events(ctx) == [
        (fixed["id"], by, "status", "open", "done"),
        (fixed["id"], by, "note", None, "passed in revision 2"),
    ]
    new = after["call.anything_else"]
    assert (new["status"], new["owner"], new["critical"], new["score"]) == (
        "open",
        "Jordi Vidal",
        False,
        0.0,
    )
    assert new["due_on"] == date(2026, 3, 16)  # 14 days from the visit, not from today
    assert new["audit_id"] == fixed["audit_id"]


def test_a_revision_closes_the_fixed_item_and_opens_the_new_failure(world: AppContext) -> None:
    audit_id = _submit(world, **FAILING)
    before = _actions(world)
    made = revise_audit(
        world.as_user(MARTA), audit_id, list(phone_answers(world, **CORRECTED)), "misheard"
    )
    assert made.revision == 2
    _check_resynced(world, before, "marta")


def test_an_upheld_appeal_resyncs_the_actions_the_same_way(world: AppContext) -> None:
    audit_id = _submit(world, **FAILING)
    before = _actions(world)
    appeal = raise_appeal(world, audit_id, "the clear speech was fine", by="Jordi")
    resolved = resolve_appeal(
        world.as_user(HQ),
        appeal.appeal_id,
        True,
        "recording confirms it",
        list(phone_answers(world, **CORRECTED)),
    )
    assert resolved.revision == 2
    _check_resynced(world, before, "hq")


def test_a_correction_to_partial_credit_above_the_policy_closes_the_action(
    world: AppContext,
) -> None:
    # Issue #19: a tone corrected from 2 (0.25) to 4 (0.75) no longer opens an action.
    audit_id = _submit(world, **FAILING)
    revise_audit(
        world.as_user(HQ),
        audit_id,
        list(phone_answers(world, **{**FAILING, "call.tone": 4})),
        "tone misheard",
    )
    after = _actions(world)
    assert {item: row["status"] for item, row in after.items()} == {
        "answer.greeting": "open",
        "call.clear_speech": "open",
        "call.tone": "done",
    }


def test_done_and_verified_actions_stay_as_they_are(world: AppContext) -> None:
    audit_id = _submit(world, **FAILING)
    actions = _actions(world)
    update_action(world, actions["call.tone"]["id"], status="done")
    update_action(world, actions["answer.greeting"]["id"], status="in_progress")
    before, events = _actions(world), _events(world)
    # call.tone passes, call.clear_speech still fails, the critical one passes now.
    revise_audit(
        world.as_user(HQ),
        audit_id,
        list(phone_answers(world, **{"call.clear_speech": False})),
        "re-listened",
    )
    after = _actions(world)
    assert after["call.tone"] == before["call.tone"]
    assert after["call.clear_speech"] == before["call.clear_speech"]
    assert after["answer.greeting"]["status"] == "done"  # in progress, now passing: closed
    assert _events(world)[: len(events)] == events


def test_an_upheld_appeal_with_the_same_answers_changes_no_action(world: AppContext) -> None:
    audit_id = _submit(world, **FAILING)
    before, events = _actions(world), _events(world)
    appeal = raise_appeal(world, audit_id, "too harsh")
    resolve_appeal(world, appeal.appeal_id, True, "score stands as it is")
    assert _actions(world) == before and _events(world) == events


def test_a_refused_revision_leaves_the_actions(world: AppContext) -> None:
    audit_id = _submit(world, **FAILING)
    before = _actions(world)
    with pytest.raises(AuditAppError, match="nothing to correct"):
        revise_audit(world, audit_id, list(phone_answers(world, **FAILING)), "same again")
    assert _actions(world) == before and _events(world) == []


def test_the_revision_and_its_action_changes_are_written_together(
    world: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit_id = _submit(world, **FAILING)
    before = _actions(world)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(action_store, "insert_actions", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        revise_audit(world, audit_id, list(phone_answers(world, **CORRECTED)), "misheard")
    assert [r.revision for r in audit_history(world, audit_id)] == [1]
    assert _actions(world) == before and _events(world) == []
