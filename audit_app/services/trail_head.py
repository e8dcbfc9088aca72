"""The chain's head kept outside the database: ``trail.head`` in the data folder.

Every unit of work that seals records moves it forward (sequence and digest of the last
ledger entry), one entry per database, so deleting the newest audits together with their
seals is noticed: the database no longer reaches the head written here. ``verify --head``
does the same for a head someone wrote down elsewhere (the last page of a report).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from audit_app.errors import AuditAppError
from audit_app.storage import files

FILE = "trail.head"


class BadHead(AuditAppError):
    """A head given on the command line that is not SEQUENCE:DIGEST."""


@dataclass(frozen=True)
class Head:
    sequence: int
    digest: str
    first: str | None = None
    """The chain digest of the ledger's first entry, when the checkpoint knows it."""

    def __str__(self) -> str:
        return f"{self.sequence}:{self.digest}"

    @classmethod
    def parse(cls, text: str) -> Head:
        sequence, _, digest = text.strip().partition(":")
        digest = digest.strip().lower()
        if (
            not sequence.isdigit()
            or len(digest) != 64
            or not all(c in "0123456789abcdef" for c in digest)
        ):
            raise BadHead(
                f"{text!r} is not a trail head: write it as SEQUENCE:DIGEST, e.g. "
                "1653:9f86d081… (64 hexadecimal digits), as `audit-app verify` prints it"
            )
        return cls(int(sequence), digest)


def path_in(data_dir: Path) -> Path:
    return data_dir / FILE


@contextmanager
def _locked(data_dir: Path) -> Iterator[Path]:
    files.private_folder(data_dir)
    lock = os.open(data_dir / f".{FILE}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield path_in(data_dir)
    finally:
        os.close(lock)


def _read_all(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_all(path: Path, data: dict[str, dict[str, object]]) -> None:
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    # Not flushed to disk: after a crash the checkpoint may lag a write behind, which never
    # raises a false alarm; an fsync per unit of work cost the single-visit import ~4 ms.
    files.write_replacing(path, text.encode("utf-8"), files.PRIVATE_FILE, durable=False)


def recorded(data_dir: Path, database: str) -> Head | None:
    """The head last written for this database (named by its URL without password)."""
    entry = _read_all(path_in(data_dir)).get(database)
    try:
        if entry is None:
            return None
        first = entry.get("first")
        return Head(
            int(entry["sequence"]),  # type: ignore[call-overload]
            str(entry["digest"]),
            None if first is None else str(first),
        )
    except (KeyError, TypeError, ValueError):
        return None


def advance(
    data_dir: Path, database: str, sequence: int, digest: str, *, first: str | None = None
) -> None:
    """Record a newer head; an older one (another process got further) changes nothing.
    The first entry's digest, once written, is kept: a ledger replaced as a whole shows."""
    with _locked(data_dir) as path:
        data = _read_all(path)
        entry = data.get(database) or {}
        if int(entry.get("sequence", 0) or 0) >= sequence:  # type: ignore[call-overload]
            return
        kept_first = entry.get("first") or first
        data[database] = {"sequence": sequence, "digest": digest, "first": kept_first}
        _write_all(path, data)


def replace(data_dir: Path, database: str, head: Head | None) -> None:
    """Start again from ``head`` (a restore into a new database)."""
    with _locked(data_dir) as path:
        data = _read_all(path)
        if head is None:
            data.pop(database, None)
        else:
            data[database] = {
                "sequence": head.sequence,
                "digest": head.digest,
                "first": head.first,
            }
        _write_all(path, data)
