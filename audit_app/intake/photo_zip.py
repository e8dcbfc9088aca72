"""The offline route's zip: one filled-in template and the phone's photos, read in memory.

Nothing is extracted to disk (a member's name is only a label, so ``../`` goes nowhere),
and the zip is held to the same caps as a workbook's own zip: at most ``MAX_PARTS``
members, their declared sizes and what they really inflate to within
``AUDIT_MAX_INFLATED_MB``. Every member ends in the bundle: the workbook, a file to be
matched as a photo, or one left aside as what an operating system adds (``__MACOSX/``,
``.DS_Store``, Excel's ``~$`` lock file), so the import can account for each.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from audit_app.domain.intake.model import IssueCode, UnreadableFile
from audit_app.i18n import _, formats
from audit_app.intake.source.container import CHUNK, MAX_PARTS
from audit_app.intake.source.limits import Limits, megabytes
from audit_app.intake.source.names import printable

ZIP_SUFFIX = ".zip"
WORKBOOK_SUFFIX = ".xlsx"
_SYSTEM_FOLDERS = frozenset({"__macosx"})
_SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class ZipMember:
    """A file of the zip: its name as the zip spells it (made printable) and its bytes."""

    name: str
    data: bytes

    @property
    def path(self) -> PurePosixPath:
        return PurePosixPath(self.name.replace("\\", "/"))


@dataclass(frozen=True)
class Bundle:
    workbook: ZipMember
    files: tuple[ZipMember, ...]
    """Every other member, to be matched as a photo."""
    ignored: tuple[str, ...]
    """Members an operating system or Excel adds, left aside (named in the report)."""
    order: tuple[str, ...] = ()
    """Every member's name, in the zip's order."""


def is_photo_zip(name: str) -> bool:
    """A ``.zip`` upload (an .xlsx is a zip too: the name tells them apart). A file so
    named that is no zip is refused as a damaged zip, not read as something else."""
    return name.lower().endswith(ZIP_SUFFIX)


def read_bundle(data: bytes, limits: Limits) -> Bundle:
    """The zip's members, under the caps; ``UnreadableFile`` for a zip without exactly one
    workbook, a damaged one or one that inflates beyond the caps."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = _members(archive, limits)
    except UnreadableFile:
        raise
    except MemoryError:
        raise
    except Exception as error:  # zipfile, zlib and struct errors of a damaged zip
        reason = printable(f"{type(error).__name__}: {error}" if str(error) else error)
        raise UnreadableFile(_("the zip is damaged ({reason})").format(reason=reason)) from None
    workbooks = [m for m in members if not _system(m) and m.name.lower().endswith(WORKBOOK_SUFFIX)]
    if not workbooks:
        raise UnreadableFile(
            _(
                "the zip holds no filled-in template (.xlsx); put the workbook and its "
                "photos in one zip"
            ),
            IssueCode.ZIP_NO_WORKBOOK,
        )
    if len(workbooks) > 1:
        raise UnreadableFile(
            _(
                "the zip holds {count} workbooks ({names}); put one filled-in template in "
                "each zip, with its own photos"
            ).format(
                count=formats.integer(len(workbooks)),
                names=", ".join(m.name for m in workbooks[:5]),
            ),
            IssueCode.ZIP_WORKBOOKS,
        )
    return Bundle(
        workbooks[0],
        tuple(m for m in members if m is not workbooks[0] and not _system(m)),
        tuple(m.name for m in members if _system(m)),
        tuple(m.name for m in members),
    )


def _members(archive: zipfile.ZipFile, limits: Limits) -> list[ZipMember]:
    parts = [part for part in archive.infolist() if not part.is_dir()]
    if len(parts) > MAX_PARTS:
        raise UnreadableFile(
            _("the zip has more than {limit} files; send the workbook and its photos").format(
                limit=formats.integer(MAX_PARTS)
            )
        )
    if any(part.flag_bits & 0x1 for part in parts):
        raise UnreadableFile(_("the zip is password-protected; send it without a password"))
    declared = sum(part.file_size for part in parts)
    if declared > limits.inflated_bytes:
        raise UnreadableFile(_zip_inflated(limits, declared), IssueCode.FILE_TOO_LARGE)
    budget = limits.inflated_bytes
    members = []
    for part in parts:
        chunks = []
        with archive.open(part) as stream:  # stops at the declared size, checks the CRC
            while chunk := stream.read(CHUNK):
                budget -= len(chunk)
                if budget < 0:
                    raise UnreadableFile(_zip_inflated(limits, None), IssueCode.FILE_TOO_LARGE)
                chunks.append(chunk)
        members.append(ZipMember(printable(part.filename, 200), b"".join(chunks)))
    names = [member.name for member in members]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise UnreadableFile(_("the zip holds {member} twice; keep one").format(member=twice[0]))
    return members


def _zip_inflated(limits: Limits, size: int | None) -> str:
    limit = formats.integer(limits.max_inflated_mb)
    if size is None:
        return _(
            "the zip would inflate to more than the {limit} MB limit (AUDIT_MAX_INFLATED_MB)"
        ).format(limit=limit)
    return _(
        "the zip would inflate to {size}, more than the {limit} MB limit (AUDIT_MAX_INFLATED_MB)"
    ).format(size=megabytes(size), limit=limit)


def _system(member: ZipMember) -> bool:
    parts = [part.lower() for part in member.path.parts]
    final = parts[-1] if parts else ""
    return (
        any(part in _SYSTEM_FOLDERS for part in parts[:-1])
        or final in _SYSTEM_FILES
        or final.startswith(("._", "~$"))
    )
