"""Bulk writes through the driver's fastest path, shared by every writer of many rows.

On PostgreSQL through psycopg 3 rows go by ``COPY ... FROM STDIN`` and new ids are taken
from the table's sequence in one statement, so a caller can write parents and children by
COPY alike; elsewhere (SQLite) rows go by the driver's own executemany.

Measured for #3: executemany of tuples is three to five times faster than SQLAlchemy Core
with dictionaries, which matters for the 300,000 answers of a bulk workbook. Measured for #8
on PostgreSQL (240,000 answer rows, raw psycopg): executemany 3.4 s, multi-row VALUES 4.2 s,
COPY 0.5 s. Noted for #15 and done for #21: 40,000 audits by INSERT ... RETURNING through
SQLAlchemy 8.5 s, by ids from the sequence and COPY 1.5 s. COPY runs inside the caller's
transaction like any other statement, and checks every constraint and foreign key as an
INSERT does (see :func:`foreign_keys_checked_once` for a load that checks them once).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError


def copies(conn: Connection) -> bool:
    """Whether rows go by COPY on this connection (PostgreSQL through psycopg 3)."""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


COPY_FROM = 50
"""Rows from which a write that could also go by INSERT goes by COPY: below it a single
INSERT is as fast, and COPY's extra round trip would slow the one-audit submission."""


def worth_copying(conn: Connection, count: int) -> bool:
    """Whether ``count`` rows that could go either way go by COPY."""
    return count >= COPY_FROM and copies(conn)


def json_text(value: Any) -> str:
    """A JSON column's value as text for :func:`insert_many` (which bypasses SQLAlchemy's
    own JSON handling), exactly as SQLAlchemy would store it (``json.dumps`` with its
    defaults: the app sets no serializer): an archive copies JSON as the stored text, and
    the same record must give the same archive whichever path wrote it."""
    return json.dumps(value)


def insert_many(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert tuples: ``COPY`` on PostgreSQL (psycopg 3), the driver's executemany elsewhere.
    A JSON column takes :func:`json_text`. Columns are our own names, never input."""
    if not rows:
        return
    if copies(conn):
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        driver_error = conn.dialect.loaded_dbapi.Error
        cursor = conn.connection.cursor()
        try:
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except driver_error as error:
            # As SQLAlchemy raises it for any other statement (an IntegrityError for a
            # duplicate visit), so callers catch one family whichever path wrote the rows.
            raise DBAPIError.instance(
                statement, None, error, driver_error, dialect=conn.dialect
            ) from error
        finally:
            cursor.close()
        return
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join(marker for _ in columns)})"
    )
    conn.exec_driver_sql(sql, list(rows))


def next_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """``count`` new ids from the sequence behind ``table``'s id column, in one statement
    (PostgreSQL only): rows written with them by COPY never clash with rows another writer
    inserts meanwhile, as each id is handed out once."""
    if count <= 0:
        return []
    found = conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) "
        "FROM generate_series(1, %(count)s)",
        {"table": table.name, "count": count},
    ).scalars()
    return sorted(int(i) for i in found)


@contextmanager
def foreign_keys_checked_once(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """On PostgreSQL, check the foreign keys of ``tables`` once for the whole block instead
    of once per row: they are dropped inside the caller's transaction and added back at its
    end, which validates every row in one join. Each per-row check costs ~6 us, 140 s for
    the 24 million answers of the ten-times scale set; the join takes seconds.

    Safe because it is one transaction: no other session ever sees the tables without their
    keys (the drop locks them until the commit), a row that breaks a key makes the re-adding
    fail and the whole transaction roll back, and so does any error inside the block. For a
    load into a database nobody else uses meanwhile: the tables stay locked while it runs.
    Elsewhere (SQLite) nothing changes and every row is checked as it is written."""
    if not copies(conn):
        yield
        return
    if not conn.in_transaction():
        raise RuntimeError("foreign keys may only be suspended inside a transaction")
    keys = conn.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%(tables)s::regclass[]) "
        "ORDER BY 1, 2",
        {"tables": [table.name for table in tables]},
    ).all()
    for table, name, _definition in keys:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    for table, name, definition in keys:
        conn.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
