"""The activity log's rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from audit_app.storage import ledger
from audit_app.storage.tables import activity_log


def add(
    conn: Connection,
    *,
    at: datetime,
    actor: str | None,
    action: str,
    subject: str,
    detail: dict[str, Any],
) -> None:
    added = conn.execute(
        insert(activity_log)
        .values(at=at, actor=actor, action=action, subject=subject[:300], detail=detail)
        .returning(activity_log.c.id)
    ).scalar_one()
    ledger.seal(conn, activity_log, [added])


def rows(
    conn: Connection,
    *,
    actions: tuple[str, ...] = (),
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """The newest entries first."""
    query = select(activity_log).order_by(activity_log.c.at.desc(), activity_log.c.id.desc())
    if actions:
        query = query.where(activity_log.c.action.in_(actions))
    if actor:
        query = query.where(activity_log.c.actor == actor)
    if since is not None:
        query = query.where(activity_log.c.at >= since)
    return [dict(row._mapping) for row in conn.execute(query.limit(limit))]
