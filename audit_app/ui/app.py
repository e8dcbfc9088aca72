"""Entry point for ``streamlit run``: page set-up and the navigation menu."""

from __future__ import annotations

import streamlit as st

from audit_app.ui.pages import overview_page

st.set_page_config(page_title="audit-app", page_icon=":material/fact_check:", layout="wide")

navigation = st.navigation(
    [
        st.Page(
            overview_page.render,
            title="Overview",
            icon=":material/dashboard:",
            url_path="overview",
            default=True,
        ),
    ]
)
navigation.run()
