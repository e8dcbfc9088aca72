"""Auditors in the database, and the links from audits and planned visits to them.

``audits.auditor`` keeps the name as written and sealed; ``audits.auditor_id`` is the link
this module writes and moves (the ledger leaves it out of the seals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from audit_app.domain.auditors import DEFAULT_KIND, Auditor, AuditorKind, display_name, name_key
from audit_app.domain.bounds import NAME_COLUMN_CHARS
from audit_app.storage.repository import utcnow
from audit_app.storage.tables import auditors, audits, planned_visits

_FIELDS = (
    auditors.c.id,
    auditors.c.name,
    auditors.c.kind,
    auditors.c.organisation,
    auditors.c.email,
    auditors.c.username,
    auditors.c.areas,
    auditors.c.active,
    auditors.c.merged_into,
)


def stored_key(name: str) -> str:
    """:func:`name_key` held to the column (case folding can lengthen a name: ß -> ss)."""
    return name_key(name)[:NAME_COLUMN_CHARS]


def _auditor(row: Any) -> Auditor:
    return Auditor(
        id=row.id,
        name=row.name,
        kind=AuditorKind(row.kind),
        organisation=row.organisation or "",
        email=row.email or "",
        username=row.username,
        areas=tuple(row.areas or ()),
        active=bool(row.active),
        merged_into=row.merged_into,
    )


def all_auditors(conn: Connection, *, include_merged: bool = False) -> list[Auditor]:
    """Every auditor by name (merged ones only when asked)."""
    query = select(*_FIELDS).order_by(auditors.c.name_key, auditors.c.id)
    if not include_merged:
        query = query.where(auditors.c.merged_into.is_(None))
    return [_auditor(row) for row in conn.execute(query)]


def get(conn: Connection, auditor_id: int) -> Auditor | None:
    row = conn.execute(select(*_FIELDS).where(auditors.c.id == auditor_id)).first()
    return None if row is None else _auditor(row)


def by_key(conn: Connection, name: str) -> Auditor | None:
    """The auditor whose key is the name's (merged or not)."""
    row = conn.execute(select(*_FIELDS).where(auditors.c.name_key == stored_key(name))).first()
    return None if row is None else _auditor(row)


def by_username(conn: Connection, username: str) -> Auditor | None:
    row = conn.execute(
        select(*_FIELDS)
        .where(func.lower(auditors.c.username) == username.lower())
        .where(auditors.c.merged_into.is_(None))
        .order_by(auditors.c.id)
    ).first()
    return None if row is None else _auditor(row)


def final(conn: Connection, auditor: Auditor) -> Auditor:
    """The auditor itself, or the one it was merged into (following a chain of merges)."""
    seen = {auditor.id}
    while auditor.merged_into is not None:
        kept = get(conn, auditor.merged_into)
        if kept is None or kept.id in seen:
            break
        seen.add(kept.id)
        auditor = kept
    return auditor


def add(
    conn: Connection,
    name: str,
    *,
    kind: AuditorKind = DEFAULT_KIND,
    organisation: str = "",
    email: str = "",
    username: str | None = None,
    areas: Sequence[str] = (),
    active: bool = True,
) -> int:
    now = utcnow()
    return int(
        conn.execute(
            insert(auditors)
            .values(
                name=display_name(name),
                name_key=stored_key(name),
                kind=kind.value,
                organisation=organisation,
                email=email,
                username=username or None,
                areas=list(areas),
                active=active,
                merged_into=None,
                created_at=now,
                updated_at=now,
            )
            .returning(auditors.c.id)
        ).scalar_one()
    )


def change(conn: Connection, auditor_id: int, **values: Any) -> bool:
    """Update fields of one auditor (a new name gets its new key); False when there is none."""
    if "name" in values:
        values["name_key"] = stored_key(values["name"])
        values["name"] = display_name(values["name"])
    if "kind" in values:
        values["kind"] = AuditorKind(values["kind"]).value
    if "areas" in values:
        values["areas"] = list(values["areas"])
    result = conn.execute(
        update(auditors).where(auditors.c.id == auditor_id).values(updated_at=utcnow(), **values)
    )
    return result.rowcount > 0


def merge(conn: Connection, source_id: int, into_id: int) -> tuple[int, int]:
    """Move every audit and planned visit of ``source_id`` (and of auditors merged into it
    before) to ``into_id`` and mark the source merged; returns (audits, planned visits)."""
    earlier = [source_id, *_merged_into(conn, source_id)]
    moved = conn.execute(
        update(audits).where(audits.c.auditor_id.in_(earlier)).values(auditor_id=into_id)
    ).rowcount
    planned = conn.execute(
        update(planned_visits)
        .where(planned_visits.c.auditor_id.in_(earlier))
        .values(auditor_id=into_id)
    ).rowcount
    now = utcnow()
    conn.execute(
        update(auditors)
        .where(auditors.c.id.in_(earlier))
        .values(merged_into=into_id, active=False, updated_at=now)
    )
    return int(moved), int(planned)


def _merged_into(conn: Connection, auditor_id: int) -> list[int]:
    """Every auditor merged (directly or through others) into this one."""
    found: list[int] = []
    frontier = [auditor_id]
    while frontier:
        rows = list(
            conn.execute(
                select(auditors.c.id).where(auditors.c.merged_into.in_(frontier))
            ).scalars()
        )
        rows = [r for r in rows if r not in found and r != auditor_id]
        found.extend(rows)
        frontier = rows
    return found


def link(conn: Connection, audit_ids_of: Mapping[int, Iterable[int]]) -> None:
    """Set ``audits.auditor_id``: {auditor id: the audits that are theirs}."""
    for auditor_id, audit_ids in audit_ids_of.items():
        ids = list(audit_ids)
        for start in range(0, len(ids), 1000):
            conn.execute(
                update(audits)
                .where(audits.c.id.in_(ids[start : start + 1000]))
                .values(auditor_id=auditor_id)
            )


def unlinked_names(conn: Connection) -> dict[str, list[int]]:
    """{name as written: audit ids} of the audits not linked to an auditor yet."""
    found: dict[str, list[int]] = {}
    for audit_id, name in conn.execute(
        select(audits.c.id, audits.c.auditor)
        .where(audits.c.auditor_id.is_(None))
        .order_by(audits.c.id)
    ):
        found.setdefault(name, []).append(audit_id)
    return found


def current_names(conn: Connection) -> dict[int, str]:
    """{auditor id: the name of the person it is now}: a merged auditor's is the name of
    the one it was merged into (through every merge)."""
    rows = {row.id: (row.name, row.merged_into) for row in conn.execute(select(*_FIELDS))}
    names: dict[int, str] = {}
    for auditor_id in rows:
        current, seen = auditor_id, {auditor_id}
        while (kept := rows[current][1]) is not None and kept in rows and kept not in seen:
            seen.add(kept)
            current = kept
        names[auditor_id] = rows[current][0]
    return names


def audit_count(conn: Connection) -> dict[int, int]:
    """{auditor id: audits linked to it}."""
    return {
        auditor_id: count
        for auditor_id, count in conn.execute(
            select(audits.c.auditor_id, func.count())
            .where(audits.c.auditor_id.is_not(None))
            .group_by(audits.c.auditor_id)
        )
    }


def stamp(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever an auditor is added, renamed or merged (for cached comparisons)."""
    return tuple(
        conn.execute(
            select(func.count(), func.max(auditors.c.updated_at)).select_from(auditors)
        ).one()
    )
