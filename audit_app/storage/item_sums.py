"""Item summaries kept on write (``item_month_sums``): what item comparisons add up, added
up once, when an audit is written.

One row per branch, checklist, item, month of the visit ('YYYY-MM'), kind and channel
('' for none) holds, over the submitted audits, the scored answers (``n``), the sum and sum
of squares of their 0-1 item scores (exactly what ``compare_queries.item_cells`` adds up
from the item-score vectors) and how many failed (the corrective-action test of the audit's
checklist version, as repeated failures count them). Every write that changes what an audit
counts for changes the rows in the same transaction: new audits (``repository.add_audits``)
add theirs, a revision (``trail.replace_current``) or a deleted draft subtracts the old
share and adds the new (:func:`kept`). Increments are ``INSERT ... ON CONFLICT DO UPDATE
SET n = n + excluded.n``, keys in one order, so two sessions adding to one branch and month
at once both count; a batch is added up in numpy first, so a bulk import is a few
statements. Rows that come back to nothing are deleted. The upgrade that made the table and
a restore rebuild it from the vectors (:func:`rebuild`); ``verify`` recomputes it
(:func:`recomputed`) and names every row that differs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, func, select, true

from audit_app.domain.actions import action_threshold
from audit_app.domain.audit import AuditStatus
from audit_app.domain.checklist import Checklist
from audit_app.storage import item_vectors
from audit_app.storage.tables import audit_item_scores, audits, checklist_versions, item_month_sums

KEY = ("branch_id", "checklist_id", "item_id", "month", "kind", "channel")
VALUES = ("n", "total", "total_sq", "failed")
COLUMNS = [*KEY, *VALUES]
SPAN = 5_000
"""Audits per read when every audit is added up (the scale set's 40,000 in eight reads)."""
_CHUNK = 900
"""Audit ids per ``IN`` list (SQLite's parameter limit)."""

Share = tuple[int, int, str, str, str, Any, int]
"""One audit's part: (branch id, checklist version id, month, kind, channel, its item-score
vector, +1 to add it or -1 to take it away)."""


def month_of(moment: date) -> str:
    """The month a visit counts in, as the database's ``substr``/``to_char`` gives it."""
    return f"{moment.year:04d}-{moment.month:02d}"


def channel_key(channel: str | None) -> str:
    return "" if channel is None else str(channel)


class Limits:
    """Per checklist version, the score below which each item fails (aligned with its
    layout's items): ``domain.actions.action_threshold`` of the stored definition; full
    marks for a definition that no longer validates."""

    def __init__(self, conn: Connection, layouts: item_vectors.Layouts) -> None:
        self._conn = conn
        self._layouts = layouts
        self._known: dict[int, np.ndarray] = {}

    def __getitem__(self, version_id: int) -> np.ndarray:
        if version_id not in self._known:
            layout = self._layouts[version_id]
            definition = self._conn.execute(
                select(checklist_versions.c.definition).where(checklist_versions.c.id == version_id)
            ).scalar_one()
            try:
                checklist = Checklist.model_validate(definition)
                own = {
                    item.id: action_threshold(checklist.policy, item) for item in checklist.items
                }
            except ValueError:
                own = {}
            self._known[version_id] = np.array(
                [own.get(item, 1.0) for item in layout.items], dtype=float
            )
        return self._known[version_id]


def summed(conn: Connection, shares: Sequence[Share]) -> pd.DataFrame:
    """The shares added up per key (:data:`COLUMNS`), rows that come to nothing left out."""
    layouts = item_vectors.Layouts(conn)
    limits = Limits(conn, layouts)
    by_version: dict[int, list[Share]] = {}
    for share in shares:
        by_version.setdefault(share[1], []).append(share)
    parts = [
        part
        for version_id, mine in sorted(by_version.items())
        if not (part := _block(layouts[version_id], limits[version_id], mine)).empty
    ]
    if not parts:
        return _empty()
    frame = pd.concat(parts, ignore_index=True)
    if len(parts) > 1:  # versions of one checklist share items, branches and months
        frame = frame.groupby(list(KEY), as_index=False, sort=False)[list(VALUES)].sum()
        frame = frame[(frame[list(VALUES)] != 0).any(axis=1)]
    return frame.reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS})


