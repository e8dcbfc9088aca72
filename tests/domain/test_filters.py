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


@pytest.mark.parametrize(
    ("first", "last", "months", "edges"),
    [
        ("2026-02-15", None, ("2026-03-01", None), [("2026-02-15", "2026-02-28")]),
        (None, "2026-06-14", (None, "2026-05-31"), [("2026-06-01", "2026-06-14")]),
        (
            "2025-12-10",
            "2026-02-14",
            ("2026-01-01", "2026-01-31"),
            [("2025-12-10", "2025-12-31"), ("2026-02-01", "2026-02-14")],
        ),
        ("2026-04-01", "2026-06-30", None, None),  # whole months: nothing cut
        (None, None, None, None),
        ("2026-04-10", "2026-04-20", None, None),  # within one month
        ("2026-03-15", "2026-04-14", None, None),  # no whole month between
    ],
)
def test_dates_cut_at_months_are_the_whole_months_and_the_cut_days(
    first: str | None,
    last: str | None,
    months: tuple[str | None, str | None] | None,
    edges: list[tuple[str, str]] | None,
) -> None:
    def day(text: str | None) -> date | None:
        return None if text is None else date.fromisoformat(text)

    audit_filter = AuditFilter(checklist_id="phone", date_from=day(first), date_to=day(last))
    cut = audit_filter.cut_at_months()
    if months is None or edges is None:
        assert cut is None
        return
    assert cut is not None
    whole, cut_days = cut
    assert (whole.date_from, whole.date_to) == (day(months[0]), day(months[1]))
    assert whole.in_whole_months() and whole.checklist_id == "phone"
    assert [(e.date_from, e.date_to) for e in cut_days] == [(day(a), day(b)) for a, b in edges]
    assert all(e.checklist_id == "phone" for e in cut_days)
