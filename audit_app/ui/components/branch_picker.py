"""A branch picker over the branches the caller already narrowed to the user's scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import streamlit as st

from audit_app.domain.audit import Branch
from audit_app.i18n import _


def branch_label(branch: Branch) -> str:
    if not branch.active:
        return _("{code} · {name} (inactive)").format(code=branch.code, name=branch.name)
    return f"{branch.code} · {branch.name}"


def branch_picker(
    branches: Sequence[Branch],
    *,
    key: str,
    label: str | None = None,
    persist_state: Literal["page", "session"] | None = None,
) -> str | None:
    """A selectbox of branch codes shown with their names; returns the chosen code.

    Pass only ``list_branches(ctx)`` results (or a subset): the picker trusts its input.
    ``persist_state="session"`` keeps the choice across page switches.
    """
    by_code = {branch.code: branch for branch in branches}
    return st.selectbox(
        _("Branch") if label is None else label,
        list(by_code),
        key=key,
        format_func=lambda code: branch_label(by_code[code]) if code in by_code else code,
        placeholder=_("Choose a branch"),
        persist_state=persist_state,
    )
