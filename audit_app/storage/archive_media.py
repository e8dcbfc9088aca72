"""The photo files in an archive: one member ``media/<sha256>.jpg`` per row of the media
table, so a backup carries the evidence and not only its names.

A member's name is its hash, so it is its own check: every member is read and hashed before
a restore writes anything, and a media row whose file is not in the archive refuses the
restore. Members are streamed one at a time in blocks both ways (never all photos at once),
and stored without compression (a JPEG does not shrink).
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from sqlalchemy import Connection, select

from audit_app.errors import AuditAppError
from audit_app.storage.media_store import SUFFIX, LocalMediaStore, MediaState
from audit_app.storage.tables import media

BLOCK = 1 << 20
MAX_PHOTO_BYTES = 64 << 20
"""A stored photo is a re-encoded JPEG of at most a few MB; a member claiming more is not one
the app wrote, and is refused before it is held in memory."""
PROGRESS_NAME = "media files"
"""The name progress callbacks give the photo files (beside the table names)."""

Progress = Callable[[str, int, int], None]


class MediaArchiveError(AuditAppError):
    """A photo file cannot be archived or restored; the message names the member."""


@dataclass(frozen=True)
class MediaEntry:
    sha256: str
    bytes: int

    @property
    def member(self) -> str:
        return member_name(self.sha256)

    def to_json(self) -> dict[str, Any]:
        return {"member": self.member, "sha256": self.sha256, "bytes": self.bytes}


def member_name(sha256: str) -> str:
    return f"media/{sha256}{SUFFIX}"


def is_hash(value: Any) -> TypeGuard[str]:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def entries_from_json(data: Any) -> tuple[MediaEntry, ...]:
    """The manifest's ``media`` list; absent in archives made before photos (none then)."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ValueError("media is not a list")
    entries = []
    for item in data:
        if not isinstance(item, dict):
            raise ValueError("a media entry is not an object")
        sha, size = item.get("sha256"), item.get("bytes")
        if not is_hash(sha):
            raise ValueError(f"media entry {str(sha)[:80]!r} is not a photo hash")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= MAX_PHOTO_BYTES:
            raise ValueError(f"media entry {sha[:12]}… has an impossible size {size!r}")
        if item.get("member", member_name(sha)) != member_name(sha):
            raise ValueError(f"media entry {sha[:12]}… names the member {item.get('member')!r}")
        entries.append(MediaEntry(sha, size))
    return tuple(entries)


# --- export -------------------------------------------------------------------------


def write_media(
    conn: Connection,
    zf: zipfile.ZipFile,
    store: LocalMediaStore,
    progress: Progress | None = None,
) -> tuple[MediaEntry, ...]:
    """Copy the file of every media row into ``zf``, checked against its hash as it goes;
    a missing or altered file refuses the export (the archive would not restore)."""
    hashes = list(conn.execute(select(media.c.sha256).order_by(media.c.id)).scalars())
    entries = []
    if progress:
        progress(PROGRESS_NAME, 0, len(hashes))
    for done, sha in enumerate(hashes, start=1):
        entries.append(_write_one(zf, store, sha))
        if progress:
            progress(PROGRESS_NAME, done, len(hashes))
    return tuple(entries)


def _write_one(zf: zipfile.ZipFile, store: LocalMediaStore, sha: str) -> MediaEntry:
    path = store.path(sha)
    info = zipfile.ZipInfo(member_name(sha), date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_STORED
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as source, zf.open(info, "w", force_zip64=True) as member:
            while block := source.read(BLOCK):
                digest.update(block)
                size += len(block)
                member.write(block)
    except FileNotFoundError:
        raise _unavailable(sha, MediaState.MISSING, path) from None
    if digest.hexdigest() != sha:
        raise _unavailable(sha, MediaState.ALTERED, path)
    return MediaEntry(sha, size)


def _unavailable(sha: str, state: MediaState, path: Path) -> MediaArchiveError:
    what = "is missing" if state == MediaState.MISSING else "no longer matches its hash"
    return MediaArchiveError(
        f"photo {sha[:12]}… ({path}) {what}, so the archive would not restore: "
        "run `audit-app verify` to see which audits carry it"
    )


# --- restore ------------------------------------------------------------------------


def check_media(
    path: Path,
    zf: zipfile.ZipFile,
    entries: tuple[MediaEntry, ...],
    media_rows: Iterator[str],
    progress: Progress | None = None,
) -> None:
    """Every media row has its member, and every member hashes to its name, before anything
    is written. ``media_rows`` are the archive's media table rows (JSON lines)."""
    listed = {entry.sha256 for entry in entries}
    for line in media_rows:
        sha = json.loads(line).get("sha256")
        if sha not in listed:
            raise MediaArchiveError(
                f"{path}: {member_name(str(sha))} is missing (the media table names it)"
            )
    if progress:
        progress(PROGRESS_NAME, 0, len(entries))
    for done, entry in enumerate(entries, start=1):
        digest = hashlib.sha256()
        for block in _blocks(path, zf, entry):
            digest.update(block)
        if digest.hexdigest() != entry.sha256:
            raise MediaArchiveError(
                f"{path}: {entry.member} does not match its hash (the photo was changed or "
                "damaged in the archive)"
            )
        if progress:
            progress(PROGRESS_NAME, done, len(entries))


def restore_media(
    path: Path,
    zf: zipfile.ZipFile,
    entries: tuple[MediaEntry, ...],
    store: LocalMediaStore,
    progress: Progress | None = None,
    written: list[str] | None = None,
) -> None:
    """Write every photo into ``store``, one at a time (a file already there intact is
    kept); each is hashed again by the store, so a member changed since the check is refused.
    ``written`` gets the name of each file that was not there before, as it is written."""
    if progress:
        progress(PROGRESS_NAME, 0, len(entries))
    for done, entry in enumerate(entries, start=1):
        data = b"".join(_blocks(path, zf, entry))
        try:
            if store.put(entry.sha256, data) and written is not None:
                written.append(entry.sha256)
        except ValueError:
            raise MediaArchiveError(
                f"{path}: {entry.member} does not match its hash (changed during the restore)"
            ) from None
        if progress:
            progress(PROGRESS_NAME, done, len(entries))


def _blocks(path: Path, zf: zipfile.ZipFile, entry: MediaEntry) -> Iterator[bytes]:
    """A member's bytes in blocks, never more than the manifest says it holds."""
    size = 0
    try:
        with zf.open(entry.member) as member:
            while block := member.read(BLOCK):
                size += len(block)
                if size > entry.bytes:
                    raise MediaArchiveError(
                        f"{path}: {entry.member} holds more than the {entry.bytes:,} bytes "
                        "the manifest says"
                    )
                yield block
    except KeyError:
        raise MediaArchiveError(
            f"{path}: {entry.member} is missing (the manifest lists it)"
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise MediaArchiveError(f"{path}: {entry.member} is damaged ({error})") from None
