"""Drafts of mystery-shop visits: saved half-done, come back later, submit when complete.

A draft is an audit row with status ``draft``: its answers are checked for type but may be
incomplete, and it has no score. Saving again replaces it in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from audit_app.domain.audit import AuditRecord, AuditStatus
from audit_app.domain.scoring import ScoreCard
from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
from audit_app.i18n import _, current_language
from audit_app.services.access import AccessDenied, check_can_write
from audit_app.services.audits import StoredAudit, load_audit, store_audits
from audit_app.services.audits import submit_audit as _submit_audit
from audit_app.services.context import AppContext
from audit_app.storage import database, repository


@dataclass(frozen=True)
class DraftSummary:
    audit_id: int
    branch_code: str
    branch_name: str
    checklist_id: str
    checklist_version: int
    checklist_title: str
    """What people call the checklist (its id and version if it is no longer installed)."""
    visited_at: datetime
    auditor: str
    created_by: str | None
    saved_at: datetime
    answered: int


def save_draft(ctx: AppContext, record: AuditRecord, *, draft_id: int | None = None) -> int:
    """Store (or replace) a draft; returns its id. Nothing is scored or required yet."""
    check_can_write(ctx, "save drafts")
    draft = replace(record, status=AuditStatus.DRAFT, created_by=_username(ctx))
    if draft_id is not None:
        _own_draft(ctx, draft_id)
    stored = store_audits(ctx, [draft], skip_existing=False, replacing_draft=draft_id)
    return stored.ids[0]


def list_drafts(ctx: AppContext) -> list[DraftSummary]:
    """The drafts the acting user may pick up: their own, or (head office) everyone's."""
    user = ctx.user
    areas = user.areas if user is not None and user.role == Role.AREA_MANAGER else None
    with database.snapshot(ctx.engine) as conn:
        rows = repository.draft_rows(conn, areas)
    if user is not None and user.role != Role.HEAD_OFFICE:
        rows = [row for row in rows if row["created_by"] == user.username]
    return [
        DraftSummary(
            audit_id=row["audit_id"],
            branch_code=row["branch_code"],
            branch_name=row["branch_name"],
            checklist_id=row["checklist_id"],
            checklist_version=row["checklist_version"],
            checklist_title=_checklist_title(ctx, row["checklist_id"], row["checklist_version"]),
            visited_at=row["visited_at"],
            auditor=row["auditor"],
            created_by=row["created_by"],
            saved_at=row["created_at"],
            answered=int(row["answered"]),
        )
        for row in rows
    ]


def load_draft(ctx: AppContext, draft_id: int) -> StoredAudit:
    return _own_draft(ctx, draft_id)


def submit_draft(
    ctx: AppContext, draft_id: int | None, record: AuditRecord
) -> tuple[int, ScoreCard]:
    """Submit a visit; when it was a draft, the draft goes in the same transaction."""
    check_can_write(ctx, "enter or import audits")
    if draft_id is not None:
        _own_draft(ctx, draft_id)
    submitted = replace(record, created_by=record.created_by or _username(ctx))
    return _submit_audit(ctx, submitted, replacing_draft=draft_id)


def discard_draft(ctx: AppContext, draft_id: int) -> None:
    check_can_write(ctx, "discard drafts")
    _own_draft(ctx, draft_id)
    with database.transaction(ctx.engine) as conn:
        repository.delete_draft(conn, draft_id)


def _own_draft(ctx: AppContext, draft_id: int) -> StoredAudit:
    """The draft, if it is one the acting user may continue."""
    stored = load_audit(ctx, draft_id)  # another area's draft reads as missing
    if stored.record.status != AuditStatus.DRAFT:
        raise AccessDenied(_("audit #{id} is submitted, not a draft").format(id=draft_id))
    user = ctx.user
    if (
        user is not None
        and user.role != Role.HEAD_OFFICE
        and stored.record.created_by != user.username
    ):
        raise AccessDenied(
            _("draft #{id} belongs to {user}").format(id=draft_id, user=stored.record.created_by)
        )
    return stored


def _checklist_title(ctx: AppContext, checklist_id: str, version: int) -> str:
    try:
        return ctx.catalogue.get(checklist_id, version).title_in(current_language())
    except AuditAppError:  # the version's file was removed since the draft was saved
        return _("{checklist} version {version}").format(checklist=checklist_id, version=version)


def _username(ctx: AppContext) -> str | None:
    return ctx.user.username if ctx.user is not None else None
