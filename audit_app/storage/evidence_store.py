"""Photo rows: the media table (one row per stored photo) and the answers' photo links."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from audit_app.domain.audit import AuditStatus
from audit_app.storage import ledger
from audit_app.storage.tables import answer_photos, audits, media

CHUNK = 2_000
PhotoLinks = Mapping[str, Sequence[str]]
"""An audit's photo hashes by item id, in order."""


def add_media(
    conn: Connection,
    sha256: str,
    *,
    content_type: str,
    size: int,
    width: int,
    height: int,
    captured_at: datetime | None,
    original_name: str,
    stored_at: datetime,
    stored_by: str | None,
) -> bool:
    """Record a photo written to the media store, sealed; False when it is known already."""
    if known(conn, [sha256]):
        return False
    row_id = conn.execute(
        insert(media)
        .values(
            sha256=sha256,
            content_type=content_type,
            bytes=size,
            width=width,
            height=height,
            captured_at=captured_at,
            original_name=original_name,
            stored_at=stored_at,
            stored_by=stored_by,
        )
        .returning(media.c.id)
    ).scalar_one()
    ledger.seal(conn, media, [row_id])
    return True


def known(conn: Connection, hashes: Iterable[str]) -> set[str]:
    """Which of these photos the media table holds."""
    wanted = sorted(set(hashes))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found.update(
            conn.execute(select(media.c.sha256).where(media.c.sha256.in_(chunk))).scalars()
        )
    return found


def media_rows(conn: Connection, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The media rows of these photos, by hash."""
    wanted = sorted(set(hashes))
    rows: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), CHUNK):
        query = select(media).where(media.c.sha256.in_(wanted[start : start + CHUNK]))
        rows.update({row.sha256: dict(row._mapping) for row in conn.execute(query)})
    return rows


def link_rows(audit_id: int, photos: PhotoLinks) -> list[dict[str, Any]]:
    return [
        {"audit_id": audit_id, "item_id": item_id, "position": position, "sha256": sha}
        for item_id, hashes in sorted(photos.items())
        for position, sha in enumerate(hashes, start=1)
    ]


def add_links(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(answer_photos), list(rows))


def replace_links(conn: Connection, audit_id: int, photos: PhotoLinks) -> None:
    """Make ``photos`` the audit's photo links (a correction, a draft saved again)."""
    conn.execute(answer_photos.delete().where(answer_photos.c.audit_id == audit_id))
    add_links(conn, link_rows(audit_id, photos))


def delete_links(conn: Connection, audit_id: int) -> None:
    conn.execute(answer_photos.delete().where(answer_photos.c.audit_id == audit_id))


def photos_of(conn: Connection, audit_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
    """The photo hashes of these audits, by audit and item, in order."""
    wanted = sorted(set(audit_ids))
    found: dict[int, dict[str, list[str]]] = {}
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(answer_photos.c.audit_id, answer_photos.c.item_id, answer_photos.c.sha256)
            .where(answer_photos.c.audit_id.in_(wanted[start : start + CHUNK]))
            .order_by(answer_photos.c.audit_id, answer_photos.c.item_id, answer_photos.c.position)
        )
        for audit_id, item_id, sha in conn.execute(query):
            found.setdefault(audit_id, {}).setdefault(item_id, []).append(sha)
    return found


def submitted_links(
    conn: Connection, after: int | None = None, upto: int | None = None
) -> Iterator[tuple[int, str, str]]:
    """(audit id, item id, hash) of every photo of the submitted audits ``after < id <=
    upto`` (None: no bound), by audit: what ``verify`` checks against the revisions and the
    media store."""
    query = (
        select(answer_photos.c.audit_id, answer_photos.c.item_id, answer_photos.c.sha256)
        .select_from(answer_photos.join(audits, audits.c.id == answer_photos.c.audit_id))
        .where(audits.c.status == str(AuditStatus.SUBMITTED))
        .order_by(answer_photos.c.audit_id, answer_photos.c.item_id, answer_photos.c.position)
    )
    if after is not None:
        query = query.where(answer_photos.c.audit_id > after)
    if upto is not None:
        query = query.where(answer_photos.c.audit_id <= upto)
    yield from conn.execute(query.execution_options(yield_per=CHUNK))


def linked_hashes(conn: Connection) -> list[str]:
    """Every photo any answer (submitted or draft) carries, once."""
    return list(conn.execute(select(answer_photos.c.sha256).distinct()).scalars())


def photo_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(media)).scalar_one())
