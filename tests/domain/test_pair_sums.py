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
    StandardConsistency,
    item_standards,
    item_standards_of,
    item_sums,
    with_branches_replaced,
)
from audit_app.domain.compare.comparison import collapse_periods, in_periods
from audit_app.domain.compare.consistency import item_consistency
from audit_app.domain.compare.pair_sums import PairSums

MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-07"]
ITEMS = [("phone", "q1"), ("phone", "q2"), ("visit", "q1")]


@st.composite
def item_cells(draw: st.DrawFn, branches: Sequence[str] = ("B1", "B2", "B3", "B4")) -> pd.DataFrame:
    """Cells in points, at most one per branch x item x month, as a selection reads them."""
    rows = []
    for branch in branches:
        for checklist_id, standard in ITEMS:
            for month in MONTHS:
                if not draw(st.booleans()):
                    continue
                n = draw(st.integers(0, 3))
                scores = [draw(st.sampled_from([0.0, 25.0, 50.0, 100.0])) for _ in range(n)]
                rows.append(
                    (
                        branch,
                        checklist_id,
                        standard,
                        month,
                        n,
                        sum(scores),
                        sum(s * s for s in scores),
                    )
                )
    columns = ["branch_code", "checklist_id", "standard", "period", "n", "sum", "sum_sq"]
    return pd.DataFrame(rows, columns=columns).astype({"n": int, "sum": float, "sum_sq": float})


def close(got: tuple[StandardConsistency, ...], want: tuple[StandardConsistency, ...]) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        for name, value in vars(b).items():
            other = getattr(a, name)
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(other, value, rel_tol=1e-9, abs_tol=1e-9), (name, a, b)
            else:
                assert other == value, (name, a, b)


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
    written=st.lists(st.sampled_from(["B1", "B2", "B3", "B5"]), min_size=1, unique=True),
    data=st.data(),
)
def test_replacing_the_written_branches_rows_equals_adding_up_afresh(
    cells: pd.DataFrame, written: list[str], data: st.DataObject
) -> None:
    before = item_sums(cells)
    if before is None:
        return
    fresh = data.draw(item_cells(written))
    after = pd.concat([cells[~cells["branch_code"].isin(written)], fresh], ignore_index=True)
    got = with_branches_replaced(before, item_sums(fresh), written)
    held = set(before.group_keys.itertuples(index=False, name=None))
    counted = fresh[fresh["n"] > 0]
    new_item = any(
        (c, s) not in held
        for c, s in zip(counted["checklist_id"], counted["standard"], strict=True)
    )
    new_month = not set(counted["period"]) <= set(before.periods)
    if new_item or new_month:
        assert got is None  # added up afresh by the caller
        return
    want = item_sums(after)
    if want is None:  # nothing counted is left: no rows, as the caller finds no cell
        assert got is not None and not len(got.pair_group)
        return
    assert_same(got, want)
    for model in MODELS:
        request = ComparisonRequest(**model)  # type: ignore[arg-type]
        close(item_standards_of(request, got), item_standards(request, after))


def test_a_written_branch_s_new_month_is_refused() -> None:
    cells = pd.DataFrame(
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
    copy = replace(sums, count=sums.count.copy(), sums=sums.sums.copy())
    item_standards_of(ComparisonRequest(**model), sums)  # type: ignore[arg-type]
    assert_same(sums, copy)
