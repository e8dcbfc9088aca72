"""The trail key and the engines that seal with it.

The key is ``AUDIT_TRAIL_KEY`` when set (several servers on one database share it), else a
random key made once in the data folder (``trail.key``, readable by its owner only). It
never enters the database: write access to the database is not enough to seal a change.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import Engine

from audit_app.config import Settings
from audit_app.errors import AuditAppError
from audit_app.services import trail_head
from audit_app.storage import database, files, ledger, seal_keys

KEY_FILE = "trail.key"


class WrongTrailKey(AuditAppError):
    """The database was sealed under another key than this server holds."""


def trail_key(settings: Settings) -> bytes:
    if settings.trail_key is not None:
        return settings.trail_key.get_secret_value().encode("utf-8")
    return _key_file(settings.data_dir / KEY_FILE)


def _key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    files.private_folder(path.parent)
    key = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes()
    except OSError as error:  # a link planted at the key's name
        raise files.UnsafeFileError(
            f"{path}: cannot create the trail key ({error.strerror})"
        ) from None
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    return key


def open_engine(settings: Settings) -> Engine:
    """An engine that seals under this installation's key and moves the head checkpoint."""
    url = settings.resolved_database_url
    engine = database.create_database_engine(url)
    label = database.redact(url)
    data_dir = settings.data_dir

    def on_head(head: seal_keys.Head) -> None:
        trail_head.advance(data_dir, label, head[0], head[1], first=head[2])

    seal_keys.attach(engine, trail_key(settings), on_head)
    return engine


def check_key(engine: Engine, settings: Settings) -> None:
    """Refuse to work on a database sealed under another key; remember ours on a new one."""
    key = seal_keys.sealing_of_engine(engine).key  # the one open_engine read
    with database.transaction(engine) as conn:
        stored = ledger.stored_key_check(conn)
        if stored is None:
            ledger.store_key_check(conn)
        elif stored != seal_keys.key_check(key):
            raise WrongTrailKey(
                f"the database {database.redact(settings.resolved_database_url)} was sealed "
                "under another trail key than this server holds: give every server the same "
                "key (AUDIT_TRAIL_KEY, or a copy of trail.key from the data folder of the "
                "server that sealed it)"
            )
