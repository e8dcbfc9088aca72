"""Entry point for ``streamlit run``: page set-up, log-in and the menu for the user's role."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role, User
from audit_app.i18n import _
from audit_app.ui.components.context import app_context
from audit_app.ui.components.language import language_picker, settle_language
from audit_app.ui.components.login_form import login_form
from audit_app.ui.components.session import (
    current_user,
    describe,
    log_out,
    write_session_cookie,
)

# A local icon: a material icon as favicon is fetched from the internet, which an offline
# install does not have.
ICON = str(Path(__file__).resolve().parent / "static" / "icon.png")
st.set_page_config(page_icon=ICON, layout="wide")


def _page(name: str, title: str, icon: str, **options: object) -> st.Page:
    return st.Page(f"pages/{name}_page.py", title=title, icon=f":material/{icon}:", **options)  # type: ignore[arg-type]


def menu(user: User) -> dict[str, list[st.Page]]:
    """The pages this user's role may open; the services enforce the same rules again."""
    audits = [_page("overview", _("Overview"), "dashboard", url_path="overview", default=True)]
    if user.can_write:
        audits += [
            _page("new_visit", _("New visit"), "add_task", url_path="new-visit"),
            _page("import", _("Import"), "upload_file", url_path="import"),
        ]
    audits.append(_page("actions", _("Actions"), "assignment_late", url_path="actions"))
    analysis = [
        _page("compare", _("Compare"), "leaderboard", url_path="compare"),
        _page("branch", _("Branch"), "storefront", url_path="branch"),
        _page("audit", _("Audit"), "fact_check", url_path="audit"),
    ]
    setup = [_page("checklists", _("Checklists"), "checklist", url_path="checklists")]
    if user.role == Role.HEAD_OFFICE:
        setup.append(_page("admin", _("Admin"), "admin_panel_settings", url_path="admin"))
    return {_("Audits"): audits, _("Analysis"): analysis, _("Setup"): setup}


ADDRESSES = (
    "overview",
    "new-visit",
    "import",
    "actions",
    "compare",
    "branch",
    "audit",
    "checklists",
    "admin",
)


def logged_out_menu() -> list[st.Page]:
    """Every address shows the log-in form; after the log-in the same address (with its
    query) opens the real page."""
    return [
        st.Page(login_form, title=_("Log in"), url_path=address, default=address == "overview")
        for address in ADDRESSES
    ]


user = current_user()
write_session_cookie()
settle_language(app_context(), user)
if user is None:
    with st.sidebar:
        language_picker(app_context(), None)
    st.navigation(logged_out_menu(), position="hidden").run()
else:
    with st.sidebar:
        language_picker(app_context(), user)
        st.markdown(f"**{markdown_text(user.display_name or user.username)}**  \n{describe(user)}")
        if st.button(_("Log out"), icon=":material/logout:", key="logout"):
            log_out()
            st.rerun()
    st.navigation(menu(user)).run()
