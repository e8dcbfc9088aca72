"""Cells added up per group x branch and period: all a grouped period fit
(:func:`periods.fit_pair_sums`) reads of them, kept so that a visit entered costs only its
branch's rows (#21).

A ten-times history's items are eleven million cells (60 items x 5,000 branches x 36
months); added up per item x branch they are 300,000 rows of 36 periods, and the fit reads
nothing else. Kept per selection, a visit entered replaces its branch's 60 rows
(:func:`with_branches_replaced`) instead of splicing eleven million cells and coding them
again (0.5 s and 0.5 s). Quarters and the model without period effects add up the month
columns (:func:`in_quarters`, :func:`collapsed`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from audit_app.domain.compare.codes import dense_codes, sorted_codes
from audit_app.domain.shared_arrays import read_only


@dataclass(frozen=True)
class PairSums:
    """Cells added up per group x branch (a row each, the groups contiguous and each
    group's branches in code order) and period (a column each): all a grouped fit reads
    of its cells, and a tenth of their size. Kept, it is brought up to date by replacing
    the rows of the branches written (:func:`with_branches_replaced`)."""

    group_keys: pd.DataFrame
    """Row g: group g's key columns, in sorted key order."""
    branch_labels: np.ndarray
    """The branch codes (text, sorted) that :attr:`pair_branch` indexes."""
    periods: np.ndarray
    """The period labels (sorted) that the columns stand for; a last column for cells
    without a period, when there were any, labelled None."""
    pair_group: np.ndarray
    pair_branch: np.ndarray
    count: np.ndarray
    """Audits per row x period."""
    sums: np.ndarray
    sum_sq: np.ndarray
    """Per row x period, as :attr:`count`: so that a part of the periods can be taken
    (:func:`within`)."""

    def __post_init__(self) -> None:
        # Kept and shared by every session, and parts of them are views (:func:`within`):
        # a write in place would change every page's figures, so it raises instead.
        read_only(
            self.branch_labels,
            self.periods,
            self.pair_group,
            self.pair_branch,
            self.count,
            self.sums,
            self.sum_sq,
        )

    @property
    def nbytes(self) -> int:
        """What keeping them costs: the arrays, and the labels as Python text."""
        arrays = (self.pair_group, self.pair_branch, self.count, self.sums, self.sum_sq)
        labels = len(self.branch_labels) + len(self.periods) + self.group_keys.size
        return int(sum(a.nbytes for a in arrays)) + 64 * labels


def pair_sums(cells: pd.DataFrame, keys: list[str]) -> PairSums:
    """The cells (the key columns and :data:`PERIOD_CELL_COLUMNS`) added up per group of
    ``keys`` x branch and period; cells without audits left out."""
    counted = cells["n"].to_numpy() > 0
    if not counted.all():
        cells = cells[counted]
    group_codes, group_keys = _factorize_keys(cells, keys)
    branch_codes, branch_labels = sorted_codes(cells["branch_code"])
    period_codes, period_labels = sorted_codes(cells["period"])
    periods = max(len(period_labels), 1)
    labels: list[Any] = list(period_labels)
    if len(period_codes) and period_codes.min() < 0:  # a missing label: one more period
        period_codes = np.where(period_codes < 0, len(period_labels), period_codes)
        periods = len(period_labels) + 1
        labels.append(None)
    branches = max(len(branch_labels), 1)
    pair_key = group_codes.astype(np.int64) * branches + branch_codes
    pair_keys, pair_codes = dense_codes(pair_key, len(group_keys) * branches)
    pairs = len(pair_keys)
    n = cells["n"].to_numpy(dtype=float)
    flat = pair_codes.astype(np.int64) * periods + period_codes
    count = np.bincount(flat, weights=n, minlength=pairs * periods).reshape(pairs, periods)
    sums = np.bincount(flat, weights=cells["sum"].to_numpy(dtype=float), minlength=pairs * periods)
    squares = np.bincount(
        flat, weights=cells["sum_sq"].to_numpy(dtype=float), minlength=pairs * periods
    )
    return PairSums(
        group_keys=group_keys.reset_index(drop=True),
        branch_labels=np.asarray(_text_labels(branch_labels), dtype=object),
        periods=np.asarray(labels if labels else [None], dtype=object),
        pair_group=pair_keys // branches,
        pair_branch=pair_keys % branches,
        count=count,
        sums=sums.reshape(pairs, periods),
        sum_sq=squares.reshape(pairs, periods),
    )


@dataclass(frozen=True)
class KeyedSums:
    """One checklist's item figures per key (a branch and month) x item, dense: what the
    item-score vectors of its audits add up to before they are cut into cells (a
    ten-times history's 180,000 keys x 60 items, eleven million cells)."""

    checklist_id: str
    items: np.ndarray
    """The item ids (text) the columns stand for."""
    branch: np.ndarray
    """Per key, the branch code (text)."""
    period: np.ndarray
    """Per key, the month label ('YYYY-MM'); keys are distinct (branch, period) pairs."""
    count: np.ndarray
    """Per key x item: the scored answers; a key x item without one has no sums."""
    sums: np.ndarray
    sum_sq: np.ndarray


def pair_sums_of(parts: Sequence[KeyedSums], scale: float = 1.0) -> PairSums | None:
    """What :func:`pair_sums` of the parts' cells (one per key x item with a count, keyed
    by checklist and item; sums x ``scale``, squares x ``scale``²) gives, added up without
    making the cells: each checklist's figures are scattered into a dense block of its own
    branches and periods x its items, whose item x branch rows with a count are the pairs.
    None when nothing is counted. Versions of one checklist are added up one after the
    other, so three or more may differ from the cells' compensated sum in the last bit.

    A ten-times history's item sums took 3.4 s through eleven million cells coded as text
    and 1.0 s adding them up again (#21)."""
    counted = [part for part in map(_counted_part, parts) if part is not None]
    if not counted:
        return None
    branch_codes, branch_labels = sorted_codes(np.concatenate([p.branch for p in counted]))
    period_codes, period_labels = sorted_codes(np.concatenate([p.period for p in counted]))
    labels: list[Any] = list(period_labels)
    if period_codes.min() < 0:  # a missing label: one more period
        period_codes = np.where(period_codes < 0, len(period_labels), period_codes)
        labels.append(None)
    bounds = np.cumsum([0, *(len(p.branch) for p in counted)])
    groups: list[tuple[str, str]] = []
    rows: list[tuple[np.ndarray, ...]] = []
    for checklist_id in sorted({p.checklist_id for p in counted}):
        mine = [i for i, p in enumerate(counted) if p.checklist_id == checklist_id]
        items = sorted({str(item) for i in mine for item in counted[i].items})
        column_of = {item: g for g, item in enumerate(items)}
        keys = np.concatenate([np.arange(bounds[i], bounds[i + 1]) for i in mine])
        # the checklist's own branches and periods: a checklist used by a few branches
        # does not pay for the whole chain's grid
        own_branches, branch_at = np.unique(branch_codes[keys], return_inverse=True)
        own_periods, period_at = np.unique(period_codes[keys], return_inverse=True)
        branches, periods = len(own_branches), len(own_periods)
        # (branch, period) x item, each key's row added whole: scattering by rows is
        # several times faster than by cells
        block = np.zeros((3, branches * periods, len(items)))
        start = 0
        for i in mine:
            part = counted[i]
            end = start + len(part.branch)
            at = branch_at[start:end] * periods + period_at[start:end]
            first = start == 0  # its keys are distinct: set, not added (three times faster)
            start = end
            columns = np.array([column_of[str(item)] for item in part.items], dtype=np.int64)
            whole = len(columns) == len(items) and bool((columns == np.arange(len(items))).all())
            for figure, values in enumerate((part.count, part.sums, part.sum_sq)):
                if whole and first:
                    block[figure][at] = values
                elif whole:
                    block[figure][at] += values
                else:
                    block[figure][at[:, None], columns[None, :]] += values
        if scale != 1.0:  # once added up, as the cells are scaled after their versions
            block[1] *= scale
            block[2] *= scale**2
        # item x branch rows, period columns
        shaped = _item_major(block, branches, periods, len(items))
        del block
        pairs = np.flatnonzero(shaped[0].sum(axis=1) > 0)
        kept = shaped if len(pairs) == len(shaped[0]) else shaped[:, pairs]  # mostly all
        if periods < len(labels):  # the checklist's periods among every period's columns
            wide = np.zeros((3, len(pairs), len(labels)))
            wide[:, :, own_periods] = kept
            kept = wide
        rows.append(
            (
                pairs // branches + len(groups),
                own_branches[pairs % branches],
                *(np.ascontiguousarray(figure) for figure in kept),
            )
        )
        groups.extend((checklist_id, item) for item in items)
    pair_group, pair_branch, count, sums, sum_sq = (
        c[0] if len(c) == 1 else np.concatenate(c) for c in zip(*rows, strict=True)
    )
    return PairSums(
        group_keys=pd.DataFrame(
            {
                "checklist_id": np.asarray([g[0] for g in groups], dtype=object),
                "standard": np.asarray([g[1] for g in groups], dtype=object),
            }
        ),
        branch_labels=np.asarray([str(label) for label in branch_labels], dtype=object),
        periods=np.asarray(labels, dtype=object),
        pair_group=pair_group.astype(np.int64),
        pair_branch=pair_branch.astype(np.int64),
        count=count,
        sums=sums,
        sum_sq=sum_sq,
    )


def _item_major(block: np.ndarray, branches: int, periods: int, items: int) -> np.ndarray:
    """Figures x (branch, period) rows x item columns turned into figures x (item, branch)
    rows x period columns, a few branches at a time: each step's source and target stay in
    the processor's cache, ten times faster than one transposing copy (0.75 s for a
    ten-times history's 260 MB, #21)."""
    shaped = np.empty((3, items, branches, periods))
    step = 64
    for figure in range(3):
        source = block[figure].reshape(branches, periods, items)
        for first in range(0, branches, step):
            shaped[figure, :, first : first + step] = source[first : first + step].transpose(
                2, 0, 1
            )
    return shaped.reshape(3, items * branches, periods)


def _counted_part(part: KeyedSums) -> KeyedSums | None:
    """The part's keys and items with a count; None when it has none."""
    counted = part.count > 0
    keys, items = counted.any(axis=1), counted.any(axis=0)
    if not keys.any():
        return None
    if keys.all() and items.all():
        return part
    where = np.ix_(keys, items)
    return replace(
        part,
        items=np.asarray(part.items)[items],
        branch=np.asarray(part.branch)[keys],
        period=np.asarray(part.period)[keys],
        count=part.count[where],
        sums=part.sums[where],
        sum_sq=part.sum_sq[where],
    )


def _text_labels(labels: Any) -> pd.Index:
    """Factorized labels as a text index (a categorical's categories taken by its codes):
    taken per row without making a Python string of each (300,000 rows of a ten-times
    year's items)."""
    index = pd.Index(labels)
    if isinstance(index, pd.CategoricalIndex):
        index = index.categories.take(index.codes)
    return index.astype("str")


def _factorize_keys(cells: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group codes in sorted key order and the frame of distinct keys (row g = group g)."""
    codes = np.zeros(len(cells), dtype=np.int64)
    uniques: list[np.ndarray] = []
    for key in keys:
        column_codes, labels = sorted_codes(cells[key])
        codes = codes * max(len(labels), 1) + column_codes
        uniques.append(np.asarray(labels))
    size = int(np.prod([max(len(labels), 1) for labels in uniques]))
    combined, group_codes = dense_codes(codes, size)
    frame = {}
    for key, labels in reversed(list(zip(keys, uniques, strict=True))):
        frame[key] = labels[combined % max(len(labels), 1)] if len(labels) else labels
        combined = combined // max(len(labels), 1)
    return group_codes, pd.DataFrame({key: frame[key] for key in keys})


def with_branches_replaced(
    sums: PairSums, fresh: PairSums | None, branches: Collection[str]
) -> PairSums | None:
    """``sums`` with the rows of ``branches`` replaced by ``fresh``'s (:func:`pair_sums` of
    those branches' cells alone, read after they were written; None: they have none now):
    what :func:`pair_sums` of every cell, those branches' replaced, gives. None when
    ``fresh`` holds a group or period ``sums`` does not: it is added up afresh then."""
    if fresh is not None and not _members(fresh.branch_labels, branches).all():
        raise ValueError("fresh sums hold a branch that was not written")
    gone = _members(sums.branch_labels, branches)
    staying = ~gone[sums.pair_branch]
    groups, labels = [sums.pair_group[staying]], [sums.branch_labels[sums.pair_branch[staying]]]
    counts, totals, squares = [sums.count[staying]], [sums.sums[staying]], [sums.sum_sq[staying]]
    if fresh is not None and len(fresh.pair_group):
        if list(fresh.group_keys.columns) != list(sums.group_keys.columns):
            return None
        group_of = pd.MultiIndex.from_frame(sums.group_keys).get_indexer(
            pd.MultiIndex.from_frame(fresh.group_keys)
        )
        column_of = {label: i for i, label in enumerate(sums.periods) if label is not None}
        columns = np.array([column_of.get(label, -1) for label in fresh.periods])
        if (group_of < 0).any() or (columns < 0).any():
            return None
        width = len(sums.periods)
        count = np.zeros((len(fresh.pair_group), width))
        total, square = np.zeros_like(count), np.zeros_like(count)
        count[:, columns], total[:, columns] = fresh.count, fresh.sums
        square[:, columns] = fresh.sum_sq
        groups.append(group_of[fresh.pair_group])
        labels.append(fresh.branch_labels[fresh.pair_branch])
        counts.append(count)
        totals.append(total)
        squares.append(square)
    group = np.concatenate(groups)
    branch_codes, branch_labels = sorted_codes(np.concatenate(labels))
    order = np.lexsort((branch_codes, group))
    used_groups, group = np.unique(group[order], return_inverse=True)
    count, total = np.concatenate(counts)[order], np.concatenate(totals)[order]
    square = np.concatenate(squares)[order]
    present = count.sum(axis=0) > 0
    if not present.any():  # nothing counted at all: one empty period, as pair_sums gives
        present[:1] = True
    return PairSums(
        group_keys=sums.group_keys.iloc[used_groups].reset_index(drop=True),
        branch_labels=np.asarray(branch_labels, dtype=object),
        periods=sums.periods[present],
        pair_group=group.astype(np.int64),
        pair_branch=branch_codes[order],
        count=np.ascontiguousarray(count[:, present]),
        sums=np.ascontiguousarray(total[:, present]),
        sum_sq=np.ascontiguousarray(square[:, present]),
    )


def _members(labels: np.ndarray, wanted: Collection[str]) -> np.ndarray:
    """Which labels are wanted: looked up in a set (``np.isin`` sorts text arrays, 0.27 s
    for 5,000 branch codes)."""
    chosen = wanted if isinstance(wanted, set | frozenset) else set(wanted)
    return np.fromiter((label in chosen for label in labels), dtype=bool, count=len(labels))


def within(
    sums: PairSums,
    branches: Collection[str] | None = None,
    months: tuple[str | None, str | None] | None = None,
    checklists: Collection[str] | None = None,
) -> PairSums | None:
    """What :func:`pair_sums` of the cells of ``branches`` (None: all) in the months from
    ``months[0]`` to ``months[1]`` (labels as the periods', either end None: open; None:
    every period, with or without one) of ``checklists`` (None: all; the groups are keyed by
    ``checklist_id``) gives; None when nothing counted is left. A part of a kept
    selection's sums, for a selection inside it (an area, a quarter, one checklist) without
    reading its cells (#21)."""
    rows = np.ones(len(sums.pair_group), dtype=bool)
    if branches is not None:
        rows = _members(sums.branch_labels, branches)[sums.pair_branch]
    if checklists is not None:
        if "checklist_id" not in sums.group_keys.columns:
            raise ValueError("these sums are not keyed by checklist")
        chosen = _members(sums.group_keys["checklist_id"].astype(str).to_numpy(), checklists)
        rows = rows & chosen[sums.pair_group]
    columns = np.arange(len(sums.periods))
    if months is not None:
        first, last = months
        columns = np.array(
            [
                i
                for i, label in enumerate(sums.periods)
                if label is not None
                and (first is None or label >= first)
                and (last is None or label <= last)
            ],
            dtype=np.int64,
        )
    taken = np.flatnonzero(rows)
    count = sums.count[_at(_as_slice(taken), _as_slice(columns))]
    counted = count.sum(axis=1) > 0
    if not counted.all():
        taken, count = taken[counted], count[counted]
    present = count.sum(axis=0) > 0
    if not present.any():
        return None
    columns = columns[present]
    where = _at(_as_slice(taken), _as_slice(columns))
    used_groups, group = np.unique(sums.pair_group[taken], return_inverse=True)
    used_branches, branch = np.unique(sums.pair_branch[taken], return_inverse=True)
    return PairSums(
        group_keys=sums.group_keys.iloc[used_groups].reset_index(drop=True),
        branch_labels=sums.branch_labels[used_branches],
        periods=sums.periods[columns],
        pair_group=group.astype(np.int64),
        pair_branch=branch.astype(np.int64),
        count=np.ascontiguousarray(count if present.all() else count[:, present]),
        sums=np.ascontiguousarray(sums.sums[where]),
        sum_sq=np.ascontiguousarray(sums.sum_sq[where]),
    )


def _at(rows: slice | np.ndarray, columns: slice | np.ndarray) -> Any:
    """The index of ``rows`` x ``columns`` of a 2-d array."""
    if isinstance(rows, slice) or isinstance(columns, slice):
        return rows, columns
    return np.ix_(rows, columns)


def _as_slice(positions: np.ndarray) -> slice | np.ndarray:
    """Positions as a slice when they run on one by one (taking or adding a slice copies
    nothing and checks no index: a tenth of the time over 300,000 rows), else as they are."""
    runs_on = (
        len(positions) > 0
        and positions[-1] - positions[0] == len(positions) - 1
        and bool((np.diff(positions) == 1).all())
    )
    return slice(int(positions[0]), int(positions[-1]) + 1) if runs_on else positions


def in_quarters(sums: PairSums) -> PairSums:
    """Month columns ('2026-03') added up into quarters ('2026Q1'), in order; a column
    without a period stays one."""
    months = [label for label in sums.periods if label is not None]
    quarters = pd.PeriodIndex(months, freq="M").asfreq("Q").astype(str).tolist()
    labels = sorted(set(quarters))
    column_of = {label: i for i, label in enumerate(labels)}
    missing = None in list(sums.periods)  # its column is the last
    target = [column_of[q] for q in quarters] + ([len(labels)] if missing else [])
    width = len(labels) + (1 if missing else 0)
    count = np.zeros((len(sums.pair_group), width))
    total, square = np.zeros_like(count), np.zeros_like(count)
    for source, column in enumerate(target):
        count[:, column] += sums.count[:, source]
        total[:, column] += sums.sums[:, source]
        square[:, column] += sums.sum_sq[:, source]
    periods: list[Any] = [*labels, *([None] if missing else [])]
    return replace(
        sums, periods=np.asarray(periods, dtype=object), count=count, sums=total, sum_sq=square
    )


def collapsed(sums: PairSums) -> PairSums:
    """Every period added up into one: the model without period effects."""
    return replace(
        sums,
        periods=np.asarray([""], dtype=object),
        count=sums.count.sum(axis=1, keepdims=True),
        sums=sums.sums.sum(axis=1, keepdims=True),
        sum_sq=sums.sum_sq.sum(axis=1, keepdims=True),
    )
