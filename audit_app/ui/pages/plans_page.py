"""Visit plans: the list, drafting one with the planner, and one plan's visits by day, with
a visit moved by hand, publishing and deleting a draft.

Opened as ``plans`` (the list and the draft form) or ``plans?plan=3`` (that plan). The
services keep an area manager inside her areas.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from audit_app.i18n import _, formats, ngettext
from audit_app.services import calendars
from audit_app.services import plans as service
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.plans import PlanView
from audit_app.ui.components.plan_adjust import FLASH, move_one_visit, publish_or_delete
from audit_app.ui.components.plan_draft import checklist_titles, draft_form
from audit_app.ui.components.plan_list import plan_list
from audit_app.ui.components.plan_slots import filtered, slot_table, week_chart
from audit_app.ui.components.refusals import attempt, show_refusal
from audit_app.ui.components.session import user_context


def render() -> None:
    ctx = user_context()
    st.title(_("Plans"))
    st.caption(
        _(
            "Which branch gets which visits in a period, and by whom: the planner proposes "
            "days and auditors (rotation, lockout, never a branch's own manager on a mystery "
            "shop); you adjust the draft and publish it."
        )
    )
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash, icon=":material/check_circle:")
    asked = (st.query_params.get("plan") or "").strip()
    if asked:
        if not asked.isdigit():
            show_refusal(_("{text} is not a plan number.").format(text=repr(asked)))
        else:
            plan = attempt(lambda: service.show_plan(ctx, int(asked)))
            if plan is not None:
                _plan(ctx, plan)
                return
        _back()
        return
    plans = attempt(lambda: service.list_plans(ctx))
    if plans is None:
        return
    plan_list(plans, checklist_titles(ctx))
    made = draft_form(ctx, list_branches(ctx), date.today())
    if made is not None:
        st.query_params["plan"] = str(made)
        st.session_state[FLASH] = _("Draft made: check its visits, adjust them, then publish.")
        st.rerun()


def _back() -> None:
    if st.button(_("All plans"), icon=":material/arrow_back:", key="plans_back"):
        st.query_params.pop("plan", None)
        st.rerun()


def _plan(ctx: AppContext, plan: PlanView) -> None:
    _back()
    st.header(plan.name)
    lockout = ngettext("lockout: {n} day", "lockout: {n} days", plan.lockout_days)
    st.caption(
        _("{status} · {checklist}, {start} to {end} · {lockout}").format(
            status=plan.status_label,
            checklist=plan.checklist_title,
            start=formats.date(plan.starts_on),
            end=formats.date(plan.ends_on),
            lockout=lockout.format(n=formats.integer(plan.lockout_days)),
        )
    )
    if not plan.slots:
        st.info(_("This plan has no visits at your branches."), icon=":material/info:")
        return
    columns = st.columns(3)
    columns[0].metric(_("Visits"), formats.integer(len(plan.slots)))
    columns[1].metric(_("Made"), formats.integer(sum(s.filled for s in plan.slots)))
    columns[2].metric(
        _("No auditor"), formats.integer(sum(s.auditor_id is None for s in plan.slots))
    )
    slots = filtered(plan.slots)
    week_chart(slots)
    slot_table(slots)
    move_one_visit(ctx, plan, slots)
    publish_or_delete(ctx, plan)
    if plan.status == "published":
        _published(ctx, plan)


def _published(ctx: AppContext, plan: PlanView) -> None:
    """Where a published plan goes on: its coverage, and its areas' calendars."""
    st.page_link(
        "pages/coverage_page.py",
        label=_("Coverage of this plan: visits done, due and overdue"),
        icon=":material/event_available:",
        query_params={"plan": str(plan.id)},
    )
    st.subheader(_("Calendar"))
    st.caption(
        _(
            "Every planned visit of published plans, one all-day event each; import it into "
            "any calendar app."
        )
    )
    columns = st.columns(2)
    areas = sorted({s.area for s in plan.slots if s.area})
    if areas:
        with columns[0]:
            area = (
                areas[0]
                if len(areas) == 1
                else st.selectbox(_("Area"), areas, key="plans_calendar_area")
            )
            _download(
                lambda: calendars.area_calendar(ctx, area),
                _("Download the calendar of {area} (.ics)").format(area=area),
                "plans_ics",
            )
    names = {s.auditor_id: s.auditor_name or "" for s in plan.slots if s.auditor_id is not None}
    if names:
        with columns[1]:
            ids = sorted(names, key=lambda i: names[i].casefold())
            who = st.selectbox(
                _("Auditor"), ids, format_func=names.__getitem__, key="plans_calendar_auditor"
            )
            _download(
                lambda: calendars.auditor_calendar(ctx, str(who)),
                _("Download the calendar of {name} (.ics)").format(name=names[who]),
                "plans_auditor_ics",
            )


def _download(make: Callable[[], calendars.CalendarFile], label: str, key: str) -> None:
    made = attempt(make)
    if made is None:
        return
    st.download_button(
        label,
        data=made.data,
        file_name=made.file_name,
        mime="text/calendar",
        icon=":material/calendar_month:",
        on_click="ignore",
        key=key,
    )


render()
