"""Each audit's item scores in one row (``audit_item_scores``): what item-level comparisons read.

Grouping the 2.4 million answers of 40,000 audits by branch and item took about 4 s on
either engine; reading 40,000 rows of 480 bytes and adding them up with numpy takes a tenth
of that. The row is derived data: written in the same transaction as the audit's answers
(``repository.add_audits``, ``trail.replace_current``), rebuilt from the answers by the
upgrade that made it and by a restore, and checked against the answers by ``verify``.

A vector holds one little-endian float64 per item of the audit's checklist version, in the
order of its definition (sections, then items): the answer's stored score (0-1, exactly
as in ``answers.score``), NaN where the answer has no score (N/A, an unscored question),
and ``-inf`` where there is no answer row at all, so the answered-but-unscored rows that
``compare_queries.item_rows`` returns stay apart from the items never answered.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select

from audit_app.errors import AuditAppError
from audit_app.storage.tables import audit_item_scores, audits, checklist_versions

NOT_ANSWERED = float("-inf")
"""The value of an item the audit holds no answer row for."""
_NAN = float("nan")

DTYPE = np.dtype("<f8")
_SWAP = sys.byteorder != "little"
REBUILD_CHUNK = 900
"""Audit ids per ``IN`` list when only some audits are rebuilt (SQLite's parameter limit)."""
REBUILD_SPAN = 5_000
"""Audits per read when all are rebuilt: 300,000 answers of the scale set at a time."""


class VectorError(AuditAppError):
    """A stored item-score vector that cannot be read against its checklist version."""


@dataclass(frozen=True)
class Layout:
    """The item order of one stored checklist version."""

    checklist_id: str
    items: tuple[str, ...]
    position: dict[str, int] = field(compare=False)
    sections: tuple[str, ...] = ()
    """The section order of the version (``section_vectors``)."""

    @classmethod
    def of(cls, checklist_id: str, definition: Mapping[str, Any]) -> Layout:
        """Read from the stored definition as it is (no model validation: a definition an
        older version wrote stays readable)."""
        sections = tuple(definition.get("sections") or ())
        items = tuple(
            str(item["id"]) for section in sections for item in section.get("items") or ()
        )
        return cls(
            checklist_id,
            items,
            {item: i for i, item in enumerate(items)},
            tuple(str(section["id"]) for section in sections),
        )

    def encode(self, answered: Container[str], score_of: Mapping[str, float | None]) -> bytes:
        """The vector of an audit that answered the items ``answered``, item scores by item
        id in ``score_of`` (None: no score); answers to items outside the layout are not
        scored by this version and are left out. About 10 us for 60 items: a bulk load
        encodes 40,000 audits."""
        get = score_of.get
        values = array(
            "d",
            [
                (_NAN if (score := get(item)) is None else score)
                if item in answered
                else NOT_ANSWERED
                for item in self.items
            ],
        )
        if _SWAP:
            values.byteswap()
        return values.tobytes()

    def decode(self, blob: Any, audit_id: int) -> np.ndarray:
        if not isinstance(blob, bytes | memoryview):
            raise VectorError(
                f"audit #{audit_id}: its stored item scores are {type(blob).__name__}, not "
                "bytes; `audit-app verify` names every such audit"
            )
        if len(blob) != len(self.items) * DTYPE.itemsize:
            raise VectorError(
                f"audit #{audit_id}: its stored item scores hold {len(blob)} bytes, not 8 for "
                f"each of the {len(self.items)} items of its checklist version; `audit-app "
                "verify` names every such audit"
            )
        return np.frombuffer(blob, dtype=DTYPE)


class Layouts:
    """Layouts by checklist version id, each read once."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._known: dict[int, Layout] = {}

    def __getitem__(self, version_id: int) -> Layout:
        if version_id not in self._known:
            row = self._conn.execute(
                select(checklist_versions.c.checklist_id, checklist_versions.c.definition).where(
                    checklist_versions.c.id == version_id
                )
            ).one()
            self._known[version_id] = Layout.of(row.checklist_id, row.definition or {})
        return self._known[version_id]


def store(conn: Connection, rows: Sequence[tuple[int, bytes]]) -> None:
    """Insert (audit id, vector) rows through SQLAlchemy (the bulk path is the caller's)."""
    if rows:
        conn.execute(insert(audit_item_scores), [{"audit_id": a, "scores": s} for a, s in rows])


def rebuild(conn: Connection, audit_ids: Sequence[int] | None = None) -> int:
    """Write the vectors of these audits (all audits when None) from their current answers,
    replacing what was stored; returns how many were written. All audits are read in spans
    of ``REBUILD_SPAN`` ids, so memory stays flat for the 2.4 million answers of the scale
    set."""
    layouts = Layouts(conn)
    written = 0
    if audit_ids is None:
        conn.execute(audit_item_scores.delete())
        chunks = rebuild_chunks(conn.execute(select(audits.c.id)).scalars(), whole=True)
    else:
        chunks = rebuild_chunks(audit_ids, whole=False)
    for ids, span in chunks:
        if not span:
            conn.execute(audit_item_scores.delete().where(audit_item_scores.c.audit_id.in_(ids)))
        kept = audits.c.id.between(ids[0], ids[-1]) if span else audits.c.id.in_(ids)
        version_of = dict(
            conn.execute(select(audits.c.id, audits.c.checklist_version_id).where(kept)).all()
        )
        answered = dict(_answered(conn, ids, span))
        rows = []
        for audit_id, version_id in version_of.items():
            scores = answered.get(audit_id, {})
            rows.append((audit_id, layouts[version_id].encode(scores, scores)))
        store(conn, rows)
        written += len(rows)
    return written


def rebuild_chunks(
    audit_ids: Iterable[int], *, whole: bool, span: int = REBUILD_SPAN
) -> list[tuple[list[int], bool]]:
    """The sorted ids in the pieces a rebuild reads: ``span`` ids at a time, read as a
    range, when ``whole`` (every audit); else ``REBUILD_CHUNK`` at a time as an ``IN``
    list. Each piece says which (True: a range)."""
    ids = sorted(set(audit_ids))
    size = span if whole else REBUILD_CHUNK
    return [(ids[start : start + size], whole) for start in range(0, len(ids), size)]


def _answered(
    conn: Connection, ids: list[int], span: bool
) -> Iterator[tuple[int, dict[str, float | None]]]:
    """(audit id, {item id: score}) per audit with answers among ``ids`` (every id from the
    first to the last when ``span``), read through the driver: no SQLAlchemy row per answer."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    params: tuple[int, ...]
    if span:
        where, params = f"audit_id BETWEEN {marker} AND {marker}", (ids[0], ids[-1])
    else:
        where, params = f"audit_id IN ({', '.join(marker for _ in ids)})", tuple(ids)
    cursor = conn.exec_driver_sql(
        f"SELECT audit_id, item_id, score FROM answers WHERE {where} ORDER BY audit_id", params
    )
    for audit_id, group in groupby(cursor, key=lambda r: r[0]):
        yield audit_id, {item_id: score for _a, item_id, score in group}


def stored(
    conn: Connection, after: int | None = None, upto: int | None = None
) -> dict[int, tuple[int, Any]]:
    """The stored vectors of audits ``after < id <= upto`` (None: no bound) with their
    checklist version ids: for ``verify``, which reads a range of audits at a time."""
    query = select(
        audit_item_scores.c.audit_id, audits.c.checklist_version_id, audit_item_scores.c.scores
    ).select_from(audit_item_scores.join(audits, audits.c.id == audit_item_scores.c.audit_id))
    if after is not None:
        query = query.where(audit_item_scores.c.audit_id > after)
    if upto is not None:
        query = query.where(audit_item_scores.c.audit_id <= upto)
    return {
        audit_id: (version_id, bytes(blob) if isinstance(blob, memoryview) else blob)
        for audit_id, version_id, blob in conn.execute(query)
    }


def differences(layout: Layout, blob: Any, answered: Sequence[tuple[str, Any]]) -> list[str]:
    """What a stored vector says that the audit's answers do not (empty when they agree)."""
    if blob is None:
        return ["no item-score vector is stored"]
    if not isinstance(blob, bytes):
        return [f"its item-score vector is stored as {type(blob).__name__}, not bytes"]
    scores = dict(answered)
    expected = layout.encode(scores, scores)
    if blob == expected:  # the common case, without numpy
        return []
    if len(blob) != len(expected):
        return [
            f"its item-score vector holds {len(blob)} bytes, not {len(expected)} "
            f"(8 for each of its {len(layout.items)} items)"
        ]
    want = np.frombuffer(expected, dtype=DTYPE)
    have = np.frombuffer(blob, dtype=DTYPE)
    same = (have == want) | (np.isnan(have) & np.isnan(want))
    return [
        f"item {layout.items[i]} {_shown(have[i])} in its item-score vector, "
        f"{_shown(want[i])} in its answers"
        for i in np.flatnonzero(~same)
    ]


def _shown(value: float) -> str:
    if value == NOT_ANSWERED:
        return "unanswered"
    if np.isnan(value):
        return "no score"
    return f"{value:g}"


__all__ = [
    "DTYPE",
    "NOT_ANSWERED",
    "Layout",
    "Layouts",
    "VectorError",
    "differences",
    "rebuild",
    "rebuild_chunks",
    "store",
    "stored",
]
