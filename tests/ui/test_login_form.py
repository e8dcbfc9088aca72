"""The log-in page and the demo's published passwords: offered in a demo-only database,
a warning in a database in real use, never listed there."""

from __future__ import annotations

from audit_app.domain.audit import Branch
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.users import add_user
from tests.ui.apptest import run_app, texts


def test_a_demo_only_database_offers_the_demo_accounts(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(None)
    assert "Demo accounts: **hq** / `hq-demo-2026`" in app.info[0].value
    assert not app.warning


def test_a_database_in_real_use_warns_and_lists_no_password(ctx: AppContext) -> None:
    save_branches(ctx, [Branch(code="R-1", name="Real", region="North", country="ES")])
    add_user(ctx, "ana", "head_office", "ana's own password")
    load_demo(ctx, force=True)
    app = run_app(None)
    shown = texts(app)
    assert "demo-2026" not in shown and not app.info
    assert "guest, hq, marta still have the demo password" in app.warning[0].value


def test_an_empty_database_says_nothing_of_the_demo(ctx: AppContext) -> None:
    app = run_app(None)
    assert not app.info and not app.warning
