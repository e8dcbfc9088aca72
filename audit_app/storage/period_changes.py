"""Whether the audits of a period changed since a data stamp was taken: the few rows written
after it, found through the primary key and the scoring-time index.

Counting a period's audits on every page view took 0.12-0.18 s on the ten-times set (no index
leads to their visit dates); this looks only at audits newer than the stamp's newest id,
scores newer than its newest scoring time and revisions sealed after the trail's head when
it was taken, which are the writes since. The last is the one that cannot be missed: on
PostgreSQL two visits submitted at once take their ids and scoring times before the trail's
lock and may commit in the other order, while the trail's sequence is taken under the lock,
in the order they commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, union

from audit_app.domain.filters import AuditFilter
from audit_app.storage.repository import _filtered, branch_conditions
from audit_app.storage.tables import audit_revisions, audit_scores, audits, branches


def changed_since(
    conn: Connection,
    visits: AuditFilter,
    areas: Sequence[str] | None,
    newest_id: int | None,
    newest_scoring: datetime | None,
    sealed_after: int = 0,
) -> bool:
    """Whether a submitted audit visited in ``visits``' dates (in ``areas`` when given) was
    added after ``newest_id``, scored after ``newest_scoring`` (a submission, a correction,
    a rescoring) or sealed after trail sequence ``sealed_after`` (:func:`trail_head`)."""
    dates = AuditFilter(date_from=visits.date_from, date_to=visits.date_to, include_follow_ups=True)

    def period(query: Any) -> Any:
        query = _filtered(query, dates)
        if areas is not None:
            query = query.where(
                audits.c.branch_id.in_(select(branches.c.id).where(branches.c.area.in_(areas)))
            )
        return query.limit(1)

    added = select(audits.c.id).select_from(audits)
    if newest_id is not None:
        added = added.where(audits.c.id > newest_id)
    scored = select(audits.c.id).select_from(
        audit_scores.join(audits, audits.c.id == audit_scores.c.audit_id)
    )
    if newest_scoring is not None:
        scored = scored.where(audit_scores.c.scored_at > newest_scoring)
    sealed = (
        select(audits.c.id)
        .select_from(audit_revisions.join(audits, audits.c.id == audit_revisions.c.audit_id))
        .where(audit_revisions.c.sequence > sealed_after)
    )
    return any(conn.execute(period(query)).first() is not None for query in (added, scored, sealed))


def trail_head(conn: Connection) -> int:
    """The trail's last sequence number (0 before the first submission): every submission
    and correction takes the next one under the trail's lock, held until it commits."""
    return int(conn.execute(select(func.max(audit_revisions.c.sequence))).scalar() or 0)


def written_branches(
    conn: Connection,
    newest_id: int,
    newest_scoring: datetime | None,
    sealed_after: int,
    most: int,
    within: AuditFilter | None = None,
) -> tuple[str, ...] | None:
    """The codes of the branches with an audit written since a data stamp was taken
    (:func:`changed_since`'s three ways: added after ``newest_id``, scored after
    ``newest_scoring``, sealed after trail sequence ``sealed_after``), sorted; None when
    there are more than ``most`` (a bulk import, a rescoring: read everything again).
    ``within``: only the branches its branch conditions allow (an area manager's areas:
    every other area's writes at month end are not hers)."""
    joined = audits.join(branches, branches.c.id == audits.c.branch_id)
    mine = branch_conditions(within) if within is not None else []
    added = select(branches.c.code).select_from(joined).where(audits.c.id > newest_id, *mine)
    scored = (
        select(branches.c.code)
        .select_from(joined.join(audit_scores, audit_scores.c.audit_id == audits.c.id))
        .where(audit_scores.c.scored_at > newest_scoring, *mine)
        if newest_scoring is not None
        else None
    )
    sealed = (
        select(branches.c.code)
        .select_from(joined.join(audit_revisions, audit_revisions.c.audit_id == audits.c.id))
        .where(audit_revisions.c.sequence > sealed_after, *mine)
    )
    parts = [query for query in (added, scored, sealed) if query is not None]
    written = union(*parts).subquery()
    codes = conn.execute(select(written.c.code).limit(most + 1)).scalars().all()
    if len(codes) > most:
        return None
    return tuple(sorted(str(code) for code in codes))
