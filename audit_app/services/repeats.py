"""Repeat failures across a selection of branches (issue #7, point 3), for the comparison
report: which branches failed the same item in consecutive audits of a checklist."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection

from audit_app.domain import repeats
from audit_app.domain.filters import AuditFilter
from audit_app.errors import AuditAppError
from audit_app.services.access import scoped
from audit_app.services.context import AppContext
from audit_app.storage import compare_queries as queries
from audit_app.storage import database


def repeated_failures(ctx: AppContext, audit_filter: AuditFilter = AuditFilter()) -> pd.DataFrame:
    """:data:`repeats.REPEAT_COLUMNS` for the branches the user may see.

    Follow-ups are always left out: they ask only a few items, so they would cut runs that
    the full audits around them continue. Only the answers below full marks are read: an
    audit in which an item did not fail ends its run by its place in the branch's audits.
    """
    with database.snapshot(ctx.engine) as conn:
        found = read_failures(ctx, conn, audit_filter)
    return searched(ctx, found)


@dataclass(frozen=True)
class Failures:
    """What the search reads (:func:`read_failures`): the selection's audits and their
    answers below full marks; None when there is nothing to search."""

    audits: pd.DataFrame
    items: pd.DataFrame


def read_failures(
    ctx: AppContext,
    conn: Connection,
    audit_filter: AuditFilter,
    reads: queries.SelectionReads | None = None,
) -> Failures | None:
    """The reads of :func:`repeated_failures`, in the caller's snapshot: from ``reads``
    where they hold the same selection (the comparison report's own comparison)."""
    selection = replace(scoped(ctx, audit_filter), include_follow_ups=False)
    if selection.kind == "follow_up":
        return None
    shared = reads if reads is not None and reads.serves(conn, selection) else None
    audits = (
        queries.audit_frame(conn, selection) if shared is None else shared.audits(conn, selection)
    )
    if audits.empty:
        return None
    checklist_ids = sorted(audits["checklist_id"].unique())
    items = queries.item_rows(conn, selection, checklist_ids, below_full_marks=True, reads=shared)
    return Failures(audits, items)


def searched(ctx: AppContext, found: Failures | None) -> pd.DataFrame:
    """:func:`repeated_failures` of what :func:`read_failures` read, outside the snapshot."""
    if found is None:
        return pd.DataFrame(columns=repeats.REPEAT_COLUMNS)
    return repeats.repeated_failures(
        found.audits, found.items, policy_thresholds(ctx, found.audits)
    )


def policy_thresholds(ctx: AppContext, audits: pd.DataFrame) -> pd.DataFrame:
    """The action policy's threshold per item of each checklist version in ``audits``
    (columns checklist_id, checklist_version): a repeat failure is an answer that would
    open an action (issue #19)."""
    versions = audits[["checklist_id", "checklist_version"]].drop_duplicates()
    checklists = []
    for checklist_id, version in versions.itertuples(index=False):
        try:
            checklists.append(ctx.catalogue.get(str(checklist_id), int(version)))
        except AuditAppError:
            continue  # a version no longer on file: its items keep the full-marks rule
    return repeats.policy_thresholds(checklists)


def branches_with_repeats(
    ctx: AppContext, audit_filter: AuditFilter = AuditFilter()
) -> pd.DataFrame:
    """One row per branch with repeated failures, most repeated items first."""
    return repeats.branches_with_repeats(repeated_failures(ctx, audit_filter))
