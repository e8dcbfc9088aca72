"""Month labels summed into quarters ('2026-03' -> '2026Q1') convert each distinct month
once (#21: a ten-times year's million section cells took 5 s one by one) and give what
pandas' periods give, for plain and categorical month columns, in any order."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from audit_app.domain.compare.comparison import in_periods, quarter_labels

MONTHS = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1990, 2100), st.integers(1, 12))


@given(st.lists(MONTHS, max_size=60), st.booleans())
def test_quarters_are_what_pandas_periods_say(months: list[str], categorical: bool) -> None:
    column = pd.Series(months, dtype="category" if categorical else "str")
    want = pd.PeriodIndex(months, freq="M").asfreq("Q").astype(str).tolist() if months else []
    got = quarter_labels(column)
    assert [str(label) for label in got] == want
    assert list(got.categories) == sorted(set(want))


def test_month_cells_summed_into_quarters() -> None:
    cells = pd.DataFrame(
        {
            "branch_code": ["B1", "B1", "B1", "B2"],
            "checklist_id": ["c"] * 4,
            "standard": ["s"] * 4,
            "period": pd.Categorical(["2026-01", "2026-03", "2026-04", "2026-02"]),
            "n": [1, 2, 3, 4],
            "sum": [0.5, 1.0, 2.0, 3.0],
            "sum_sq": [0.25, 0.5, 1.5, 2.5],
        }
    )
    quarters = in_periods(cells, "quarter")
    assert quarters["period"].tolist() == ["2026Q1", "2026Q2", "2026Q1"]
    assert str(quarters["period"].dtype) == "str"
    assert quarters["n"].tolist() == [3, 3, 4] and quarters["sum"].tolist() == [1.5, 2.0, 3.0]
