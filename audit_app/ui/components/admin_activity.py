"""Head office's activity log: who logged in, submitted, imported and corrected, and when.

The table is plain text cells (a dataframe), so names and reasons typed by users are shown
as written, never as markup.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from audit_app.i18n import _, formats
from audit_app.services.activity import ACTIONS, action_label, list_activity
from audit_app.services.context import AppContext
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.described_chart import draw_chart
from audit_app.ui.components.refusals import attempt

LIMIT = 2_000
AXIS_TEXT = "#31333F"
"""Streamlit's text colour: 12.6:1 on white."""
OKABE_ITO = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
]


def activity_tab(ctx: AppContext) -> None:
    left, middle, right = st.columns([3, 2, 2])
    chosen = left.multiselect(
        _("What"),
        ACTIONS,
        format_func=action_label,
        placeholder=_("Everything"),
        key="activity_actions",
    )
    who = middle.text_input(_("Who (user name)"), key="activity_user").strip()
    since = right.date_input(
        _("Since"), value=date.today() - timedelta(days=30), key="activity_since"
    )
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
            _(
                "Nothing recorded for this choice yet. Log-ins, submissions, imports, "
                "corrections and appeals appear here as they happen."
            ),
            icon=":material/history:",
        )
        return
    at, who_, what = _("At (UTC)"), _("Who"), _("What")
    frame = pd.DataFrame(
        {
            at: [e.at for e in entries],
            who_: [e.actor or "" for e in entries],
            what: [action_label(e.action) for e in entries],
            _("Subject"): [e.subject for e in entries],
            _("Details"): [
                ", ".join(f"{k}: {v}" for k, v in e.detail.items() if v not in (None, ""))
                for e in entries
            ],
        }
    )
    refused = sum(e.action == "log-in refused" for e in entries)
    counts = st.columns(4)
    counts[0].metric(
        _("Entries"), formats.integer(len(entries)) + ("+" if len(entries) == LIMIT else "")
    )
    counts[1].metric(_("Log-ins"), formats.integer(sum(e.action == "log-in" for e in entries)))
    counts[2].metric(_("Refused log-ins"), formats.integer(refused))
    counts[3].metric(
        _("Submissions and imports"),
        formats.integer(sum(e.action in ("submission", "import") for e in entries)),
    )
    day, per_day = _("Day"), _("Entries per day")
    daily = frame.assign(**{day: frame[at].dt.floor("D")}).groupby([day, what]).size()
    chart = (
        alt.Chart(daily.reset_index(name=per_day))
        .mark_bar()
        .encode(
            x=alt.X(f"{day}:T", title=day),
            y=alt.Y(f"{per_day}:Q", title=per_day),
            # Okabe-Ito: told apart by every kind of colour vision.
            color=alt.Color(f"{what}:N", title=what, scale=alt.Scale(range=OKABE_ITO)),
            tooltip=[f"{day}:T", f"{what}:N", f"{per_day}:Q"],
        )
        .properties(height=180)
        .configure_axis(labelColor=AXIS_TEXT, titleColor=AXIS_TEXT)
        .configure_legend(labelColor=AXIS_TEXT, titleColor=AXIS_TEXT)
    )
    draw_chart(chart, width="stretch")
    busiest = daily.groupby(level=0).sum()
    st.caption(
        _("The chart shows the entries per day; the busiest day was {day} with {count}.").format(
            day=formats.date(pd.Timestamp(str(busiest.idxmax()))),
            count=formats.integer(int(busiest.max())),
        )
    )
    data_table(
        frame,
        hide_index=True,
        width="stretch",
        column_config={at: st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
    )
