"""Every page opens while another unit of work holds SQLite's write lock (a long import, a
submission): viewing a page only reads, so it never queues for that lock. A page that read
through a writing unit of work waited for every submission and log-in in progress (#21)."""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import make_url

from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from tests.ui.apptest import HQ, PAGES, run_app


def test_every_page_opens_while_a_writer_holds_the_lock(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(HQ)  # logged in (a write) before the lock is taken
    path = make_url(ctx.settings.resolved_database_url).database
    assert path is not None
    writer = sqlite3.connect(path, timeout=0, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        for page in PAGES:
            app.switch_page(f"pages/{page}_page.py").run()
            assert not app.exception, (page, app.exception)
            errors = [element.value for element in app.error]
            assert not errors, (page, errors)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
