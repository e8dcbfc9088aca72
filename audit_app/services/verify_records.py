"""Check the ledger: its chain under the trail key, each entry against its own digest, and
every sealed record (branches, users, checklist versions, submitted audits and revisions,
actions and their events, appeals, the activity and import logs) against its last sealed
version, naming the record and each field that differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from audit_app.storage import ledger, ledger_scan, seal_keys
from audit_app.storage.ledger import describe

ProblemKey = tuple[Any, ...]
"""Where a finding stands in the report: the ledger entry's sequence for those of the chain
and of one entry, then the sealed tables in order and each record by its key, then the
deleted records by table and key (the order of one pass over everything)."""

Progress = Callable[[int, int], None]


def check_ledger(
    conn: Connection, *, chunk: int = ledger.CHUNK, progress: Progress | None = None
) -> tuple[list[str], tuple[int, str | None]]:
    """Problems found, and the head the ledger reaches (sequence, digest). The chain is
    streamed without the sealed copies; then each table's records are read ``chunk`` at a
    time with their seals (whose digests are checked there), so memory does not grow with
    the records."""
    key = seal_keys.sealing_of(conn).key
    found: dict[ProblemKey, str] = {}
    previous: str | None = None
    sequence = 0
    broken = False
    for entry_sequence, table_name, row_key, digest, chain_hash in ledger_scan.chain(conn):
        if entry_sequence != sequence + 1 and not broken:
            found[(0, entry_sequence, 0)] = (
                f"the ledger is broken before {_entry_name(conn, entry_sequence)}: sealed "
                f"records {sequence + 1}–{entry_sequence - 1} are missing (removed from the "
                "database)"
            )
            broken = True
        expected = ledger.link(key, previous, entry_sequence, table_name, row_key, digest)
        if expected != chain_hash and not broken:
            found[(0, entry_sequence, 2)] = (
                f"the ledger is broken at entry {entry_sequence} "
                f"({_entry_name(conn, entry_sequence)}): it was not sealed "
                "with this installation's trail key (written or re-sealed outside the app)"
            )
            broken = True
        previous, sequence = chain_hash, entry_sequence
    _check_records(conn, found, chunk, progress)
    return [found[k] for k in sorted(found)], (sequence, previous)


def _entry_name(conn: Connection, sequence: int) -> str:
    entry = ledger.entry_at(conn, sequence)
    return describe(entry.table_name, entry.row_key, entry.sealed)


def _check_seals(found: dict[ProblemKey, str], seals: list[Any]) -> dict[str, Any]:
    """Check each seal against its own digest; returns the last sealed copy of each key."""
    latest: dict[str, Any] = {}
    for entry in seals:
        sealed = entry.sealed if isinstance(entry.sealed, dict) else {}
        if ledger.digest_of(sealed) != entry.digest:
            name = describe(entry.table_name, entry.row_key, entry.sealed)
            found[(0, entry.sequence, 1)] = (
                f"{name}: its sealed copy (ledger entry {entry.sequence}) was changed"
            )
        latest[entry.row_key] = sealed  # in sequence order: the last one wins
    return latest


def _check_records(
    conn: Connection, found: dict[ProblemKey, str], chunk: int, progress: Progress | None
) -> None:
    total = ledger_scan.count_records(conn)
    done = 0
    for order, sealed_table in enumerate(ledger.SEALED):
        table = sealed_table.name
        (key_column,) = sealed_table.table.primary_key.columns
        for batch in ledger_scan.current_chunks(conn, sealed_table, chunk):
            keys = [str(values[key_column.name]) for values in batch]
            latest = _check_seals(found, ledger_scan.seals_of(conn, table, keys))
            for row_key, values in zip(keys, batch, strict=True):
                submitted = values.pop("__submitted__", True)
                then = latest.get(row_key)
                if then is None:
                    if submitted:
                        found[(1, order, values[key_column.name])] = (
                            f"{describe(table, row_key, values)} was never sealed: it was "
                            "written outside the app"
                        )
                    continue
                if values == then:  # the common case: no field to compare one by one
                    continue
                changes = [
                    f"{field} {_short(then.get(field))} sealed, {_short(values.get(field))} now"
                    for field in sorted(values.keys() | then.keys())
                    if values.get(field) != then.get(field)
                ]
                if changes:
                    found[(1, order, values[key_column.name])] = (
                        f"{describe(table, row_key, values)} was changed outside the app: "
                        f"{'; '.join(changes)}"
                    )
            done += len(batch)
            if progress is not None:
                progress(min(done, total), total)
    for table, row_keys in ledger_scan.unknown_keys(conn):
        for start in range(0, len(row_keys), chunk):
            part = row_keys[start : start + chunk]
            latest = _check_seals(found, ledger_scan.seals_of(conn, table, part))
            for row_key in part:
                then = latest[row_key]
                found[(2, table, row_key)] = f"{describe(table, row_key, then)} was deleted"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"
