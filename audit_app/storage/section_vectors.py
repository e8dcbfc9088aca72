"""Each scored audit's section scores in one row (``audit_section_scores``): what the
comparisons read instead of ``section_scores``.

A ten-times chain's twelve months hold a million section-score rows: PostgreSQL scanned all
3.1 million of the table and the driver handed over a million tuples, 1.2 s before pandas
saw one. The same scores as 130,000 rows of one short blob take a tenth of that. The row is
derived data, like the item-score vector (``item_vectors``): written in the same
transaction as the audit's ``section_scores`` rows (``repository.add_audits``,
``trail.replace_current``), rebuilt from them by the upgrade that made it and by a restore,
and checked against them by ``verify``.

A vector holds two little-endian float64 per section of the audit's checklist version, in
the order of its definition: the section's stored score (0-100, NaN where it has none) and
its weight; both are ``-inf`` where the audit holds no row for the section.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from audit_app.storage import bulk
from audit_app.storage.item_vectors import DTYPE, Layout, Layouts, VectorError, rebuild_chunks
from audit_app.storage.tables import audit_scores, audit_section_scores, audits, section_scores

NO_ROW = float("-inf")
"""Score and weight of a section the audit holds no row for."""
REBUILD_SPAN = 20_000
"""Audits per read when all are rebuilt (120,000 section rows of the scale set)."""

SectionRow = tuple[str, float | None, float]
"""(section id, score or None, weight) as ``section_scores`` holds it."""


def encode(layout: Layout, rows: Iterable[SectionRow]) -> bytes:
    """The vector of an audit whose section rows are ``rows``; a row for a section outside
    the layout has no place in it (``verify`` names such rows from the scores' side)."""
    values = np.full((len(layout.sections), 2), NO_ROW, dtype=DTYPE)
    place = {section: i for i, section in enumerate(layout.sections)}
    for section_id, score, weight in rows:
        at = place.get(section_id)
        if at is not None:
            values[at] = (np.nan if score is None else score, weight)
    return values.tobytes()


def decode_many(layout: Layout, blobs: Sequence[Any], audit_ids: Sequence[int]) -> np.ndarray:
    """The vectors of one version's audits as an array (audits x sections x 2); a blob of
    the wrong type or size raises, naming its audit."""
    width = len(layout.sections) * 2 * DTYPE.itemsize
    for blob, audit_id in zip(blobs, audit_ids, strict=True):
        if not isinstance(blob, bytes | memoryview) or len(blob) != width:
            raise VectorError(
                f"audit #{audit_id}: its stored section scores are {_described(blob)}, not "
                f"{width} bytes (16 for each of the {len(layout.sections)} sections of its "
                "checklist version); `audit-app verify` names every such audit"
            )
    joined = b"".join(blobs)
    return np.frombuffer(joined, dtype=DTYPE).reshape(len(blobs), len(layout.sections), 2)


def _described(blob: Any) -> str:
    if blob is None:
        return "missing"
    if isinstance(blob, bytes | memoryview):
        return f"{len(blob)} bytes"
    return type(blob).__name__


def store(conn: Connection, rows: Sequence[tuple[int, bytes]]) -> None:
    """Insert (audit id, vector) rows: COPY on PostgreSQL, executemany elsewhere."""
    if rows:
        bulk.insert_many(conn, audit_section_scores, ("audit_id", "scores"), rows)


def rebuild(conn: Connection, audit_ids: Sequence[int] | None = None) -> int:
    """Write the vectors of these audits (every scored audit when None) from their
    ``section_scores`` rows, replacing what was stored; returns how many were written.
    Every audit with an overall score (``audit_scores``) gets one, as ``add_audits`` writes
    it, even one without section rows (all absent)."""
    layouts = Layouts(conn)
    if audit_ids is None:
        conn.execute(audit_section_scores.delete())
        every = conn.execute(select(audit_scores.c.audit_id)).scalars()
        chunks = rebuild_chunks(every, whole=True, span=REBUILD_SPAN)
    else:
        chunks = rebuild_chunks(audit_ids, whole=False)
    written = 0
    for ids, span in chunks:
        if not span:
            conn.execute(
                audit_section_scores.delete().where(audit_section_scores.c.audit_id.in_(ids))
            )
        kept = (
            audit_scores.c.audit_id.between(ids[0], ids[-1])
            if span
            else audit_scores.c.audit_id.in_(ids)
        )
        by_audit: dict[int, tuple[int, list[SectionRow]]] = {}
        for audit_id, version_id, section_id, score, weight in conn.execute(
            select(
                audit_scores.c.audit_id,
                audits.c.checklist_version_id,
                section_scores.c.section_id,
                section_scores.c.score,
                section_scores.c.weight,
            )
            .select_from(
                audit_scores.join(audits, audits.c.id == audit_scores.c.audit_id).outerjoin(
                    section_scores, section_scores.c.audit_id == audit_scores.c.audit_id
                )
            )
            .where(kept)
        ):
            sections = by_audit.setdefault(audit_id, (version_id, []))[1]
            if section_id is not None:
                sections.append((section_id, score, weight))
        rows = [
            (audit_id, encode(layouts[version_id], sections))
            for audit_id, (version_id, sections) in sorted(by_audit.items())
        ]
        store(conn, rows)
        written += len(rows)
    return written


def stored(conn: Connection, after: int | None = None, upto: int | None = None) -> dict[int, Any]:
    """The stored vectors of audits ``after < id <= upto`` (None: no bound): for ``verify``."""
    query = select(audit_section_scores.c.audit_id, audit_section_scores.c.scores)
    if after is not None:
        query = query.where(audit_section_scores.c.audit_id > after)
    if upto is not None:
        query = query.where(audit_section_scores.c.audit_id <= upto)
    return {
        audit_id: bytes(blob) if isinstance(blob, memoryview) else blob
        for audit_id, blob in conn.execute(query)
    }


def differences(
    layout: Layout, blob: Any, rows: Sequence[SectionRow], *, scored: bool = True
) -> list[str]:
    """What a stored vector says that the audit's section scores do not (empty when they
    agree). A scored audit (one with an overall score) must have a vector; an unscored one
    with no section rows needs none."""
    if blob is None:
        return ["no section-score vector is stored"] if scored or rows else []
    if not isinstance(blob, bytes):
        return [f"its section-score vector is stored as {type(blob).__name__}, not bytes"]
    expected = encode(layout, rows)
    if blob == expected:
        return []
    if len(blob) != len(expected):
        return [
            f"its section-score vector holds {len(blob)} bytes, not {len(expected)} "
            f"(16 for each of its {len(layout.sections)} sections)"
        ]
    want = np.frombuffer(expected, dtype=DTYPE).reshape(-1, 2)
    have = np.frombuffer(blob, dtype=DTYPE).reshape(-1, 2)
    same = ((have == want) | (np.isnan(have) & np.isnan(want))).all(axis=1)
    return [
        f"section {layout.sections[i]} {_shown(have[i])} in its section-score vector, "
        f"{_shown(want[i])} in its section scores"
        for i in np.flatnonzero(~same)
    ]


def _shown(pair: np.ndarray) -> str:
    score, weight = float(pair[0]), float(pair[1])
    if weight == NO_ROW:
        return "absent"
    return f"{'no score' if np.isnan(score) else f'{score:g}'} (weight {weight:g})"


__all__ = [
    "NO_ROW",
    "SectionRow",
    "decode_many",
    "differences",
    "encode",
    "rebuild",
    "store",
    "stored",
]
