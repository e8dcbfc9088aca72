"""Running the real app headless with AppTest, logged in as one of the demo roles."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from audit_app.domain.users import Role, User

APP = str(Path(__file__).resolve().parents[2] / "audit_app" / "ui" / "app.py")

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
GUEST = User(username="guest", role=Role.VIEWER)

PAGES = (
    "overview",
    "new_visit",
    "import",
    "actions",
    "compare",
    "plans",
    "coverage",
    "branch",
    "audit",
    "checklists",
    "admin",
)


def run_app(
    user: User | None = HQ,
    page: str | None = None,
    query: dict[str, str] | None = None,
    *,
    timeout: float = 120,
    language: str | None = "en",
) -> AppTest:
    """The app after its first run as ``user`` (None: nobody logged in), on ``page``, in
    ``language`` (English unless a test is about another: the user's area would pick one;
    None: the app decides, as for a new session)."""
    from audit_app.ui.components.context import app_context

    app_context.clear()  # each test has its own database
    app = AppTest.from_file(APP, default_timeout=timeout)
    if user is not None:
        sign_in(app, user)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    if language is not None:
        speak(app, language, user)
    app.run()
    if page is not None and page != "overview":
        app.switch_page(f"pages/{page}_page.py").run()
    assert not app.exception, app.exception
    return app


def sign_in(app: AppTest, user: User) -> None:
    """Log ``user`` into the AppTest session as the log-in form does, with a real server
    session (every rerun checks it); a user the test's world lacks is added first."""
    from audit_app.services.sessions import start_session
    from audit_app.storage import database, user_store
    from audit_app.ui.components.context import app_context
    from audit_app.ui.components.session import TOKEN_KEY

    ctx = app_context()
    with database.transaction(ctx.engine) as conn:
        if user_store.find_exact(conn, user.username) is None:
            user_store.add(conn, user, "no password: signed in by a test")
    app.session_state[TOKEN_KEY] = start_session(ctx, user, "password")


def speak(app: AppTest, language: str, user: User | None = None) -> None:
    """Set the session's language as the sidebar's switcher does (without saving it)."""
    from audit_app.ui.components.language import LANGUAGE_KEY, SETTLED_FOR

    app.session_state[LANGUAGE_KEY] = language
    app.session_state[SETTLED_FOR] = user.username if user is not None else ""


def texts(app: AppTest) -> str:
    """Every piece of text on the page, for checks that something is (not) shown."""
    parts: list[str] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "text",
    ):
        parts.extend(str(element.value) for element in getattr(app, kind))
    for frame in app.dataframe:
        parts.append(frame.value.to_csv())
    for table in app.table:
        parts.append(table.value.to_csv())
    for box in app.selectbox:
        parts.extend(str(option) for option in box.options)
    for box in app.multiselect:
        parts.extend(str(option) for option in box.options)
    return "\n".join(parts)
