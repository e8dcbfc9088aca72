"""What a kept selection's mark reads (``services.selections.Mark``): the newest audit id and
scoring time, and digests of the branches' and auditors' rows that a selection's frames
carry.

Digests rather than the data stamp's newest ``updated_at``: on PostgreSQL an edit whose
transaction took its time before another edit committed first leaves the newest time where
it was, and a selection brought up to date from its written branches alone would keep the
old branch (its name, region, area or whether it is open) for good.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, func, select

from audit_app.storage.tables import audit_scores, auditors, audits, branches


def newest(conn: Connection) -> tuple[int | None, Any]:
    """The newest audit id and the newest scoring time (None, None in an empty database)."""
    newest_id = conn.execute(select(func.max(audits.c.id))).scalar_one()
    scored = conn.execute(select(func.max(audit_scores.c.scored_at))).scalar_one()
    return newest_id, scored


def branch_digest(conn: Connection) -> str:
    """A digest of every branch's id, code, name, region, country, area and whether it is
    open: what the selections read of branches, and what decides an area manager's."""
    rows = conn.execute(
        select(
            branches.c.id,
            branches.c.code,
            branches.c.name,
            branches.c.region,
            branches.c.country,
            branches.c.area,
            branches.c.active,
        ).order_by(branches.c.id)
    )
    return _digest(rows)


def people_digest(conn: Connection, upto: int | None = None) -> tuple[str, int]:
    """A digest of the auditors' ids, names and merges (what names an audit's auditor), of
    those up to id ``upto`` when given, and the highest id there is (0 with none)."""
    query = select(auditors.c.id, auditors.c.name, auditors.c.merged_into).order_by(auditors.c.id)
    if upto is not None:
        query = query.where(auditors.c.id <= upto)
    rows = list(conn.execute(query))
    last = conn.execute(select(func.max(auditors.c.id))).scalar_one()
    return _digest(rows), int(last or 0)


def _digest(rows: Any) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for row in rows:
        digest.update(repr(tuple(row)).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
