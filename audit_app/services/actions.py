"""Corrective actions: created with the audit that found the failures, worked through by the
branch, closed by head office or the area manager, verified by a follow-up audit.

Every change is written with one ``action_events`` row per field (who, when, old, new), in the
same transaction, so the history of an action is never missing a step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from audit_app.checklists import Catalogue
from audit_app.domain.actions import (
    CLOSED,
    OPEN_STATUSES,
    ActionRuleBroken,
    ActionStatus,
    check_move,
    due_date,
    failed_items,
    is_overdue,
    parse_status,
    sync_actions,
)
from audit_app.domain.audit import Answer, AuditKind, AuditRecord, AuditStatus
from audit_app.domain.bounds import OutOfBounds
from audit_app.domain.checklist import Checklist, localized
from audit_app.domain.filters import AuditFilter
from audit_app.domain.scoring import ScoreCard
from audit_app.errors import AuditAppError
from audit_app.i18n import _, current_language
from audit_app.services.access import AccessDenied, check_can_write, scoped, sees_area
from audit_app.services.context import AppContext
from audit_app.storage import action_store, database
from audit_app.storage.repository import utcnow

COMMAND_LINE = "command line"
"""Who changed an action when the CLI (the server operator, no log-in) did it."""


T = TypeVar("T")


class ActionRefused(AuditAppError):
    """A change to an action that its rules do not allow; ``code`` says which rule
    (``status_move``, ``owner_empty``, ``due_before_visit``, ``unknown_status``)."""

    def __init__(self, message: str, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ActionRefusal:
    """One action a bulk update left as it was, and why (the message names the action)."""

    action_id: int
    code: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.action_id, "code": self.code, "reason": self.reason}


@dataclass(frozen=True)
class BulkUpdate:
    """What a bulk update did: every allowed action changed (or already so), the others
    refused one by one."""

    updated: tuple[ActionUpdate, ...]
    refused: tuple[ActionRefusal, ...]

    @property
    def changed(self) -> tuple[ActionUpdate, ...]:
        return tuple(u for u in self.updated if u.changed)


@dataclass(frozen=True)
class ActionFilter:
    status: tuple[str, ...] | None = None
    """Only these statuses (None: all)."""
    branch_code: str | None = None
    overdue_only: bool = False
    owners: tuple[str, ...] | None = None
    """Only actions owned by these names (case-insensitive); ``UNASSIGNED`` ("") stands for
    actions nobody owns yet."""
    due_by: date | None = None
    """Only actions due on or before this day (overdue and due soon)."""
    audit_id: int | None = None
    """Only the actions one audit opened (the score card links here)."""


UNASSIGNED = ""
"""The owner of an action nobody owns yet (the branch had no manager on file)."""


@dataclass(frozen=True)
class ActionView:
    id: int
    audit_id: int
    branch_code: str
    branch_name: str
    area: str
    checklist_id: str
    item_id: str
    item: str
    """The item's question in the current language where the checklist has it, else in the
    checklist's first language."""
    critical: bool
    score: float | None
    found_on: date
    due_on: date
    owner: str
    status: ActionStatus
    note: str | None
    updated_at: datetime
    updated_by: str | None
    verified_by_audit: int | None
    overdue: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "audit_id": self.audit_id,
            "branch_code": self.branch_code,
            "branch_name": self.branch_name,
            "area": self.area,
            "checklist_id": self.checklist_id,
            "item_id": self.item_id,
            "item": self.item,
            "critical": self.critical,
            "score": self.score,
            "found_on": self.found_on,
            "due_on": self.due_on,
            "owner": self.owner,
            "status": self.status.value,
            "note": self.note,
            "overdue": self.overdue,
            "updated_at": self.updated_at,
            "updated_by": self.updated_by,
            "verified_by_audit": self.verified_by_audit,
        }


@dataclass(frozen=True)
class ActionEvent:
    at: datetime
    by: str | None
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ActionUpdate:
    action: ActionView
    changed: tuple[str, ...]
    """The fields that changed (empty when every value was already so)."""


def today() -> date:
    """The server's calendar day: an action due today is overdue from tomorrow."""
    return date.today()


# --- creation, inside the transaction that stores the audits -------------------------------


