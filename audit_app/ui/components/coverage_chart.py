"""The coverage chart: one stacked bar per region, area or branch, its planned visits split
into done, due and overdue, with the sentence that says what it shows.

Okabe-Ito colours (bluish green done, sky blue due, vermillion overdue) are never the only
cue: the legend names them, each bar's tooltip gives the counts, the sentence states the
totals and the worst rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd

from audit_app.domain.coverage import Tally
from audit_app.i18n import _, formats, ngettext, pgettext

DONE = "#009E73"
DUE = "#56B4E9"
OVERDUE = "#D55E00"
INK = "#333333"
ROW_PX = 26
LABEL_PX = 260


@dataclass(frozen=True)
class Row:
    label: str
    tally: Tally


def state_words() -> dict[str, str]:
    """done, due, overdue -> the words for a planned visit's state (not the Actions page's
    "Due" column, which is a date)."""
    return {
        "done": pgettext("planned visit state", "Done"),
        "due": pgettext("planned visit state", "Due"),
        "overdue": pgettext("planned visit state", "Overdue"),
    }


def coverage_frame(rows: Sequence[Row]) -> pd.DataFrame:
    """Long form: label, state (translated), visits, order (done, due, overdue)."""
    states = [(word, field) for field, word in state_words().items()]
    return pd.DataFrame(
        [
            {
                "label": row.label,
                "state": word,
                "visits": getattr(row.tally, field),
                "order": order,
            }
            for row in rows
            for order, (word, field) in enumerate(states)
        ],
        columns=["label", "state", "visits", "order"],
    )


def coverage_chart(rows: Sequence[Row]) -> alt.Chart:
    frame = coverage_frame(rows)
    words = list(state_words().values())
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("sum(visits):Q", title=_("Planned visits"), axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "label:N",
                title=None,
                sort=[row.label for row in rows],
                axis=alt.Axis(labelLimit=LABEL_PX),
            ),
            color=alt.Color(
                "state:N",
                title=None,
                scale=alt.Scale(domain=words, range=[DONE, DUE, OVERDUE]),
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("label:N", title=_("Where")),
                alt.Tooltip("state:N", title=_("State")),
                alt.Tooltip("visits:Q", title=_("Visits")),
            ],
        )
        .properties(height=alt.Step(ROW_PX))
        .configure_axis(labelColor=INK, titleColor=INK, labelFontSize=12, titleFontSize=12)
        .configure_legend(labelColor=INK, labelFontSize=12)
    )


def coverage_sentence(rows: Sequence[Row], total: Tally) -> str:
    """The chart in one sentence, from its data: totals, then the rows with most overdue."""
    text = ngettext(
        "Chart: {planned} planned visit: {done} done, {due} due, {overdue} overdue.",
        "Chart: {planned} planned visits: {done} done, {due} due, {overdue} overdue.",
        total.planned,
    ).format(
        planned=formats.integer(total.planned),
        done=formats.integer(total.done),
        due=formats.integer(total.due),
        overdue=formats.integer(total.overdue),
    )
    late = sorted((r for r in rows if r.tally.overdue), key=lambda r: (-r.tally.overdue, r.label))
    if late:
        text += " " + _("Most overdue: {rows}.").format(
            rows=", ".join(
                f"{row.label} ({formats.integer(row.tally.overdue)})" for row in late[:3]
            )
        )
    return text
