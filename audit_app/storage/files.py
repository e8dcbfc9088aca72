"""Files the app writes beside the user's: private folders and modes, and temporary files
that are never someone else's.

A temporary name beside the target (``.backup.zip.123.partial``) can be guessed; another
local account may plant a symbolic link there so that our write lands in their chosen file
(or a file they can read). Every temporary file is therefore created new, with
``O_CREAT | O_EXCL | O_NOFOLLOW``: a file or link already at that name is refused, with a
message, and left alone.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from audit_app.errors import AuditAppError

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_NEW |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class UnsafeFileError(AuditAppError):
    """Something already sits where the app creates a new file; it was not touched."""


def create_new(path: Path, mode: int = PRIVATE_FILE) -> int:
    """A descriptor of a file made now at ``path``; never one that was there (a leftover,
    or a planted link)."""
    try:
        return os.open(path, _NEW, mode)
    except FileExistsError:
        what = "a symbolic link" if path.is_symlink() else "a file"
        raise UnsafeFileError(
            f"{path}: {what} is already at this temporary name; it was not followed or "
            "overwritten. Remove it (check who put it there) and run again"
        ) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeFileError(
                f"{path}: a symbolic link is at this temporary name; it was not followed"
            ) from None
        raise


@contextmanager
def replacing(
    path: Path, mode: int = PRIVATE_FILE, suffix: str = "part", *, durable: bool = True
) -> Iterator[BinaryIO]:
    """Write ``path`` whole or not at all: into a new temporary file beside it (``mode``),
    renamed over ``path`` when the block ends without an error, removed otherwise."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{suffix}")
    descriptor = create_new(temporary, mode)
    done = False
    try:
        with os.fdopen(descriptor, "wb") as file:
            yield file
            file.flush()
            if durable:
                os.fsync(file.fileno())
        temporary.replace(path)
        done = True
    finally:
        if not done:
            temporary.unlink(missing_ok=True)  # ours: create_new made it


def write_replacing(path: Path, content: bytes, mode: int = 0o644, *, durable: bool = True) -> None:
    """``content`` to ``path`` through a new temporary file (the umask still applies);
    ``durable=False`` skips the flush to disk (a crash may keep the previous content)."""
    with replacing(path, mode, durable=durable) as file:
        file.write(content)


def private_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) readable by its owner only; an existing folder is
    left as its owner set it."""
    if not folder.is_dir():
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and only its owner can read it: created empty with mode
    0600, or an existing file of ours narrowed to 0600. SQLite gives its ``-wal`` and
    ``-shm`` files the database file's mode, so they are private too."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        return
    except FileExistsError:
        pass
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            found = each.stat()
        except FileNotFoundError:
            continue
        ours = found.st_uid == os.geteuid() if hasattr(os, "geteuid") else True
        if stat.S_ISREG(found.st_mode) and ours and found.st_mode & 0o077:
            each.chmod(stat.S_IMODE(found.st_mode) & ~0o077)
