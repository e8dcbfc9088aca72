"""The application context, opened once per server process and shared by every session."""

from __future__ import annotations

import streamlit as st

from audit_app.services.context import AppContext, open_context


@st.cache_resource(show_spinner="Opening the database…")
def app_context() -> AppContext:
    return open_context()
