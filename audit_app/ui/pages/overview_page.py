"""Overview: how the chain is doing, by region and over time, and the latest audits."""

from __future__ import annotations

import altair as alt
import streamlit as st

from audit_app.services.overview import overview
from audit_app.ui.components.context import app_context
from audit_app.ui.components.filters import audit_filter_sidebar


def render() -> None:
    ctx = app_context()
    audit_filter = audit_filter_sidebar(ctx)
    data = overview(ctx, audit_filter)

    st.title("Overview")
    st.caption(f"{audit_filter.describe().capitalize()} · database {ctx.database_label}")

    if data.empty:
        st.info(
            "No submitted audits yet"
            + (" match this filter." if audit_filter.checklist_id or audit_filter.region else ".")
            + " Load the demo chain with `audit-app demo`, or add branches with "
            "`audit-app branches import FILE`.",
            icon=":material/inbox:",
        )
        return

    kpis = st.columns(5)
    kpis[0].metric(
        "Branches",
        f"{data.active_branches}",
        help=f"{data.branches} in all, {data.branches - data.active_branches} inactive",
    )
    kpis[1].metric("Audits", f"{data.audits:,}")
    kpis[2].metric("Mean score", f"{data.mean_score:.1f}")
    kpis[3].metric("Pass rate", f"{data.pass_rate:.0f} %")
    kpis[4].metric("Critical failures", f"{data.critical_failures}")

    left, right = st.columns(2)
    with left:
        st.subheader("Mean score by region")
        chart = (
            alt.Chart(data.by_region)
            .mark_bar()
            .encode(
                x=alt.X("mean_score:Q", title="Mean score", scale=alt.Scale(domain=[0, 100])),
                y=alt.Y("region:N", sort="-x", title=None),
                tooltip=[
                    "region",
                    alt.Tooltip("mean_score:Q", format=".1f", title="Mean score"),
                    "audits",
                    "branches",
                    alt.Tooltip("pass_rate:Q", format=".0f", title="Pass rate %"),
                    "critical_failures",
                ],
            )
        )
        st.altair_chart(chart, width="stretch")
    with right:
        st.subheader("Mean score by month")
        trend = (
            alt.Chart(data.by_month)
            .mark_line(point=True)
            .encode(
                x=alt.X("month:T", title=None),
                y=alt.Y("mean_score:Q", title="Mean score", scale=alt.Scale(zero=False)),
                tooltip=[
                    alt.Tooltip("month:T", format="%B %Y"),
                    alt.Tooltip("mean_score:Q", format=".1f"),
                    "audits",
                ],
            )
        )
        st.altair_chart(trend, width="stretch")

    st.subheader("Regions")
    st.dataframe(
        data.by_region,
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

    st.subheader("Latest audits")
    st.dataframe(
        data.latest,
        hide_index=True,
        width="stretch",
        column_config={
            "visited_at": st.column_config.DatetimeColumn("Visit", format="YYYY-MM-DD HH:mm"),
            "branch_code": "Branch",
            "branch_name": "Name",
            "region": "Region",
            "checklist_id": "Checklist",
            "auditor": "Auditor",
            "overall": st.column_config.ProgressColumn(
                "Score", min_value=0, max_value=100, format="%.1f"
            ),
            "grade": "Grade",
            "critical_failure": st.column_config.CheckboxColumn("Critical"),
        },
    )
