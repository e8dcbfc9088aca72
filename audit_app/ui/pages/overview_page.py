"""Overview: how the chain is doing, by region and over time, and the latest audits; for an
area manager, her home (:mod:`audit_app.ui.components.area_home`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from audit_app.domain.filters import AuditFilter
from audit_app.domain.labels import mean_definition
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role
from audit_app.i18n import _, current_language, formats, ngettext
from audit_app.services.access import scoped
from audit_app.services.actions import actions_version, overdue_count, today
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.overview import Overview, checklist_titles, overview
from audit_app.ui.components.area_home import render_area_home
from audit_app.ui.components.cache_scope import Scope, cache_scope
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.described_chart import described_chart, spec_of
from audit_app.ui.components.filters import audit_filter_sidebar
from audit_app.ui.components.period_picker import period_picker
from audit_app.ui.components.session import user_context

CHART_HEIGHT = 280
# Okabe-Ito blue: told apart from the page by every kind of colour vision. (Comments, not
# docstrings: Streamlit's magic would print a bare string on the page.)
SERIES = "#0072B2"
# Streamlit's text colour: 12.6:1 on white (the default grey axis text is 3.7:1).
AXIS_TEXT = "#31333F"


def render() -> None:
    ctx = user_context()
    if ctx.user is not None and ctx.user.role == Role.AREA_MANAGER:
        render_area_home(ctx, today())  # her home; head office keeps the chain's view
        return
    audit_filter = audit_filter_sidebar(ctx)
    with st.sidebar:
        period = period_picker(ctx)
    audit_filter = replace(audit_filter, date_from=period.date_from, date_to=period.date_to)
    # Actions change without an audit changing, and become overdue as days pass.
    # Its figures are of the period's audits only: this month's visits, and the actions
    # every visit opens, leave the default twelve complete months cached. The overdue
    # actions are counted apart; they change with the actions and the day, and with the
    # branches (a branch moved into the filter's region or areas brings its actions).
    language = current_language()
    scope = cache_scope(ctx.user)
    figures = data_version(ctx, audit_filter)
    data = _overview(ctx, figures, scope, audit_filter, language)
    if not data.empty:
        version = (figures, actions_version(ctx), today())
        data = replace(data, overdue_actions=_overdue(ctx, version, scope, audit_filter))

    st.title(_("Overview"))
    st.caption(markdown_text(_scope(ctx, audit_filter, data, language)))

    if data.empty:
        narrowed = audit_filter.checklist_id or audit_filter.region
        st.info(
            (
                _("No submitted audits match this filter yet.")
                if narrowed
                else _("No submitted audits yet.")
            )
            + " "
            + _(
                "Load the demo chain with `audit-app demo`, or add branches with "
                "`audit-app branches import FILE`."
            ),
            icon=":material/inbox:",
        )
        return

    _kpis(data)
    left, right = st.columns(2)
    with left:
        st.subheader(_("Mean score by region"))
        described_chart(
            spec_of(_region_chart, data.by_region),
            region_summary(data.by_region),
            width="stretch",
        )
    with right:
        st.subheader(_("Mean score by month"))
        described_chart(
            spec_of(_month_chart, data.by_month), month_summary(data.by_month), width="stretch"
        )
    _regions_table(data.by_region)
    _latest_table(data.latest)


def _scope(ctx: AppContext, audit_filter: AuditFilter, data: Overview, language: str) -> str:
    """What the figures cover, e.g. "Area Barcelona: 6 branches · Returns process"."""
    count = data.branches
    areas = scoped(ctx, audit_filter).areas
    if areas is not None:
        where = ngettext(
            "Area {areas}: {count} branch", "Area {areas}: {count} branches", count
        ).format(areas=", ".join(areas), count=formats.integer(count))
    elif audit_filter.region:
        where = ngettext(
            "Region {region}: {count} branch", "Region {region}: {count} branches", count
        ).format(region=audit_filter.region, count=formats.integer(count))
    else:
        where = ngettext(
            "The whole chain: {count} branch", "The whole chain: {count} branches", count
        ).format(count=formats.integer(count))
    if audit_filter.checklist_id:
        titles = checklist_titles(ctx, language)
        title = titles.get(audit_filter.checklist_id, audit_filter.checklist_id)
        return _("{scope} · checklist {title}").format(scope=where, title=title)
    return _("{scope} · every checklist").format(scope=where)


@st.cache_data(show_spinner=False, max_entries=64)
def _overview(
    _ctx: AppContext, version: Any, scope: Scope, audit_filter: AuditFilter, language: str
) -> Overview:
    """Cached per filter, scope and language; a write changes ``version`` and so the key."""
    return overview(_ctx, audit_filter, language=language, count_overdue=False, version=version)


@st.cache_data(show_spinner=False, max_entries=64)
def _overdue(_ctx: AppContext, version: Any, scope: Scope, audit_filter: AuditFilter) -> int:
    """The overdue actions of the filter's branches, per figures' version (its branches),
    actions' version and day."""
    return overdue_count(_ctx, audit_filter)


