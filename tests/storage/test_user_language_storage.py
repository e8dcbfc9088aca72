"""Migration 0013 (``users.language``) on both engines: users keep everything they had, no
language chosen yet, the sealed trail still checks; a downgrade takes the column away."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from audit_app.domain.users import Role, User
from audit_app.services.context import AppContext
from audit_app.services.languages import choose_language
from audit_app.services.users import add_user, list_users
from audit_app.services.verify import verify
from audit_app.storage import database

HQ = User(username="hq", role=Role.HEAD_OFFICE)


def _columns(ctx: AppContext) -> list[str]:
    with ctx.engine.connect() as conn:
        return [c["name"] for c in inspect(conn).get_columns("users")]


def test_the_upgrade_adds_an_unchosen_language_and_keeps_the_trail(ctx: AppContext) -> None:
    add_user(ctx, "guest", "viewer", "correct horse")
    add_user(ctx, "hq", "head_office", "correct horse")
    with database._migrating(ctx.engine) as conn:
        command.downgrade(database._alembic_config(conn), "0012")
    assert "language" not in _columns(ctx)
    with ctx.engine.connect() as conn:
        before = conn.execute(text("SELECT username, role, areas FROM users ORDER BY id")).all()
    assert database.upgrade(ctx.engine) == ("0012", database.head_revision())
    with ctx.engine.connect() as conn:
        after = conn.execute(
            text("SELECT username, role, areas, language FROM users ORDER BY id")
        ).all()
    assert [tuple(r)[:3] for r in after] == [tuple(r) for r in before]
    assert [r.language for r in after] == [None, None]
    choose_language(ctx.as_user(list_users(ctx.as_user(HQ))[1]), "ca")
    assert [u.language for u in list_users(ctx.as_user(HQ))] == [None, "ca"]
    assert verify(ctx.as_user(HQ)).ok
