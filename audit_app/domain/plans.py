"""Visit plans: which branch gets which visits, when and by whom (pure).

The planner spreads each branch's visits evenly through the period's working days (Monday
to Saturday) and assigns auditors with rotation (the least loaded first, and not the one
who visited the branch last when another can go), a lockout (no auditor at the same branch
within ``lockout_days``, past audits and the plan's own visits counted), areas (an auditor
with areas visits only those; none means anywhere) and, for mystery shops, never the
branch's own area manager: a shopper the staff know is no mystery. A slot no auditor can
take stays open and says why; the rules are never bent to fill it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from audit_app.domain.auditors import name_key
from audit_app.errors import AuditAppError
from audit_app.i18n import _, formats, ngettext

INSPECTION_CHANNEL = "on_site"
"""A visit on this channel is an inspection the staff expect, not a mystery shop."""
MAX_VISITS_PER_BRANCH = 52
MAX_PERIOD_DAYS = 366
SUNDAY = 6


class PlanProblem(StrEnum):
    """Why a plan or a slot is refused, or why a slot has no auditor (for code that
    branches; never the message)."""

    REVERSED_PERIOD = "reversed_period"
    PERIOD_TOO_LONG = "period_too_long"
    NO_NEEDS = "no_needs"
    TOO_MANY_VISITS = "too_many_visits"
    BAD_LOCKOUT = "bad_lockout"
    NO_BRANCHES = "no_branches"
    OUTSIDE_PERIOD = "outside_period"
    ALREADY_MADE = "already_made"
    """The slot's visit was made: it stays as it is."""
    NO_AUDITOR = "no_auditor"
    """No active auditor at all."""
    OUT_OF_AREA = "out_of_area"
    OWN_MANAGER = "own_manager"
    LOCKOUT = "lockout"


