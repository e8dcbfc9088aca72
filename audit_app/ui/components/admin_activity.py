"""Head office's activity log: who logged in, submitted, imported and corrected, and when.

The table is plain text cells (a dataframe), so names and reasons typed by users are shown
as written, never as markup.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from audit_app.services.activity import ACTIONS, list_activity
from audit_app.services.context import AppContext
from audit_app.ui.components.refusals import attempt
from audit_app.ui.components.theme import BRAND

LIMIT = 2_000


def activity_tab(ctx: AppContext) -> None:
    left, middle, right = st.columns([3, 2, 2])
    chosen = left.multiselect("What", ACTIONS, placeholder="Everything", key="activity_actions")
    who = middle.text_input("Who (user name)", key="activity_user").strip()
    since = right.date_input("Since", value=date.today() - timedelta(days=30), key="activity_since")
    entries = attempt(
        lambda: list_activity(
            ctx,
            actions=tuple(chosen),
            actor=who or None,
            since=datetime.combine(since, time.min) if isinstance(since, date) else None,
            limit=LIMIT,
        )
    )
    if entries is None:
        return
    if not entries:
        st.info(
            "Nothing recorded for this choice yet. Log-ins, submissions, imports, corrections "
            "and appeals appear here as they happen.",
            icon=":material/history:",
        )
        return
    frame = pd.DataFrame(
        {
            "At (UTC)": [e.at for e in entries],
            "Who": [e.actor or "" for e in entries],
            "What": [e.action for e in entries],
            "Subject": [e.subject for e in entries],
            "Details": [
                ", ".join(f"{k}: {v}" for k, v in e.detail.items() if v not in (None, ""))
                for e in entries
            ],
        }
    )
    refused = sum(e.action == "log-in refused" for e in entries)
    counts = st.columns(4)
    counts[0].metric("Entries", f"{len(entries):,}" + ("+" if len(entries) == LIMIT else ""))
    counts[1].metric("Log-ins", f"{sum(e.action == 'log-in' for e in entries):,}")
    counts[2].metric("Refused log-ins", f"{refused:,}")
    counts[3].metric(
        "Submissions and imports", f"{sum(e.action in ('submission', 'import') for e in entries):,}"
    )
    daily = frame.assign(Day=frame["At (UTC)"].dt.floor("D")).groupby(["Day", "What"]).size()
    chart = (
        alt.Chart(daily.reset_index(name="Entries"))
        .mark_bar(color=BRAND)
        .encode(
            x=alt.X("Day:T", title=None),
            y=alt.Y("Entries:Q", title="Entries per day"),
            color=alt.Color("What:N", title=None),
            tooltip=["Day:T", "What:N", "Entries:Q"],
        )
        .properties(height=180)
    )
    st.altair_chart(chart, width="stretch")
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={"At (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )
