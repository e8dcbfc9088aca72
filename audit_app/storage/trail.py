"""The tamper-evident trail of submitted audits: each revision's content as plain data, a hash
of it, a chain per audit and a chain over every submission in order.

The content is built from the stored representation (answer values as stored text), so the
current rows of an audit can be compared with its latest revision at any time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from audit_app.errors import AuditAppError
from audit_app.storage import (
    branch_sums,
    bulk,
    database,
    item_sums,
    item_vectors,
    ledger,
    section_vectors,
)
from audit_app.storage.tables import (
    answer_photos,
    answers,
    appeals,
    audit_revisions,
    audit_scores,
    audits,
    branches,
    section_scores,
)

VISIT_FIELDS = (
    "branch_code",
    "checklist_id",
    "checklist_version",
    "visited_at",
    "auditor",
    "kind",
    "channel",
    "language",
    "source_hash",
    "visit_reference",
)
AnswerRow = tuple[str, str | None, bool, str | None]
"""(item id, value as stored text, not applicable, comment)."""
PhotoRows = Mapping[str, Sequence[str]]
"""Each answer's photo hashes, in order, by item id."""


def iso(moment: datetime | None) -> str | None:
    """A wall-clock time as text, without a zone (the database keeps none)."""
    return None if moment is None else moment.replace(tzinfo=None).isoformat()


def revision_content(
    visit: dict[str, Any],
    answer_rows: Iterable[AnswerRow],
    *,
    revision: int,
    by: str | None,
    at: datetime,
    reason: str | None,
    photos: PhotoRows | None = None,
) -> dict[str, Any]:
    """What a revision says: the visit, its answers by item id, the hashes of their photos,
    and who made it, when, why. The visit's reference and the photos are said only when
    there are some, so that revisions written before they existed keep their fingerprints."""
    reference = visit.get("visit_reference")
    shown_photos = sealed_photos(photos)
    return {
        "visit": {
            "branch_code": visit["branch_code"],
            "checklist_id": visit["checklist_id"],
            "checklist_version": int(visit["checklist_version"]),
            "visited_at": iso(visit["visited_at"])
            if isinstance(visit["visited_at"], datetime)
            else visit["visited_at"],
            "auditor": visit["auditor"],
            "kind": str(visit["kind"]),
            "channel": None if visit["channel"] is None else str(visit["channel"]),
            "language": visit["language"],
            "source_hash": visit["source_hash"],
            **({"visit_reference": reference} if reference is not None else {}),
        },
        "answers": [
            [item_id, value, bool(na), comment]
            for item_id, value, na, comment in sorted(answer_rows, key=lambda row: row[0])
        ],
        "revision": revision,
        "by": by,
        "at": iso(at),
        "reason": reason,
        **({"photos": shown_photos} if shown_photos else {}),
    }


def sealed_photos(photos: PhotoRows | None) -> list[list[Any]]:
    """Photos as a revision seals them: ``[[item id, [hash, ...]], ...]`` by item id."""
    return [[item_id, list(hashes)] for item_id, hashes in sorted((photos or {}).items()) if hashes]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256(canonical)


def link(previous: str | None, current: str) -> str:
    """One step of a chain: the hash of the previous link followed by this one."""
    return sha256((previous or "") + current)


@dataclass(frozen=True)
class Seal:
    audit_id: int
    revision: int
    created_at: datetime
    created_by: str | None
    reason: str | None
    content: dict[str, Any]
    previous_audit_hash: str | None = None


def chain_head(conn: Connection) -> tuple[int, str | None]:
    """The last sequence number and chain hash (0 and None before the first submission)."""
    row = conn.execute(
        select(audit_revisions.c.sequence, audit_revisions.c.chain_hash)
        .order_by(audit_revisions.c.sequence.desc())
        .limit(1)
    ).first()
    return (0, None) if row is None else (int(row.sequence), row.chain_hash)


