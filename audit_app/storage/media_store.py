"""The media store: photo files named by the SHA-256 of their content.

A name that is a hash makes a file its own check: an altered file no longer matches its
name, and a photo stored twice is one file. ``LocalMediaStore`` keeps them in a private
folder (``AUDIT_MEDIA_DIR``), two levels deep so no folder holds a million files. Several
servers share one folder (a network mount), or an object store: the store is three
operations (``put``, ``read``, ``state``) on a key that never changes, which map one to one
onto an S3 bucket's put, get and head of ``<sha256>.jpg``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from audit_app.errors import AuditAppError
from audit_app.storage import files

SUFFIX = ".jpg"


def temporary_suffix() -> str:
    """The end of a photo's temporary name while it is written: random, so that two threads
    writing one photo never share a temporary file."""
    return f"photo-{secrets.token_hex(6)}"


class MediaState(StrEnum):
    PRESENT = "present"
    MISSING = "missing"
    ALTERED = "altered"


class MediaUnavailable(AuditAppError):
    """A photo the database names is not in the media store, or no longer matches its hash."""

    def __init__(self, sha256: str, state: MediaState) -> None:
        self.sha256 = sha256
        self.state = state
        what = "is missing from" if state == MediaState.MISSING else "was altered in"
        super().__init__(f"photo {sha256[:12]}… {what} the media store")


class MediaStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...

    def read(self, sha256: str) -> bytes: ...

    def state(self, sha256: str) -> MediaState: ...


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LocalMediaStore:
    """Photos as files under ``root``: ``ab/abcdef….jpg``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a photo hash: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}{SUFFIX}"

    def put(self, sha256: str, data: bytes) -> bool:
        """Write the file whole and durably (renamed into place after an fsync), unless an
        intact copy is there already; a damaged copy is replaced. True when there was no
        file of this name before (what a refused restore takes away again)."""
        if digest(data) != sha256:
            raise ValueError("a photo's name must be the hash of its content")
        before = self.state(sha256)
        if before == MediaState.PRESENT:
            return False
        path = self.path(sha256)
        files.private_folder(self.root)
        files.private_folder(path.parent)
        # A name of its own per write: the app's sessions are threads of one process, and
        # two of them may store the same photo at the same moment (the same bytes land).
        with files.replacing(path, suffix=temporary_suffix()) as out:
            out.write(data)
        return before == MediaState.MISSING

    def discard(self, sha256: str) -> None:
        """Remove the photo's file, if there is one."""
        self.path(sha256).unlink(missing_ok=True)

    def read(self, sha256: str) -> bytes:
        """The photo's bytes, checked against its name: an altered file is never shown."""
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise MediaUnavailable(sha256, MediaState.MISSING) from None
        if digest(data) != sha256:
            raise MediaUnavailable(sha256, MediaState.ALTERED)
        return data

    def state(self, sha256: str) -> MediaState:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            return MediaState.MISSING
        return MediaState.PRESENT if digest(data) == sha256 else MediaState.ALTERED

    def hashes(self) -> Iterator[str]:
        """Every photo file's name (its hash), for a backup of the whole store."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for path in sorted(folder.glob(f"*{SUFFIX}")):
                    yield path.name.removesuffix(SUFFIX)
