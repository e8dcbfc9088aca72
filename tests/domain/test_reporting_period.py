"""The one period model: the last twelve complete months, stable when a new month starts."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.domain.reporting_period import (
    ReportingPeriod,
    add_months,
    default_period,
    month_end,
    parse_period,
    whole_period,
)


def test_the_default_is_the_last_twelve_complete_months() -> None:
    period = default_period(date(2026, 12, 3), latest_visit=date(2026, 11, 30))
    assert (period.first, period.last) == (date(2025, 12, 1), date(2026, 11, 1))
    assert (period.date_from, period.date_to) == (date(2025, 12, 1), date(2026, 11, 30))
    assert len(period.months()) == 12
    assert period.running_months(date(2026, 12, 3)) == []


def test_a_new_audit_in_a_new_month_does_not_move_the_default() -> None:
    before = default_period(date(2026, 12, 1), latest_visit=date(2026, 11, 30))
    after = default_period(date(2026, 12, 1), latest_visit=date(2026, 12, 1))
    assert before == after


def test_old_data_end_the_default_at_their_last_month() -> None:
    period = default_period(date(2028, 3, 10), latest_visit=date(2026, 11, 20))
    assert (period.first, period.last) == (date(2025, 12, 1), date(2026, 11, 1))
    assert default_period(date(2026, 12, 3), None).last == date(2026, 11, 1)


def test_the_whole_history_runs_from_the_first_visit_to_the_month_running() -> None:
    whole = whole_period(date(2026, 12, 3), date(2024, 3, 17), date(2026, 11, 30))
    assert (whole.first, whole.last) == (date(2024, 3, 1), date(2026, 12, 1))


def test_the_whole_history_holds_the_default_period() -> None:
    """A single recent visit, visits dated ahead of today, no visit at all."""
    today = date(2026, 12, 3)
    recent = whole_period(today, date(2026, 11, 2), date(2026, 11, 2))
    assert (recent.first, recent.last) == (date(2025, 12, 1), date(2026, 12, 1))
    ahead = whole_period(today, date(2026, 1, 5), date(2027, 6, 30))
    assert (ahead.first, ahead.last) == (date(2025, 12, 1), date(2026, 12, 1))
    assert whole_period(today, None, None) == ReportingPeriod(date(2025, 12, 1), date(2026, 12, 1))


def test_a_month_still_running_is_named() -> None:
    period = ReportingPeriod(date(2026, 10, 1), date(2026, 12, 1))
    assert period.running_months(date(2026, 12, 3)) == [date(2026, 12, 1)]
    assert period.running_months(date(2026, 12, 31)) == [date(2026, 12, 1)]
    assert period.running_months(date(2027, 1, 1)) == []


def test_only_whole_months_in_order() -> None:
    with pytest.raises(ValueError, match="whole months"):
        ReportingPeriod(date(2026, 1, 5), date(2026, 2, 1))
    with pytest.raises(ValueError, match="ends after"):
        ReportingPeriod(date(2026, 3, 1), date(2026, 2, 1))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 1)))
def test_months_and_keys_round_trip(day: date) -> None:
    first = day.replace(day=1)
    period = ReportingPeriod(first, add_months(first, 13))
    assert parse_period(period.key()) == period
    assert month_end(first).month == first.month
    assert (month_end(first) - first).days + 1 in (28, 29, 30, 31)


@pytest.mark.parametrize("junk", ["", "2026-13..2026-14", "x..y", "2026-05", "2026-05..2026-01"])
def test_a_hand_edited_key_is_no_period(junk: str) -> None:
    assert parse_period(junk) is None
