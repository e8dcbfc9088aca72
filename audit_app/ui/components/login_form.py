"""The log-in form: shown at every address until someone is logged in, so a deep link
(``branch?code=...``) opens its page right after the log-in."""

from __future__ import annotations

import streamlit as st

from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role
from audit_app.services.demo import demo_hint, exposed_warning
from audit_app.services.throttling import LogInThrottled
from audit_app.services.users import authenticate
from audit_app.ui.components.context import app_context
from audit_app.ui.components.session import ROLE_LABELS, client_address, log_in


def login_form() -> None:
    _, middle, _ = st.columns([1, 1.3, 1])
    with middle:
        st.title("audit-app")
        st.caption("Franchise consistency audits. Log in to continue.")
        with st.form("login"):
            username = st.text_input("User name", autocomplete="username")
            password = st.text_input("Password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Log in", type="primary", width="stretch")
        if submitted:
            if not username.strip() or not password:
                st.error("Enter your user name and password.")
                return
            try:
                user = authenticate(app_context(), username, password, address=client_address())
            except LogInThrottled as throttled:
                st.error(str(throttled), icon=":material/hourglass_top:")
                return
            if user is None:
                st.error("That user name and password do not match an active account.")
                return
            log_in(user)
            st.rerun()
        hint = demo_hint(app_context())  # small queries; no password hashing per render
        if hint.logins:
            listed = ", ".join(
                f"**{name}** / `{password}` ({ROLE_LABELS[Role(role)].lower()})"
                for name, password, role in hint.logins
            )
            st.info(f"Demo accounts: {listed}.", icon=":material/key:")
        elif hint.exposed:
            warning = exposed_warning(hint.exposed)
            st.warning(
                markdown_text(warning[0].upper() + warning[1:] + "."), icon=":material/warning:"
            )
