"""A read run beside the caller's (``storage.beside``, #21), on both engines: it sees exactly
the caller's snapshot, not a branch committed after the snapshot began (on PostgreSQL it
runs on a second connection that took the exported snapshot; elsewhere on the caller's
own); its error reaches the caller; a second connection that cannot open leaves the read to
the caller's; and a whole selection read with its section scores beside its audits equals
one read after the other."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Connection, func, insert, select

from audit_app.domain.filters import AuditFilter
from audit_app.services import selections
from audit_app.services.context import AppContext
from audit_app.storage import beside, database
from audit_app.storage.tables import branches
from tests.services.test_selection_patches import assert_same_selection, messy

__all__ = ["messy"]


def add_branch(ctx: AppContext, code: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with ctx.engine.begin() as conn:
        conn.execute(
            insert(branches).values(
                code=code,
                code_key=code.lower(),
                name=code,
                region="North",
                country="ES",
                created_at=now,
                updated_at=now,
            )
        )


def branch_codes(conn: Connection) -> tuple[set[str], int]:
    """The branch codes the connection sees, and the thread that read them."""
    codes = set(conn.execute(select(branches.c.code)).scalars())
    return codes, threading.get_ident()


def test_the_read_beside_sees_the_caller_s_snapshot(ctx: AppContext) -> None:
    add_branch(ctx, "BEFORE-1")
    with database.snapshot(ctx.engine) as conn:
        seen = set(conn.execute(select(branches.c.code)).scalars())
        add_branch(ctx, "AFTER-1")  # committed while the snapshot is open
        with beside.read_beside(conn, branch_codes) as read:
            codes, thread = read.result()
        assert codes == seen and "BEFORE-1" in codes and "AFTER-1" not in codes
        postgresql = conn.dialect.name == "postgresql"
        assert read.started_beside == postgresql
        assert (thread != threading.get_ident()) == postgresql
        # not a connection of the caller's pool, which a busy server's sessions hold
        with beside.read_beside(conn, lambda other: other.engine) as read:
            assert (read.result() is not ctx.engine) == postgresql
    with database.snapshot(ctx.engine) as conn:
        assert "AFTER-1" in set(conn.execute(select(branches.c.code)).scalars())


def test_asked_at_once_false_it_is_read_on_the_caller_s_connection(ctx: AppContext) -> None:
    with (
        database.snapshot(ctx.engine) as conn,
        beside.read_beside(conn, branch_codes, at_once=False) as read,
    ):
        assert not read.started_beside
        assert read.result()[1] == threading.get_ident()


def test_its_error_reaches_the_caller_and_the_read_ends_with_the_block(ctx: AppContext) -> None:
    class Refused(Exception):
        pass

    def fails(conn: Connection) -> Any:
        conn.execute(select(func.count()).select_from(branches)).scalar_one()
        raise Refused("a read that fails")

    with database.snapshot(ctx.engine) as conn:
        with beside.read_beside(conn, fails) as read:
            with pytest.raises(Refused):
                read.result()
            with pytest.raises(Refused):  # asked again, the same error
                read.result()
        # a read whose result is never asked for has ended when the block is left
        with beside.read_beside(conn, branch_codes) as unasked:
            pass
        assert unasked._thread is None or not unasked._thread.is_alive()


def test_a_second_connection_that_does_not_open_leaves_the_read_to_the_caller(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Refusing:
        def connect(self) -> Any:
            raise ConnectionError("the server refuses another connection")

    monkeypatch.setattr(beside, "_engine_beside", lambda engine: Refusing())
    with database.snapshot(ctx.engine) as conn:
        if conn.dialect.name != "postgresql":
            pytest.skip("only PostgreSQL reads on a second connection")
        with beside.read_beside(conn, branch_codes) as read:
            codes, thread = read.result()
        assert read.started_beside and thread == threading.get_ident()
        assert codes == set(conn.execute(select(branches.c.code)).scalars())


def test_when_every_slot_is_taken_the_read_waits_for_none(ctx: AppContext) -> None:
    """A busy process's reads beside are bounded; past them a read is the caller's own,
    and a slot freed is taken again."""
    for _ in range(beside.AT_ONCE):
        assert beside._SLOTS.acquire(blocking=False)
    try:
        with (
            database.snapshot(ctx.engine) as conn,
            beside.read_beside(conn, branch_codes) as read,
        ):
            assert not read.started_beside
            assert read.result()[1] == threading.get_ident()
    finally:
        for _ in range(beside.AT_ONCE):
            beside._SLOTS.release()
    with database.snapshot(ctx.engine) as conn, beside.read_beside(conn, branch_codes) as read:
        assert read.started_beside == (conn.dialect.name == "postgresql")
        read.result()
    # every slot is free again once the reads have ended
    taken = [beside._SLOTS.acquire(blocking=False) for _ in range(beside.AT_ONCE)]
    for _ in range(sum(taken)):
        beside._SLOTS.release()
    assert all(taken)


def test_a_whole_selection_read_beside_equals_one_read_after_the_other(
    messy: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.snapshot(messy.engine) as conn:
        together = selections.read_selection(messy, conn, AuditFilter(), False)
        monkeypatch.setattr(beside, "_exported", lambda conn: None)
        apart = selections.read_selection(messy, conn, AuditFilter(), False)
    assert together is not None and apart is not None
    assert_same_selection(together, apart, "read beside")
    assert isinstance(together.section_cells, pd.DataFrame) and len(together.section_cells)
