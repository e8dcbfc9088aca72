"""Argon2id password hashing, one computation at a time per server process.

Each check costs 0.11 s and 64 MiB on purpose (RFC 9106's second recommended set: 64 MiB,
3 passes, 4 lanes), and its four lanes already keep every core of this machine busy. Forty
people logging in at once (or someone guessing passwords from many addresses) would run
forty of them side by side: the operating system then shares the cores forty ways, and every
page being drawn for the people already in waits behind them. Queued here instead, the
log-ins take their turns on the cores at the same total cost, and the pages keep their
share (#21's load test: page p95 at 40 users, see the README).
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

AT_ONCE = 1
"""Argon2 computations a process runs at the same time."""

_hasher = PasswordHasher()
_turns = threading.BoundedSemaphore(AT_ONCE)


def hash_password(password: str) -> str:
    """A new argon2id hash of ``password`` (waits for its turn)."""
    with _turns:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False for a hash that cannot be read
    (waits for its turn)."""
    with _turns:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's (no argon2 run)."""
    return _hasher.check_needs_rehash(password_hash)
