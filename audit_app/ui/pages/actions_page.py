"""Actions: the corrective actions audits created, overdue ones first in sight, and a form to
move one along (status, owner, due date, note) for head office and the branch's area manager.

Opened as ``actions``, ``actions?code=ES-CAT-01`` (one branch), ``actions?audit=7`` (the
actions one audit opened: the score card links here) or ``actions?id=12`` (one action chosen
for editing). Triage: overdue first, then due soonest; filters by owner ("unassigned" too)
and due date; several actions changed at once (owner, status, due date). The services keep
an area manager inside their areas.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from audit_app.domain.actions import MOVES, ActionStatus
from audit_app.domain.audit import Branch
from audit_app.domain.labels import action_status_label
from audit_app.domain.safe_text import markdown_text
from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _, current_language, formats, ngettext, pgettext
from audit_app.services.actions import (
    UNASSIGNED,
    ActionFilter,
    ActionView,
    BulkUpdate,
    action_history,
    actions_csv,
    actions_version,
    get_action,
    list_actions,
    may_edit,
    owners,
    today,
    update_action,
    update_actions,
)
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.ui.components.branch_names import branch_labels
from audit_app.ui.components.cache_scope import Scope, cache_scope
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.refusals import attempt
from audit_app.ui.components.session import user_context

FLASH = "actions_flash"
BULK = "actions_bulk_ids"
BULK_CLEAR = "actions_bulk_clear"
# The table rows last picked: a new pick replaces the bulk list, a rerun keeps it.
PICKED = "actions_picked"
# The due-date filter: any day, due today or before, within a week, within two (a comment:
# Streamlit's magic would print a bare string).
DUE_WITHIN = (None, 0, 7, 14)
# The words for a changed field, in "Action #3 saved: status, owner changed." and the
# history table (a comment: Streamlit's magic would print a bare string).
FIELDS = {
    "status": N_("status"),
    "owner": N_("owner"),
    "due_on": N_("due date"),
    "note": N_("note"),
}


def table_columns() -> dict[str, Any]:
    """The table's columns, in the session's language (built per run, not at import)."""
    return {
        "id": st.column_config.NumberColumn("#", width=60, format="%d"),
        "due_on": st.column_config.DateColumn(_("Due"), format="YYYY-MM-DD", width=100),
        "overdue": st.column_config.CheckboxColumn(_("Overdue"), width=75),
        "status": st.column_config.TextColumn(_("Status"), width=95),
        "branch": st.column_config.LinkColumn(
            _("Branch"), display_text=r"branch\?code=(.*)", width=100
        ),
        "item": st.column_config.TextColumn(_("Item"), width="large"),
        "critical": st.column_config.CheckboxColumn(_("Critical"), width=70),
        "owner": st.column_config.TextColumn(_("Owner"), width=140),
        "audit": st.column_config.LinkColumn(_("Audit"), display_text=r"audit\?id=(\d+)", width=70),
        "open": st.column_config.LinkColumn(
            _("Change"), display_text=pgettext("a link that opens an action", "Open"), width=70
        ),
    }


def render() -> None:
    ctx = user_context()
    st.title(_("Actions"))
    st.caption(
        _(
            "One corrective action per failed item of a submitted audit, critical items "
            "first; a follow-up audit that passes the item verifies it."
        )
    )
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash, icon=":material/check_circle:")
    day = today()
    language = current_language()
    scope = cache_scope(ctx.user)
    action_filter = _filters(ctx, list_branches(ctx), day)
    if action_filter.audit_id is not None:
        _audit_banner(action_filter.audit_id)
    actions = attempt(
        lambda: _actions(ctx, scope, action_filter, actions_version(ctx), day, language)
    )
    if actions is None:
        return
    if not actions:
        narrowed = bool(
            _actions(
                ctx, cache_scope(ctx.user), ActionFilter(), actions_version(ctx), day, language
            )
        )
        st.info(
            _("No corrective actions match these filters; widen them in the sidebar.")
            if narrowed
            else _(
                "No corrective actions yet: submitting an audit with failed items creates "
                "them (New visit or Import), or load the demo chain with `audit-app demo`."
            ),
            icon=":material/inbox:",
        )
        return
    _kpis(actions)
    picked = _table(actions)
    _by_owner(actions)
    st.download_button(
        _("Download these actions (CSV)"),
        data=lambda: actions_csv(ctx, action_filter, on=day),
        file_name="actions.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="actions_csv",
    )
    _edit(ctx, actions)
    _bulk(ctx, actions, picked)


def _audit_asked() -> int | None:
    raw = (st.query_params.get("audit") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _filters(ctx: AppContext, branches: list[Branch], day: date) -> ActionFilter:
    """Status, overdue, due, owner and branch pickers in the sidebar; ``?code=`` preselects a
    branch, ``?audit=`` narrows to one audit's actions (every status: what it opened)."""
    codes = [b.code for b in branches]
    by_key = {code.casefold(): code for code in codes}
    asked = by_key.get((st.query_params.get("code") or "").strip().casefold())
    audit_id = _audit_asked()
    labels = branch_labels(branches)
    with st.sidebar:
        statuses = st.multiselect(
            _("Status"),
            list(ActionStatus),
            default=(
                list(ActionStatus)
                if audit_id is not None
                else [ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
            ),
            format_func=action_status_label,
            key="actions_status",
        )
        overdue_only = st.toggle(_("Overdue only"), key="actions_overdue")
        within = st.selectbox(
            _("Due"),
            DUE_WITHIN,
            format_func=_due_label,
            key="actions_due",
        )
        code = st.selectbox(
            _("Branch"),
            codes,
            index=codes.index(asked) if asked else None,
            format_func=labels.__getitem__,
            placeholder=_("All branches"),
            key="actions_branch",
        )
        base = ActionFilter(
            tuple(status.value for status in statuses) or None,
            code,
            overdue_only,
            audit_id=audit_id,
            due_by=None if within is None else day + timedelta(days=within),
        )
        known = [name for name, _total, _late in owners(_scope(ctx, base, day))]
        chosen = st.multiselect(
            _("Owner"),
            known,
            format_func=_owner_label,
            placeholder=_("Everyone"),
            key="actions_owner",
        )
    return ActionFilter(
        base.status,
        base.branch_code,
        base.overdue_only,
        owners=tuple(chosen) or None,
        due_by=base.due_by,
        audit_id=base.audit_id,
    )


def _scope(ctx: AppContext, action_filter: ActionFilter, day: date) -> list[ActionView]:
    """The actions the other filters leave (the owners to pick from come from these)."""
    version = actions_version(ctx)
    return _actions(ctx, cache_scope(ctx.user), action_filter, version, day, current_language())


def _due_label(within: int | None) -> str:
    if within is None:
        return _("Any day")
    if within == 0:
        return _("Today or earlier")
    return ngettext("Within {n} day", "Within {n} days", within).format(n=formats.integer(within))


def _owner_label(owner: str) -> str:
    return owner if owner != UNASSIGNED else _("Unassigned")


def _audit_banner(audit_id: int) -> None:
    st.info(
        _("The corrective actions audit #{id} opened, in every status.").format(id=audit_id),
        icon=":material/filter_alt:",
    )
    st.page_link(
        "pages/audit_page.py",
        label=_("Back to audit #{id}").format(id=audit_id),
        query_params={"id": str(audit_id)},
        icon=":material/fact_check:",
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _actions(
    _ctx: AppContext,
    scope: Scope,
    action_filter: ActionFilter,
    version: Any,
    day: date,
    language: str,
) -> list[ActionView]:
    """Cached per scope, filter, day and language (the items' questions are in it); a change
    to any action changes ``version``."""
    return list_actions(_ctx, action_filter, on=day)


def _kpis(actions: list[ActionView]) -> None:
    kpis = st.columns(3)
    kpis[0].metric(_("Actions"), formats.integer(len(actions)))
    kpis[1].metric(_("Overdue"), formats.integer(sum(a.overdue for a in actions)))
    kpis[2].metric(_("Critical"), formats.integer(sum(a.critical for a in actions)))


def _frame(actions: list[ActionView]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": a.id,
                "due_on": a.due_on,
                "overdue": a.overdue,
                "status": action_status_label(a.status),
                "branch": f"branch?code={a.branch_code}",
                "item": a.item,
                "critical": a.critical,
                "owner": a.owner,
                "audit": f"audit?id={a.audit_id}",
                "open": _link(a),
            }
            for a in actions
        ]
    )


