"""Sessions on the server, so log-out, disabling a user and a new password end them.

A log-in gets a random token (the browser's cookie); the database keeps only its SHA-256, the
user, when it started, expires and was last seen, and when and why it ended. An open tab
re-checks its token on every rerun: one primary-key lookup joined with the user (no argon2),
so a disabled user, an ended session or an expired one is noticed at the next click.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection

from audit_app.domain.users import User
from audit_app.services.context import AppContext
from audit_app.storage import database, seal_keys, session_store
from audit_app.storage.repository import utcnow

SEEN_EVERY = timedelta(minutes=1)
"""``last_seen_at`` is written at most this often: most reruns only read."""

LOGGED_OUT = "logged out"
DISABLED = "user disabled"
NEW_PASSWORD = "password changed"


def token_hash(ctx: AppContext, token: str) -> str:
    """What the sessions table keeps of a token: an HMAC under the trail key, so someone
    who can write to the database still cannot make a row for a token of their choosing."""
    return seal_keys.mac(seal_keys.sealing_of_engine(ctx.engine).key, f"session:{token}")


def start_session(ctx: AppContext, user: User, method: str) -> str:
    """A new session for ``user``; returns its token (never stored: only its hash is)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + timedelta(hours=ctx.settings.session_hours)
    with database.transaction(ctx.engine) as conn:
        session_store.add(
            conn, token_hash(ctx, token), user.username, method, now=now, expires_at=expires
        )
    return token


def session_user(ctx: AppContext, token: str, *, now: datetime | None = None) -> User | None:
    """The active user of a live session, as the users table has them now; None when the
    token is unknown, the session ended or expired (``AUDIT_SESSION_HOURS`` as set now), or
    the user is disabled."""
    if not token:
        return None
    now = now or utcnow()
    key = token_hash(ctx, token)
    with database.snapshot(ctx.engine) as conn:
        found = session_store.find(conn, key)
    if found is None or found.ended_at is not None:
        return None
    limit = min(found.expires_at, found.created_at + timedelta(hours=ctx.settings.session_hours))
    if now >= limit:
        return None
    if now - found.last_seen_at >= SEEN_EVERY:
        try:
            with database.transaction(ctx.engine, wait=False) as conn:
                session_store.seen(conn, key, now)
        except database.DatabaseBusy:
            pass  # a writer holds SQLite's lock: a page view never waits; the next one records it
    return found.user


def end_session(ctx: AppContext, token: str, why: str = LOGGED_OUT) -> None:
    """End one session (log-out); its cookie, copied anywhere, then logs nobody in."""
    with database.transaction(ctx.engine) as conn:
        session_store.end(conn, token_hash(ctx, token), why, utcnow())


def end_user_sessions(conn: Connection, username: str, why: str) -> int:
    """End every session of ``username`` inside the caller's transaction (the change that
    ends them and the ending commit together)."""
    return session_store.end_all(conn, username, why, utcnow())