def chained_rows(seals: Sequence[Seal], head: tuple[int, str | None]) -> list[dict[str, Any]]:
    """The ``audit_revisions`` rows for ``seals``, continuing the chain from ``head``."""
    sequence, chain = head
    rows = []
    for seal in seals:
        digest = content_hash(seal.content)
        audit_hash = link(seal.previous_audit_hash, digest)
        sequence += 1
        chain = link(chain, audit_hash)
        rows.append(
            {
                "audit_id": seal.audit_id,
                "revision": seal.revision,
                "created_at": seal.created_at,
                "created_by": seal.created_by,
                "reason": seal.reason,
                "content": seal.content,
                "content_hash": digest,
                "audit_hash": audit_hash,
                "sequence": sequence,
                "chain_hash": chain,
            }
        )
    return rows


REVISION_COLUMNS = (
    "audit_id",
    "revision",
    "created_at",
    "created_by",
    "reason",
    "content",
    "content_hash",
    "audit_hash",
    "sequence",
    "chain_hash",
)


def append(conn: Connection, seals: Sequence[Seal]) -> list[dict[str, Any]]:
    """Write revisions in order at the end of the global chain; returns the rows written."""
    if not seals:
        return []
    database.lock(conn, database.CHAIN_LOCK)  # one writer at a time extends the chain
    rows = chained_rows(seals, chain_head(conn))
    if bulk.worth_copying(conn, len(rows)):  # a bulk load writes hundreds of thousands
        bulk.insert_many(
            conn,
            audit_revisions,
            REVISION_COLUMNS,
            [
                tuple(
                    bulk.json_text(row[c]) if c == "content" else row[c] for c in REVISION_COLUMNS
                )
                for row in rows
            ],
        )
    else:
        conn.execute(insert(audit_revisions), rows)
    ledger.seal_where(
        conn,
        audit_revisions,
        audit_revisions.c.sequence.between(rows[0]["sequence"], rows[-1]["sequence"]),
    )
    return rows


class ChangedSinceSealed(AuditAppError):
    """An audit's current answers or visit differ from its latest revision: they were
    changed outside the app, and a correction would seal that change as its own."""


def check_matches_revision(conn: Connection, audit_id: int, last: dict[str, Any]) -> None:
    """Before a correction: the audit as stored now must be its latest revision."""
    visit = current_visit(conn, audit_id)
    if visit is None:
        return
    now = revision_content(
        visit,
        current_answers(conn, audit_id),
        revision=0,
        by=None,
        at=utcnow(),
        reason=None,
        photos=current_photos(conn, audit_id),
    )
    sealed = last["content"] if isinstance(last["content"], dict) else {}
    sealed_visit = sealed.get("visit") or {}
    visit_now = {key: now["visit"].get(key) for key in VISIT_FIELDS}
    visit_then = {key: sealed_visit.get(key) for key in VISIT_FIELDS}
    answers_then = [list(answer) for answer in sealed.get("answers") or []]
    photos_then = sealed.get("photos") or []
    if (
        visit_now != visit_then
        or now["answers"] != answers_then
        or now.get("photos", []) != photos_then
    ):
        raise ChangedSinceSealed(
            f"audit #{audit_id}: its stored answers or visit no longer match revision "
            f"{last['revision']}, so they were changed outside the app and nothing was "
            "written; run audit-app verify"
        )


def current_visit(conn: Connection, audit_id: int) -> dict[str, Any] | None:
    """An audit's visit fields as stored now, with its branch code."""
    row = conn.execute(
        select(audits, branches.c.code.label("branch_code"))
        .select_from(audits.join(branches, branches.c.id == audits.c.branch_id))
        .where(audits.c.id == audit_id)
    ).first()
    return None if row is None else dict(row._mapping)


def current_answers(conn: Connection, audit_id: int) -> list[AnswerRow]:
    query = select(answers.c.item_id, answers.c.value, answers.c.na, answers.c.comment).where(
        answers.c.audit_id == audit_id
    )
    return [(i, v, bool(n), c) for i, v, n, c in conn.execute(query)]


