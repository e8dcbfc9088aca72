"""Helpers shared by tests: a whole-database snapshot to prove that nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Table, select

from audit_app.services.context import AppContext
from audit_app.storage.tables import metadata, sessions


def database_snapshot(ctx: AppContext) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal snapshots mean an unchanged database. A
    session's last-seen time is left out: an open tab notes it as it reads, and that is
    bookkeeping, not a change anyone made."""
    with ctx.engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(row) for row in conn.execute(select(*_compared(table)))), key=repr
            )
            for table in metadata.sorted_tables
        }


def _compared(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if not (table is sessions and c.name == "last_seen_at")]


# A telephone-greeting visit as typed into a template's answer column (item id -> cell).
PHONE_ANSWERS: dict[str, Any] = {
    "answer.rings": 4,
    "answer.greeting": "Yes",
    "call.clear_speech": "No",
    "call.tone": 4,
    "call.hold": "Asked before putting on hold",
    "call.all_answered": "Yes",
    "call.anything_else": "No",
    "voicemail.greeting_current": "N/A",
    "voicemail.return_hours": 6,
}