def _block(layout: item_vectors.Layout, limit: np.ndarray, shares: list[Share]) -> pd.DataFrame:
    width = len(layout.items) * item_vectors.DTYPE.itemsize
    blobs = []
    for share in shares:
        blob = share[5]
        if isinstance(blob, np.ndarray):
            blob = blob.astype(item_vectors.DTYPE).tobytes()
        elif not isinstance(blob, bytes | memoryview) or len(blob) != width:
            raise item_vectors.VectorError(
                f"an item-score vector of checklist {layout.checklist_id} does not fit its "
                f"version ({width} bytes expected); `audit-app verify` names every such audit"
            )
        blobs.append(blob)
    scores = np.frombuffer(b"".join(blobs), dtype=item_vectors.DTYPE).reshape(len(shares), -1)
    groups: dict[tuple[int, str, str, str], int] = {}
    group = np.fromiter(
        (groups.setdefault((s[0], s[2], s[3], s[4]), len(groups)) for s in shares),
        dtype=np.int64,
        count=len(shares),
    )
    sign = np.fromiter((s[6] for s in shares), dtype=np.int64, count=len(shares))[:, None]
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0])
    scores, sign = scores[order], sign[order]
    scored = np.isfinite(scores)
    values = np.where(scored, scores, 0.0)
    failed = scored & (values < 1.0) & (values < limit)
    n = np.add.reduceat(scored * sign, starts, axis=0)
    total = np.add.reduceat(values * sign, starts, axis=0)
    squares = np.add.reduceat(values * values * sign, starts, axis=0)
    fails = np.add.reduceat(failed * sign, starts, axis=0)
    row, item = np.nonzero((n != 0) | (total != 0) | (squares != 0) | (fails != 0))
    keys = list(groups)
    group_of = row.tolist()  # every group has a member: reduced row g is group g
    return pd.DataFrame(
        {
            "branch_id": np.array([keys[g][0] for g in group_of], dtype=np.int64),
            "checklist_id": layout.checklist_id,
            "item_id": np.asarray(layout.items, dtype=object)[item],
            "month": [keys[g][1] for g in group_of],
            "kind": [keys[g][2] for g in group_of],
            "channel": [keys[g][3] for g in group_of],
            "n": n[row, item],
            "total": total[row, item],
            "total_sq": squares[row, item],
            "failed": fails[row, item],
        }
    )


def add(conn: Connection, shares: Sequence[Share]) -> None:
    """Add (or take away) these audits' shares to the stored rows."""
    apply(conn, summed(conn, shares))


_COLUMN_LIST = ", ".join(COLUMNS)
_CONFLICT = f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET " + ", ".join(
    f"{v} = item_month_sums.{v} + excluded.{v}" for v in VALUES
)
_PG_TYPES = ("integer", *("text",) * 5, "integer", "float8", "float8", "integer")


def apply(conn: Connection, changes: pd.DataFrame) -> None:
    """Add ``changes`` (:data:`COLUMNS`) to the stored rows, keys in sorted order (so two
    sessions lock shared rows in the same order), then delete the rows they brought back to
    nothing."""
    if changes.empty:
        return
    changes = changes.sort_values(list(KEY), ignore_index=True)
    columns: list[list[Any]] = [
        changes["branch_id"].astype(np.int64).tolist(),
        *(changes[name].astype(str).tolist() for name in KEY[1:]),
        changes["n"].astype(np.int64).tolist(),
        changes["total"].astype(float).tolist(),
        changes["total_sq"].astype(float).tolist(),
        changes["failed"].astype(np.int64).tolist(),
    ]
    if conn.dialect.name == "postgresql":
        _upsert_postgresql(conn, columns)
        marker = "%s"
    else:
        markers = ", ".join("?" for _ in COLUMNS)
        conn.exec_driver_sql(
            f"INSERT INTO item_month_sums ({_COLUMN_LIST}) VALUES ({markers}) " + _CONFLICT,
            list(zip(*columns, strict=True)),
        )
        marker = "?"
    fell = changes["n"].to_numpy() < 0
    if fell.any():
        where = " AND ".join(f"{name} = {marker}" for name in KEY)
        keys = list(zip(*(column for column in columns[: len(KEY)]), strict=True))
        conn.exec_driver_sql(
            f"DELETE FROM item_month_sums WHERE {where} AND n = 0 AND failed = 0",
            [key for key, down in zip(keys, fell.tolist(), strict=True) if down],
        )


