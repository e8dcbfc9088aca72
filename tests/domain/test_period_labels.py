"""Period labels written once per distinct period (#21) are the labels pandas' own periods
give every audit, for months and quarters, any dates pandas holds in nanoseconds,
microseconds (the audit frame's unit) or seconds, and any index."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_app.domain.compare import period_labels

NANOSECONDS = st.lists(
    st.datetimes(min_value=datetime(1678, 1, 1), max_value=datetime(2261, 12, 31)),
    max_size=60,
)
ANY_YEAR = st.lists(st.datetimes(min_value=datetime(1000, 1, 1)), max_size=60)
"""Times in microseconds (as the audit frame reads them) or seconds hold any year."""


def by_pandas(visited_at: pd.Series, period: str) -> pd.Series:
    return pd.to_datetime(visited_at).dt.to_period("M" if period == "month" else "Q").astype(str)


@given(
    visits=st.one_of(
        st.tuples(NANOSECONDS, st.just("datetime64[ns]")),
        st.tuples(ANY_YEAR, st.sampled_from(["datetime64[us]", "datetime64[s]"])),
    ),
    period=st.sampled_from(["month", "quarter"]),
    shift=st.integers(0, 99),
)
def test_the_labels_are_pandas_periods_as_text(
    visits: tuple[list[datetime], str], period: str, shift: int
) -> None:
    times, unit = visits
    index = pd.RangeIndex(shift, shift + len(times))
    visited_at = pd.Series(times, index=index, dtype=unit)
    got = period_labels(visited_at, period)  # type: ignore[arg-type]
    want = by_pandas(visited_at, period)
    assert got.index.equals(visited_at.index)
    assert got.tolist() == want.tolist()


def test_a_missing_visit_and_a_zoned_one_are_labelled_as_pandas_labels_them() -> None:
    missing = pd.Series([pd.Timestamp("2026-03-04"), pd.NaT])
    assert period_labels(missing, "month").tolist() == by_pandas(missing, "month").tolist()
    zoned = pd.Series(pd.to_datetime(["2026-03-31 23:30"]).tz_localize("Europe/Istanbul"))
    with pytest.warns(UserWarning, match="timezone"):  # pandas' own word on it
        assert period_labels(zoned, "quarter").tolist() == ["2026Q1"]  # the wall clock


def test_labels_across_the_epoch_and_new_year() -> None:
    visits = pd.Series(
        pd.to_datetime(
            ["1969-12-31 23:59", "1970-01-01 00:00", "2026-12-31 23:59", "2027-01-01 00:00"]
        )
    )
    assert period_labels(visits, "month").tolist() == ["1969-12", "1970-01", "2026-12", "2027-01"]
    assert period_labels(visits, "quarter").tolist() == ["1969Q4", "1970Q1", "2026Q4", "2027Q1"]
