"""The reads behind an area manager's home: her open branches, their submitted visits, and
the open slots of published visit plans (plain rows; the services decide what they mean)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, func, select

from audit_app.domain.audit import AuditStatus
from audit_app.storage.tables import audit_scores, auditors, audits, branches, planned_visits
from audit_app.storage.tables import visit_plans as plans

PUBLISHED = "published"


def open_branches(conn: Connection, areas: Sequence[str] | None) -> list[dict[str, Any]]:
    """Active branches in ``areas`` (None: every area), by name then code."""
    query = select(branches.c.id, branches.c.code, branches.c.name, branches.c.area).where(
        branches.c.active.is_(True)
    )
    if areas is not None:
        query = query.where(branches.c.area.in_(list(areas)))
    rows = conn.execute(query).mappings().all()
    return sorted((dict(row) for row in rows), key=lambda r: (r["name"].casefold(), r["code"]))


def last_visits(conn: Connection, branch_ids: Sequence[int]) -> dict[int, datetime]:
    """Branch id -> when its latest submitted audit (of any kind) took place."""
    if not branch_ids:
        return {}
    query = (
        select(audits.c.branch_id, func.max(audits.c.visited_at))
        .where(
            audits.c.status == str(AuditStatus.SUBMITTED),
            audits.c.branch_id.in_(list(branch_ids)),
        )
        .group_by(audits.c.branch_id)
    )
    return {branch_id: at for branch_id, at in conn.execute(query).all()}


def scored_visits(
    conn: Connection, branch_ids: Sequence[int], since: date | None = None
) -> list[tuple[int, datetime, int, float]]:
    """(branch id, visited at, audit id, overall) of the submitted, scored audits that
    compare (follow-ups re-check a few items and are left out), oldest first."""
    if not branch_ids:
        return []
    query = (
        select(audits.c.branch_id, audits.c.visited_at, audits.c.id, audit_scores.c.overall)
        .join(audit_scores, audit_scores.c.audit_id == audits.c.id)
        .where(
            audits.c.status == str(AuditStatus.SUBMITTED),
            audits.c.kind != "follow_up",
            audit_scores.c.overall.is_not(None),
            audits.c.branch_id.in_(list(branch_ids)),
        )
        .order_by(audits.c.visited_at, audits.c.id)
    )
    if since is not None:
        query = query.where(audits.c.visited_at >= datetime.combine(since, time.min))
    return [(r[0], r[1], r[2], float(r[3])) for r in conn.execute(query).all()]


def open_slots(conn: Connection, branch_ids: Sequence[int], until: date) -> list[dict[str, Any]]:
    """The unfilled slots of published plans at these branches planned on or before
    ``until``, soonest due first, with their plan, branch and auditor's name."""
    if not branch_ids:
        return []
    query = (
        select(
            planned_visits.c.id.label("slot_id"),
            planned_visits.c.plan_id,
            plans.c.name.label("plan_name"),
            plans.c.checklist_id,
            planned_visits.c.branch_id,
            branches.c.code.label("branch_code"),
            branches.c.name.label("branch_name"),
            planned_visits.c.channel,
            planned_visits.c.planned_on,
            planned_visits.c.due_by,
            auditors.c.name.label("auditor"),
        )
        .join(plans, plans.c.id == planned_visits.c.plan_id)
        .join(branches, branches.c.id == planned_visits.c.branch_id)
        .outerjoin(auditors, auditors.c.id == planned_visits.c.auditor_id)
        .where(
            plans.c.status == PUBLISHED,
            planned_visits.c.audit_id.is_(None),
            planned_visits.c.branch_id.in_(list(branch_ids)),
            planned_visits.c.planned_on <= until,
        )
        .order_by(planned_visits.c.due_by, planned_visits.c.planned_on, planned_visits.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings().all()]
