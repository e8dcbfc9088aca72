"""Charts of one branch: its scores over time, and its sections against the chain (or, for
an area manager, against their areas), each with a sentence that says what it shows.

Colours are Okabe-Ito (safe for the common colour-vision deficiencies) and never the only
cue: a visit below its pass mark is also a different shape, a thin month is drawn hollow.
Axis text is dark grey on white (over 7:1)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from audit_app.i18n import _, formats, ngettext
from audit_app.ui.components.compare_scope import CHAIN, Benchmark

BLUE = "#0072B2"
"""Okabe-Ito blue: passed, above the benchmark, the monthly mean."""
VERMILLION = "#D55E00"
"""Okabe-Ito vermillion: below the pass mark, below the benchmark."""
INK = "#333333"
"""Axis labels and titles: 12.6:1 on white."""
RULE = "#555555"
SECTION_ROW_PX = 26
"""One section's bar: sized by step, so a branch with one section gets a bar, not a strip."""
THIN_MONTH = 3
"""A month with fewer audits than this is drawn hollow and named under the chart: its mean
rests on too few visits to read a dip or a peak into it."""


def _axes(chart: alt.LayerChart | alt.Chart) -> alt.LayerChart | alt.Chart:
    return chart.configure_axis(
        labelColor=INK, titleColor=INK, labelFontSize=12, titleFontSize=12
    ).configure_legend(labelColor=INK, titleColor=INK, labelFontSize=12)


def monthly_means(audits: pd.DataFrame) -> pd.DataFrame:
    """month (first day), overall (mean), audits (count) of the scored audits."""
    scored = audits.dropna(subset=["overall"])
    if scored.empty:
        return pd.DataFrame(columns=["month", "overall", "audits"])
    months = scored["visited_at"].dt.to_period("M").dt.to_timestamp()
    return (
        scored.assign(month=months)
        .groupby("month", as_index=False)["overall"]
        .agg(["mean", "count"])
        .rename(columns={"mean": "overall", "count": "audits"})
    )


def trend_chart(audits: pd.DataFrame, pass_marks: pd.DataFrame) -> alt.LayerChart:
    """Each visit a small grey-blue dot (a vermillion triangle when below its checklist's
    pass mark), the monthly mean as a blue line with a point per month (hollow where the
    month had fewer than ``THIN_MONTH`` audits), the pass marks dashed.

    ``audits``: visited_at, overall, checklist, auditor, grade, passed;
    ``pass_marks``: pass_mark.
    """
    scored = audits.dropna(subset=["overall"]).copy()
    below = _("Below the pass mark")
    reached = _("Pass mark reached")
    scored["result"] = [
        below if passed is False or passed == 0 else reached for passed in scored["passed"]
    ]
    marks = pd.DataFrame({"pass_mark": sorted(set(pass_marks["pass_mark"]))})
    low = max(0.0, min(float(scored["overall"].min()), float(marks["pass_mark"].min())) - 5)
    x = alt.X(
        "visited_at:T",
        title=_("Visit date"),
        axis=alt.Axis(
            format="%b %Y",
            labelAngle=0,
            labelExpr=formats.month_label_expr(
                int(scored["visited_at"].min().year) - 1, int(scored["visited_at"].max().year) + 1
            ),
        ),
    )
    y = alt.Y("overall:Q", title=_("Score (0-100)"), scale=alt.Scale(domain=[low, 100]))
    dots = (
        alt.Chart(scored)
        .mark_point(size=45, filled=True, opacity=0.75)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "result:N",
                title=None,
                scale=alt.Scale(domain=[reached, below], range=[RULE, VERMILLION]),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape(
                "result:N",
                scale=alt.Scale(domain=[reached, below], range=["circle", "triangle-down"]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("visited_at:T", format="%Y-%m-%d %H:%M", title=_("Visit")),
                alt.Tooltip("checklist:N", title=_("Checklist")),
                alt.Tooltip("overall:Q", format=".1f", title=_("Score")),
                alt.Tooltip("grade:N", title=_("Grade")),
                alt.Tooltip("auditor:N", title=_("Auditor")),
            ],
        )
    )
    monthly = monthly_means(audits)
    monthly["visited_at"] = monthly["month"] + pd.Timedelta(days=14)  # mid-month
    monthly["thin"] = monthly["audits"] < THIN_MONTH
    tooltip = [
        alt.Tooltip("month:T", format="%B %Y", title=_("Month")),
        alt.Tooltip("overall:Q", format=".1f", title=_("Monthly mean")),
        alt.Tooltip("audits:Q", title=_("Audits")),
    ]
    line = alt.Chart(monthly).mark_line(color=BLUE, strokeWidth=2.5).encode(x=x, y=y)
    points = (
        alt.Chart(monthly)
        .mark_point(color=BLUE, size=90, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            fill=alt.condition(alt.datum.thin, alt.value("white"), alt.value(BLUE)),
            tooltip=tooltip,
        )
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 4], color=RULE)
        .encode(
            y=alt.Y("pass_mark:Q", scale=alt.Scale(domain=[low, 100])),
            tooltip=[alt.Tooltip("pass_mark:Q", title=_("Pass mark"))],
        )
    )
    chart = (rules + dots + line + points).properties(height=320, description=trend_summary(audits))
    return _axes(chart)  # type: ignore[return-value]