def current_photos(conn: Connection, audit_id: int) -> dict[str, list[str]]:
    """An audit's photo hashes as stored now, by item id, in order."""
    query = (
        select(answer_photos.c.item_id, answer_photos.c.sha256)
        .where(answer_photos.c.audit_id == audit_id)
        .order_by(answer_photos.c.item_id, answer_photos.c.position)
    )
    photos: dict[str, list[str]] = {}
    for item_id, sha in conn.execute(query):
        photos.setdefault(item_id, []).append(sha)
    return photos


def last_revision(conn: Connection, audit_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(audit_revisions)
        .where(audit_revisions.c.audit_id == audit_id)
        .order_by(audit_revisions.c.revision.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(row._mapping)


def revisions_of(conn: Connection, audit_id: int) -> list[dict[str, Any]]:
    query = (
        select(audit_revisions)
        .where(audit_revisions.c.audit_id == audit_id)
        .order_by(audit_revisions.c.revision)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def replace_current(
    conn: Connection,
    audit_id: int,
    rows: Sequence[tuple[str, str | None, bool, str | None, float | None]],
    overall: dict[str, Any],
    sections: Sequence[tuple[str, float | None, float]],
    revision: int,
) -> None:
    """Make ``rows`` (item id, value text, N/A, comment, item score) the audit's current
    answers, with its item-score vector, its share of the item summaries and new overall and
    section scores: what every query reads."""
    ledger.check_unchanged(conn, audits, [audit_id])
    with item_sums.kept(conn, [audit_id]):
        conn.execute(answers.delete().where(answers.c.audit_id == audit_id))
        if rows:
            conn.execute(
                insert(answers),
                [
                    {
                        "audit_id": audit_id,
                        "item_id": item_id,
                        "value": value,
                        "na": na,
                        "comment": comment,
                        "score": score,
                    }
                    for item_id, value, na, comment, score in rows
                ],
            )
        item_vectors.rebuild(conn, [audit_id])
    with branch_sums.kept(conn, [audit_id]):
        conn.execute(audit_scores.delete().where(audit_scores.c.audit_id == audit_id))
        conn.execute(insert(audit_scores).values(audit_id=audit_id, **overall))
    conn.execute(section_scores.delete().where(section_scores.c.audit_id == audit_id))
    if sections:
        conn.execute(
            insert(section_scores),
            [
                {"audit_id": audit_id, "section_id": s, "score": score, "weight": weight}
                for s, score, weight in sections
            ],
        )
    section_vectors.rebuild(conn, [audit_id])
    conn.execute(update(audits).where(audits.c.id == audit_id).values(revision=revision))
    ledger.seal(conn, audits, [audit_id])


def add_appeal(conn: Connection, audit_id: int, by: str | None, reason: str) -> int:
    added: int = conn.execute(
        insert(appeals)
        .values(audit_id=audit_id, raised_at=utcnow(), raised_by=by, reason=reason, status="open")
        .returning(appeals.c.id)
    ).scalar_one()
    ledger.seal(conn, appeals, [added])
    return added


def appeal_rows(conn: Connection, audit_id: int | None = None) -> list[dict[str, Any]]:
    query = select(appeals).order_by(appeals.c.id)
    if audit_id is not None:
        query = query.where(appeals.c.audit_id == audit_id)
    return [dict(row._mapping) for row in conn.execute(query)]


def appeal_row(conn: Connection, appeal_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(appeals).where(appeals.c.id == appeal_id)).first()
    return None if row is None else dict(row._mapping)


def close_appeal(
    conn: Connection,
    appeal_id: int,
    status: str,
    by: str | None,
    resolution: str,
    revision: int | None,
) -> None:
    ledger.check_unchanged(conn, appeals, [appeal_id])
    conn.execute(
        update(appeals)
        .where(appeals.c.id == appeal_id)
        .values(
            status=status,
            resolved_at=utcnow(),
            resolved_by=by,
            resolution=resolution,
            revision=revision,
        )
    )
    ledger.seal(conn, appeals, [appeal_id])


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