COPY_FROM = 2_000
"""Rows from which PostgreSQL receives a change by ``COPY`` into a temporary table: a
loader's chunk of 2,000 scale audits (280,000 rows) took 6.4 s as arrays through
``unnest``, 3.6 s by ``COPY`` and ``INSERT ... SELECT``."""


def _upsert_postgresql(conn: Connection, columns: list[list[Any]]) -> None:
    if len(columns[0]) < COPY_FROM or conn.dialect.driver != "psycopg":
        arrays = ", ".join(f"%s::{kind}[]" for kind in _PG_TYPES)
        conn.exec_driver_sql(
            f"INSERT INTO item_month_sums ({_COLUMN_LIST}) SELECT * FROM unnest({arrays}) "
            + _CONFLICT,
            tuple(columns),
        )
        return
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS item_month_sums_change "
        "(LIKE item_month_sums) ON COMMIT DROP"
    )
    cursor = conn.connection.cursor()
    try:
        with cursor.copy(f"COPY item_month_sums_change ({_COLUMN_LIST}) FROM STDIN") as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)
    finally:
        cursor.close()
    conn.exec_driver_sql(
        f"INSERT INTO item_month_sums ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} FROM "
        f"item_month_sums_change ORDER BY {', '.join(KEY)} " + _CONFLICT
    )
    conn.exec_driver_sql("DELETE FROM item_month_sums_change")  # a second batch this transaction


def shares_of(conn: Connection, audit_ids: Sequence[int], sign: int) -> list[Share]:
    """The shares of these audits as stored now (only submitted audits have one)."""
    ids = sorted({int(i) for i in audit_ids})
    found: list[Share] = []
    for start in range(0, len(ids), _CHUNK):
        found += _read(conn, audits.c.id.in_(ids[start : start + _CHUNK]), sign)
    return found


def _read(conn: Connection, condition: Any, sign: int) -> list[Share]:
    query = (
        select(
            audits.c.branch_id,
            audits.c.checklist_version_id,
            visit_month(conn),
            audits.c.kind,
            func.coalesce(audits.c.channel, ""),
            audit_item_scores.c.scores,
        )
        .select_from(audits.join(audit_item_scores, audit_item_scores.c.audit_id == audits.c.id))
        .where(condition, audits.c.status == str(AuditStatus.SUBMITTED))
    )
    result = conn.execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return [(b, v, m, k, c, s, sign) for b, v, m, k, c, s in rows]


def visit_month(conn: Connection) -> Any:
    """The visit's month as 'YYYY-MM' (:func:`month_of` in SQL; SQLite keeps datetimes as
    ISO text): the month every summary and comparison counts a visit in."""
    if conn.dialect.name == "postgresql":
        return func.to_char(audits.c.visited_at, "YYYY-MM")
    return func.substr(audits.c.visited_at, 1, 7)


@contextmanager
def kept(conn: Connection, audit_ids: Sequence[int]) -> Iterator[None]:
    """Around a change of these audits (answers, vectors, visit, status, or their deletion):
    their shares before are taken away and their shares after added, in the caller's
    transaction."""
    before = shares_of(conn, audit_ids, -1)
    yield
    add(conn, before + shares_of(conn, audit_ids, 1))


