"""Who is logged in, and the application context acting as them.

Pages never open the context themselves: ``user_context()`` is the only way in, so every
service call carries the user and the services enforce their scope.
"""

from __future__ import annotations

import streamlit as st

from audit_app.domain.labels import role_label
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role, User
from audit_app.services.context import AppContext
from audit_app.services.sessions import end_session, session_user, start_session
from audit_app.services.users import trusted_user
from audit_app.ui.components.context import app_context

USER_KEY = "user"
TOKEN_KEY = "session_token"
COOKIE = "audit_session"
_COOKIE_TO_WRITE = "session_cookie_to_write"
_SSO_REFUSED = "sso_refused"
LOOPBACK = frozenset({"127.0.0.1", "::1"})


def current_user() -> User | None:
    """The logged-in user, checked against the server on every rerun (one primary-key
    lookup): this tab's session, else the one a trusted single-sign-on header names, else
    the one the browser's session cookie names (a reload, a new tab). A session that ended,
    expired or whose user was disabled logs nobody in: the tab is back at the log-in form."""
    ctx = app_context()
    token = st.session_state.get(TOKEN_KEY)
    user = session_user(ctx, token) if isinstance(token, str) else None
    if user is None:
        if token is not None:
            st.session_state[_COOKIE_TO_WRITE] = ""  # the browser's copy is dead too
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(USER_KEY, None)
        user = _single_sign_on(ctx) or _from_cookie(ctx)
    if user is not None:
        st.session_state[USER_KEY] = user
    return user


def _single_sign_on(ctx: AppContext) -> User | None:
    """A session for the user the proxy's header names; a header sent twice is refused
    (and written to the activity log once per tab)."""
    header = ctx.settings.trusted_user_header
    values = st.context.headers.get_all(header) if header else []
    if not values or (len(values) > 1 and st.session_state.get(_SSO_REFUSED)):
        return None
    user = trusted_user(ctx, values)
    if user is None:
        st.session_state[_SSO_REFUSED] = len(values) > 1
        return None
    st.session_state[TOKEN_KEY] = start_session(ctx, user, "single sign-on")
    return user


def _from_cookie(ctx: AppContext) -> User | None:
    token = st.context.cookies.get(COOKIE)
    if not isinstance(token, str) or st.session_state.get(_COOKIE_TO_WRITE) == "":
        return None
    user = session_user(ctx, token)
    if user is not None:
        st.session_state[TOKEN_KEY] = token
    return user


def client_address() -> str | None:
    """The browser's address as the server's socket sees it (None on localhost or when
    unknown); a forwarded-for header is not used, as any client can write one. Behind the
    proxy of ``audit-app serve --processes N`` (every socket then comes from 127.0.0.1),
    the address that proxy saw, from the one header it sets on every request."""
    header = app_context().settings.client_address_header
    seen = (st.context.headers.get(header) or "").strip() if header else ""
    if seen:
        return None if seen in LOOPBACK else seen
    return st.context.ip_address


def log_in(user: User) -> None:
    """Start a server session for ``user`` and have the browser keep its token as a cookie."""
    token = start_session(app_context(), user, "password")
    st.session_state[USER_KEY] = user
    st.session_state[TOKEN_KEY] = token
    st.session_state[_COOKIE_TO_WRITE] = token


def log_out() -> None:
    """End this session on the server (its cookie, wherever copied, logs nobody in any
    more) and clear the browser's cookie."""
    token = st.session_state.pop(TOKEN_KEY, None)
    if isinstance(token, str):
        end_session(app_context(), token)
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
    role = role_label(user.role)
    if user.role == Role.AREA_MANAGER:
        role += " · " + markdown_text(", ".join(user.areas))
    return role
