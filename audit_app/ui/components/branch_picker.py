"""A branch picker over the branches the caller already narrowed to the user's scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import streamlit as st

from audit_app.domain.audit import Branch


def branch_label(branch: Branch) -> str:
    closed = " (inactive)" if not branch.active else ""
    return f"{branch.code} · {branch.name}{closed}"


def branch_picker(
    branches: Sequence[Branch],
    *,
    key: str,
    label: str = "Branch",
    persist_state: Literal["page", "session"] | None = None,
) -> str | None:
    """A selectbox of branch codes shown with their names; returns the chosen code.

    Pass only ``list_branches(ctx)`` results (or a subset): the picker trusts its input.
    ``persist_state="session"`` keeps the choice across page switches.
    """
    by_code = {branch.code: branch for branch in branches}
    return st.selectbox(
        label,
        list(by_code),
        key=key,
        format_func=lambda code: branch_label(by_code[code]) if code in by_code else code,
        placeholder="Choose a branch",
        persist_state=persist_state,
    )
