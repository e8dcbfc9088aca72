"""The ledger: each version of a record, sealed as it is written, chained under the trail key.

A record's sealed version is its columns as read back from the database (dates as ISO text,
JSON as data), so SQLite and PostgreSQL seal the same record alike and an archive restored
into the other engine still verifies. Each ledger entry links to the one before with an HMAC
under the trail key; without the key a changed record cannot be sealed again, nor a
removed entry bridged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, Connection, Table, insert, select

from audit_app.domain.audit import AuditStatus
from audit_app.errors import AuditAppError
from audit_app.storage import bulk, database, seal_keys
from audit_app.storage.tables import (
    action_events,
    activity_log,
    appeals,
    audit_revisions,
    audits,
    branches,
    checklist_versions,
    corrective_actions,
    import_files,
    media,
    record_seals,
    trail_state,
    users,
)


@dataclass(frozen=True)
class Sealed:
    """How one table is sealed: which columns (bookkeeping that changes on its own, such as
    the time of a user's last log-in, is left out) and which rows."""

    table: Table
    leave_out: tuple[str, ...] = ()
    submitted_only: bool = False
    when_set: tuple[str, ...] = ()
    """Columns added after records were first sealed: sealed only when they hold a value,
    so a record sealed before the column existed still matches its seal, and a value
    written into it later outside the app is still seen."""
    added_later: bool = False
    """A table made after the ledger (migration 0010), which that migration cannot seal."""

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def columns(self) -> list[Column[Any]]:
        return [c for c in self.table.columns if c.name not in self.leave_out]


SEALED: tuple[Sealed, ...] = (
    Sealed(branches),
    Sealed(users, leave_out=("last_login_at", "language")),  # preferences, not records
    Sealed(checklist_versions),
    # auditor_id links the sealed name to a person; merging auditors moves it.
    Sealed(audits, submitted_only=True, when_set=("visit_reference",), leave_out=("auditor_id",)),
    Sealed(audit_revisions, leave_out=("content",)),  # verify checks content by its hash
    Sealed(corrective_actions),
    Sealed(action_events),
    Sealed(appeals),
    Sealed(activity_log),
    Sealed(import_files),
    Sealed(media, added_later=True),  # the photo files' own checks: their names are hashes
)
BY_NAME = {sealed.name: sealed for sealed in SEALED}
CHUNK = 2_000
SUBMITTED = str(AuditStatus.SUBMITTED)


def plain(value: Any) -> Any:
    """A column value as sealed data: the same on both engines."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return float(value)
    return value


def record_values(sealed: Sealed, row: Any) -> dict[str, Any]:
    mapping = row._mapping
    values = {
        column.name: plain(mapping[column.name])
        for column in sealed.columns
        if column.name in mapping
    }
    for name in sealed.when_set:
        if values.get(name) is None:
            values.pop(name, None)
    return values


def digest_of(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link(
    key: bytes, previous: str | None, sequence: int, table: str, row_key: str, digest: str
) -> str:
    return seal_keys.mac(key, f"{previous or ''}|{sequence}|{table}|{row_key}|{digest}")


def head(conn: Connection) -> tuple[int, str | None]:
    row = conn.execute(
        select(record_seals.c.sequence, record_seals.c.chain_hash)
        .order_by(record_seals.c.sequence.desc())
        .limit(1)
    ).first()
    return (0, None) if row is None else (int(row.sequence), row.chain_hash)


def _rows(
    conn: Connection, sealed: Sealed, keys: Sequence[Any] | None, *, later: bool = True
) -> Iterator[Any]:
    """The records as stored; ``later=False`` leaves out the ``when_set`` columns, for a
    migration that seals a schema made before they were added."""
    table = sealed.table
    key = _key_column(table)
    columns = [c for c in sealed.columns if later or c.name not in sealed.when_set]
    query = select(*columns).order_by(key)
    if sealed.submitted_only:
        query = query.where(audits.c.status == SUBMITTED)
    if keys is None:
        yield from conn.execute(query.execution_options(yield_per=CHUNK))
        return
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), CHUNK):
        yield from conn.execute(query.where(key.in_(ordered[start : start + CHUNK])))


def _key_column(table: Table) -> Column[Any]:
    (key,) = table.primary_key.columns
    return key


class TamperedRecord(AuditAppError):
    """A record about to change differs from its last seal: it was changed outside the app.
    Writing on top would seal the outside change as the app's own, so nothing is written."""


def check_unchanged(conn: Connection, table: Table, keys: Iterable[Any]) -> None:
    """Before a change: each of these records must still be as last sealed (a record never
    sealed must not be one the ledger covers)."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    sealed = BY_NAME[table.name]
    key_name = _key_column(table).name
    last = _last_seals(conn, sealed.name, [str(k) for k in wanted])
    for row in _rows(conn, sealed, wanted):
        values = record_values(sealed, row)
        row_key = str(values[key_name])
        then = last.get(row_key)
        if then == values:
            continue
        name = describe(sealed.name, row_key, values)
        if then is None:
            why = "was never sealed"
        else:
            fields = sorted(f for f in values.keys() | then.keys() if values.get(f) != then.get(f))
            why = f"differs from its last seal ({', '.join(fields)})"
        raise TamperedRecord(
            f"{name} {why}: it was changed outside the app, so nothing was written on top of "
            "it; run audit-app verify and restore the record (or a backup) first"
        )


def _last_seals(conn: Connection, table: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), CHUNK):
        query = (
            select(record_seals.c.row_key, record_seals.c.sealed)
            .where(
                record_seals.c.table_name == table,
                record_seals.c.row_key.in_(keys[start : start + CHUNK]),
            )
            .order_by(record_seals.c.sequence)
        )
        for row_key, values in conn.execute(query):
            found[row_key] = values  # the last one wins
    return found


def seal(conn: Connection, table: Table, keys: Iterable[Any]) -> int:
    """Seal the current version of these records of ``table`` (inside the caller's unit of
    work); returns how many were sealed (drafts are not)."""
    wanted = list(keys)
    if not wanted:
        return 0
    sealed = BY_NAME[table.name]
    return _append(conn, sealed, _rows(conn, sealed, wanted))


def seal_where(conn: Connection, table: Table, condition: Any) -> int:
    """Seal the records a bulk change touched, found by the change's own condition."""
    key = _key_column(table)
    return seal(conn, table, list(conn.execute(select(key).where(condition)).scalars()))


def _append(conn: Connection, sealed: Sealed, rows: Iterable[Any]) -> int:
    sealing = seal_keys.sealing_of(conn)
    database.lock(conn, database.CHAIN_LOCK)  # one writer at a time extends the chain
    sequence, chain = head(conn)
    reached = seal_keys.pending_head(conn)
    first_chain: str | None
    if reached is not None and reached[:2] == (sequence, chain):
        first_chain = reached[2]  # sealed before in this unit of work: known already
    else:
        first = None if sequence == 0 else entry_at(conn, 1)
        first_chain = None if first is None else first.chain_hash
    now = database_now()
    key_name = _key_column(sealed.table).name
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        values = record_values(sealed, row)
        row_key = str(values[key_name])
        digest = digest_of(values)
        sequence += 1
        chain = link(sealing.key, chain, sequence, sealed.name, row_key, digest)
        first_chain = first_chain or chain
        batch.append(
            {
                "sequence": sequence,
                "table_name": sealed.name,
                "row_key": row_key,
                "sealed": values,
                "digest": digest,
                "chain_hash": chain,
                "sealed_at": now,
            }
        )
        if len(batch) >= CHUNK:
            _insert_seals(conn, batch)
            count += len(batch)
            batch = []
    if batch:
        _insert_seals(conn, batch)
        count += len(batch)
    if count:
        assert chain is not None and first_chain is not None
        seal_keys.note_head(conn, (sequence, chain, first_chain))
    return count


SEAL_COLUMNS = ("sequence", "table_name", "row_key", "sealed", "digest", "chain_hash", "sealed_at")


def _insert_seals(conn: Connection, batch: list[dict[str, Any]]) -> None:
    """Ledger entries by COPY on PostgreSQL (a bulk load seals hundreds of thousands),
    through SQLAlchemy elsewhere."""
    if bulk.worth_copying(conn, len(batch)):
        bulk.insert_many(
            conn,
            record_seals,
            SEAL_COLUMNS,
            [
                tuple(bulk.json_text(e[c]) if c == "sealed" else e[c] for c in SEAL_COLUMNS)
                for e in batch
            ],
        )
    else:
        conn.execute(insert(record_seals), batch)


def seal_everything(conn: Connection, *, later_columns: bool = True) -> int:
    """Seal every record once (the baseline when the ledger is introduced, or after a
    restore the operator chose to trust); the key's fingerprint is stored with it.
    ``later_columns=False``: the schema predates the ``when_set`` columns and the tables
    ``added_later`` (migration 0010)."""
    tables = [s for s in SEALED if later_columns or not s.added_later]
    if not seal_keys.has_key(conn):
        if any(conn.execute(select(_key_column(s.table)).limit(1)).first() for s in tables):
            raise seal_keys.MissingTrailKey(
                "upgrading this database seals its records under the trail key: run the "
                "upgrade through audit-app (audit-app db upgrade), which holds the key"
            )
        return 0
    store_key_check(conn)
    return sum(
        _append(conn, sealed, _rows(conn, sealed, None, later=later_columns)) for sealed in tables
    )


def reseal_everything(conn: Connection) -> int:
    """Drop every seal and seal every record again under this installation's key: only for
    an archive the operator chose to trust."""
    conn.execute(record_seals.delete())
    conn.execute(trail_state.delete())
    return seal_everything(conn)


def store_key_check(conn: Connection) -> None:
    check = seal_keys.key_check(seal_keys.sealing_of(conn).key)
    conn.execute(trail_state.delete())
    conn.execute(insert(trail_state).values(id=1, key_check=check))


def stored_key_check(conn: Connection) -> str | None:
    return conn.execute(select(trail_state.c.key_check).where(trail_state.c.id == 1)).scalar()


def entries(conn: Connection) -> Iterator[Any]:
    """Every ledger entry in order, streamed."""
    query = select(record_seals).order_by(record_seals.c.sequence)
    yield from conn.execute(query.execution_options(yield_per=CHUNK))


def sealed_here(conn: Connection) -> bool | None:
    """Whether the ledger's first entry was sealed under this engine's key (None: the ledger
    is empty). Tells an archive of this installation, however changed, from another's."""
    first = entry_at(conn, 1)
    if first is None:
        return None
    key = seal_keys.sealing_of(conn).key
    expected = link(key, None, 1, first.table_name, first.row_key, first.digest)
    return bool(expected == first.chain_hash)


def entry_at(conn: Connection, sequence: int) -> Any:
    return conn.execute(select(record_seals).where(record_seals.c.sequence == sequence)).first()


def current(conn: Connection, sealed: Sealed) -> Iterator[dict[str, Any]]:
    """Every record of a sealed table as it would be sealed now (audits: also those no
    longer submitted, so a submitted audit turned back into a draft is noticed)."""
    table = sealed.table
    query = select(*sealed.columns).order_by(_key_column(table))
    for row in conn.execute(query.execution_options(yield_per=CHUNK)):
        values = record_values(sealed, row)
        if sealed.submitted_only:
            values["__submitted__"] = values.get("status") == SUBMITTED
        yield values


def describe(table: str, row_key: str, values: Any) -> str:
    """A record as people name it: the branch code, the user name, the audit and its visit."""
    values = values if isinstance(values, dict) else {}
    if table == "branches":
        return f"branch {values.get('code', '?')} (#{row_key})"
    if table == "users":
        return f"user {values.get('username', '?')} (#{row_key})"
    if table == "checklist_versions":
        return f"checklist {values.get('checklist_id', '?')} v{values.get('version', '?')}"
    if table == "audits":
        return f"audit #{row_key} (visited {str(values.get('visited_at', '?'))[:16]})"
    if table == "audit_revisions":
        return f"audit #{values.get('audit_id', '?')} revision {values.get('revision', '?')}"
    if table == "corrective_actions":
        audit, item = values.get("audit_id", "?"), values.get("item_id", "?")
        return f"action #{row_key} (audit #{audit}, {item})"
    if table == "action_events":
        return f"action #{values.get('action_id', '?')} event #{row_key}"
    if table == "appeals":
        return f"appeal #{row_key} (audit #{values.get('audit_id', '?')})"
    if table == "activity_log":
        return (
            f"activity entry #{row_key} ({values.get('action', '?')} {values.get('subject', '')})"
        )
    if table == "import_files":
        return f"import log entry #{row_key} ({values.get('file_name', '?')})"
    return f"{table} #{row_key}"


def database_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
