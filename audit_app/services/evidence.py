"""Photo evidence: storing a photo once, and showing it only to those who may see its branch.

A photo is cleaned (``intake.photos``), written durably to the media store and recorded in
the ``media`` table before any answer names it, so a visit submitted with photos never
points at a file that was not kept. Photos are read through an audit the user may see: a
hash alone opens nothing, and another area's audit is reported as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from audit_app.config import Settings
from audit_app.i18n import N_, _
from audit_app.intake.photos import CleanPhoto, PhotoLimits, clean_photo, scaled
from audit_app.services.access import AccessDenied, check_can_write, sees_area
from audit_app.services.context import AppContext
from audit_app.storage import database, evidence_store, repository
from audit_app.storage.media_store import LocalMediaStore
from audit_app.storage.repository import utcnow

THUMBNAIL_EDGE = 320
"""Pixels on the long edge of a thumbnail beside an answer."""


@dataclass(frozen=True)
class StoredPhoto:
    """A photo kept in the media store, as an answer refers to it."""

    sha256: str
    width: int
    height: int
    size: int
    captured_at: datetime | None
    original_name: str


def limits(settings: Settings) -> PhotoLimits:
    return PhotoLimits(
        max_bytes=int(settings.max_photo_mb * 1_000_000),
        max_pixels=int(settings.max_photo_megapixels * 1_000_000),
        long_edge=settings.photo_long_edge,
    )


def media_store(settings: Settings) -> LocalMediaStore:
    return LocalMediaStore(settings.resolved_media_dir)


def store_photo(ctx: AppContext, data: bytes, file_name: str) -> StoredPhoto:
    """Clean one photo and keep it: the file first (durably), then its row. Refused with
    ``PhotoRefused`` naming ``file_name`` when it is not a photo we take."""
    return keep(ctx, _cleaned(ctx, data, file_name))


def store_photo_with_thumbnail(
    ctx: AppContext, data: bytes, file_name: str, *, edge: int = THUMBNAIL_EDGE
) -> tuple[StoredPhoto, bytes]:
    """``store_photo``, and a thumbnail of the cleaned photo: the form shows it at once,
    before any audit names the photo (``photo_bytes`` reads only through an audit)."""
    photo = _cleaned(ctx, data, file_name)
    return keep(ctx, photo), scaled(photo.data, edge)


def _cleaned(ctx: AppContext, data: bytes, file_name: str) -> CleanPhoto:
    check_can_write(ctx, N_("attach photos"))
    return clean_photo(data, file_name, limits(ctx.settings))


def keep(ctx: AppContext, photo: CleanPhoto) -> StoredPhoto:
    """Write a cleaned photo to the media store and record it (once, however often sent)."""
    media_store(ctx.settings).put(photo.sha256, photo.data)
    # Two people sending the same photo at once: the second finds the first's row.
    database.once_more_on_conflict(lambda: _record(ctx, photo))
    return StoredPhoto(
        photo.sha256,
        photo.width,
        photo.height,
        len(photo.data),
        photo.captured_at,
        photo.original_name,
    )


def _record(ctx: AppContext, photo: CleanPhoto) -> None:
    with database.transaction(ctx.engine) as conn:
        evidence_store.add_media(
            conn,
            photo.sha256,
            content_type=photo.content_type,
            size=len(photo.data),
            width=photo.width,
            height=photo.height,
            captured_at=photo.captured_at,
            original_name=photo.original_name,
            stored_at=utcnow(),
            stored_by=None if ctx.user is None else ctx.user.username,
        )


def photo_info(ctx: AppContext, audit_id: int) -> dict[str, StoredPhoto]:
    """The photos of an audit the user may see, by hash (empty for an audit without any)."""
    with database.snapshot(ctx.engine) as conn:
        _visible(ctx, conn, audit_id)
        linked = evidence_store.photos_of(conn, [audit_id]).get(audit_id, {})
        rows = evidence_store.media_rows(conn, [sha for shas in linked.values() for sha in shas])
    return {
        sha: StoredPhoto(
            sha,
            row["width"],
            row["height"],
            row["bytes"],
            row["captured_at"],
            row["original_name"],
        )
        for sha, row in rows.items()
    }


def photo_bytes(ctx: AppContext, audit_id: int, sha256: str, *, edge: int | None = None) -> bytes:
    """A photo of an audit the user may see, checked against its hash; ``edge`` scales it
    down (thumbnails, PDFs). A photo the audit does not carry is reported as missing."""
    with database.snapshot(ctx.engine) as conn:
        _visible(ctx, conn, audit_id)
        linked = evidence_store.photos_of(conn, [audit_id]).get(audit_id, {})
    if not any(sha256 in shas for shas in linked.values()):
        raise AccessDenied(
            _("audit #{id} has no photo {photo}").format(id=audit_id, photo=sha256[:12])
        )
    data = media_store(ctx.settings).read(sha256)
    return data if edge is None else scaled(data, edge)


def _visible(ctx: AppContext, conn: Connection, audit_id: int) -> None:
    row = repository.audit_row(conn, audit_id)
    if row is None or not sees_area(ctx, row["branch_area"]):
        # Another area's audit is reported exactly like a missing one.
        raise AccessDenied(_("no audit #{id}").format(id=audit_id))
