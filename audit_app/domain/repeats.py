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
    scores = items["score"]
    if thresholds is None:
        return scores.notna() & (scores < 1)
    versions = audits[["audit_id", "checklist_id", "checklist_version"]]
    limit = (
        items[["audit_id", "item_id"]]
        .merge(versions, on="audit_id", how="left")
        .merge(thresholds, on=["checklist_id", "checklist_version", "item_id"], how="left")[
            "threshold"
        ]
        .fillna(1.0)
        .to_numpy()
    )
    return scores.notna() & (scores < 1) & (scores.to_numpy() < limit)


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
    runs = failed.merge(ordered, on="audit_id").sort_values(
        ["branch_code", "checklist_id", "item_id", "position"]
    )
    if runs.empty:
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    keys = ["branch_code", "checklist_id", "item_id"]
    step = runs.groupby(keys)["position"].diff()
    runs = runs.assign(run=(step != 1).cumsum())  # a new run wherever an audit is skipped
    lengths = runs.groupby([*keys, "run"], sort=False).agg(
        consecutive=("position", "size"), last_failed=("visited_at", "max")
    )
    lengths = lengths[lengths["consecutive"] >= MIN_RUN].reset_index()
    if lengths.empty:
        return pd.DataFrame(columns=REPEAT_COLUMNS)
    longest = (
        lengths.sort_values(["consecutive", "last_failed"])
        .groupby(keys, sort=False)
        .tail(1)  # the longest run; of equal ones the latest
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
