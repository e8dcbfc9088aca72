"""Follow-up audits (issue #7, point 2): from an audit with failures, re-check only the
failed items; the follow-up is stored as kind ``follow_up`` linked to the original, scored
on its own items, and the items it passes verify their corrective actions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from audit_app.domain.answers import AnswersRejected, index_answers
from audit_app.domain.audit import AuditKind, AuditRecord, AuditStatus
from audit_app.domain.checklist import Checklist
from audit_app.domain.followups import follow_up_checklist, passed_items
from audit_app.domain.scoring import ScoreCard, score_audit, score_checked
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.services.access import check_can_write
from audit_app.services.actions import verify_actions
from audit_app.services.audits import AuditRejected, StoredAudit, load_audit, submit_audit
from audit_app.services.context import AppContext
from audit_app.storage import database


@dataclass(frozen=True)
class FollowUpPlan:
    """What a follow-up of ``original`` asks: its failed items, as a checklist of their own."""

    original: StoredAudit
    checklist: Checklist
    """The original checklist version restricted to the failed items."""
    failed: tuple[str, ...]
    """The failed item ids, in checklist order."""
    original_scores: dict[str, float | None]
    """The original's score (0-1) of each failed item."""


@dataclass(frozen=True)
class FollowUpResult:
    audit_id: int
    card: ScoreCard
    checklist: Checklist
    passed: tuple[str, ...]
    """Items the follow-up gave full marks: their actions are verified."""
    verified: int = 0
    """How many of the original's corrective actions moved to verified."""


def follow_up_plan(ctx: AppContext, audit_id: int) -> FollowUpPlan:
    """The failed items of a submitted audit the user may see, and the checklist they form."""
    original = load_audit(ctx, audit_id)  # another area's audit: "no audit #N"
    visit = original.record.visit
    if original.record.status != AuditStatus.SUBMITTED:
        raise AuditAppError(
            _("audit #{id} is a draft: submit it before following it up").format(id=audit_id)
        )
    if visit.kind == AuditKind.FOLLOW_UP:
        raise AuditAppError(
            _(
                "audit #{id} is itself a follow-up: start another follow-up from the "
                "original audit #{original}"
            ).format(id=audit_id, original=visit.follow_up_of)
        )
    full = ctx.catalogue.get(visit.checklist_id, visit.checklist_version)
    scores = dict(score_checked(full, original.record.answers).item_scores)
    checklist, failed = follow_up_checklist(full, scores)
    return FollowUpPlan(original, checklist, failed, {i: scores[i] for i in failed})


def submit_follow_up(
    ctx: AppContext, original_audit_id: int, record: AuditRecord
) -> FollowUpResult:
    """Validate the answers against the failed items only, score them on their own, store the
    follow-up linked to the original, then verify the actions of the items it passed.

    The record's visit gives when, who, channel and language; branch, checklist and kind come
    from the original so a follow-up cannot be filed against another branch.
    """
    check_can_write(ctx, "enter a follow-up audit")
    plan = follow_up_plan(ctx, original_audit_id)
    original = plan.original.record.visit
    visit = replace(
        record.visit,
        branch_code=original.branch_code,
        checklist_id=original.checklist_id,
        checklist_version=original.checklist_version,
        kind=AuditKind.FOLLOW_UP,
        follow_up_of=original_audit_id,
    )
    try:
        card = score_audit(plan.checklist, index_answers(record.answers))
    except AnswersRejected as error:
        raise AuditRejected(
            [_("follow-up of audit #{id}: {reason}").format(id=original_audit_id, reason=error)]
        ) from None
    created_by = record.created_by or (ctx.user.username if ctx.user else None)
    stored = AuditRecord(
        visit, record.answers, AuditStatus.SUBMITTED, record.source, None, created_by
    )
    audit_id, card = submit_audit(ctx, stored)  # prepare() scores the same restricted items
    passed = passed_items(card.item_scores)
    verified = _verify(ctx, original_audit_id, passed, audit_id)
    return FollowUpResult(audit_id, card, plan.checklist, passed, verified)


def _verify(ctx: AppContext, original_audit_id: int, passed: tuple[str, ...], by: int) -> int:
    """Move the passed items' actions to verified, in a transaction of its own right after the
    follow-up is stored (the actions service owns the rules of an action's status)."""
    with database.transaction(ctx.engine) as conn:
        return verify_actions(conn, original_audit_id, list(passed), by)
