"""The ledger read in pieces, for ``verify``: its chain without the sealed copies, each
sealed table's records a chunk at a time with the seals of just those records, and the keys
sealed whose record is gone. Holding every sealed copy at once (one per audit, revision,
action and log entry) grew with the data without bound."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, String, cast, exists, func, select

from audit_app.storage.ledger import BY_NAME, CHUNK, SEALED, Sealed, current
from audit_app.storage.tables import record_seals

STREAM = 10_000
"""Rows per fetch of a streamed read."""


def chain(conn: Connection) -> Iterator[Any]:
    """(sequence, table, row key, digest, chain hash) of every entry in order, streamed."""
    query = select(
        record_seals.c.sequence,
        record_seals.c.table_name,
        record_seals.c.row_key,
        record_seals.c.digest,
        record_seals.c.chain_hash,
    ).order_by(record_seals.c.sequence)
    yield from conn.execute(query.execution_options(yield_per=STREAM))


def count_records(conn: Connection) -> int:
    """The records of every sealed table (what :func:`current_chunks` will read)."""
    return sum(
        int(conn.execute(select(func.count()).select_from(sealed.table)).scalar_one())
        for sealed in SEALED
    )


def current_chunks(conn: Connection, sealed: Sealed, size: int) -> Iterator[list[dict[str, Any]]]:
    """The records of one sealed table as they would be sealed now, ``size`` at a time, in
    key order."""
    batch: list[dict[str, Any]] = []
    for values in current(conn, sealed):
        batch.append(values)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def seals_of(conn: Connection, table: str, keys: Sequence[str]) -> list[Any]:
    """Every ledger entry of these records, in sequence order."""
    found: list[Any] = []
    for start in range(0, len(keys), CHUNK):
        query = (
            select(
                record_seals.c.sequence,
                record_seals.c.table_name,
                record_seals.c.row_key,
                record_seals.c.sealed,
                record_seals.c.digest,
            )
            .where(
                record_seals.c.table_name == table,
                record_seals.c.row_key.in_(keys[start : start + CHUNK]),
            )
            .order_by(record_seals.c.sequence)
        )
        found += conn.execute(query).all()
    found.sort(key=lambda entry: entry.sequence)
    return found


def unknown_keys(conn: Connection) -> Iterator[tuple[str, list[str]]]:
    """(table, sorted row keys) of the sealed records no longer in their table (or whose
    table is none the ledger seals)."""
    names = sorted(conn.execute(select(record_seals.c.table_name).distinct()).scalars())
    for name in names:
        query = select(record_seals.c.row_key).where(record_seals.c.table_name == name)
        sealed = BY_NAME.get(name)
        if sealed is not None:
            (key,) = sealed.table.primary_key.columns
            as_text = cast(key, String)
            if conn.dialect.name == "sqlite":  # NOT IN: one ephemeral index, no scan per key
                query = query.where(record_seals.c.row_key.not_in(select(as_text)))
            else:  # PostgreSQL: a hashed anti-join
                query = query.where(~exists().where(as_text == record_seals.c.row_key))
        keys = sorted(set(conn.execute(query).scalars()))
        if keys:
            yield name, keys


__all__ = ["chain", "count_records", "current_chunks", "seals_of", "unknown_keys"]
