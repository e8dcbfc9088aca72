"""Repeat failures (issue #7, point 3): an item failed at the same branch in two or more
consecutive audits of the same checklist.

"Consecutive" counts the branch's audits of that checklist in visit order; any audit in
which the item did not fail (passed, answered N/A, or not asked by that version) ends the
run. "Failed" is what the checklist's action policy says opens a corrective action (issue
#19: a tone of 4 of 5 is not a failure). Pure pandas, vectorised, so a whole chain's answers
are worked through at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from audit_app.domain.actions import action_threshold
from audit_app.domain.checklist import Checklist

AUDIT_COLUMNS = ["audit_id", "branch_code", "checklist_id", "visited_at"]
ITEM_COLUMNS = ["audit_id", "item_id", "score"]
REPEAT_COLUMNS = ["branch_code", "checklist_id", "item_id", "consecutive", "last_failed"]
"""One row per branch x checklist x item that failed twice or more running: the longest
run (``consecutive``) and the visit that ended it (``last_failed``)."""
BRANCH_COLUMNS = ["branch_code", "items", "longest", "worst_item", "last_failed"]
THRESHOLD_COLUMNS = ["checklist_id", "checklist_version", "item_id", "threshold"]
"""Per checklist version and item: the score below which it fails (see
:func:`audit_app.domain.actions.action_threshold`)."""

MIN_RUN = 2


def policy_thresholds(checklists: Iterable[Checklist]) -> pd.DataFrame:
    """:data:`THRESHOLD_COLUMNS` for every item of the given checklist versions."""
    return pd.DataFrame(
        [
            (checklist.id, checklist.version, item.id, action_threshold(checklist.policy, item))
            for checklist in checklists
            for item in checklist.items
        ],
        columns=THRESHOLD_COLUMNS,
    )


def failing(
    audits: pd.DataFrame, items: pd.DataFrame, thresholds: pd.DataFrame | None
) -> pd.Series:
    """Which item rows fail: below their policy threshold, or (no thresholds given, or an
    item of a version not among them) below full marks."""
    codes, keys = coded_items(items)
    return pd.Series(_failing(audits, items, thresholds, codes, keys), index=items.index)


def _failing(
    audits: pd.DataFrame,
    items: pd.DataFrame,
    thresholds: pd.DataFrame | None,
    item_codes: np.ndarray,
    item_keys: pd.Index | np.ndarray,
) -> np.ndarray:
    """:func:`failing` as an array, the item ids given as codes (``pd.factorize``). Only
    the rows below full marks are looked up, by integer codes: merging a whole chain's
    millions of answers on text keys took seconds."""
    scores = items["score"].to_numpy(dtype=float)
    failed = scores < 1  # NaN (N/A) is never below
    if thresholds is None or not failed.any():
        return failed
    at = np.flatnonzero(failed)
    version_codes, version_keys = pair_codes(audits["checklist_id"], audits["checklist_version"])
    audit_row = pd.Index(audits["audit_id"]).get_indexer(items["audit_id"].to_numpy()[at])
    limits = np.ones((len(version_keys) + 1, len(item_keys) + 1))  # last: unknown, full marks
    version_of = dict(zip(version_keys, range(len(version_keys)), strict=True))
    known_item = pd.Index(item_keys).get_indexer(thresholds["item_id"])
    for checklist_id, version, item, limit in zip(
        thresholds["checklist_id"],
        thresholds["checklist_version"],
        known_item,
        thresholds["threshold"].to_numpy(dtype=float),
        strict=True,
    ):
        row = version_of.get((checklist_id, version))
        if row is not None and item >= 0:
            limits[row, item] = limit
    row_version = np.where(audit_row >= 0, version_codes[audit_row], len(version_keys))
    failed[at] = scores[at] < limits[row_version, item_codes[at]]
    return failed


def coded_items(items: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Each row's item as a code, and the items as text (``item_id`` may be categorical)."""
    codes, found = pd.factorize(items["item_id"])
    return codes, pd.Index([str(item) for item in found], dtype="str")


