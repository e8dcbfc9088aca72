"""An open tab re-checks its server session on every rerun: disabled, given a new password,
logged out or expired, it is back at the log-in form at its next click; a bare user in the
tab's state is no log-in; the form says in plain words how long a throttled log-in waits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from audit_app.domain.throttle import FREE_FAILURES
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.sessions import session_user
from audit_app.services.users import disable_user, set_password
from audit_app.storage.tables import sessions
from audit_app.ui.components.session import TOKEN_KEY
from tests.ui.apptest import APP, MARTA, run_app


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


def _logged_in(app: AppTest) -> bool:
    return any(b.label == "Log out" for b in app.button)


def _at_log_in_form(app: AppTest) -> bool:
    return [t.label for t in app.text_input][:2] == ["User name", "Password"] and not _logged_in(
        app
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda ctx: disable_user(ctx, "marta"),
        lambda ctx: set_password(ctx, "marta", "a brand new password"),
    ],
    ids=["disabled", "new-password"],
)
def test_an_open_tab_is_logged_out_at_its_next_click(demo: AppContext, change) -> None:  # type: ignore[no-untyped-def]
    app = run_app(MARTA, page="compare")
    assert _logged_in(app)
    change(demo)  # head office, elsewhere
    app.run()  # the tab's next interaction
    assert not app.exception and _at_log_in_form(app)
    assert TOKEN_KEY not in app.session_state and "user" not in app.session_state


def test_an_expired_session_returns_to_the_form(demo: AppContext) -> None:
    app = run_app(MARTA)
    token = app.session_state[TOKEN_KEY]
    with demo.engine.begin() as conn:  # 13 hours pass (the default is 12)
        for row in conn.execute(sessions.select()).all():
            conn.execute(
                sessions.update()
                .where(sessions.c.token_hash == row.token_hash)
                .values(
                    created_at=row.created_at - timedelta(hours=13),
                    expires_at=row.expires_at - timedelta(hours=13),
                )
            )
    app.run()
    assert _at_log_in_form(app) and session_user(demo, token) is None


def test_log_out_ends_the_session_on_the_server(demo: AppContext) -> None:
    app = run_app(MARTA)
    token = app.session_state[TOKEN_KEY]
    assert session_user(demo, token) is not None
    next(b for b in app.button if b.label == "Log out").click().run()
    assert _at_log_in_form(app)
    assert session_user(demo, token) is None


@pytest.mark.usefixtures("demo")
def test_a_user_in_the_tabs_state_without_a_session_is_not_logged_in() -> None:
    from audit_app.ui.components.context import app_context

    app_context.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["user"] = MARTA
    app.run()
    assert not app.exception and _at_log_in_form(app)


def _try(app: AppTest, username: str, password: str) -> AppTest:
    app.text_input[0].input(username)
    app.text_input[1].input(password)
    next(b for b in app.button if b.label == "Log in").click().run()
    return app


@pytest.mark.usefixtures("demo")
def test_the_form_says_how_long_to_wait_after_failures() -> None:
    app = run_app(None)
    for _ in range(FREE_FAILURES):
        _try(app, "marta", "a wrong guess")
        assert [e.value for e in app.error] == [
            "That user name and password do not match an active account."
        ]
    _try(app, "marta", "marta-demo-2026")  # the right password, refused unchecked
    assert not _logged_in(app)
    assert [e.value for e in app.error] == [
        "Too many failed log-ins for this user name or from this address. "
        "Wait 1 second, then try again."
    ]
