"""The log of imported files: how the same file sent twice is recognised."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from audit_app.storage.repository import utcnow
from audit_app.storage.tables import audits, import_files


def find(conn: Connection, content_hash: str) -> dict[str, Any] | None:
    """When a file with this content was imported, by whom, and as which audits."""
    row = conn.execute(
        select(import_files).where(import_files.c.content_hash == content_hash)
    ).first()
    if row is None:
        return None
    audit_ids = list(
        conn.execute(
            select(audits.c.id).where(audits.c.source_hash == content_hash).order_by(audits.c.id)
        ).scalars()
    )
    return {
        "imported_at": row.imported_at.isoformat(timespec="seconds"),
        "file_name": row.file_name,
        "imported_by": row.imported_by,
        "audit_ids": audit_ids,
        "visits_already_present": row.visits_already_present,
    }


def record(conn: Connection, **values: Any) -> None:
    """Log a file inside the import's transaction; the unique hash makes a twin import fail."""
    conn.execute(insert(import_files).values(imported_at=utcnow(), **values))
