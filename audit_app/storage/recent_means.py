"""Each open branch's mean overall score over the days up to the newest scored visit: what
the Branch page needs to open on the user's weakest branch.

Added up by the database, one row per branch: reading every audit of the selection to keep
the last ninety days took 7 s on the ten-times set (390,000 audits) the first time a
Branch page opened without a code (#21).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, func, select

from audit_app.domain.filters import AuditFilter
from audit_app.storage.league_totals import scored_audits_join, scored_only
from audit_app.storage.tables import audit_scores, audits, branches

MEAN_COLUMNS = ["branch_code", "branch_name", "sum", "count"]


def recent_branch_sums(
    conn: Connection, audit_filter: AuditFilter, days: int
) -> tuple[datetime | None, pd.DataFrame]:
    """The newest scored visit the filter selects at an open branch (None when there is
    none), and per open branch with a scored visit after that moment less ``days``: its
    code, name, the sum and the count of those audits' overall scores (:data:`MEAN_COLUMNS`)."""
    # Newest first through the visit-time index, not max(): neither engine reads max()
    # over a join from the index, and PostgreSQL took 0.37 s on the ten-times set.
    newest = scored_only(
        select(audits.c.visited_at).select_from(scored_audits_join()), audit_filter, open_only=True
    )
    until = conn.execute(newest.order_by(audits.c.visited_at.desc()).limit(1)).scalar()
    if until is None:
        return None, pd.DataFrame(columns=MEAN_COLUMNS)
    overall = audit_scores.c.overall
    query = scored_only(
        select(
            branches.c.code, branches.c.name, func.sum(overall), func.count(overall)
        ).select_from(scored_audits_join()),
        audit_filter,
        open_only=True,
    ).where(audits.c.visited_at > until - timedelta(days=days))
    rows = conn.execute(query.group_by(branches.c.code, branches.c.name)).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=MEAN_COLUMNS)
    return until, frame.astype({"sum": float, "count": int})
