"""Who is logged in, and the application context acting as them.

Pages never open the context themselves: ``user_context()`` is the only way in, so every
service call carries the user and the services enforce their scope.
"""

from __future__ import annotations

import streamlit as st

from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role, User
from audit_app.services.context import AppContext
from audit_app.services.sessions import issue_token, user_from_token
from audit_app.services.users import trusted_user
from audit_app.ui.components.context import app_context

USER_KEY = "user"
COOKIE = "audit_session"
_COOKIE_TO_WRITE = "session_cookie_to_write"

ROLE_LABELS = {
    Role.HEAD_OFFICE: "Head office",
    Role.AREA_MANAGER: "Area manager",
    Role.VIEWER: "Viewer",
}


def current_user() -> User | None:
    """The logged-in user: this session's, else the one a trusted single-sign-on header
    names, else the one the browser's signed session cookie names (a reload, a new tab)."""
    user = st.session_state.get(USER_KEY)
    if isinstance(user, User):
        return user
    ctx = app_context()
    found = None
    header = ctx.settings.trusted_user_header
    if header and st.context.headers.get(header):
        found = trusted_user(ctx, st.context.headers[header])
    token = st.context.cookies.get(COOKIE)
    if found is None and isinstance(token, str) and st.session_state.get(_COOKIE_TO_WRITE) != "":
        found = user_from_token(ctx, token)
    if found is not None:
        st.session_state[USER_KEY] = found
    return found


def log_in(user: User) -> None:
    """Start this session as ``user`` and have the browser keep a signed cookie."""
    st.session_state[USER_KEY] = user
    st.session_state[_COOKIE_TO_WRITE] = issue_token(app_context(), user)


def log_out() -> None:
    """End this session and forget the browser's cookie (the initial request's copy of it
    stays readable in this session, hence the empty marker)."""
    st.session_state.pop(USER_KEY, None)
    st.session_state[_COOKIE_TO_WRITE] = ""


def write_session_cookie() -> None:
    """Set or clear the cookie in the browser after a log-in or log-out (one small script)."""
    value = st.session_state.get(_COOKIE_TO_WRITE)
    if value is None:
        return
    hours = app_context().settings.session_hours
    age = int(hours * 3600) if value else 0
    secure = "; Secure" if st.context.url and st.context.url.startswith("https") else ""
    # In the sidebar: an element that comes and goes in the main area would shift every
    # element after it and so reset their state (the open tab, for one).
    st.sidebar.html(
        f"<script>document.cookie = '{COOKIE}={value}; Path=/; Max-Age={age}; "
        f"SameSite=Strict{secure}';</script>",
        unsafe_allow_javascript=True,
    )
    if value:
        del st.session_state[_COOKIE_TO_WRITE]


def user_context() -> AppContext:
    """The shared context acting as the logged-in user (pages run only when one is)."""
    user = current_user()
    if user is None:  # the router shows only the log-in page then; this is a safety net
        st.stop()
    return app_context().as_user(user)


def describe(user: User) -> str:
    """The user's role (and areas) as Markdown for the sidebar: the areas shown as typed."""
    role = ROLE_LABELS[user.role]
    if user.role == Role.AREA_MANAGER:
        role += " · " + markdown_text(", ".join(user.areas))
    return role
