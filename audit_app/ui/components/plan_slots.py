"""A plan's visits: filtered by area and branch, as a table by day and as a chart of the
visits per week (made and still to make), with the sentence that says what it shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from audit_app.i18n import _, formats, ngettext
from audit_app.services.plans import PlanSlot
from audit_app.ui.components.coverage_chart import DONE, DUE, INK
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.described_chart import described_chart

KEY = "plan_slots"


def slot_label(slot: PlanSlot) -> str:
    """One visit in a picker: day, branch, channel, auditor."""
    return _("{day} · {branch} ({code}) · {channel} · {auditor}").format(
        day=formats.date(slot.planned_on),
        branch=slot.branch_name,
        code=slot.branch_code,
        channel=slot.channel_text(),
        auditor=slot.auditor_name or _("no auditor"),
    )


def filtered(slots: Sequence[PlanSlot]) -> list[PlanSlot]:
    """The slots of the areas and branches chosen (none chosen: all of them)."""
    areas = sorted({s.area for s in slots if s.area})
    names = {s.branch_code: f"{s.branch_name} ({s.branch_code})" for s in slots}
    columns = st.columns(2)
    chosen_areas = columns[0].multiselect(_("Areas"), areas, key=f"{KEY}_areas")
    offered = sorted(
        {s.branch_code for s in slots if not chosen_areas or s.area in chosen_areas},
        key=lambda code: names[code].casefold(),
    )
    chosen = columns[1].multiselect(
        _("Branches"), offered, format_func=names.__getitem__, key=f"{KEY}_branches"
    )
    return [
        s
        for s in slots
        if (not chosen_areas or s.area in chosen_areas) and (not chosen or s.branch_code in chosen)
    ]


def slot_table(slots: Sequence[PlanSlot]) -> None:
    """The visits by day; a made one links to its audit."""
    frame = pd.DataFrame(
        [
            {
                "planned_on": s.planned_on,
                "due_by": s.due_by,
                "branch": f"{s.branch_name} ({s.branch_code})",
                "channel": s.channel_text(),
                "auditor": s.auditor_name or s.unassigned_reason() or _("No auditor"),
                "audit": f"audit?id={s.audit_id}" if s.audit_id is not None else None,
            }
            for s in sorted(slots, key=lambda s: (s.planned_on, s.branch_code, s.id))
        ],
        columns=["planned_on", "due_by", "branch", "channel", "auditor", "audit"],
    )
    data_table(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "planned_on": st.column_config.DateColumn(_("Planned"), format="YYYY-MM-DD"),
            "due_by": st.column_config.DateColumn(_("Due by"), format="YYYY-MM-DD"),
            "branch": st.column_config.TextColumn(_("Branch"), width="medium"),
            "channel": st.column_config.TextColumn(_("Channel")),
            "auditor": st.column_config.TextColumn(_("Auditor or why none"), width="medium"),
            "audit": st.column_config.LinkColumn(
                _("Audit"), display_text=r"audit\?id=(\d+)", width=80
            ),
        },
    )


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_chart(slots: Sequence[PlanSlot]) -> None:
    """Visits per week (weeks start on Monday), made and still to make."""
    if not slots:
        return
    made_word, open_word = _("Made"), _("To make")
    counts = Counter((week_of(s.planned_on), s.filled) for s in slots)
    week, last = (
        week_of(min(s.planned_on for s in slots)),
        week_of(max(s.planned_on for s in slots)),
    )
    while week <= last:  # a week without visits shows as one, not left out
        counts[(week, False)] += 0
        week += timedelta(days=7)
    frame = pd.DataFrame(
        [
            {
                "week": week.isoformat(),
                "state": made_word if filled else open_word,
                "visits": n,
            }
            for (week, filled), n in sorted(counts.items())
        ]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("week:O", title=_("Week starting"), axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("sum(visits):Q", title=_("Visits"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "state:N",
                title=None,
                scale=alt.Scale(domain=[made_word, open_word], range=[DONE, DUE]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("week:O", title=_("Week starting")),
                alt.Tooltip("state:N", title=_("State")),
                alt.Tooltip("visits:Q", title=_("Visits")),
            ],
        )
        .configure_axis(labelColor=INK, titleColor=INK, labelFontSize=12, titleFontSize=12)
        .configure_legend(labelColor=INK, labelFontSize=12)
    )
    described_chart(chart, week_sentence(slots), width="stretch")


def week_sentence(slots: Sequence[PlanSlot]) -> str:
    """The week chart in one sentence: totals, the number of weeks and the busiest week."""
    weeks = Counter(week_of(s.planned_on) for s in slots)
    busiest, most = min(weeks.items(), key=lambda item: (-item[1], item[0]))
    made = sum(s.filled for s in slots)
    spread = ngettext("{n} week", "{n} weeks", len(weeks)).format(n=formats.integer(len(weeks)))
    return " ".join(
        (
            ngettext(
                "Chart: {n} planned visit, {made} made, spread over {weeks}.",
                "Chart: {n} planned visits, {made} made, spread over {weeks}.",
                len(slots),
            ).format(n=formats.integer(len(slots)), made=formats.integer(made), weeks=spread),
            ngettext(
                "The busiest week starts on {day}, with {n} visit.",
                "The busiest week starts on {day}, with {n} visits.",
                most,
            ).format(day=formats.date(busiest), n=formats.integer(most)),
        )
    )