def create_for_audits(
    conn: Connection,
    catalogue: Catalogue,
    stored: Sequence[tuple[int, AuditRecord, ScoreCard | None]],
    *,
    branch_id_of: dict[str, int],
    managers: dict[str, str] | None = None,
) -> int:
    """One open action per failed item of each submitted audit (critical items first): failed
    as the checklist's action policy says (default: a No, a critical item below full marks,
    an item score below 0.5), owned by the branch manager and due the policy's days after
    the visit by severity; returns how many.

    Called by ``store_audits`` in its own transaction, so an audit is never stored without
    its actions. Drafts, unscored records and follow-ups are skipped.
    """
    if managers is None:
        managers = action_store.branch_managers(conn)
    now = utcnow()
    rows: list[tuple[Any, ...]] = []
    for audit_id, record, card in stored:
        if card is None or record.status != AuditStatus.SUBMITTED:
            continue
        if record.visit.kind == AuditKind.FOLLOW_UP:
            continue  # its failures are the original's actions, still open: no duplicates
        visit = record.visit
        checklist = catalogue.get(visit.checklist_id, visit.checklist_version)
        found_on = visit.visited_at.date()
        answers = {answer.item_id: answer for answer in record.answers}
        for failed in failed_items(checklist, card, answers):
            rows.append(
                (
                    audit_id,
                    branch_id_of[visit.branch_code],
                    visit.checklist_id,
                    failed.item_id,
                    failed.critical,
                    failed.score,
                    due_date(checklist, failed.critical, found_on),
                    managers.get(visit.branch_code, ""),
                    ActionStatus.OPEN.value,
                    now,
                    now,
                )
            )
    action_store.insert_actions(conn, rows)
    return len(rows)


def verify_actions(
    conn: Connection,
    original_audit_id: int,
    passed_item_ids: Iterable[str],
    follow_up_audit_id: int,
) -> int:
    """Mark the original audit's actions on the items the follow-up passed as verified (a
    check was made, whatever the status was); returns how many. Runs in the caller's
    transaction, the one that stores the follow-up."""
    by = f"follow-up audit #{follow_up_audit_id}"
    now = utcnow()
    rows = action_store.unverified_for_items(conn, original_audit_id, passed_item_ids)
    for row in rows:
        action_store.update_action(
            conn,
            row["id"],
            {
                "status": (row["status"], ActionStatus.VERIFIED.value),
                "verified_by_audit": (None, follow_up_audit_id),
            },
            by,
            now,
        )
    return len(rows)


def sync_for_revision(
    conn: Connection,
    checklist: Checklist,
    audit: dict[str, Any],
    card: ScoreCard,
    revision: int,
    by: str | None,
    answers: Mapping[str, Answer] | None = None,
) -> tuple[int, int]:
    """Bring a corrected audit's actions in line with its new revision, in the transaction
    that writes the revision: an item failing now with no action gets an open one (as
    :func:`create_for_audits` would make it), an open or in-progress action on an item that
    passes now is closed as done with a note naming the revision. Items still failing and
    done or verified actions stay as they are. ``audit`` is the audit's row (branch id and
    code, visit). Follow-ups are skipped (their failures are the original's actions).
    Failing is what the checklist's action policy says opens an action (``answers``, the
    revision's, lets a No count as one). Returns (created, closed)."""
    if audit.get("kind") == AuditKind.FOLLOW_UP.value:
        return 0, 0
    existing = action_store.audit_action_states(conn, audit["id"])
    sync = sync_actions(
        ((row["item_id"], row["status"]) for row in existing),
        failed_items(checklist, card, answers),
    )
    now = utcnow()
    who = by or COMMAND_LINE
    found_on = audit["visited_at"].date()
    owner = action_store.branch_managers(conn).get(audit["branch_code"], "") if sync.create else ""
    action_store.insert_actions(
        conn,
        [
            (
                audit["id"],
                audit["branch_id"],
                audit["checklist_id"],
                failed.item_id,
                failed.critical,
                failed.score,
                due_date(checklist, failed.critical, found_on),
                owner,
                ActionStatus.OPEN.value,
                now,
                now,
            )
            for failed in sync.create
        ],
    )
    closing = set(sync.close)
    closed = action_store.close_actions(
        conn,
        [
            row
            for row in existing
            if row["item_id"] in closing and ActionStatus(row["status"]) in OPEN_STATUSES
        ],
        ActionStatus.DONE.value,
        f"passed in revision {revision}",
        who,
        now,
    )
    return len(sync.create), closed


