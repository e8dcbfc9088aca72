"""Visit plans and their slots in the database, and what the planner reads: branches,
auditors, area managers and who visited which branch when."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from audit_app.domain.plans import (
    Managers,
    PastVisit,
    PlanAuditor,
    PlanBranch,
    PlannedVisit,
    PlanRequest,
)
from audit_app.storage.repository import utcnow
from audit_app.storage.tables import (
    auditors,
    audits,
    branches,
    planned_visits,
    users,
    visit_plans,
)

DRAFT = "draft"
PUBLISHED = "published"
AREA_MANAGER = "area_manager"
SUBMITTED = "submitted"
CHUNK = 5000
"""Ids per query: SQLite and PostgreSQL both cap the bound values of one statement."""


def plan_branches(conn: Connection) -> list[PlanBranch]:
    """Every branch, active or not (the planner keeps the active ones in scope)."""
    rows = conn.execute(
        select(
            branches.c.id,
            branches.c.code,
            branches.c.name,
            branches.c.region,
            branches.c.area,
            branches.c.manager,
            branches.c.active,
        ).order_by(branches.c.code)
    )
    return [PlanBranch(r.id, r.code, r.name, r.region, r.area, r.manager, r.active) for r in rows]


def plan_auditors(conn: Connection) -> list[PlanAuditor]:
    """The auditors who can be sent: active and not merged into another."""
    rows = conn.execute(
        select(auditors.c.id, auditors.c.name, auditors.c.areas, auditors.c.username)
        .where(auditors.c.active.is_(True), auditors.c.merged_into.is_(None))
        .order_by(auditors.c.id)
    )
    return [PlanAuditor(r.id, r.name, tuple(r.areas or ()), r.username) for r in rows]


def auditor_names(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = conn.execute(select(auditors.c.id, auditors.c.name).where(auditors.c.id.in_(wanted)))
    return {r.id: r.name for r in rows}


def area_managers(conn: Connection) -> Managers:
    """The active area-manager users of each area."""
    rows = conn.execute(
        select(users.c.username, users.c.areas).where(
            users.c.role == AREA_MANAGER, users.c.active.is_(True)
        )
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        for area in row.areas or ():
            found.setdefault(area, set()).add(row.username)
    return Managers({area: frozenset(names) for area, names in found.items()})


def history(
    conn: Connection,
    branch_ids: Iterable[int],
    starts_on: date,
    ends_on: date,
    lockout_days: int,
    *,
    leave_out_plan: int | None = None,
) -> list[PastVisit]:
    """Who visited (submitted audits with a known auditor) or is planned to visit (the
    assigned, open slots of other published plans) the branches within the lockout of the period."""
    wanted = sorted(set(branch_ids))
    if not wanted:
        return []
    first = starts_on - timedelta(days=lockout_days)
    last = ends_on + timedelta(days=lockout_days)
    past = conn.execute(
        select(audits.c.branch_id, audits.c.auditor_id, audits.c.visited_at).where(
            audits.c.branch_id.in_(wanted),
            audits.c.auditor_id.is_not(None),
            audits.c.status == SUBMITTED,
            audits.c.visited_at >= datetime.combine(first, datetime.min.time()),
            audits.c.visited_at < datetime.combine(last + timedelta(days=1), datetime.min.time()),
        )
    )
    found = [PastVisit(r.branch_id, r.auditor_id, r.visited_at.date()) for r in past]
    slots = (
        select(planned_visits.c.branch_id, planned_visits.c.auditor_id, planned_visits.c.planned_on)
        .join(visit_plans, visit_plans.c.id == planned_visits.c.plan_id)
        .where(
            visit_plans.c.status == PUBLISHED,
            planned_visits.c.branch_id.in_(wanted),
            planned_visits.c.auditor_id.is_not(None),
            planned_visits.c.audit_id.is_(None),
            planned_visits.c.planned_on.between(first, last),
        )
    )
    if leave_out_plan is not None:
        slots = slots.where(planned_visits.c.plan_id != leave_out_plan)
    found += [PastVisit(r.branch_id, r.auditor_id, r.planned_on) for r in conn.execute(slots)]
    return sorted(found, key=lambda v: (v.on, v.branch_id, v.auditor_id))


def add_plan(
    conn: Connection, request: PlanRequest, visits: Sequence[PlannedVisit], actor: str | None
) -> int:
    """The plan, as a draft, with its slots."""
    now = utcnow()
    plan_id = conn.execute(
        insert(visit_plans)
        .values(
            name=request.name,
            checklist_id=request.checklist_id,
            starts_on=request.starts_on,
            ends_on=request.ends_on,
            scope=request.scope.to_json(),
            requirement=request.requirement_json(),
            lockout_days=request.lockout_days,
            status=DRAFT,
            created_at=now,
            created_by=actor,
            updated_at=now,
        )
        .returning(visit_plans.c.id)
    ).scalar_one()
    if visits:
        conn.execute(
            insert(planned_visits),
            [
                {
                    "plan_id": plan_id,
                    "branch_id": v.branch_id,
                    "channel": v.channel,
                    "planned_on": v.planned_on,
                    "due_by": v.due_by,
                    "auditor_id": v.auditor_id,
                    "unassigned": None if v.unassigned is None else str(v.unassigned),
                }
                for v in visits
            ],
        )
    return int(plan_id)


def plan_row(conn: Connection, plan_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(visit_plans).where(visit_plans.c.id == plan_id)).mappings().first()
    return None if row is None else dict(row)


def plan_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every plan with its slot counts (all, filled, without an auditor), newest first."""
    counts = (
        select(
            planned_visits.c.plan_id,
            func.count().label("slots"),
            func.count(planned_visits.c.audit_id).label("filled"),
            func.count(planned_visits.c.auditor_id).label("assigned"),
        )
        .group_by(planned_visits.c.plan_id)
        .subquery()
    )
    query = (
        select(visit_plans, counts.c.slots, counts.c.filled, counts.c.assigned)
        .outerjoin(counts, counts.c.plan_id == visit_plans.c.id)
        .order_by(visit_plans.c.starts_on.desc(), visit_plans.c.id.desc())
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def plan_areas(conn: Connection) -> dict[int, set[str]]:
    """The areas of the branches each plan visits (what an area manager may see)."""
    rows = conn.execute(
        select(planned_visits.c.plan_id, branches.c.area)
        .join(branches, branches.c.id == planned_visits.c.branch_id)
        .distinct()
    )
    found: dict[int, set[str]] = {}
    for row in rows:
        found.setdefault(row.plan_id, set()).add(row.area)
    return found


def slot_rows(conn: Connection, plan_id: int) -> list[dict[str, Any]]:
    """A plan's slots by day and branch, with the branch's code, name and area and the
    auditor's name."""
    query = (
        select(
            planned_visits,
            branches.c.code.label("branch_code"),
            branches.c.name.label("branch_name"),
            branches.c.region.label("branch_region"),
            branches.c.area.label("branch_area"),
            auditors.c.name.label("auditor_name"),
        )
        .join(branches, branches.c.id == planned_visits.c.branch_id)
        .outerjoin(auditors, auditors.c.id == planned_visits.c.auditor_id)
        .where(planned_visits.c.plan_id == plan_id)
        .order_by(planned_visits.c.planned_on, branches.c.code, planned_visits.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def slot_row(conn: Connection, slot_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(select(planned_visits).where(planned_visits.c.id == slot_id))
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def plan_visits(conn: Connection, plan_id: int, *, leave_out: int) -> list[PastVisit]:
    """The plan's assigned, open slots but one, as visits (the lockout's view of the plan)."""
    rows = conn.execute(
        select(
            planned_visits.c.branch_id, planned_visits.c.auditor_id, planned_visits.c.planned_on
        ).where(
            planned_visits.c.plan_id == plan_id,
            planned_visits.c.id != leave_out,
            planned_visits.c.auditor_id.is_not(None),
            planned_visits.c.audit_id.is_(None),
        )
    )
    return [PastVisit(r.branch_id, r.auditor_id, r.planned_on) for r in rows]


def update_slot(conn: Connection, slot_id: int, plan_id: int, **values: Any) -> None:
    conn.execute(update(planned_visits).where(planned_visits.c.id == slot_id).values(**values))
    conn.execute(update(visit_plans).where(visit_plans.c.id == plan_id).values(updated_at=utcnow()))


def publish(conn: Connection, plan_id: int, actor: str | None) -> bool:
    """Publish a draft; False when it is not one (any more)."""
    now = utcnow()
    done = conn.execute(
        update(visit_plans)
        .where(visit_plans.c.id == plan_id, visit_plans.c.status == DRAFT)
        .values(status=PUBLISHED, published_at=now, published_by=actor, updated_at=now)
    )
    return bool(done.rowcount)


def delete_draft(conn: Connection, plan_id: int) -> bool:
    """Delete a draft and its slots; False when it is not a draft (any more)."""
    if (
        conn.execute(
            select(visit_plans.c.id).where(
                visit_plans.c.id == plan_id, visit_plans.c.status == DRAFT
            )
        ).first()
        is None
    ):
        return False
    conn.execute(delete(planned_visits).where(planned_visits.c.plan_id == plan_id))
    conn.execute(delete(visit_plans).where(visit_plans.c.id == plan_id))
    return True


# Filling slots with submitted audits (services.plan_filling).


def has_published_plans(conn: Connection) -> bool:
    """Whether any plan is published: a submission or an import looks no further when not."""
    found = conn.execute(
        select(visit_plans.c.id).where(visit_plans.c.status == PUBLISHED).limit(1)
    ).first()
    return found is not None


def audits_to_place(conn: Connection, audit_ids: Iterable[int]) -> list[dict[str, Any]]:
    """The submitted audits among ``audit_ids`` that fill no slot yet, oldest visit first."""
    wanted = sorted(set(audit_ids))
    taken = select(planned_visits.c.audit_id).where(planned_visits.c.audit_id.is_not(None))
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), CHUNK):  # a bulk import: within any bind limit
        query = select(
            audits.c.id,
            audits.c.branch_id,
            audits.c.checklist_id,
            audits.c.channel,
            audits.c.kind,
            audits.c.visited_at,
        ).where(
            audits.c.id.in_(wanted[start : start + CHUNK]),
            audits.c.status == SUBMITTED,
            audits.c.id.not_in(taken),
        )
        found += [dict(r) for r in conn.execute(query).mappings()]
    return sorted(found, key=lambda r: (r["visited_at"], r["id"]))


def open_published_slots(
    conn: Connection, branch_ids: Iterable[int], checklist_ids: Iterable[str]
) -> list[dict[str, Any]]:
    """The open slots of published plans at these branches for these checklists, with their
    plan's checklist and period."""
    wanted = sorted(set(branch_ids))
    lists = sorted(set(checklist_ids))
    if not wanted or not lists:
        return []
    query = (
        select(
            planned_visits.c.id,
            planned_visits.c.branch_id,
            planned_visits.c.channel,
            planned_visits.c.planned_on,
            visit_plans.c.checklist_id,
            visit_plans.c.starts_on,
            visit_plans.c.ends_on,
        )
        .join(visit_plans, visit_plans.c.id == planned_visits.c.plan_id)
        .where(
            visit_plans.c.status == PUBLISHED,
            visit_plans.c.checklist_id.in_(lists),
            planned_visits.c.branch_id.in_(wanted),
            planned_visits.c.audit_id.is_(None),
        )
        .order_by(planned_visits.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def fill(conn: Connection, slot_id: int, audit_id: int, at: datetime) -> bool:
    """Mark the slot filled by the audit, if it is still open: a submission committed at the
    same moment may have taken it (the WHERE is re-checked after the other's row lock), and
    overwriting its fill would lose that visit from the coverage."""
    taken = conn.execute(
        update(planned_visits)
        .where(planned_visits.c.id == slot_id, planned_visits.c.audit_id.is_(None))
        .values(audit_id=audit_id, filled_at=at)
    )
    return bool(taken.rowcount)


def period_audit_ids(conn: Connection, plan_id: int) -> list[int]:
    """The submitted audits of the plan's checklist at its branches within its period (what
    may fill its slots when it is published after some visits were made)."""
    plan = plan_row(conn, plan_id)
    if plan is None:
        return []
    in_plan = select(planned_visits.c.branch_id).where(planned_visits.c.plan_id == plan_id)
    query = select(audits.c.id).where(
        audits.c.checklist_id == plan["checklist_id"],
        audits.c.status == SUBMITTED,
        audits.c.branch_id.in_(in_plan),
        audits.c.visited_at >= datetime.combine(plan["starts_on"], datetime.min.time()),
        audits.c.visited_at
        < datetime.combine(plan["ends_on"] + timedelta(days=1), datetime.min.time()),
    )
    return [int(i) for i in conn.execute(query).scalars()]
