"""A selection's frames with some branches' rows replaced by the same branches read again.

Every frame a comparison reads for a selection is made of per-branch rows: the audits, their
branch-month totals and their section cells. When a few branches' audits are written, those
branches read again and spliced in give the frames a full read would give, in the same order
and with the same types (``services.selections.patched``): at month end head office's
selection would otherwise be read whole again after every submission (#21).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

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
    parts = [rest] if fresh is None or fresh.empty else [rest, fresh[list(kept.columns)]]
    keys = {key: _recoded([part[key] for part in parts]) for key in CELL_KEYS}
    combined = np.zeros(sum(len(part) for part in parts), dtype=np.int64)
    for key in CELL_KEYS:  # both parts are sorted: a stable sort merges two runs
        combined = combined * max(len(keys[key].categories), 1) + keys[key].codes
    order = np.argsort(combined, kind="stable")
    out: dict[str, object] = {key: _taken(keys[key], order) for key in CELL_KEYS}
    for column in kept.columns:
        if column not in keys:
            values = np.concatenate([part[column].to_numpy() for part in parts])
            out[column] = values[order]
    return pd.DataFrame(out)[list(kept.columns)]


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
