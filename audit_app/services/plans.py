"""Visit plans as use cases: draft one with the planner, look at it, move a visit by hand
(checked like the planner's own), publish it, or delete a draft.

Head office plans any branches; an area manager plans, sees and changes only the branches
of her areas (an empty scope is her areas); a viewer only looks. Every change is one
transaction and leaves an entry in the activity log. The CLI and the plan pages call these.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from audit_app.domain.audit import Channel
from audit_app.domain.labels import channel_label, plan_problem_label, plan_status_label
from audit_app.domain.plans import (
    INSPECTION_CHANNEL,
    ChannelNeed,
    PastVisit,
    PlanBranch,
    PlanProblem,
    PlanRefused,
    PlanRequest,
    PlanScope,
    branches_in_scope,
    check_slot,
    propose,
    slot_problems,
)
from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _, current_language, formats
from audit_app.services import activity
from audit_app.services.access import AccessDenied, check_can_write, sees_area
from audit_app.services.context import AppContext
from audit_app.services.plan_filling import fill_slots
from audit_app.storage import database, plan_store
from audit_app.storage.plan_store import DRAFT

PLAN_ACTIVITY = "visit plan"


@dataclass(frozen=True)
class PlanSlot:
    """One planned visit as people read it."""

    id: int
    branch_id: int
    branch_code: str
    branch_name: str
    region: str
    area: str
    channel: str | None
    planned_on: date
    due_by: date
    auditor_id: int | None
    auditor_name: str | None
    audit_id: int | None
    filled_at: datetime | None
    unassigned: PlanProblem | None
    note: str | None

    @property
    def filled(self) -> bool:
        return self.audit_id is not None

    def overdue(self, today: date) -> bool:
        return not self.filled and self.due_by < today

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "branch_code": self.branch_code,
            "branch_name": self.branch_name,
            "region": self.region,
            "area": self.area,
            "channel": self.channel,
            "planned_on": self.planned_on.isoformat(),
            "due_by": self.due_by.isoformat(),
            "auditor_id": self.auditor_id,
            "auditor": self.auditor_name,
            "audit_id": self.audit_id,
            "unassigned": None if self.unassigned is None else self.unassigned.value,
        }

    def unassigned_reason(self) -> str:
        """Why the slot has no auditor, in the reader's language ("" when it has one)."""
        return "" if self.unassigned is None else plan_problem_label(self.unassigned)

    def channel_text(self) -> str:
        return channel_label(self.channel) if self.channel else _("Any channel")


@dataclass(frozen=True)
class PlanView:
    id: int
    name: str
    checklist_id: str
    checklist_title: str
    starts_on: date
    ends_on: date
    scope: PlanScope
    needs: tuple[ChannelNeed, ...]
    lockout_days: int
    status: str
    created_at: datetime
    created_by: str | None
    published_at: datetime | None
    published_by: str | None
    slots: tuple[PlanSlot, ...]
    """The slots the acting user may see (an area manager: her areas')."""

    @property
    def status_label(self) -> str:
        return plan_status_label(self.status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "checklist_id": self.checklist_id,
            "checklist_title": self.checklist_title,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "scope": self.scope.to_json(),
            "needs": [{"channel": n.channel, "visits": n.visits} for n in self.needs],
            "lockout_days": self.lockout_days,
            "status": self.status,
            "created_by": self.created_by,
            "published_by": self.published_by,
            "visits": [slot.to_dict() for slot in self.slots],
        }


@dataclass(frozen=True)
class PlanSummary:
    id: int
    name: str
    checklist_id: str
    starts_on: date
    ends_on: date
    status: str
    visits: int
    filled: int
    unassigned: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "checklist_id": self.checklist_id,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "status": self.status,
            "visits": self.visits,
            "filled": self.filled,
            "unassigned": self.unassigned,
        }


