"""Coverage of visit plans and the sample-size planner, for the acting user's branches.

Coverage reads a plan's planned visits (as the plans service wrote them and the filling of
slots on submission and import keeps them) and counts the submitted audits of the plan's
checklist in its period, planned or not, the way the league counts them. The sample-size
planner reads the visit-to-visit spread from the audits themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from audit_app.domain import coverage as domain
from audit_app.domain import sample_size as sizes
from audit_app.domain.compare import DEFAULT_MIN_AUDITS
from audit_app.domain.filters import AuditFilter
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.services.access import AccessDenied, scoped, sees_area
from audit_app.services.context import AppContext
from audit_app.storage import coverage_queries as queries
from audit_app.storage import database, plan_store

__all__ = [
    "CoveredPlan",
    "NoPlan",
    "PlanCoverage",
    "coverage_dict",
    "current_plan",
    "period_coverage",
    "plan_coverage",
    "plans",
    "sample_size",
    "spread",
    "tally_dict",
]

PUBLISHED = "published"


class NoPlan(AuditAppError):
    """No plan with that number, or no published plan to show."""


@dataclass(frozen=True)
class CoveredPlan:
    """A published plan as the Coverage page names it (its checklist's title in the reader's
    language); ``services.plans.PlanSummary`` is the planner's view, with its counts."""

    id: int
    name: str
    checklist_id: str
    checklist_title: str
    starts_on: date
    ends_on: date
    status: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "checklist_id": self.checklist_id,
            "checklist_title": self.checklist_title,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "status": self.status,
        }


@dataclass(frozen=True)
class PlanCoverage:
    plan: CoveredPlan
    coverage: domain.Coverage


def _summary(ctx: AppContext, row: queries.PlanRow) -> CoveredPlan:
    try:
        title = ctx.catalogue.get(row.checklist_id).title_in()
    except (KeyError, LookupError, ValueError):
        title = row.checklist_id
    return CoveredPlan(
        row.id, row.name, row.checklist_id, title, row.starts_on, row.ends_on, row.status
    )


def plans(ctx: AppContext, *, published_only: bool = True) -> list[CoveredPlan]:
    """Plans, the latest period first (only published ones unless asked)."""
    with database.snapshot(ctx.engine) as conn:
        rows = _visible(
            ctx, conn, queries.plan_rows(conn, status=PUBLISHED if published_only else None)
        )
    return [_summary(ctx, row) for row in rows]


def _visible(
    ctx: AppContext, conn: Connection, rows: list[queries.PlanRow]
) -> list[queries.PlanRow]:
    """The plans the user may see: an area manager's visit a branch in one of her areas
    (as on the plans page)."""
    mine = _user_areas(ctx)
    if mine is None:
        return rows
    areas = plan_store.plan_areas(conn)
    return [row for row in rows if set(mine) & areas.get(row.id, set())]


def current_plan(ctx: AppContext, today: date | None = None) -> CoveredPlan | None:
    """The published plan running today (the latest starting one), else the latest one."""
    today = today or date.today()
    published = plans(ctx)
    running = [p for p in published if p.starts_on <= today <= p.ends_on]
    candidates = running or published
    return candidates[0] if candidates else None


def _user_areas(ctx: AppContext) -> tuple[str, ...] | None:
    return scoped(ctx, AuditFilter()).areas


def plan_coverage(
    ctx: AppContext,
    plan_id: int | None = None,
    *,
    region: str | None = None,
    area: str | None = None,
    today: date | None = None,
    min_audits: int = DEFAULT_MIN_AUDITS,
) -> PlanCoverage:
    """A plan's coverage on ``today`` in the user's areas; without ``plan_id``, the
    published plan running today (or the latest published one)."""
    today = today or date.today()
    if area and not sees_area(ctx, area):
        raise AccessDenied(_("area {area} is not one of yours").format(area=area))
    with database.snapshot(ctx.engine) as conn:
        if plan_id is None:
            rows = _visible(ctx, conn, queries.plan_rows(conn, status=PUBLISHED))
            running = [r for r in rows if r.starts_on <= today <= r.ends_on]
            rows = (running or rows)[:1]
            if not rows:
                raise NoPlan(_("no published plan yet: create one and publish it"))
        else:
            rows = queries.plan_rows(conn, plan_id=plan_id)
            if not rows:
                raise NoPlan(_("no plan number {id}").format(id=plan_id))
            if not _visible(ctx, conn, rows):  # another area's plan, as if there were none
                raise AccessDenied(_("no plan number {id}").format(id=plan_id))
        row = rows[0]
        areas = _user_areas(ctx)
        visits = queries.planned_visit_rows(conn, [row.id], areas=areas, region=region, area=area)
        counted = queries.audits_per_branch(
            conn,
            AuditFilter(
                checklist_id=row.checklist_id,
                date_from=row.starts_on,
                date_to=row.ends_on,
                areas=areas,
            ),
        )
    return PlanCoverage(_summary(ctx, row), domain.cover(visits, counted, today, min_audits))


