"""The score card of one audit: overall, grade, sections as bars, and what failed."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from audit_app.domain.checklist import Checklist, localized
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.scoring import ScoreCard, display
from audit_app.ui.components.theme import BRAND

FAIL = "#C0392B"


def score_card(card: ScoreCard, checklist: Checklist, language: str | None = None) -> None:
    """Draw the card; ``language`` picks the checklist's texts (default: its first)."""
    overall = display(card.overall)
    columns = st.columns(4)
    columns[0].metric("Overall", "—" if overall is None else f"{overall:.1f}")
    columns[1].metric("Grade", card.grade or "—")
    columns[2].metric(
        "Result",
        "—" if card.passed is None else ("Pass" if card.passed else "Fail"),
        help=f"Pass mark {checklist.pass_mark:g}",
    )
    columns[3].metric("Critical failure", "Yes" if card.critical_failure else "No")
    if card.critical_failure:
        items = checklist.items_by_id
        failed = ", ".join(
            localized(items[item_id].text, language, item_id)
            for item_id in card.failed_critical_items
        )
        st.error(
            markdown_text(f"Critical item failed: {failed}. {checklist.critical_rule.describe()}"),
            icon=":material/report:",
        )
    sections = section_frame(card, checklist, language)
    if not sections.empty:
        st.altair_chart(section_chart(sections, checklist.pass_mark), width="stretch")
    failed_items = failed_item_frame(card, checklist, language)
    if not failed_items.empty:
        st.markdown("**Items below full marks**")
        st.dataframe(
            failed_items,
            hide_index=True,
            width="stretch",
            column_config={
                "section": "Section",
                "item": st.column_config.TextColumn("Item", width="large"),
                "score": st.column_config.ProgressColumn(
                    "Score", min_value=0, max_value=100, format="%.0f"
                ),
                "critical": st.column_config.CheckboxColumn("Critical"),
            },
        )


def section_frame(card: ScoreCard, checklist: Checklist, language: str | None) -> pd.DataFrame:
    titles = {s.id: localized(s.title, language, s.id) for s in checklist.sections}
    return pd.DataFrame(
        [
            {"section": titles.get(s.section_id, s.section_id), "score": display(s.score)}
            for s in card.sections
            if s.score is not None
        ],
        columns=["section", "score"],
    )


def failed_item_frame(card: ScoreCard, checklist: Checklist, language: str | None) -> pd.DataFrame:
    section_titles = {s.id: localized(s.title, language, s.id) for s in checklist.sections}
    rows = []
    for section in checklist.sections:
        for item in section.items:
            score = card.item_scores.get(item.id)
            if score is not None and score < 1:
                rows.append(
                    {
                        "section": section_titles[section.id],
                        "item": localized(item.text, language, item.id),
                        "score": round(100 * score),
                        "critical": item.critical,
                    }
                )
    rows.sort(key=lambda row: (not row["critical"], row["score"]))
    return pd.DataFrame(rows, columns=["section", "item", "score", "critical"])


def section_chart(sections: pd.DataFrame, pass_mark: float) -> alt.LayerChart:
    bars = (
        alt.Chart(sections)
        .mark_bar(color=BRAND)
        .encode(
            x=alt.X("score:Q", title="Section score", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y(
                "section:N",
                title=None,
                sort=None,
                axis=alt.Axis(labelLimit=280, labelOverlap=False),
            ),
            color=alt.condition(alt.datum.score < pass_mark, alt.value(FAIL), alt.value(BRAND)),
            tooltip=["section", alt.Tooltip("score:Q", format=".1f", title="Score")],
        )
    )
    mark = (
        alt.Chart(pd.DataFrame({"pass_mark": [pass_mark]}))
        .mark_rule(strokeDash=[4, 4], color="#555")
        .encode(x="pass_mark:Q")
    )
    return (bars + mark).properties(height=max(140, 44 * len(sections)))