def _spans(conn: Connection) -> Iterator[list[Share]]:
    """The shares of every submitted audit, read for a range of branches at a time (about
    :data:`SPAN` audits): no key is in two reads, so the reads' sums need no adding up."""
    submitted = audits.c.status == str(AuditStatus.SUBMITTED)
    counts = conn.execute(
        select(audits.c.branch_id, func.count())
        .where(submitted)
        .group_by(audits.c.branch_id)
        .order_by(audits.c.branch_id)
    ).all()
    first: int | None = None
    size = 0
    for branch_id, count in counts:
        first = branch_id if first is None else first
        size += count
        if size >= SPAN or branch_id == counts[-1][0]:
            yield _read(conn, audits.c.branch_id.between(first, branch_id), 1)
            first, size = None, 0


def rebuild(conn: Connection) -> int:
    """Every row again from the item-score vectors of the submitted audits (which must be
    current: ``item_vectors.rebuild`` first); returns the rows stored."""
    conn.execute(item_month_sums.delete())
    for shares in _spans(conn):
        add(conn, shares)
    return int(conn.execute(select(func.count()).select_from(item_month_sums)).scalar_one())


def recomputed(conn: Connection) -> pd.DataFrame:
    """What the rows should hold (:data:`COLUMNS`), from the vectors: for ``verify``."""
    parts = [part for shares in _spans(conn) if not (part := summed(conn, shares)).empty]
    return pd.concat(parts, ignore_index=True) if parts else _empty()


BranchSpan = tuple[int | None, int | None]
"""Branch ids ``after < id <= upto``; None: no bound."""


def branch_spans(conn: Connection, size: int = SPAN) -> list[BranchSpan]:
    """Ranges of branch ids that together cover every branch id, each holding about ``size``
    submitted audits (the last one open-ended): ``verify`` compares the rows one range at a
    time, so its memory does not grow with the branches."""
    counts = conn.execute(
        select(audits.c.branch_id, func.count())
        .where(audits.c.status == str(AuditStatus.SUBMITTED))
        .group_by(audits.c.branch_id)
        .order_by(audits.c.branch_id)
    ).all()
    spans: list[BranchSpan] = []
    after: int | None = None
    count = 0
    for branch_id, audits_there in counts:
        count += audits_there
        if count >= size:
            spans.append((after, int(branch_id)))
            after, count = int(branch_id), 0
    spans.append((after, None))
    return spans


def _between(column: Any, span: BranchSpan) -> list[Any]:
    after, upto = span
    return [
        *(() if after is None else (column > after,)),
        *(() if upto is None else (column <= upto,)),
    ]


def recomputed_in(conn: Connection, span: BranchSpan) -> pd.DataFrame:
    """What the rows of these branches should hold (:data:`COLUMNS`), from the vectors."""
    return summed(conn, _read(conn, and_(true(), *_between(audits.c.branch_id, span)), 1))


def stored_in(conn: Connection, span: BranchSpan) -> list[tuple[Any, ...]]:
    """The stored rows of these branches (:data:`COLUMNS`), as the driver gives them (a
    frame of a whole range took longer to make than to read)."""
    query = select(*(item_month_sums.c[name] for name in COLUMNS)).where(
        *_between(item_month_sums.c.branch_id, span)
    )
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def stored(conn: Connection) -> pd.DataFrame:
    """Every stored row (:data:`COLUMNS`)."""
    result = conn.execute(select(*(item_month_sums.c[name] for name in COLUMNS)))
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return _empty()
    return pd.DataFrame.from_records(rows, columns=COLUMNS, coerce_float=False)


__all__ = [
    "COLUMNS",
    "KEY",
    "VALUES",
    "Limits",
    "add",
    "apply",
    "branch_spans",
    "channel_key",
    "kept",
    "month_of",
    "rebuild",
    "recomputed",
    "recomputed_in",
    "shares_of",
    "stored",
    "stored_in",
    "summed",
    "visit_month",
]
