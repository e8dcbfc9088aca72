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
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, case, func, select

from audit_app.domain.compare.totals import BRANCH_PERIOD_TOTAL_COLUMNS
from audit_app.domain.filters import AuditFilter
from audit_app.storage.compare_queries import _branch_table, _frame, _month
from audit_app.storage.repository import _filtered
from audit_app.storage.tables import audit_scores, audits, branches, checklist_versions

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


def versions_used(
    conn: Connection, audit_filter: AuditFilter, *, open_only: bool
) -> dict[str, tuple[int, ...]]:
    """Checklist id -> the versions its selected scored audits were scored with."""
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
    overall = audit_scores.c.overall
    month = _month(conn).label("month")
    query = scored_only(
        select(
            audits.c.branch_id,
            month,
            func.count(),
            func.sum(overall),
            func.sum(overall * overall),
            func.sum(case((audit_scores.c.passed.is_(True), 1), else_=0)),
            func.count(audit_scores.c.passed),
            func.sum(case((audit_scores.c.critical_failure.is_(True), 1), else_=0)),
        )
        .select_from(scored_audits_join())
        .group_by(audits.c.branch_id, month),
        audit_filter,
        open_only,
    )
    frame = _frame(
        conn,
        query,
        ["branch_id", "period", "audits", "sum", "sum_sq", "passed", "judged", "critical_failures"],
    )
    if frame.empty:
        return pd.DataFrame({column: [] for column in BRANCH_MONTH_COLUMNS})
    frame = frame.merge(_branch_table(conn), on="branch_id", how="left")
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
    return frame.sort_values(["branch_code", "period"], ignore_index=True)[BRANCH_MONTH_COLUMNS]
