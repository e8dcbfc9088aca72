"""An area manager's home: what needs her today (planned visits due and overdue, drafts to
finish, overdue corrective actions) and how each of her open branches is doing.

Head office's home stays the chain's Overview (:mod:`audit_app.services.overview`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from audit_app.domain import home as rules
from audit_app.domain.actions import ActionStatus
from audit_app.domain.home import SlotState, Trend
from audit_app.domain.reporting_period import ReportingPeriod, default_period
from audit_app.domain.users import Role, User
from audit_app.i18n import _
from audit_app.services.access import AccessDenied
from audit_app.services.actions import ActionFilter, ActionView, list_actions
from audit_app.services.compare import visit_span
from audit_app.services.context import AppContext
from audit_app.services.drafts import DraftSummary, list_drafts
from audit_app.storage import database, home_queries


@dataclass(frozen=True)
class BranchLine:
    """One of her open branches: when it was last visited, its last score, its course."""

    code: str
    name: str
    area: str
    last_visit: datetime | None
    days_since: int | None
    last_score: float | None
    """The latest scored visit's overall (follow-ups left out: they re-check a few items)."""
    trend: Trend
    not_visited: bool
    """Never visited, or not for the home's ``not_visited_days`` or more."""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class PlannedVisit:
    """An open slot of a published visit plan."""

    slot_id: int
    plan_id: int
    plan_name: str
    checklist_id: str
    branch_code: str
    branch_name: str
    channel: str | None
    planned_on: date
    due_by: date
    auditor: str | None
    state: SlotState

    @property
    def branch_label(self) -> str:
        return f"{self.branch_name} ({self.branch_code})"


@dataclass(frozen=True)
class AreaHome:
    today: date
    areas: tuple[str, ...] | None
    """Her areas (None: every area, as head office or the command line sees them)."""
    period: ReportingPeriod
    """The period the trends run over: the default reporting period."""
    not_visited_days: int
    branches: tuple[BranchLine, ...]
    due_this_week: tuple[PlannedVisit, ...]
    """Planned for this week or earlier, not done, still on time; soonest due first."""
    overdue_visits: tuple[PlannedVisit, ...]
    drafts: tuple[DraftSummary, ...]
    overdue_actions: tuple[ActionView, ...]

    @property
    def not_visited(self) -> tuple[BranchLine, ...]:
        return tuple(branch for branch in self.branches if branch.not_visited)

    @property
    def week(self) -> tuple[date, date]:
        return rules.week_of(self.today)


def area_home(ctx: AppContext, user: User | None, today: date) -> AreaHome:
    """Her home on ``today``: her areas' open branches (closed ones left out), the open slots
    of published plans there, her drafts and the overdue actions she can see."""
    _check_own_home(ctx, user)
    acting = ctx.as_user(user)
    areas = user.areas if user is not None and user.role == Role.AREA_MANAGER else None
    _first, last = visit_span(acting)
    period = default_period(today, _day(last))
    limit = ctx.settings.not_visited_days
    with database.snapshot(ctx.engine) as conn:
        rows = home_queries.open_branches(conn, areas)
        ids = [row["id"] for row in rows]
        last_visits = home_queries.last_visits(conn, ids)
        visits = home_queries.scored_visits(conn, ids)
        slots = home_queries.open_slots(conn, ids, rules.week_of(today)[1])
    months = period.months()
    in_period: dict[int, list[tuple[datetime, float]]] = {}
    latest: dict[int, float] = {}
    for branch_id, at, _audit_id, overall in visits:
        latest[branch_id] = overall  # oldest first: the latest stays
        if period.date_from <= at.date() <= period.date_to:
            in_period.setdefault(branch_id, []).append((at, overall))
    lines = []
    for row in rows:
        seen = last_visits.get(row["id"])
        days = rules.days_since(seen, today)
        lines.append(
            BranchLine(
                code=row["code"],
                name=row["name"],
                area=row["area"],
                last_visit=seen,
                days_since=days,
                last_score=latest.get(row["id"]),
                trend=rules.trend(rules.monthly_means(in_period.get(row["id"], []), months)),
                not_visited=rules.not_visited(days, limit),
            )
        )
    planned = [_planned(slot, today) for slot in slots]
    open_codes = {row["code"] for row in rows}  # a closed branch's actions wait elsewhere
    overdue_actions = list_actions(
        acting,
        ActionFilter(
            status=(ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value), overdue_only=True
        ),
        on=today,
    )
    return AreaHome(
        today=today,
        areas=areas,
        period=period,
        not_visited_days=limit,
        branches=tuple(lines),
        due_this_week=tuple(p for p in planned if p.state == SlotState.DUE),
        overdue_visits=tuple(p for p in planned if p.state == SlotState.OVERDUE),
        drafts=tuple(list_drafts(acting)),
        overdue_actions=tuple(a for a in overdue_actions if a.branch_code in open_codes),
    )


def _check_own_home(ctx: AppContext, user: User | None) -> None:
    """Only head office (or the command line) opens someone else's home, or no one's (every
    area, every draft): anyone else asking as another user would widen her own scope."""
    me = ctx.user
    if me is None or me.role == Role.HEAD_OFFICE:
        return
    if user is None or user.username.casefold() != me.username.casefold():
        raise AccessDenied(_("only head office can open another person's home"))


def _planned(slot: dict[str, object], today: date) -> PlannedVisit:
    planned_on, due_by = slot["planned_on"], slot["due_by"]
    assert isinstance(planned_on, date) and isinstance(due_by, date)
    return PlannedVisit(
        slot_id=int(slot["slot_id"]),  # type: ignore[call-overload]
        plan_id=int(slot["plan_id"]),  # type: ignore[call-overload]
        plan_name=str(slot["plan_name"]),
        checklist_id=str(slot["checklist_id"]),
        branch_code=str(slot["branch_code"]),
        branch_name=str(slot["branch_name"]),
        channel=None if slot["channel"] is None else str(slot["channel"]),
        planned_on=planned_on,
        due_by=due_by,
        auditor=None if slot["auditor"] is None else str(slot["auditor"]),
        state=rules.slot_state(planned_on, due_by, today),
    )


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None
