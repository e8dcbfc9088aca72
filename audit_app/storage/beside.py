"""A read run beside the caller's, on a second connection that sees exactly the caller's
snapshot: two large reads of one selection at once instead of one after the other (#21).

A ten-times history's first comparison read its 390,000 audits (1.2-1.4 s, mostly the
server producing rows and Arrow parsing them, neither holding Python's lock) and then their
section-score vectors (1.3-1.7 s, mostly the server and the driver's wait). Read beside each
other, on a machine's second core, most of the shorter one is hidden.

On PostgreSQL the caller's repeatable-read snapshot is exported (``pg_export_snapshot``) and
the second connection's transaction takes it (``SET TRANSACTION SNAPSHOT``): it sees the
same committed data, never a write committed in between. Anywhere else (SQLite, a
connection outside such a snapshot) the read runs on the caller's own connection when its
result is asked for, as before.

The second connections are not the pool's: a busy server's sessions hold its connections,
and a read waiting for one of them would wait for the pool's timeout. At most
:data:`AT_ONCE` reads run beside others in a process, each on a connection of its own,
closed when it ends; when they are all taken, or a connection does not open (the server
refusing another), the read runs on the caller's connection.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.pool import NullPool

T = TypeVar("T")

AT_ONCE = 2
"""Reads run beside others at once in one process (a machine's second core is what they
use)."""
_SLOTS = threading.BoundedSemaphore(AT_ONCE)
_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()

_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9A-F]+)?")
"""What ``pg_export_snapshot`` returns (checked before it is written into a statement)."""


class Beside(Generic[T]):
    """A read started beside the caller's; :meth:`result` waits for it."""

    def __init__(
        self, conn: Connection, read: Callable[[Connection], T], at_once: bool = True
    ) -> None:
        self._conn = conn
        self._read = read
        self._thread: threading.Thread | None = None
        self._value: T | None = None
        self._error: BaseException | None = None
        self._opened = False
        self._done = False
        if not at_once or not _SLOTS.acquire(blocking=False):
            return
        try:
            snapshot = _exported(conn)
        except BaseException:
            _SLOTS.release()
            raise
        if snapshot is None:
            _SLOTS.release()
            return
        self._thread = threading.Thread(
            target=self._run, args=(snapshot,), name="read-beside", daemon=True
        )
        self._thread.start()

    def _run(self, snapshot: str) -> None:
        try:
            with _engine_beside(self._conn.engine).connect() as other:
                other.execution_options(isolation_level="REPEATABLE READ")
                with other.begin():
                    other.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                    self._opened = True
                    self._value = self._read(other)
        except BaseException as error:  # handed to the caller by result()
            self._error = error
        finally:
            _SLOTS.release()

    def result(self) -> T:
        """The read's result (read now on the caller's connection when it was not started
        beside, or its connection did not open); its error raised here."""
        if not self._done:
            self.wait()
            if self._thread is None or (self._error is not None and not self._opened):
                self._error = None
                self._value = self._read(self._conn)
            self._done = True
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def wait(self) -> None:
        """Until the read beside has ended (its connection closed)."""
        if self._thread is not None:
            self._thread.join()

    @property
    def started_beside(self) -> bool:
        return self._thread is not None


def _engine_beside(engine: Engine) -> Engine:
    """An engine on ``engine``'s database whose connections are opened for one read and
    closed after it (no pool: none is left open on a database a test then drops)."""
    key = engine.url.render_as_string(hide_password=False)
    with _ENGINES_LOCK:
        found = _ENGINES.get(key)
        if found is None:
            found = _ENGINES[key] = create_engine(engine.url, poolclass=NullPool)
    return found


def _exported(conn: Connection) -> str | None:
    """The caller's snapshot, exported, when a second connection can take it: PostgreSQL,
    inside a repeatable-read transaction (``database.snapshot``)."""
    if conn.dialect.name != "postgresql" or not conn.in_transaction():
        return None
    if conn.get_execution_options().get("isolation_level") != "REPEATABLE READ":
        return None
    snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    return snapshot if _SNAPSHOT_ID.fullmatch(str(snapshot)) else None


@contextmanager
def read_beside(
    conn: Connection, read: Callable[[Connection], T], *, at_once: bool = True
) -> Iterator[Beside[T]]:
    """``read`` started beside the caller's reads in ``conn``'s snapshot (``at_once``; else
    read on ``conn`` when its result is asked for); on leaving, it has ended, whether or
    not its result was asked for."""
    beside = Beside(conn, read, at_once)
    try:
        yield beside
    finally:
        beside.wait()


__all__ = ["Beside", "read_beside"]
