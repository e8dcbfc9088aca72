"""League totals added up by the database: per branch x month of the visit, the count, sum
and sum of squares of the overall scores and the pass and critical-failure counts, instead
of one row per audit.

A league table of one version per checklist needs nothing else from the audits. On the
ten-times set the whole history is 390,000 audits but 180,000 branch-months, and the names,
auditors and visit times of every audit are never read: reading the totals took 1.3 s
instead of 3.3-4.4 s on PostgreSQL, 0.15 s instead of 0.3 s on SQLite's scale set (the
whole league 1.7 s instead of 19.4 s on PostgreSQL). (The section totals were tried
too: at one or two audits per branch, checklist and month they are nearly as many rows as
the section scores, and the database was no faster at adding them up.) Submitted audits with
an overall score only, filtered as everywhere (``repository._filtered``); ``open_only``
leaves closed branches out, as a comparison does unless asked for them.

Where the filter takes whole months and neither an auditor nor a visit reference, the
totals are read from those kept on write (``branch_sums``, migration 0019) instead: the
ten-times set's whole history is a sum over 180,000 kept rows rather than a GROUP BY over
390,000 audits and their scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from audit_app.domain.compare.codes import sorted_codes
from audit_app.domain.compare.totals import BRANCH_PERIOD_TOTAL_COLUMNS
from audit_app.domain.filters import AuditFilter
from audit_app.storage import branch_sums, copy_frames
from audit_app.storage.compare_queries import _branch_table, _month, summaries_answer
from audit_app.storage.item_sums import month_of
from audit_app.storage.repository import _filtered, branch_conditions
from audit_app.storage.tables import (
    audit_scores,
    audits,
    branch_month_sums,
    branches,
    checklist_versions,
)

BRANCH_MONTH_COLUMNS = [*BRANCH_PERIOD_TOTAL_COLUMNS, "branch_active"]


def scored_only(query: Any, audit_filter: AuditFilter, open_only: bool) -> Any:
    """The filter's submitted audits that have an overall score (closed branches left out
    when ``open_only``)."""
    query = _filtered(query, audit_filter).where(audit_scores.c.overall.is_not(None))
    return query.where(branches.c.active.is_(True)) if open_only else query


def scored_audits_join() -> Any:
    return audits.join(branches, branches.c.id == audits.c.branch_id).join(
        audit_scores, audit_scores.c.audit_id == audits.c.id
    )


def stored_versions(conn: Connection) -> list[tuple[str, int]]:
    """Every (checklist id, version) the database has stored (a small table)."""
    query = select(checklist_versions.c.checklist_id, checklist_versions.c.version)
    return [(str(checklist_id), int(version)) for checklist_id, version in conn.execute(query)]


def kept_only(query: Any, audit_filter: AuditFilter, open_only: bool) -> Any:
    """``query`` over the kept branch-month totals (``branch_sums``) narrowed to what the
    filter selects: only for a filter they answer (:func:`kept_answer`)."""
    f, s = audit_filter, branch_month_sums
    conditions = branch_conditions(f)
    if open_only:
        conditions.append(branches.c.active.is_(True))
    if conditions:
        query = query.select_from(s.join(branches, branches.c.id == s.c.branch_id))
    if f.checklist_id:
        conditions.append(s.c.checklist_id == f.checklist_id)
    if f.date_from:
        conditions.append(s.c.month >= month_of(f.date_from))
    if f.date_to:
        conditions.append(s.c.month <= month_of(f.date_to))
    if f.kind:
        conditions.append(s.c.kind == f.kind)
    elif not f.include_follow_ups:  # as ``repository._filtered``
        conditions.append(s.c.kind != "follow_up")
    if f.channel:
        conditions.append(s.c.channel == f.channel)
    return query.where(*conditions)


def kept_answer(audit_filter: AuditFilter) -> bool:
    """The kept totals hold what the filter selects: whole months (or no dates), no auditor
    and no visit reference (the same as the item summaries)."""
    return summaries_answer(audit_filter)


def versions_used(
    conn: Connection, audit_filter: AuditFilter, *, open_only: bool
) -> dict[str, tuple[int, ...]]:
    """Checklist id -> the versions its selected scored audits were scored with."""
    if kept_answer(audit_filter):
        s = branch_month_sums
        query = kept_only(
            select(s.c.checklist_id, s.c.checklist_version).distinct(), audit_filter, open_only
        )
    else:
        query = scored_only(
            select(audits.c.checklist_id, audits.c.checklist_version)
            .select_from(scored_audits_join())
            .distinct(),
            audit_filter,
            open_only,
        )
    used: dict[str, set[int]] = {}
    for checklist_id, version in conn.execute(query):
        used.setdefault(str(checklist_id), set()).add(int(version))
    return {checklist_id: tuple(sorted(v)) for checklist_id, v in used.items()}


def branch_months(conn: Connection, audit_filter: AuditFilter, *, open_only: bool) -> pd.DataFrame:
    """Per branch x month with a scored audit (:data:`BRANCH_MONTH_COLUMNS`), sorted by
    branch code and month: what ``domain.compare.branch_month_totals`` adds up from audits."""
    if kept_answer(audit_filter):  # the totals kept on write: no audit row is read
        # Their rows as kept (per checklist, version, kind and channel too), added up per
        # branch and month here: the database's GROUP BY over a ten-times history's
        # 180,000 rows took longer than reading them (0.3-0.4 s against 0.16-0.23 s).
        s = branch_month_sums
        query = kept_only(
            select(s.c.branch_id, s.c.month, *(s.c[name] for name in branch_sums.VALUES)),
            audit_filter,
            open_only,
        )
        return _branch_month_frame(conn, copy_frames.typed_frame(conn, query, _READ), kept=True)
    month = _month(conn).label("month")
    query = scored_only(
        select(audits.c.branch_id, month, *branch_sums.score_totals())
        .select_from(scored_audits_join())
        .group_by(audits.c.branch_id, month),
        audit_filter,
        open_only,
    )
    return _branch_month_frame(conn, copy_frames.typed_frame(conn, query, _READ), kept=False)


_READ: dict[str, copy_frames.Kind] = {
    "branch_id": "int",
    "period": "text",
    "audits": "int",
    "sum": "float",
    "sum_sq": "float",
    "passed": "int",
    "judged": "int",
    "critical_failures": "int",
}


def _branch_month_frame(conn: Connection, frame: pd.DataFrame, *, kept: bool) -> pd.DataFrame:
    """The rows read (per branch and month, or per ``kept`` row) as :func:`branch_months`
    gives them."""
    if frame.empty:
        return pd.DataFrame({column: [] for column in BRANCH_MONTH_COLUMNS})
    table = _branch_table(conn)
    # Sorted by branch code and month on integer codes before the branches' text is joined
    # (sorting the joined text took 0.1 s of a ten-times history's league table, #21).
    by_code = np.zeros(int(table["branch_id"].max()) + 1, dtype=np.int64)
    by_code[table["branch_id"].to_numpy(dtype=np.int64)] = sorted_codes(table["branch_code"])[0]
    month, months = sorted_codes(frame["period"])
    if kept:
        frame, month = _per_branch_month(frame, month, len(months))
    order = np.lexsort((month, by_code[frame["branch_id"].to_numpy(dtype=np.int64)]))
    frame = frame.take(order).merge(table, on="branch_id", how="left")
    frame = frame.astype(
        {
            "audits": int,
            "sum": float,
            "sum_sq": float,
            "passed": int,
            "judged": int,
            "critical_failures": int,
            "branch_active": bool,
            "period": str,
        }
    )
    return frame.reset_index(drop=True)[BRANCH_MONTH_COLUMNS]


def _per_branch_month(
    rows: pd.DataFrame, month: np.ndarray, months: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Kept rows added up per branch and month (``month``: each row's month code), with
    the month codes of the rows returned; the rows as they are when each branch and month
    has one (a chain of one checklist, kind and channel)."""
    key = rows["branch_id"].to_numpy(dtype=np.int64) * months + month
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if len(keys) == len(key):
        return rows, month
    out = rows.iloc[first].reset_index(drop=True)
    for name in ("audits", "sum", "sum_sq", "passed", "judged", "critical_failures"):
        added = np.bincount(inverse, weights=rows[name].to_numpy(dtype=float))
        out[name] = added if name.startswith("sum") else np.rint(added).astype(np.int64)
    return out, month[first]
