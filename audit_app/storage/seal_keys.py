"""Which trail key seals the records of an engine, and who hears of each new chain head.

The key never lives in the database: the services hand it over when they open an engine
(from ``AUDIT_TRAIL_KEY`` or a private file in the data folder). Storage code that seals
records asks for it here; an engine opened without one cannot seal, and says so.
"""

from __future__ import annotations

import hashlib
import hmac
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from audit_app.errors import AuditAppError

Head = tuple[int, str, str]
"""(sequence, chain digest) of the last sealed record, and the chain digest of the first:
a ledger replaced as a whole (every record sealed again) no longer has the same first."""


class MissingTrailKey(AuditAppError):
    """Records must be sealed, and this engine was opened without the trail key."""


@dataclass(frozen=True)
class Sealing:
    key: bytes
    on_head: Callable[[Head], None] | None = None
    """Told the new head after each unit of work that sealed something has committed."""


_SEALING: weakref.WeakKeyDictionary[Engine, Sealing] = weakref.WeakKeyDictionary()
_PENDING = "audit_app_pending_head"


def attach(engine: Engine, key: bytes, on_head: Callable[[Head], None] | None = None) -> None:
    _SEALING[engine] = Sealing(key, on_head)


def sealing_of(conn: Connection) -> Sealing:
    found = _SEALING.get(conn.engine)
    if found is None:
        raise MissingTrailKey(
            "this database connection has no trail key, so it cannot seal records "
            "(open it through the application's context)"
        )
    return found


def sealing_of_engine(engine: Engine) -> Sealing:
    found = _SEALING.get(engine)
    if found is None:
        raise MissingTrailKey("this engine has no trail key")
    return found


def has_key(conn: Connection) -> bool:
    return conn.engine in _SEALING


def mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def key_check(key: bytes) -> str:
    """A public fingerprint of the key: lets a server notice it holds another key than the
    one the database was sealed with, and tells nothing about the key itself."""
    return mac(key, "audit-app trail key check")


def note_head(conn: Connection, head: Head) -> None:
    """Remember the head a unit of work reached; announced once it commits."""
    conn.info[_PENDING] = (id(conn.get_transaction()), head)


def pending_head(conn: Connection) -> Head | None:
    """The head this very unit of work already reached (it holds the chain's lock since);
    None when it sealed nothing yet (a head left by another transaction is not trusted)."""
    noted = conn.info.get(_PENDING)
    if noted is None or noted[0] != id(conn.get_transaction()):
        return None
    head: Head = noted[1]
    return head


def forget_pending(conn: Connection) -> None:
    conn.info.pop(_PENDING, None)


def committed(conn: Connection) -> None:
    """Called after a unit of work commits: announce the head it reached, if any."""
    noted = conn.info.pop(_PENDING, None)
    if noted is None:
        return
    head = noted[1]
    sealing = _SEALING.get(conn.engine)
    if sealing is not None and sealing.on_head is not None:
        sealing.on_head(head)
