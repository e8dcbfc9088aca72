"""Log-in throttling per user name and per client address, in the database so every server
process shares it. The policy (free failures, doubling waits, cap) is ``domain.throttle``.

Keys are hashed before they are stored: people type their password into the name box.
A success clears the name's count; an address's count only fades (``FORGET_AFTER``), so one
account of one's own does not reset the count of guesses spread over other names.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from audit_app.domain.throttle import FORGET_AFTER, delay_after
from audit_app.errors import AuditAppError
from audit_app.i18n import ngettext
from audit_app.storage import throttle_store


class LogInThrottled(AuditAppError):
    """Too many failed log-ins for this name or from this address: wait, then try again."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(_wait_message(wait_seconds))


def _wait_message(wait_seconds: float) -> str:
    """The refusal in the session's language ("Wait 2 minutes, then try again.")."""
    if wait_seconds < 60:
        seconds = max(1, math.ceil(wait_seconds))
        return ngettext(
            "Too many failed log-ins for this user name or from this address. "
            "Wait {count} second, then try again.",
            "Too many failed log-ins for this user name or from this address. "
            "Wait {count} seconds, then try again.",
            seconds,
        ).format(count=seconds)
    minutes = math.ceil(max(1, math.ceil(wait_seconds)) / 60)
    return ngettext(
        "Too many failed log-ins for this user name or from this address. "
        "Wait {count} minute, then try again.",
        "Too many failed log-ins for this user name or from this address. "
        "Wait {count} minutes, then try again.",
        minutes,
    ).format(count=minutes)


@dataclass(frozen=True)
class Keys:
    name: str
    address: str | None

    @property
    def all(self) -> list[str]:
        return [self.name] + ([self.address] if self.address else [])


def keys(username: str, address: str | None) -> Keys:
    """The hashed keys of an attempt; without an address, the name alone."""
    name = _hashed("name", username.strip().casefold())
    return Keys(name, _hashed("address", address) if address else None)


def _hashed(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()


Counts = dict[str, tuple[int, datetime, datetime | None]]


def read(conn: Connection, attempt: Keys) -> Counts:
    return throttle_store.counts(conn, attempt.all)


def wait_seconds(counts: Counts, now: datetime) -> float:
    """How long this attempt must still wait (0: it may go ahead)."""
    waits = [
        (blocked - now).total_seconds()
        for _, _, blocked in counts.values()
        if blocked is not None and blocked > now
    ]
    return max(waits, default=0.0)


def failed(conn: Connection, attempt: Keys, counts: Counts, now: datetime) -> None:
    """Count one more failure on every key (the same writes whatever made it fail)."""
    for key in attempt.all:
        failures = _current(counts.get(key), now) + 1
        delay = delay_after(failures)
        blocked = now + timedelta(seconds=delay) if delay else None
        throttle_store.set_failures(conn, key, failures, now, blocked)


def succeeded(conn: Connection, attempt: Keys) -> None:
    throttle_store.clear(conn, attempt.name)


def _current(count: tuple[int, datetime, datetime | None] | None, now: datetime) -> int:
    if count is None or (now - count[1]).total_seconds() > FORGET_AFTER:
        return 0
    return count[0]