def period_coverage(
    ctx: AppContext,
    date_from: date,
    date_to: date,
    *,
    region: str | None = None,
    area: str | None = None,
    today: date | None = None,
    min_audits: int = DEFAULT_MIN_AUDITS,
) -> list[PlanCoverage]:
    """The coverage of every published plan whose period meets ``date_from``..``date_to``,
    counting only the visits planned within it (one result per plan: plans of different
    checklists are not added up). Whether a branch can be ranked is judged on its plan's
    whole period, as the league would judge it."""
    today = today or date.today()
    if area and not sees_area(ctx, area):
        raise AccessDenied(_("area {area} is not one of yours").format(area=area))
    areas = _user_areas(ctx)
    out = []
    with database.snapshot(ctx.engine) as conn:
        rows = queries.plan_rows(conn, status=PUBLISHED, overlapping=(date_from, date_to))
        for row in reversed(rows):  # earliest period first
            visits = queries.planned_visit_rows(
                conn,
                [row.id],
                areas=areas,
                region=region,
                area=area,
                planned_within=(date_from, date_to),
            )
            counted = queries.audits_per_branch(
                conn,
                AuditFilter(
                    checklist_id=row.checklist_id,
                    date_from=row.starts_on,
                    date_to=row.ends_on,
                    areas=areas,
                ),
            )
            out.append(
                PlanCoverage(_summary(ctx, row), domain.cover(visits, counted, today, min_audits))
            )
    return out


def spread(
    ctx: AppContext,
    checklist_id: str | None = None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> sizes.Spread:
    """The visit-to-visit spread of overall scores in the user's branches (one checklist's
    audits when given: different checklists score different things)."""
    audit_filter = scoped(
        ctx, AuditFilter(checklist_id=checklist_id, date_from=date_from, date_to=date_to)
    )
    with database.snapshot(ctx.engine) as conn:
        scores = queries.scores_by_branch(conn, audit_filter)
    return sizes.pooled_spread(scores)


def sample_size(
    ctx: AppContext,
    half_width: float,
    checklist_id: str | None = None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
) -> sizes.SampleSize | None:
    """Visits per branch per period for ±``half_width`` points; ``None`` when no branch has
    two audits to measure the spread from."""
    observed = spread(ctx, checklist_id, date_from=date_from, date_to=date_to)
    return sizes.plan(observed, half_width)


def tally_dict(tally: domain.Tally) -> dict[str, object]:
    return {
        "planned": tally.planned,
        "done": tally.done,
        "due": tally.due,
        "overdue": tally.overdue,
        "unassigned": tally.unassigned,
        "branches": tally.branches,
        "rankable": tally.rankable,
        "rankable_share": tally.rankable_share,
    }


def coverage_dict(result: PlanCoverage) -> dict[str, object]:
    """The coverage as plain data (``--json``)."""
    cover = result.coverage
    return {
        "plan": result.plan.to_dict(),
        "today": cover.today.isoformat(),
        "min_audits": cover.min_audits,
        "total": tally_dict(cover.total),
        "regions": [{"region": r.region, **tally_dict(r.tally)} for r in cover.regions],
        "areas": [{"region": a.region, "area": a.area, **tally_dict(a.tally)} for a in cover.areas],
        "branches": [
            {
                "branch_code": b.branch_code,
                "branch_name": b.branch_name,
                "area": b.area,
                "region": b.region,
                "planned": b.tally.planned,
                "done": b.tally.done,
                "due": b.tally.due,
                "overdue": b.tally.overdue,
                "unassigned": b.tally.unassigned,
                "audits": b.audits,
                "rankable": b.rankable,
                "still_needed": b.still_needed,
            }
            for b in cover.branches
        ],
    }
