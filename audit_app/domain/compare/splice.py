"""A selection's frames with some branches' rows replaced by the same branches read again.

Every frame a comparison reads for a selection is made of per-branch rows: the audits, their
branch-month totals and their section cells. When a few branches' audits are written, those
branches read again and spliced in give the frames a full read would give, in the same order
and with the same types (``services.selections.patched``): at month end head office's
selection would otherwise be read whole again after every submission (#21).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

AUDIT_ORDER = ["visited_at", "audit_id"]
"""The audit frame's order (``storage.compare_queries.audit_frame``): by visit, then id."""
MONTH_ORDER = ["branch_code", "period"]
"""The branch-month totals' order (``domain.compare.totals``): by branch code and month."""
CELL_KEYS = ["branch_code", "checklist_id", "standard", "period"]
"""The cells' keys, each a categorical of its sorted values (``comparison.month_cells``),
and their order."""


def spliced_audits(
    kept: pd.DataFrame, fresh: pd.DataFrame | None, branches: Collection[str]
) -> pd.DataFrame:
    """``kept`` without the rows of ``branches``, with ``fresh`` (those branches read again,
    or None when none of their audits is left) in their visit order. The rows are ordered
    on their keys and taken once (each of the frame's text columns taken again per step
    was most of the time)."""
    staying = np.flatnonzero(~_gone(kept, branches))
    if fresh is None or fresh.empty:
        return kept.take(staying).reset_index(drop=True)
    joined = pd.concat([kept, fresh[list(kept.columns)]], ignore_index=True)
    rows = np.concatenate([staying, len(kept) + np.arange(len(fresh))])
    visited = joined["visited_at"].to_numpy()[rows]
    ids = joined["audit_id"].to_numpy()[rows]
    return joined.take(rows[np.lexsort((ids, visited))]).reset_index(drop=True)


def spliced_months(
    kept: pd.DataFrame, fresh: pd.DataFrame | None, branches: Collection[str]
) -> pd.DataFrame:
    """The branch-month totals of ``kept`` with ``branches``' replaced by ``fresh``'s."""
    rest = kept[~_gone(kept, branches)]
    if fresh is None or fresh.empty:
        return rest.reset_index(drop=True)
    joined = pd.concat([rest, fresh[list(kept.columns)]], ignore_index=True)
    return joined.sort_values(MONTH_ORDER, kind="stable", ignore_index=True)


def spliced_cells(
    kept: pd.DataFrame, fresh: pd.DataFrame | None, branches: Collection[str]
) -> pd.DataFrame:
    """The cells of ``kept`` with ``branches``' replaced by ``fresh``'s; every key a
    categorical of the values present, sorted, and the rows in the keys' order."""
    rest = kept[~_gone(kept, branches)]
    return joined_cells([rest] if fresh is None or fresh.empty else [rest, fresh])


def joined_cells(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Cells of other branches or months than each other's (each part in the keys' order) as
    one frame: every key a categorical of the values present, sorted, and the rows in the
    keys' order."""
    columns = list(parts[0].columns)
    parts = [part[columns] for part in parts]
    keys = {key: _recoded([part[key] for part in parts]) for key in CELL_KEYS}
    combined = np.zeros(sum(len(part) for part in parts), dtype=np.int64)
    for key in CELL_KEYS:  # each part is sorted: a stable sort merges their runs
        combined = combined * max(len(keys[key].categories), 1) + keys[key].codes
    order = np.argsort(combined, kind="stable")
    out: dict[str, object] = {key: _taken(keys[key], order) for key in CELL_KEYS}
    for column in columns:
        if column not in keys:
            values = np.concatenate([part[column].to_numpy() for part in parts])
            out[column] = values[order]
    return pd.DataFrame(out)[columns]


def visited_between(audits: pd.DataFrame, first: date | None, last: date | None) -> pd.DataFrame:
    """The rows of an audit frame (or any frame in visit order) visited from ``first`` to
    ``last``, both days included (None: open), as a database read of those days selects
    them: a slice, since the rows are in visit order."""
    visited = audits["visited_at"].to_numpy()
    start, end = 0, len(audits)
    if first is not None:
        start = int(np.searchsorted(visited, _midnight(first), side="left"))
    if last is not None:
        end = int(np.searchsorted(visited, _midnight(last + timedelta(days=1)), side="left"))
    return audits.iloc[start:end].reset_index(drop=True)


