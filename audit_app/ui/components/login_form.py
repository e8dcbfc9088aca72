"""The log-in form: shown at every address until someone is logged in, so a deep link
(``branch?code=...``) opens its page right after the log-in. A language picker sits above
the form; it changes this tab's language only (nothing is saved before a log-in), and the
language picked here stays after the log-in."""

from __future__ import annotations

import streamlit as st

from audit_app.domain.labels import role_label
from audit_app.domain.safe_text import markdown_text
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.services.demo import demo_hint, exposed_warning
from audit_app.services.throttling import LogInThrottled
from audit_app.services.users import authenticate
from audit_app.ui.components.context import app_context
from audit_app.ui.components.language import LANGUAGE_KEY, SETTLED_FOR, language_picker
from audit_app.ui.components.refusals import refusal_shown, show_refusal
from audit_app.ui.components.session import client_address, log_in

FIRST_LANGUAGE = "login_first_language"
"""The session's language when the log-in page first showed: a different one now was picked."""


def login_form() -> None:
    st.session_state.setdefault(FIRST_LANGUAGE, st.session_state.get(LANGUAGE_KEY, "en"))
    _left, middle, _right = st.columns([1, 1.3, 1])
    with middle:
        heading, language = st.columns([3, 2], vertical_alignment="bottom")
        heading.title("audit-app")
        with language:
            language_picker(app_context(), None)  # user None: kept in this tab only
        st.caption(_("Franchise consistency audits. Log in to continue."))
        with st.form("login"):
            username = st.text_input(_("User name"), autocomplete="username")
            password = st.text_input(
                _("Password"), type="password", autocomplete="current-password"
            )
            submitted = st.form_submit_button(_("Log in"), type="primary", width="stretch")
        if submitted:
            if not username.strip() or not password:
                st.error(_("Enter your user name and password."))
                return
            try:
                user = authenticate(app_context(), username, password, address=client_address())
            except LogInThrottled as throttled:
                st.error(str(throttled), icon=":material/hourglass_top:")
                return
            except AuditAppError as error:  # the database busy with a long import
                show_refusal(error)
                return
            if user is None:
                st.error(_("That user name and password do not match an active account."))
                return
            if st.session_state.get(LANGUAGE_KEY) != st.session_state.get(FIRST_LANGUAGE):
                # A language picked on this page stays for the session (still unsaved).
                st.session_state[SETTLED_FOR] = user.username
            st.session_state.pop(FIRST_LANGUAGE, None)
            with refusal_shown() as not_started:
                log_in(user)
            if not_started:
                return
            st.rerun()
        hint = demo_hint(app_context())  # small queries; no password hashing per render
        if hint.logins:
            listed = ", ".join(
                f"**{name}** / `{password}` ({role_label(role)})"
                for name, password, role in hint.logins
            )
            st.info(_("Demo accounts: {accounts}.").format(accounts=listed), icon=":material/key:")
        elif hint.exposed:
            warning = exposed_warning(hint.exposed)
            st.warning(
                markdown_text(warning[0].upper() + warning[1:] + "."), icon=":material/warning:"
            )
