"""The period every page and report reads by default, and how it is told.

One model for Overview, Compare, Branch and the reports: whole months, by default the last
twelve *complete* months before today. It does not move when a new audit starts a new month
(a month still running is not complete), and a month still running is marked wherever it is
shown. When the data end earlier (an archive, the demo opened a year later), the twelve
months end with the last month that holds an audit instead of showing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULT_MONTHS = 12


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 + count, 12)
    return date(year, index + 1, 1)


def month_end(month: date) -> date:
    """The last day of ``month``'s month."""
    return date.fromordinal(add_months(month_start(month), 1).toordinal() - 1)


@dataclass(frozen=True)
class ReportingPeriod:
    """Whole months from ``first`` to ``last`` (each the first day of its month)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first.day != 1 or self.last.day != 1:
            raise ValueError("a reporting period runs over whole months")
        if self.last < self.first:
            raise ValueError("a reporting period ends after it starts")

    @property
    def date_from(self) -> date:
        """The first visit day included."""
        return self.first

    @property
    def date_to(self) -> date:
        """The last visit day included."""
        return month_end(self.last)

    def months(self) -> list[date]:
        out, month = [], self.first
        while month <= self.last:
            out.append(month)
            month = add_months(month, 1)
        return out

    def running_months(self, today: date) -> list[date]:
        """The months of the period that have not ended by ``today`` (their figures will move)."""
        return [month for month in self.months() if month_end(month) >= today]

    def key(self) -> str:
        """``2025-12..2026-11``: how a page keeps the period in its address and state."""
        return f"{self.first:%Y-%m}..{self.last:%Y-%m}"


def day_of(value: object) -> date | None:
    """A visit time as the database gives it (a datetime, a date or nothing) as its day."""
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value if isinstance(value, date) else None


def default_period(
    today: date, latest_visit: date | None, months: int = DEFAULT_MONTHS
) -> ReportingPeriod:
    """The last ``months`` complete months before ``today``; if no audit is that recent,
    the ``months`` months ending with the latest audit's month."""
    last = add_months(month_start(today), -1)
    if latest_visit is not None and latest_visit < last:
        last = month_start(latest_visit)
    return ReportingPeriod(add_months(last, -(months - 1)), last)


def whole_period(
    today: date, first_visit: date | None, latest_visit: date | None
) -> ReportingPeriod:
    """Every month the period picker offers: from the first visit's month (or the default
    period's first, if earlier) to the month running ``today`` (or the default period's
    last, if later). Chosen whole, it is the pages' "whole history"."""
    default = default_period(today, latest_visit)
    first = min(month_start(first_visit), default.first) if first_visit else default.first
    return ReportingPeriod(first, max(month_start(today), default.last))


def parse_period(key: str) -> ReportingPeriod | None:
    """The period a ``key()`` names; None for anything else (a hand-edited address)."""
    try:
        first, last = key.split("..")
        return ReportingPeriod(
            date(int(first[:4]), int(first[5:7]), 1), date(int(last[:4]), int(last[5:7]), 1)
        )
    except (ValueError, IndexError):
        return None
