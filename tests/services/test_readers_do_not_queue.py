"""Pages that only read never queue behind a writer.

On SQLite a unit of work that writes takes the write lock when it begins; a page that read
its branch list through one waited for every submission, import and log-in in progress (found
with py-spy under 40 simulated users, #21). Here another connection holds the write lock, as a
long import would, while the reads every page makes run; each must finish while it is held."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.demo import load_demo
from audit_app.services.languages import area_language
from audit_app.services.overview import overview
from tests.databases import make_settings

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
WAIT_S = 20.0  # far beyond any of these reads on the demo; the busy timeout is 30 s

READS: dict[str, Callable[[AppContext], Any]] = {
    "branch list": list_branches,
    "branch list, area manager": lambda ctx: list_branches(ctx.as_user(MARTA)),
    "area language": lambda ctx: area_language(ctx.as_user(MARTA)),
    "overview": lambda ctx: overview(ctx, AuditFilter()),
    "comparison": lambda ctx: compare.comparison(ctx, ComparisonRequest(items=False)),
    "league table": lambda ctx: compare.league_table(ctx, AuditFilter()),
    "failure evidence": lambda ctx: compare.comparison_evidence(ctx, ComparisonRequest()),
    "headline, area manager": lambda ctx: compare.headline(ctx.as_user(MARTA), AuditFilter()),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    ctx = open_context(make_settings("sqlite", tmp_path_factory.mktemp("readers")))
    load_demo(ctx)
    yield ctx
    ctx.engine.dispose()


def _held_write_lock(ctx: AppContext) -> sqlite3.Connection:
    path = make_url(ctx.settings.resolved_database_url).database
    assert path is not None and Path(path).exists()
    writer = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    return writer


def _finished_while_locked(ctx: AppContext, work: Callable[[], object]) -> bool:
    """Whether ``work`` (in a thread) finished while another connection held the write
    lock; the lock is let go afterwards either way, and the thread waited for."""
    writer = _held_write_lock(ctx)
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(WAIT_S)
    finished = not worker.is_alive()
    writer.execute("ROLLBACK")
    writer.close()
    worker.join()
    return finished


@pytest.mark.parametrize("name", list(READS))
def test_a_read_finishes_while_a_writer_holds_the_lock(demo: AppContext, name: str) -> None:
    outcome: dict[str, Any] = {}

    def read() -> None:
        try:
            outcome["value"] = READS[name](demo)
        except Exception as error:  # reported below, with its type
            outcome["error"] = error

    assert _finished_while_locked(demo, read), f"{name} waited for the writer's lock"
    assert "error" not in outcome, f"{name}: {outcome.get('error')!r}"
    assert outcome["value"] is not None


def test_a_page_view_due_to_record_last_seen_does_not_wait(demo: AppContext) -> None:
    """The session check writes its last-seen time once a minute; with the lock taken it
    skips that write rather than queue for it, and the next page view records it."""
    from audit_app.services.sessions import SEEN_EVERY, session_user, start_session, token_hash
    from audit_app.storage import database, session_store
    from audit_app.storage.repository import utcnow

    hq = User(username="hq", role=Role.HEAD_OFFICE)
    token = start_session(demo, hq, "password")

    def last_seen() -> object:
        with database.snapshot(demo.engine) as conn:
            found = session_store.find(conn, token_hash(demo, token))
        assert found is not None
        return found.last_seen_at

    started = last_seen()
    later = utcnow() + 2 * SEEN_EVERY
    outcome: dict[str, Any] = {}
    checked = _finished_while_locked(
        demo, lambda: outcome.update(user=session_user(demo, token, now=later))
    )
    assert checked, "the session check waited for the writer's lock"
    assert outcome["user"] is not None and outcome["user"].username == "hq"
    assert last_seen() == started  # skipped while the lock was taken
    assert session_user(demo, token, now=later) is not None
    assert last_seen() == later  # and recorded by the next page view
