"""A branch's section scores beside everyone's, added up by the database: per checklist and
section, the count and sum of the selected scored audits' section scores, for the whole
selection and for one branch.

The Branch page and report show each section's mean for the branch and for the branches
the user may see. Both are plain means (everyone's is the sum over all their audits over
the count), so the database adds them up in one pass instead of sending every section score
of the chain to be put into a heatmap first: on the ten-times set that was 3.1 million rows
for 16 numbers a page.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, case, func, select

from audit_app.domain.filters import AuditFilter
from audit_app.storage.compare_queries import _frame
from audit_app.storage.league_totals import scored_audits_join, scored_only
from audit_app.storage.tables import audits, branches, section_scores

SECTION_TOTAL_COLUMNS = ["checklist_id", "section_id", "n", "sum", "branch_n", "branch_sum"]


def section_totals(conn: Connection, audit_filter: AuditFilter, branch_code: str) -> pd.DataFrame:
    """Per checklist x section (:data:`SECTION_TOTAL_COLUMNS`) of the filter's scored audits
    of open branches: count and sum of the section scores (N/A left out), everyone's and
    ``branch_code``'s."""
    score = section_scores.c.score
    mine = branches.c.code == branch_code
    keys = (audits.c.checklist_id, section_scores.c.section_id)
    query = scored_only(
        select(
            *keys,
            func.count(score),
            func.sum(score),
            func.count(case((mine, score))),
            func.sum(case((mine, score))),
        )
        .select_from(
            scored_audits_join().join(section_scores, section_scores.c.audit_id == audits.c.id)
        )
        .where(score.is_not(None))
        .group_by(*keys),
        audit_filter,
        open_only=True,
    )
    frame = _frame(conn, query, SECTION_TOTAL_COLUMNS)
    return frame.astype({"n": int, "sum": float, "branch_n": int, "branch_sum": float})
