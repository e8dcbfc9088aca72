"""Entry point for ``streamlit run``: page set-up, log-in and the menu for the user's role."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role, User
from audit_app.i18n import N_, _
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


PAGES = (
    # address, title, icon; the page's file is pages/<address with _>_page.py
    ("overview", N_("Overview"), "dashboard"),
    ("new-visit", N_("New visit"), "add_task"),
    ("import", N_("Import"), "upload_file"),
    ("actions", N_("Actions"), "assignment_late"),
    ("compare", N_("Compare"), "leaderboard"),
    ("plans", N_("Plans"), "edit_calendar"),
    ("coverage", N_("Coverage"), "event_available"),
    ("branch", N_("Branch"), "storefront"),
    ("audit", N_("Audit"), "fact_check"),
    ("checklists", N_("Checklists"), "checklist"),
    ("admin", N_("Admin"), "admin_panel_settings"),
)


def forbidden(user: User) -> dict[str, str]:
    """Address -> why this user's role may not open it; the services refuse the same again."""
    refused: dict[str, str] = {}
    if not user.can_write:
        why = _("This page is for those who enter audits: area managers and head office.")
        refused.update({"new-visit": why, "import": why})
        refused["coverage"] = _("This page is for head office and area managers.")
        refused["plans"] = refused["coverage"]
    if user.role != Role.HEAD_OFFICE:
        refused["admin"] = _("This page is for head office.")
    return refused


def menu(user: User) -> list[st.Page]:
    """Every address, so a link to any page answers; the pages outside this user's role are
    kept out of the menu (hidden) and answer with :func:`not_for_you`. One list without
    section headings: Streamlit draws headed sections as list items outside their list,
    which screen readers (and axe-core) reject."""
    refused = forbidden(user)
    return [
        _page(
            address.replace("-", "_"),
            _(title),
            icon,
            url_path=address,
            default=address == "overview",
            visibility="hidden" if address in refused else "visible",
        )
        for address, title, icon in PAGES
    ]


def not_for_you(page: st.Page, why: str) -> None:
    """A page outside the user's role: said in the app's words, with the way back."""
    st.title(page.title)
    st.info(why, icon=":material/lock:")
    st.page_link(
        "pages/overview_page.py", label=_("Back to the overview"), icon=":material/dashboard:"
    )


ADDRESSES = tuple(address for address, _title, _icon in PAGES)


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
    # The language picker sits next to the log-in form (see login_form).
    st.navigation(logged_out_menu(), position="hidden").run()
else:
    with st.sidebar:
        language_picker(app_context(), user)
        st.markdown(f"**{markdown_text(user.display_name or user.username)}**  \n{describe(user)}")
        if st.button(_("Log out"), icon=":material/logout:", key="logout"):
            log_out()
            st.rerun()
    chosen = st.navigation(menu(user))
    refusal = forbidden(user).get(chosen.url_path)
    if refusal is None:
        chosen.run()
    else:
        not_for_you(chosen, refusal)
