"""Charts of one branch: its scores over time, and its sections against the chain (or, for
an area manager, against their areas)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from audit_app.ui.components.compare_scope import CHAIN, Benchmark
from audit_app.ui.components.theme import BRAND

FAIL = "#C0392B"
SECTION_ROW_PX = 26
"""One section's bar: sized by step, so a branch with one section gets a bar, not a strip."""


def trend_chart(audits: pd.DataFrame, pass_marks: pd.DataFrame) -> alt.LayerChart:
    """Each visit as a dot coloured by checklist, the monthly mean as a line, and the pass
    marks dashed: with eight checklists, one line each would be a tangle.

    ``audits``: visited_at, overall, checklist, auditor, grade; ``pass_marks``: pass_mark.
    """
    scored = audits.dropna(subset=["overall"])
    marks = pd.DataFrame({"pass_mark": sorted(set(pass_marks["pass_mark"]))})
    low = max(0.0, min(float(scored["overall"].min()), float(marks["pass_mark"].min())) - 5)
    x = alt.X("visited_at:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0))
    y = alt.Y("overall:Q", title="Score", scale=alt.Scale(domain=[low, 100]))
    dots = (
        alt.Chart(scored)
        .mark_circle(size=70, opacity=0.85)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "checklist:N",
                title=None,
                legend=alt.Legend(orient="bottom", columns=4, labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("visited_at:T", format="%Y-%m-%d %H:%M", title="Visit"),
                alt.Tooltip("checklist:N", title="Checklist"),
                alt.Tooltip("overall:Q", format=".1f", title="Score"),
                alt.Tooltip("grade:N", title="Grade"),
                alt.Tooltip("auditor:N", title="Auditor"),
            ],
        )
    )
    monthly = (
        scored.assign(visited_at=scored["visited_at"].dt.to_period("M").dt.to_timestamp())
        .groupby("visited_at", as_index=False)["overall"]
        .agg(["mean", "count"])
        .rename(columns={"mean": "overall", "count": "audits"})
    )
    monthly["visited_at"] = monthly["visited_at"] + pd.Timedelta(days=14)  # mid-month
    line = (
        alt.Chart(monthly)
        .mark_line(color=BRAND, strokeWidth=2.5)
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("visited_at:T", format="%B %Y", title="Month"),
                alt.Tooltip("overall:Q", format=".1f", title="Monthly mean"),
                alt.Tooltip("audits:Q", title="Audits"),
            ],
        )
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 4], color="#777")
        .encode(
            y=alt.Y("pass_mark:Q", scale=alt.Scale(domain=[low, 100])),
            tooltip=[alt.Tooltip("pass_mark:Q", title="Pass mark")],
        )
    )
    return (rules + line + dots).properties(height=320)


def section_gap_chart(sections: pd.DataFrame, bench: Benchmark = CHAIN) -> alt.Chart:
    """The branch's mean section score minus the mean of ``bench`` (the chain, or an area
    manager's areas, whatever the services narrowed the figures to): right is better.

    ``sections``: label, branch_mean, chain_mean, difference, audits.
    """
    return (
        alt.Chart(sections)
        .mark_bar()
        .encode(
            x=alt.X("difference:Q", title=f"Points above (right) or below (left) {bench.noun}"),
            y=alt.Y(
                "label:N", title=None, sort=None, axis=alt.Axis(labelLimit=360, labelOverlap=False)
            ),
            color=alt.condition(alt.datum.difference < 0, alt.value(FAIL), alt.value(BRAND)),
            tooltip=[
                alt.Tooltip("label:N", title="Section"),
                alt.Tooltip("branch_mean:Q", format=".1f", title="This branch"),
                alt.Tooltip("chain_mean:Q", format=".1f", title=bench.column),
                alt.Tooltip("difference:Q", format="+.1f", title="Difference"),
                alt.Tooltip("audits:Q", title="Audits"),
            ],
        )
        .properties(height=alt.Step(SECTION_ROW_PX))
    )
