"""Coverage: a published visit plan's visits done, due and overdue per region, area and
branch; how many branches have enough audits to be ranked; how many visits a branch needs
for a chosen precision; the area's calendar to download.

Opened as ``coverage`` (the plan running today) or ``coverage?plan=3``. The services keep an
area manager inside her areas.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from audit_app.domain import sample_size as sizes
from audit_app.domain.coverage import Coverage
from audit_app.domain.filters import AuditFilter
from audit_app.i18n import _, formats, ngettext
from audit_app.services import calendars
from audit_app.services import coverage as service
from audit_app.services.context import AppContext
from audit_app.services.freshness import Version, data_version
from audit_app.ui.components.branch_names import shared_prefix
from audit_app.ui.components.cache_scope import Scope, cache_scope
from audit_app.ui.components.coverage_chart import (
    Row,
    coverage_chart,
    coverage_sentence,
    state_words,
)
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.described_chart import described_chart, spec_of
from audit_app.ui.components.refusals import attempt
from audit_app.ui.components.session import user_context

HALF_WIDTH_KEY = "coverage_half_width"
LEVEL_KEY = "coverage_level"
SHORT_NAMED = 8  # branches named under "Still short" (most short first); others counted


def render() -> None:
    ctx = user_context()
    st.title(_("Coverage"))
    st.caption(
        _(
            "The visits a published plan asks for, done, due and overdue, and whether each "
            "branch has enough audits in the period to be ranked fairly."
        )
    )
    published = attempt(lambda: service.plans(ctx))
    if published is None:
        return
    today = date.today()
    if not published:
        st.info(
            _(
                "No published plan yet: a visit plan says which branch needs which visits "
                "in a period. Once head office or an area manager publishes one, its visits "
                "show here as done, due or overdue."
            ),
            icon=":material/event_busy:",
        )
        _planner(ctx, _checklist_choice(ctx), "quarter")
        return
    plan = _plan_choice(ctx, published, today)
    result = attempt(lambda: service.plan_coverage(ctx, plan.id, today=today))
    if result is None:
        return
    cover = result.coverage
    st.caption(
        _("{checklist}, {start} to {end}; on {today}.").format(
            checklist=plan.checklist_title,
            start=formats.date(plan.starts_on),
            end=formats.date(plan.ends_on),
            today=formats.date(today),
        )
    )
    if not cover.branches:
        st.info(_("This plan has no visits at your branches."), icon=":material/info:")
    else:
        _kpis(cover)
        _chart(cover)
        _rankable(cover)
    _planner(ctx, plan.checklist_id, sizes.period_of(plan.starts_on, plan.ends_on))
    _calendar(ctx, cover)


def _plan_choice(
    ctx: AppContext, published: list[service.CoveredPlan], today: date
) -> service.CoveredPlan:
    """The plan running today (or ``?plan=``), with a picker when there are several."""
    by_id = {p.id: p for p in published}
    asked = st.query_params.get("plan")
    current = service.current_plan(ctx, today)
    chosen = by_id.get(int(asked)) if asked and asked.isdigit() else None
    default = chosen or current or published[0]
    if len(published) == 1:
        return default
    ids = list(by_id)
    picked = st.selectbox(
        _("Plan"),
        ids,
        index=ids.index(default.id),
        format_func=lambda i: _("{name} ({start} to {end})").format(
            name=by_id[i].name,
            start=formats.date(by_id[i].starts_on),
            end=formats.date(by_id[i].ends_on),
        ),
        key="coverage_plan",
    )
    return by_id[picked]


def _kpis(cover: Coverage) -> None:
    total = cover.total
    words = state_words()
    columns = st.columns(5)
    columns[0].metric(_("Planned visits"), formats.integer(total.planned))
    columns[1].metric(words["done"], formats.integer(total.done))
    columns[2].metric(words["due"], formats.integer(total.due))
    columns[3].metric(words["overdue"], formats.integer(total.overdue))
    columns[4].metric(
        _("Can be ranked"),
        formats.percent(total.rankable_share),
        help=_("Branches with at least {audits} audits of this checklist in the period.").format(
            audits=cover.min_audits
        ),
    )
    if total.unassigned:
        st.warning(
            ngettext(
                "{n} visit still to do has no auditor.",
                "{n} visits still to do have no auditor.",
                total.unassigned,
            ).format(n=formats.integer(total.unassigned)),
            icon=":material/person_off:",
        )


def _rows(cover: Coverage, level: str) -> list[Row]:
    if level == "region":
        return [Row(r.region, r.tally) for r in cover.regions]
    if level == "area":
        return [Row(a.area or a.region, a.tally) for a in cover.areas]
    cut = len(shared_prefix([b.branch_name for b in cover.branches]))
    return [
        Row(f"{b.branch_code} · {' '.join(b.branch_name.split()[cut:])}", b.tally)
        for b in cover.branches
    ]


def _chart(cover: Coverage) -> None:
    levels = {"region": _("Per region"), "area": _("Per area"), "branch": _("Per branch")}
    default = "branch" if len(cover.branches) <= 12 else "area"
    # A radio, not a segmented control: the segmented control's chosen option is drawn in
    # the brand colour on its tint, below WCAG's 4.5:1 (axe-core names it).
    options = list(levels)
    level = st.radio(
        _("Show"),
        options,
        index=options.index(default),
        format_func=levels.__getitem__,
        key=LEVEL_KEY,
        horizontal=True,
    )
    rows = _rows(cover, level or default)
    words = state_words()
    described_chart(
        spec_of(coverage_chart, rows), coverage_sentence(rows, cover.total), width="stretch"
    )
    with st.expander(_("The branches, one by one")):
        data_table(
            pd.DataFrame(
                [
                    {
                        "branch": f"{b.branch_code} · {b.branch_name}",
                        "area": b.area,
                        "planned": b.tally.planned,
                        "done": b.tally.done,
                        "due": b.tally.due,
                        "overdue": b.tally.overdue,
                        "unassigned": b.tally.unassigned,
                        "audits": b.audits,
                        "rankable": b.rankable,
                    }
                    for b in cover.branches
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "branch": st.column_config.TextColumn(_("Branch")),
                "area": st.column_config.TextColumn(_("Area")),
                "planned": st.column_config.NumberColumn(_("Planned")),
                "done": st.column_config.NumberColumn(words["done"]),
                "due": st.column_config.NumberColumn(words["due"]),
                "overdue": st.column_config.NumberColumn(words["overdue"]),
                "unassigned": st.column_config.NumberColumn(_("No auditor")),
                "audits": st.column_config.NumberColumn(_("Audits in the period")),
                "rankable": st.column_config.CheckboxColumn(_("Can be ranked")),
            },
        )


def _rankable(cover: Coverage) -> None:
    total = cover.total
    st.subheader(_("Enough visits to rank"))
    st.write(
        ngettext(
            "{rankable} of {branches} branch has at least {audits} audits of this checklist "
            "in the period and can be ranked ({share}).",
            "{rankable} of {branches} branches have at least {audits} audits of this "
            "checklist in the period and can be ranked ({share}).",
            total.branches,
        ).format(
            rankable=formats.integer(total.rankable),
            branches=formats.integer(total.branches),
            audits=formats.integer(cover.min_audits),
            share=formats.percent(total.rankable_share),
        )
    )
    short = sorted(
        (b for b in cover.branches if not b.rankable),
        key=lambda b: (-b.still_needed, b.branch_code),
    )
    if short:
        named = [
            ngettext("{branch} needs {n} more", "{branch} needs {n} more", b.still_needed).format(
                branch=b.branch_name, n=formats.integer(b.still_needed)
            )
            for b in short[:SHORT_NAMED]
        ]
        rest = len(short) - len(named)
        if rest:
            named.append(
                ngettext("{n} more branch", "{n} more branches", rest).format(
                    n=formats.integer(rest)
                )
            )
        st.caption(_("Still short: {branches}.").format(branches=", ".join(named)))


def _checklist_choice(ctx: AppContext) -> str:
    titles: dict[str, str] = {}
    for checklist in ctx.catalogue:
        titles.setdefault(checklist.id, checklist.title_in())
    ids = sorted(titles, key=lambda i: titles[i].casefold())
    return str(
        st.selectbox(_("Checklist"), ids, format_func=titles.__getitem__, key="coverage_checklist")
    )


def _planner(ctx: AppContext, checklist_id: str, period: str) -> None:
    """The sample-size planner: a half-width -> visits per branch per period, as a sentence."""
    st.subheader(_("How many visits a branch needs"))
    half = st.slider(
        _("Precision wanted: ± points around a branch's mean (90 % interval)"),
        min_value=1.0,
        max_value=15.0,
        value=5.0,
        step=0.5,
        format="%.1f",
        key=HALF_WIDTH_KEY,
    )
    spread = attempt(
        lambda: _spread(ctx, cache_scope(ctx.user), checklist_id, data_version(ctx, AuditFilter()))
    )
    size = None if spread is None else sizes.plan(spread, half)
    if size is None:
        st.info(
            _(
                "No branch has two audits of this checklist yet, so the visit-to-visit "
                "spread is unknown: the planner needs it."
            ),
            icon=":material/info:",
        )
        return
    st.markdown(f"**{sizes.sentence(size, period)}**")
    spread = size.spread
    st.caption(
        _(
            "From the visit-to-visit spread of {sd} points (standard deviation of overall "
            "scores within a branch, pooled over {branches} branches and {audits} audits): "
            "visits = (1.645 × spread ÷ precision)², rounded up; with {visits} visits the "
            "interval is ±{reached} points."
        ).format(
            sd=formats.decimal(spread.sd, 1),
            branches=formats.integer(spread.branches),
            audits=formats.integer(spread.audits),
            visits=formats.integer(size.visits),
            reached=formats.decimal(size.reached, 1),
        )
    )


def _calendar(ctx: AppContext, cover: Coverage) -> None:
    """The planned visits of one area as an .ics file for any calendar app."""
    areas = sorted({b.area for b in cover.branches if b.area})
    if not areas:
        return
    st.subheader(_("Calendar"))
    area = (
        areas[0]
        if len(areas) == 1
        else st.selectbox(_("Area"), areas, key="coverage_calendar_area")
    )
    made = attempt(lambda: calendars.area_calendar(ctx, area))
    if made is None:
        return
    st.download_button(
        _("Download the calendar of {area} (.ics)").format(area=area),
        data=made.data,
        file_name=made.file_name,
        mime="text/calendar",
        icon=":material/calendar_month:",
        on_click="ignore",
        key="coverage_ics",
    )
    st.caption(
        _(
            "Every planned visit of published plans, one all-day event each; import it into "
            "any calendar app."
        )
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _spread(_ctx: AppContext, scope: Scope, checklist_id: str, version: Version) -> sizes.Spread:
    """The checklist's visit-to-visit spread in the user's branches, read again only when
    the audits change: it reads every scored audit of the checklist (0.6 s on each view of
    the ten-times set, and again on every move of the precision slider)."""
    return service.spread(_ctx, checklist_id)


render()
