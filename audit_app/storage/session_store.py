"""Server-side sessions: rows keyed by a token's hash, read with the user in one lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from audit_app.domain.users import User
from audit_app.storage import user_store
from audit_app.storage.tables import sessions, users


@dataclass(frozen=True)
class StoredSession:
    user: User
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None


def add(
    conn: Connection,
    token_hash: str,
    username: str,
    method: str,
    *,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        insert(sessions).values(
            token_hash=token_hash,
            username=username,
            method=method,
            created_at=now,
            expires_at=expires_at,
            last_seen_at=now,
        )
    )


def find(conn: Connection, token_hash: str) -> StoredSession | None:
    """The session and its user as the users table has them now (one primary-key lookup);
    None for a token no session has, or whose user is disabled."""
    row = conn.execute(
        select(
            sessions.c.created_at,
            sessions.c.expires_at,
            sessions.c.last_seen_at,
            sessions.c.ended_at,
            *user_store.USER_FIELDS,
        )
        .select_from(sessions.join(users, users.c.username == sessions.c.username))
        .where(sessions.c.token_hash == token_hash)
    ).first()
    if row is None or not row.active:
        return None
    user = user_store.user_from_row(row)
    return StoredSession(user, row.created_at, row.expires_at, row.last_seen_at, row.ended_at)


def seen(conn: Connection, token_hash: str, now: datetime) -> None:
    conn.execute(
        update(sessions).where(sessions.c.token_hash == token_hash).values(last_seen_at=now)
    )


def end(conn: Connection, token_hash: str, why: str, now: datetime) -> None:
    conn.execute(
        update(sessions)
        .where(sessions.c.token_hash == token_hash, sessions.c.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )


def end_every_session(conn: Connection, why: str, now: datetime) -> int:
    """End every open session of everyone (a restored database: its log-ins belong to the
    server it was taken from)."""
    result = conn.execute(
        update(sessions).where(sessions.c.ended_at.is_(None)).values(ended_at=now, ended_why=why)
    )
    return result.rowcount


def end_all(conn: Connection, username: str, why: str, now: datetime) -> int:
    """End every open session of ``username``; how many were open."""
    result = conn.execute(
        update(sessions)
        .where(sessions.c.username == username, sessions.c.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )
    return result.rowcount
