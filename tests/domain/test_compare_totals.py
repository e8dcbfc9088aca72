"""Totals added up by branch and period (``domain.compare.totals``): whatever the key
columns hold (text, objects, quarters as periods) and however the rows are split and
ordered, the sums equal pandas' own groupby, sorted by the keys as text, with each
branch's names from its first row."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.domain.compare import (
    combine_branch_periods,
    combine_totals,
    total_branch_periods,
)

NUMBERS = ["audits", "sum", "sum_sq", "passed", "judged", "critical_failures"]

parts = st.lists(
    st.tuples(
        st.sampled_from(["B-2", "B-10", "b-1", "Ç-3", "B-2 "]),
        st.sampled_from(["2026-01", "2026-02", "2025-12"]),
        st.integers(0, 4),
        st.floats(0, 100),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=40,
)


def _frame(rows: list[tuple[object, ...]], text: str) -> pd.DataFrame:
    codes = [row[0] for row in rows]
    frame = pd.DataFrame(
        {
            "branch_code": pd.Series(codes, dtype=text),
            "branch_name": pd.Series([f"Name {c}" for c in codes], dtype=text),
            "region": pd.Series([None if c == "b-1" else "North" for c in codes], dtype=object),
            "country": pd.Series(["ES"] * len(rows), dtype=text),
            "period": pd.Series([row[1] for row in rows], dtype=text),
            "audits": [row[2] for row in rows],
            "sum": [row[3] for row in rows],
            "sum_sq": [row[3] ** 2 for row in rows],
            "passed": [row[4] for row in rows],
            "judged": [row[4] + 1 for row in rows],
            "critical_failures": [row[4] % 2 for row in rows],
        }
    )
    return frame


@settings(max_examples=80, deadline=None)
@given(rows=parts, text=st.sampled_from(["str", "object"]))
def test_branch_period_totals_equal_pandas_groupby(
    rows: list[tuple[object, ...]], text: str
) -> None:
    frame = _frame(rows, text)
    combined = combine_branch_periods(frame.iloc[::-1].reset_index(drop=True))
    expected = (
        frame.iloc[::-1]
        .groupby(["branch_code", "period"], sort=True)
        .agg({**{n: "sum" for n in NUMBERS}, "branch_name": "first", "country": "first"})
        .reset_index()
    )
    assert combined["branch_code"].tolist() == expected["branch_code"].tolist()
    assert combined["period"].tolist() == expected["period"].tolist()
    for name in NUMBERS:
        np.testing.assert_allclose(combined[name].to_numpy(float), expected[name].to_numpy(float))
    assert combined["branch_name"].tolist() == expected["branch_name"].tolist()
    regions = dict(zip(frame["branch_code"], frame["region"], strict=True))
    missing = "(none)"  # a missing region stays missing (None or NaN)
    assert combined["region"].fillna(missing).tolist() == [
        regions[c] or missing for c in combined["branch_code"]
    ]


def test_quarters_as_periods_are_keyed_as_text() -> None:
    frame = _frame([("B-1", "2026-01", 1, 50.0, 0), ("B-1", "2026-02", 1, 70.0, 1)], "str")
    frame["period"] = pd.PeriodIndex(["2026Q1", "2026Q1"], freq="Q")
    combined = combine_branch_periods(frame)
    assert combined["period"].tolist() == ["2026Q1"]
    assert combined["sum"].tolist() == [120.0] and combined["audits"].tolist() == [2]


def test_branch_totals_add_every_period() -> None:
    frame = _frame([("B-2", "2026-01", 2, 50.0, 0), ("B-2", "2026-02", 1, 70.0, 1)], "str")
    combined = combine_totals(frame.drop(columns="period"))
    assert combined["branch_code"].tolist() == ["B-2"]
    assert combined["audits"].tolist() == [3] and combined["sum"].tolist() == [120.0]


audits = st.lists(
    st.tuples(
        st.sampled_from(["B-2", "B-10", "Ç-3"]),
        st.sampled_from(["2026-01", "2026-02"]),
        st.one_of(st.none(), st.floats(0, 100)),
        st.sampled_from([True, False, None]),
        st.booleans(),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(rows=audits)
def test_audit_totals_equal_pandas_groupby(rows: list[tuple[object, ...]]) -> None:
    """Per branch and period from single audits: the scored ones counted, their sums and
    sums of squares, passes among the verdicts, critical failures; names from the branch."""
    frame = pd.DataFrame(
        rows, columns=["branch_code", "period", "overall", "passed", "critical_failure"]
    )
    frame = frame.assign(branch_name="Name " + frame["branch_code"], region="North", country="ES")
    totals = total_branch_periods(frame, frame["period"])
    scored = frame[frame["overall"].notna()]
    if scored.empty:
        assert totals.empty
        return
    expected = (
        scored.assign(
            sum_sq=scored["overall"].astype(float) ** 2,
            passed=scored["passed"].eq(True).astype(int),
            judged=scored["passed"].notna().astype(int),
            critical_failures=scored["critical_failure"].astype(int),
        )
        .groupby(["branch_code", "period"], sort=True)
        .agg(
            audits=("overall", "size"),
            sum=("overall", "sum"),
            sum_sq=("sum_sq", "sum"),
            passed=("passed", "sum"),
            judged=("judged", "sum"),
            critical_failures=("critical_failures", "sum"),
            branch_name=("branch_name", "first"),
        )
        .reset_index()
    )
    assert totals["branch_code"].tolist() == expected["branch_code"].tolist()
    assert totals["period"].tolist() == expected["period"].tolist()
    assert totals["branch_name"].tolist() == expected["branch_name"].tolist()
    for name in ("audits", "passed", "judged", "critical_failures"):
        assert totals[name].tolist() == expected[name].tolist(), name
    for name in ("sum", "sum_sq"):
        np.testing.assert_allclose(totals[name].to_numpy(float), expected[name].to_numpy(float))