def pair_codes(first: pd.Series, second: pd.Series) -> tuple[np.ndarray, list[tuple[Any, Any]]]:
    """``pd.factorize`` of the rows' (first, second) pairs, without a tuple per row (a
    ``MultiIndex`` of a ten-times year's audits took 0.3 s to factorize): each row's code and
    the distinct pairs, in the order they first appear. Neither column holds a missing value."""
    a, a_keys = pd.factorize(first)
    b, b_keys = pd.factorize(second)
    codes, found = pd.factorize(a.astype(np.int64) * len(b_keys) + b)
    firsts, seconds = a_keys.tolist(), b_keys.tolist()
    pairs = [(firsts[p // len(seconds)], seconds[p % len(seconds)]) for p in found.tolist()]
    return codes, pairs


def repeated_failures(
    audits: pd.DataFrame, items: pd.DataFrame, thresholds: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Items failed in ``MIN_RUN`` or more consecutive audits, longest run first.

    ``audits``: :data:`AUDIT_COLUMNS` (with ``checklist_version`` when ``thresholds`` are
    given), one row per audit (follow-ups left out by the caller); ``items``:
    :data:`ITEM_COLUMNS`, the item scores 0-1 (NaN for N/A); ``thresholds``:
    :func:`policy_thresholds` of the checklists (None: any score below 1 fails).

    Worked on integer codes and one sort key (series x item x position), never on text
    keys: a chain's 24 million answers took half a minute grouped and merged on text.
    """
    if audits.empty or items.empty:
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    ordered = audits[AUDIT_COLUMNS].sort_values(["visited_at", "audit_id"])
    # a series: one branch's audits of one checklist, in visit order (``position``)
    series_codes, series_keys = pair_codes(ordered["branch_code"], ordered["checklist_id"])
    positions = pd.Series(series_codes).groupby(series_codes).cumcount().to_numpy(np.int64)
    codes_of_items, item_keys = coded_items(items)
    at = np.flatnonzero(_failing(audits, items, thresholds, codes_of_items, item_keys))
    row = pd.Index(ordered["audit_id"]).get_indexer(items["audit_id"].to_numpy()[at])
    known = row >= 0
    at, row = at[known], row[known]
    if not len(at):
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    width = len(item_keys)
    most = int(positions.max()) + 1
    group = series_codes[row].astype(np.int64) * width + codes_of_items[at]
    key = group * most + positions[row]  # one failed answer each: no two alike
    order = np.argsort(key)
    key, row = key[order], row[order]
    group, position = key // most, key % most
    new_group = np.r_[True, group[1:] != group[:-1]]
    starts = np.flatnonzero(new_group | np.r_[True, np.diff(position) != 1])  # a skip ends a run
    ends = np.r_[starts[1:], len(key)] - 1
    length = ends - starts + 1
    runs = np.flatnonzero(length >= MIN_RUN)
    if not len(runs):
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    starts, ends, length = starts[runs], ends[runs], length[runs]
    visited = ordered["visited_at"].to_numpy()[row[ends]]
    # the longest run of each item; of equal ones the latest (visits end a run in order)
    best = np.lexsort((visited, length, group[starts]))
    chosen = group[starts][best]
    last = best[np.r_[chosen[1:] != chosen[:-1], True]]
    series = [series_keys[code] for code in (group[starts[last]] // width).tolist()]
    longest = pd.DataFrame(
        {
            "branch_code": [branch for branch, _checklist in series],
            "checklist_id": [checklist for _branch, checklist in series],
            "item_id": pd.Index(item_keys)[group[starts[last]] % width],
            "consecutive": length[last].astype(np.int64),
            "last_failed": visited[last],
        }
    )
    return longest.sort_values(
        ["consecutive", "last_failed", "branch_code", "checklist_id", "item_id"],
        ascending=[False, False, True, True, True],
    ).reset_index(drop=True)[REPEAT_COLUMNS]


def branches_with_repeats(repeats: pd.DataFrame) -> pd.DataFrame:
    """One row per branch: how many items repeat, the longest run and its item; the branches
    with the most repeated items first (a report shows the top of this)."""
    if repeats.empty:
        return pd.DataFrame(columns=BRANCH_COLUMNS)
    ranked = repeats.sort_values(["consecutive", "last_failed"], ascending=[False, False])
    first = ranked.groupby("branch_code", sort=False).head(1).set_index("branch_code")
    summary = pd.DataFrame(
        {
            "items": repeats.groupby("branch_code").size(),
            "longest": first["consecutive"],
            "worst_item": first["checklist_id"] + " / " + first["item_id"],
            "last_failed": repeats.groupby("branch_code")["last_failed"].max(),
        }
    ).reset_index(names="branch_code")
    return summary.sort_values(
        ["items", "longest", "branch_code"], ascending=[False, False, True]
    ).reset_index(drop=True)[BRANCH_COLUMNS]
