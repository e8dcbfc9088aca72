"""The score card of one audit: overall, grade, sections as bars, and what failed."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from audit_app.domain.actions import opens_action
from audit_app.domain.checklist import Checklist, CriticalRule, localized
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.scoring import ScoreCard, display
from audit_app.i18n import _, formats, ngettext
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.described_chart import described_chart, spec_of

PASSED = "#0072B2"
"""Okabe-Ito blue: a section at or above the pass mark."""
FAIL = "#D55E00"
"""Okabe-Ito vermillion: below the pass mark. Blue and vermillion stay apart for every kind
of colour blindness, and each bar carries its value and a word, so colour is never the only
sign."""
RULE = "#444444"


@dataclass(frozen=True)
class OpenedActions:
    """The corrective actions an audit opened, for the card's line linking to them."""

    audit_id: int
    count: int


def score_card(
    card: ScoreCard,
    checklist: Checklist,
    language: str | None = None,
    *,
    actions: OpenedActions | None = None,
) -> None:
    """Draw the card; ``language`` picks the checklist's texts (default: its first);
    ``actions`` adds the line saying how many corrective actions the audit opened."""
    overall = display(card.overall)
    columns = st.columns(4)
    columns[0].metric(_("Overall"), formats.decimal(overall, 1))
    columns[1].metric(_("Grade"), card.grade or "—")
    columns[2].metric(
        _("Result"),
        "—" if card.passed is None else (_("Pass") if card.passed else _("Fail")),
        help=_("Pass mark {mark}").format(mark=_mark(checklist.pass_mark)),
    )
    columns[3].metric(_("Critical failure"), _("Yes") if card.critical_failure else _("No"))
    if card.critical_failure:
        items = checklist.items_by_id
        failed = ", ".join(
            localized(items[item_id].text, language, item_id)
            for item_id in card.failed_critical_items
        )
        st.error(
            markdown_text(
                _("Critical item failed: {items}. {rule}").format(
                    items=failed, rule=critical_rule_text(checklist.critical_rule)
                )
            ),
            icon=":material/report:",
        )
    if actions is not None:
        actions_line(actions)
    sections = section_frame(card, checklist, language)
    if not sections.empty:
        described_chart(
            spec_of(section_chart, sections, checklist.pass_mark),
            chart_caption(sections, checklist.pass_mark),
            width="stretch",
        )
    failed_items = failed_item_frame(card, checklist, language)
    if not failed_items.empty:
        st.markdown("**{title}**".format(title=_("Items below full marks")))
        if actions is not None:
            st.caption(
                _(
                    "Not every item below full marks opens a corrective action: the "
                    "checklist's policy says which do (by default a No, a critical item "
                    "below full marks, or an item below half its points)."
                )
            )
        data_table(
            failed_items,
            hide_index=True,
            width="stretch",
            column_config={
                "section": _("Section"),
                "item": st.column_config.TextColumn(_("Item"), width="large"),
                "score": st.column_config.ProgressColumn(
                    _("Score"), min_value=0, max_value=100, format="%.0f"
                ),
                "critical": st.column_config.CheckboxColumn(_("Critical")),
                "action": st.column_config.CheckboxColumn(
                    _("Opens an action"),
                    help=_("Whether the checklist's action policy opens a corrective action"),
                ),
            },
        )


def actions_line(actions: OpenedActions) -> None:
    """ "3 corrective actions opened", linking to the Actions page showing those three."""
    if actions.count == 0:
        st.caption(_("No corrective action opened: nothing failed under the checklist's policy."))
        return
    st.page_link(
        "pages/actions_page.py",
        label=actions_label(actions.count),
        query_params={"audit": str(actions.audit_id)},
        icon=":material/assignment_late:",
    )


def actions_label(count: int) -> str:
    return ngettext("{n} corrective action opened", "{n} corrective actions opened", count).format(
        n=formats.integer(count)
    )


def _mark(value: float) -> str:
    return formats.decimal(value, 0 if float(value).is_integer() else 1)


def critical_rule_text(rule: CriticalRule) -> str:
    """What a failed critical item does to the score, in the reader's language."""
    if rule.kind == "flag":
        return _("A failed critical item is flagged and the score is left as it is.")
    if rule.kind == "zero":
        return _("A failed critical item sets the overall score to 0.")
    return _("A failed critical item caps the overall score at {cap}.").format(
        cap=_mark(rule.cap or 0)
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
                        "action": opens_action(checklist.policy, item, score),
                    }
                )
    rows.sort(key=lambda row: (not row["critical"], row["score"]))
    return pd.DataFrame(rows, columns=["section", "item", "score", "critical", "action"])


def section_label(score: float, pass_mark: float) -> str:
    """The words on a bar: its value, and "below pass mark" where it is (not colour alone)."""
    value = formats.decimal(score, 1)
    if score < pass_mark:
        return _("{score} (below pass mark)").format(score=value)
    return value


def chart_caption(sections: pd.DataFrame, pass_mark: float) -> str:
    """The chart in words (its text alternative): every section's score and the pass mark."""
    listed = "; ".join(
        f"{row.section} {section_label(float(row.score), pass_mark)}"  # type: ignore[arg-type]
        for row in sections.itertuples()
    )
    return _("Section scores (0-100, pass mark {mark}, dashed line): {sections}.").format(
        mark=_mark(pass_mark), sections=listed
    )


def section_chart(sections: pd.DataFrame, pass_mark: float) -> alt.LayerChart:
    """Bars with their values written beside them, the pass mark as a dashed rule."""
    shown = sections.assign(
        label=[section_label(score, pass_mark) for score in sections["score"]],
        below=sections["score"] < pass_mark,
    )
    score_title, section_title = _("Section score"), _("Section")
    base = alt.Chart(shown).encode(
        y=alt.Y(
            "section:N",
            title=None,
            sort=None,
            axis=alt.Axis(labelLimit=280, labelOverlap=False, labelColor="#222222"),
        ),
    )
    bars = base.mark_bar().encode(
        x=alt.X(
            "score:Q",
            title=score_title,
            scale=alt.Scale(domain=[0, 100]),
            axis=alt.Axis(labelColor="#222222", titleColor="#222222"),
        ),
        color=alt.condition(alt.datum.below, alt.value(FAIL), alt.value(PASSED)),
        tooltip=[
            alt.Tooltip("section:N", title=section_title),
            alt.Tooltip("label:N", title=_("Score")),
        ],
    )
    values = base.mark_text(align="left", dx=4, color="#222222", fontSize=12).encode(
        x=alt.X("score:Q"), text=alt.Text("label:N")
    )
    mark = (
        alt.Chart(pd.DataFrame({"pass_mark": [pass_mark]}))
        .mark_rule(strokeDash=[4, 4], color=RULE)
        .encode(x="pass_mark:Q")
    )
    return (bars + values + mark).properties(
        height=110 + 36 * len(sections),  # the whole chart: title and axis take ~110 px
        title=alt.TitleParams(_("Section scores"), anchor="start"),
        description=chart_caption(sections, pass_mark),
        padding={"left": 5, "top": 5, "bottom": 5, "right": 48},  # room for "100.0"
    )
