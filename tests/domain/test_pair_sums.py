"""Item cells added up per item x branch and month (#21): per-item consistency from them, in
every model (months or quarters, period effects removed or not), equals the cells' own
computation (``item_consistency`` of ``in_periods`` / ``collapse_periods``, kept as the
reference); and replacing the rows of the branches written gives what adding up the
written cells afresh gives, on any cells: branches gone or new, items or months that
vanish, branches of one audit, N/A cells without audits. A written branch with an item or
month the sums do not hold is refused (added up afresh by the caller)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.domain.compare import (
    ComparisonRequest,
    KeyedSums,
    StandardConsistency,
    item_standards,
    item_standards_of,
    item_sums,
    pair_sums_of,
    with_branches_replaced,
    within,
)
from audit_app.domain.compare.comparison import collapse_periods, in_periods
from audit_app.domain.compare.consistency import item_consistency, scale_cells
from audit_app.domain.compare.pair_sums import PairSums

MONTHS = ["2025-11", "2025-12", "2026-01", "2026-03", "2026-04", "2026-11"]
"""Two years: the fourth quarter of each must stay two periods."""
ITEMS = [("phone", "q1"), ("phone", "q10"), ("phone", "q2"), ("visit", "q1")]


@st.composite
def item_cells(
    draw: st.DrawFn, branches: Sequence[str] = ("B1", "B10", "B2", "b3")
) -> pd.DataFrame:
    """Cells in points, at most one per branch x item x month, as a selection reads them;
    the keys text or categorical (categories in no order, some unused)."""
    rows = []
    for branch in branches:
        for checklist_id, standard in ITEMS:
            for month in MONTHS:
                if not draw(st.booleans()):
                    continue
                n = draw(st.integers(0, 3))
                points = st.sampled_from([0.0, 25.0, 33.3333333, 99.9999995, 100.0])
                scores = [draw(points) for _ in range(n)]
                squares = sum(s * s for s in scores)
                rows.append((branch, checklist_id, standard, month, n, sum(scores), squares))
    columns = ["branch_code", "checklist_id", "standard", "period", "n", "sum", "sum_sq"]
    cells = pd.DataFrame(rows, columns=columns).astype({"n": int, "sum": float, "sum_sq": float})
    if draw(st.booleans()):
        cells = cells.astype(
            {
                "branch_code": pd.CategoricalDtype(["b3", "B2", "B10", "B1", "B9", "B5"]),
                "checklist_id": pd.CategoricalDtype(["visit", "phone"]),
                "standard": pd.CategoricalDtype(["q2", "q10", "q1"]),
            }
        )
    return cells


def close(got: tuple[StandardConsistency, ...], want: tuple[StandardConsistency, ...]) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        for name, value in vars(b).items():
            other = getattr(a, name)
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(other, value, rel_tol=1e-9, abs_tol=1e-9), (name, a, b)
            else:
                assert other == value, (name, a, b)


KEYS = ["branch_code", "checklist_id", "standard"]

MODELS = [
    {"period": "month", "adjust_periods": True},
    {"period": "quarter", "adjust_periods": True},
    {"period": "month", "adjust_periods": False},
    {"period": "quarter", "adjust_periods": False},
]


@settings(max_examples=150, deadline=None)
@given(cells=item_cells(), model=st.sampled_from(MODELS))
def test_items_from_sums_equal_the_cells_own_computation(cells: pd.DataFrame, model: dict) -> None:
    request = ComparisonRequest(**model)  # type: ignore[arg-type]
    reference = in_periods(cells, request.period)
    if not request.adjust_periods:
        reference = collapse_periods(reference)
    want = item_consistency(reference) if len(reference) else ()
    close(item_standards(request, cells), want)


def assert_same(got: PairSums | None, want: PairSums | None) -> None:
    assert (got is None) == (want is None)
    if want is None or got is None:
        return
    pd.testing.assert_frame_equal(got.group_keys, want.group_keys)
    for name in ("branch_labels", "periods", "pair_group", "pair_branch", "count", "sums"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), name)
    np.testing.assert_allclose(got.sum_sq, want.sum_sq, rtol=1e-12)


@settings(max_examples=200, deadline=None)
@given(
    cells=item_cells(),
    steps=st.lists(
        st.lists(st.sampled_from(["B1", "B2", "b3", "B5"]), min_size=1, unique=True),
        min_size=1,
        max_size=3,
    ),
    data=st.data(),
)
def test_replacing_the_written_branches_rows_equals_adding_up_afresh(
    cells: pd.DataFrame, steps: list[list[str]], data: st.DataObject
) -> None:
    """Visit after visit, each patch made from the last one, as a server keeps them."""
    sums = item_sums(cells)
    current = cells.astype({key: str for key in KEYS})
    for written in steps:
        if sums is None:
            return
        fresh = data.draw(item_cells(written))
        rest = current[~current["branch_code"].isin(written)]
        current = pd.concat([rest, fresh.astype({key: str for key in KEYS})], ignore_index=True)
        got = with_branches_replaced(sums, item_sums(fresh), written)
        held = set(sums.group_keys.astype(str).itertuples(index=False, name=None))
        counted = fresh[fresh["n"] > 0].astype({key: str for key in KEYS})
        keys = zip(counted["checklist_id"], counted["standard"], strict=True)
        new_item = any(key not in held for key in keys)
        new_month = not set(counted["period"]) <= set(sums.periods)
        if new_item or new_month:
            assert got is None  # added up afresh by the caller
            sums = item_sums(current)
            continue
        want = item_sums(current)
        if want is None:  # nothing counted is left: no rows, as the caller finds no cell
            assert got is not None and not len(got.pair_group)
            return
        assert_same(got, want)
        for model in MODELS:
            request = ComparisonRequest(**model)  # type: ignore[arg-type]
            close(item_standards_of(request, got), item_standards(request, current))
        sums = got


@settings(max_examples=200, deadline=None)
@given(
    cells=item_cells(),
    branches=st.none() | st.lists(st.sampled_from(["B1", "B10", "B2", "b3", "B9"]), unique=True),
    months=st.none()
    | st.tuples(
        st.none() | st.sampled_from(["2025-01", *MONTHS]),
        st.none() | st.sampled_from([*MONTHS, "2026-12"]),
    ),
    checklists=st.none() | st.sets(st.sampled_from(["phone", "visit", "charter"])),
)
def test_a_part_of_the_sums_equals_adding_up_the_part_s_cells(
    cells: pd.DataFrame,
    branches: list[str] | None,
    months: tuple[str | None, str | None] | None,
    checklists: set[str] | None,
) -> None:
    """An area's, a quarter's or a checklist's sums taken from a wider selection's equal its
    own cells added up (#21), array for array, and give the same items in every model."""
    sums = item_sums(cells)
    if sums is None:
        return
    part = cells.astype({key: str for key in KEYS})
    if branches is not None:
        part = part[part["branch_code"].isin(branches)]
    if checklists is not None:
        part = part[part["checklist_id"].isin(checklists)]
    if months is not None:
        first, last = months
        part = part[(part["period"] >= (first or "")) & (part["period"] <= (last or "9999"))]
    got = within(sums, branches, months, checklists)
    assert_same(got, item_sums(part))
    for model in MODELS:
        request = ComparisonRequest(**model)  # type: ignore[arg-type]
        close(item_standards_of(request, got), item_standards(request, part))


def test_the_same_quarter_of_two_years_is_two_periods() -> None:
    """Found by a review: quarters that ignored the year passed every other test."""
    cells = pd.DataFrame(
        {
            "branch_code": ["B1", "B2", "B1", "B2"],
            "checklist_id": "phone",
            "standard": "q1",
            "period": ["2025-02", "2025-02", "2026-02", "2026-02"],
            "n": [2, 2, 2, 2],
            "sum": [200.0, 100.0, 50.0, 150.0],
            "sum_sq": [20_000.0, 10_000.0, 2_500.0, 12_500.0],
        }
    )
    request = ComparisonRequest(period="quarter")
    (item,) = item_standards(request, cells)
    assert item.periods == 2
    close((item,), item_consistency(in_periods(cells, "quarter")))


def two_branches_one_month() -> pd.DataFrame:
    """Two branches' cells of one item in one month: B1 full marks, B2 none."""
    return pd.DataFrame(
        {
            "branch_code": ["B1", "B2"],
            "checklist_id": ["phone", "phone"],
            "standard": ["q1", "q1"],
            "period": ["2026-01", "2026-01"],
            "n": [1, 1],
            "sum": [100.0, 0.0],
            "sum_sq": [10_000.0, 0.0],
        }
    )


def test_a_written_branch_s_new_month_is_refused() -> None:
    cells = two_branches_one_month()
    sums = item_sums(cells)
    assert sums is not None
    fresh = item_sums(cells.iloc[:1].assign(period="2026-02"))
    assert with_branches_replaced(sums, fresh, ["B1"]) is None
    same_month = item_sums(cells.iloc[:1].assign(sum=50.0, sum_sq=2_500.0))
    got = with_branches_replaced(sums, same_month, ["B1"])
    assert got is not None
    assert got.sums.tolist() == [[50.0], [0.0]]


@pytest.mark.parametrize("model", MODELS)
def test_a_sum_kept_is_not_changed_by_its_models(model: dict) -> None:
    """The models add up columns into new arrays: the kept sums serve the next model."""
    cells = pd.DataFrame(
        {
            "branch_code": ["B1", "B1", "B2", "B2"],
            "checklist_id": ["phone"] * 4,
            "standard": ["q1"] * 4,
            "period": ["2026-01", "2026-04", "2026-01", "2026-04"],
            "n": [1, 2, 1, 1],
            "sum": [100.0, 150.0, 0.0, 100.0],
            "sum_sq": [10_000.0, 12_500.0, 0.0, 10_000.0],
        }
    )
    sums = item_sums(cells)
    assert sums is not None
    copy = replace(sums, count=sums.count.copy(), sums=sums.sums.copy(), sum_sq=sums.sum_sq.copy())
    item_standards_of(ComparisonRequest(**model), sums)  # type: ignore[arg-type]
    assert_same(sums, copy)


@st.composite
def keyed_parts(draw: st.DrawFn) -> list[KeyedSums]:
    """Item figures per branch and month x item of checklist versions, as the vectors add
    them up: versions of one checklist share some items; some keys or items count nothing
    (N/A), and then have no sums."""
    parts = []
    items_of = {"phone": ["q1", "q10", "q2", "q3"], "visit": ["q1", "q4"]}
    for checklist_id in draw(st.lists(st.sampled_from(["phone", "visit"]), max_size=4)):
        items = draw(st.lists(st.sampled_from(items_of[checklist_id]), min_size=1, unique=True))
        keys = draw(
            st.lists(
                st.tuples(st.sampled_from(["B1", "B10", "B2", "b3"]), st.sampled_from(MONTHS)),
                unique=True,
            )
        )
        size = len(keys) * len(items)
        count = np.array(draw(st.lists(st.integers(0, 3), min_size=size, max_size=size)))
        points = st.sampled_from([0.0, 0.25, 0.5, 1.0])
        mean = np.array(draw(st.lists(points, min_size=size, max_size=size)))
        shape = (len(keys), len(items))
        parts.append(
            KeyedSums(
                checklist_id=checklist_id,
                items=np.asarray(items, dtype=object),
                branch=np.asarray([k[0] for k in keys], dtype=object),
                period=np.asarray([k[1] for k in keys], dtype=object),
                count=count.reshape(shape),
                sums=(mean * count * 100).reshape(shape),
                sum_sq=(mean * mean * count * 100**2).reshape(shape),
            )
        )
    return parts


def cells_of(parts: list[KeyedSums]) -> pd.DataFrame:
    """The parts cut into cells, one per key x item with a count, versions added up."""
    columns = ["branch_code", "checklist_id", "standard", "period", "n", "sum", "sum_sq"]
    rows = [
        (
            part.branch[k],
            part.checklist_id,
            part.items[i],
            part.period[k],
            int(part.count[k, i]),
            float(part.sums[k, i]),
            float(part.sum_sq[k, i]),
        )
        for part in parts
        for k in range(len(part.branch))
        for i in range(len(part.items))
        if part.count[k, i] > 0
    ]
    cells = pd.DataFrame(rows, columns=columns)
    return cells.groupby(columns[:4], as_index=False)[columns[4:]].sum()


@settings(max_examples=300, deadline=None)
@given(parts=keyed_parts(), scale=st.sampled_from([1.0, 100.0]))
def test_sums_added_up_without_cells_equal_the_cells_added_up(
    parts: list[KeyedSums], scale: float
) -> None:
    """The vectors' figures added up per item x branch and month without cutting them into
    cells (#21) give what adding up the cells gives, array for array, scaled as the cells
    are (in points); each checklist over its own branches and months."""
    cells = cells_of(parts)
    want = item_sums(scale_cells(cells, scale)) if len(cells) else None
    assert_same(pair_sums_of(parts, scale=scale), want)


def test_kept_sums_and_the_parts_taken_of_them_refuse_a_write_in_place() -> None:
    """Kept sums are shared by every session, and a part taken of every branch and month
    is a view of them (#21): a write in place raises instead of changing every page's
    figures."""
    cells = two_branches_one_month()
    sums = item_sums(cells)
    assert sums is not None
    part = within(sums)
    assert part is not None
    assert np.shares_memory(part.sums, sums.sums)  # the view this guards
    for kept in (sums, part):
        for array in (kept.count, kept.sums, kept.sum_sq, kept.pair_group, kept.pair_branch):
            with pytest.raises(ValueError, match="read-only"):
                array[0] = 0
    assert sums.sums.tolist() == [[100.0], [0.0]]