# --- reading ---------------------------------------------------------------------------------


def _areas(ctx: AppContext) -> tuple[str, ...] | None:
    return scoped(ctx, AuditFilter()).areas


def _view(ctx: AppContext, row: dict[str, Any], on: date) -> ActionView:
    status = ActionStatus(row["status"])
    try:
        checklist = ctx.catalogue.get(row["checklist_id"], row["checklist_version"])
        item = checklist.items_by_id.get(row["item_id"])
        text = (
            localized(item.text, current_language(), checklist.language) if item else row["item_id"]
        )
    except AuditAppError:  # a checklist file removed since: the id still says what it was
        text = row["item_id"]
    return ActionView(
        id=row["id"],
        audit_id=row["audit_id"],
        branch_code=row["branch_code"],
        branch_name=row["branch_name"],
        area=row["branch_area"],
        checklist_id=row["checklist_id"],
        item_id=row["item_id"],
        item=text,
        critical=bool(row["critical"]),
        score=row["score"],
        found_on=row["visited_at"].date(),
        due_on=row["due_on"],
        owner=row["owner"],
        status=status,
        note=row["note"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        verified_by_audit=row["verified_by_audit"],
        overdue=is_overdue(row["due_on"], status, on),
    )


def list_actions(
    ctx: AppContext, action_filter: ActionFilter = ActionFilter(), *, on: date | None = None
) -> list[ActionView]:
    """The actions the user may see, most urgent first; ``on`` is the day overdue is judged
    on (today unless a test says otherwise)."""
    on = on or today()
    statuses = None
    if action_filter.status:
        statuses = [_status(value).value for value in action_filter.status]
    with database.snapshot(ctx.engine) as conn:
        rows = action_store.action_rows(
            conn,
            areas=_areas(ctx),
            status=statuses,
            branch_code=action_filter.branch_code,
            overdue_on=on if action_filter.overdue_only else None,
            audit_id=action_filter.audit_id,
        )
    views = [_view(ctx, row, on) for row in rows]
    if action_filter.owners is not None:
        wanted = {owner.strip().casefold() for owner in action_filter.owners}
        views = [v for v in views if v.owner.strip().casefold() in wanted]
    if action_filter.due_by is not None:
        views = [v for v in views if v.due_on <= action_filter.due_by]
    return sorted(views, key=triage_key)


def triage_key(action: ActionView) -> tuple[bool, bool, date, bool, int]:
    """Still to do before done; overdue first, then due soonest; critical first on a day."""
    return (
        action.status in CLOSED,
        not action.overdue,
        action.due_on,
        not action.critical,
        action.id,
    )


def owners(actions: Iterable[ActionView]) -> list[tuple[str, int, int]]:
    """(owner, actions, overdue) per owner of the given actions, most overdue first; the
    unassigned ones under :data:`UNASSIGNED`."""
    counts: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for action in actions:
        key = action.owner.strip().casefold()
        names.setdefault(key, action.owner.strip())
        tally = counts.setdefault(key, [0, 0])
        tally[0] += 1
        tally[1] += action.overdue
    rows = [(names[key], total, late) for key, (total, late) in counts.items()]
    return sorted(rows, key=lambda row: (-row[2], -row[1], row[0].casefold()))


def get_action(ctx: AppContext, action_id: int, *, on: date | None = None) -> ActionView:
    """One action; another area's is refused exactly like a missing one."""
    with database.snapshot(ctx.engine) as conn:
        row = _visible_row(ctx, conn, action_id)
    return _view(ctx, row, on or today())


def actions_opened(ctx: AppContext, audit_id: int) -> int:
    """How many corrective actions the audit opened (any status since), in the user's
    areas: the score card's "3 corrective actions opened"."""
    with database.snapshot(ctx.engine) as conn:
        rows = action_store.action_rows(conn, areas=_areas(ctx), audit_id=audit_id)
    return len(rows)


def action_history(ctx: AppContext, action_id: int) -> list[ActionEvent]:
    """Who changed what on the action, oldest first."""
    with database.snapshot(ctx.engine) as conn:
        _visible_row(ctx, conn, action_id)
        rows = action_store.event_rows(conn, action_id)
    return [ActionEvent(r["at"], r["by"], r["field"], r["old"], r["new"]) for r in rows]


def overdue_count(
    ctx: AppContext, audit_filter: AuditFilter = AuditFilter(), *, on: date | None = None
) -> int:
    """Overdue actions in the user's areas, narrowed by the filter's region, country and
    checklist (its dates are about visits, not about when an action is due)."""
    narrowed = scoped(ctx, audit_filter)
    with database.snapshot(ctx.engine) as conn:
        return action_store.count_overdue(
            conn,
            on or today(),
            narrowed.areas,
            region=narrowed.region,
            country=narrowed.country,
            checklist_id=narrowed.checklist_id,
        )


CSV_COLUMNS = [
    "id",
    "branch_code",
    "branch_name",
    "area",
    "checklist_id",
    "item_id",
    "item",
    "critical",
    "score",
    "found_on",
    "due_on",
    "status",
    "overdue",
    "owner",
    "note",
    "audit_id",
    "updated_at",
    "updated_by",
    "verified_by_audit",
]


def actions_csv(
    ctx: AppContext, action_filter: ActionFilter = ActionFilter(), *, on: date | None = None
) -> bytes:
    """The listed actions as CSV (UTF-8 with BOM, for spreadsheets), in the user's scope."""
    from audit_app.intake.export import to_csv

    rows = [action.to_dict() for action in list_actions(ctx, action_filter, on=on)]
    return to_csv(rows, CSV_COLUMNS).encode("utf-8-sig")


def actions_version(ctx: AppContext) -> tuple[Any, ...]:
    """Changes whenever an action is added or changed, or a branch: part of a cache key."""
    with database.snapshot(ctx.engine) as conn:
        return (ctx.settings.resolved_database_url, *action_store.stamp(conn))


def may_edit(ctx: AppContext, action: ActionView) -> bool:
    """Head office and the area manager of the action's branch (the CLI too)."""
    user = ctx.user
    return user is None or (user.can_write and sees_area(ctx, action.area))


# --- changing ----------------------------------------------------------------------------------


def update_action(
    ctx: AppContext,
    action_id: int,
    *,
    status: str | ActionStatus | None = None,
    owner: str | None = None,
    due_on: date | None = None,
    note: str | None = None,
    on: date | None = None,
) -> ActionUpdate:
    """Change what is given; one event per field that really changed, with who and when."""
    check_can_write(ctx, "change corrective actions")
    by = ctx.user.username if ctx.user is not None else COMMAND_LINE
    with database.transaction(ctx.engine) as conn:
        row = _visible_row(ctx, conn, action_id)
        changes = _changes(ctx, row, status=status, owner=owner, due_on=due_on, note=note)
        action_store.update_action(conn, action_id, changes, by)
        row = _visible_row(ctx, conn, action_id)
    return ActionUpdate(_view(ctx, row, on or today()), tuple(changes))


def update_actions(
    ctx: AppContext,
    action_ids: Iterable[int],
    *,
    status: str | ActionStatus | None = None,
    owner: str | None = None,
    due_on: date | None = None,
    note: str | None = None,
    on: date | None = None,
) -> BulkUpdate:
    """Set the same owner, status, due date or note on several actions in one transaction.

    Each action is judged on its own: one the rules refuse (a verified one reopened, a due
    date before its visit, another area's or a missing one) is left as it was and named in
    ``refused``; the others change, each with its own events (who, when, old, new).
    """
    check_can_write(ctx, "change corrective actions")
    by = ctx.user.username if ctx.user is not None else COMMAND_LINE
    ids = list(dict.fromkeys(int(i) for i in action_ids))
    if not ids:
        raise ActionRefused(_("choose at least one action"), "no_actions")
    if status is None and owner is None and due_on is None and note is None:
        raise ActionRefused(_("nothing to change: give a status, owner, due date or note"), "empty")
    wanted = _status(status) if status is not None else None
    now = utcnow()
    done: list[tuple[int, tuple[str, ...]]] = []
    refused: list[ActionRefusal] = []
    with database.transaction(ctx.engine) as conn:
        for action_id in ids:
            try:
                row = _visible_row(ctx, conn, action_id)
                changes = _changes(ctx, row, status=wanted, owner=owner, due_on=due_on, note=note)
            except ActionRefused as error:
                refused.append(ActionRefusal(action_id, error.code, str(error)))
                continue
            except AccessDenied as error:
                refused.append(ActionRefusal(action_id, "not_found", str(error)))
                continue
            except OutOfBounds as error:
                refused.append(ActionRefusal(action_id, error.code, str(error)))
                continue
            action_store.update_action(conn, action_id, changes, by, now)
            done.append((action_id, tuple(changes)))
        rows = {action_id: _visible_row(ctx, conn, action_id) for action_id, _changed in done}
    day = on or today()
    return BulkUpdate(
        tuple(ActionUpdate(_view(ctx, rows[i], day), changed) for i, changed in done),
        tuple(refused),
    )


def _changes(
    ctx: AppContext,
    row: dict[str, Any],
    *,
    status: str | ActionStatus | None,
    owner: str | None,
    due_on: date | None,
    note: str | None,
) -> dict[str, tuple[Any, Any]]:
    """``field -> (old, new)`` for what really changes on this action; refused (naming the
    action, with a code) where its rules do not allow it."""
    action_id = int(row["id"])
    changes: dict[str, tuple[Any, Any]] = {}
    if status is not None:
        wanted = _status(status)
        current = ActionStatus(row["status"])
        try:
            check_move(current, wanted)
        except ActionRuleBroken as error:
            raise ActionRefused(
                _("action #{id}: {reason}").format(id=action_id, reason=error), "status_move"
            ) from None
        if wanted != current:
            changes["status"] = (current.value, wanted.value)
    if owner is not None:
        given = owner
        owner = _bounded(lambda: ctx.settings.bounds.name(given, _("the owner")), action_id)
        if not owner:
            raise ActionRefused(
                _("action #{id}: an owner needs a name").format(id=action_id), "owner_empty"
            )
        if owner != row["owner"]:
            changes["owner"] = (row["owner"], owner)
    if due_on is not None:
        found_on = row["visited_at"].date()
        if due_on < found_on:
            raise ActionRefused(
                _(
                    "action #{id}: the due date {due} is before the visit that found the "
                    "failure ({found})"
                ).format(id=action_id, due=due_on, found=found_on),
                "due_before_visit",
            )
        if due_on != row["due_on"]:
            changes["due_on"] = (row["due_on"], due_on)
    if note is not None:
        text = _bounded(lambda: ctx.settings.bounds.optional_text(note, _("the note")), action_id)
        if text != row["note"]:
            changes["note"] = (row["note"], text)
    return changes


def _bounded(check: Callable[[], T], action_id: int) -> T:
    """A text held to its bound; refused naming this action, its code kept."""
    try:
        return check()
    except OutOfBounds as error:
        raise error.within(_("action #{id}").format(id=action_id)) from None


def settle_history(
    ctx: AppContext, *, verified_before: datetime, done_before: datetime, by: str
) -> int:
    """Close the still-open actions of older audits (the demo's past was worked through):
    verified when visited before ``verified_before``, done when before ``done_before``."""
    now = utcnow()
    with database.transaction(ctx.engine) as conn:
        verified = action_store.close_before(conn, verified_before, "verified", by, now)
        done = action_store.close_before(conn, done_before, "done", by, now)
    return verified + done


def postpone_open(ctx: AppContext, audit_ids: Sequence[int], days: int, *, by: str) -> int:
    """Move the open actions of these audits ``days`` later (the demo, loaded after its own
    day: :func:`audit_app.services.demo.load_demo`); returns how many."""
    with database.transaction(ctx.engine) as conn:
        return action_store.postpone_open(conn, audit_ids, days, by, utcnow())


def _status(value: str | ActionStatus) -> ActionStatus:
    try:
        return parse_status(str(value.value if isinstance(value, ActionStatus) else value))
    except ActionRuleBroken as error:
        raise ActionRefused(str(error), "unknown_status") from None


def _visible_row(ctx: AppContext, conn: Connection, action_id: int) -> dict[str, Any]:
    rows = action_store.action_rows(conn, action_id=action_id)
    if not rows or not sees_area(ctx, rows[0]["branch_area"]):
        # Another area's action is reported exactly like a missing one.
        raise AccessDenied(_("no action #{id}").format(id=action_id))
    return rows[0]
