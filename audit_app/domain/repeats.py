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
    item of a version not among them) below full marks.

    Only the rows below full marks are looked up, by integer codes (a whole chain's
    millions of answers: merging them on text keys took seconds)."""
    scores = items["score"].to_numpy(dtype=float)
    below = scores < 1  # NaN (N/A) is never below
    if thresholds is None or not below.any():
        return pd.Series(below, index=items.index)
    at = np.flatnonzero(below)
    versions = pd.MultiIndex.from_frame(audits[["checklist_id", "checklist_version"]])
    version_codes, version_keys = pd.factorize(versions)
    audit_row = pd.Index(audits["audit_id"]).get_indexer(items["audit_id"].to_numpy()[at])
    item_codes, item_keys = pd.factorize(items["item_id"].take(at))
    limits = np.ones((len(version_keys) + 1, len(item_keys) + 1))  # last: unknown, full marks
    known_version = pd.MultiIndex.from_frame(thresholds[["checklist_id", "checklist_version"]]).map(
        dict(zip(version_keys, range(len(version_keys)), strict=True)).get
    )
    known_item = pd.Index(item_keys).get_indexer(thresholds["item_id"])
    for version, item, limit in zip(
        known_version, known_item, thresholds["threshold"].to_numpy(dtype=float), strict=True
    ):
        if version is not None and not pd.isna(version) and item >= 0:
            limits[int(version), item] = limit
    row_version = np.where(audit_row >= 0, version_codes[audit_row], len(version_keys))
    failed = below.copy()
    failed[at] = scores[at] < limits[row_version, item_codes]
    return pd.Series(failed, index=items.index)


def repeated_failures(
    audits: pd.DataFrame, items: pd.DataFrame, thresholds: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Items failed in ``MIN_RUN`` or more consecutive audits, longest run first.

    ``audits``: :data:`AUDIT_COLUMNS` (with ``checklist_version`` when ``thresholds`` are
    given), one row per audit (follow-ups left out by the caller); ``items``:
    :data:`ITEM_COLUMNS`, the item scores 0-1 (NaN for N/A); ``thresholds``:
    :func:`policy_thresholds` of the checklists (None: any score below 1 fails).
    """
    if audits.empty or items.empty:
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    ordered = audits[AUDIT_COLUMNS].sort_values(["visited_at", "audit_id"])
    ordered = ordered.assign(position=ordered.groupby(["branch_code", "checklist_id"]).cumcount())
    items = items.reset_index(drop=True)
    failed = items.loc[failing(audits, items, thresholds), ["audit_id", "item_id"]]
    # Integer codes from here on: grouping a chain's failed answers on text keys took
    # seconds (series = a branch's audits of one checklist).
    row = pd.Index(ordered["audit_id"]).get_indexer(failed["audit_id"].to_numpy())
    known = row >= 0
    row = row[known]
    series_codes, series_keys = pd.factorize(
        pd.MultiIndex.from_frame(ordered[["branch_code", "checklist_id"]])
    )
    item_codes, item_keys = pd.factorize(failed["item_id"][known])
    series = series_codes[row]
    position = ordered["position"].to_numpy()[row]
    visited = ordered["visited_at"].to_numpy()[row]
    order = np.lexsort((position, item_codes, series))
    series, item, position, visited = (
        series[order],
        item_codes[order],
        position[order],
        visited[order],
    )
    if not len(series):
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    new_key = np.r_[True, (series[1:] != series[:-1]) | (item[1:] != item[:-1])]
    starts = np.flatnonzero(new_key | np.r_[True, np.diff(position) != 1])  # a skip ends a run
    ends = np.r_[starts[1:], len(series)] - 1
    length = ends - starts + 1
    runs = np.flatnonzero(length >= MIN_RUN)
    if not len(runs):
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    starts, ends, length = starts[runs], ends[runs], length[runs]
    key = series[starts].astype(np.int64) * (len(item_keys) + 1) + item[starts]
    # the longest run of each item; of equal ones the latest (visits end a run in order)
    best = np.lexsort((visited[ends], length, key))
    last = best[np.r_[key[best][1:] != key[best][:-1], True]]
    chosen = series_keys[series[starts[last]]]
    longest = pd.DataFrame(
        {
            "branch_code": chosen.get_level_values(0),
            "checklist_id": chosen.get_level_values(1),
            "item_id": item_keys[item[starts[last]]],
            "consecutive": length[last].astype(np.int64),
            "last_failed": visited[ends[last]],
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
