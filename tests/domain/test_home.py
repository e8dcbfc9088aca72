"""The home's rules: a branch's course over the period, the week, and how long unseen."""

from __future__ import annotations

from datetime import date, datetime

from audit_app.domain.home import (
    Direction,
    SlotState,
    Trend,
    days_since,
    monthly_means,
    not_visited,
    slot_state,
    trend,
    week_of,
)

MONTHS = [date(2026, month, 1) for month in (1, 2, 3)]


def test_monthly_means_average_each_month_and_leave_gaps() -> None:
    visits = [
        (datetime(2026, 1, 5), 80.0),
        (datetime(2026, 1, 25), 90.0),
        (datetime(2026, 3, 1), 70.0),
    ]
    assert monthly_means(visits, MONTHS) == (85.0, None, 70.0)


def test_a_trend_needs_two_months_and_reads_the_fitted_line() -> None:
    assert trend([None, 80.0, None]) == Trend(Direction.UNKNOWN, (None, 80.0, None))
    assert trend([70.0, None, 80.0]).direction == Direction.UP
    assert trend([80.0, 90.0, 70.0]).direction == Direction.DOWN  # fitted: -10 over the span
    assert trend([80.0, 90.0, 78.0]).direction == Direction.STEADY  # fitted: -2
    assert trend([80.0, None, 78.0]).points == [80.0, 78.0]


def test_a_course_read_backwards_turns_the_other_way() -> None:
    for series in ([60.0, 70.0, None, 90.0], [95.0, None, 80.0, 75.0], [80.0, 81.0, 79.0]):
        forward, backward = trend(series).direction, trend(series[::-1]).direction
        flipped = {Direction.UP: Direction.DOWN, Direction.DOWN: Direction.UP}
        assert backward == flipped.get(forward, forward)


def test_the_week_runs_from_monday_to_sunday() -> None:
    assert week_of(date(2026, 3, 18)) == (date(2026, 3, 16), date(2026, 3, 22))
    assert week_of(date(2026, 3, 22)) == (date(2026, 3, 16), date(2026, 3, 22))
    assert week_of(date(2026, 3, 16)) == (date(2026, 3, 16), date(2026, 3, 22))


def test_a_slot_is_due_this_week_overdue_after_its_last_day_or_later() -> None:
    today = date(2026, 3, 18)
    assert slot_state(date(2026, 3, 22), date(2026, 3, 29), today) == SlotState.DUE
    assert slot_state(date(2026, 3, 1), date(2026, 3, 18), today) == SlotState.DUE  # on time today
    assert slot_state(date(2026, 3, 1), date(2026, 3, 17), today) == SlotState.OVERDUE
    assert slot_state(date(2026, 3, 23), date(2026, 3, 30), today) == SlotState.LATER


def test_days_since_and_not_visited() -> None:
    today = date(2026, 3, 18)
    assert days_since(None, today) is None
    assert days_since(datetime(2026, 1, 17, 23, 59), today) == 60
    assert not_visited(60, 60) and not_visited(None, 60) and not not_visited(59, 60)
