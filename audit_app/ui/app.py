"""Entry point for ``streamlit run``: page set-up and the navigation menu."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from audit_app.ui.pages import overview_page

# A local icon: a material icon as favicon is fetched from the internet, which an offline
# install does not have.
ICON = str(Path(__file__).resolve().parent / "static" / "icon.png")
st.set_page_config(page_title="audit-app", page_icon=ICON, layout="wide")

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
