"""Argon2 runs one computation at a time per process: log-ins arriving together queue for
it (each still checked exactly), instead of sharing the cores forty ways with the pages."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from audit_app.domain.users import Role
from audit_app.services import password_hashing
from audit_app.services.context import AppContext
from audit_app.services.users import add_user, authenticate


class _Probe:
    """The real hasher, noting how many of its computations run at the same time."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def _counted(self, call: Any, *args: Any) -> Any:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.02)  # long enough for the others to arrive
            return call(*args)
        finally:
            with self._lock:
                self.running -= 1

    def verify(self, password_hash: str, password: str) -> bool:
        return bool(self._counted(self.real.verify, password_hash, password))

    def hash(self, password: str) -> str:
        return str(self._counted(self.real.hash, password))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_log_ins_at_once_take_turns_and_each_is_checked(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ana", "bogdan", "cem", "dilek"):
        add_user(ctx, name, Role.HEAD_OFFICE, f"{name}-password-1")
    probe = _Probe(password_hashing._hasher)
    monkeypatch.setattr(password_hashing, "_hasher", probe)
    attempts = [
        (name, f"{name}-password-1" if good else "not-the-password")
        for name in ("ana", "bogdan", "cem", "dilek")
        for good in (True, False)
    ] * 2
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        users = list(pool.map(lambda a: authenticate(ctx, *a, address=f"10.0.0.{a[0]}"), attempts))
    assert probe.most == password_hashing.AT_ONCE == 1
    assert [u is not None and u.username for u in users] == [
        name if good.endswith("-1") else False for name, good in attempts
    ]


def test_a_hash_that_cannot_be_read_matches_nothing() -> None:
    assert password_hashing.verify_password("not an argon2 hash", "anything") is False
    made = password_hashing.hash_password("a long password")
    assert password_hashing.verify_password(made, "a long password")
    assert not password_hashing.verify_password(made, "another password")
    assert not password_hashing.needs_rehash(made)