def create_plan(ctx: AppContext, request: PlanRequest, *, seed: int = 0) -> int:
    """Draft a plan with the planner and store it with its slots in one transaction;
    returns its id."""
    check_can_write(ctx, N_("plan visits"))
    checklist = ctx.catalogue.get(request.checklist_id)  # an unknown id names the known ones
    for need in request.needs:
        if need.channel is not None and need.channel not in set(Channel):
            raise AuditAppError(
                _("unknown channel {channel}; use one of {known}").format(
                    channel=repr(need.channel), known=", ".join(Channel)
                )
            )
    name = ctx.settings.bounds.name(request.name, "the plan's name", limit=200)
    if not name:
        name = _("{checklist}, {start} to {end}").format(
            checklist=checklist.title_in(current_language()),
            start=formats.date(request.starts_on),
            end=formats.date(request.ends_on),
        )[:200]
    request = replace(
        request,
        name=name,
        scope=_scope_for(ctx, request.scope),
        mystery_shop=checklist.channel != INSPECTION_CHANNEL,
    )
    with database.transaction(ctx.engine) as conn:
        branches = plan_store.plan_branches(conn)
        known = {branch.code for branch in branches}
        unknown = [code for code in request.scope.branches if code not in known]
        if unknown:
            raise AuditAppError(
                _("unknown branch code {code}").format(code=", ".join(map(repr, unknown)))
            )
        for branch in branches_in_scope(request, branches):
            if not sees_area(ctx, branch.area):
                raise AccessDenied(_("branch {code} is not in your areas").format(code=branch.code))
        covered = [b.id for b in branches_in_scope(request, branches)]
        visits = propose(
            request,
            branches,
            plan_store.plan_auditors(conn),
            plan_store.history(
                conn, covered, request.starts_on, request.ends_on, request.lockout_days
            ),
            plan_store.area_managers(conn),
            seed=seed,
        )
        plan_id = plan_store.add_plan(conn, request, visits, _actor(ctx))
    activity.record(
        ctx,
        PLAN_ACTIVITY,
        f"plan #{plan_id}",
        event="created",
        name=request.name,
        checklist=request.checklist_id,
        period=f"{request.starts_on} – {request.ends_on}",
        visits=len(visits),
        unassigned=sum(v.auditor_id is None for v in visits),
    )
    return plan_id


def list_plans(ctx: AppContext) -> list[PlanSummary]:
    """The plans the acting user may see, newest period first (an area manager's counts
    are the whole plan's)."""
    with database.snapshot(ctx.engine) as conn:
        rows = plan_store.plan_rows(conn)
        areas = plan_store.plan_areas(conn)
    return [
        PlanSummary(
            r["id"],
            r["name"],
            r["checklist_id"],
            r["starts_on"],
            r["ends_on"],
            r["status"],
            int(r["slots"] or 0),
            int(r["filled"] or 0),
            int(r["slots"] or 0) - int(r["assigned"] or 0),
        )
        for r in rows
        if _sees_plan(ctx, areas.get(r["id"], set()))
    ]


