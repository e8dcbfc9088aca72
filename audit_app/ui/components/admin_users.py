"""Head office's user list: who may log in, with which role and areas.

Passwords are typed into masked fields, handed to the users service (which keeps only an
argon2 hash) and never shown; the forms are emptied after each change.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from audit_app.domain.labels import role_label
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role, User
from audit_app.i18n import _, pgettext
from audit_app.services.context import AppContext
from audit_app.services.users import (
    add_user,
    disable_user,
    enable_user,
    known_areas,
    last_logins,
    list_users,
    set_password,
)
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.refusals import attempt, refusal_shown

ROLE_CHOICES = (Role.VIEWER, Role.AREA_MANAGER, Role.HEAD_OFFICE)
"""Least powerful first, and the first is the default: a new account gets only read access
unless head office deliberately gives it more (least privilege). A slip of the mouse then
makes a viewer too many, never a second head office that can manage users."""
GENERATION_KEY = "admin_user_generation"
FLASH_KEY = "admin_user_flash"


def users_tab(ctx: AppContext) -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(markdown_text(flash), icon=":material/check_circle:")
    with refusal_shown() as refused:
        users = list_users(ctx)
        logins = last_logins(ctx)
    if refused:
        return
    generation = st.session_state.setdefault(GENERATION_KEY, 0)
    if users:
        data_table(
            user_frame(users, logins).rename(columns=user_headings()),
            hide_index=True,
            width="stretch",
            column_config={
                pgettext("user", "Active"): st.column_config.CheckboxColumn(width="small")
            },
        )
    else:
        st.info(_("No users yet. Add the first one below."), icon=":material/group:")
    left, right = st.columns(2)
    with left:
        _add_form(ctx, generation)
    with right:
        if users:
            _password_form(ctx, users, generation)
            _access_form(ctx, users, generation)


def user_headings() -> dict[str, str]:
    """The user table's columns as headed in the session's language."""
    return {
        "username": _("User name"),
        "display_name": _("Name"),
        "role": _("Role"),
        "areas": _("Areas"),
        "active": pgettext("user", "Active"),
        "last_login": _("Last log-in (UTC)"),
    }


def user_frame(users: list[User], logins: dict[str, datetime | None]) -> pd.DataFrame:
    """One row per user; no password or hash ever reaches this table."""
    return pd.DataFrame(
        [
            {
                "username": user.username,
                "display_name": user.display_name,
                "role": role_label(user.role),
                "areas": ", ".join(user.areas),
                "active": user.active,
                "last_login": _when(logins.get(user.username)),
            }
            for user in users
        ],
        columns=["username", "display_name", "role", "areas", "active", "last_login"],
    )


def _when(moment: datetime | None) -> str:
    return _("never") if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _done(message: str) -> None:
    """Remember the message, empty the forms (new widget keys) and draw again."""
    st.session_state[FLASH_KEY] = message
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    st.rerun()


def _add_form(ctx: AppContext, generation: int) -> None:
    areas = known_areas(ctx)
    with st.form(f"admin_add_user_{generation}"):
        st.markdown(_("**Add a user**"))
        username = st.text_input(_("User name"), key=f"admin_new_username_{generation}")
        display_name = st.text_input(_("Name shown in the app"), key=f"admin_new_name_{generation}")
        role = st.selectbox(
            _("Role"),
            ROLE_CHOICES,
            index=0,
            format_func=role_label,
            key=f"admin_new_role_{generation}",
        )
        chosen = st.multiselect(
            _("Areas (area managers only)"),
            areas,
            key=f"admin_new_areas_{generation}",
            placeholder=_("Choose the areas they manage") if areas else _("No areas known yet"),
        )
        password = st.text_input(
            _("Password"), type="password", key=f"admin_new_password_{generation}"
        )
        again = st.text_input(
            _("Password again"), type="password", key=f"admin_new_password2_{generation}"
        )
        submitted = st.form_submit_button(_("Add user"), type="primary")
    if not submitted:
        return
    if password != again:
        st.error(_("The two passwords differ."))
        return
    user = attempt(
        lambda: add_user(
            ctx,
            username.strip(),
            str(role),
            password,
            areas=chosen if role == Role.AREA_MANAGER else [],
            display_name=display_name.strip(),
        )
    )
    if user is None:
        return
    _done(_("Added {user} ({role}).").format(user=user.username, role=role_label(user.role)))


def _password_form(ctx: AppContext, users: list[User], generation: int) -> None:
    with st.form(f"admin_password_{generation}"):
        st.markdown(_("**Set a password**"))
        username = st.selectbox(
            _("User"), [u.username for u in users], key=f"admin_password_user_{generation}"
        )
        password = st.text_input(
            _("New password"), type="password", key=f"admin_password_new_{generation}"
        )
        again = st.text_input(
            _("New password again"), type="password", key=f"admin_password_new2_{generation}"
        )
        submitted = st.form_submit_button(_("Set password"))
    if not submitted:
        return
    if password != again:
        st.error(_("The two passwords differ."))
        return
    with refusal_shown() as refused:
        set_password(ctx, username, password)
    if refused:
        return
    _done(_("Password of {user} changed.").format(user=username))


def _access_form(ctx: AppContext, users: list[User], generation: int) -> None:
    by_name = {u.username: u for u in users}
    with st.form(f"admin_access_{generation}"):
        st.markdown(_("**Disable or enable a user**"))
        username = st.selectbox(
            _("User"),
            list(by_name),
            format_func=lambda n: n if by_name[n].active else _("{user} (disabled)").format(user=n),
            key=f"admin_access_user_{generation}",
        )
        disable, enable = st.columns(2)
        to_disable = disable.form_submit_button(_("Disable"))
        to_enable = enable.form_submit_button(_("Enable"))
    if not (to_disable or to_enable):
        return
    me = ctx.user.username if ctx.user else None
    if to_disable and me is not None and username.casefold() == me.casefold():
        st.error(_("You cannot disable your own account; ask another head office user."))
        return
    with refusal_shown() as refused:
        if to_disable:
            disable_user(ctx, username)
        else:
            enable_user(ctx, username)
    if refused:
        return
    _done(
        _("{user} disabled.").format(user=username)
        if to_disable
        else _("{user} enabled.").format(user=username)
    )