def _table(actions: list[ActionView]) -> list[int]:
    """The actions, overdue first then due soonest; returns the ids of the rows picked."""
    # No pandas Styler to shade the overdue rows: it took 45 ms of the server's Python time
    # on every run of the page for the demo's 164 open actions, 0.33 s for all 2,000 (#21);
    # the Overdue column marks them instead.
    frame = _frame(actions)
    columns = table_columns()
    event = data_table(
        frame,
        hide_index=True,
        width="stretch",
        column_order=list(columns),
        column_config=columns,
        on_select="rerun",
        selection_mode="multi-row",
        key="actions_table",
    )
    st.caption(
        _(
            "Overdue first, then due soonest; the Overdue column marks those due before today "
            "and not done yet. Open one to change it below, or tick several rows to change "
            "them together; the branch and audit links open those pages."
        )
    )
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    return [actions[i].id for i in rows if 0 <= i < len(actions)]


def _by_owner(actions: list[ActionView]) -> None:
    """Who has how many, most overdue first: the triage by owner."""
    tally = owners(actions)
    if len(tally) < 2 and not any(owner == UNASSIGNED for owner, _n, _late in tally):
        return
    with st.expander(_("By owner"), icon=":material/group:"):
        data_table(
            pd.DataFrame(
                [
                    {"owner": _owner_label(owner), "actions": total, "overdue": late}
                    for owner, total, late in tally
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "owner": st.column_config.TextColumn(_("Owner")),
                "actions": st.column_config.NumberColumn(_("Actions"), format="%d"),
                "overdue": st.column_config.NumberColumn(_("Overdue"), format="%d"),
            },
        )
        st.caption(_("Pick an owner in the sidebar to see only theirs."))


def _link(action: ActionView) -> str:
    """This page with the action chosen (and the filters that list it kept)."""
    code = st.query_params.get("code")
    return f"actions?code={code}&id={action.id}" if code else f"actions?id={action.id}"


def _edit(ctx: AppContext, actions: list[ActionView]) -> None:
    st.subheader(_("One action"))
    by_id = {a.id: a for a in actions}
    asked = st.query_params.get("id")
    if asked and asked.isdigit() and len(asked) < 12 and int(asked) not in by_id:
        try:  # a link to an action the filters leave out still opens it (no dead end)
            linked = get_action(ctx, int(asked), on=today())
            by_id = {linked.id: linked, **by_id}
        except AuditAppError:
            pass  # another area's or a missing action: the list alone, as before
    preset = int(asked) if asked and asked.isdigit() and int(asked) in by_id else None
    ids = list(by_id)
    chosen = st.selectbox(
        _("Action"),
        ids,
        index=ids.index(preset) if preset is not None else None,
        format_func=lambda i: f"#{i} · {by_id[i].branch_code} · {by_id[i].item}",
        placeholder=_("Choose an action from the list above"),
        key="actions_chosen",
    )
    if chosen is None:
        return
    action = by_id[chosen]
    st.markdown(_details(ctx, action))
    if action.note:
        st.markdown(_("Note: {note}").format(note=markdown_text(action.note)))
    if may_edit(ctx, action):
        _form(ctx, action)
    else:
        st.caption(_("Only head office and the branch's area manager can change an action."))
    _history(ctx, action)


def _details(ctx: AppContext, action: ActionView) -> str:
    """One sentence on the action: the item's question, its checklist by title, the branch
    by name, when it was found and when it is due (no ids: people read this)."""
    try:
        checklist = markdown_text(
            ctx.catalogue.get(action.checklist_id).title_in(current_language())
        )
    except AuditAppError:  # a checklist file removed since: its id still names it
        checklist = markdown_text(action.checklist_id)
    figures = {
        "item": markdown_text(action.item),
        "checklist": checklist,
        "branch": markdown_text(action.branch_name),
        "code": markdown_text(action.branch_code),
        "found": formats.date(action.found_on),
        "status": action_status_label(action.status),
        "due": formats.date(action.due_on),
    }
    days = (today() - action.due_on).days
    if action.overdue:
        if action.critical:
            text = ngettext(
                "**{item}** (critical item of {checklist}) at **{branch}** ({code}), found on "
                "{found}. Status: {status}; due {due}, overdue by {days} day.",
                "**{item}** (critical item of {checklist}) at **{branch}** ({code}), found on "
                "{found}. Status: {status}; due {due}, overdue by {days} days.",
                days,
            )
        else:
            text = ngettext(
                "**{item}** ({checklist}) at **{branch}** ({code}), found on {found}. "
                "Status: {status}; due {due}, overdue by {days} day.",
                "**{item}** ({checklist}) at **{branch}** ({code}), found on {found}. "
                "Status: {status}; due {due}, overdue by {days} days.",
                days,
            )
    elif action.critical:
        text = _(
            "**{item}** (critical item of {checklist}) at **{branch}** ({code}), found on "
            "{found}. Status: {status}; due {due}."
        )
    else:
        text = _(
            "**{item}** ({checklist}) at **{branch}** ({code}), found on {found}. "
            "Status: {status}; due {due}."
        )
    return text.format(**figures, days=formats.integer(days))


def _form(ctx: AppContext, action: ActionView) -> None:
    moves = [action.status, *sorted(MOVES[action.status], key=list(ActionStatus).index)]
    with st.form(f"action_form_{action.id}"):
        status = st.selectbox(_("Status"), moves, format_func=action_status_label)
        owner = st.text_input(_("Owner"), value=action.owner, max_chars=200)
        due_on = st.date_input(
            _("Due"), value=action.due_on, min_value=action.found_on, format="YYYY-MM-DD"
        )
        note = st.text_area(_("Note"), value=action.note or "")
        saved = st.form_submit_button(_("Save"), icon=":material/save:", type="primary")
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
        st.info(_("Nothing changed."))
        return
    changed = ", ".join(_field(name) for name in result.changed)
    st.session_state[FLASH] = ngettext(
        "Action #{id} saved: {fields} changed.",
        "Action #{id} saved: {fields} changed.",
        len(result.changed),
    ).format(id=action.id, fields=changed)
    st.rerun()


def _bulk(ctx: AppContext, actions: list[ActionView], picked: list[int]) -> None:
    """Several actions changed in one go: those ticked in the table (or chosen here) get
    the same owner, status or due date; what the rules refuse is named per action."""
    editable = {a.id: a for a in actions if may_edit(ctx, a)}
    if not editable:
        return
    state = st.session_state
    if state.pop(BULK_CLEAR, False):
        state[BULK] = []
    if picked != state.get(PICKED):
        state[PICKED] = picked
        state[BULK] = [i for i in picked if i in editable]
    elif BULK in state:  # the filters changed: keep only what is still listed
        state[BULK] = [i for i in state[BULK] if i in editable]
    st.subheader(_("Several actions at once"))
    chosen = st.multiselect(
        _("Actions to change"),
        list(editable),
        format_func=lambda i: f"#{i} · {editable[i].branch_code} · {editable[i].item}",
        placeholder=_("Tick rows in the table above, or choose them here"),
        key=BULK,
    )
    if not chosen:
        return
    keep = pgettext("a bulk change that leaves a field as it is", "Leave as it is")
    with st.form("actions_bulk_form"):
        owner = st.text_input(
            _("New owner"), max_chars=200, placeholder=keep, key="actions_bulk_owner"
        )
        status = st.selectbox(
            _("New status"),
            [None, *ActionStatus],
            format_func=lambda s: keep if s is None else action_status_label(s),
            key="actions_bulk_status",
        )
        set_due = st.checkbox(_("Set a new due date"), key="actions_bulk_set_due")
        due_on = st.date_input(
            _("New due date"), value=today(), format="YYYY-MM-DD", key="actions_bulk_due"
        )
        applied = st.form_submit_button(
            ngettext("Change {n} action", "Change {n} actions", len(chosen)).format(
                n=formats.integer(len(chosen))
            ),
            icon=":material/edit_note:",
            type="primary",
        )
    if not applied:
        return
    result = attempt(
        lambda: update_actions(
            ctx,
            chosen,
            owner=owner.strip() or None,
            status=status,
            due_on=due_on if set_due and isinstance(due_on, date) else None,
        )
    )
    if result is None:
        return
    if result.refused:
        _refusals(result)
        if not result.changed:
            return
    state[FLASH] = ngettext(
        "{n} action changed.", "{n} actions changed.", len(result.changed)
    ).format(n=formats.integer(len(result.changed)))
    if not result.refused:
        state[BULK_CLEAR] = True
        st.rerun()
    st.success(state.pop(FLASH), icon=":material/check_circle:")


def _refusals(result: BulkUpdate) -> None:
    lines = "\n".join(f"- {markdown_text(r.reason)}" for r in result.refused)
    st.warning(
        ngettext(
            "{n} action was left as it was:",
            "{n} actions were left as they were:",
            len(result.refused),
        ).format(n=formats.integer(len(result.refused)))
        + "\n"
        + lines,
        icon=":material/block:",
    )


def _field(name: str) -> str:
    word = FIELDS.get(name)
    return _(word) if word is not None else name


def _value(field: str, value: str | None) -> str:
    """A history value as people read it: a status by its label, a date in the language."""
    if value is None or value == "":
        return "—"
    if field == "status":
        return action_status_label(value)
    if field == "due_on":
        try:
            return formats.date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    return value


def _history(ctx: AppContext, action: ActionView) -> None:
    events = attempt(lambda: action_history(ctx, action.id))
    if events is None:
        return
    if not events:
        st.caption(_("No change since the audit created it."))
        return
    st.caption(_("History"))
    data_table(
        pd.DataFrame(
            [
                {
                    "at": e.at,
                    "by": e.by or "—",
                    "field": _field(e.field),
                    "old": _value(e.field, e.old),
                    "new": _value(e.field, e.new),
                }
                for e in events
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "at": st.column_config.DatetimeColumn(_("When (UTC)"), format="YYYY-MM-DD HH:mm"),
            "by": st.column_config.TextColumn(_("Who")),
            "field": st.column_config.TextColumn(_("Field")),
            "old": st.column_config.TextColumn(_("Before")),
            "new": st.column_config.TextColumn(_("After")),
        },
    )


render()
