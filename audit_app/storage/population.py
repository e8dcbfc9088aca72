"""Who and what a database holds, in two small queries: enough to tell an empty or
demo-only database from one in real use (``services.demo``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from audit_app.storage.tables import branches, users


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    active: bool
    password_hash: str


def accounts(conn: Connection) -> list[Account]:
    rows = conn.execute(
        select(users.c.username, users.c.role, users.c.active, users.c.password_hash).order_by(
            users.c.username
        )
    )
    return [Account(r.username, r.role, bool(r.active), r.password_hash) for r in rows]


def branches_besides(
    conn: Connection, codes: Collection[str], shown: int = 3
) -> tuple[int, list[str]]:
    """How many branches have a code not in ``codes``, and the first few of those codes."""
    outside = branches.c.code.not_in(list(codes))
    count = conn.execute(select(func.count()).select_from(branches).where(outside)).scalar_one()
    first = conn.execute(
        select(branches.c.code).where(outside).order_by(branches.c.code).limit(shown)
    ).scalars()
    return int(count), list(first)
