"""An area manager's home, as plain values: her branches' recent course, the planned visits
that need her now, and the rules that sort them (which week, which trend, how long unseen).

Pure: the services read the rows, these functions decide what they mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

TREND_POINTS = 3.0
"""A branch whose fitted monthly means move less than this over the period is steady: a
few points is what one visit more or less moves a mean by."""


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    STEADY = "steady"
    UNKNOWN = "unknown"
    """Fewer than two months with a scored visit: no course to tell."""


@dataclass(frozen=True)
class Trend:
    direction: Direction
    series: tuple[float | None, ...]
    """The mean score of each month of the period (None: no scored visit that month)."""

    @property
    def points(self) -> list[float]:
        """The months that have a mean, in order: what a sparkline draws."""
        return [value for value in self.series if value is not None]


def trend(series: Sequence[float | None], threshold: float = TREND_POINTS) -> Trend:
    """The direction of a least-squares line through the months that have a mean, judged by
    how far it moves from the first such month to the last."""
    known = [(index, value) for index, value in enumerate(series) if value is not None]
    if len(known) < 2:
        return Trend(Direction.UNKNOWN, tuple(series))
    xs = [float(index) for index, _value in known]
    ys = [value for _index, value in known]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    change = slope * (xs[-1] - xs[0])
    if change >= threshold:
        direction = Direction.UP
    elif change <= -threshold:
        direction = Direction.DOWN
    else:
        direction = Direction.STEADY
    return Trend(direction, tuple(series))


def monthly_means(
    visits: Iterable[tuple[datetime, float]], months: Sequence[date]
) -> tuple[float | None, ...]:
    """The mean score of each month in ``months`` (first days) from (visited_at, score)."""
    sums: dict[date, list[float]] = {}
    for visited_at, score in visits:
        sums.setdefault(visited_at.date().replace(day=1), []).append(score)
    return tuple(
        (sum(sums[month]) / len(sums[month])) if month in sums else None for month in months
    )


def week_of(day: date) -> tuple[date, date]:
    """Monday and Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def days_since(last: datetime | date | None, today: date) -> int | None:
    if last is None:
        return None
    day = last.date() if isinstance(last, datetime) else last
    return max(0, (today - day).days)


def not_visited(days: int | None, limit: int) -> bool:
    """Never visited, or the last visit ``limit`` days ago or more."""
    return days is None or days >= limit


class SlotState(StrEnum):
    DUE = "due"
    """Planned for this week or earlier, not done, still on time."""
    OVERDUE = "overdue"
    """Not done by its last on-time day."""
    LATER = "later"
    """Planned after this week."""


def slot_state(planned_on: date, due_by: date, today: date) -> SlotState:
    """Where an open planned visit stands on ``today``: an overdue one needs her first."""
    if due_by < today:
        return SlotState.OVERDUE
    if planned_on <= week_of(today)[1]:
        return SlotState.DUE
    return SlotState.LATER