def show_plan(ctx: AppContext, plan_id: int) -> PlanView:
    with database.snapshot(ctx.engine) as conn:
        row = plan_store.plan_row(conn, plan_id)
        slots = plan_store.slot_rows(conn, plan_id) if row is not None else []
    if row is None or not _sees_plan(ctx, {s["branch_area"] for s in slots}):
        raise AccessDenied(_("no visit plan #{id}").format(id=plan_id))
    return PlanView(
        id=row["id"],
        name=row["name"],
        checklist_id=row["checklist_id"],
        checklist_title=_checklist_title(ctx, row["checklist_id"]),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        scope=PlanScope.from_json(row["scope"]),
        needs=_needs(row["requirement"]),
        lockout_days=row["lockout_days"],
        status=row["status"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        published_at=row["published_at"],
        published_by=row["published_by"],
        slots=tuple(_slot(s) for s in slots if sees_area(ctx, s["branch_area"])),
    )


@dataclass(frozen=True)
class AuditorChoice:
    """An auditor someone may pick for a planned visit, or why not."""

    auditor_id: int
    name: str
    problem: PlanProblem | None

    @property
    def allowed(self) -> bool:
        return self.problem is None


def auditor_choices(
    ctx: AppContext, visit_id: int, *, planned_on: date | None = None
) -> list[AuditorChoice]:
    """Every active auditor for a planned visit (on its day, or ``planned_on``), those who
    may go first, each with what would refuse them: a page's auditor picker."""
    with database.snapshot(ctx.engine) as conn:
        slot, branch, plan = _visible_slot(ctx, conn, visit_id)
        request = _request(ctx, plan)
        auditors = plan_store.plan_auditors(conn)
        problems = slot_problems(
            request,
            branch,
            slot["channel"],
            planned_on or slot["planned_on"],
            auditors,
            _others(conn, request, plan["id"], branch.id, visit_id),
            plan_store.area_managers(conn),
        )
    choices = [AuditorChoice(a.id, a.name, problems[a.id]) for a in auditors]
    return sorted(choices, key=lambda c: (not c.allowed, c.name.casefold(), c.auditor_id))


def move_visit(
    ctx: AppContext,
    visit_id: int,
    *,
    planned_on: date | None = None,
    auditor_id: int | None = None,
    unassign: bool = False,
) -> PlanSlot:
    """Move a planned visit to another day and/or auditor, checked like the planner's own
    choices (period, lockout, areas, never the own manager on a mystery shop); the due day
    moves with it. A visit already made stays as it is."""
    check_can_write(ctx, N_("plan visits"))
    with database.transaction(ctx.engine) as conn:
        slot, branch, plan = _visible_slot(ctx, conn, visit_id)
        if slot["audit_id"] is not None:
            raise PlanRefused(
                PlanProblem.ALREADY_MADE,
                _("planned visit #{id} was made (audit #{audit}); it cannot move").format(
                    id=visit_id, audit=slot["audit_id"]
                ),
            )
        request = _request(ctx, plan)
        day = planned_on or slot["planned_on"]
        who = None if unassign else (auditor_id if auditor_id is not None else slot["auditor_id"])
        auditor = None
        if who is not None:
            auditor = next((a for a in plan_store.plan_auditors(conn) if a.id == who), None)
            if auditor is None:
                raise AuditAppError(_("no active auditor #{id}").format(id=who))
        others = _others(conn, request, plan["id"], branch.id, visit_id)
        managers = plan_store.area_managers(conn)
        check_slot(request, branch, slot["channel"], day, auditor, others, managers)
        shift = day - slot["planned_on"]
        due_by = min(max(slot["due_by"] + shift, day), request.ends_on)
        plan_store.update_slot(
            conn,
            visit_id,
            plan["id"],
            planned_on=day,
            due_by=due_by,
            auditor_id=who,
            unassigned=None if who is not None else slot["unassigned"],
        )
        moved = next(s for s in plan_store.slot_rows(conn, plan["id"]) if s["id"] == visit_id)
    activity.record(
        ctx,
        PLAN_ACTIVITY,
        f"plan #{plan['id']}",
        event="visit moved",
        visit=visit_id,
        branch=branch.code,
        planned_on=str(day),
        was_on=str(slot["planned_on"]),
        auditor=None if auditor is None else auditor.name,
    )
    return _slot(moved)


def _visible_slot(
    ctx: AppContext, conn: Any, visit_id: int
) -> tuple[dict[str, Any], PlanBranch, dict[str, Any]]:
    """A planned visit, its branch and its plan, if the acting user may see the branch."""
    slot = plan_store.slot_row(conn, visit_id)
    branch = None
    if slot is not None:
        branch = next(b for b in plan_store.plan_branches(conn) if b.id == slot["branch_id"])
    if slot is None or branch is None or not sees_area(ctx, branch.area):
        raise AccessDenied(_("no planned visit #{id}").format(id=visit_id))
    plan = plan_store.plan_row(conn, slot["plan_id"])
    assert plan is not None
    return slot, branch, plan


def _others(
    conn: Any, request: PlanRequest, plan_id: int, branch_id: int, visit_id: int
) -> list[PastVisit]:
    """The visits a slot set by hand must keep its distance from: audits and other
    published plans around the period, and this plan's other slots."""
    return plan_store.history(
        conn,
        [branch_id],
        request.starts_on,
        request.ends_on,
        request.lockout_days,
        leave_out_plan=plan_id,
    ) + plan_store.plan_visits(conn, plan_id, leave_out=visit_id)


def publish_plan(ctx: AppContext, plan_id: int) -> int:
    """Publish a draft: from now on submitted visits fill its slots. Visits already made in
    its period fill them at once; returns how many did."""
    check_can_write(ctx, N_("publish visit plans"))
    with database.transaction(ctx.engine) as conn:
        row = _own_plan(ctx, conn, plan_id)
        if row["status"] != DRAFT or not plan_store.publish(conn, plan_id, _actor(ctx)):
            raise AuditAppError(_("visit plan #{id} is already published").format(id=plan_id))
        filled = fill_slots(conn, plan_store.period_audit_ids(conn, plan_id))
    activity.record(
        ctx,
        PLAN_ACTIVITY,
        f"plan #{plan_id}",
        event="published",
        name=row["name"],
        filled=len(filled),
    )
    return len(filled)


def delete_draft(ctx: AppContext, plan_id: int) -> None:
    """Delete a plan that was never published, with its slots."""
    check_can_write(ctx, N_("delete visit plans"))
    with database.transaction(ctx.engine) as conn:
        row = _own_plan(ctx, conn, plan_id)
        if row["status"] != DRAFT or not plan_store.delete_draft(conn, plan_id):
            raise AuditAppError(
                _("visit plan #{id} is published; only a draft can be deleted").format(id=plan_id)
            )
    activity.record(ctx, PLAN_ACTIVITY, f"plan #{plan_id}", event="deleted", name=row["name"])


def _own_plan(ctx: AppContext, conn: Any, plan_id: int) -> dict[str, Any]:
    """The plan, if the acting user may change it as a whole (an area manager: every one of
    its branches is in her areas)."""
    row = plan_store.plan_row(conn, plan_id)
    areas = {s["branch_area"] for s in plan_store.slot_rows(conn, plan_id)} if row else set()
    if row is None or not _sees_plan(ctx, areas):
        raise AccessDenied(_("no visit plan #{id}").format(id=plan_id))
    outside = sorted(area for area in areas if not sees_area(ctx, area))
    if outside:
        raise AccessDenied(
            _("visit plan #{id} also covers {areas}, outside your areas").format(
                id=plan_id, areas=", ".join(outside)
            )
        )
    return row


def _sees_plan(ctx: AppContext, areas: set[str]) -> bool:
    user = ctx.user
    if user is None or user.role != Role.AREA_MANAGER:
        return True
    return bool(areas & set(user.areas))


def _scope_for(ctx: AppContext, scope: PlanScope) -> PlanScope:
    """An area manager's "everything" is her areas."""
    user = ctx.user
    if user is not None and user.role == Role.AREA_MANAGER and scope.everything:
        return PlanScope(areas=user.areas)
    return scope


def _request(ctx: AppContext, plan: dict[str, Any]) -> PlanRequest:
    """A stored plan as the planner's request (what a slot set by hand is checked against)."""
    try:
        channel = ctx.catalogue.get(plan["checklist_id"]).channel
    except AuditAppError:  # the checklist's files were removed since: the strict rule
        channel = None
    return PlanRequest(
        name=plan["name"],
        checklist_id=plan["checklist_id"],
        starts_on=plan["starts_on"],
        ends_on=plan["ends_on"],
        scope=PlanScope.from_json(plan["scope"]),
        needs=_needs(plan["requirement"]),
        lockout_days=plan["lockout_days"],
        mystery_shop=channel != INSPECTION_CHANNEL,
    )


def _needs(requirement: Any) -> tuple[ChannelNeed, ...]:
    return tuple(ChannelNeed(n.get("channel"), int(n["visits"])) for n in requirement or ())


def _slot(row: dict[str, Any]) -> PlanSlot:
    return PlanSlot(
        id=row["id"],
        branch_id=row["branch_id"],
        branch_code=row["branch_code"],
        branch_name=row["branch_name"],
        region=row["branch_region"],
        area=row["branch_area"],
        channel=row["channel"],
        planned_on=row["planned_on"],
        due_by=row["due_by"],
        auditor_id=row["auditor_id"],
        auditor_name=row["auditor_name"],
        audit_id=row["audit_id"],
        filled_at=row["filled_at"],
        unassigned=PlanProblem(row["unassigned"]) if row["unassigned"] else None,
        note=row["note"],
    )


def _checklist_title(ctx: AppContext, checklist_id: str) -> str:
    try:
        return ctx.catalogue.get(checklist_id).title_in(current_language())
    except AuditAppError:
        return checklist_id


def _actor(ctx: AppContext) -> str:
    return ctx.user.username if ctx.user is not None else activity.COMMAND_LINE
