"""Coverage of a visit plan: which planned visits are done, due or overdue, per branch,
area, region and for the whole plan, and how many branches have enough visits to rank.

Pure: the planned visits, the audits counted per branch and ``today`` come in; small value
objects come out, which the page, the command line and the tests compare whole.

- **done**: a submitted audit filled the slot (whenever it came);
- **due**: not done, and its last on-time day (``due_by``) is today or later;
- **overdue**: not done, and ``due_by`` has passed;
- **unassigned**: not done and no auditor named (counted apart: such a slot is also due or
  overdue).

A branch **can be ranked** when it has at least the league's minimum of submitted audits of
the plan's checklist within the plan's period, planned or not (the league counts every
audit, so coverage must too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from audit_app.domain.compare.variance import DEFAULT_MIN_AUDITS

__all__ = [
    "AreaCoverage",
    "BranchCoverage",
    "Coverage",
    "PlannedVisit",
    "RegionCoverage",
    "SlotState",
    "Tally",
    "cover",
    "slot_state",
]


class SlotState(StrEnum):
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class PlannedVisit:
    """One slot of a plan, with the names people read."""

    id: int
    plan_id: int
    branch_code: str
    branch_name: str
    area: str
    region: str
    channel: str | None
    planned_on: date
    due_by: date
    audit_id: int | None = None
    auditor_id: int | None = None
    auditor: str | None = None


def slot_state(visit: PlannedVisit, today: date) -> SlotState:
    if visit.audit_id is not None:
        return SlotState.DONE
    return SlotState.OVERDUE if visit.due_by < today else SlotState.DUE


@dataclass(frozen=True)
class Tally:
    """Counts over a set of branches: slots by state, branches and rankable branches."""

    planned: int = 0
    done: int = 0
    due: int = 0
    overdue: int = 0
    unassigned: int = 0
    branches: int = 0
    rankable: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.planned + other.planned,
            self.done + other.done,
            self.due + other.due,
            self.overdue + other.overdue,
            self.unassigned + other.unassigned,
            self.branches + other.branches,
            self.rankable + other.rankable,
        )

    @property
    def rankable_share(self) -> float | None:
        """Share of branches (0..1) with enough audits to rank; ``None`` without branches."""
        return self.rankable / self.branches if self.branches else None

    @property
    def done_share(self) -> float | None:
        return self.done / self.planned if self.planned else None


@dataclass(frozen=True)
class BranchCoverage:
    branch_code: str
    branch_name: str
    area: str
    region: str
    tally: Tally
    audits: int
    """Submitted audits of the plan's checklist in the period, planned or not."""
    audits_needed: int = DEFAULT_MIN_AUDITS

    @property
    def rankable(self) -> bool:
        return self.audits >= self.audits_needed

    @property
    def still_needed(self) -> int:
        """Audits still missing before the branch can be ranked (0 when it can)."""
        return max(0, self.audits_needed - self.audits)


@dataclass(frozen=True)
class AreaCoverage:
    region: str
    area: str
    tally: Tally


@dataclass(frozen=True)
class RegionCoverage:
    region: str
    tally: Tally


@dataclass(frozen=True)
class Coverage:
    """A plan's coverage on ``today``: per branch (by region, area, code), per area, per
    region, and the total."""

    today: date
    min_audits: int
    branches: tuple[BranchCoverage, ...]
    areas: tuple[AreaCoverage, ...]
    regions: tuple[RegionCoverage, ...]
    total: Tally


def cover(
    visits: Iterable[PlannedVisit],
    audits_per_branch: Mapping[str, int],
    today: date,
    min_audits: int = DEFAULT_MIN_AUDITS,
) -> Coverage:
    """The coverage of ``visits`` on ``today``; ``audits_per_branch`` counts each branch's
    submitted audits of the plan's checklist in the plan's period (branch code -> count)."""
    slots: dict[str, list[PlannedVisit]] = {}
    for visit in visits:
        slots.setdefault(visit.branch_code, []).append(visit)
    rows = sorted(
        (
            _branch(group, audits_per_branch.get(code, 0), today, min_audits)
            for code, group in slots.items()
        ),
        key=lambda row: (row.region, row.area, row.branch_code),
    )
    areas: dict[tuple[str, str], Tally] = {}
    regions: dict[str, Tally] = {}
    for row in rows:
        key = (row.region, row.area)
        areas[key] = areas.get(key, Tally()) + row.tally
        regions[row.region] = regions.get(row.region, Tally()) + row.tally
    total = sum((row.tally for row in rows), Tally())
    return Coverage(
        today,
        min_audits,
        tuple(rows),
        tuple(AreaCoverage(region, area, tally) for (region, area), tally in sorted(areas.items())),
        tuple(RegionCoverage(region, tally) for region, tally in sorted(regions.items())),
        total,
    )


def _branch(
    visits: list[PlannedVisit], audits: int, today: date, min_audits: int
) -> BranchCoverage:
    states = [slot_state(visit, today) for visit in visits]
    first = visits[0]
    tally = Tally(
        planned=len(visits),
        done=states.count(SlotState.DONE),
        due=states.count(SlotState.DUE),
        overdue=states.count(SlotState.OVERDUE),
        unassigned=sum(
            state != SlotState.DONE and visit.auditor_id is None
            for visit, state in zip(visits, states, strict=True)
        ),
        branches=1,
        rankable=int(audits >= min_audits),
    )
    return BranchCoverage(
        first.branch_code, first.branch_name, first.area, first.region, tally, audits, min_audits
    )