def _kpis(data: Overview) -> None:
    kpis = st.columns(7)
    inactive = data.branches - data.active_branches
    kpis[0].metric(
        _("Active branches"),
        formats.integer(data.active_branches),
        help=ngettext(
            "{total} in all; {inactive} inactive", "{total} in all; {inactive} inactive", inactive
        ).format(total=formats.integer(data.branches), inactive=formats.integer(inactive))
        if inactive
        else None,
    )
    kpis[1].metric(_("Audits"), formats.integer(data.audits))
    kpis[2].metric(_("Mean score"), formats.decimal(data.mean_score, 1), help=mean_definition())
    kpis[3].metric(
        _("Pass rate"),
        formats.percent(None if data.pass_rate is None else data.pass_rate / 100),
    )
    kpis[4].metric(_("Critical failures"), formats.integer(data.critical_failures))
    kpis[5].metric(
        _("Consistency index"),
        formats.decimal(data.consistency_index, 1),
        help=_(
            "100 means every branch keeps every section at the same level; "
            "see Compare › Consistency for the standards that vary most."
        ),
    )
    kpis[6].metric(
        _("Overdue actions"),
        formats.integer(data.overdue_actions),
        help=_("Corrective actions due before today and not done yet; see the Actions page."),
    )


def _axes(chart: alt.LayerChart | alt.Chart) -> alt.LayerChart | alt.Chart:
    """Axis text dark enough to read (well above 4.5:1 on the white page), not light grey."""
    return chart.configure_axis(
        labelColor=AXIS_TEXT, titleColor=AXIS_TEXT, labelFontSize=12, titleFontSize=12
    )


def _region_chart(by_region: pd.DataFrame) -> alt.LayerChart | alt.Chart:
    """A dot per region: regions sit close together, and bars from 0 would hide the gaps."""
    low = max(0.0, float(by_region["mean_score"].min()) - 5)
    mean_score = _("Mean score")
    base = alt.Chart(by_region).encode(
        x=alt.X("mean_score:Q", title=mean_score, scale=alt.Scale(domain=[low, 100])),
        y=alt.Y("region:N", sort="-x", title=_("Region")),
        tooltip=[
            alt.Tooltip("region:N", title=_("Region")),
            alt.Tooltip("mean_score:Q", format=".1f", title=mean_score),
            alt.Tooltip("audits:Q", title=_("Audits")),
            alt.Tooltip("branches:Q", title=_("Branches")),
            alt.Tooltip("pass_rate:Q", format=".0f", title=_("Pass rate %")),
            alt.Tooltip("critical_failures:Q", title=_("Critical failures")),
        ],
    )
    dots = base.mark_circle(size=160, color=SERIES, opacity=1)
    labels = base.mark_text(align="left", dx=10, fontSize=12, color=AXIS_TEXT).encode(
        text=alt.Text("mean_score:Q", format=".1f")
    )
    return _axes((dots + labels).properties(height=CHART_HEIGHT))


