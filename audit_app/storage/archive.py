"""Every table to one zip archive and back: the storage half of ``audit-app export`` and
``audit-app restore``.

An archive holds ``manifest.json`` (format, schema revision, per table its row count and
the SHA-256 of its member, per photo its hash and size), one member ``tables/<name>.jsonl``
per table and one ``media/<sha256>.jpg`` per photo (``archive_media``). A table member
holds one JSON object per row, rows in primary-key order. Values are written by column type,
not by engine, so an archive made on SQLite restores into PostgreSQL and back: date-times as
ISO text without a zone, JSON columns as JSON, the rest as they are. Rows are streamed in
chunks both ways, so memory stays flat for the 2.4 million answers of the scale set.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import operator
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    Table,
    Text,
    cast,
    func,
    select,
)
from sqlalchemy.exc import DBAPIError

from audit_app.errors import AuditAppError
from audit_app.storage import (
    archive_media,
    archive_rows,
    branch_sums,
    bulk,
    database,
    item_sums,
    item_vectors,
    section_vectors,
)
from audit_app.storage.archive_media import MediaEntry
from audit_app.storage.media_store import LocalMediaStore
from audit_app.storage.tables import (
    audit_item_scores,
    audit_section_scores,
    branch_month_sums,
    checklist_versions,
    item_month_sums,
    metadata,
    record_seals,
    trail_state,
)

FORMAT = 1
APP = "audit-app"
MANIFEST = "manifest.json"
READ_CHUNK = 1_000
WRITE_CHUNK = 10_000
WRITE_CHUNK_BYTES = 8 << 20
"""Rows are inserted 10,000 at a time, or fewer when they are big (an audit's revision
holds all its answers), so memory stays bounded whatever the table."""

Progress = Callable[[str, int, int], None]
"""Called as (table, rows done, rows in the table) while a table is written or read."""


class ArchiveError(AuditAppError):
    """The archive cannot be read or restored; the message names the file and the fault."""


@dataclass(frozen=True)
class TableEntry:
    name: str
    rows: int
    sha256: str

    @property
    def member(self) -> str:
        return member_name(self.name)


@dataclass(frozen=True)
class Manifest:
    revision: str
    created_at: str
    engine: str
    tables: tuple[TableEntry, ...]
    format: int = FORMAT
    app: str = APP
    app_version: str = ""
    media: tuple[MediaEntry, ...] = ()
    """The photo files; an archive made before photos has none."""

    def to_json(self) -> str:
        data = {
            "format": self.format,
            "app": self.app,
            "app_version": self.app_version,
            "revision": self.revision,
            "created_at": self.created_at,
            "engine": self.engine,
            "tables": [
                {"name": t.name, "member": t.member, "rows": t.rows, "sha256": t.sha256}
                for t in self.tables
            ],
            "media": [entry.to_json() for entry in self.media],
        }
        return json.dumps(data, indent=2) + "\n"

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def member_name(table: str) -> str:
    return f"tables/{table}.jsonl"


DERIVED_TABLES = frozenset(
    {
        audit_item_scores.name,
        audit_section_scores.name,
        item_month_sums.name,
        branch_month_sums.name,
    }
)
"""Computed from other tables in the same transaction: not archived, rebuilt on restore."""


def tables() -> list[Table]:
    """Every archived table, parents before children (the order rows can be inserted in)."""
    return [table for table in metadata.sorted_tables if table.name not in DERIVED_TABLES]


# --- values by column type ----------------------------------------------------------


def _encoder(column: Any) -> Callable[[Any], Any] | None:
    """How a non-null value read through SQLAlchemy becomes JSON (None: as it is)."""
    kind = column.type
    if isinstance(kind, DateTime | Date):
        return lambda v: v.isoformat()
    if isinstance(kind, Float):
        return float
    if isinstance(kind, Boolean):
        return bool
    return None  # integers and text are JSON already; JSON columns are copied as text


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_DECODE = json.JSONDecoder().decode
"""One encoder and decoder for every row: ``json.dumps`` with options builds a new encoder
each call, and ``json.loads`` of bytes guesses their encoding each time."""


def _one_line(text: str | None) -> str:
    """A JSON column's stored text, kept as it is unless it would break the line."""
    if text is None:
        return "null"
    if "\n" in text or "\r" in text:
        return _ENCODE(json.loads(text))
    return text


