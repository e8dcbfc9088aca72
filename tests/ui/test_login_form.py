"""The log-in page and the demo's published passwords: offered in a demo-only database,
a warning in a database in real use, never listed there."""

from __future__ import annotations

import pytest

from audit_app.domain.audit import Branch
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.users import add_user
from audit_app.ui.components.context import app_context
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


def test_the_log_in_page_offers_a_language_beside_the_form(ctx: AppContext) -> None:
    """The picker sits in the page (the sidebar is hidden before a log-in), changes the form's
    language at once, saves nothing, and the language picked stays after the log-in."""
    from audit_app.services.users import list_users

    load_demo(ctx)
    app = run_app(None)
    assert not app.sidebar.selectbox
    picker = next(box for box in app.selectbox if box.label == "App language")
    picker.select("ca").run()
    assert [box.label for box in app.text_input] == ["Nom d'usuari", "Contrasenya"]
    assert "Comptes de demostració" in app.info[0].value
    app.text_input[0].input("hq")
    app.text_input[1].input("hq-demo-2026")
    app.button[0].click().run()
    assert app.title[0].value == "Resum"  # still Catalan after the log-in
    assert next(u for u in list_users(ctx) if u.username == "hq").language is None  # not saved


def test_the_log_in_page_in_turkish(ctx: AppContext) -> None:
    app = run_app(None, language="tr")
    assert [box.label for box in app.text_input] == ["Kullanıcı adı", "Parola"]
    assert app.button[0].label == "Giriş yap"


def test_a_log_in_while_the_database_is_busy_says_so(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session's long import holds SQLite's write lock past the busy timeout: the
    log-in (a write: its session, the failed-attempt counts) says so and logs nobody in."""
    from audit_app.storage import database
    from tests.storage.test_database_busy import write_lock_held

    load_demo(ctx)
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    app = run_app(None)
    app.text_input[0].input("hq")
    app.text_input[1].input("hq-demo-2026")
    with write_lock_held(app_context()):
        app.button[0].click().run()
    assert not app.exception
    assert [error.value for error in app.error] == [database.busy_message()]
    assert not [button for button in app.button if button.label == "Log out"]
    app.button[0].click().run()  # the lock gone: the same log-in goes through
    assert not app.exception and not app.error
