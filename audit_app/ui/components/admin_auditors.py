"""Head office's auditor list: the people who make visits (staff or agency), added, changed,
deactivated and merged when one person was typed under two names.

A name close to another auditor's is refused first with the names it is close to; head
office then adds it anyway on purpose (two people may differ by one accent) or merges.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from audit_app.domain.auditors import Auditor, AuditorKind
from audit_app.domain.labels import auditor_kind_label
from audit_app.domain.safe_text import markdown_text
from audit_app.i18n import _, formats, ngettext, pgettext
from audit_app.services.auditors import (
    AuditorCode,
    AuditorRefused,
    add_auditor,
    audit_counts,
    list_auditors,
    merge_auditors,
    near_miss_message,
    update_auditor,
)
from audit_app.services.context import AppContext
from audit_app.services.users import known_areas, list_users
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.refusals import refusal_shown, show_refusal

GENERATION_KEY = "admin_auditor_generation"
FLASH_KEY = "admin_auditor_flash"
PENDING_KEY = "admin_auditor_pending"
"""The add that was refused as a near miss, waiting for "Add anyway"."""
NO_USER = ""


def auditors_tab(ctx: AppContext) -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(markdown_text(flash), icon=":material/check_circle:")
    with refusal_shown() as refused:
        people = list_auditors(ctx, include_inactive=True)
        counts = audit_counts(ctx)
        areas = known_areas(ctx)
        usernames = [user.username for user in list_users(ctx)]
    if refused:
        return
    generation = st.session_state.setdefault(GENERATION_KEY, 0)
    if people:
        data_table(
            auditor_frame(people, counts).rename(columns=auditor_headings()),
            hide_index=True,
            width="stretch",
            column_config={
                pgettext("auditor", "Active"): st.column_config.CheckboxColumn(width="small")
            },
        )
    else:
        st.info(
            _("No auditors yet. Add the first one below, or they appear as visits name them."),
            icon=":material/badge:",
        )
    left, right = st.columns(2)
    with left:
        _add_form(ctx, areas, usernames, generation)
    with right:
        if people:
            _edit_form(ctx, people, areas, usernames, generation)
    if len(people) > 1:
        _merge_form(ctx, people, counts, generation)


def auditor_headings() -> dict[str, str]:
    """The auditor table's columns as headed in the session's language."""
    return {
        "name": _("Name"),
        "kind": _("Kind"),
        "organisation": _("Organisation"),
        "areas": _("Areas"),
        "username": _("App user"),
        "active": pgettext("auditor", "Active"),
        "audits": _("Audits"),
    }


def auditor_frame(people: list[Auditor], counts: dict[int, int]) -> pd.DataFrame:
    """One row per auditor (merged ones are gone: their audits are their person's)."""
    return pd.DataFrame(
        [
            {
                "name": person.name,
                "kind": auditor_kind_label(person.kind),
                "organisation": person.organisation,
                "areas": areas_text(person.areas),
                "username": person.username or "",
                "active": person.active,
                "audits": formats.integer(counts.get(person.id, 0)),
            }
            for person in people
        ],
        columns=list(auditor_headings()),
    )


def areas_text(areas: tuple[str, ...]) -> str:
    return ", ".join(areas) if areas else _("anywhere")


def _user_label(username: str) -> str:
    return username if username != NO_USER else _("none")


def _done(message: str) -> None:
    """Remember the message, empty the forms (new widget keys) and draw again."""
    st.session_state[FLASH_KEY] = message
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    st.session_state.pop(PENDING_KEY, None)
    st.rerun()


def _added(person: Auditor) -> None:
    _done(_("Added the auditor {name}.").format(name=person.name))


def _add_form(ctx: AppContext, areas: list[str], usernames: list[str], generation: int) -> None:
    with st.form(f"admin_add_auditor_{generation}"):
        st.markdown(_("**Add an auditor**"))
        name = st.text_input(_("Name"), key=f"admin_auditor_name_{generation}")
        kind = st.selectbox(
            _("Kind"),
            list(AuditorKind),
            format_func=auditor_kind_label,
            key=f"admin_auditor_kind_{generation}",
        )
        organisation = st.text_input(
            _("Organisation"), key=f"admin_auditor_organisation_{generation}"
        )
        email = st.text_input(_("E-mail"), key=f"admin_auditor_email_{generation}")
        chosen = st.multiselect(
            _("Areas visited (none: anywhere)"),
            areas,
            key=f"admin_auditor_areas_{generation}",
            placeholder=_("Anywhere"),
        )
        username = st.selectbox(
            _("App user (if the auditor has one)"),
            [NO_USER, *usernames],
            format_func=_user_label,
            key=f"admin_auditor_username_{generation}",
        )
        submitted = st.form_submit_button(_("Add auditor"), type="primary")
    if submitted:
        st.session_state.pop(PENDING_KEY, None)  # a new try replaces the last warning
        values: dict[str, Any] = {
            "name": name,
            "kind": str(kind),
            "organisation": organisation,
            "email": email,
            "areas": list(chosen),
            "username": username or None,
        }
        try:
            person = add_auditor(ctx, **values)
        except AuditorRefused as refused:
            if refused.code != AuditorCode.NEAR_MISS:
                show_refusal(refused)
                return
            st.session_state[PENDING_KEY] = {**values, "near": list(refused.near)}
        else:
            _added(person)
    _near_miss(ctx)


def _near_miss(ctx: AppContext) -> None:
    """The warning of a near miss, and the explicit "Add anyway"."""
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        return
    message = near_miss_message(pending["name"], pending["near"])
    st.warning(markdown_text(message), icon=":material/warning:")
    st.caption(_("If it is the same person, choose that auditor in the visit instead."))
    anyway, cancel = st.columns(2)
    if anyway.button(_("Add anyway"), key="admin_auditor_add_anyway"):
        values = {k: v for k, v in pending.items() if k != "near"}
        with refusal_shown() as refused:
            person = add_auditor(ctx, **values, force=True)
        if not refused:
            _added(person)
    if cancel.button(_("Cancel"), key="admin_auditor_add_cancel"):
        st.session_state.pop(PENDING_KEY, None)
        st.rerun()


def _edit_form(
    ctx: AppContext,
    people: list[Auditor],
    areas: list[str],
    usernames: list[str],
    generation: int,
) -> None:
    by_id = {person.id: person for person in people}
    st.markdown(_("**Change an auditor**"))
    chosen_id = st.selectbox(
        _("Auditor"),
        list(by_id),
        format_func=lambda i: _person_label(by_id[i]),
        key=f"admin_auditor_edit_{generation}",
    )
    person = by_id[chosen_id]
    keyed = f"{generation}_{person.id}"
    offered_areas = sorted({*areas, *person.areas})
    offered_users = [NO_USER, *usernames]
    if person.username and person.username not in offered_users:
        offered_users.append(person.username)
    with st.form(f"admin_edit_auditor_{keyed}"):
        kind = st.selectbox(
            _("Kind"),
            list(AuditorKind),
            index=list(AuditorKind).index(person.kind),
            format_func=auditor_kind_label,
            key=f"admin_auditor_edit_kind_{keyed}",
        )
        organisation = st.text_input(
            _("Organisation"), value=person.organisation, key=f"admin_auditor_edit_org_{keyed}"
        )
        email = st.text_input(
            _("E-mail"), value=person.email, key=f"admin_auditor_edit_email_{keyed}"
        )
        chosen_areas = st.multiselect(
            _("Areas visited (none: anywhere)"),
            offered_areas,
            default=list(person.areas),
            key=f"admin_auditor_edit_areas_{keyed}",
            placeholder=_("Anywhere"),
        )
        username = st.selectbox(
            _("App user (if the auditor has one)"),
            offered_users,
            index=offered_users.index(person.username or NO_USER),
            format_func=_user_label,
            key=f"admin_auditor_edit_username_{keyed}",
        )
        active = st.checkbox(
            _("Active (offered in visit forms and templates)"),
            value=person.active,
            key=f"admin_auditor_edit_active_{keyed}",
        )
        submitted = st.form_submit_button(_("Save auditor"))
    if not submitted:
        return
    with refusal_shown() as refused:
        changed = update_auditor(
            ctx,
            str(person.id),
            kind=str(kind),
            organisation=organisation,
            email=email,
            areas=list(chosen_areas),
            username=username,
            active=active,
        )
    if refused:
        return
    _done(_("Saved the auditor {name}.").format(name=changed.name))


def _person_label(person: Auditor) -> str:
    if person.active:
        return person.name
    return _("{name} (inactive)").format(name=person.name)


def _merge_form(
    ctx: AppContext, people: list[Auditor], counts: dict[int, int], generation: int
) -> None:
    """Two names of one person: pick the name to keep; the other's audits move to it."""
    by_id = {person.id: person for person in people}
    ids = list(by_id)
    st.divider()
    st.markdown(_("**Merge two auditors (one person under two names)**"))
    goes_col, keep_col = st.columns(2)
    goes = goes_col.selectbox(
        _("Name that goes"),
        ids,
        format_func=lambda i: _person_label(by_id[i]),
        key=f"admin_auditor_merge_source_{generation}",
    )
    keep = keep_col.selectbox(
        _("Name to keep"),
        ids,
        index=1 if len(ids) > 1 else 0,
        format_func=lambda i: _person_label(by_id[i]),
        key=f"admin_auditor_merge_into_{generation}",
    )
    source, into = by_id[goes], by_id[keep]
    moving = counts.get(source.id, 0)
    if source.id != into.id:
        st.info(
            ngettext(
                "{count} audit of {source} moves to {into}; {source} is kept only as "
                "another spelling of {into}.",
                "{count} audits of {source} move to {into}; {source} is kept only as "
                "another spelling of {into}.",
                moving,
            ).format(count=formats.integer(moving), source=source.name, into=into.name),
            icon=":material/merge:",
        )
    sure = st.checkbox(
        _("Yes, these two names are one person"), key=f"admin_auditor_merge_sure_{generation}"
    )
    if not st.button(_("Merge"), key=f"admin_auditor_merge_{generation}", disabled=not sure):
        return
    with refusal_shown() as refused:
        result = merge_auditors(ctx, str(source.id), str(into.id))
    if refused:
        return
    _done(
        ngettext(
            "Merged {source} into {into}: {count} audit moved.",
            "Merged {source} into {into}: {count} audits moved.",
            result.audits_moved,
        ).format(
            source=result.source.name,
            into=result.into.name,
            count=formats.integer(result.audits_moved),
        )
    )
