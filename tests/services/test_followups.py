"""Follow-up audits: ask only the failed items, score them on their own, link to the original,
verify the passed items' actions, stay out of comparisons unless asked for."""

from __future__ import annotations

from datetime import datetime

import pytest

from audit_app.domain.audit import Answer, AuditKind, AuditRecord, Branch, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services import actions
from audit_app.services.access import AccessDenied
from audit_app.services.audits import AuditRejected, list_scores, load_audit, submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.compare import league_table
from audit_app.services.context import AppContext
from audit_app.services.followups import follow_up_plan, submit_follow_up
from tests.services.test_audits import phone_answers

BRANCHES = [
    Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="TR-01", name="Kadıköy", region="Istanbul", area="Istanbul", country="TR"),
]
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
GUEST = User(username="guest", role=Role.VIEWER)
FAILED = {"call.clear_speech": False, "call.all_answered": False, "call.anything_else": False}


@pytest.fixture
def world(ctx: AppContext) -> tuple[AppContext, int]:
    """Two branches with one full audit each; ES-01's fails three items."""
    save_branches(ctx, BRANCHES)
    original, _ = submit_audit(
        ctx,
        AuditRecord(
            Visit("ES-01", "greeting_phone", 1, datetime(2026, 3, 2, 10), "Ann"),
            phone_answers(ctx, **FAILED),
        ),
    )
    submit_audit(
        ctx,
        AuditRecord(
            Visit("TR-01", "greeting_phone", 1, datetime(2026, 3, 2, 11), "Ann"),
            phone_answers(ctx),
        ),
    )
    return ctx, original


def _follow_up(answers: dict[str, object], when: int = 16) -> AuditRecord:
    visit = Visit("ignored", "ignored", 9, datetime(2026, 3, when, 10), "Bea")
    return AuditRecord(visit, tuple(Answer(i, v) for i, v in answers.items()))  # type: ignore[arg-type]


def test_a_follow_up_asks_only_the_failed_items(world: tuple[AppContext, int]) -> None:
    ctx, original = world
    plan = follow_up_plan(ctx, original)
    assert plan.failed == ("call.clear_speech", "call.all_answered", "call.anything_else")
    assert [i.id for i in plan.checklist.items] == list(plan.failed)
    assert [s.id for s in plan.checklist.sections] == ["call"]
    assert plan.original_scores == dict.fromkeys(plan.failed, 0.0)
    with pytest.raises(AuditRejected, match=r"answer\.greeting"):  # a passed item is not asked
        submit_follow_up(
            ctx, original, _follow_up({**dict.fromkeys(FAILED, True), "answer.greeting": True})
        )
    with pytest.raises(AuditRejected, match=r"call\.anything_else"):  # every failed item is
        submit_follow_up(ctx, original, _follow_up({"call.clear_speech": True}))


def test_a_follow_up_is_scored_on_its_own_items_and_linked(world: tuple[AppContext, int]) -> None:
    ctx, original = world
    answers = {"call.clear_speech": True, "call.all_answered": True, "call.anything_else": False}
    result = submit_follow_up(ctx, original, _follow_up(answers))
    assert result.card.overall == pytest.approx(200 / 3)  # 2 of its own 3 items
    assert result.passed == ("call.all_answered", "call.clear_speech")
    stored = load_audit(ctx, result.audit_id)
    visit = stored.record.visit
    assert (visit.kind, visit.follow_up_of, visit.branch_code) == (
        AuditKind.FOLLOW_UP,
        original,
        "ES-01",
    )
    assert {a.item_id for a in stored.record.answers} == set(answers)
    assert stored.overall == pytest.approx(200 / 3)
    with pytest.raises(AuditAppError, match="itself a follow-up"):
        follow_up_plan(ctx, result.audit_id)


def test_passing_items_verify_their_actions(world: tuple[AppContext, int]) -> None:
    ctx, original = world
    before = {
        a.item_id: a.status.value for a in actions.list_actions(ctx) if a.audit_id == original
    }
    assert before == dict.fromkeys(FAILED, "open")
    answers = {"call.clear_speech": True, "call.all_answered": True, "call.anything_else": False}
    result = submit_follow_up(ctx, original, _follow_up(answers))
    assert result.verified == 2
    after = {a.item_id: (a.status.value, a.verified_by_audit) for a in actions.list_actions(ctx)}
    assert after == {
        "call.clear_speech": ("verified", result.audit_id),
        "call.all_answered": ("verified", result.audit_id),
        "call.anything_else": ("open", None),
    }, "the follow-up's own failure makes no second action"


def test_follow_ups_are_left_out_of_comparisons_unless_included(
    world: tuple[AppContext, int],
) -> None:
    ctx, original = world
    follow_up = submit_follow_up(ctx, original, _follow_up(dict.fromkeys(FAILED, True))).audit_id
    audits = {row.branch_code: row.audits for row in league_table(ctx, min_audits=1).rows}
    assert audits == {"ES-01": 1, "TR-01": 1}
    assert follow_up not in set(list_scores(ctx)["audit_id"])
    included = AuditFilter(include_follow_ups=True)
    audits = {r.branch_code: r.audits for r in league_table(ctx, included, min_audits=1).rows}
    assert audits == {"ES-01": 2, "TR-01": 1}
    assert follow_up in set(list_scores(ctx, included)["audit_id"])
    assert set(list_scores(ctx, AuditFilter(kind="follow_up"))["audit_id"]) == {follow_up}


def test_only_users_who_may_write_and_see_the_branch_follow_up(
    world: tuple[AppContext, int],
) -> None:
    ctx, original = world
    tr_audit = int(list_scores(ctx, AuditFilter(branch_code="TR-01"))["audit_id"].iloc[0])
    marta = ctx.as_user(MARTA)
    with pytest.raises(AccessDenied, match=f"no audit #{tr_audit}"):
        follow_up_plan(marta, tr_audit)
    with pytest.raises(AccessDenied, match="viewer"):
        submit_follow_up(ctx.as_user(GUEST), original, _follow_up(dict.fromkeys(FAILED, True)))
    result = submit_follow_up(marta, original, _follow_up(dict.fromkeys(FAILED, True)))
    assert result.card.overall == 100.0
    assert load_audit(ctx, result.audit_id).record.created_by == "marta"
    with pytest.raises(AuditAppError, match="nothing to follow up"):
        follow_up_plan(ctx, tr_audit)


def test_the_compare_command_includes_follow_ups_only_when_asked(
    world: tuple[AppContext, int],
) -> None:
    import json

    from typer.testing import CliRunner

    from audit_app.cli import app

    ctx, original = world
    submit_follow_up(ctx, original, _follow_up(dict.fromkeys(FAILED, True)))
    ctx.engine.dispose()
    runner = CliRunner()
    counts = []
    for extra in ([], ["--include-follow-ups"]):
        result = runner.invoke(app, ["compare", "--format", "json", "--min-audits", "1", *extra])
        assert result.exit_code == 0, result.output
        rows = json.loads(result.output)["rows"]
        counts.append({row["branch_code"]: row["audits"] for row in rows})
    assert counts == [{"ES-01": 1, "TR-01": 1}, {"ES-01": 2, "TR-01": 1}]
