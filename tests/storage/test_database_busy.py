"""A SQLite writer that cannot get the write lock within the busy timeout (another session's
long import or restore holds it) is refused with a plain message, and writes nothing: the
service raises ``DatabaseBusy`` (an ``AuditAppError``, so pages and the CLI show it as a
refusal), told by the driver's error code, never a traceback."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.services.branches import list_branches, save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.storage import database
from tests.databases import make_settings, point_environment_at
from tests.intake import branch_lists
from tests.services.test_audits import BRANCHES


@pytest.fixture
def quick_ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    """A SQLite world whose writers give up after a fifth of a second, not thirty."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    settings = make_settings("sqlite", tmp_path / "data")
    point_environment_at(settings, monkeypatch)
    ctx = open_context(settings)
    yield ctx
    ctx.engine.dispose()


@contextmanager
def write_lock_held(ctx: AppContext) -> Iterator[None]:
    """Another connection holds SQLite's write lock, as a long import would."""
    path = make_url(ctx.settings.resolved_database_url).database
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_writer_kept_waiting_is_refused_and_writes_nothing(quick_ctx: AppContext) -> None:
    with write_lock_held(quick_ctx), pytest.raises(database.DatabaseBusy) as refused:
        save_branches(quick_ctx, BRANCHES)
    assert str(refused.value) == database.busy_message()
    assert list_branches(quick_ctx) == []
    save_branches(quick_ctx, BRANCHES)  # the lock gone, the same change goes through
    assert [branch.code for branch in list_branches(quick_ctx)] == ["ES-01", "TR-01"]


def test_other_database_errors_are_not_taken_for_a_busy_database(quick_ctx: AppContext) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError), database.transaction(quick_ctx.engine) as conn:
        conn.execute(text("SELECT * FROM no_such_table"))


def test_the_command_line_says_so_without_a_traceback(
    quick_ctx: AppContext, tmp_path: Path
) -> None:
    made = branch_lists.write_banner_list(tmp_path)
    with write_lock_held(quick_ctx):
        result = CliRunner().invoke(app, ["branches", "import", str(made.path), "--country", "ES"])
    assert result.exit_code == 1, result.output
    assert database.busy_message() in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert list_branches(quick_ctx) == []


def test_a_unit_of_work_that_does_not_wait_is_refused_at_once_and_the_wait_comes_back(
    quick_ctx: AppContext,
) -> None:
    """``wait=False`` sets the connection's busy timeout to nothing for one unit of work
    only: the pooled connection then waits for the lock again as every writer does."""

    def busy_timeout_ms() -> int:
        with quick_ctx.engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            return int(driver.execute("PRAGMA busy_timeout").fetchone()[0])

    assert busy_timeout_ms() == 200
    with (
        write_lock_held(quick_ctx),
        pytest.raises(database.DatabaseBusy),
        database.transaction(quick_ctx.engine, wait=False),
    ):
        pass
    assert busy_timeout_ms() == 200
    with database.transaction(quick_ctx.engine, wait=False):
        pass
    assert busy_timeout_ms() == 200