class PlanRefused(AuditAppError):
    """A plan or a slot change that breaks a rule; ``code`` says which."""

    def __init__(self, code: PlanProblem, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class PlanScope:
    """Which branches a plan covers: those in any listed region or area, or listed by
    code; all three empty means every active branch."""

    regions: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not (self.regions or self.areas or self.branches)

    def covers(self, branch: PlanBranch) -> bool:
        return (
            self.everything
            or branch.region in self.regions
            or branch.area in self.areas
            or branch.code in self.branches
        )

    def to_json(self) -> dict[str, list[str]]:
        return {
            "regions": list(self.regions),
            "areas": list(self.areas),
            "branches": list(self.branches),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> PlanScope:
        data = data or {}
        return cls(
            tuple(data.get("regions") or ()),
            tuple(data.get("areas") or ()),
            tuple(data.get("branches") or ()),
        )


@dataclass(frozen=True)
class ChannelNeed:
    """``visits`` visits per branch on ``channel`` (None: any channel)."""

    channel: str | None
    visits: int


@dataclass(frozen=True)
class PlanRequest:
    name: str
    checklist_id: str
    starts_on: date
    ends_on: date
    scope: PlanScope = PlanScope()
    needs: tuple[ChannelNeed, ...] = ()
    lockout_days: int = 30
    visit_window_days: int | None = None
    """Days a visit may come after its planned day and still be on time; None: until the
    next visit's share of the period begins (the last one: the period's end)."""
    mystery_shop: bool = True
    """Whether the visits are mystery shops (the checklist is not an inspection): then a
    branch's own area manager never visits it."""

    @property
    def visits_per_branch(self) -> int:
        return sum(need.visits for need in self.needs)

    def requirement_json(self) -> list[dict[str, Any]]:
        return [{"channel": need.channel, "visits": need.visits} for need in self.needs]


@dataclass(frozen=True)
class PlanBranch:
    id: int
    code: str
    name: str
    region: str
    area: str
    manager: str = ""
    active: bool = True


@dataclass(frozen=True)
class PlanAuditor:
    id: int
    name: str
    areas: tuple[str, ...] = ()
    """Empty: anywhere."""
    username: str | None = None
    """The app user this auditor is, if any (an area manager who also audits)."""

    @property
    def name_key(self) -> str:
        return name_key(self.name)

    def covers(self, area: str) -> bool:
        return not self.areas or area in self.areas


@dataclass(frozen=True)
class PastVisit:
    """An auditor at a branch on a day: a submitted audit, or a slot of another plan."""

    branch_id: int
    auditor_id: int
    on: date


@dataclass(frozen=True)
class PlannedVisit:
    branch_id: int
    branch_code: str
    channel: str | None
    planned_on: date
    due_by: date
    auditor_id: int | None
    unassigned: PlanProblem | None = None
    """Why no auditor could take the slot (None when one did)."""


@dataclass(frozen=True)
class Managers:
    """Who manages which branch: area-manager users per area; the branch's ``manager``
    field names a person too."""

    usernames_by_area: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def manages(self, auditor: PlanAuditor, branch: PlanBranch) -> bool:
        if auditor.username and auditor.username in self.usernames_by_area.get(
            branch.area, frozenset()
        ):
            return True
        return bool(branch.manager) and name_key(branch.manager) == auditor.name_key


def is_mystery_shop(request: PlanRequest, channel: str | None) -> bool:
    return request.mystery_shop and channel != INSPECTION_CHANNEL


def working_days(starts_on: date, ends_on: date) -> list[date]:
    """Monday to Saturday, both ends included."""
    days = (ends_on - starts_on).days + 1
    every = (starts_on + timedelta(days=n) for n in range(max(days, 0)))
    return [day for day in every if day.weekday() != SUNDAY]


def check_request(request: PlanRequest) -> None:
    """Refuse a request the planner cannot honour, with a code."""
    if request.starts_on > request.ends_on:
        raise PlanRefused(
            PlanProblem.REVERSED_PERIOD,
            _("the period is reversed: {start} is after {end}").format(
                start=formats.date(request.starts_on), end=formats.date(request.ends_on)
            ),
        )
    if (request.ends_on - request.starts_on).days + 1 > MAX_PERIOD_DAYS:
        raise PlanRefused(
            PlanProblem.PERIOD_TOO_LONG,
            _("a plan covers at most {days} days").format(days=MAX_PERIOD_DAYS),
        )
    if not request.needs or any(need.visits < 1 for need in request.needs):
        raise PlanRefused(
            PlanProblem.NO_NEEDS, _("a plan needs at least one visit per branch on each channel")
        )
    if len({need.channel for need in request.needs}) != len(request.needs):
        raise PlanRefused(PlanProblem.NO_NEEDS, _("each channel can be named only once"))
    total = request.visits_per_branch
    days = len(working_days(request.starts_on, request.ends_on))
    if total > min(days, MAX_VISITS_PER_BRANCH):
        raise PlanRefused(
            PlanProblem.TOO_MANY_VISITS,
            ngettext(
                "{visits} visits per branch do not fit in {days} working day",
                "{visits} visits per branch do not fit in {days} working days",
                days,
            ).format(visits=total, days=days)
            if total <= MAX_VISITS_PER_BRANCH
            else _("a plan asks at most {n} visits per branch").format(n=MAX_VISITS_PER_BRANCH),
        )
    if not 0 <= request.lockout_days <= MAX_PERIOD_DAYS or (
        request.visit_window_days is not None
        and not 0 <= request.visit_window_days <= MAX_PERIOD_DAYS
    ):
        raise PlanRefused(
            PlanProblem.BAD_LOCKOUT,
            _("the lockout and the visit window are from 0 to {days} days").format(
                days=MAX_PERIOD_DAYS
            ),
        )


def branches_in_scope(request: PlanRequest, branches: Iterable[PlanBranch]) -> list[PlanBranch]:
    """The active branches the plan covers, by code."""
    found = [b for b in branches if b.active and request.scope.covers(b)]
    return sorted(found, key=lambda b: b.code)


def propose(
    request: PlanRequest,
    branches: Sequence[PlanBranch],
    auditors: Sequence[PlanAuditor],
    history: Sequence[PastVisit],
    managers: Managers,
    *,
    seed: int = 0,
) -> list[PlannedVisit]:
    """The plan's visits, by day and branch: the same inputs and seed give the same plan."""
    check_request(request)
    covered = branches_in_scope(request, branches)
    if not covered:
        raise PlanRefused(PlanProblem.NO_BRANCHES, _("no active branch is in the plan's scope"))
    days = working_days(request.starts_on, request.ends_on)
    dated = [slot for branch in covered for slot in _dated(request, branch, days, seed)]
    dated.sort(key=lambda slot: (slot[0].planned_on, slot[1].code))
    order = sorted(auditors, key=lambda a: a.id)
    random.Random(f"auditors:{seed}").shuffle(order)  # ties go by a seeded order
    book = _Book(history)
    load = {auditor.id: 0 for auditor in order}
    here: Counter[tuple[int, int]] = Counter()
    planned = []
    for slot, branch in dated:
        eligible, problem = _eligible(request, slot, branch, order, book, managers)
        if not eligible:
            planned.append(slot.with_problem(problem))
            continue
        last = book.last_auditor(branch.id, slot.planned_on)
        fresh = [a for a in eligible if a.id != last] or eligible
        # who has been here least in this plan, then the least loaded; min keeps the
        # seeded order on ties
        chosen = min(fresh, key=lambda a: (here[branch.id, a.id], load[a.id]))
        load[chosen.id] += 1
        here[branch.id, chosen.id] += 1
        book.add(branch.id, chosen.id, slot.planned_on)
        planned.append(slot.with_auditor(chosen.id))
    return planned


def check_slot(
    request: PlanRequest,
    branch: PlanBranch,
    channel: str | None,
    planned_on: date,
    auditor: PlanAuditor | None,
    others: Sequence[PastVisit],
    managers: Managers,
) -> None:
    """Refuse a slot set by hand that breaks the period, the lockout, the auditor's areas
    or the own-manager rule; ``others`` are the visits besides this slot (history and the
    plan's other slots)."""
    if not request.starts_on <= planned_on <= request.ends_on:
        raise PlanRefused(
            PlanProblem.OUTSIDE_PERIOD,
            _("{day} is outside the plan's period ({start} to {end})").format(
                day=formats.date(planned_on),
                start=formats.date(request.starts_on),
                end=formats.date(request.ends_on),
            ),
        )
    if auditor is None:
        return
    problem = _problem(request, branch, channel, planned_on, auditor, _Book(others), managers)
    if problem is None:
        return
    messages = {
        PlanProblem.OUT_OF_AREA: _("{auditor} does not visit the area {area}"),
        PlanProblem.OWN_MANAGER: _(
            "{auditor} manages {branch}: a mystery shop there needs someone else"
        ),
        PlanProblem.LOCKOUT: ngettext(
            "{auditor} visits {branch} within {days} day of this date (the lockout)",
            "{auditor} visits {branch} within {days} days of this date (the lockout)",
            request.lockout_days,
        ),
    }
    raise PlanRefused(
        problem,
        messages[problem].format(
            auditor=auditor.name,
            area=branch.area,
            branch=f"{branch.name} ({branch.code})",
            days=request.lockout_days,
        ),
    )


def slot_problems(
    request: PlanRequest,
    branch: PlanBranch,
    channel: str | None,
    planned_on: date,
    auditors: Sequence[PlanAuditor],
    others: Sequence[PastVisit],
    managers: Managers,
) -> dict[int, PlanProblem | None]:
    """For each auditor, what would stop them taking the slot (None: they may): what a page
    offers when someone picks an auditor by hand."""
    book = _Book(others)
    return {
        a.id: _problem(request, branch, channel, planned_on, a, book, managers) for a in auditors
    }


@dataclass(frozen=True)
class _Slot:
    branch_id: int
    channel: str | None
    planned_on: date
    due_by: date

    def with_auditor(self, auditor_id: int) -> PlannedVisit:
        return self._visit(auditor_id, None)

    def with_problem(self, problem: PlanProblem) -> PlannedVisit:
        return self._visit(None, problem)

    def _visit(self, auditor_id: int | None, problem: PlanProblem | None) -> PlannedVisit:
        return PlannedVisit(
            self.branch_id,
            self.code,
            self.channel,
            self.planned_on,
            self.due_by,
            auditor_id,
            problem,
        )

    code: str = ""


def _dated(
    request: PlanRequest, branch: PlanBranch, days: list[date], seed: int
) -> list[tuple[_Slot, PlanBranch]]:
    """The branch's visits, one in each equal share of the working days, near its middle
    (a seeded jitter per branch, so that branches do not all fall on the same day)."""
    channels = _interleaved(request.needs)
    count = len(channels)
    rng = random.Random(f"{seed}:{branch.code}")
    slots = []
    for index, channel in enumerate(channels):
        share = days[index * len(days) // count : (index + 1) * len(days) // count]
        offset = int((0.25 + 0.5 * rng.random()) * len(share))
        planned_on = share[min(offset, len(share) - 1)]
        if request.visit_window_days is None:
            next_share = (index + 1) * len(days) // count
            due_by = days[next_share] - timedelta(days=1) if index + 1 < count else request.ends_on
        else:
            due_by = min(request.ends_on, planned_on + timedelta(days=request.visit_window_days))
        slot = _Slot(branch.id, channel, planned_on, max(due_by, planned_on), branch.code)
        slots.append((slot, branch))
    return slots


def _interleaved(needs: Sequence[ChannelNeed]) -> list[str | None]:
    """Channels spread through the period (2 in person + 1 phone: in person, phone, in
    person), by smooth weighted round robin."""
    total = sum(need.visits for need in needs)
    credit = [0] * len(needs)
    left = [need.visits for need in needs]
    out: list[str | None] = []
    for _step in range(total):
        for i, need in enumerate(needs):
            if left[i]:
                credit[i] += need.visits
        pick = max((i for i in range(len(needs)) if left[i]), key=lambda i: credit[i])
        credit[pick] -= total
        left[pick] -= 1
        out.append(needs[pick].channel)
    return out


class _Book:
    """Who visited which branch when: the lockout's and the rotation's memory."""

    def __init__(self, visits: Iterable[PastVisit]) -> None:
        self._days: dict[tuple[int, int], list[date]] = {}
        self._by_branch: dict[int, list[tuple[date, int]]] = {}
        for visit in visits:
            self.add(visit.branch_id, visit.auditor_id, visit.on)

    def add(self, branch_id: int, auditor_id: int, on: date) -> None:
        self._days.setdefault((auditor_id, branch_id), []).append(on)
        self._by_branch.setdefault(branch_id, []).append((on, auditor_id))

    def locked(self, branch_id: int, auditor_id: int, on: date, lockout_days: int) -> bool:
        return any(
            abs((on - day).days) < lockout_days
            for day in self._days.get((auditor_id, branch_id), ())
        )

    def last_auditor(self, branch_id: int, on: date) -> int | None:
        before = [visit for visit in self._by_branch.get(branch_id, ()) if visit[0] <= on]
        return max(before)[1] if before else None


def _problem(
    request: PlanRequest,
    branch: PlanBranch,
    channel: str | None,
    on: date,
    auditor: PlanAuditor,
    book: _Book,
    managers: Managers,
) -> PlanProblem | None:
    if not auditor.covers(branch.area):
        return PlanProblem.OUT_OF_AREA
    if is_mystery_shop(request, channel) and managers.manages(auditor, branch):
        return PlanProblem.OWN_MANAGER
    if book.locked(branch.id, auditor.id, on, request.lockout_days):
        return PlanProblem.LOCKOUT
    return None


def _eligible(
    request: PlanRequest,
    slot: _Slot,
    branch: PlanBranch,
    auditors: Sequence[PlanAuditor],
    book: _Book,
    managers: Managers,
) -> tuple[list[PlanAuditor], PlanProblem]:
    """The auditors who may take the slot, and (when none may) the reason that stopped the
    auditors who came closest: lockout, then own manager, then area."""
    eligible: list[PlanAuditor] = []
    seen: set[PlanProblem] = set()
    for auditor in auditors:
        problem = _problem(request, branch, slot.channel, slot.planned_on, auditor, book, managers)
        if problem is None:
            eligible.append(auditor)
        else:
            seen.add(problem)
    for reason in (PlanProblem.LOCKOUT, PlanProblem.OWN_MANAGER, PlanProblem.OUT_OF_AREA):
        if reason in seen:
            return eligible, reason
    return eligible, PlanProblem.NO_AUDITOR
