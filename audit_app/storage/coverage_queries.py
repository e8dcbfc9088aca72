"""The reads behind coverage, the sample-size planner and the calendars: plans, their
planned visits with branch and auditor names, and the submitted audits counted or scored
per branch (filtered like every other list, ``repository._filtered``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from audit_app.domain.coverage import PlannedVisit
from audit_app.domain.filters import AuditFilter
from audit_app.storage.repository import _filtered
from audit_app.storage.tables import (
    audit_scores,
    auditors,
    audits,
    branches,
    planned_visits,
    visit_plans,
)

__all__ = [
    "CalendarVisit",
    "PlanRow",
    "auditor_rows",
    "audits_per_branch",
    "calendar_visits",
    "plan_rows",
    "planned_visit_rows",
    "scores_by_branch",
]


@dataclass(frozen=True)
class PlanRow:
    id: int
    name: str
    checklist_id: str
    starts_on: date
    ends_on: date
    status: str
    published_at: datetime | None
    updated_at: datetime


def plan_rows(
    conn: Connection,
    *,
    plan_id: int | None = None,
    status: str | None = None,
    overlapping: tuple[date, date] | None = None,
) -> list[PlanRow]:
    """Plans, newest period first; ``overlapping`` keeps those whose period meets it."""
    query = select(
        visit_plans.c.id,
        visit_plans.c.name,
        visit_plans.c.checklist_id,
        visit_plans.c.starts_on,
        visit_plans.c.ends_on,
        visit_plans.c.status,
        visit_plans.c.published_at,
        visit_plans.c.updated_at,
    ).order_by(visit_plans.c.starts_on.desc(), visit_plans.c.id.desc())
    if plan_id is not None:
        query = query.where(visit_plans.c.id == plan_id)
    if status is not None:
        query = query.where(visit_plans.c.status == status)
    if overlapping is not None:
        start, end = overlapping
        query = query.where(visit_plans.c.starts_on <= end, visit_plans.c.ends_on >= start)
    return [PlanRow(*row) for row in conn.execute(query)]


def _visits_query() -> Any:
    return (
        select(
            planned_visits.c.id,
            planned_visits.c.plan_id,
            branches.c.code,
            branches.c.name,
            branches.c.area,
            branches.c.region,
            planned_visits.c.channel,
            planned_visits.c.planned_on,
            planned_visits.c.due_by,
            planned_visits.c.audit_id,
            planned_visits.c.auditor_id,
            auditors.c.name,
        )
        .select_from(
            planned_visits.join(branches, branches.c.id == planned_visits.c.branch_id).outerjoin(
                auditors, auditors.c.id == planned_visits.c.auditor_id
            )
        )
        .order_by(planned_visits.c.planned_on, branches.c.code, planned_visits.c.id)
    )


def planned_visit_rows(
    conn: Connection,
    plan_ids: Sequence[int],
    *,
    areas: Sequence[str] | None = None,
    region: str | None = None,
    area: str | None = None,
    planned_within: tuple[date, date] | None = None,
) -> list[PlannedVisit]:
    """The plans' visits in date order; ``areas`` is the user's scope (None = all), region
    and area are filters (any case), ``planned_within`` the first and last planned day."""
    query = _visits_query().where(planned_visits.c.plan_id.in_(list(plan_ids)))
    query = _narrowed(query, areas, region, area)
    if planned_within is not None:
        start, end = planned_within
        query = query.where(planned_visits.c.planned_on.between(start, end))
    return [PlannedVisit(*row) for row in conn.execute(query)]


def _narrowed(query: Any, areas: Sequence[str] | None, region: str | None, area: str | None) -> Any:
    if areas is not None:
        query = query.where(branches.c.area.in_(list(areas)))
    if region:
        query = query.where(_same(branches.c.region, region))
    if area:
        query = query.where(_same(branches.c.area, area))
    return query


def _same(column: Any, value: str) -> Any:
    """As written, or in any case (the databases lower only ASCII the same way: SQLite's
    lower() leaves "İ" as it is, Python's makes it "i̇", so both spellings are tried)."""
    return or_(column == value, func.lower(column) == value.lower())


@dataclass(frozen=True)
class CalendarVisit:
    """A planned visit with what a calendar entry says about it."""

    visit: PlannedVisit
    address: str
    checklist_id: str
    plan_name: str
    stamp: datetime
    """When the plan was published (else last changed): the entry's DTSTAMP."""


def calendar_visits(
    conn: Connection,
    *,
    auditor_id: int | None = None,
    area: str | None = None,
    areas: Sequence[str] | None = None,
) -> list[CalendarVisit]:
    """Visits of published plans, for one auditor or one area (any case), in date order."""
    query = (
        _visits_query()
        .add_columns(
            branches.c.address,
            visit_plans.c.checklist_id,
            visit_plans.c.name,
            func.coalesce(visit_plans.c.published_at, visit_plans.c.updated_at),
        )
        .join(visit_plans, visit_plans.c.id == planned_visits.c.plan_id)
        .where(visit_plans.c.status == "published")
    )
    if auditor_id is not None:
        query = query.where(planned_visits.c.auditor_id == auditor_id)
    query = _narrowed(query, areas, None, area)
    out = []
    for row in conn.execute(query):
        values = tuple(row)
        out.append(CalendarVisit(PlannedVisit(*values[:12]), *values[12:]))
    return out


def auditor_rows(conn: Connection) -> list[tuple[int, str, int | None, bool]]:
    """Every auditor: id, name, merged into, active (for finding one by name or id)."""
    query = select(
        auditors.c.id, auditors.c.name, auditors.c.merged_into, auditors.c.active
    ).order_by(auditors.c.id)
    return [(row.id, row.name, row.merged_into, bool(row.active)) for row in conn.execute(query)]


def audits_per_branch(conn: Connection, audit_filter: AuditFilter) -> dict[str, int]:
    """Submitted audits per branch code, filtered (follow-ups left out like the league)."""
    query = _filtered(
        select(branches.c.code, func.count(audits.c.id))
        .select_from(audits.join(branches, branches.c.id == audits.c.branch_id))
        .group_by(branches.c.code),
        audit_filter,
    )
    return {code: int(count) for code, count in conn.execute(query)}


def scores_by_branch(conn: Connection, audit_filter: AuditFilter) -> dict[str, list[float]]:
    """The overall scores of submitted audits per branch code (unscored ones left out)."""
    query = _filtered(
        select(branches.c.code, audit_scores.c.overall)
        .select_from(
            audits.join(branches, branches.c.id == audits.c.branch_id).join(
                audit_scores, audit_scores.c.audit_id == audits.c.id
            )
        )
        .where(audit_scores.c.overall.is_not(None))
        .order_by(branches.c.code, audits.c.id),
        audit_filter,
    )
    out: dict[str, list[float]] = {}
    for code, overall in conn.execute(query):
        out.setdefault(code, []).append(float(overall))
    return out