def _month_chart(by_month: pd.DataFrame) -> alt.LayerChart | alt.Chart:
    low = max(0.0, float(by_month["mean_score"].min()) - 5)
    frame = by_month.assign(label=by_month["month"].map(formats.month))
    mean_score = _("Mean score")
    chart = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(color=SERIES, size=50), color=SERIES)
        .encode(
            # The months as the language writes them ("març 2026"), in time order.
            x=alt.X(
                "label:N",
                sort=list(frame["label"]),
                title=_("Month"),
                axis=alt.Axis(labelAngle=0, labelOverlap=True),
            ),
            y=alt.Y("mean_score:Q", title=mean_score, scale=alt.Scale(domain=[low, 100])),
            tooltip=[
                alt.Tooltip("label:N", title=_("Month")),
                alt.Tooltip("mean_score:Q", format=".1f", title=mean_score),
                alt.Tooltip("audits:Q", title=_("Audits")),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )
    return _axes(chart)


def region_summary(by_region: pd.DataFrame) -> str:
    """The region chart in one sentence, for those who cannot see it."""
    best = by_region.iloc[0]
    worst = by_region.iloc[-1]
    if len(by_region) == 1:
        return _("The chart shows one region, {region}, at a mean score of {score}.").format(
            region=best["region"], score=formats.decimal(best["mean_score"], 1)
        )
    return _(
        "The chart shows the mean score of {count} regions: highest {best} ({best_score}), "
        "lowest {worst} ({worst_score})."
    ).format(
        count=formats.integer(len(by_region)),
        best=best["region"],
        best_score=formats.decimal(best["mean_score"], 1),
        worst=worst["region"],
        worst_score=formats.decimal(worst["mean_score"], 1),
    )


def month_summary(by_month: pd.DataFrame) -> str:
    """The month chart in one sentence: the span, and its highest and lowest month."""
    first, last = by_month.iloc[0], by_month.iloc[-1]
    ranked = by_month.sort_values("mean_score", ascending=False, kind="stable")
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return _(
        "The chart shows the mean score per month from {first} to {last}: highest "
        "{best} ({best_score}), lowest {worst} ({worst_score})."
    ).format(
        first=formats.month(first["month"]),
        last=formats.month(last["month"]),
        best=formats.month(best["month"]),
        best_score=formats.decimal(best["mean_score"], 1),
        worst=formats.month(worst["month"]),
        worst_score=formats.decimal(worst["mean_score"], 1),
    )


def _regions_table(by_region: pd.DataFrame) -> None:
    """The regions; the table's headings are in the session's language."""
    st.subheader(_("Regions"))
    headings = {
        "region": _("Region"),
        "branches": _("Branches"),
        "audits": _("Audits"),
        "mean_score": _("Mean score"),
        "pass_rate": _("Pass rate %"),
        "critical_failures": _("Critical failures"),
    }
    data_table(
        by_region[list(headings)].rename(columns=headings),
        hide_index=True,
        width="stretch",
        column_config={
            headings["mean_score"]: st.column_config.ProgressColumn(
                headings["mean_score"], min_value=0, max_value=100, format="%.1f"
            ),
            headings["pass_rate"]: st.column_config.NumberColumn(
                headings["pass_rate"], format="%.0f"
            ),
        },
    )


def latest_columns() -> dict[str, tuple[str, Any]]:
    """Column -> (heading, its configuration), in reading order and wide enough for their
    values (a visit's time, "Laura Fernández", "Needs improvement"); the long checklist title
    comes last, so a narrow page cuts only its end. Built per run: the headings are in the
    session's language."""
    heading = {
        "visited_at": _("Visit"),
        "branch_name": _("Branch"),
        "branch_code": _("Code"),
        "auditor": _("Auditor"),
        "overall": _("Score"),
        "grade": _("Grade"),
        "critical_failure": _("Critical"),
        "checklist": _("Checklist"),
    }
    config = {
        "visited_at": st.column_config.DatetimeColumn(
            heading["visited_at"], format="YYYY-MM-DD HH:mm", width=135
        ),
        "branch_name": st.column_config.TextColumn(heading["branch_name"], width=190),
        "branch_code": st.column_config.TextColumn(heading["branch_code"], width=90),
        "auditor": st.column_config.TextColumn(heading["auditor"], width=130),
        "overall": st.column_config.ProgressColumn(
            heading["overall"], min_value=0, max_value=100, format="%.1f", width=95
        ),
        "grade": st.column_config.TextColumn(heading["grade"], width=125),
        "critical_failure": st.column_config.CheckboxColumn(heading["critical_failure"], width=70),
        "checklist": st.column_config.TextColumn(heading["checklist"], width=220),
    }
    return {column: (heading[column], config[column]) for column in heading}


LATEST_KEY = "overview_latest"


def _latest_table(latest: pd.DataFrame) -> None:
    """The latest audits; choosing a row opens that audit on the Audit page."""
    st.subheader(_("Latest audits"))
    columns = latest_columns()
    shown = latest[list(columns)].rename(
        columns={column: heading for column, (heading, _config) in columns.items()}
    )
    event = data_table(
        shown,
        hide_index=True,
        width="stretch",
        column_order=list(shown.columns),
        column_config={heading: config for heading, config in columns.values()},
        on_select="rerun",
        selection_mode="single-row",
        key=LATEST_KEY,
    )
    st.caption(_("Choose a row to open its audit."))
    rows = event.selection.rows if event is not None else []
    if rows:
        audit_id = int(latest.iloc[rows[0]]["audit_id"])
        st.switch_page("pages/audit_page.py", query_params={"id": str(audit_id)})


render()
