"""Whether a filter's dates fall on whole months: what summaries kept per month (the item
summaries, the kept item sums) can answer exactly."""

from __future__ import annotations

from datetime import date

import pytest

from audit_app.domain.filters import AuditFilter


@pytest.mark.parametrize(
    ("first", "last", "whole"),
    [
        (None, None, True),
        (date(2026, 4, 1), None, True),
        (None, date(2026, 6, 30), True),
        (date(2026, 4, 1), date(2026, 6, 30), True),
        (date(2028, 2, 1), date(2028, 2, 29), True),  # a leap year's February
        (date(2028, 2, 1), date(2028, 2, 28), False),
        (date(2026, 4, 2), None, False),
        (None, date(2026, 6, 29), False),
        (date(2026, 12, 1), date(2026, 12, 31), True),
    ],
)
def test_whole_months(first: date | None, last: date | None, whole: bool) -> None:
    assert AuditFilter(date_from=first, date_to=last).in_whole_months() is whole