def _decoder(column: Any) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(kind, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(kind, Float):
        return lambda v: None if v is None else float(v)
    return None


def _binder(column: Any, conn: Connection) -> Callable[[Any], Any] | None:
    """The dialect's own conversion (SQLite's date-time text, psycopg's JSON wrapper), so a
    restored row is stored exactly as the application would have stored it."""
    dialect = conn.dialect
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _chain(*steps: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    present = [step for step in steps if step is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    first, second = present

    def both(value: Any) -> Any:
        return second(first(value))

    return both


# --- writing ------------------------------------------------------------------------


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent view of every table while others write, so an archive taken from a
    live database is whole: a read transaction on SQLite, and REPEATABLE READ on PostgreSQL,
    whose default (READ COMMITTED) would let each table be read at a different moment."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
    with database.snapshot(engine) as conn:
        yield conn


def write_archive(
    conn: Connection,
    target: IO[bytes],
    *,
    revision: str,
    media_store: LocalMediaStore | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Write every table, the photo files of ``media_store`` the media table names, and
    then the manifest to ``target`` (an open binary file)."""
    entries = []
    photos: tuple[MediaEntry, ...] = ()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for table in tables():
            entries.append(_write_table(conn, zf, table, progress))
        if media_store is not None:
            photos = archive_media.write_media(conn, zf, media_store, progress)
        manifest = Manifest(
            revision=revision,
            created_at=datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z",
            engine=conn.dialect.name,
            tables=tuple(entries),
            app_version=_app_version(),
            media=photos,
        )
        zf.writestr(MANIFEST, manifest.to_json())
    return manifest


def _app_version() -> str:
    try:
        return importlib.metadata.version(APP)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _write_table(
    conn: Connection, zf: zipfile.ZipFile, table: Table, progress: Progress | None
) -> TableEntry:
    total = conn.execute(select(func.count()).select_from(table)).scalar_one()
    names = [column.name for column in table.columns]
    encoders = [(c.name, e) for c in table.columns if (e := _encoder(c)) is not None]
    # JSON is copied as the text stored: no parsing and re-encoding of the revisions' content
    # (the slowest and most memory-hungry part of an export otherwise).
    as_text = [c.name for c in table.columns if isinstance(c.type, JSON)]
    query = select(
        *(cast(c, Text).label(c.name) if c.name in as_text else c for c in table.columns)
    ).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=READ_CHUNK).execute(query)
    digest = hashlib.sha256()
    done = 0
    if progress:
        progress(table.name, 0, total)
    # force_zip64: the size is not known in advance and a big table may pass 2 GiB.
    info = zipfile.ZipInfo(member_name(table.name), date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as member:
        for chunk in result.partitions():
            lines = []
            for row in chunk:
                values = dict(zip(names, row, strict=True))
                for name, encode in encoders:
                    if values[name] is not None:
                        values[name] = encode(values[name])
                if not as_text:
                    lines.append(_ENCODE(values))
                    continue
                texts = [f'"{name}":{_one_line(values.pop(name))}' for name in as_text]
                head = _ENCODE(values)[:-1]
                lines.append(head + ("," if values else "") + ",".join(texts) + "}")
            data = ("\n".join(lines) + "\n").encode("utf-8")
            digest.update(data)
            member.write(data)
            done += len(chunk)
            if progress:
                progress(table.name, done, total)
    return TableEntry(table.name, done, digest.hexdigest())


# --- reading ------------------------------------------------------------------------


@contextmanager
def open_archive(path: Path) -> Iterator[tuple[zipfile.ZipFile, Manifest]]:
    """The open archive and its checked manifest; any fault is one ArchiveError."""
    if not path.exists():
        raise ArchiveError(f"{path}: no such file")
    if not path.is_file():
        raise ArchiveError(f"{path}: not a file")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ArchiveError(f"{path}: {_why_not_zip(path)}") from None
    except OSError as error:
        raise ArchiveError(f"{path}: cannot read it ({error.strerror or error})") from None
    with zf:
        yield zf, _read_manifest(path, zf)


def _why_not_zip(path: Path) -> str:
    with path.open("rb") as handle:
        start = handle.read(4)
    if start == b"PK\x03\x04":
        return "the archive is truncated or damaged (its zip directory cannot be read)"
    return "not an audit-app archive (it is not a zip file; make one with `audit-app export`)"


def _read_manifest(path: Path, zf: zipfile.ZipFile) -> Manifest:
    try:
        raw = zf.read(MANIFEST)
    except KeyError:
        raise ArchiveError(
            f"{path}: not an audit-app archive ({MANIFEST} is missing; "
            "make one with `audit-app export`)"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ArchiveError(f"{path}: {MANIFEST} is damaged ({error})") from None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("app") != APP:
            raise ValueError(f"it is not an {APP} manifest")
        if data.get("format") != FORMAT:
            raise ValueError(
                f"archive format {data.get('format')!r} is not {FORMAT}, the one this version reads"
            )
        entries = tuple(
            TableEntry(str(t["name"]), _count(t["rows"]), str(t["sha256"])) for t in data["tables"]
        )
        manifest = Manifest(
            revision=str(data["revision"]),
            created_at=str(data["created_at"]),
            engine=str(data["engine"]),
            tables=entries,
            app_version=str(data.get("app_version", "")),
            media=archive_media.entries_from_json(data.get("media")),
        )
    except (ValueError, KeyError, TypeError) as error:
        what = f"field {error} is missing" if isinstance(error, KeyError) else str(error)
        raise ArchiveError(f"{path}: {MANIFEST} is not valid ({what})") from None
    members = set(zf.namelist())
    for entry in manifest.tables:
        if entry.member not in members:
            raise ArchiveError(f"{path}: {entry.member} is missing (the manifest lists it)")
    for photo in manifest.media:
        if photo.member not in members:
            raise ArchiveError(f"{path}: {photo.member} is missing (the manifest lists it)")
    return manifest


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"row count {value!r} is not a count")
    return value


def check_tables(path: Path, manifest: Manifest) -> None:
    """The archive has exactly this schema's tables (same revision, so it should)."""
    have = [entry.name for entry in manifest.tables]
    want = [table.name for table in tables()]
    missing = [name for name in want if name not in have]
    extra = [name for name in have if name not in want]
    if missing:
        raise ArchiveError(f"{path}: table {missing[0]} is missing from the archive")
    if extra:
        raise ArchiveError(f"{path}: table {extra[0]} is not part of this schema")


MAX_LINE_BYTES = 16 << 20
"""The longest row an archive may hold (an audit's revision with every answer and comment
is well under 1 MB); a longer one is refused before it is held in memory whole."""


def _lines(path: Path, zf: zipfile.ZipFile, entry: TableEntry) -> Iterator[str]:
    number = 0
    try:
        with zf.open(entry.member) as member:
            while line := member.readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(line) > MAX_LINE_BYTES:
                    raise ArchiveError(
                        f"{path}: {entry.member} row {number:,} is longer than "
                        f"{MAX_LINE_BYTES >> 20} MB, more than any row the app writes"
                    )
                yield line.decode("utf-8")
    except UnicodeDecodeError:
        raise ArchiveError(f"{path}: {entry.member} row {number:,} is not UTF-8 text") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise ArchiveError(f"{path}: {entry.member} is damaged ({error})") from None


def _blocks(path: Path, zf: zipfile.ZipFile, entry: TableEntry) -> Iterator[bytes]:
    try:
        with zf.open(entry.member) as member:
            while block := member.read(1 << 20):
                yield block
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise ArchiveError(f"{path}: {entry.member} is damaged ({error})") from None


def check_members(
    path: Path, zf: zipfile.ZipFile, manifest: Manifest, progress: Progress | None = None
) -> None:
    """Read every member once: its checksum and row count must be the manifest's."""
    for entry in manifest.tables:
        digest = hashlib.sha256()
        rows = 0
        for block in _blocks(path, zf, entry):
            digest.update(block)
            rows += block.count(b"\n")
            if progress:
                progress(entry.name, rows, entry.rows)
        if progress:
            progress(entry.name, rows, entry.rows)
        if digest.hexdigest() != entry.sha256:
            raise ArchiveError(
                f"{path}: {entry.member} does not match its checksum in the manifest "
                "(the archive was changed or damaged)"
            )
        if rows != entry.rows:
            raise ArchiveError(
                f"{path}: {entry.member} holds {rows:,} rows, the manifest says {entry.rows:,}"
            )
    media_table = next((entry for entry in manifest.tables if entry.name == "media"), None)
    media_rows = iter(()) if media_table is None else _lines(path, zf, media_table)
    archive_media.check_media(path, zf, manifest.media, media_rows, progress)


def restore_media(
    path: Path,
    zf: zipfile.ZipFile,
    manifest: Manifest,
    store: LocalMediaStore,
    progress: Progress | None = None,
    written: list[str] | None = None,
) -> None:
    """The archive's photo files into ``store`` (checked by ``check_members`` first);
    ``written`` gets the names of the files that were not there before."""
    archive_media.restore_media(path, zf, manifest.media, store, progress, written)


# --- restoring ----------------------------------------------------------------------


def row_counts(conn: Connection) -> dict[str, int]:
    return {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in tables()
    }


OPENING_TABLES = frozenset({checklist_versions.name, record_seals.name, trail_state.name})
"""What opening the app writes into a new database: the checklist files, their seals and
the trail key's fingerprint. A restore replaces them."""


def first_filled_table(conn: Connection) -> str | None:
    """The first table holding rows, not counting what opening the app writes while
    everything else is empty."""
    counts = row_counts(conn)
    filled = [name for name, count in counts.items() if count]
    if set(filled) <= OPENING_TABLES:
        return None
    return filled[0] if filled else None


def clear_checklists(conn: Connection) -> int:
    """Drop what opening the app stored (nothing refers to it yet)."""
    conn.execute(record_seals.delete())
    conn.execute(trail_state.delete())
    return conn.execute(checklist_versions.delete()).rowcount


def load_tables(
    path: Path,
    conn: Connection,
    zf: zipfile.ZipFile,
    manifest: Manifest,
    progress: Progress | None = None,
) -> None:
    """Insert every member's rows, parents first, through the driver's executemany; then
    the derived tables from them."""
    by_name = {entry.name: entry for entry in manifest.tables}
    for table in tables():
        _load_table(path, conn, zf, table, by_name[table.name], progress)
    item_vectors.rebuild(conn)
    section_vectors.rebuild(conn)
    item_sums.rebuild(conn)
    branch_sums.rebuild(conn)
    if conn.dialect.name == "postgresql":
        reset_sequences(conn)


def _load_table(
    path: Path,
    conn: Connection,
    zf: zipfile.ZipFile,
    table: Table,
    entry: TableEntry,
    progress: Progress | None,
) -> None:
    names = [column.name for column in table.columns]
    parse = _row_parser(path, entry, table, conn)
    done = 0
    if progress:
        progress(table.name, 0, entry.rows)
    batch: list[tuple[Any, ...]] = []
    size = 0
    for number, line in enumerate(_lines(path, zf, entry), start=1):
        batch.append(parse(number, line))
        size += len(line)
        if len(batch) >= WRITE_CHUNK or size >= WRITE_CHUNK_BYTES:
            _insert(path, conn, table, names, batch)
            done += len(batch)
            batch, size = [], 0
            if progress:
                progress(table.name, done, entry.rows)
    if batch:
        _insert(path, conn, table, names, batch)
        done += len(batch)
    if progress:
        progress(table.name, done, entry.rows)


def _row_parser(
    path: Path, entry: TableEntry, table: Table, conn: Connection
) -> Callable[[int, str], tuple[Any, ...]]:
    """A function from (line number, line) to the row's values in column order, ready for
    the driver. Built once per table: it runs for each of millions of answers."""
    names = [column.name for column in table.columns]
    pick = operator.itemgetter(*names)
    checks = archive_rows.checks_for(table)
    converters = [
        (index, convert)
        for index, column in enumerate(table.columns)
        if (convert := _chain(_decoder(column), _binder(column, conn))) is not None
    ]
    single = len(names) == 1

    def parse(number: int, line: str) -> tuple[Any, ...]:
        try:
            data = _DECODE(line)
            if not isinstance(data, dict) or len(data) != len(names):
                raise ValueError(f"expected the columns {', '.join(names)}")
            for name, check in checks:
                why = check(data[name])
                if why is not None:
                    raise ArchiveError(
                        f"{path}: {entry.member} row {number:,}, column {name}: {why}"
                    )
            values = pick(data)
            if single:
                values = (values,)
            if not converters:
                return values
            converted = list(values)
            for index, convert in converters:
                converted[index] = convert(converted[index])
            return tuple(converted)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            what = f"column {error} is missing" if isinstance(error, KeyError) else str(error)
            raise ArchiveError(
                f"{path}: {entry.member} row {number} is not valid ({what})"
            ) from None

    return parse


def _insert(
    path: Path, conn: Connection, table: Table, names: list[str], rows: list[tuple[Any, ...]]
) -> None:
    driver_error = conn.dialect.loaded_dbapi.Error
    try:
        bulk.insert_many(conn, table, names, rows)
    except (DBAPIError, driver_error) as error:
        cause = error.orig if isinstance(error, DBAPIError) else error
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        raise ArchiveError(
            f"{path}: the rows of table {table.name} were refused ({first})"
        ) from None


def reset_sequences(conn: Connection) -> None:
    """Point every integer id sequence past the restored ids, so new rows get fresh ones."""
    for table in tables():
        key = list(table.primary_key.columns)
        if len(key) == 1 and isinstance(key[0].type, Integer) and key[0].name == "id":
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
            )


__all__ = [
    "ArchiveError",
    "Manifest",
    "TableEntry",
    "check_members",
    "check_tables",
    "clear_checklists",
    "first_filled_table",
    "load_tables",
    "open_archive",
    "restore_media",
    "row_counts",
    "snapshot",
    "write_archive",
]
