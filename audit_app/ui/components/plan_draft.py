"""Drafting a visit plan: checklist, period (the next full quarter unless changed), which
branches, how many visits per channel and the lockout; the planner does the rest."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from audit_app.domain.audit import Branch, Channel
from audit_app.domain.labels import channel_label
from audit_app.domain.plans import ChannelNeed, PlanRequest, PlanScope
from audit_app.domain.users import Role
from audit_app.i18n import _
from audit_app.services.context import AppContext
from audit_app.services.plans import create_plan
from audit_app.ui.components.refusals import attempt

KEY = "plan_draft"
DEFAULT_VISITS = 3
DEFAULT_LOCKOUT = 30


def next_quarter(today: date) -> tuple[date, date]:
    """The first and last day of the next full calendar quarter after ``today``."""
    month = (today.month - 1) // 3 * 3 + 1 + 3
    year = today.year + (month - 1) // 12
    start = date(year, (month - 1) % 12 + 1, 1)
    after = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
    return start, after - timedelta(days=1)


def checklist_titles(ctx: AppContext) -> dict[str, str]:
    """Checklist id -> its title in the session's language, sorted by title."""
    titles: dict[str, str] = {}
    for checklist in ctx.catalogue:
        titles.setdefault(checklist.id, checklist.title_in())
    return dict(sorted(titles.items(), key=lambda item: item[1].casefold()))


def draft_form(ctx: AppContext, branches: list[Branch], today: date) -> int | None:
    """The form; returns the new draft's id once the planner made it (None otherwise)."""
    st.subheader(_("Draft a plan"))
    titles = checklist_titles(ctx)
    if not titles:
        st.info(_("No checklist yet: add one on the Checklists page first."))
        return None
    active = [b for b in branches if b.active]
    if not active:
        st.info(_("No branch yet: head office adds branches on the Admin page."))
        return None
    checklist_id = st.selectbox(
        _("Checklist"), list(titles), format_func=titles.__getitem__, key=f"{KEY}_checklist"
    )
    usual = ctx.catalogue.get(checklist_id).channel
    with st.form(KEY):
        name = st.text_input(
            _("Name"),
            max_chars=200,
            placeholder=_("Left empty: the checklist and the period"),
            key=f"{KEY}_name",
        )
        start, end = next_quarter(today)
        columns = st.columns(2)
        starts_on = columns[0].date_input(_("First day"), value=start, key=f"{KEY}_from")
        ends_on = columns[1].date_input(_("Last day"), value=end, key=f"{KEY}_to")
        scope = _scope(ctx, active)
        needs = _needs(checklist_id, usual)
        lockout = st.number_input(
            _("Lockout days"),
            min_value=0,
            max_value=365,
            value=DEFAULT_LOCKOUT,
            step=1,
            help=_("No auditor visits the same branch again within this many days."),
            key=f"{KEY}_lockout",
        )
        submitted = st.form_submit_button(
            _("Draft the plan"), type="primary", icon=":material/edit_calendar:"
        )
    if not submitted:
        return None
    request = PlanRequest(
        name=name,
        checklist_id=checklist_id,
        starts_on=starts_on,
        ends_on=ends_on,
        scope=scope,
        needs=needs,
        lockout_days=int(lockout),
    )
    return attempt(lambda: create_plan(ctx, request))


def _scope(ctx: AppContext, branches: list[Branch]) -> PlanScope:
    """Regions, areas and branches to plan (an area manager: her areas and their branches)."""
    user = ctx.user
    manager = user is not None and user.role == Role.AREA_MANAGER
    if manager:
        assert user is not None
        branches = [b for b in branches if b.area in user.areas]
    regions: list[str] = []
    if not manager:
        regions = st.multiselect(
            _("Regions"), sorted({b.region for b in branches}), key=f"{KEY}_regions"
        )
    areas = st.multiselect(
        _("Areas"), sorted({b.area for b in branches if b.area}), key=f"{KEY}_areas"
    )
    names = {b.code: f"{b.name} ({b.code})" for b in branches}
    codes = st.multiselect(
        _("Branches"),
        sorted(names, key=lambda c: names[c].casefold()),
        format_func=names.__getitem__,
        key=f"{KEY}_branches",
    )
    st.caption(
        _("Nothing chosen: every branch of your areas.")
        if manager
        else _("Nothing chosen: every active branch.")
    )
    return PlanScope(tuple(regions), tuple(areas), tuple(codes))


def _needs(checklist_id: str, usual: str | None) -> tuple[ChannelNeed, ...]:
    """A number of visits per branch for each channel, the checklist's own first (its
    default; keyed per checklist, so another checklist starts from its own default)."""
    st.markdown(_("**Visits per branch in the period**"))
    usual = usual or Channel.IN_PERSON.value
    channels = [usual]
    channels += [c.value for c in Channel if c.value != usual]
    needs = []
    columns = st.columns(4)
    for index, channel in enumerate(channels):
        visits = columns[index % 4].number_input(
            channel_label(channel),
            min_value=0,
            max_value=52,
            value=DEFAULT_VISITS if channel == usual else 0,
            step=1,
            key=f"{KEY}_visits_{checklist_id}_{channel}",
        )
        if visits:
            needs.append(ChannelNeed(channel, int(visits)))
    return tuple(needs)
