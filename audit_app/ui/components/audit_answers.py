"""An audit's answers as people read them, one table per section (its photos under it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from audit_app.domain.audit import Answer
from audit_app.domain.checklist import (
    Checklist,
    localized,
)
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.skip_logic import not_applicable
from audit_app.i18n import _, formats
from audit_app.reports.audit_report import answer_text  # the PDF's words, so both agree
from audit_app.services.context import AppContext
from audit_app.ui.components.audit_photos import section_photos
from audit_app.ui.components.data_table import data_table

ANSWER_COLUMNS = ["item", "answer", "score", "na", "critical", "comment"]
"""In reading order: the score beside its answer, the free-text comment last."""
TABLE_BUDGET_PX = 860
"""The main column on a laptop with the sidebar open: the fixed widths stay within it, so
no column is cut off at the right edge (a wider page shares out the rest)."""


def column_config() -> dict[str, Any]:
    """The columns' headers, in the reader's language (built when shown, not at import)."""
    return {
        "item": st.column_config.TextColumn(_("Item"), width=300),
        "answer": st.column_config.TextColumn(_("Answer"), width=140),
        "score": st.column_config.ProgressColumn(
            _("Score"), min_value=0, max_value=100, format="%.0f", width=90
        ),
        "na": st.column_config.CheckboxColumn(_("N/A"), width=50),
        "critical": st.column_config.CheckboxColumn(_("Critical"), width=70),
        "comment": st.column_config.TextColumn(_("Comment"), width=190),
    }


def section_answers(
    checklist: Checklist,
    answers: Mapping[str, Answer],
    item_scores: Mapping[str, float | None] | None,
    language: str,
) -> list[tuple[str, pd.DataFrame]]:
    """(section title, its answer rows) in checklist order; scores 0-100 where they count."""
    tables = []
    left_out = not_applicable(checklist, answers)
    for section in checklist.sections:
        rows = []
        for item in section.items:
            answer = answers.get(item.id)
            score = None if item_scores is None else item_scores.get(item.id)
            text = localized(item.text, language, checklist.language)
            if item.unscored_question:
                text = _("{question} (unscored)").format(question=text)
            elif item.id in left_out:
                text = _("{question} (not asked)").format(question=text)
            rows.append(
                {
                    "item": text,
                    "answer": answer_text(item, answer, checklist, language),
                    "na": bool(answer and answer.na),
                    "comment": (answer.comment if answer else None) or "",
                    "score": None if score is None else round(100 * score, 1),
                    "critical": item.critical,
                }
            )
        title = localized(section.title, language, checklist.language)
        tables.append((title, pd.DataFrame(rows, columns=ANSWER_COLUMNS)))
    return tables


def answers_tables(
    checklist: Checklist,
    answers: Mapping[str, Answer],
    item_scores: Mapping[str, float | None] | None,
    language: str,
    photos_of: tuple[AppContext, int] | None = None,
) -> None:
    """Draw the answers grouped by section; without scores (a draft) the column is left out.
    With ``photos_of`` (the context and the audit's id) each section's photos follow it."""
    tables = section_answers(checklist, answers, item_scores, language)
    for section, (title, frame) in zip(checklist.sections, tables, strict=True):
        answered = int((frame["answer"] != "—").sum())
        count = _("{answered} of {total} answered").format(
            answered=formats.integer(answered), total=formats.integer(len(frame))
        )
        st.markdown(f"**{markdown_text(title)}** · {count}")
        shown = frame if item_scores is not None else frame.drop(columns=["score"])
        data_table(
            shown,
            hide_index=True,
            width="stretch",
            column_config=column_config(),
        )
        if photos_of is not None:
            ctx, audit_id = photos_of
            section_photos(ctx, audit_id, checklist, section.items, answers, language)
