"""The log of imported files: how the same import sent twice is recognised, and where
every row of each went."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, insert, or_, select

from audit_app.storage import ledger
from audit_app.storage.repository import utcnow
from audit_app.storage.tables import audits, import_files


def find(
    conn: Connection, import_key: str, content_hash: str | None = None, mapping: str | None = None
) -> dict[str, Any] | None:
    """When this import (file, profile, checklist versions) was made, by whom, as which
    audits. A file logged before imports had keys is recognised by its content and mapping
    name."""
    condition = import_files.c.import_key == import_key
    if content_hash is not None:
        legacy = and_(
            import_files.c.import_key == content_hash,
            import_files.c.content_hash == content_hash,
            import_files.c.mapping.is_(None)
            if mapping is None
            else import_files.c.mapping == mapping,
        )
        condition = or_(condition, legacy)
    row = conn.execute(select(import_files).where(condition).limit(1)).first()
    if row is None:
        return None
    audit_ids = list(
        conn.execute(
            select(audits.c.id).where(audits.c.source_hash == row.import_key).order_by(audits.c.id)
        ).scalars()
    )
    return {
        "imported_at": row.imported_at.isoformat(timespec="seconds"),
        "file_name": row.file_name,
        "imported_by": row.imported_by,
        "mapping": row.mapping,
        "audit_ids": audit_ids,
        "visits_already_present": row.visits_already_present,
        "rows": {
            "read": row.rows_read,
            "imported": row.rows_imported,
            "already_present": row.rows_already_present,
            "skipped": row.rows_skipped,
        },
    }


def record(conn: Connection, **values: Any) -> None:
    """Log an import inside its transaction; the unique key makes a twin import fail."""
    added = conn.execute(
        insert(import_files).values(imported_at=utcnow(), **values).returning(import_files.c.id)
    ).scalar_one()
    ledger.seal(conn, import_files, [added])
