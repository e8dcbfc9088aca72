"""Who is logged in, and the application context acting as them.

Pages never open the context themselves: ``user_context()`` is the only way in, so every
service call carries the user and the services enforce their scope.
"""

from __future__ import annotations

import streamlit as st

from audit_app.domain.users import Role, User
from audit_app.services.context import AppContext
from audit_app.services.users import trusted_user
from audit_app.ui.components.context import app_context

USER_KEY = "user"

ROLE_LABELS = {
    Role.HEAD_OFFICE: "Head office",
    Role.AREA_MANAGER: "Area manager",
    Role.VIEWER: "Viewer",
}


def current_user() -> User | None:
    """The logged-in user; with a trusted single-sign-on header, the user it names."""
    user = st.session_state.get(USER_KEY)
    if isinstance(user, User):
        return user
    header = app_context().settings.trusted_user_header
    if header:
        name = st.context.headers.get(header)
        if name:
            found = trusted_user(app_context(), name)
            if found is not None:
                st.session_state[USER_KEY] = found
                return found
    return None


def log_in(user: User) -> None:
    st.session_state[USER_KEY] = user


def log_out() -> None:
    st.session_state.pop(USER_KEY, None)
    st.cache_data.clear()


def user_context() -> AppContext:
    """The shared context acting as the logged-in user (pages run only when one is)."""
    user = current_user()
    if user is None:  # the router shows only the log-in page then; this is a safety net
        st.stop()
    return app_context().as_user(user)


def describe(user: User) -> str:
    role = ROLE_LABELS[user.role]
    if user.role == Role.AREA_MANAGER:
        role += " · " + ", ".join(user.areas)
    return role
