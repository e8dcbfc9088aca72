"""Check the ledger: its chain under the trail key, each entry against its own digest, and
every sealed record (branches, users, checklist versions, submitted audits and revisions,
actions and their events, appeals, the activity and import logs) against its last sealed
version, naming the record and each field that differs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from audit_app.storage import ledger, seal_keys
from audit_app.storage.ledger import describe

Latest = dict[tuple[str, str], dict[str, Any]]


def check_ledger(conn: Connection) -> tuple[list[str], tuple[int, str | None]]:
    """Problems found, and the head the ledger reaches (sequence, digest)."""
    key = seal_keys.sealing_of(conn).key
    problems: list[str] = []
    latest: Latest = {}
    previous: str | None = None
    sequence = 0
    broken = False
    for entry in ledger.entries(conn):
        name = describe(entry.table_name, entry.row_key, entry.sealed)
        if entry.sequence != sequence + 1 and not broken:
            problems.append(
                f"the ledger is broken before {name}: sealed records {sequence + 1}"
                f"–{entry.sequence - 1} are missing (removed from the database)"
            )
            broken = True
        sealed = entry.sealed if isinstance(entry.sealed, dict) else {}
        if ledger.digest_of(sealed) != entry.digest:
            problems.append(f"{name}: its sealed copy (ledger entry {entry.sequence}) was changed")
        expected = ledger.link(
            key, previous, entry.sequence, entry.table_name, entry.row_key, entry.digest
        )
        if expected != entry.chain_hash and not broken:
            problems.append(
                f"the ledger is broken at entry {entry.sequence} ({name}): it was not sealed "
                "with this installation's trail key (written or re-sealed outside the app)"
            )
            broken = True
        previous, sequence = entry.chain_hash, entry.sequence
        latest[(entry.table_name, entry.row_key)] = sealed
    problems += _check_records(conn, latest)
    return problems, (sequence, previous)


def _check_records(conn: Connection, latest: Latest) -> list[str]:
    problems: list[str] = []
    for sealed_table in ledger.SEALED:
        table = sealed_table.name
        (key_column,) = sealed_table.table.primary_key.columns
        for values in ledger.current(conn, sealed_table):
            submitted = values.pop("__submitted__", True)
            row_key = str(values[key_column.name])
            then = latest.pop((table, row_key), None)
            name = describe(table, row_key, values)
            if then is None:
                if submitted:
                    problems.append(f"{name} was never sealed: it was written outside the app")
                continue
            changes = [
                f"{field} {_short(then.get(field))} sealed, {_short(values.get(field))} now"
                for field in sorted(values.keys() | then.keys())
                if values.get(field) != then.get(field)
            ]
            if changes:
                problems.append(f"{name} was changed outside the app: {'; '.join(changes)}")
    for (table, row_key), then in sorted(latest.items()):
        problems.append(f"{describe(table, row_key, then)} was deleted")
    return problems


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
