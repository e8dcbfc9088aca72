"""Actions: the corrective actions audits created, overdue ones first in sight, and a form to
move one along (status, owner, due date, note) for head office and the branch's area manager.

Opened as ``actions``, ``actions?code=ES-CAT-01`` (one branch) or ``actions?id=12`` (one
action chosen for editing). The services keep an area manager inside their areas.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from audit_app.domain.actions import MOVES, ActionStatus
from audit_app.domain.audit import Branch
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import User
from audit_app.services.actions import (
    ActionFilter,
    ActionView,
    action_history,
    actions_csv,
    actions_version,
    list_actions,
    may_edit,
    today,
    update_action,
)
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.ui.components.branch_names import branch_labels
from audit_app.ui.components.refusals import attempt
from audit_app.ui.components.session import user_context

STATUS_LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
    ActionStatus.VERIFIED: "Verified",
}
OVERDUE_STYLE = "background-color: #fde2e1"
FLASH = "actions_flash"

# (A comment, not a docstring: Streamlit's magic would print a bare string.)
TABLE_COLUMNS = {
    "id": st.column_config.NumberColumn("#", width=60, format="%d"),
    "due_on": st.column_config.DateColumn("Due", format="YYYY-MM-DD", width=100),
    "overdue": st.column_config.CheckboxColumn("Overdue", width=75),
    "status": st.column_config.TextColumn("Status", width=95),
    "branch": st.column_config.LinkColumn("Branch", display_text=r"branch\?code=(.*)", width=100),
    "item": st.column_config.TextColumn("Item", width="large"),
    "critical": st.column_config.CheckboxColumn("Critical", width=70),
    "owner": st.column_config.TextColumn("Owner", width=140),
    "audit": st.column_config.LinkColumn("Audit", display_text=r"audit\?id=(\d+)", width=70),
}


def render() -> None:
    ctx = user_context()
    st.title("Actions")
    st.caption(
        "One corrective action per failed item of a submitted audit, critical items first; "
        "a follow-up audit that passes the item verifies it."
    )
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash, icon=":material/check_circle:")
    action_filter = _filters(ctx, list_branches(ctx))
    day = today()
    actions = attempt(lambda: _actions(ctx, ctx.user, action_filter, actions_version(ctx), day))
    if actions is None:
        return
    if not actions:
        narrowed = bool(_actions(ctx, ctx.user, ActionFilter(), actions_version(ctx), day))
        st.info(
            "No corrective actions match these filters; widen them in the sidebar."
            if narrowed
            else "No corrective actions yet: submitting an audit with failed items creates "
            "them (New visit or Import), or load the demo chain with `audit-app demo`.",
            icon=":material/inbox:",
        )
        return
    _kpis(actions)
    _table(actions)
    st.download_button(
        "Download these actions (CSV)",
        data=lambda: actions_csv(ctx, action_filter, on=day),
        file_name="actions.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="actions_csv",
    )
    _edit(ctx, actions)


def _filters(ctx: AppContext, branches: list[Branch]) -> ActionFilter:
    """Status, overdue and branch pickers in the sidebar; ``?code=`` preselects a branch."""
    codes = [b.code for b in branches]
    by_key = {code.casefold(): code for code in codes}
    asked = by_key.get((st.query_params.get("code") or "").strip().casefold())
    labels = branch_labels(branches)
    with st.sidebar:
        statuses = st.multiselect(
            "Status",
            list(ActionStatus),
            default=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
            format_func=STATUS_LABELS.__getitem__,
            key="actions_status",
        )
        overdue_only = st.toggle("Overdue only", key="actions_overdue")
        code = st.selectbox(
            "Branch",
            codes,
            index=codes.index(asked) if asked else None,
            format_func=labels.__getitem__,
            placeholder="All branches",
            key="actions_branch",
        )
    return ActionFilter(tuple(status.value for status in statuses) or None, code, overdue_only)


@st.cache_data(show_spinner="Reading the actions…", max_entries=64)
def _actions(
    _ctx: AppContext, user: User | None, action_filter: ActionFilter, version: Any, day: date
) -> list[ActionView]:
    """Cached per user, filter and day; a change to any action changes ``version``."""
    return list_actions(_ctx, action_filter, on=day)


def _kpis(actions: list[ActionView]) -> None:
    kpis = st.columns(3)
    kpis[0].metric("Actions", f"{len(actions):,}")
    kpis[1].metric("Overdue", f"{sum(a.overdue for a in actions):,}")
    kpis[2].metric("Critical", f"{sum(a.critical for a in actions):,}")


def _frame(actions: list[ActionView]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "due_on": a.due_on,
                "overdue": a.overdue,
                "status": STATUS_LABELS[a.status],
                "branch": f"branch?code={a.branch_code}",
                "item": a.item,
                "critical": a.critical,
                "owner": a.owner,
                "audit": f"audit?id={a.audit_id}",
            }
            for a in actions
        ]
    )


def _table(actions: list[ActionView]) -> None:
    frame = _frame(actions)
    styled = frame.style.apply(
        lambda row: [OVERDUE_STYLE if row["overdue"] else "" for _ in row], axis=1
    )
    st.dataframe(
        styled,
        hide_index=True,
        width="stretch",
        column_order=list(TABLE_COLUMNS),
        column_config=TABLE_COLUMNS,
    )
    st.caption("Overdue rows are shaded: due before today and not done yet.")


def _edit(ctx: AppContext, actions: list[ActionView]) -> None:
    st.subheader("One action")
    by_id = {a.id: a for a in actions}
    asked = st.query_params.get("id")
    preset = int(asked) if asked and asked.isdigit() and int(asked) in by_id else None
    ids = list(by_id)
    chosen = st.selectbox(
        "Action",
        ids,
        index=ids.index(preset) if preset is not None else None,
        format_func=lambda i: f"#{i} · {by_id[i].branch_code} · {by_id[i].item}",
        placeholder="Choose an action from the list above",
        key="actions_chosen",
    )
    if chosen is None:
        return
    action = by_id[chosen]
    st.markdown(
        f"**{markdown_text(action.item)}** ({markdown_text(action.checklist_id)}, item "
        f"`{action.item_id}`{', critical' if action.critical else ''}) at "
        f"**{markdown_text(action.branch_name)}**, found on "
        f"{action.found_on:%Y-%m-%d}; {STATUS_LABELS[action.status].lower()}, due "
        f"{action.due_on:%Y-%m-%d}{' — overdue' if action.overdue else ''}."
    )
    if action.note:
        st.markdown(f"Note: {markdown_text(action.note)}")
    if may_edit(ctx, action):
        _form(ctx, action)
    else:
        st.caption("Only head office and the branch's area manager can change an action.")
    _history(ctx, action)


def _form(ctx: AppContext, action: ActionView) -> None:
    moves = [action.status, *sorted(MOVES[action.status], key=list(ActionStatus).index)]
    with st.form(f"action_form_{action.id}"):
        status = st.selectbox("Status", moves, format_func=STATUS_LABELS.__getitem__)
        owner = st.text_input("Owner", value=action.owner, max_chars=200)
        due_on = st.date_input("Due", value=action.due_on, min_value=action.found_on)
        note = st.text_area("Note", value=action.note or "")
        saved = st.form_submit_button("Save", icon=":material/save:", type="primary")
    if not saved:
        return
    result = attempt(
        lambda: update_action(
            ctx,
            action.id,
            status=status,
            owner=owner,
            due_on=due_on if isinstance(due_on, date) else None,
            note=note,
        )
    )
    if result is None:
        return
    if not result.changed:
        st.info("Nothing changed.")
        return
    st.session_state[FLASH] = f"Action #{action.id} saved: {', '.join(result.changed)} changed."
    st.rerun()


def _history(ctx: AppContext, action: ActionView) -> None:
    events = attempt(lambda: action_history(ctx, action.id))
    if events is None:
        return
    if not events:
        st.caption("No change since the audit created it.")
        return
    st.caption("History")
    st.dataframe(
        pd.DataFrame(
            [
                {"at": e.at, "by": e.by or "—", "field": e.field, "old": e.old, "new": e.new}
                for e in events
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
            "by": "Who",
            "field": "Field",
            "old": "Before",
            "new": "After",
        },
    )


render()
