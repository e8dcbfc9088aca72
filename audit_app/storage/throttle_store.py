"""Failed log-ins per key (a hashed user name or client address), shared by every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from audit_app.storage.tables import log_in_throttle


def counts(conn: Connection, keys: list[str]) -> dict[str, tuple[int, datetime, datetime | None]]:
    """Key -> (failures, last failure, blocked until) for the keys that have failures."""
    rows = conn.execute(select(log_in_throttle).where(log_in_throttle.c.key_hash.in_(keys))).all()
    return {r.key_hash: (r.failures, r.last_failure_at, r.blocked_until) for r in rows}


def set_failures(
    conn: Connection, key: str, failures: int, now: datetime, blocked_until: datetime | None
) -> None:
    """Write one key's count (one upsert, the same statement whether the row exists or not)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    values = {"failures": failures, "last_failure_at": now, "blocked_until": blocked_until}
    statement = dialect.insert(log_in_throttle).values(key_hash=key, **values)
    conn.execute(statement.on_conflict_do_update(index_elements=["key_hash"], set_=values))


def clear(conn: Connection, key: str) -> None:
    conn.execute(delete(log_in_throttle).where(log_in_throttle.c.key_hash == key))
