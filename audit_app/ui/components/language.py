"""The session's language: chosen in the sidebar and kept with the user; until then the
language of the user's area, else the browser's, else English.

The i18n package asks ``session_language`` whenever a word is translated in this session, so
pages, callbacks and the services they call all speak the same language.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from audit_app.domain.users import User
from audit_app.errors import AuditAppError
from audit_app.i18n import LANGUAGES, _, language_name, set_session_language_source, supported
from audit_app.services.context import AppContext
from audit_app.services.languages import area_language, choose_language

LANGUAGE_KEY = "language"
SETTLED_FOR = "language_settled_for"
_PICKER = "language_picker"


def session_language() -> str | None:
    """The language of the session running this script (None outside a session)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    value = st.session_state.get(LANGUAGE_KEY)
    return value if isinstance(value, str) else None


set_session_language_source(session_language)


def browser_language() -> str | None:
    """The browser's language when the app speaks it (``ca-ES`` -> ``ca``)."""
    try:
        return supported(st.context.locale)
    except Exception:  # no browser behind this run (AppTest): no preference
        return None


def settle_language(ctx: AppContext, user: User | None) -> str:
    """Decide the session's language once per user: their choice, their area's, the
    browser's, English. A later choice in the sidebar replaces it."""
    who = user.username if user is not None else ""
    if st.session_state.get(SETTLED_FOR) != who or LANGUAGE_KEY not in st.session_state:
        chosen = user.language if user is not None else None
        if chosen is None and user is not None:
            chosen = area_language(ctx.as_user(user))
        st.session_state[LANGUAGE_KEY] = chosen or browser_language() or "en"
        st.session_state[SETTLED_FOR] = who
    return str(st.session_state[LANGUAGE_KEY])


def language_picker(ctx: AppContext, user: User | None) -> None:
    """The sidebar's language switcher; a logged-in user keeps the choice."""
    current = st.session_state.get(LANGUAGE_KEY, "en")
    st.session_state[_PICKER] = current if current in LANGUAGES else "en"
    st.selectbox(
        _("App language"),
        LANGUAGES,
        key=_PICKER,
        format_func=language_name,
        on_change=_chosen,
        args=(ctx, user),
    )


def _chosen(ctx: AppContext, user: User | None) -> None:
    language = st.session_state[_PICKER]
    st.session_state[LANGUAGE_KEY] = language
    if user is not None:
        try:
            choose_language(ctx.as_user(user), language)
        except AuditAppError as refused:
            st.toast(str(refused))
