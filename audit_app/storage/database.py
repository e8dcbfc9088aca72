"""Engines, transactions and migrations for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError

from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.storage import files, seal_keys

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
T = TypeVar("T")


class DatabaseError(AuditAppError):
    """The database cannot be reached or is not in the shape this version expects."""


class DatabaseBusy(DatabaseError):
    """SQLite's write lock stayed with another unit of work for the whole busy timeout (a
    long import or a restore in another session): nothing of this one was written."""


SQLITE_BUSY_TIMEOUT_S = 30.0
"""How long a SQLite writer waits for the write lock before :class:`DatabaseBusy`."""


def busy_message() -> str:
    """:class:`DatabaseBusy`'s message, in the language of the moment."""
    return _(
        "Another change to the database (an import or a restore, most likely) kept it busy, "
        "so nothing of this one was saved. Try again in a minute."
    )


_SQLITE_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED: the primary codes of their extended ones


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file gets its folder, WAL mode and foreign keys."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {redact(url)}") from None
    options: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            # Private before SQLite opens it: the file holds the users' password hashes,
            # and SQLite makes its -wal and -shm files with the database file's mode.
            path = Path(database).expanduser()
            files.private_folder(path.parent)
            files.private_file(path)
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
    else:
        options["pool_pre_ping"] = True
    try:
        engine = create_engine(parsed, **options)
    except Exception as error:  # a driver that is not installed, a bad option
        raise DatabaseError(f"cannot use database {redact(url)}: {error}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


_WRITING = "audit_app_writing"
"""Execution option that marks a connection's transaction as a unit of work that writes."""


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver would open transactions itself, lazily, at the first write; SQLAlchemy's
    # documented pysqlite recipe hands that to us (``_sqlite_begin``).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """A writing unit of work takes SQLite's write lock when it begins (``BEGIN IMMEDIATE``):
    begun as a reader, a transaction that later writes fails at once with "database is
    locked" if another copy of the app committed in between; begun as a writer it waits its
    turn (up to the 30 s busy timeout). Readers begin deferred and never wait in WAL mode."""
    writing = connection.get_execution_options().get(_WRITING, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


_ALEMBIC = threading.Lock()
"""Alembic's ``op`` and ``context`` are module globals: two threads of one process migrating
at once (a server's warm start beside its first session, on a database no command has
migrated) would run each other's migrations. The database's own lock orders processes."""


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after).

    Several servers starting at once on one new database migrate it once: the first takes
    the migration lock, the others wait and then find the schema current."""
    try:
        head = head_revision()
        before = current_revision(engine)
        if before != head:
            with _ALEMBIC, _migrating(engine) as connection:
                lock(connection, MIGRATION_LOCK)
                before = MigrationContext.configure(connection).get_current_revision()
                if before != head:
                    command.upgrade(_alembic_config(connection), "head")
                    _check_foreign_keys(connection)
        return before, head
    except OperationalError as error:
        raise DatabaseError(
            f"cannot open database {redact(str(engine.url))}: {error.orig}"
        ) from None


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """The unit of work of an upgrade. On SQLite with foreign keys off while it runs, as
    SQLite's documented way to change a table's constraints asks (a table is rebuilt: copied,
    dropped, renamed), so dropping the old table cascades into nothing; the keys are checked
    before the commit (:func:`_check_foreign_keys`) and switched back on after it."""
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection
        if sqlite:  # outside a transaction: SQLite ignores the pragma inside one
            assert raw is not None
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            connection.execution_options(**{_WRITING: True})
            seal_keys.forget_pending(connection)
            try:
                with connection.begin():
                    yield connection
            except BaseException:
                seal_keys.forget_pending(connection)
                raise
            seal_keys.committed(connection)
        finally:
            if sqlite:
                assert raw is not None
                raw.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    """A SQLite upgrade ran with foreign keys off: refuse to commit one that broke any."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise DatabaseError(
            f"the upgrade would leave {len(broken)} rows pointing at missing records "
            f"(first: {tuple(broken[0])}); nothing was changed"
        )


@contextmanager
def transaction(engine: Engine, *, wait: bool = True) -> Iterator[Connection]:
    """One unit of work that writes: everything inside is committed together, or nothing is.

    Writers queue for each other (SQLite's write lock from the start; PostgreSQL's row locks
    and the trail's chain lock), readers are never blocked. ``wait=False``: on SQLite, a
    writer that finds the lock taken is refused at once (:class:`DatabaseBusy`) instead of
    queuing, for a write that can be skipped (a session's last-seen time on a page view)."""
    with _busy_refused(), engine.connect() as connection, _lock_wait(connection, wait):
        connection.execution_options(**{_WRITING: True})
        seal_keys.forget_pending(connection)
        try:
            with connection.begin():
                yield connection
        except BaseException:
            seal_keys.forget_pending(connection)
            raise
        seal_keys.committed(connection)


@contextmanager
def _lock_wait(connection: Connection, wait: bool) -> Iterator[None]:
    """SQLite's busy timeout set to nothing for one unit of work, then put back as it was
    (the connection goes back to the pool)."""
    if wait or connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    before = int(driver.execute("PRAGMA busy_timeout").fetchone()[0])
    driver.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA busy_timeout = {before}")


@contextmanager
def _busy_refused() -> Iterator[None]:
    """SQLite's "database is locked" after the busy timeout becomes :class:`DatabaseBusy`,
    told by the driver's error code (never its message), so the user reads what happened
    instead of a driver's traceback."""
    try:
        yield
    except OperationalError as error:
        code = getattr(error.orig, "sqlite_errorcode", None)
        if code is None or code & 0xFF not in _SQLITE_BUSY:
            raise
        raise DatabaseBusy(busy_message()) from None


def once_more_on_conflict(work: Callable[[], T]) -> T:
    """Run a unit of work; if another copy of the app inserted the same key between its
    check and its insert (PostgreSQL checks uniqueness at insert time), run it once more,
    when its check sees that row. A second conflict is a real one and is raised."""
    try:
        return work()
    except IntegrityError:
        return work()


MIGRATION_LOCK = 0x41554401
CHAIN_LOCK = 0x41554402
"""Keys of PostgreSQL advisory locks ("AUD" and a number) taken by :func:`lock`."""


def lock(connection: Connection, key: int) -> None:
    """Hold ``key`` until this unit of work ends, so that copies of the app on other
    machines take their turn. PostgreSQL: a transaction-level advisory lock. SQLite needs
    none: a writing unit of work already holds the whole database's write lock."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only unit of work: one consistent view of the data while writers carry on
    (SQLite's WAL snapshot; PostgreSQL's repeatable read, where every query of the unit
    sees the same committed data, never half of an import committed in between)."""
    with _busy_refused(), engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection
