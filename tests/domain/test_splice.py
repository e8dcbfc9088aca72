"""Splicing branches read again into a selection's frames (``domain.compare.splice``, #21)
gives what concatenating and sorting the frames gives: the same rows, order, types and
categories, whichever branches are replaced, gone or new; and the versions used and the
latest version of each checklist equal ``versions.latest_versions``' and the services'."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.domain import compare
from audit_app.domain.compare import splice

CODES = ["A-1", "B-2", "C-3", "D-4", "É-5"]


@st.composite
def audit_frames(draw: st.DrawFn, first_id: int = 1) -> pd.DataFrame:
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CODES),
                st.sampled_from(["phone", "email"]),
                st.integers(1, 3),
                st.integers(0, 40),  # the day: ties on the visit are common
            ),
            max_size=25,
        )
    )
    frame = pd.DataFrame(
        {
            "audit_id": np.arange(first_id, first_id + len(rows), dtype=np.int64),
            "branch_code": pd.array([r[0] for r in rows], dtype="str"),
            "checklist_id": pd.array([r[1] for r in rows], dtype="str"),
            "checklist_version": np.array([r[2] for r in rows], dtype=np.int64),
            "visited_at": pd.to_datetime("2026-01-01")
            + pd.to_timedelta([r[3] for r in rows], unit="D"),
            "overall": np.linspace(0, 100, len(rows)),
        }
    )
    return frame.sort_values(["visited_at", "audit_id"], ignore_index=True)


@settings(max_examples=200, deadline=None)
@given(audit_frames(), audit_frames(first_id=1000), st.sets(st.sampled_from(CODES)))
def test_spliced_audits_equal_the_frames_concatenated_and_sorted(
    kept: pd.DataFrame, fresh: pd.DataFrame, branches: set[str]
) -> None:
    fresh = fresh[fresh["branch_code"].isin(branches)].reset_index(drop=True)
    got = splice.spliced_audits(kept, fresh if len(fresh) else None, branches)
    rest = kept[~kept["branch_code"].isin(branches)]
    want = pd.concat([rest, fresh], ignore_index=True).sort_values(
        ["visited_at", "audit_id"], ignore_index=True
    )
    pd.testing.assert_frame_equal(got, want.astype(kept.dtypes.to_dict()))


def cells_of(rows: list[tuple[str, str, str, str, int]]) -> pd.DataFrame:
    """Cells as ``month_cells`` gives them: a row per key, sorted, keys categorical."""
    frame = pd.DataFrame(rows, columns=[*splice.CELL_KEYS, "n"]).drop_duplicates(splice.CELL_KEYS)
    frame = frame.sort_values(splice.CELL_KEYS, ignore_index=True)
    for key in splice.CELL_KEYS:
        frame[key] = pd.Categorical(
            frame[key], categories=pd.Index(sorted(set(frame[key])), dtype="str")
        )
    n = frame["n"].to_numpy(dtype=np.int64)
    return frame.assign(n=n, sum=n * 50.0, sum_sq=n * 2500.0)


cell_rows = st.lists(
    st.tuples(
        st.sampled_from(CODES),
        st.sampled_from(["phone", "email"]),
        st.sampled_from(["s1", "s2", "s10"]),
        st.sampled_from(["2026-01", "2026-02", "2025-12"]),
        st.integers(1, 5),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(cell_rows, cell_rows, st.sets(st.sampled_from(CODES)))
def test_spliced_cells_equal_the_cells_of_the_rows_concatenated(
    kept_rows: list[tuple[str, str, str, str, int]],
    fresh_rows: list[tuple[str, str, str, str, int]],
    branches: set[str],
) -> None:
    kept_rows = kept_rows or [("A-1", "phone", "s1", "2026-01", 1)]
    kept = cells_of(kept_rows)
    fresh_rows = [row for row in fresh_rows if row[0] in branches]
    fresh = cells_of(fresh_rows) if fresh_rows else None
    got = splice.spliced_cells(kept, fresh, branches)
    staying = [row for row in kept.itertuples(index=False) if row.branch_code not in branches]
    want_rows = [
        (str(r.branch_code), str(r.checklist_id), str(r.standard), str(r.period), int(r.n))
        for r in staying
    ]
    if fresh is not None:
        want_rows += [
            (str(r.branch_code), str(r.checklist_id), str(r.standard), str(r.period), int(r.n))
            for r in fresh.itertuples(index=False)
        ]
    if not want_rows:
        assert got.empty
        return
    pd.testing.assert_frame_equal(got, cells_of(want_rows))


@settings(max_examples=200, deadline=None)
@given(audit_frames())
def test_the_versions_and_the_latest_equal_the_frames(audits: pd.DataFrame) -> None:
    used, latest = splice.versions_and_latest(audits)
    assert latest == compare.latest_versions(audits)
    pairs = audits[["checklist_id", "checklist_version"]].drop_duplicates()
    want: dict[str, set[int]] = {}
    for checklist_id, version in pairs.itertuples(index=False):
        want.setdefault(str(checklist_id), set()).add(int(version))
    assert used == {cid: tuple(sorted(v)) for cid, v in want.items()}
