"""Overview: how the chain is doing, by region and over time, and the latest audits."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from audit_app.domain.filters import AuditFilter
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import User
from audit_app.services.access import scoped
from audit_app.services.actions import actions_version, today
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.overview import Overview, checklist_titles, overview
from audit_app.ui.components.filters import audit_filter_sidebar
from audit_app.ui.components.session import user_context
from audit_app.ui.components.theme import BRAND

CHART_HEIGHT = 280


def render() -> None:
    ctx = user_context()
    audit_filter = audit_filter_sidebar(ctx)
    # Actions change without an audit changing, and become overdue as days pass.
    version = (data_version(ctx), actions_version(ctx), today())
    data = _overview(ctx, version, ctx.user, audit_filter)

    st.title("Overview")
    described = scoped(ctx, audit_filter).describe(checklist_titles(ctx))
    st.caption(markdown_text(described[:1].upper() + described[1:]))

    if data.empty:
        narrowed = audit_filter.checklist_id or audit_filter.region
        st.info(
            "No submitted audits"
            + (" match this filter yet." if narrowed else " yet.")
            + " Load the demo chain with `audit-app demo`, or add branches with "
            "`audit-app branches import FILE`.",
            icon=":material/inbox:",
        )
        return

    _kpis(data)
    left, right = st.columns(2)
    with left:
        st.subheader("Mean score by region")
        st.altair_chart(_region_chart(data.by_region), width="stretch")
    with right:
        st.subheader("Mean score by month")
        st.altair_chart(_month_chart(data.by_month), width="stretch")
    _regions_table(data.by_region)
    _latest_table(data.latest)


@st.cache_data(show_spinner="Counting the audits…", max_entries=64)
def _overview(
    _ctx: AppContext, version: Any, user: User | None, audit_filter: AuditFilter
) -> Overview:
    """Cached per filter and user; a write changes ``version`` and so the key."""
    return overview(_ctx, audit_filter)


def _kpis(data: Overview) -> None:
    kpis = st.columns(7)
    inactive = data.branches - data.active_branches
    kpis[0].metric(
        "Active branches",
        f"{data.active_branches}",
        help=f"{data.branches} in all; {inactive} inactive" if inactive else None,
    )
    kpis[1].metric("Audits", f"{data.audits:,}")
    kpis[2].metric("Mean score", f"{data.mean_score:.1f}")
    kpis[3].metric("Pass rate", f"{data.pass_rate:.0f} %")
    kpis[4].metric("Critical failures", f"{data.critical_failures}")
    kpis[5].metric(
        "Consistency index",
        "—" if data.consistency_index is None else f"{data.consistency_index:.1f}",
        help="100 means every branch keeps every section at the same level; "
        "see Compare › Consistency for the standards that vary most.",
    )
    kpis[6].metric(
        "Overdue actions",
        f"{data.overdue_actions:,}",
        help="Corrective actions due before today and not done yet; see the Actions page.",
    )


def _region_chart(by_region: pd.DataFrame) -> alt.Chart:
    """A dot per region: regions sit close together, and bars from 0 would hide the gaps."""
    low = max(0.0, float(by_region["mean_score"].min()) - 5)
    base = alt.Chart(by_region).encode(
        x=alt.X("mean_score:Q", title="Mean score", scale=alt.Scale(domain=[low, 100])),
        y=alt.Y("region:N", sort="-x", title=None),
        tooltip=[
            "region",
            alt.Tooltip("mean_score:Q", format=".1f", title="Mean score"),
            alt.Tooltip("audits:Q", title="Audits"),
            alt.Tooltip("branches:Q", title="Branches"),
            alt.Tooltip("pass_rate:Q", format=".0f", title="Pass rate %"),
            alt.Tooltip("critical_failures:Q", title="Critical failures"),
        ],
    )
    dots = base.mark_circle(size=160, color=BRAND, opacity=1)
    labels = base.mark_text(align="left", dx=10, fontSize=12).encode(
        text=alt.Text("mean_score:Q", format=".1f")
    )
    return (dots + labels).properties(height=CHART_HEIGHT)


def _month_chart(by_month: pd.DataFrame) -> alt.Chart:
    low = max(0.0, float(by_month["mean_score"].min()) - 5)
    return (
        alt.Chart(by_month)
        .mark_line(point=alt.OverlayMarkDef(color=BRAND, size=50), color=BRAND)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y("mean_score:Q", title="Mean score", scale=alt.Scale(domain=[low, 100])),
            tooltip=[
                alt.Tooltip("month:T", format="%B %Y", title="Month"),
                alt.Tooltip("mean_score:Q", format=".1f", title="Mean score"),
                alt.Tooltip("audits:Q", title="Audits"),
            ],
        )
        .properties(height=CHART_HEIGHT)
    )


def _regions_table(by_region: pd.DataFrame) -> None:
    st.subheader("Regions")
    st.dataframe(
        by_region,
        hide_index=True,
        width="stretch",
        column_config={
            "region": "Region",
            "branches": "Branches",
            "audits": "Audits",
            "mean_score": st.column_config.ProgressColumn(
                "Mean score", min_value=0, max_value=100, format="%.1f"
            ),
            "pass_rate": st.column_config.NumberColumn("Pass rate %", format="%.0f"),
            "critical_failures": "Critical failures",
        },
    )


# In reading order and wide enough for their values (a visit's time, "Laura Fernández",
# "Needs improvement"); the long checklist title comes last, so a narrow page cuts only its
# end. (A comment, not a docstring: Streamlit's magic would print a bare string.)
LATEST_COLUMNS = {
    "visited_at": st.column_config.DatetimeColumn("Visit", format="YYYY-MM-DD HH:mm", width=135),
    "branch_code": st.column_config.TextColumn("Code", width=90),
    "branch_name": st.column_config.TextColumn("Branch", width=190),
    "auditor": st.column_config.TextColumn("Auditor", width=130),
    "overall": st.column_config.ProgressColumn(
        "Score", min_value=0, max_value=100, format="%.1f", width=95
    ),
    "grade": st.column_config.TextColumn("Grade", width=125),
    "critical_failure": st.column_config.CheckboxColumn("Critical", width=70),
    "checklist": st.column_config.TextColumn("Checklist", width=220),
}


def _latest_table(latest: pd.DataFrame) -> None:
    st.subheader("Latest audits")
    st.dataframe(
        latest,
        hide_index=True,
        width="stretch",
        column_order=list(LATEST_COLUMNS),
        column_config=LATEST_COLUMNS,
    )


render()