def _midnight(day: date) -> np.datetime64:
    return np.datetime64(datetime.combine(day, time.min))


def in_months(frame: pd.DataFrame, first: str | None, last: str | None) -> pd.DataFrame:
    """The rows of branch-month totals or cells whose period ('2026-03', text or a
    categorical) lies from ``first`` to ``last`` (None: open)."""
    periods = frame["period"]
    if isinstance(periods.dtype, pd.CategoricalDtype):  # judged once per category
        labels = periods.cat.categories.astype(str)
        keep = _between(np.asarray(labels, dtype=object), first, last)
        codes = periods.cat.codes.to_numpy()
        rows = np.where(codes >= 0, keep[np.maximum(codes, 0)], False)
    else:
        rows = _between(np.asarray(periods.astype(str), dtype=object), first, last)
    return frame[rows].reset_index(drop=True)


def _between(labels: np.ndarray, first: str | None, last: str | None) -> np.ndarray:
    keep = np.ones(len(labels), dtype=bool)
    if first is not None:
        keep &= labels >= first
    if last is not None:
        keep &= labels <= last
    return keep


def joined_audits(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Audit frames (or dropped audits) of consecutive spans of days, earliest first, as one
    frame in visit order."""
    columns = list(parts[0].columns)
    return pd.concat([part[columns] for part in parts], ignore_index=True)


def joined_months(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Branch-month totals of other months than each other's, in their order."""
    columns = list(parts[0].columns)
    joined = pd.concat([part[columns] for part in parts], ignore_index=True)
    return joined.sort_values(MONTH_ORDER, kind="stable", ignore_index=True)


def versions_and_latest(audits: pd.DataFrame) -> tuple[dict[str, tuple[int, ...]], dict[str, int]]:
    """Checklist id -> the versions its audits were scored with, and -> the version of its
    latest audit (``versions.latest_versions``' rule: the latest visit, a tie to the higher
    number); in numpy on the checklists' codes (the whole history is 390,000 audits)."""
    if audits.empty:
        return {}, {}
    codes, checklists = pd.factorize(audits["checklist_id"], sort=True)
    versions = audits["checklist_version"].to_numpy(dtype=np.int64)
    visited = audits["visited_at"].to_numpy().astype(np.int64)
    used: dict[str, tuple[int, ...]] = {}
    latest: dict[str, int] = {}
    for code, checklist_id in enumerate(checklists.tolist()):
        mine = codes == code
        own = versions[mine]
        when = visited[mine]
        used[str(checklist_id)] = tuple(int(v) for v in np.unique(own).tolist())
        latest[str(checklist_id)] = int(own[when == when.max()].max())
    return used, latest


def _gone(frame: pd.DataFrame, branches: Collection[str]) -> np.ndarray:
    """Whether each row is of one of ``branches``."""
    codes = frame["branch_code"]
    if isinstance(codes.dtype, pd.CategoricalDtype):  # looked up once per category
        gone = np.asarray(codes.cat.categories.isin(list(branches)))
        return np.asarray(gone[codes.cat.codes.to_numpy()], dtype=bool)
    return np.asarray(codes.isin(list(branches)).to_numpy(), dtype=bool)


def _recoded(columns: Sequence[pd.Series]) -> pd.Categorical:
    """The columns' values end to end, as a categorical of the values present, sorted:
    categorical columns' categories merged, never a text per row (two million cells)."""
    columns = [
        column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
        for column in columns
    ]
    merged = pd.Index(
        sorted({str(v) for column in columns for v in column.cat.categories.tolist()}),
        dtype="str",
    )
    codes = np.concatenate(
        [
            merged.get_indexer(column.cat.categories.astype(str))[column.cat.codes.to_numpy()]
            for column in columns
        ]
    )
    used = np.flatnonzero(np.bincount(codes, minlength=len(merged)))
    renumbered = np.full(len(merged), -1, dtype=np.int64)
    renumbered[used] = np.arange(len(used))
    return pd.Categorical.from_codes(renumbered[codes], categories=merged[used])


def _taken(values: pd.Categorical, rows: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(values.codes[rows], categories=values.categories)
