"""An area manager's home (her Overview): first what needs her today (planned visits due and
overdue, drafts to finish, overdue corrective actions), then her branches at a glance.

"Enter visit" opens New visit as ``new-visit?branch=CODE&checklist=ID&channel=CHANNEL`` and
"Open draft" as ``new-visit?draft=ID``: the New visit page applies such an address once.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from audit_app.domain.home import Direction
from audit_app.domain.labels import channel_label
from audit_app.domain.safe_text import markdown_text
from audit_app.i18n import N_, _, current_language, formats, ngettext, pgettext
from audit_app.services.actions import ActionView
from audit_app.services.context import AppContext
from audit_app.services.drafts import DraftSummary
from audit_app.services.home import AreaHome, BranchLine, PlannedVisit, area_home
from audit_app.ui.components.data_table import data_table

NEW_VISIT, ACTIONS, BRANCH = (
    "pages/new_visit_page.py",
    "pages/actions_page.py",
    "pages/branch_page.py",
)
ACTIONS_OVERDUE = "actions_overdue"
# The Actions page's "Overdue only" toggle: set before opening it, it opens filtered.
BRANCHES_KEY = "home_branches"
SHOWN_ACTIONS = 8
DIRECTIONS = {
    Direction.UP: N_("↑ rising"),
    Direction.DOWN: N_("↓ falling"),
    Direction.STEADY: N_("→ steady"),
    Direction.UNKNOWN: N_("too few visits"),
}


def render_area_home(ctx: AppContext, today: date) -> None:
    home = area_home(ctx, ctx.user, today)
    st.title(_("Overview"))
    st.caption(markdown_text(_scope(home)))
    if not home.branches:
        st.info(
            _(
                "No open branches in your areas yet. Head office adds branches on the Admin "
                "page; ask them to add yours."
            ),
            icon=":material/storefront:",
        )
        return
    _kpis(home)
    st.subheader(_("What needs you today"))
    _due(ctx, home)
    _overdue(ctx, home)
    _drafts(home.drafts)
    _actions(home.overdue_actions)
    _branches(home)


def _scope(home: AreaHome) -> str:
    """ "Area Barcelona: 6 branches · week of 16 Mar 2026 to 22 Mar 2026"."""
    count = len(home.branches)
    areas = ", ".join(home.areas) if home.areas is not None else ""
    where = ngettext("Area {areas}: {count} branch", "Area {areas}: {count} branches", count)
    monday, sunday = home.week
    return _("{scope} · this week: {first} to {last}").format(
        scope=where.format(areas=areas, count=formats.integer(count)),
        first=formats.date(monday),
        last=formats.date(sunday),
    )


def _kpis(home: AreaHome) -> None:
    kpis = st.columns(6)
    kpis[0].metric(_("Active branches"), formats.integer(len(home.branches)))
    kpis[1].metric(_("Visits due this week"), formats.integer(len(home.due_this_week)))
    kpis[2].metric(_("Overdue visits"), formats.integer(len(home.overdue_visits)))
    kpis[3].metric(_("Drafts"), formats.integer(len(home.drafts)))
    kpis[4].metric(
        _("Overdue actions"),
        formats.integer(len(home.overdue_actions)),
        help=_("Corrective actions due before today and not done yet; see the Actions page."),
    )
    kpis[5].metric(
        _("Not visited"),
        formats.integer(len(home.not_visited)),
        help=ngettext(
            "Branches never visited or not visited for {days} day or more.",
            "Branches never visited or not visited for {days} days or more.",
            home.not_visited_days,
        ).format(days=formats.integer(home.not_visited_days)),
    )


# --------------------------------------------------------------------------- planned visits


def _due(ctx: AppContext, home: AreaHome) -> None:
    st.markdown("#### " + _("Visits due this week"))
    if not home.due_this_week:
        st.info(_("No visits planned this week."), icon=":material/event_available:")
        return
    for visit in home.due_this_week:
        _visit_row(ctx, visit, _("due by {day}").format(day=formats.date(visit.due_by)))


def _overdue(ctx: AppContext, home: AreaHome) -> None:
    if not home.overdue_visits:
        return
    st.markdown("#### " + _("Overdue visits"))
    for visit in home.overdue_visits:
        late = (home.today - visit.due_by).days
        when = ngettext(
            "was due by {day}: {n} day late", "was due by {day}: {n} days late", late
        ).format(day=formats.date(visit.due_by), n=formats.integer(late))
        _visit_row(ctx, visit, when)


def _visit_row(ctx: AppContext, visit: PlannedVisit, when: str) -> None:
    text, button = st.columns([3, 1], vertical_alignment="center")
    parts = [
        f"**{markdown_text(visit.branch_label)}**",
        markdown_text(_checklist_title(ctx, visit.checklist_id)),
        channel_label(visit.channel),
        _("planned for {day}").format(day=formats.date(visit.planned_on)),
        when,
    ]
    if visit.auditor:
        parts.append(_("auditor: {name}").format(name=markdown_text(visit.auditor)))
    text.markdown(" · ".join(parts))
    if button.button(
        _("Enter visit"),
        key=f"home_enter_{visit.slot_id}",
        icon=":material/edit_note:",
        help=_("Open New visit with this branch, checklist and channel chosen"),
    ):
        params = {"branch": visit.branch_code, "checklist": visit.checklist_id}
        if visit.channel:
            params["channel"] = visit.channel
        st.switch_page(NEW_VISIT, query_params=params)


def _checklist_title(ctx: AppContext, checklist_id: str) -> str:
    latest = {checklist.id: checklist for checklist in ctx.catalogue.latest()}
    checklist = latest.get(checklist_id)
    return checklist.title_in(current_language()) if checklist else checklist_id


# --------------------------------------------------------------------------- drafts, actions


def _drafts(drafts: tuple[DraftSummary, ...]) -> None:
    st.markdown("#### " + _("Drafts to finish"))
    if not drafts:
        st.caption(_("No drafts: every visit you started is submitted."))
        return
    for draft in drafts:
        text, button = st.columns([3, 1], vertical_alignment="center")
        answered = ngettext("{n} answered", "{n} answered", draft.answered).format(
            n=formats.integer(draft.answered)
        )
        text.markdown(
            " · ".join(
                [
                    f"**{markdown_text(f'{draft.branch_name} ({draft.branch_code})')}**",
                    markdown_text(draft.checklist_title),
                    formats.datetime(draft.visited_at),
                    answered,
                ]
            )
        )
        if button.button(
            _("Open draft"), key=f"home_draft_{draft.audit_id}", icon=":material/edit:"
        ):
            st.switch_page(NEW_VISIT, query_params={"draft": str(draft.audit_id)})


def _actions(actions: tuple[ActionView, ...]) -> None:
    st.markdown("#### " + _("Overdue corrective actions"))
    if not actions:
        st.caption(_("No overdue corrective actions."))
        return
    frame = pd.DataFrame(
        [
            {
                "branch": f"{a.branch_name} ({a.branch_code})",
                "item": a.item,
                "due_on": formats.date(a.due_on),
                "owner": a.owner,
                "open": f"actions?id={a.id}",
            }
            for a in actions[:SHOWN_ACTIONS]
        ]
    )
    data_table(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "branch": st.column_config.TextColumn(_("Branch"), width=260),
            "item": st.column_config.TextColumn(_("Item"), width="large"),
            "due_on": st.column_config.TextColumn(_("Due"), width=110),
            "owner": st.column_config.TextColumn(_("Owner"), width=140),
            "open": st.column_config.LinkColumn(
                _("Action"), display_text=pgettext("a link that opens an action", "Open"), width=70
            ),
        },
    )
    if len(actions) > SHOWN_ACTIONS:
        st.caption(
            _("The {shown} most urgent of {total}; the Actions page lists them all.").format(
                shown=formats.integer(SHOWN_ACTIONS), total=formats.integer(len(actions))
            )
        )
    if st.button(_("Open the overdue actions"), key="home_actions", icon=":material/task:"):
        st.session_state[ACTIONS_OVERDUE] = True
        st.switch_page(ACTIONS)


# --------------------------------------------------------------------------- branches


def _branches(home: AreaHome) -> None:
    st.subheader(_("Your branches"))
    frame = pd.DataFrame([_branch_row(line, home.not_visited_days) for line in home.branches])
    columns = {
        "branch": st.column_config.TextColumn(_("Branch"), width=300),
        "last_visit": st.column_config.TextColumn(_("Last visit"), width=110),
        "days": st.column_config.NumberColumn(_("Days since"), format="%d", width=90),
        "score": st.column_config.ProgressColumn(
            _("Last score"), min_value=0, max_value=100, format="%.1f", width=125
        ),
        "trend": st.column_config.LineChartColumn(_("Trend"), y_min=0, y_max=100, width=120),
        "direction": st.column_config.TextColumn(_("Course"), width=110),
        "attention": st.column_config.TextColumn(_("Not visited"), width=170),
    }
    event = data_table(
        frame,
        hide_index=True,
        width="stretch",
        column_order=list(columns),
        column_config=columns,
        on_select="rerun",
        selection_mode="single-row",
        key=BRANCHES_KEY,
    )
    first, last = home.period.first, home.period.last
    st.caption(
        _(
            "Trend: the mean score of each month from {first} to {last}. Choose a row to "
            "open the branch."
        ).format(first=formats.month(first), last=formats.month(last))
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        st.switch_page(BRANCH, query_params={"code": home.branches[rows[0]].code})


def _branch_row(line: BranchLine, limit: int) -> dict[str, object]:
    if line.days_since is None:
        attention = _("Never visited")
    elif line.not_visited:
        attention = ngettext(
            "Not visited for {n} day", "Not visited for {n} days", line.days_since
        ).format(n=formats.integer(line.days_since))
    else:
        attention = ""
    return {
        "branch": line.label,
        "last_visit": formats.date(line.last_visit) if line.last_visit else "",
        "days": line.days_since,
        "score": line.last_score,
        "trend": line.trend.points,
        "direction": _(DIRECTIONS[line.trend.direction]),
        "attention": attention,
    }
