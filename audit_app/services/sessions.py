"""Signed session tokens, so a log-in survives a reload, a deep link or a new tab.

A token names the user and when it expires, signed with HMAC-SHA256 under the server's key
and the user's current password hash: changing the password ends every session at once,
and disabling the user makes the token useless. Nothing is stored per session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from audit_app.domain.users import User
from audit_app.services.context import AppContext
from audit_app.storage import database, user_store

KEY_FILE = "session.key"


def issue_token(ctx: AppContext, user: User, *, now: float | None = None) -> str:
    """A token for ``user`` valid for the configured number of hours."""
    with database.snapshot(ctx.engine) as conn:
        found = user_store.find(conn, user.username)
    if found is None:
        raise LookupError(user.username)
    expires = int((now or time.time()) + ctx.settings.session_hours * 3600)
    payload = f"{found[0].username}|{expires}"
    return f"{_b64(payload.encode())}.{_signature(ctx, payload, found[1])}"


def user_from_token(ctx: AppContext, token: str, *, now: float | None = None) -> User | None:
    """The active user a valid, unexpired token names; None for anything else."""
    encoded, _, signature = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        username, expires = payload.rsplit("|", 1)
        expired = int(expires) < (now or time.time())
    except (ValueError, UnicodeDecodeError):
        return None
    if expired:
        return None
    with database.snapshot(ctx.engine) as conn:
        found = user_store.find(conn, username)
    if found is None or not found[0].active or found[0].username != username:
        return None
    expected = _signature(ctx, payload, found[1])
    return found[0] if hmac.compare_digest(expected, signature) else None


def _signature(ctx: AppContext, payload: str, password_hash: str) -> str:
    key = _server_key(ctx)
    digest = hmac.new(key, f"{payload}|{password_hash}".encode(), hashlib.sha256).digest()
    return _b64(digest)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _server_key(ctx: AppContext) -> bytes:
    """``AUDIT_SECRET_KEY`` when set (several servers share it), else a random key kept
    next to the embedded database, readable by its owner only."""
    if ctx.settings.secret_key:
        return ctx.settings.secret_key.encode()
    return _key_file(ctx.settings.data_dir / KEY_FILE)


def _key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    return key
