"""Users in the database. Passwords arrive here already hashed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from audit_app.domain.users import User
from audit_app.storage import ledger
from audit_app.storage.repository import utcnow
from audit_app.storage.tables import users

USER_FIELDS = (
    users.c.username,
    users.c.display_name,
    users.c.role,
    users.c.areas,
    users.c.active,
    users.c.language,
)


def user_from_row(row: Any) -> User:
    """A user from a row holding :data:`USER_FIELDS` (here and in the sessions' join)."""
    return User(
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        areas=tuple(row.areas or ()),
        active=row.active,
        language=row.language,
    )


def add(conn: Connection, user: User, password_hash: str) -> None:
    now = utcnow()
    added = conn.execute(
        insert(users)
        .values(
            username=user.username,
            display_name=user.display_name,
            role=str(user.role),
            areas=list(user.areas),
            password_hash=password_hash,
            active=user.active,
            language=user.language,
            created_at=now,
            updated_at=now,
        )
        .returning(users.c.id)
    ).scalar_one()
    ledger.seal(conn, users, [added])


def find(conn: Connection, username: str) -> tuple[User, str] | None:
    """The user and their password hash, by username (case-insensitive)."""
    row = conn.execute(
        select(*USER_FIELDS, users.c.password_hash).where(
            users.c.username.ilike(username.replace("%", r"\%").replace("_", r"\_"), escape="\\")
        )
    ).first()
    return None if row is None else (user_from_row(row), row.password_hash)


def all_users(conn: Connection) -> list[User]:
    return [
        user_from_row(row) for row in conn.execute(select(*USER_FIELDS).order_by(users.c.username))
    ]


def change(conn: Connection, username: str, **values: Any) -> bool:
    """Update fields of one user; False when there is no such user."""
    ledger.check_unchanged(
        conn, users, conn.execute(select(users.c.id).where(users.c.username == username)).scalars()
    )
    result = conn.execute(
        update(users).where(users.c.username == username).values(updated_at=utcnow(), **values)
    )
    ledger.seal_where(conn, users, users.c.username == username)
    return result.rowcount == 1


def logged_in(conn: Connection, username: str) -> None:
    conn.execute(update(users).where(users.c.username == username).values(last_login_at=utcnow()))


def find_exact(conn: Connection, username: str) -> User | None:
    """The user whose name is exactly ``username`` (same case, no trimming)."""
    row = conn.execute(select(*USER_FIELDS).where(users.c.username == username)).first()
    return None if row is None or row.username != username else user_from_row(row)