def thin_months(audits: pd.DataFrame) -> list[str]:
    """The months (as the language writes them) with fewer than ``THIN_MONTH`` audits."""
    monthly = monthly_means(audits)
    return [
        formats.month(m.to_pydatetime())
        for m in monthly.loc[monthly["audits"] < THIN_MONTH, "month"]
    ]


def trend_summary(audits: pd.DataFrame) -> str:
    """One sentence, computed from the figures, that says what the trend chart shows."""
    scored = audits.dropna(subset=["overall"])
    if scored.empty:
        return _("No scored audit to draw.")
    monthly = monthly_means(audits)
    first, last = monthly.iloc[0], monthly.iloc[-1]
    lowest = monthly.iloc[int(monthly["overall"].to_numpy().argmin())]
    below = int((audits["passed"] == False).sum())  # noqa: E712 (None is not a fail)
    count = len(scored)
    return ngettext(
        "{count} audit from {start} to {end}: the monthly mean went from {first} to "
        "{last}, lowest {lowest} in {lowest_month}; {below} below the pass mark.",
        "{count} audits from {start} to {end}: the monthly mean went from {first} to "
        "{last}, lowest {lowest} in {lowest_month}; {below} below the pass mark.",
        count,
    ).format(
        count=formats.integer(count),
        start=formats.month(first["month"].to_pydatetime()),
        end=formats.month(last["month"].to_pydatetime()),
        first=formats.decimal(first["overall"], 1),
        last=formats.decimal(last["overall"], 1),
        lowest=formats.decimal(lowest["overall"], 1),
        lowest_month=formats.month(lowest["month"].to_pydatetime()),
        below=formats.integer(below),
    )


def section_gap_chart(
    sections: pd.DataFrame,
    bench: Benchmark = CHAIN,
    axis_title: str | None = None,
    description: str = "",
) -> alt.Chart:
    """The branch's mean section score minus the mean of ``bench`` (the chain, or an area
    manager's areas, whatever the services narrowed the figures to): right is better.
    Blue bars above, vermillion below.

    ``sections``: label, branch_mean, chain_mean, difference, audits.
    """
    chart = (
        alt.Chart(sections)
        .mark_bar()
        .encode(
            x=alt.X(
                "difference:Q",
                title=axis_title or _("Points above (right) or below (left) the chain"),
            ),
            y=alt.Y(
                "label:N",
                title=_("Section"),
                sort=None,
                axis=alt.Axis(labelLimit=360, labelOverlap=False),
            ),
            color=alt.condition(alt.datum.difference < 0, alt.value(VERMILLION), alt.value(BLUE)),
            tooltip=[
                alt.Tooltip("label:N", title=_("Section")),
                alt.Tooltip("branch_mean:Q", format=".1f", title=_("This branch")),
                alt.Tooltip("chain_mean:Q", format=".1f", title=bench.column),
                alt.Tooltip("difference:Q", format="+.1f", title=_("Difference")),
                alt.Tooltip("audits:Q", title=_("Audits")),
            ],
        )
        .properties(height=alt.Step(SECTION_ROW_PX), description=description)
    )
    return _axes(chart)  # type: ignore[return-value]


def section_summary(sections: pd.DataFrame, scope: str) -> str:
    """One sentence on the section chart: how many sections lie above the benchmark and the
    largest gap. ``scope`` is "chain", "area" or "areas" (whole sentences per scope, so each
    language can say it its own way)."""
    if sections.empty:
        return _("No section to compare.")
    total = len(sections)
    above = int((sections["difference"] > 0).sum())
    widest = sections.iloc[int(sections["difference"].abs().to_numpy().argmax())]
    figures = {
        "above": formats.integer(above),
        "total": formats.integer(total),
        "section": widest["label"],
        "gap": formats.signed(widest["difference"], 1),
    }
    if scope == "area":
        text = ngettext(
            "{above} of {total} section lies above your area's mean; the widest gap is "
            "{section} ({gap} points).",
            "{above} of {total} sections lie above your area's mean; the widest gap is "
            "{section} ({gap} points).",
            total,
        )
    elif scope == "areas":
        text = ngettext(
            "{above} of {total} section lies above the mean of your areas; the widest gap "
            "is {section} ({gap} points).",
            "{above} of {total} sections lie above the mean of your areas; the widest gap "
            "is {section} ({gap} points).",
            total,
        )
    else:
        text = ngettext(
            "{above} of {total} section lies above the chain's mean; the widest gap is "
            "{section} ({gap} points).",
            "{above} of {total} sections lie above the chain's mean; the widest gap is "
            "{section} ({gap} points).",
            total,
        )
    return text.format(**figures)
