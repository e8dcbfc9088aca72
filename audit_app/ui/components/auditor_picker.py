"""The visit form's auditor: chosen from the auditors (searchable, the user's own first),
or typed as a new name, with a warning when it looks like a known auditor misspelt."""

from __future__ import annotations

from typing import Any, Literal

import streamlit as st

from audit_app.domain.auditors import name_key
from audit_app.domain.safe_text import markdown_text
from audit_app.i18n import _, ngettext
from audit_app.services.auditors import Choices


def auditor_picker(
    choices: Choices,
    *,
    key: str,
    where: Any = st,
    persist_state: Literal["page", "session"] | None = None,
) -> str:
    """A selectbox of auditor names that also takes a new one; returns the name chosen.

    A name already in the field (a draft's, the user's own) stays offered even when it is
    not an auditor yet: it becomes one when the visit is submitted."""
    current = st.session_state.get(key)
    options = list(choices.names)
    if isinstance(current, str) and current and current not in options:
        options.append(current)
    chosen = where.selectbox(
        _("Auditor"),
        options,
        key=key,
        accept_new_options=True,
        placeholder=_("Choose or type a name"),
        help=_("Who made the visit: pick them from the list, or type a new name"),
        persist_state=persist_state,
    )
    name = str(chosen or "").strip()
    if name and name_key(name) not in choices.directory.keys:
        near = choices.directory.near_misses(name)
        if near:
            st.warning(
                markdown_text(
                    ngettext(
                        "{name} is close to the auditor {auditors}: same person? Pick them from "
                        "the list, or keep the new name.",
                        "{name} is close to the auditors {auditors}: same person? Pick one from "
                        "the list, or keep the new name.",
                        len(near),
                    ).format(name=repr(name), auditors=", ".join(repr(n) for n in near))
                ),
                icon=":material/person_search:",
            )
        else:
            st.caption(
                markdown_text(
                    _(
                        "{name} is a new auditor: added to the list when the visit is submitted."
                    ).format(name=repr(name))
                )
            )
    return name
